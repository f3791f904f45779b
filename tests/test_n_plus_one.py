"""django-zeal watches every request the suite makes: an N+1 query pattern fails the test."""

import pytest
from django.http import HttpResponse
from django.urls import path
from zeal.errors import NPlusOneError

from tests.factories import make_actor, make_statement
from tracker.models import Statement
from tracker.urls import urlpatterns as product_urls


def speakers_one_by_one(request):
    """A deliberately careless view: one query per statement for its speaker."""
    names = [statement.speaker.name for statement in Statement.objects.all()]
    return HttpResponse(", ".join(names))


def speakers_joined(request):
    statements = Statement.objects.select_related("speaker")
    return HttpResponse(", ".join(statement.speaker.name for statement in statements))


urlpatterns = [
    path("careless/", speakers_one_by_one),
    path("careful/", speakers_joined),
    *product_urls,
]


@pytest.fixture
def statements(db):
    for n in range(3):
        make_statement(speaker=make_actor(name=f"Speaker {n}"))


@pytest.mark.urls("tests.test_n_plus_one")
def test_a_view_with_an_n_plus_one_query_fails_the_test(client, statements):
    with pytest.raises(NPlusOneError, match=r"Statement\.speaker"):
        client.get("/careless/")


@pytest.mark.urls("tests.test_n_plus_one")
def test_the_same_view_with_a_join_passes(client, statements):
    assert client.get("/careful/").content.decode().count("Speaker") == 3
