"""Parley's data coming in: the backup read back, and editors' imports of CSV or JSON.

- ``import_document`` reads what ``tracker.exports.write_export`` wrote (the
  ``export_data`` / ``import_data`` commands): every table, every status, with
  primary keys and timestamps kept exactly, in one transaction.
- ``plan_import`` and ``apply_import`` are the admin's import: rows of one table
  from a CSV or JSON file are checked one by one and described (create, change
  or reject, with row, field and reason) before anything is written; applying
  writes all of them or none. See ``tracker.admin_import`` for the screens.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, models, transaction
from django.forms import modelform_factory

from tracker import publishing, search
from tracker.exports import BACKUP_FORMAT, BACKUP_FORMAT_VERSION, BACKUP_MODELS
from tracker.models import Citation, Publishable, Source, Status


class ImportRefused(Exception):
    """A file that cannot be imported at all; the message says why, for a person."""


# --------------------------------------------------------------------------
# The backup.
# --------------------------------------------------------------------------


def read_document(text: str) -> dict:
    """Parse and check the shape of a backup document; raise ``ImportRefused`` if wrong."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportRefused(f"The file is not valid JSON: {error}.") from None
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        raise ImportRefused(f'The file is not a Parley export (no "format": "{BACKUP_FORMAT}").')
    if document.get("version") != BACKUP_FORMAT_VERSION:
        raise ImportRefused(
            f"The file is version {document.get('version')!r} of the export format; "
            f"this Parley reads version {BACKUP_FORMAT_VERSION}."
        )
    tables = document.get("tables")
    known = {model._meta.label_lower for model in BACKUP_MODELS}
    if not isinstance(tables, dict):
        raise ImportRefused('The file has no "tables" object.')
    unknown = sorted(set(tables) - known)
    if unknown:
        raise ImportRefused(f"The file has unknown tables: {', '.join(unknown)}.")
    for label, rows in tables.items():
        if not isinstance(rows, list) or not all(
            isinstance(row, dict) and "pk" in row and isinstance(row.get("fields"), dict)
            for row in rows
        ):
            raise ImportRefused(f'Table {label}: every row needs a "pk" and a "fields" object.')
    return document


def parley_is_empty() -> bool:
    """True when no table of Parley's data holds a row."""
    return not any(model._base_manager.exists() for model in BACKUP_MODELS)


def import_document(document: dict, *, merge: bool = False) -> dict[str, int]:
    """Load a backup into the database, all of it or nothing; return rows per table.

    Records are saved the way ``loaddata`` saves them (raw: no ``save()``
    override, no ``auto_now``, no history entry), so ids, ``created_at``,
    ``updated_at``, ``published_at`` and ``version`` stay exactly as exported.
    Into a database that already holds Parley data only with ``merge``: rows
    with the same id are then overwritten.
    """
    tables = document["tables"]
    counts: dict[str, int] = {}
    with transaction.atomic():
        if not merge and not parley_is_empty():
            raise ImportRefused(
                "The database already holds Parley data. Import into an empty database, "
                "or merge explicitly (rows with the same id are overwritten)."
            )
        try:
            with connection.constraint_checks_disabled():
                for model in BACKUP_MODELS:
                    label = model._meta.label_lower
                    rows = [
                        {"model": label, "pk": row["pk"], "fields": row["fields"]}
                        for row in tables.get(label, [])
                    ]
                    for obj in serializers.deserialize("python", rows):
                        obj.save()
                    counts[label] = len(rows)
            connection.check_constraints(
                table_names=[model._meta.db_table for model in BACKUP_MODELS]
            )
        except (DeserializationError, ValidationError, DatabaseError, LookupError) as error:
            raise ImportRefused(f"The data does not fit the database: {error}") from None
        _reset_sequences(BACKUP_MODELS)
        # Raw saves bypass the signals that keep the search index current.
        search.rebuild()
    return counts


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    """After inserting explicit ids, move each id sequence past the highest one."""
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


# --------------------------------------------------------------------------
# Editors' imports in the admin: one table, from CSV or JSON, previewed first.
# --------------------------------------------------------------------------

MAX_IMPORT_BYTES = 5 * 1024 * 1024
# Each parsed row remembers where it was in the file (the CSV line, or the
# JSON list position), so problems point at the right place.
ROW_KEY = "__row__"

# Never read from a file: the database keeps these itself.
_NOT_IMPORTED = {"created_at", "updated_at", "version"}
# Written by a download but meaningless on the way in; ignored without comment.
_DERIVED_SUFFIXES = ("_label",)
_DERIVED = {"page_url"}


def can_publish(user, model: type[models.Model]) -> bool:
    """May ``user`` publish records of ``model``? (``tracker.publish_<model>``).

    Superusers may; so may anyone holding the permission, such as the
    Publisher group (tracker.publishing has the same rule for the admin's
    buttons). Rows imported by anyone else arrive as drafts, and they cannot
    change records that are published or retracted.
    """
    return publishing.can_publish(user, model)


@dataclass
class Problem:
    """Why a row (or the whole file, row 0) cannot be imported."""

    row: int
    field: str
    reason: str


@dataclass
class PlannedRow:
    """What importing one row would do: create, change, or leave unchanged."""

    row: int
    action: str  # "create", "change" or "unchanged"
    label: str
    record_id: int | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    """The preview of an import: every row's fate, and every problem found."""

    model: type[models.Model]
    planned: list[PlannedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    forms: list = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, action: str) -> int:
        return sum(1 for row in self.planned if row.action == action)

    @property
    def rejected_rows(self) -> int:
        return len({problem.row for problem in self.problems})


@dataclass(frozen=True)
class ImportColumns:
    """The columns an import of ``model`` reads, and which of them it needs."""

    model: type[models.Model]

    @property
    def fields(self) -> list[models.Field]:
        return [
            f
            for f in [*self.model._meta.concrete_fields, *self.model._meta.many_to_many]
            if not f.primary_key and f.name not in _NOT_IMPORTED and f.editable
        ]

    @property
    def required(self) -> list[str]:
        """Columns a file must have: fields with no default that may not be left empty."""
        names = []
        for f in self.fields:
            if f.many_to_many or f.blank or f.has_default() or f.null:
                continue
            names.append(_column_name(f))
        return names

    @property
    def cites(self) -> bool:
        return hasattr(self.model, "citations")

    def describe(self) -> list[dict[str, str]]:
        """Every column with what it takes, for the import page."""
        rows = [
            {
                "column": "id",
                "required": "",
                "help": "Give it to change an existing row; leave it out (or empty) to create one.",
            }
        ]
        for f in self.fields:
            help_text = str(f.verbose_name).capitalize()
            if f.help_text:
                help_text += f". {f.help_text}"
            if f.choices:
                help_text += " One of: " + ", ".join(v for v, _ in f.flatchoices if v) + "."
            if f.is_relation:
                target = f.related_model
                by = "id or slug" if _has_unique_slug(target) else "id"
                many = "; several separated by semicolons" if f.many_to_many else ""
                help_text += f" The {by} of a {target._meta.verbose_name}{many}."
            name = _column_name(f)
            rows.append(
                {
                    "column": name,
                    "required": "yes" if name in self.required else "",
                    "help": help_text,
                }
            )
        if self.cites:
            rows.append(
                {
                    "column": "source_ids",
                    "required": "",
                    "help": "Ids of the sources "
                    "this record cites, separated by semicolons; citations are added.",
                }
            )
        return rows


def _column_name(f: models.Field) -> str:
    if f.name == "content_type":
        return "record_type"
    if f.name == "object_id":
        return "record_id"
    if f.many_to_many:
        return f.name
    return f.attname if f.is_relation else f.name


def _has_unique_slug(model: type[models.Model]) -> bool:
    try:
        return model._meta.get_field("slug").unique
    except Exception:
        return False


def parse_file(content: bytes, filename: str, model: type[models.Model]) -> list[dict]:
    """Read the rows of an uploaded CSV or JSON file; ``ImportRefused`` says what is wrong.

    Rows come back as plain dicts of column to value, JSON-serialisable so the
    preview can keep them in the session until the editor confirms.
    """
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportRefused(
            f"The file is {len(content) / 1024 / 1024:.1f} MB; imports are limited to "
            f"{MAX_IMPORT_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    if not content.strip():
        raise ImportRefused("The file is empty.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            f"The file is not UTF-8 text (byte {error.start + 1} cannot be read). "
            "Save it as “CSV UTF-8” or UTF-8 JSON and upload it again."
        ) from None
    if "\x00" in text:
        raise ImportRefused("The file holds binary data; upload a CSV or JSON text file.")
    name = filename.lower()
    if name.endswith(".json") or (not name.endswith(".csv") and text.lstrip()[:1] in "[{"):
        rows = _json_rows(text, model)
    else:
        rows = _csv_rows(text)
    if not rows:
        raise ImportRefused("The file has no rows to import.")
    return rows


def _json_rows(text: str, model: type[models.Model]) -> list[dict]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportRefused(
            f"The file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    if isinstance(document, dict):
        # A list under the table's name, as in Parley's JSON download ("statements": […]).
        keys = [
            str(model._meta.verbose_name_plural).replace(" ", "_"),
            model._meta.model_name,
            "rows",
            "records",
        ]
        keys += [table.name for table in _public_tables() if table.model is model]
        found = next((document[key] for key in keys if key in document), None)
        if found is None:
            raise ImportRefused(
                f"The JSON file needs a list of rows, or an object with a “{keys[-1]}” list."
            )
        document = found
    if not isinstance(document, list) or not all(isinstance(row, dict) for row in document):
        raise ImportRefused("The JSON file must hold a list of objects, one per row.")
    return [{**_flatten_json_row(row), ROW_KEY: n} for n, row in enumerate(document, start=1)]


def _public_tables():
    from tracker.exports import TABLES

    return TABLES


def _flatten_json_row(row: dict) -> dict:
    """Turn a downloaded record back into columns: precise dates, citations, links."""
    flat = {}
    for key, value in row.items():
        if isinstance(value, dict) and {"date", "precision"} <= value.keys():
            flat[key] = value.get("date")
            flat[f"{key}_precision"] = value.get("precision")
            flat[f"{key}_part_of_day"] = value.get("part_of_day", "")
            flat[f"{key}_on_or_before"] = value.get("on_or_before", False)
        elif key == "citations" and isinstance(value, list):
            flat["source_ids"] = [c.get("source_id") for c in value if isinstance(c, dict)]
        else:
            flat[key] = value
    return flat


def _csv_rows(text: str) -> list[dict]:
    # The header line decides the delimiter: commas, or the semicolons and tabs
    # some spreadsheets write.
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        header = [column.strip() for column in header]
        if not any(header):
            raise ImportRefused("The first line of a CSV file must name the columns.")
        duplicates = sorted({c for c in header if header.count(c) > 1 and c})
        if duplicates:
            raise ImportRefused(f"The CSV file names a column twice: {', '.join(duplicates)}.")
        rows = []
        for line in reader:
            if not any(cell.strip() for cell in line):
                continue
            if len(line) > len(header):
                raise ImportRefused(
                    f"Line {reader.line_num} has {len(line)} cells but the header names "
                    f"{len(header)} columns."
                )
            rows.append({**dict(zip(header, line, strict=False)), ROW_KEY: reader.line_num})
    except csv.Error as error:
        raise ImportRefused(f"The CSV file cannot be read: {error}.") from None
    return rows


def _as_list(value) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    return [part.strip() for part in str(value).replace(",", ";").split(";") if part.strip()]


class _Lookups:
    """Everything the rows refer to, fetched in a few queries before any row is checked.

    Rows are checked one by one, but the records they change, the records
    they reference (by id or slug), their current links and citations are
    read in bulk here, so an import's query count grows with the number of
    tables it touches, not with its rows.
    """

    def __init__(self, spec: ImportColumns, rows: list[dict]):
        model = spec.model
        forward = [f.name for f in model._meta.concrete_fields if f.is_relation]
        records = model._base_manager.select_related(*forward)
        ids = {_int(row.get("id")) for row in rows} - {None}
        self.by_id = records.in_bulk(ids) if ids else {}
        self.by_slug = {}
        if _has_unique_slug(model):
            slugs = {str(row["slug"]).strip() for row in rows if row.get("slug")}
            self.by_slug = {r.slug: r for r in records.filter(slug__in=slugs)} if slugs else {}
        existing = [*self.by_id.values(), *self.by_slug.values()]

        wanted: dict[type[models.Model], set[str]] = defaultdict(set)
        for f in spec.fields:
            if f.is_relation and f.name != "content_type":
                for row in rows:
                    for name in _column_names(f):
                        if name in row:
                            wanted[f.related_model] |= {str(v).strip() for v in _as_list(row[name])}
        if spec.cites:
            for row in rows:
                wanted[Source] |= {str(v).strip() for v in _as_list(_sources_of(row))}
        self.refs: dict[tuple, models.Model] = {}
        for target, values in wanted.items():
            numbers = {int(v) for v in values if v.isdigit()}
            for pk, obj in target._base_manager.in_bulk(numbers).items():
                self.refs[(target, str(pk))] = obj
            words = {v for v in values if not v.isdigit()}
            if words and _has_unique_slug(target):
                for obj in target._base_manager.filter(slug__in=words):
                    self.refs[(target, obj.slug)] = obj

        pks = [r.pk for r in existing]
        self.links: dict[tuple[str, int], list[int]] = defaultdict(list)
        for f in model._meta.many_to_many:
            through = f.remote_field.through
            left, right = f.m2m_column_name(), f.m2m_reverse_name()
            pairs = through.objects.filter(**{f"{left}__in": pks}).values_list(left, right)
            for a, b in pairs.order_by(left, right):
                self.links[(f.name, a)].append(b)
        self.cited: dict[int, set[int]] = defaultdict(set)
        if spec.cites and pks:
            content_type = ContentType.objects.get_for_model(model)
            citations = Citation.objects.filter(content_type=content_type, object_id__in=pks)
            for record_id, source_id in citations.values_list("object_id", "source_id"):
                self.cited[record_id].add(source_id)
        self.content_types = {
            m._meta.model_name: ct
            for m, ct in ContentType.objects.get_for_models(*BACKUP_MODELS).items()
        }

    def ref(self, model: type[models.Model], value) -> models.Model | None:
        return self.refs.get((model, str(value).strip()))


def _int(value) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() else None


def _column_names(f: models.Field) -> tuple[str, ...]:
    """Every name a column for ``f`` may go by: speaker_id or speaker, topics or topic_ids."""
    column = _column_name(f)
    names = (column, f.name, _alias(column))
    if f.many_to_many:
        names += (f"{f.name.removesuffix('s')}_ids",)
    if f.name == "content_type":
        names = ("record_type",)
    return names


def _sources_of(row: dict):
    return row.get("source_ids", row.get("sources"))


@dataclass
class _RowWork:
    """What writing one checked row takes: its form, relations and citations."""

    form: object
    links: dict[str, list[int]]
    old_links: dict[str, list[int]]
    source_ids: list[int]
    cited: set[int]
    instance: models.Model | None = None  # the row's record as it stands, if it exists


def plan_import(
    rows: list[dict], model: type[models.Model], user, *, links_on: str = ""
) -> ImportPlan:
    """Check every row and describe what importing it would do; write nothing.

    A row with an ``id`` changes that record; without one it creates a record
    (or changes the record with the same slug). Statuses are kept only for a
    user who ``can_publish``; otherwise new records arrive as drafts and
    published records cannot be changed. Any problem blocks the whole import.

    ``links_on`` names the field of the record each row hangs on, when the rows
    are links (a citation's ``record``, a participation's ``negotiation``): a
    row may then add, change or move a link only where ``user`` could in the
    admin (``tracker.publishing.link_refusal``).
    """
    plan = ImportPlan(model)
    spec = ImportColumns(model)
    known = {"id", "source_ids", "sources"}
    for f in spec.fields:
        known |= {*_column_names(f), f.name, _column_name(f)}
    columns = [c for c in dict.fromkeys(key for row in rows for key in row) if c != ROW_KEY]
    plan.ignored_columns = [
        c
        for c in columns
        if c not in known
        and c not in _NOT_IMPORTED
        and c not in _DERIVED
        and not c.endswith(_DERIVED_SUFFIXES)
        and c not in {"published_at", "citations"}
    ]
    missing = [c for c in spec.required if c not in columns and _alias(c) not in columns]
    # A file that only changes records (every row has an id) needs no other column.
    creates = any(str(row.get("id") or "").strip() == "" for row in rows)
    if missing and creates:
        plan.problems.append(
            Problem(
                0,
                ", ".join(missing),
                "The file lacks required columns; nothing can be imported without them.",
            )
        )
        return plan
    lookups = _Lookups(spec, rows)
    publisher = can_publish(user, model)
    seen: dict[tuple, int] = {}
    for number, raw in enumerate(rows, start=1):
        row_number = raw.get(ROW_KEY, number)
        _plan_row(plan, spec, raw, row_number, user, publisher, lookups, seen)
    if links_on:
        _refuse_links(plan, model._meta.get_field(links_on), user)
        plan.problems.sort(key=lambda problem: problem.row)
    return plan


def _refuse_links(plan: ImportPlan, record_field, user) -> None:
    """Reject each row that adds, changes or moves a link on a record ``user`` may not change.

    Both ends of a move count: the record the link hangs on now, and the one
    the row hangs it on. Rows that change nothing are let be.
    """
    generic = isinstance(record_field, GenericForeignKey)
    named = record_field.model._meta.get_field(record_field.fk_field) if generic else record_field
    column = _column_name(named)
    ends = {
        planned.row: [work.form.instance, work.instance]
        for planned, work in zip(plan.planned, plan.forms, strict=True)
        if planned.action != "unchanged"
    }
    if generic:
        records = _generic_records(record_field, [link for both in ends.values() for link in both])

    def record_of(link):
        if not generic:
            return getattr(link, record_field.name)  # read with the row (select_related)
        content_type_id = getattr(link, record_field.ct_field + "_id")
        return records.get((content_type_id, getattr(link, record_field.fk_field)))

    kept = []
    for planned, work in zip(plan.planned, plan.forms, strict=True):
        refusals = []
        for link in ends.get(planned.row, []):
            refusal = None if link is None else publishing.link_refusal(user, record_of(link))
            if refusal and refusal not in refusals:
                refusals.append(refusal)
        for refusal in refusals:
            reason = f"{refusal[0].upper()}{refusal[1:]}."
            plan.problems.append(Problem(planned.row, column, reason))
        if not refusals:
            kept.append((planned, work))
    plan.planned = [planned for planned, _ in kept]
    plan.forms = [work for _, work in kept]


def _generic_records(record_field: GenericForeignKey, links: list) -> dict[tuple, models.Model]:
    """The Parley records ``links`` hang on, by (content type id, id), read in bulk."""
    wanted: dict[int, set] = defaultdict(set)
    for link in links:
        if link is not None:
            content_type_id = getattr(link, record_field.ct_field + "_id")
            pk = getattr(link, record_field.fk_field)
            if content_type_id is not None and pk is not None:
                wanted[content_type_id].add(pk)
    records = {}
    for content_type_id, pks in wanted.items():
        target = ContentType.objects.get_for_id(content_type_id).model_class()
        if target is None or not issubclass(target, Publishable):
            continue  # not a record with a workflow: nothing to refuse
        for pk, record in target._base_manager.in_bulk(pks).items():
            records[(content_type_id, pk)] = record
    return records


def _alias(column: str) -> str:
    return column.removesuffix("_id") if column.endswith("_id") else f"{column}_id"


def _plan_row(plan, spec, raw, row_number, user, publisher, lookups, seen) -> None:
    model = spec.model
    problems: list[Problem] = []

    def reject(field_name: str, reason: str) -> None:
        problems.append(Problem(row_number, field_name, reason))

    # Which record does the row change, if any?
    instance = None
    record_id = raw.get("id")
    if record_id not in (None, ""):
        if _int(record_id) is None:
            reject("id", f"“{record_id}” is not an id (a whole number).")
        else:
            instance = lookups.by_id.get(_int(record_id))
            if instance is None:
                reject("id", f"There is no {model._meta.verbose_name} with id {record_id}.")
    elif raw.get("slug"):
        instance = lookups.by_slug.get(str(raw["slug"]).strip())
    # Validating works on a copy, so the preview can compare against the original.
    record = copy.deepcopy(instance) if instance is not None else model()

    # Only the columns the file has are read: a new record takes the defaults
    # for the others, an existing record keeps its values.
    data = {}
    form_fields = []
    links: dict[str, list[int]] = {}
    for f in spec.fields:
        column = _column_name(f)
        present = [key for key in _column_names(f) if key in raw]
        if not present or (f.name == "published_at" and not publisher):
            continue
        value = raw[present[0]]
        if f.name == "content_type":
            name = str(value or "").strip().lower().removeprefix("tracker.")
            if name not in lookups.content_types:
                reject("record_type", f"“{value}” is not a kind of record Parley keeps.")
            else:
                record.content_type = lookups.content_types[name]
        elif f.many_to_many:
            links[f.name] = []
            for item in _as_list(value):
                target = lookups.ref(f.related_model, item)
                if target is None:
                    reject(column, f"There is no {f.related_model._meta.verbose_name} “{item}”.")
                else:
                    links[f.name].append(target.pk)
            links[f.name] = sorted(set(links[f.name]))
        elif f.is_relation:
            target = None if value in (None, "") else lookups.ref(f.related_model, value)
            if value not in (None, "") and target is None:
                reject(column, f"There is no {f.related_model._meta.verbose_name} “{value}”.")
            else:
                setattr(record, f.name, target)
        else:
            form_fields.append(f.name)
            data[f.name] = "" if value is None else value

    # The status: kept only for those who may publish.
    notes = []
    if hasattr(model, "is_public"):
        wanted = str(raw.get("status") or "").strip() or (
            instance.status if instance else Status.DRAFT
        )
        if not publisher:
            if instance is not None and instance.status in (Status.PUBLISHED, Status.RETRACTED):
                reject(
                    "status",
                    f"This {model._meta.verbose_name} is {instance.get_status_display().lower()}; "
                    "only someone who may publish can change it.",
                )
            kept = instance.status if instance else Status.DRAFT
            if wanted != kept:
                notes.append(
                    f"Arrives as {Status(kept).label.lower()}, not {wanted}: you may not publish."
                )
            wanted = kept
        on_file = instance is not None and instance.is_on_record
        if on_file and wanted != instance.status:
            reject(
                "status",
                f"This {model._meta.verbose_name} is {instance.get_status_display().lower()}; "
                "a record on file is only ever retracted, in the admin, with a correction note.",
            )
        elif wanted == Status.RETRACTED and not on_file:
            reject("status", "Retract records in the admin, with a correction note.")
        data["status"] = wanted
        form_fields.append("status")

    if instance is not None and not user.has_perm(f"tracker.change_{model._meta.model_name}"):
        reject("id", f"You may not change {model._meta.verbose_name_plural}.")
    if instance is None and not user.has_perm(f"tracker.add_{model._meta.model_name}"):
        reject("id", f"You may not add {model._meta.verbose_name_plural}.")

    source_ids = []
    if spec.cites:
        for item in _as_list(_sources_of(raw)):
            source = lookups.ref(Source, item) if str(item).strip().isdigit() else None
            if source is None:
                reject("source_ids", f"There is no source with id “{item}”.")
            else:
                source_ids.append(source.pk)

    form_class = modelform_factory(model, fields=form_fields, formfield_callback=_form_field)
    form = form_class(data=data, instance=record)
    if not problems and not form.is_valid():
        for name, errors in form.errors.items():
            column = _column_name(model._meta.get_field(name)) if name != "__all__" else "row"
            for error in errors:
                reject(column, error)
    if not problems:
        # The whole record, columns the file left out included, must pass every
        # rule the database enforces, so applying can never fail half-way.
        try:
            record.full_clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = "row" if name == "__all__" else _column_name(model._meta.get_field(name))
                for message in messages:
                    reject(column, message)

    label = _label(record, model)
    if not problems:
        for key, other in _unique_keys(model, record, instance):
            if key in seen:
                reject(other, f"Duplicate of row {seen[key]} (same {other}).")
            else:
                seen[key] = row_number
    if problems:
        plan.problems.extend(problems)
        return
    old_links = (
        {name: lookups.links.get((name, instance.pk), []) for name in links} if instance else {}
    )
    cited = lookups.cited.get(instance.pk, set()) if instance else set()
    changes = _changes(instance, record, spec, links, old_links) if instance is not None else []
    new_sources = [pk for pk in source_ids if pk not in cited]
    if instance is not None and new_sources:
        changes.append(("sources cited", "", "adds " + ", ".join(map(str, new_sources))))
    action = "create" if instance is None else ("change" if changes else "unchanged")
    plan.planned.append(
        PlannedRow(row_number, action, label, instance.pk if instance else None, changes, notes)
    )
    plan.forms.append(_RowWork(form, links, old_links, new_sources, cited, instance))


def _form_field(db_field: models.Field, **kwargs):
    # Addresses without a scheme are taken as https, as in the admin.
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


def _label(instance, model) -> str:
    if hasattr(model, "content_type") and hasattr(model, "object_id"):
        # Naming the record itself would load it, once per row.
        record_type = (
            getattr(instance.content_type, "model", "record")
            if instance.content_type_id
            else "record"
        )
        return f"{model._meta.verbose_name} on {record_type} {instance.object_id}"
    try:
        return str(instance)
    except Exception:  # an incomplete row may not be printable yet
        return f"new {model._meta.verbose_name}"


def _unique_keys(model, record, instance) -> list[tuple[tuple, str]]:
    """The keys no two rows of one file may share: unique fields and constraints."""
    keys = []
    if instance is not None:
        keys.append((("id", instance.pk), "id"))
    for f in model._meta.concrete_fields:
        value = getattr(record, f.attname)
        if f.unique and not f.primary_key and value not in (None, ""):
            keys.append(((f.name, value), f.name))
    for constraint in model._meta.constraints:
        fields = getattr(constraint, "fields", None)
        if fields and getattr(constraint, "condition", None) is None:
            attnames = [model._meta.get_field(name).attname for name in fields]
            value = tuple(getattr(record, attname) for attname in attnames)
            keys.append(((constraint.name, value), ", ".join(fields)))
    return keys


def _changes(instance, record, spec, links, old_links) -> list[tuple[str, str, str]]:
    """Each field the row changes, as (field, before, after)."""
    changes = []
    for f in spec.fields:
        if f.many_to_many:
            if f.name in links and links[f.name] != sorted(old_links.get(f.name, [])):
                before = ", ".join(map(str, sorted(old_links.get(f.name, []))))
                changes.append((str(f.verbose_name), before, ", ".join(map(str, links[f.name]))))
            continue
        old, new = getattr(instance, f.attname), getattr(record, f.attname)
        if old == new or (old in (None, "") and new in (None, "")):
            continue
        changes.append((str(f.verbose_name), _short(old), _short(new)))
    return changes


def _short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 120 else text[:119] + "…"


def apply_import(
    rows: list[dict], model: type[models.Model], user, *, dry_run: bool = False, links_on: str = ""
) -> ImportPlan:
    """Check the rows and, if all pass, write them in one transaction.

    Returns the plan; nothing was written unless ``plan.ok``. Records the file
    marks as published are saved first as they stood (new ones as drafts) and
    then go through ``tracker.publishing.publish``, so an import publishes
    nothing the workflow would refuse (a statement without a source, a
    position without evidence). With ``dry_run`` everything is rolled back:
    the preview uses it to find what only writing would reveal. ``links_on``:
    see ``plan_import``.
    """
    with transaction.atomic():
        plan = plan_import(rows, model, user, links_on=links_on)
        if plan.ok:
            _write(plan, model, user)
        if dry_run or not plan.ok:
            transaction.set_rollback(True)
    return plan


def _write(plan: ImportPlan, model: type[models.Model], user) -> None:
    content_type = ContentType.objects.get_for_model(model)
    for planned, work in zip(plan.planned, plan.forms, strict=True):
        if planned.action == "unchanged":
            continue
        form = work.form
        before = form.initial.get("status") if form.instance.pk else Status.DRAFT
        record = form.save(commit=False)
        publish = getattr(record, "status", None) == Status.PUBLISHED and before != Status.PUBLISHED
        if publish:
            record.status = before
        try:
            with transaction.atomic():
                record.save()
        except DatabaseError as error:
            plan.problems.append(Problem(planned.row, "row", f"The database refused it: {error}"))
            continue
        planned.record_id = record.pk
        for name, wanted in work.links.items():
            old = set(work.old_links.get(name, []))
            manager = getattr(record, name)
            if set(wanted) - old:
                manager.add(*sorted(set(wanted) - old))
            if old - set(wanted):
                manager.remove(*sorted(old - set(wanted)))
        for source_id in work.source_ids:
            Citation.objects.create(
                source_id=source_id, content_type=content_type, object_id=record.pk
            )
        if publish:
            try:
                publishing.publish(record, user)
            except publishing.WorkflowError as refusal:
                for reason in refusal.reasons:
                    plan.problems.append(
                        Problem(planned.row, "status", f"Cannot be published: {reason}.")
                    )
