"""The API's hand-written representations write exactly what their declared fields would.

Each serializer in tracker/api/serializers.py declares its fields (they make
the OpenAPI schema) and builds the same output directly in
``to_representation``, which is several times faster. These tests render
records with every optional part set both ways and compare the bytes.
"""

import datetime
from decimal import Decimal

import pytest
from rest_framework import serializers as drf

from tests.factories import (
    cite,
    make_actor,
    make_event,
    make_event_role,
    make_key_figure,
    make_milestone,
    make_negotiation,
    make_participation,
    make_position,
    make_relationship,
    make_source,
    make_statement,
    make_topic,
)
from tests.test_api import ENDPOINTS, api, build_world
from tracker.api import serializers
from tracker.dates import Precision
from tracker.models import Position, Statement, Status

HAND_WRITTEN = [
    serializers.CitationSerializer,
    serializers.RecordSerializer,
    serializers.ParticipantSerializer,
    serializers.KeyFigureSerializer,
    serializers.EventRoleSerializer,
]


def declared_fields_only(monkeypatch) -> None:
    """Make every API serializer write its declared fields one by one, as DRF does."""
    for serializer in HAND_WRITTEN:
        monkeypatch.setattr(serializer, "to_representation", drf.Serializer.to_representation)


def build_every_optional_part() -> None:
    """Records with every optional field, link and kind of date set, beside hidden ones."""
    build_world(2)
    source = make_source(
        title="Full report",
        authors="A. Reporter, B. Writer",
        contributors="C. Translator",
        published_on=datetime.date(2024, 2, 1),
        published_on_precision=Precision.MONTH,
        archive_url="https://archive.example/full",
        language="ar",
        notes="Read in *Arabic*.",
    )
    talks = make_negotiation(
        summary="Talks on the *withdrawal*.",
        start_on=datetime.date(2024, 1, 10),
        start_on_precision=Precision.WEEK,
        end_on=datetime.date(2025, 1, 1),
        end_on_precision=Precision.YEAR,
    )
    actor = make_actor(
        short_name="US",
        native_name="الولايات المتحدة",
        native_language="ar",
        aliases="USA\nUnited States\n\n America ",
        country="US",
        wikidata_id="Q30",
        description="A state.",
    )
    make_participation(talks, actor, note="Lead party")
    figure = make_key_figure(
        talks, value=Decimal("2500.5"), as_of=datetime.date(2024, 2, 8), as_of_on_or_before=True
    )
    topic = make_topic(talks, description="What is at stake.", order=3)
    event = make_event(
        negotiation=talks,
        summary="A strike.",
        occurred_on=datetime.date(2024, 2, 7),
        occurred_on_part_of_day="night",
        place_name="al-Mashtal",
        district="east Baghdad",
        city="Baghdad",
        country="IQ",
        latitude=Decimal("33.31528"),
        longitude=Decimal("44.36611"),
    )
    make_event_role(event, actor)
    statement = make_statement(
        negotiation=talks,
        speaker=actor,
        event=event,
        original_text="نص",
        original_language="ar",
        verification=Statement.Verification.DISPUTED,
        verification_note="Disputed by the other party.",
        stated_on=datetime.date(2024, 2, 8),
        stated_on_part_of_day="morning",
    )
    statement.topics.set([topic])
    hidden = make_statement(
        negotiation=make_negotiation(status=Status.DRAFT),
        speaker=make_actor(status=Status.IN_REVIEW),
        event=make_event(status=Status.DRAFT),
        stated_on=None,
    )
    position = make_position(
        actor,
        topic,
        evidence=[statement, hidden],
        stance=Position.Stance.LEANS_OPPOSE,
        basis=Position.Basis.INFERRED,
        as_of=datetime.date(2024, 2, 1),
    )
    milestone = make_milestone(
        talks, held_on=datetime.date(2024, 3, 2), state="held", outcome="Agreed to meet again."
    )
    milestone.statements.set([statement, hidden])
    milestone.events.set([event])
    relationship = make_relationship(
        actor,
        make_actor(),
        description="Backed since 2003.",
        start_on=datetime.date(2003, 1, 1),
        start_on_precision=Precision.YEAR,
        end_on=datetime.date(2024, 2, 1),
        end_on_on_or_before=True,
    )
    for record in (talks, figure, actor, relationship, topic, position, statement, event):
        cite(record, source, locator="paragraph 4")
    cite(milestone, source)
    cite(source, make_source(published_on=None))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_hand_written_representations_match_the_declared_fields(db, client, endpoint, monkeypatch):
    build_every_optional_part()
    urls = [api(endpoint) + "?page_size=100"]
    urls += [api(endpoint, record["id"]) for record in client.get(urls[0]).json()["results"]]
    hand_written = [client.get(url).content for url in urls]
    declared_fields_only(monkeypatch)
    assert [client.get(url).content for url in urls] == hand_written
    assert len(urls) >= 4


def test_the_world_has_every_optional_part_set(db, client):
    build_every_optional_part()
    events = client.get(api("events")).json()["results"]
    assert any(event["latitude"] == 33.31528 for event in events)
    statements = client.get(api("statements")).json()["results"]
    assert {None} < {statement["talks"] for statement in statements}
    assert any(statement["stated_on"] is None for statement in statements)
    talks = client.get(api("talks")).json()["results"]
    assert any(figure["value"] == 2500.5 for t in talks for figure in t["key_figures"])
    assert any(t["end_on"] and t["end_on"]["precision"] == "year" for t in talks)


@pytest.mark.parametrize(
    "value",
    [
        None,
        Decimal("33.31528"),
        Decimal("-179.00001"),
        Decimal("0.00000"),
        Decimal("33.3"),
        Decimal("33.315284"),
        Decimal("12"),
        33.315,
    ],
)
def test_a_coordinate_is_written_as_its_field_writes_it(value):
    written = serializers.coordinate(value)
    expected = None if value is None else serializers._COORDINATE.to_representation(value)
    assert written == expected
    assert str(written) == str(expected)
