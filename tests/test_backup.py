"""Backups restore: the commands the README gives, run for real, find the data again.

SQLite: ``sqlite3 db.sqlite3 ".backup ..."`` (the online backup API, safe while the
site runs and WAL-aware, unlike copying the file) and ``.restore``.
PostgreSQL (when the suite runs on it): ``pg_dump --format=custom`` and ``pg_restore``
into a fresh database.
Each test loads the seed into a database of its own through manage.py, backs it up,
restores the backup somewhere new and reads the records back through Django.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent.parent

# Prints what the restored database holds, as JSON.
SHOW_RECORDS = """
import json, django
django.setup()
from tracker.models import Actor, Negotiation, Source, Statement
print(json.dumps({
    "statements": Statement.objects.count(),
    "public statements": Statement.objects.public().count(),
    "actors": Actor.objects.count(),
    "sources": Source.objects.count(),
    "talks": sorted(Negotiation.objects.values_list("title", flat=True)),
    "texts": sorted(Statement.objects.values_list("text", flat=True)),
}))
"""


def run(args: list[str], database_url: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tracker.settings", DJANGO_DEBUG="1", DATABASE_URL=database_url
    )
    result = subprocess.run(
        args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def seeded(database_url: str) -> dict:
    """Migrate and seed the database at ``database_url``; what it then holds."""
    run([sys.executable, "manage.py", "migrate", "--no-input"], database_url)
    run([sys.executable, "manage.py", "load_seed"], database_url)
    return records_in(database_url)


def records_in(database_url: str) -> dict:
    return json.loads(run([sys.executable, "-c", SHOW_RECORDS], database_url))


def assert_restored(before: dict, after: dict) -> None:
    assert after == before
    assert after["statements"] > 5
    assert after["talks"], "the seed's talks should be there"


def test_an_sqlite_backup_made_with_dot_backup_restores_every_record(tmp_path):
    live = tmp_path / "db.sqlite3"
    before = seeded(f"sqlite:///{live}")

    backup = tmp_path / "parley-backup.sqlite3"
    run(["sqlite3", str(live), f".backup '{backup}'"], f"sqlite:///{live}")
    # Disaster: the live database is lost, WAL and all.
    for path in tmp_path.glob("db.sqlite3*"):
        path.unlink()

    restored = tmp_path / "restored.sqlite3"
    run(["sqlite3", str(restored), f".restore '{backup}'"], f"sqlite:///{restored}")
    url = f"sqlite:///{restored}"
    assert_restored(before, records_in(url))
    # The restored database is complete: nothing left to migrate.
    run([sys.executable, "manage.py", "migrate", "--check"], url)


def postgres_url(name: str) -> str:
    db = settings.DATABASES["default"]
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{quote(db['USER'])}{password}@{host}:{db.get('PORT') or 5432}/{name}"


if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":

    @pytest.fixture
    def scratch_databases():
        """Two empty databases on the suite's PostgreSQL server, dropped afterwards."""
        names = [f"parley_backup_{secrets.token_hex(4)}" for _ in range(2)]
        with psycopg.connect(postgres_url("postgres"), autocommit=True) as admin:
            for name in names:
                admin.execute(f'CREATE DATABASE "{name}"')
        yield [postgres_url(name) for name in names]
        with psycopg.connect(postgres_url("postgres"), autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def test_a_postgresql_backup_made_with_pg_dump_restores_into_a_fresh_database(
        tmp_path, scratch_databases
    ):
        live, fresh = scratch_databases
        before = seeded(live)

        dump = tmp_path / "parley.dump"
        pg_url = live.replace("postgres://", "postgresql://", 1)
        run(["pg_dump", "--format=custom", f"--file={dump}", f"--dbname={pg_url}"], live)
        assert dump.stat().st_size > 0

        fresh_pg_url = fresh.replace("postgres://", "postgresql://", 1)
        run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={fresh_pg_url}", str(dump)],
            fresh,
        )
        assert_restored(before, records_in(fresh))
        run([sys.executable, "manage.py", "migrate", "--check"], fresh)
