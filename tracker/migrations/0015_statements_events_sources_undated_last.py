from django.db import migrations

# Each list's order, newest first with undated records last, as the API and the source
# list ask for it (``F(...).desc(nulls_last=True)``), after the status they filter on.
INDEXES = {
    "tracker_statement_latest_undated_last": (
        "tracker_statement",
        "status, stated_on DESC NULLS LAST, id DESC",
    ),
    "tracker_event_list_undated_last": (
        "tracker_event",
        "status, occurred_on DESC NULLS LAST, title, id",
    ),
    "tracker_source_list_undated_last": (
        "tracker_source",
        "status, published_on DESC NULLS LAST, outlet, title, id",
    ),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, columns) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    """On PostgreSQL, statements, events and sources newest first, undated last, from an index.

    SQLite sorts NULL lowest, so its DESC indexes (0007, 0008) already hold that order,
    and it takes no NULLS LAST in an index. PostgreSQL sorts NULL highest: its DESC
    indexes put undated records first, and it sorted every published row for a page of
    one of these lists (the ids of page 77 of the statements API: 33 ms at 200,000
    statements). These indexes are PostgreSQL's alone and outside the models' state,
    which has no way to say "on PostgreSQL only".
    """

    dependencies = [
        ("tracker", "0014_actors_by_name"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
