"""Parley's SQLite backend: Django's own, with each query text's placeholders converted once."""

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper as DjangoCursor

from tests.factories import make_actor
from tracker.models import Actor
from tracker.sqlite.base import SQLiteCursorWrapper, _qmark

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="Parley's SQLite backend serves SQLite databases."
)

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


@pytest.mark.django_db
def test_named_placeholders_still_convert_as_django_converts_them():
    query, names = "SELECT %(first)s, %(second)s", ["first", "second"]
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, SQLiteCursorWrapper)
        converted = cursor.cursor.convert_query(query, param_names=names)
    assert converted == DjangoCursor.convert_query(None, query, param_names=names)


def test_sqlite_settings_select_parleys_backend():
    assert connection.settings_dict["ENGINE"] == "tracker.sqlite"
    assert connection.vendor == "sqlite"


@pytest.mark.django_db
def test_queries_with_literal_percents_and_named_parameters_run():
    make_actor(slug="a", name="100% sure")
    assert Actor.objects.filter(name__contains="%").count() == 1
    assert Actor.objects.filter(name__startswith="100%").count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s, '50%%'", [7])
        assert cursor.fetchone() == (7, "50%")
        cursor.execute("SELECT %(n)s", {"n": 3})
        assert cursor.fetchone() == (3,)
