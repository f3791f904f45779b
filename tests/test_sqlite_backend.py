"""Parley's SQLite backend: Django's own, with each query text's placeholders converted once.

The conversion is tested on its own SQLite connection, so these tests run whichever
database the suite uses.
"""

import sqlite3

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper as DjangoCursor

from tests.factories import make_actor
from tests.test_settings import backend_in, production_env
from tracker.models import Actor
from tracker.sqlite.base import SQLiteCursorWrapper, _qmark

QUERIES = [
    "SELECT %s",
    "SELECT name FROM tracker_actor WHERE name LIKE %s AND slug = %s",
    "SELECT '100%%', %s, '%%s'",
    "SELECT %s || '%%' || %s",
    "SELECT 1",
]


@pytest.mark.parametrize("query", QUERIES)
def test_placeholders_convert_as_djangos_backend_converts_them(query):
    for _ in range(2):  # converted, then kept
        assert _qmark(query) == DjangoCursor.convert_query(None, query)


def test_queries_run_through_the_cursor_with_literal_and_named_placeholders():
    with sqlite3.connect(":memory:") as raw:
        cursor = raw.cursor(factory=SQLiteCursorWrapper)
        for _ in range(2):
            cursor.execute("SELECT %s, '50%%', '%%s'", [7])
            assert cursor.fetchone() == (7, "50%", "%s")
        cursor.execute("SELECT %(n)s, %(m)s", {"n": 3, "m": "x"})
        assert cursor.fetchone() == (3, "x")


def test_settings_select_parleys_backend_for_a_sqlite_database(tmp_path):
    assert backend_in(production_env(tmp_path)) == ["tracker.sqlite", "sqlite"]


def test_an_empty_database_url_means_the_default_sqlite_database(tmp_path):
    assert backend_in(production_env(tmp_path, DATABASE_URL="")) == ["tracker.sqlite", "sqlite"]


@pytest.mark.django_db
def test_queries_with_literal_percents_find_what_they_should():
    make_actor(slug="a", name="100% sure")
    make_actor(slug="b", name="Fully sure")
    assert Actor.objects.filter(name__contains="%").count() == 1
    assert Actor.objects.filter(name__startswith="100%").count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s, '50%%'", [7])
        assert tuple(cursor.fetchone()) == (7, "50%")
