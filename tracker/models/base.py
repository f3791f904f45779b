"""What every public-facing record shares: a publishing status and its history."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


class PublishableQuerySet(models.QuerySet):
    """The one place that says what the public may see."""

    def public(self):
        """Published records: the only ones any public page, feed, API or export shows."""
        return self.filter(status=Status.PUBLISHED)

    def on_record(self):
        """Published and retracted records: a retracted URL still answers, with a 410."""
        return self.filter(status__in=[Status.PUBLISHED, Status.RETRACTED])


class Publishable(models.Model):
    """Abstract base of every record the public can read.

    Records move draft → in review → published, and may later be retracted.
    ``version`` counts saves, so two editors cannot silently overwrite each
    other; ``history`` keeps every change with who made it.
    """

    status = models.CharField(
        "status",
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text="Only published records reach the public site, feeds, API and downloads.",
    )
    published_at = models.DateTimeField(
        "published at", null=True, blank=True, help_text="When the record was first published."
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True, db_index=True)
    version = models.PositiveIntegerField(
        "version", default=1, editable=False, help_text="Counts saves; guards against lost edits."
    )
    citations = GenericRelation("tracker.Citation", verbose_name="citations")
    corrections = GenericRelation("tracker.Correction", verbose_name="corrections")
    history = HistoricalRecords(inherit=True)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED


def choices_constraint(field: str, choices: type[models.Choices]) -> models.CheckConstraint:
    """A database rule that ``field`` only ever holds one of ``choices``."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=f"%(app_label)s_%(class)s_{field}_valid",
    )


def status_constraint() -> models.CheckConstraint:
    """Every publishable table only ever holds a known status."""
    return choices_constraint("status", Status)
