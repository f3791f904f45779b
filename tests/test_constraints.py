"""The database itself refuses what must never be stored."""

import datetime

import pytest
from django.db import DataError, IntegrityError, transaction

from tests.factories import (
    make_actor,
    make_event,
    make_key_figure,
    make_milestone,
    make_negotiation,
    make_participation,
    make_position,
    make_relationship,
    make_statement,
    make_topic,
)
from tracker.models import Milestone, Position, Stance

pytestmark = pytest.mark.django_db


def refused(make, *args, **fields) -> bool:
    """True when the database rejects the record ``make`` tries to create."""
    try:
        with transaction.atomic():
            make(*args, **fields)
    except (IntegrityError, DataError):
        # PostgreSQL refuses a value longer than its column before any constraint runs.
        return True
    return False


def test_an_actor_takes_part_in_one_talks_only_once():
    participation = make_participation()
    assert refused(
        make_participation, participation.negotiation, participation.actor, role="observer"
    )


def test_talks_never_end_before_they_start():
    assert refused(
        make_negotiation, start_on=datetime.date(2024, 2, 1), end_on=datetime.date(2024, 1, 1)
    )
    assert not refused(
        make_negotiation, start_on=datetime.date(2024, 2, 1), end_on=datetime.date(2024, 2, 1)
    )


def test_a_relationship_never_ends_before_it_starts():
    assert refused(
        make_relationship, start_on=datetime.date(2024, 2, 1), end_on=datetime.date(2023, 1, 1)
    )


def test_an_actor_cannot_be_related_to_itself():
    actor = make_actor()
    assert refused(make_relationship, actor, actor)


@pytest.mark.parametrize("wikidata_id", ["Z42", "Q", "q42", "Q42a", "Q042", " Q42"])
def test_a_wikidata_id_must_be_q_and_digits(wikidata_id):
    assert refused(make_actor, wikidata_id=wikidata_id)


@pytest.mark.parametrize("wikidata_id", ["", "Q796", "Q1"])
def test_a_valid_or_empty_wikidata_id_is_stored(wikidata_id):
    assert not refused(make_actor, wikidata_id=wikidata_id)


def test_a_country_must_be_an_iso_3166_code():
    assert refused(make_actor, country="Iraq")
    assert refused(make_actor, country="iq")
    assert not refused(make_actor, country="IQ")


def test_a_stance_must_be_on_the_scale():
    assert refused(make_position, stance="strongly_supports")
    for stance in Stance.values:
        assert not refused(make_position, stance=stance)


def test_a_status_must_be_one_of_the_workflow_steps():
    assert refused(make_statement, status="live")


def test_an_actor_holds_one_position_per_topic_per_day():
    position = make_position()
    assert refused(make_position, position.actor, position.topic, as_of=position.as_of)


def test_a_part_of_day_needs_a_date_known_to_the_day():
    # save() drops a stray part of day; the database refuses one written around it.
    statement = make_statement(stated_on_precision="week")
    with pytest.raises(IntegrityError), transaction.atomic():
        type(statement).objects.filter(pk=statement.pk).update(stated_on_part_of_day="night")


def test_an_unknown_precision_is_refused():
    assert refused(make_event, occurred_on_precision="decade")


def test_event_coordinates_must_be_on_the_globe():
    assert refused(make_event, latitude=91, longitude=10)
    assert refused(make_event, latitude=33.3, longitude=None)
    assert not refused(make_event, latitude=33.34, longitude=44.4)


def test_a_held_milestone_needs_the_date_it_was_held():
    assert refused(make_milestone, state=Milestone.State.HELD, held_on=None)
    assert not refused(
        make_milestone, state=Milestone.State.HELD, held_on=datetime.date(2024, 2, 8)
    )


def test_a_statement_needs_text_and_an_attribution():
    assert refused(make_statement, text="")
    assert refused(make_statement, attribution="")


def test_a_key_figure_is_never_negative():
    assert refused(make_key_figure, value=-1)


def test_a_topic_slug_is_unique_within_its_talks_only():
    topic = make_topic(slug="stay")
    assert refused(make_topic, topic.negotiation, slug="stay")
    assert not refused(make_topic, slug="stay")


def test_positions_on_the_scale_have_a_chart_score():
    assert Position(stance=Stance.SUPPORTS).score == 2
    assert Position(stance=Stance.UNCLEAR).score is None
