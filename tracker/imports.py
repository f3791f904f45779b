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

import json

from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, models, transaction

from tracker import search
from tracker.exports import BACKUP_FORMAT, BACKUP_FORMAT_VERSION, BACKUP_MODELS


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
