"""The search index: one plain document per public record, kept by ``tracker.search``.

The table holds only what the public may see; ``tracker.search`` writes a row
when a record is published or edited and deletes it when the record is
unpublished or retracted. On SQLite an FTS5 table mirrors it (kept in step by
triggers); on PostgreSQL ``vector`` holds the weighted tsvector, with a GIN
index. Both are created by migration 0002 for the database in use.
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
    # PostgreSQL only: the weighted tsvector of title and body (GIN-indexed).
    vector = SearchVectorField("search vector", null=True, editable=False)

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
