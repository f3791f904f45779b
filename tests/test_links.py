"""Links to public pages are exactly what Django's reverse() would give."""

import pytest
from django.urls import reverse, set_script_prefix

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
