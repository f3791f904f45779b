"""Each public page costs a fixed number of SQL queries, whatever the amount of data."""

import pytest
from django.db import transaction
from django.urls import reverse

from tests.factories import make_source
from tests.public_world import build_world

# Page → queries per request, including the publication-stamp read of the caching
# middleware. The same count must hold at scale 1 and at scale 10.
PAGES = {
    "home": 7,
    "talks": 12,
    "talks_as_of": 12,
    "talks_compare": 12,
    "timeline": 8,
    "timeline_as_of": 8,
    "topic": 7,
    "actor": 10,
    "statement": 7,
    "event": 7,
    "milestone": 6,
    "sources": 3,
    "source": 12,
    "changes": 5,
}


def _url(page: str, world) -> str:
    talks = world.negotiation.get_absolute_url()
    return {
        "home": reverse("tracker:home"),
        "talks": talks,
        "talks_as_of": f"{talks}?as_of=2024-01-20",
        "talks_compare": f"{talks}?compare=2024-01-20&to=2024-02-10",
        "timeline": f"{talks}timeline/",
        "timeline_as_of": f"{talks}timeline/?as_of=2024-02-10",
        "topic": world.topic.get_absolute_url(),
        "actor": world.actor.get_absolute_url(),
        "statement": world.statement.get_absolute_url(),
        "event": world.event.get_absolute_url(),
        "milestone": world.milestone.get_absolute_url(),
        "sources": reverse("tracker:sources"),
        "source": world.source.get_absolute_url(),
        "changes": reverse("tracker:changes"),
    }[page]


@pytest.fixture(scope="module", params=[1, 10], ids=["scale-1", "scale-10"])
def world(request, django_db_setup, django_db_blocker):
    """The generated world at scale 1, then at scale 10, built once for all pages.

    Built inside a transaction that is rolled back when the module is done,
    so no other test ever sees it.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world(request.param)
        transaction.set_rollback(True)


@pytest.mark.parametrize("page", PAGES)
def test_each_page_costs_the_same_pinned_number_of_queries_at_any_scale(
    db, client, world, page, django_assert_num_queries
):
    url = _url(page, world)
    with django_assert_num_queries(PAGES[page]):
        response = client.get(url)
    assert response.status_code == 200


def test_no_page_costs_more_than_twelve_queries():
    assert max(PAGES.values()) <= 12


def test_the_source_list_is_counted_again_after_each_change_and_only_then(
    db, client, django_assert_num_queries
):
    for n in range(3):
        make_source(title=f"Source {n}")
    url = reverse("tracker:sources")
    before = client.get(url).content
    with django_assert_num_queries(PAGES["sources"] - 1):  # the count is kept
        assert client.get(url).content == before
    make_source(title="One more")
    with django_assert_num_queries(PAGES["sources"]):
        after = client.get(url).content.decode()
    assert "One more" in after
