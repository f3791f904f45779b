from django.db import migrations


def refresh_sqlite_statistics(apps, schema_editor):
    """Give SQLite's planner statistics for the new index, where it keeps statistics at all
    (see 0008 and 0011)."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("ANALYZE tracker_statement_topics")


class Migration(migrations.Migration):
    """The statements on a talks' topics are read from this index alone (its feed leaves
    the talks' own statements out by id): 5.6 ms a feed, now 2.3, for a talks of 7,000
    statements. Django creates the link table itself, so the index is written in SQL;
    the statement is the same on SQLite and PostgreSQL."""

    dependencies = [
        ("tracker", "0011_indexes_for_positions_and_relationships"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX tracker_statement_topics_by_topic "
            "ON tracker_statement_topics (topic_id, statement_id)",
            "DROP INDEX tracker_statement_topics_by_topic",
        ),
        migrations.RunPython(refresh_sqlite_statistics, migrations.RunPython.noop, elidable=True),
    ]
