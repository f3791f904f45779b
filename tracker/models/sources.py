"""Where facts come from (sources, citations) and how they were put right (corrections)."""

import datetime

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from tracker.dates import precise_date_constraints, precise_date_fields
from tracker.links import page_url
from tracker.models.base import (
    PUBLISHING_PERMISSIONS,
    Publishable,
    QuickLoading,
    Status,
    choices_constraint,
    status_constraint,
)


class SourceKind(models.TextChoices):
    NEWS_REPORT = "news_report", "News report"
    OFFICIAL_STATEMENT = "official_statement", "Official statement"
    SOCIAL_MEDIA_POST = "social_media_post", "Social media post"
    DOCUMENT = "document", "Document"


class CorrectionKind(models.TextChoices):
    CORRECTION = "correction", "Correction"
    CLARIFICATION = "clarification", "Clarification"
    RETRACTION = "retraction", "Retraction"


class Source(Publishable, precise_date_fields("published_on", "published on")):
    """A published document that records cite: a news report, a post, a statement."""

    Kind = SourceKind

    kind = models.CharField(
        "kind", max_length=20, choices=SourceKind.choices, default=SourceKind.NEWS_REPORT
    )
    outlet = models.CharField("outlet", max_length=200, help_text='Who published it, e.g. "NPR".')
    title = models.CharField("title", max_length=500)
    authors = models.CharField(
        "authors", max_length=500, blank=True, help_text="Bylined authors, comma-separated."
    )
    contributors = models.CharField(
        "contributors",
        max_length=500,
        blank=True,
        help_text="People credited with contributing reporting, comma-separated.",
    )
    url = models.URLField(
        "URL", max_length=1000, blank=True, help_text="Leave empty when no address is known."
    )
    archive_url = models.URLField(
        "archive URL", max_length=1000, blank=True, help_text="A permanent archived copy, if any."
    )
    language = models.CharField(
        "language", max_length=12, default="en", help_text="BCP 47 language tag, e.g. en or ar."
    )
    notes = models.TextField("editors' notes", blank=True, help_text="Shown publicly; Markdown.")

    class Meta:
        default_permissions = PUBLISHING_PERMISSIONS
        ordering = ["-published_on", "outlet", "title"]
        verbose_name = "source"
        verbose_name_plural = "sources"
        # The public list pages through sources in this order.
        indexes = [
            models.Index(
                fields=["status", "-published_on", "outlet", "title"], name="tracker_source_list"
            )
        ]
        constraints = [
            status_constraint(),
            *precise_date_constraints("published_on"),
            choices_constraint("kind", SourceKind),
            models.UniqueConstraint(
                fields=["outlet", "title", "published_on"],
                name="tracker_source_unique_per_outlet_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outlet}: {self.title}"

    def get_absolute_url(self) -> str:
        return page_url("tracker:source", self.pk)

    def author_list(self) -> list[str]:
        return [name.strip() for name in self.authors.split(",") if name.strip()]

    def contributor_list(self) -> list[str]:
        return [name.strip() for name in self.contributors.split(",") if name.strip()]


class CitationQuerySet(models.QuerySet):
    def public(self):
        """Citations of published sources; the cited record is checked by its own queryset."""
        return self.filter(source__status=Status.PUBLISHED)


def citation_sort_key(published_on: datetime.date | None, source_id: int, pk: int) -> tuple:
    """Oldest source first, undated sources last, then by source and citation: the order
    of ``Citation.Meta.ordering``, for sorting a few citations in Python."""
    return (published_on is None, published_on or datetime.date.min, source_id, pk)


class Citation(QuickLoading):
    """A source behind one record, with where in the source to look."""

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="citations_made", verbose_name="source"
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name="record type"
    )
    object_id = models.PositiveBigIntegerField("record id")
    record = GenericForeignKey("content_type", "object_id")
    locator = models.CharField(
        "locator",
        max_length=500,
        blank=True,
        help_text="Where in the source: a paragraph number or a short excerpt.",
    )
    history = HistoricalRecords()

    objects = CitationQuerySet.as_manager()

    class Meta:
        # Oldest source first and undated sources last, on every database (SQLite
        # would put NULL first, PostgreSQL last).
        ordering = [F("source__published_on").asc(nulls_last=True), "source_id", "id"]
        verbose_name = "citation"
        verbose_name_plural = "citations"
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="tracker_citation_record"),
            # A page's citations are found by record ids and the content type's name,
            # through a join: PostgreSQL needs the ids first to use an index.
            models.Index(fields=["object_id", "content_type"], name="tracker_citation_by_record"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "content_type", "object_id", "locator"],
                name="tracker_citation_unique",
            )
        ]

    def __str__(self) -> str:
        where = f", {self.locator}" if self.locator else ""
        return f"{self.source}{where}"

    def get_absolute_url(self) -> str:
        return self.source.get_absolute_url()


class Correction(Publishable):
    """A public note on a published record: what was wrong and what was done.

    Publishers write corrections; once published, a correction shows on its
    record's page and in the public changes log.
    """

    Kind = CorrectionKind

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name="record type"
    )
    object_id = models.PositiveBigIntegerField("record id")
    record = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(
        "kind", max_length=13, choices=CorrectionKind.choices, default=CorrectionKind.CORRECTION
    )
    date = models.DateField("date", help_text="The day the correction was made public.")
    text = models.TextField("text", help_text="What was wrong and what was changed. Markdown.")

    class Meta:
        default_permissions = PUBLISHING_PERMISSIONS
        ordering = ["-date", "-id"]
        verbose_name = "correction"
        verbose_name_plural = "corrections"
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="tracker_correction_record"),
            # The public changes log and its feed, newest first.
            models.Index(fields=["status", "-date", "-id"], name="tracker_correction_log"),
        ]
        constraints = [
            status_constraint(),
            choices_constraint("kind", CorrectionKind),
            models.CheckConstraint(condition=~Q(text=""), name="tracker_correction_has_text"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.date:%d %b %Y} on {self.record}"

    def get_absolute_url(self) -> str:
        """Corrections are read where they apply: on their record's page."""
        record = self.record
        if record is None:
            return reverse("tracker:changes")
        # A record that lives on another's page has a URL with a fragment already.
        page = record.get_absolute_url().split("#", 1)[0]
        return f"{page}#correction-{self.pk}"
