"""Small factories for test data: each makes a valid, published record unless told otherwise.

Every keyword overrides a field; related records are made on demand.
"""

import datetime
import itertools

from django.contrib.contenttypes.models import ContentType

from tracker.models import (
    Actor,
    Citation,
    Correction,
    Event,
    EventRole,
    KeyFigure,
    Milestone,
    Negotiation,
    Participation,
    Position,
    Relationship,
    Source,
    Statement,
    Status,
    Topic,
)

_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


def published(**fields) -> dict:
    fields.setdefault("status", Status.PUBLISHED)
    return fields


def make_source(**fields) -> Source:
    n = _n()
    defaults = dict(
        outlet="Example News",
        title=f"Report number {n}",
        authors="A. Reporter",
        published_on=datetime.date(2024, 2, 8),
        url=f"https://news.example/report-{n}",
    )
    return Source.objects.create(**published(**{**defaults, **fields}))


def cite(record, source: Source | None = None, locator: str = "") -> Citation:
    """Cite ``source`` (a new one by default) on ``record``."""
    return Citation.objects.create(
        source=source or make_source(),
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        locator=locator,
    )


def make_actor(**fields) -> Actor:
    n = _n()
    defaults = dict(slug=f"actor-{n}", kind=Actor.Kind.STATE, name=f"Actor {n}")
    return Actor.objects.create(**published(**{**defaults, **fields}))


def make_negotiation(**fields) -> Negotiation:
    n = _n()
    defaults = dict(slug=f"talks-{n}", title=f"Talks {n}", start_on=datetime.date(2024, 1, 1))
    return Negotiation.objects.create(**published(**{**defaults, **fields}))


def make_participation(negotiation=None, actor=None, **fields) -> Participation:
    return Participation.objects.create(
        negotiation=negotiation or make_negotiation(), actor=actor or make_actor(), **fields
    )


def make_topic(negotiation=None, **fields) -> Topic:
    n = _n()
    defaults = dict(slug=f"topic-{n}", title=f"Topic {n}", question=f"Question {n}?")
    return Topic.objects.create(
        negotiation=negotiation or make_negotiation(), **published(**{**defaults, **fields})
    )


def make_statement(**fields) -> Statement:
    n = _n()
    defaults = dict(
        kind=Statement.Kind.ASSESSMENT,
        attribution=f"Speaker {n}",
        attribution_kind=Statement.AttributionKind.NAMED,
        form=Statement.Form.QUOTE,
        text=f"Statement text {n}",
        channel=Statement.Channel.NEWS_REPORT,
        stated_on=datetime.date(2024, 2, 7),
    )
    return Statement.objects.create(**published(**{**defaults, **fields}))


def make_position(actor=None, topic=None, evidence=(), **fields) -> Position:
    defaults = dict(
        stance=Position.Stance.SUPPORTS,
        summary="Summary of the position.",
        as_of=datetime.date(2024, 2, 1),
    )
    position = Position.objects.create(
        actor=actor or make_actor(),
        topic=topic or make_topic(),
        **published(**{**defaults, **fields}),
    )
    if evidence:
        position.evidence.set(evidence)
    return position


def make_event(**fields) -> Event:
    n = _n()
    defaults = dict(
        slug=f"event-{n}",
        title=f"Event {n}",
        kind=Event.Kind.STRIKE,
        occurred_on=datetime.date(2024, 2, 7),
    )
    return Event.objects.create(**published(**{**defaults, **fields}))


def make_event_role(event=None, actor=None, role=EventRole.Role.PERPETRATOR) -> EventRole:
    return EventRole.objects.create(
        event=event or make_event(), actor=actor or make_actor(), role=role
    )


def make_milestone(negotiation=None, **fields) -> Milestone:
    n = _n()
    defaults = dict(
        slug=f"milestone-{n}",
        title=f"Milestone {n}",
        kind=Milestone.Kind.ROUND,
        planned_on=datetime.date(2024, 3, 1),
    )
    return Milestone.objects.create(
        negotiation=negotiation or make_negotiation(), **published(**{**defaults, **fields})
    )


def make_relationship(subject=None, object=None, **fields) -> Relationship:
    defaults = dict(kind=Relationship.Kind.BACKED_BY)
    return Relationship.objects.create(
        subject=subject or make_actor(),
        object=object or make_actor(),
        **published(**{**defaults, **fields}),
    )


def make_key_figure(negotiation=None, **fields) -> KeyFigure:
    defaults = dict(
        label="US troops in Iraq",
        value=2500,
        unit="troops",
        qualifier="roughly",
        as_of=datetime.date(2024, 2, 8),
    )
    return KeyFigure.objects.create(
        negotiation=negotiation or make_negotiation(), **published(**{**defaults, **fields})
    )


def make_correction(record, **fields) -> Correction:
    defaults = dict(date=datetime.date(2024, 3, 1), text="An earlier version misstated the date.")
    return Correction.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        **published(**{**defaults, **fields}),
    )
