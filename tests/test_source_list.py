"""The source list's pages, read from where the pages before them are known to start."""

import datetime
import random

import pytest
from django.urls import reverse

from tests.factories import make_source
from tracker.models import Source, Status
from tracker.views.records import _source_lines

pytestmark = pytest.mark.django_db


def some_sources() -> None:
    """Sources on a few days, several on each (outlets and titles tying the order), a few
    undated, and some the public cannot see."""
    days = [datetime.date(2024, 2, 8), datetime.date(2024, 1, 3), None, datetime.date(2023, 7, 1)]
    for n in range(22):
        make_source(
            published_on=days[n % len(days)],
            outlet=f"Outlet {n % 3}",
            title=f"Report {n % 5}",
            url=f"https://news.example/{n}",
        )
    for status in (Status.DRAFT, Status.RETRACTED):
        make_source(
            published_on=days[0], outlet="Outlet 0", title=f"Hidden {status}", status=status
        )


def test_any_window_read_from_a_known_start_is_the_window_read_from_the_first_source():
    some_sources()
    everything = _source_lines(slice(0, 100))
    assert len(everything) == Source.objects.public().count() == 22
    starts: dict = {}
    windows = [slice(start, min(start + size, 22)) for size in (1, 3, 5) for start in range(22)]
    random.Random(7).shuffle(windows)
    for window in windows:
        assert _source_lines(window, starts) == everything[window], window
    assert len(starts) > 10


def test_pages_follow_each_change(client):
    some_sources()
    make_source(published_on=datetime.date(2022, 1, 1), title="Oldest")
    # More than a page: the second starts from where the first ended.
    for n in range(40):
        make_source(published_on=datetime.date(2024, 3, 1), title=f"Newer {n:02}")
    url = reverse("tracker:sources")
    first, second = client.get(url), client.get(url + "?page=2")
    assert "Oldest" in second.content.decode()
    make_source(published_on=datetime.date(2024, 3, 1), title="Newer 00a")
    again = client.get(url + "?page=2").content.decode()
    assert again != second.content.decode()
    assert again == _page_two_from_scratch()
    assert client.get(url).content != first.content


def _page_two_from_scratch() -> str:
    from django.test import Client

    from tracker.caching import _kept

    _kept.clear()
    return Client().get(reverse("tracker:sources") + "?page=2").content.decode()
