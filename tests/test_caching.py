"""Conditional GET and the page cache: fast for popular pages, never stale, never leaky."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import make_negotiation, make_statement
from tracker.caching import page_state, read_stamp
from tracker.models import Statement, Status

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/15"
HOME = "/"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page_cache(settings):
    """The page cache as deployed (development turns it off)."""
    settings.PARLEY_CACHE_SECONDS = 600
    settings.PARLEY_MAX_AGE = 60


@pytest.fixture
def redis_cache(settings, page_cache):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    cache.clear()
    yield
    cache.clear()


def test_public_pages_carry_an_etag_last_modified_and_public_cache_control(client, db):
    make_statement(text="The talks resume in Baghdad.")
    response = client.get(HOME)
    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith("GMT")
    assert response["Cache-Control"] == "public, max-age=60"
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies


def test_revalidating_with_the_etag_answers_304_without_a_body(client, db):
    statement = make_statement()
    first = client.get(statement.get_absolute_url())
    again = client.get(statement.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "public, max-age=60"


def test_revalidating_with_last_modified_answers_304(client, db):
    make_statement()
    first = client.get(HOME)
    again = client.get(HOME, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


def test_revalidation_costs_one_query_and_no_rendering(client, db, django_assert_num_queries):
    statement = make_statement()
    etag = client.get(statement.get_absolute_url())["ETag"]
    with django_assert_num_queries(1):
        response = client.get(statement.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_revalidating_a_search_runs_no_search(client, db, django_assert_num_queries, monkeypatch):
    make_statement(text="The parties met in Zanzibar.")
    url = "/search/?q=Zanzibar%20parties"
    etag = client.get(url)["ETag"]

    def refuse(*args, **kwargs):
        raise AssertionError("a revalidated search ran the search")

    monkeypatch.setattr("tracker.search.search", refuse)
    with django_assert_num_queries(1):
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag


def test_publishing_a_record_changes_every_etag(client, db):
    draft = make_statement(status=Status.DRAFT, text="A draft nobody may read yet.")
    before = client.get(HOME)
    draft.status = Status.PUBLISHED
    draft.save()
    after = client.get(HOME, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "A draft nobody may read yet." in after.content.decode()


def test_each_address_has_its_own_etag(client, db):
    make_statement()
    etags = {client.get(url)["ETag"] for url in (HOME, reverse("tracker:sources"), "/?x=1")}
    assert len(etags) == 3


def test_the_api_and_downloads_revalidate_too(client, db):
    make_statement()
    for url in ("/api/v1/statements/", "/downloads/"):
        first = client.get(url)
        assert first.status_code == 200, url
        assert first.has_header("ETag") and first.has_header("Last-Modified"), url
        assert first["Cache-Control"].startswith("public"), url
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, url


def test_the_admin_is_never_cached(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert not response.has_header("ETag")
    assert "public" not in response.get("Cache-Control", "")


def test_a_staff_preview_is_never_validated_or_kept(admin_client, page_cache):
    draft = make_statement(status=Status.DRAFT, text="Preview only.")
    url = reverse("tracker:preview", args=["statement", draft.pk])
    first = admin_client.get(url)
    assert first.status_code == 200
    assert "public" not in first.get("Cache-Control", "")
    etag = first.get("ETag", '"none"')
    assert admin_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert admin_client.get(url, HTTP_IF_NONE_MATCH="*").status_code == 200


def test_not_found_pages_are_not_marked_for_shared_caches(client, db):
    response = client.get("/statements/999999/")
    assert response.status_code == 404
    assert "public" not in response.get("Cache-Control", "")


def test_a_cached_page_is_served_without_running_the_view(
    client, db, page_cache, django_assert_num_queries
):
    statement = make_statement(text="Kept in the cache.")
    first = client.get(statement.get_absolute_url())
    with django_assert_num_queries(1):  # the publication stamp, nothing else
        second = client.get(statement.get_absolute_url())
    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Type"] == first["Content-Type"]


def test_a_retracted_statement_never_comes_back_from_the_cache(client, db, page_cache):
    statement = make_statement(text="Words later withdrawn.")
    url = statement.get_absolute_url()
    assert client.get(url).status_code == 200
    assert "Words later withdrawn." in client.get(HOME).content.decode()
    statement.status = Status.RETRACTED
    statement.save()
    assert client.get(url).status_code == 410
    assert "Words later withdrawn." not in client.get(HOME).content.decode()


def test_a_draft_never_reaches_readers_through_the_cache(client, db, page_cache):
    talks = make_negotiation()
    make_statement(negotiation=talks, text="Published words.")
    client.get(HOME)
    draft = make_statement(negotiation=talks, status=Status.DRAFT, text="Draft words.")
    assert "Draft words." not in client.get(HOME).content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404
    draft.status = Status.PUBLISHED
    draft.save()
    assert "Draft words." in client.get(HOME).content.decode()
    draft.status = Status.DRAFT
    draft.save()
    assert "Draft words." not in client.get(HOME).content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_changing_a_link_between_records_bumps_the_stamp(db):
    statement = make_statement()
    talks = make_negotiation()
    version = read_stamp()[0]
    from tests.factories import make_topic

    statement.topics.add(make_topic(negotiation=talks))
    assert read_stamp()[0] > version


def test_the_page_cache_lives_in_redis_when_configured(client, db, redis_cache):
    import redis

    statement = make_statement(text="Shared by every worker.")
    response = client.get(statement.get_absolute_url())
    assert response.status_code == 200
    state = page_state(response.wsgi_request)
    assert cache.get(state.key) is not None
    keys = redis.Redis.from_url(REDIS_URL).keys("*parley:page:*")
    assert any(state.key in key.decode() for key in keys)
    assert client.get(statement.get_absolute_url()).content == response.content


def test_redis_url_selects_the_redis_cache():
    env = {**os.environ, "DJANGO_DEBUG": "1", "REDIS_URL": REDIS_URL}
    script = (
        "import django; django.setup();"
        "from django.core.cache import caches; cache = caches['default'];"
        "cache.set('parley:probe', 42);"
        "print(type(cache).__name__, cache.get('parley:probe'))"
    )
    env["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.split() == ["RedisCache", "42"], result.stderr
    env.pop("REDIS_URL")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.split() == ["LocMemCache", "42"], result.stderr


def test_a_statement_retracted_in_bulk_never_comes_back_from_the_cache_or_search(
    client, db, page_cache
):
    statement = make_statement(text="Words withdrawn in bulk.")
    url = statement.get_absolute_url()
    assert "Words withdrawn in bulk." in client.get(HOME).content.decode()
    assert f'href="{url}"' in client.get("/search/", {"q": "withdrawn"}).content.decode()
    version = read_stamp()[0]

    Statement.objects.filter(pk=statement.pk).update(status=Status.RETRACTED)

    assert read_stamp()[0] > version
    assert client.get(url).status_code == 410
    assert "Words withdrawn in bulk." not in client.get(HOME).content.decode()
    assert f'href="{url}"' not in client.get("/search/", {"q": "withdrawn"}).content.decode()
