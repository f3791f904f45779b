"""Number search documents by kind: each kind's documents take one block of ids.

``tracker.search.document_id`` gives new documents these ids; this renumbers
the documents already indexed, with their links to talks, and on SQLite
re-reads the FTS5 table, whose rowids are the documents' ids.
"""

from django.db import migrations

# The blocks as tracker.search numbered them when this migration was written.
KIND_BLOCK = 10**12
KIND_BLOCKS = {
    "talks": 1,
    "actor": 2,
    "topic": 3,
    "position": 4,
    "event": 5,
    "milestone": 6,
    "statement": 7,
    "source": 8,
}
FTS_TABLE = "tracker_search_fts"


def _new_id(kind_column: str, object_id_column: str) -> tuple[str, list]:
    cases = " ".join("WHEN %s THEN %s" for _ in KIND_BLOCKS)
    params = [value for kind, n in KIND_BLOCKS.items() for value in (kind, n * KIND_BLOCK)]
    return f"(CASE {kind_column} {cases} END + {object_id_column})", params


def number_documents_by_kind(apps, schema_editor):
    connection = schema_editor.connection
    new_id, params = _new_id("document.kind", "document.object_id")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Moving every row through the FTS triggers would take minutes; drop
            # them, and re-read the FTS table once at the end.
            for suffix in ("insert", "delete", "update"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}")
        cursor.execute(
            "UPDATE tracker_searchdocument_negotiations SET searchdocument_id = ("
            f"SELECT {new_id} FROM tracker_searchdocument AS document"
            " WHERE document.id = tracker_searchdocument_negotiations.searchdocument_id)",
            params,
        )
        new_id, params = _new_id("kind", "object_id")
        cursor.execute(f"UPDATE tracker_searchdocument SET id = {new_id}", params)
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    if connection.vendor == "sqlite":
        from tracker.search import install_schema

        install_schema(connection)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0009_citation_undated_sources_last"),
    ]

    operations = [
        # Going back needs no renumbering: any ids will do.
        migrations.RunPython(number_documents_by_kind, migrations.RunPython.noop),
    ]
