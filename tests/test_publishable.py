"""What is public lives in one place: ``.public()`` shows published records only."""

import datetime

import pytest

from tests.factories import (
    make_actor,
    make_participation,
    make_position,
    make_source,
    make_statement,
    make_topic,
)
from tracker.models import Actor, Participation, Position, Source, Statement, Status

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.RETRACTED])
def test_public_excludes_every_status_but_published(status):
    published = make_statement()
    hidden = make_statement(status=status)
    public = set(Statement.objects.public())
    assert published in public
    assert hidden not in public


def test_on_record_keeps_retracted_records_so_their_urls_can_answer_gone():
    retracted = make_source(status=Status.RETRACTED)
    make_source(status=Status.DRAFT)
    assert list(Source.objects.on_record()) == [retracted]


def test_new_records_start_as_drafts():
    actor = Actor.objects.create(slug="new", kind="state", name="New")
    assert actor.status == Status.DRAFT
    assert not Actor.objects.public().exists()


def test_a_participation_is_public_only_when_actor_and_talks_are():
    visible = make_participation()
    make_participation(actor=make_actor(status=Status.DRAFT))
    assert list(Participation.objects.public()) == [visible]


def test_as_of_returns_the_latest_published_position_on_that_day():
    actor, topic = make_actor(), make_topic()
    early = make_position(actor, topic, as_of=datetime.date(2024, 1, 1), stance="opposes")
    late = make_position(actor, topic, as_of=datetime.date(2024, 3, 1), stance="supports")
    assert list(Position.objects.as_of(datetime.date(2024, 2, 1))) == [early]
    assert list(Position.objects.as_of(datetime.date(2024, 3, 1))) == [late]
    assert list(Position.objects.as_of(datetime.date(2023, 12, 31))) == []


def test_a_draft_position_never_supersedes_a_published_one():
    actor, topic = make_actor(), make_topic()
    published = make_position(actor, topic, as_of=datetime.date(2024, 1, 1))
    make_position(actor, topic, as_of=datetime.date(2024, 2, 1), status=Status.DRAFT)
    assert list(Position.objects.as_of(datetime.date(2024, 3, 1))) == [published]


def test_every_save_is_kept_in_the_history():
    actor = make_actor(name="First name")
    actor.name = "Second name"
    actor.save()
    assert [h.name for h in actor.history.all()] == ["Second name", "First name"]
