"""The search index: one plain document per public record, kept by ``tracker.search``.

The table holds only what the public may see; ``tracker.search`` writes a row
when a record is published or edited and deletes it when the record is
unpublished or retracted. On SQLite an FTS5 table mirrors it (kept in step by
triggers, created by migration 0002); on PostgreSQL ``SearchTerms`` holds each
document's weighted tsvector, with a GIN index.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from tracker.models.base import QuickLoading
from tracker.models.talks import Negotiation


class SearchKind(models.TextChoices):
    """The kinds of record search finds, in the order results list them."""

    TALKS = "talks", "Talks"
    ACTOR = "actor", "Actor"
    TOPIC = "topic", "Topic"
    POSITION = "position", "Position"
    STATEMENT = "statement", "Statement"
    EVENT = "event", "Event"
    MILESTONE = "milestone", "Milestone"
    SOURCE = "source", "Source"


class SearchDocument(QuickLoading):
    """What search knows about one public record: its text, date, talks and address."""

    Kind = SearchKind

    kind = models.CharField("kind", max_length=9, choices=SearchKind.choices)
    object_id = models.PositiveBigIntegerField("record id")
    title = models.CharField("title", max_length=500, help_text="Shown as the result's link.")
    body = models.TextField("body", blank=True, help_text="Everything else that is searched.")
    detail = models.CharField(
        "detail", max_length=300, blank=True, help_text="A short line under the title."
    )
    url = models.CharField("address", max_length=500)
    date_label = models.CharField(
        "date", max_length=60, blank=True, help_text="The record's date with its precision."
    )
    date_start = models.DateField("earliest date", null=True, blank=True)
    date_end = models.DateField(
        "latest date", null=True, blank=True, help_text="Empty for an open-ended record."
    )
    negotiations = models.ManyToManyField(
        Negotiation, related_name="+", blank=True, verbose_name="talks"
    )

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = "search document"
        verbose_name_plural = "search documents"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="tracker_search_one_per_record"
            ),
        ]
        indexes = [models.Index(fields=["kind", "date_start"], name="tracker_search_kind_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self) -> str:
        return self.url


class SearchTerms(models.Model):
    """PostgreSQL only: what a search matches and ranks a document by, in a table of its
    own (empty on SQLite, where FTS5 does that).

    A search reads every match to rank it: 11,000 rows for a common word among
    200,000 statements. Read from the documents, each row carries the title, body
    and address too, twice the bytes of its vector; here, with the kind and dates
    that a search counts, filters and orders by, the matches fill a third fewer
    pages and the ranking takes a third less time. ``tracker.search`` writes a
    document's terms with it; they go when it goes.
    """

    document = models.OneToOneField(
        SearchDocument, on_delete=models.CASCADE, primary_key=True, related_name="terms"
    )
    kind = models.CharField("kind", max_length=9, choices=SearchKind.choices)
    date_start = models.DateField("earliest date", null=True, blank=True)
    date_end = models.DateField("latest date", null=True, blank=True)
    # The weighted tsvector of the document's title and body (GIN-indexed).
    vector = SearchVectorField("search vector", editable=False)

    class Meta:
        verbose_name = "search terms"
        verbose_name_plural = "search terms"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_id}"
