"""What every public-facing record shares: a publishing status and its history."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import connections, models, router, transaction
from django.db.models import F, Q
from django.db.models.base import ModelState
from django.db.models.deletion import Collector, ProtectedError
from django.db.models.signals import post_init, pre_init
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


# Published and retracted records are on the public record: their URLs answer
# (200 or 410), so they are never deleted.
ON_RECORD = (Status.PUBLISHED, Status.RETRACTED)

# Every publishable model has Django's four permissions plus "publish_<model>"
# and "retract_<model>" (e.g. tracker.publish_statement), given to the
# Publisher group; see tracker/publishing.py.
PUBLISHING_PERMISSIONS = ("add", "change", "delete", "view", "publish", "retract")


class StaleRecordError(Exception):
    """A save that started from a version of the record someone else has since changed."""

    def __init__(self, record, loaded_version: int, current_version: int):
        self.record = record
        self.loaded_version = loaded_version
        self.current_version = current_version
        super().__init__(
            f"{record._meta.verbose_name} {record.pk} was saved as version {current_version} "
            f"after this copy was loaded at version {loaded_version}; reload it and edit again."
        )


class RecordOnFileError(ProtectedError):
    """A delete that would remove a published or retracted record (or take one with it)."""

    def __init__(self, records):
        names = ", ".join(
            f"{r._meta.verbose_name} “{r}” ({r.get_status_display()})" for r in records
        )
        super().__init__(
            f"Published and retracted records are never deleted; retract them instead: {names}.",
            set(records),
        )


def refuse_deleting_records_on_file(objs, using: str) -> None:
    """Raise ``RecordOnFileError`` if deleting ``objs`` would remove a record on file.

    Follows the same cascade the delete would, so a draft talks cannot take its
    published topics with it.
    """
    collector = Collector(using=using)
    collector.collect(objs)
    on_file = [
        obj
        for model, instances in collector.data.items()
        if issubclass(model, Publishable)
        for obj in instances
        if obj.status in ON_RECORD
    ]
    if on_file:
        raise RecordOnFileError(on_file)


def published_count_sql(model: type[models.Model], connection) -> tuple[str, list]:
    """The SQL of ``model.objects.public().count()``, for a model whose ``public()`` is
    its status alone.

    SQLite counts a whole table from its b-tree pages without reading a row,
    but ``COUNT(*) … WHERE status = 'published'`` reads one index entry per
    record: 5-6 ms at 190,000 public statements, against under 1 ms for the
    whole table less the records before and after "published" in the status
    index. Every status compares less than, equal to or greater than
    "published", and none is NULL, so the two numbers are the same.
    PostgreSQL scans either way, so there the count is the plain one.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    status = quote(model._meta.get_field("status").column)
    if connection.vendor == "sqlite":
        sql = (
            f"SELECT (SELECT COUNT(*) FROM {table})"
            f" - (SELECT COUNT(*) FROM {table} WHERE {status} < %s)"
            f" - (SELECT COUNT(*) FROM {table} WHERE {status} > %s)"
        )
        return sql, [Status.PUBLISHED, Status.PUBLISHED]
    return f"SELECT COUNT(*) FROM {table} WHERE {status} = %s", [Status.PUBLISHED]


def count_published(model: type[models.Model], using: str = "default") -> int:
    """``model.objects.public().count()`` by ``published_count_sql``, written out so that
    Django need not compile it."""
    connection = connections[using]
    sql, params = published_count_sql(model, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


class PublishableQuerySet(models.QuerySet):
    """The one place that says what the public may see."""

    def public(self):
        """Published records: the only ones any public page, feed, API or export shows."""
        return self.filter(status=Status.PUBLISHED)

    def on_record(self):
        """Published and retracted records: a retracted URL still answers, with a 410."""
        return self.filter(status__in=ON_RECORD)

    def delete(self):
        """Delete drafts and records in review; refuse if any record is on file.

        ``Model._base_manager`` still deletes anything: it is kept for emptying
        the database before a restore, never for editing.
        """
        refuse_deleting_records_on_file(list(self), using=self.db)
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True

    def update(self, **kwargs):
        """Update in bulk, still counting each record's version and keeping its history,
        and keeping the public site in step as a save would.

        One history entry per record, made with django-simple-history's
        ``bulk_history_create`` (who: the request's user, when there is one).
        Signals are not sent, as with any ``update()``; instead the publication
        stamp moves on (so no cached page, ETag or count outlives the change) and
        the search index is brought up to date for each record changed.
        """
        from tracker import search
        from tracker.caching import bump_publication_stamp

        kwargs.setdefault("version", F("version") + 1)
        kwargs.setdefault("updated_at", timezone.now())
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            if pks:
                changed = list(self.model._base_manager.using(self.db).filter(pk__in=pks))
                self.model.history.bulk_history_create(
                    changed, update=True, default_change_reason="Bulk update"
                )
                bump_publication_stamp()
                for record in changed:
                    search.record_changed(record)
        return count

    update.alters_data = True


class QuickLoading(models.Model):
    """Abstract base of Parley's models: records load from query rows without ``__init__``.

    A talks page or an API list turns hundreds of rows into records, and
    ``Model.__init__`` (its keyword handling, its per-field ``setattr``) cost a
    fifth of such a page. A row needs none of that: ``from_db``, Django's
    documented hook for loading, sets the row's columns as the instance's
    attributes directly. Deferred columns stay missing, so they load on access as
    before; while anything listens to ``pre_init`` or ``post_init``, Django's own
    ``from_db`` runs so that the signals are sent.
    """

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        if pre_init.receivers or post_init.receivers:
            return super().from_db(db, field_names, values)
        record = cls.__new__(cls)
        state = ModelState()
        state.adding = False
        state.db = db
        vars(record).update(zip(field_names, values, strict=True), _state=state)
        return record


class Publishable(QuickLoading):
    """Abstract base of every record the public can read.

    Records move draft → in review → published, and may later be retracted
    (tracker/publishing.py holds the workflow). ``version`` counts saves: a
    save from a copy loaded at an older version raises ``StaleRecordError``,
    so two editors cannot silently overwrite each other. ``history`` keeps
    every change with who made it. Records on file (published or retracted)
    are never deleted.
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

    def save(self, *args, **kwargs):
        """Save, counting the version; refuse a save from a stale copy (optimistic locking).

        The row is locked while its version is compared, so two saves racing
        each other cannot both pass the check.
        """
        if self._state.adding or self.pk is None:
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            current = (
                type(self)
                ._base_manager.using(using)
                .select_for_update()
                .filter(pk=self.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current is None:
                return super().save(*args, **kwargs)
            if current != self.version:
                raise StaleRecordError(self, self.version, current)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version", "updated_at"}
            self.version = current + 1
            try:
                return super().save(*args, **kwargs)
            except BaseException:
                self.version = current
                raise

    save.alters_data = True

    def delete(self, using=None, keep_parents=False):
        """Delete a draft or a record in review; a record on file raises ``RecordOnFileError``."""
        using = using or router.db_for_write(type(self), instance=self)
        refuse_deleting_records_on_file([self], using=using)
        return super().delete(using=using, keep_parents=keep_parents)

    delete.alters_data = True

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_on_record(self) -> bool:
        """Published or retracted: its URL answers, so it can never be deleted."""
        return self.status in ON_RECORD


def choices_constraint(field: str, choices: type[models.Choices]) -> models.CheckConstraint:
    """A database rule that ``field`` only ever holds one of ``choices``."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=f"%(app_label)s_%(class)s_{field}_valid",
    )


def status_constraint() -> models.CheckConstraint:
    """Every publishable table only ever holds a known status."""
    return choices_constraint("status", Status)
