"""Links to public pages are exactly what Django's reverse() would give."""

from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import get_script_prefix, reverse, set_script_prefix

from tests.factories import make_negotiation
from tracker.links import page_url


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("tracker:statement", [12345]),
        ("tracker:actor", ["kataib-hezbollah"]),
        ("tracker:topic", ["iraq-us", "troop-presence"]),
        ("tracker:negotiation", ["a_b-9"]),
        ("tracker:source", [1]),
    ],
)
def test_page_url_gives_what_reverse_gives(name, args):
    assert page_url(name, *args) == reverse(name, args=args)


def test_page_url_follows_the_script_prefix_of_a_site_served_under_a_path():
    try:
        set_script_prefix("/parley/")
        assert page_url("tracker:statement", 7) == "/parley/statements/7/"
        assert page_url("tracker:statement", 7) == reverse("tracker:statement", args=[7])
    finally:
        set_script_prefix("/")
    assert page_url("tracker:statement", 7) == "/statements/7/"


def test_page_url_percent_encodes_what_a_path_cannot_hold():
    assert page_url("tracker:actor", "a b?c") == "/actors/a%20b%3Fc/"


@pytest.mark.parametrize(
    "name",
    ["plain-name_9.json", "a.b~c", "x!$&'()*+,;=:@y", "ça-va", "a%20b", "#frag", "a\nb", "日本"],
)
def test_page_url_quotes_every_argument_as_reverse_does(name):
    assert page_url("tracker:download", name) == reverse("tracker:download", args=[name])


def _serve(path: str, script_name: str) -> str:
    """The page at ``path`` through Django's WSGI handler, as gunicorn calls it, for a site
    served under ``script_name``. (Like the test client, it keeps the test's connection.)"""
    environ = {"PATH_INFO": path, "SCRIPT_NAME": script_name, "HTTP_HOST": "testserver"}
    setup_testing_defaults(environ)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, lambda status, headers: None)
        try:
            return b"".join(response).decode()
        finally:
            response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_each_request_links_under_its_own_script_prefix_and_none_outlives_it():
    talks = make_negotiation(slug="iraq-us")
    try:
        under_a_path = _serve("/", "/parley")
        at_the_root = _serve("/", "")
    finally:
        set_script_prefix("/")

    assert 'href="/parley/talks/iraq-us/"' in under_a_path
    assert 'href="/talks/iraq-us/"' in at_the_root
    assert "/parley/" not in at_the_root
    # Between requests, addresses follow the prefix in force, as reverse() does.
    set_script_prefix("/elsewhere/")
    try:
        assert page_url("tracker:negotiation", "iraq-us") == "/elsewhere/talks/iraq-us/"
        assert talks.get_absolute_url() == reverse("tracker:negotiation", args=["iraq-us"])
    finally:
        set_script_prefix("/")
    assert get_script_prefix() == "/"
