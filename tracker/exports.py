"""Parley's data leaving the database: the full backup and the public downloads.

Two very different exports live here, and both are built from the models
themselves so they never drift from the schema:

- **The backup** (``export_document``, used by ``manage.py export_data``): every
  record of every table in every status, with primary keys, link tables,
  citations, corrections and many-to-many links, as one deterministic JSON
  document that ``tracker.imports.import_document`` reads back losslessly.
- **The public downloads** (``PublicData`` and the ``*_chunks`` writers, served
  by ``tracker.downloads``): only what ``.public()`` lets through, for all the
  talks or for one, as JSON, as a zip of CSV files with a data dictionary, and
  as Popolo-compatible JSON.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import functools
import io
import itertools
import json
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import models
from django.db.models import Q

from tracker.dates import PreciseDate, PreciseDateDescriptor, date_columns
from tracker.models import (
    Actor,
    ActorKind,
    Citation,
    Correction,
    Event,
    EventRole,
    KeyFigure,
    Milestone,
    Negotiation,
    Participation,
    Position,
    Relationship,
    RelationshipKind,
    Source,
    Statement,
    Topic,
)

# Every table of Parley's data, parents before children, so a backup can be
# loaded in this order without forward references. Historical tables (the audit
# trail) are deliberately absent: history is not part of the format.
BACKUP_MODELS: list[type[models.Model]] = [
    Source,
    Actor,
    Relationship,
    Negotiation,
    Participation,
    KeyFigure,
    Topic,
    Event,
    EventRole,
    Statement,
    Position,
    Milestone,
    Citation,
    Correction,
]

BACKUP_FORMAT = "parley-export"
BACKUP_FORMAT_VERSION = 1


def json_default(value):
    """Encode what ``json`` cannot: dates in ISO 8601 (full precision), decimals as text."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"Cannot encode {type(value).__name__} as JSON")


# --------------------------------------------------------------------------
# The backup: everything, every status.
# --------------------------------------------------------------------------


def _backup_queryset(model: type[models.Model]) -> models.QuerySet:
    # ``_base_manager`` sees every row, whatever a default manager may hide.
    queryset = model._base_manager.order_by("pk")
    if any(field.name == "content_type" for field in model._meta.concrete_fields):
        queryset = queryset.select_related("content_type")
    m2m = [
        field.name
        for field in model._meta.many_to_many
        if field.remote_field.through._meta.auto_created
    ]
    if m2m:
        queryset = queryset.prefetch_related(*m2m)
    return queryset


def backup_records(model: type[models.Model]) -> list[dict]:
    """Every row of ``model`` as ``{"pk": …, "fields": {…}}``, ordered by primary key.

    Built with Django's own serializer, so every concrete field and every
    plain many-to-many link is included; a record type (content type) is
    written as its natural key, ``["tracker", "statement"]``, which does not
    depend on the database it came from.
    """
    rows = serializers.serialize(
        "python", _backup_queryset(model).iterator(chunk_size=2000), use_natural_foreign_keys=True
    )
    records = []
    for row in rows:
        fields = row["fields"]
        for field in model._meta.many_to_many:
            if field.name in fields:
                fields[field.name] = sorted(fields[field.name])
        records.append({"pk": row["pk"], "fields": fields})
    return records


def export_document() -> dict:
    """The whole database as one document (see ``write_export``)."""
    return {
        "format": BACKUP_FORMAT,
        "version": BACKUP_FORMAT_VERSION,
        "tables": {model._meta.label_lower: backup_records(model) for model in BACKUP_MODELS},
    }


def write_export(stream: io.TextIOBase) -> dict[str, int]:
    """Write the backup to ``stream``; return the number of records per table.

    The output is deterministic: keys are sorted, rows ordered by primary key,
    many-to-many links sorted, so two exports of the same data are identical
    byte for byte.
    """
    document = export_document()
    json.dump(document, stream, default=json_default, sort_keys=True, indent=1, ensure_ascii=False)
    stream.write("\n")
    return {label: len(rows) for label, rows in document["tables"].items()}


# --------------------------------------------------------------------------
# Public downloads: only published data.
# --------------------------------------------------------------------------


# Up to this many record ids go into one query as parameters (SQLite allows 32,766).
MAX_NAMED_IDS = 20_000


class CitationRow(NamedTuple):
    """One public citation in a download: the cited record, the source and where in it."""

    record_type: str  # the cited record's model name, e.g. "statement"
    record_id: int
    source_id: int
    locator: str


class PublicData:
    """The public records of one talks (or of all talks) and the links between them.

    Every queryset starts from ``.public()``. For one talks, the data holds the
    talks, its participants, topics, positions, key figures, milestones, the
    statements and events on its timeline or its topics, the actors they
    involve, the relationships between those actors, and the sources cited.
    A reference to a record that is not public (a draft speaker, say) is
    written as empty, never followed.
    """

    def __init__(
        self,
        negotiation: Negotiation | None = None,
        absolute: Callable[[str], str] | None = None,
    ):
        self.negotiation = negotiation
        # Turns a record's path into a full address (request.build_absolute_uri).
        self.absolute = absolute or (lambda path: path)
        self._ids: dict[type[models.Model], set[int]] = {}

    # Querysets, one per table, scoped to the talks when there is one.

    def negotiations(self) -> models.QuerySet:
        talks = Negotiation.objects.public()
        return talks.filter(pk=self.negotiation.pk) if self.negotiation else talks

    def participations(self) -> models.QuerySet:
        return Participation.objects.public().filter(negotiation__in=self.negotiations())

    def key_figures(self) -> models.QuerySet:
        return KeyFigure.objects.public().filter(negotiation__in=self.negotiations())

    def topics(self) -> models.QuerySet:
        return Topic.objects.public().filter(negotiation__in=self.negotiations())

    def milestones(self) -> models.QuerySet:
        return Milestone.objects.public().filter(negotiation__in=self.negotiations())

    def statements(self) -> models.QuerySet:
        statements = Statement.objects.public()
        if self.negotiation is None:
            return statements
        on_topic = Statement.objects.filter(topics__in=self.topics()).values("pk")
        return statements.filter(Q(negotiation=self.negotiation) | Q(pk__in=on_topic))

    def events(self) -> models.QuerySet:
        events = Event.objects.public()
        if self.negotiation is None:
            return events
        recounted = self.statements().exclude(event=None).values("event")
        return events.filter(Q(negotiation=self.negotiation) | Q(pk__in=recounted))

    def event_roles(self) -> models.QuerySet:
        return EventRole.objects.public().filter(event__in=self.events())

    def actors(self) -> models.QuerySet:
        actors = Actor.objects.public()
        if self.negotiation is None:
            return actors
        involved = (
            Q(pk__in=self.participations().values("actor"))
            | Q(pk__in=self.statements().exclude(speaker=None).values("speaker"))
            | Q(pk__in=self.event_roles().values("actor"))
            | Q(pk__in=Position.objects.public().filter(topic__in=self.topics()).values("actor"))
        )
        return actors.filter(involved)

    def positions(self) -> models.QuerySet:
        return Position.objects.public().filter(topic__in=self.topics(), actor__in=self.actors())

    def relationships(self) -> models.QuerySet:
        actors = self.actors()
        return Relationship.objects.public().filter(subject__in=actors, object__in=actors)

    def sources(self) -> models.QuerySet:
        sources = Source.objects.public()
        if self.negotiation is None:
            return sources
        return sources.filter(pk__in=[citation.source_id for citation in self.citations()])

    def citations(self) -> list[CitationRow]:
        """Public citations of the records in this data, in a stable order."""
        if not hasattr(self, "_citations"):
            self._citations = list(self.each_citation())
        return self._citations

    def each_citation(self) -> Iterator[CitationRow]:
        """``citations()`` one at a time: read as they are used unless already held, so
        that the CSV of all talks never holds its 260,000 citations at once."""
        if hasattr(self, "_citations"):
            yield from self._citations
            return
        # Citations on sources themselves are left out: the sources a
        # talks needs are found through these citations.
        cited = [table.model for table in CITED_TABLES if table.model is not Source]
        yield from self._each_citation_of(cited)

    def citations_of(self, models_: list[type[models.Model]]) -> list[CitationRow]:
        """Public citations of this data's records of ``models_`` only, in a stable order.

        Plain tuples, not model instances: the largest talks has some 90,000
        citations, and its downloads hold them all to find its sources.
        """
        return list(self._each_citation_of(models_))

    def _each_citation_of(self, models_: list[type[models.Model]]) -> Iterator[CitationRow]:
        rows = self._on_records(Citation.objects.public(), models_, "source_id").values_list(
            "content_type__model", "object_id", "source_id", "locator"
        )
        rows = map(CitationRow._make, rows.iterator(chunk_size=2000))
        return self._kept(rows, models_, lambda c: c[:2])

    def corrections(self) -> list[Correction]:
        """Published corrections of the records in this data."""
        if not hasattr(self, "_corrections"):
            corrected = [table.model for table in CITED_TABLES]
            rows = self._on_records(Correction.objects.public(), corrected, "date")
            self._corrections = list(
                self._kept(
                    rows.select_related("content_type"),
                    corrected,
                    lambda c: (c.content_type.model, c.object_id),
                )
            )
        return self._corrections

    def _on_records(self, queryset: models.QuerySet, models_: list, *order: str):
        """The rows of a citation-like table that may point at one of this data's records.

        One talks' data names its records' ids in the query, so its download
        reads its own citations only; larger data (all talks) reads the rows
        of each kind, and ``_kept`` keeps those of its records.
        """
        ids = [self.ids(model) for model in models_]
        named = sum(len(pks) for pks in ids) <= MAX_NAMED_IDS
        wanted = Q(pk__in=[])
        for model, pks in zip(models_, ids, strict=True):
            kind = Q(content_type__app_label="tracker", content_type__model=model._meta.model_name)
            wanted |= kind & Q(object_id__in=pks) if named else kind
        return queryset.filter(wanted).order_by(*order, "pk")

    def _kept(self, rows: Iterable, models_: list, record: Callable) -> Iterator:
        """The ``rows`` whose record (model name and pk, as ``record`` reads them) is in
        this data, as they come."""
        ids = {model._meta.model_name: self.ids(model) for model in models_}
        for row in rows:
            model_name, pk = record(row)
            if pk in ids[model_name]:
                yield row

    def ids(self, model: type[models.Model]) -> set[int]:
        """Primary keys of the public records of ``model`` in this data."""
        if model not in self._ids:
            table = TABLES_BY_MODEL.get(model)
            queryset = getattr(self, table.name)() if table else model.objects.none()
            self._ids[model] = set(queryset.values_list("pk", flat=True))
        return self._ids[model]


# --------------------------------------------------------------------------
# Columns: one description of every table, shared by CSV, JSON and the
# data dictionary.
# --------------------------------------------------------------------------

# Internal bookkeeping that means nothing to a reader of published data.
_HIDDEN = {"status", "version", "created_at"}


@dataclass(frozen=True)
class Column:
    """One column of a public table: its name, type, description and how to read it."""

    name: str
    type: str
    description: str
    read: Callable[[models.Model], object]
    text: bool = False  # free text that could smuggle a spreadsheet formula


def _describe(field: models.Field) -> str:
    """The field's verbose name and help text, plus its allowed values."""
    description = str(field.verbose_name)
    description = description[:1].upper() + description[1:]
    if field.help_text:
        description += f". {field.help_text}"
    if field.choices:
        values = ", ".join(f"{value} ({label})" for value, label in field.flatchoices if value)
        description += f" One of: {values}."
    return description if description.endswith(".") else description + "."


def _type_of(field: models.Field) -> str:
    if field.is_relation:
        return "integer"
    return {
        "BigAutoField": "integer",
        "AutoField": "integer",
        "PositiveIntegerField": "integer",
        "PositiveSmallIntegerField": "integer",
        "PositiveBigIntegerField": "integer",
        "BooleanField": "boolean",
        "DateField": "date (YYYY-MM-DD)",
        "DateTimeField": "date and time (ISO 8601, UTC)",
        "DecimalField": "decimal number",
    }.get(field.get_internal_type(), "text")


@functools.cache
def _precise_date_names(model: type[models.Model]) -> tuple[str, ...]:
    """The ``<date>_display`` descriptors of ``model``, looked up once per model."""
    return tuple(
        name
        for name in dir(model)
        if name.endswith("_display")
        and isinstance(model.__dict__.get(name) or _inherited(model, name), PreciseDateDescriptor)
    )


def _inherited(model: type[models.Model], name: str):
    for klass in model.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


def _field_columns(model: type[models.Model]) -> list[Column]:
    columns = []
    for field in model._meta.concrete_fields:
        if field.name in _HIDDEN:
            continue
        if field.name == "content_type":
            columns.append(
                Column(
                    "record_type",
                    "text",
                    "Which table the record is in: the singular of the table name, "
                    "e.g. statement for the statements table.",
                    lambda obj: obj.content_type.model,
                )
            )
            continue
        if field.name == "object_id":
            columns.append(
                Column(
                    "record_id",
                    "integer",
                    "The id of the record in the table named by record_type.",
                    lambda obj: obj.object_id,
                )
            )
            continue
        if field.is_relation:
            target = TABLES_BY_MODEL[field.related_model].name
            columns.append(
                Column(
                    field.attname,
                    "integer",
                    f"{_describe(field)} The id of a row in {target}; empty when there is "
                    "none or it is not public.",
                    _reference(field),
                )
            )
            continue
        text = field.get_internal_type() in {"CharField", "TextField", "SlugField", "URLField"}
        columns.append(
            Column(
                field.attname,
                "id" if field.primary_key else _type_of(field),
                "Parley's id of the row." if field.primary_key else _describe(field),
                _attribute(field.attname),
                text=text and not field.choices,
            )
        )
    for name in _precise_date_names(model):
        date = name.removesuffix("_display")
        columns.append(
            Column(
                f"{date}_label",
                "text",
                "The date as a reader sees it, no more precise than the source "
                f"(e.g. “week of 29 Jan 2024”); empty without a {date} date.",
                _date_label(date),
            )
        )
    if TABLES_BY_MODEL[model].has_page:
        columns.append(
            Column(
                "page_url",
                "URL",
                "The record's page on Parley.",
                _url,
            )
        )
    return columns


def _url(obj: models.Model, data: PublicData | None = None) -> str:
    path = obj.get_absolute_url()
    return data.absolute(path) if data else path


_url.needs_data = True


def _attribute(attname: str) -> Callable[[models.Model], object]:
    return lambda obj: getattr(obj, attname)


def _date_label(name: str) -> Callable[[models.Model], object]:
    def read(obj):
        value = getattr(obj, f"{name}_display")
        return value.label() if value else ""

    return read


def _reference(field: models.Field) -> Callable[[models.Model], object]:
    def read(obj, data: PublicData | None = None):
        value = getattr(obj, field.attname)
        if value is None or data is None:
            return value
        return value if value in data.ids(field.related_model) else None

    read.needs_data = True
    return read


@dataclass(frozen=True)
class Table:
    """A public table: its file name, its model, and what it needs to render fast."""

    name: str
    model: type[models.Model]
    related: tuple[str, ...] = ()
    has_page: bool = True

    @property
    def columns(self) -> list[Column]:
        return _field_columns(self.model)


@dataclass(frozen=True)
class LinkTable:
    """A many-to-many link between two public tables, e.g. statement_topics."""

    name: str
    model: type[models.Model]
    field: str
    left: str
    right: str
    description: str

    @property
    def target(self) -> type[models.Model]:
        """The model the link points at (Topic for statement_topics)."""
        return self.model._meta.get_field(self.field).related_model

    @property
    def json_key(self) -> str:
        """The list of linked ids in the JSON download: topic_ids, evidence_ids, …"""
        return f"{self.field.removesuffix('s')}_ids"

    @property
    def columns(self) -> list[Column]:
        left_table = TABLES_BY_MODEL[self.model].name
        right_table = TABLES_BY_MODEL[self.target].name
        return [
            Column(self.left, "integer", f"The id of a row in {left_table}.", None),
            Column(self.right, "integer", f"The id of a row in {right_table}.", None),
        ]


TABLES = [
    Table("negotiations", Negotiation),
    Table("actors", Actor),
    Table("relationships", Relationship, related=("subject",)),
    Table("participations", Participation, related=("negotiation",), has_page=False),
    Table("key_figures", KeyFigure, related=("negotiation",)),
    Table("topics", Topic, related=("negotiation",)),
    Table("positions", Position, related=("topic__negotiation",)),
    Table("statements", Statement),
    Table("events", Event),
    Table("event_roles", EventRole, has_page=False),
    Table("milestones", Milestone),
    Table("sources", Source),
]
TABLES_BY_MODEL = {table.model: table for table in TABLES}
CITED_TABLES = [table for table in TABLES if hasattr(table.model, "citations")]

LINK_TABLES = [
    LinkTable(
        "statement_topics",
        Statement,
        "topics",
        "statement_id",
        "topic_id",
        "Which topics each statement speaks to.",
    ),
    LinkTable(
        "position_evidence",
        Position,
        "evidence",
        "position_id",
        "statement_id",
        "The statements each position rests on.",
    ),
    LinkTable(
        "milestone_statements",
        Milestone,
        "statements",
        "milestone_id",
        "statement_id",
        "Statements linked to each milestone.",
    ),
    LinkTable(
        "milestone_events",
        Milestone,
        "events",
        "milestone_id",
        "event_id",
        "Events linked to each milestone.",
    ),
]

CITATION_COLUMNS = [
    Column("record_type", "text", "The table of the cited record, in the singular.", None),
    Column("record_id", "integer", "The id of the cited record in that table.", None),
    Column("source_id", "integer", "The id of a row in sources: the source cited.", None),
    Column(
        "locator",
        "text",
        "Where in the source to look: a paragraph number or a short excerpt.",
        None,
        text=True,
    ),
]
CORRECTION_COLUMNS = [
    Column("id", "id", "Parley's id of the correction.", None),
    Column("record_type", "text", "The table of the corrected record, in the singular.", None),
    Column("record_id", "integer", "The id of the corrected record in that table.", None),
    Column("kind", "text", _describe(Correction._meta.get_field("kind")), None),
    Column("date", "date (YYYY-MM-DD)", _describe(Correction._meta.get_field("date")), None),
    Column("text", "text", _describe(Correction._meta.get_field("text")), None, text=True),
    Column("published_at", "date and time (ISO 8601, UTC)", "When it was published.", None),
]

TABLE_DESCRIPTIONS = {
    "negotiations": "Talks: one row per negotiation process.",
    "actors": "Actors: states, bodies, commands, armed groups, parties, organisations, people.",
    "relationships": "Typed, dated links between two actors (member of, backed by, …).",
    "participations": "Which actors take part in which talks, and in what role.",
    "key_figures": "Numbers that frame the talks, each as of a date.",
    "topics": "Issues on the table of a talks, each a plain question.",
    "positions": "An actor's stance on a topic from a date; the latest as_of is current.",
    "statements": "Things said or written, attributed exactly as the source reports them.",
    "events": "Things that happened, with every account of them.",
    "event_roles": "Actors' roles in events: perpetrator, target, claimant, …",
    "milestones": "Steps of the talks: rounds, announcements, deadlines, agreements.",
    "sources": "Published documents that the records cite.",
    "citations": "Which source stands behind which record, and where in it to look.",
    "corrections": "Public notes on published records: what was wrong and what changed.",
}


def data_dictionary() -> list[dict[str, str]]:
    """Every column of every CSV file, described from the models' own metadata."""
    rows = []
    for name, columns in _all_csv_tables():
        description = TABLE_DESCRIPTIONS.get(name) or next(
            link.description for link in LINK_TABLES if link.name == name
        )
        for column in columns:
            rows.append(
                {
                    "file": f"{name}.csv",
                    "table_description": description,
                    "column": column.name,
                    "type": column.type,
                    "description": column.description,
                }
            )
    return rows


def _all_csv_tables() -> list[tuple[str, list[Column]]]:
    return [
        *((table.name, table.columns) for table in TABLES),
        *((link.name, link.columns) for link in LINK_TABLES),
        ("citations", CITATION_COLUMNS),
        ("corrections", CORRECTION_COLUMNS),
    ]


def _read(column: Column, obj: models.Model, data: PublicData) -> object:
    if getattr(column.read, "needs_data", False):
        return column.read(obj, data)
    return column.read(obj)


# Rows of a table read from the database at a time while a download streams.
ROWS_AT_ONCE = 1000


def _rows(table: Table, data: PublicData) -> Iterator[models.Model]:
    queryset = getattr(data, table.name)().select_related(*table.related).order_by("pk")
    return queryset.iterator(chunk_size=ROWS_AT_ONCE)


def _rows_with_links(
    table: Table, data: PublicData
) -> Iterator[tuple[models.Model, dict[str, list[int]]]]:
    """The table's rows, each with the ids of this data's records it links to, by the
    JSON's name of each link (``topic_ids``, …), read from the link tables for a batch
    of rows at a time.

    Not ``prefetch_related``: it makes a queryset for each row that points back at the
    row, a cycle only the garbage collector frees; a gunicorn worker runs it seldom
    (``gunicorn.conf.py``), and ended the JSON of all talks at 284 MB rather than 174.
    """
    links = [
        (link.json_key, *_through(link), data.ids(link.target))
        for link in LINK_TABLES
        if link.model is table.model
    ]
    rows = _rows(table, data)
    while batch := list(itertools.islice(rows, ROWS_AT_ONCE)):
        linked: dict[str, dict[int, list[int]]] = {}
        for key, through, left, right, visible in links:
            ids = linked[key] = defaultdict(list)
            pairs = through.objects.filter(**{f"{left}__in": [obj.pk for obj in batch]})
            for a, b in pairs.values_list(left, right):
                if b in visible:
                    ids[a].append(b)
        for obj in batch:
            yield obj, {key: sorted(ids.get(obj.pk, ())) for key, ids in linked.items()}


# --------------------------------------------------------------------------
# CSV: a zip of one file per table, written as it streams.
# --------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Defuse text a spreadsheet would run as a formula, by prefixing a single quote.

    Cells starting with = + - @, a tab or a carriage return are formulas (or
    the start of one) in Excel, LibreOffice and Google Sheets; the quote makes
    them plain text there, and is easy to strip for anyone who needs the raw
    value.
    """
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_cell(value: object, *, text: bool = False) -> str:
    """One CSV cell: empty for nothing, true/false, ISO dates; free text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    value = str(value)
    # Only text a person typed can carry a formula; a negative number stays a number.
    return neutralise(value) if text or not _is_number(value) else value


def _is_number(value: str) -> bool:
    try:
        decimal.Decimal(value)
    except decimal.InvalidOperation:
        return False
    return True


class _Pipe(io.RawIOBase):
    """A write-only stream whose bytes are handed on as they come (for a streaming zip)."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _csv_lines(columns: list[Column], rows: Iterable[list[object]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    for row in rows:
        writer.writerow(
            [csv_cell(value, text=column.text) for column, value in zip(columns, row, strict=True)]
        )
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _table_rows(name: str, data: PublicData) -> Iterable[list[object]]:
    for table in TABLES:
        if table.name == name:
            columns = table.columns
            return ([_read(c, obj, data) for c in columns] for obj in _rows(table, data))
    for link in LINK_TABLES:
        if link.name == name:
            return _link_rows(link, data)
    if name == "citations":
        sources = data.ids(Source)
        return (
            [c.record_type, c.record_id, c.source_id, c.locator]
            for c in data.each_citation()
            if c.source_id in sources
        )
    return (
        [c.pk, c.content_type.model, c.object_id, c.kind, c.date, c.text, c.published_at]
        for c in data.corrections()
    )


def _through(link: LinkTable) -> tuple[type[models.Model], str, str]:
    """The link's table in the database and its two columns of ids."""
    through = getattr(link.model, link.field).through
    left = f"{link.model._meta.model_name}_id"
    right = f"{link.target._meta.model_name}_id"
    if left == right:  # a model linked to itself would need from_/to_ names
        left, right = f"from_{left}", f"to_{right}"
    return through, left, right


def _link_rows(link: LinkTable, data: PublicData) -> Iterator[list[int]]:
    through, left, right = _through(link)
    left_ids = data.ids(link.model)
    right_ids = data.ids(link.target)
    for a, b in through.objects.order_by(left, right).values_list(left, right).iterator():
        if a in left_ids and b in right_ids:
            yield [a, b]


def csv_zip_chunks(data: PublicData, readme: str) -> Iterator[bytes]:
    """The CSV download: a zip built file by file and streamed as it grows."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme)
        yield pipe.drain()
        dictionary_columns = [
            Column(name, "text", "", None, text=True)
            for name in ("file", "table_description", "column", "type", "description")
        ]
        files = [
            ("data_dictionary", dictionary_columns, ([*row.values()] for row in data_dictionary()))
        ]
        files += [(name, columns, None) for name, columns in _all_csv_tables()]
        for name, columns, rows in files:
            with archive.open(f"{name}.csv", mode="w") as entry:
                entry.write("\ufeff".encode())  # a BOM, so spreadsheets read UTF-8
                for text in _csv_lines(
                    columns, rows if rows is not None else _table_rows(name, data)
                ):
                    entry.write(text.encode())
                    yield pipe.drain()
            yield pipe.drain()
    yield pipe.drain()


# --------------------------------------------------------------------------
# JSON: one document with every record and its citations, streamed.
# --------------------------------------------------------------------------


@functools.cache
def _date_columns(model: type[models.Model]) -> tuple[frozenset, frozenset]:
    """The precise dates of ``model`` and the raw columns the JSON folds into each."""
    dates = frozenset(name.removesuffix("_display") for name in _precise_date_names(model))
    suffixes = ("_precision", "_part_of_day", "_on_or_before", "_label")
    return dates, frozenset(f"{d}{suffix}" for d in dates for suffix in suffixes)


def _json_record(
    table: Table,
    obj: models.Model,
    data: PublicData,
    links: dict[str, list[int]],
    cited: list[tuple[dict, str]],
    columns,
) -> dict:
    """One record as the JSON download writes it, with the ids it links to (see
    ``_rows_with_links``) and its citations (source fields and locator) when its table
    is cited."""
    record = {}
    dates, date_parts = _date_columns(table.model)
    for column in columns:
        if column.name in date_parts:
            continue
        if column.name in dates:
            value: PreciseDate | None = getattr(obj, f"{column.name}_display")
            record[column.name] = value.as_dict() if value else None
            continue
        record[column.name] = _read(column, obj, data)
    record.update(links)
    if table in CITED_TABLES:
        record["citations"] = _citation_dicts(cited)
    return record


def _source_fields(sources: models.QuerySet) -> dict[int, dict]:
    """Each of ``sources`` as a citation shows it, by id: one dict per source, shared by
    every citation of it."""
    sources = sources.only("title", "outlet", "url", *date_columns("published_on"))
    fields: dict[int, dict] = {}
    for source in sources.iterator(chunk_size=2000):
        published_on = source.published_on_display
        fields[source.pk] = {
            "source_id": source.pk,
            "title": source.title,
            "outlet": source.outlet,
            "published_on": published_on.as_dict() if published_on else None,
            "url": source.url,
        }
    return fields


def _citation_index(
    data: PublicData, models_: list[type[models.Model]]
) -> dict[tuple[str, int], list[tuple[dict, str]]]:
    """The citations of this data's records of ``models_``, keyed by (model name, pk),
    reading only those tables' ids and citations.

    A citation is a pair: its source's fields and the locator; ``_citation_dicts``
    writes them out.
    """
    citations = data.citations_of(models_)
    cited = {citation.source_id for citation in citations}
    sources = Source.objects.public()
    if len(cited) <= MAX_NAMED_IDS:
        sources = sources.filter(pk__in=cited)
    fields = _source_fields(sources)
    index: dict[tuple[str, int], list[tuple[dict, str]]] = defaultdict(list)
    for record_type, record_id, source_id, locator in citations:
        if source_id in fields:
            index[(record_type, record_id)].append((fields[source_id], locator))
    return index


def _cited(
    data: PublicData, model: type[models.Model], fields: dict[int, dict]
) -> Iterator[tuple[int, list[tuple[dict, str]]]]:
    """Each record of ``model`` in this data that cites a source of ``fields``, in order of
    id, with its citations (source fields and locator) by source, then citation.

    Read as the records are written: the JSON download holds one record's citations at
    a time, where it held all of them and an index of them for the whole download
    (260,000 citations at 200,000 statements, some 220 MB of a worker's memory).
    """
    ids = data.ids(model)
    rows = Citation.objects.public().filter(content_type=ContentType.objects.get_for_model(model))
    if len(ids) <= MAX_NAMED_IDS:
        rows = rows.filter(object_id__in=ids)
    rows = rows.order_by("object_id", "source_id", "pk").values_list(
        "object_id", "source_id", "locator"
    )
    for record_id, group in itertools.groupby(rows.iterator(chunk_size=2000), itemgetter(0)):
        if record_id in ids:
            cited = [(fields[source], locator) for _, source, locator in group if source in fields]
            if cited:
                yield record_id, cited


def _citation_dicts(citations: list[tuple[dict, str]]) -> list[dict]:
    """A record's citations as the JSON download writes them."""
    return [{**source, "locator": locator} for source, locator in citations]


def json_chunks(data: PublicData, about: dict) -> Iterator[str]:
    """The JSON download, written table by table so a large one streams."""
    fields = _source_fields(data.sources())
    yield (
        "{\n" + json.dumps("about") + ": " + json.dumps(about, default=json_default, sort_keys=True)
    )
    for table in TABLES:
        columns = table.columns
        yield ",\n" + json.dumps(table.name) + ": ["
        separator = "\n"
        # The records and their citations, both in order of the record's id, side by side.
        # A source's own citations are left out, as from ``PublicData.citations``.
        cites = table in CITED_TABLES and table.model is not Source
        cited = _cited(data, table.model, fields) if cites else iter(())
        record_id, citations = next(cited, (None, []))
        for obj, links in _rows_with_links(table, data):
            while record_id is not None and record_id < obj.pk:
                record_id, citations = next(cited, (None, []))
            own = citations if record_id == obj.pk else []
            record = _json_record(table, obj, data, links, own, columns)
            yield separator + json.dumps(
                record, default=json_default, ensure_ascii=False, sort_keys=True
            )
            separator = ",\n"
        yield "\n]"
    corrections = [
        {
            "id": c.pk,
            "record_type": c.content_type.model,
            "record_id": c.object_id,
            "kind": c.kind,
            "date": c.date,
            "text": c.text,
            "published_at": c.published_at,
        }
        for c in data.corrections()
    ]
    yield ',\n"corrections": ' + json.dumps(corrections, default=json_default, ensure_ascii=False)
    yield "\n}\n"


# --------------------------------------------------------------------------
# Popolo: actors as persons and organizations, and their memberships.
# --------------------------------------------------------------------------


def popolo_date(value: PreciseDate | None) -> str | None:
    """A Popolo date (YYYY, YYYY-MM or YYYY-MM-DD) no more precise than we know."""
    if value is None:
        return None
    if value.precision == "day":
        return value.start.isoformat()
    if value.precision == "year" or value.start.year != value.end.year:
        return f"{value.start.year:04d}"
    if value.precision == "month" or value.start.month == value.end.month:
        return f"{value.start.year:04d}-{value.start.month:02d}"
    return f"{value.start.year:04d}"  # a week across two months


def popolo_document(data: PublicData, absolute: Callable[[str], str]) -> dict:
    """Persons, organizations and memberships in the Popolo vocabulary (popoloproject.com).

    People are persons; every other kind of actor is an organization, with its
    kind as the classification; each talks is an organization too
    (classification ``talks``). Memberships come from the relationships
    "member of" and "part of" and from the actors' participation in talks.
    """
    # Only actors, relationships and talks carry sources in Popolo.
    citations = _citation_index(data, [Actor, Relationship, Negotiation])
    actors = {actor.pk: actor for actor in data.actors().order_by("pk")}

    def ref(actor: Actor) -> str:
        return f"actor/{actor.slug}"

    def sources(model_name: str, pk: int) -> list[dict]:
        return [
            {"url": c["url"] or absolute(f"/sources/{c['source_id']}/"), "note": c["title"]}
            for c, _locator in citations.get((model_name, pk), [])
        ]

    def common(actor: Actor) -> dict:
        other_names = [{"name": alias} for alias in actor.alias_list()]
        if actor.native_name:
            other_names.insert(0, {"name": actor.native_name, "note": actor.native_language})
        entry = {
            "id": ref(actor),
            "name": actor.name,
            "other_names": other_names,
            "identifiers": [{"scheme": "parley", "identifier": str(actor.pk)}],
            "links": [{"url": absolute(actor.get_absolute_url()), "note": "Parley"}],
            "sources": sources("actor", actor.pk),
        }
        if actor.wikidata_id:
            entry["identifiers"].append({"scheme": "wikidata", "identifier": actor.wikidata_id})
        return entry

    persons, organizations, memberships = [], [], []
    parents: dict[int, str] = {}
    relationships = (
        data.relationships()
        .filter(kind__in=[RelationshipKind.MEMBER_OF, RelationshipKind.PART_OF])
        .order_by("pk")
    )
    for relationship in relationships:
        member, organization = actors[relationship.subject_id], actors[relationship.object_id]
        entry = {
            "id": f"relationship/{relationship.pk}",
            "organization_id": ref(organization),
            "role": relationship.get_kind_display(),
            "start_date": popolo_date(relationship.start_on_display),
            "end_date": popolo_date(relationship.end_on_display),
            "sources": sources("relationship", relationship.pk),
        }
        if member.kind == ActorKind.PERSON:
            entry["person_id"] = ref(member)
        else:
            entry["member"] = {"@type": "Organization", "id": ref(member)}
            if relationship.kind == RelationshipKind.PART_OF:
                parents.setdefault(member.pk, ref(organization))
        memberships.append({key: value for key, value in entry.items() if value is not None})
    for actor in actors.values():
        entry = common(actor)
        if actor.kind == ActorKind.PERSON:
            if actor.description:
                entry["summary"] = actor.description
            persons.append(entry)
        else:
            entry["classification"] = actor.kind
            if actor.pk in parents:
                entry["parent_id"] = parents[actor.pk]
            organizations.append(entry)
    for talks in data.negotiations().order_by("pk"):
        organizations.append(
            {
                "id": f"talks/{talks.slug}",
                "name": talks.title,
                "classification": "talks",
                "founding_date": popolo_date(talks.start_on_display),
                "dissolution_date": popolo_date(talks.end_on_display),
                "links": [{"url": absolute(talks.get_absolute_url()), "note": "Parley"}],
                "sources": sources("negotiation", talks.pk),
            }
        )
        organizations[-1] = {k: v for k, v in organizations[-1].items() if v is not None}
    for participation in data.participations().select_related("negotiation").order_by("pk"):
        actor = actors.get(participation.actor_id)
        if actor is None:
            continue
        entry = {
            "id": f"participation/{participation.pk}",
            "organization_id": f"talks/{participation.negotiation.slug}",
            "role": participation.role,
        }
        if actor.kind == ActorKind.PERSON:
            entry["person_id"] = ref(actor)
        else:
            entry["member"] = {"@type": "Organization", "id": ref(actor)}
        memberships.append(entry)
    return {"persons": persons, "organizations": organizations, "memberships": memberships}
