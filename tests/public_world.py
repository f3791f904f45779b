"""A generated world of talks for the public-site tests, at any scale.

``build_world(scale)`` makes one published talks with ``scale`` of everything
(participants, topics, statements, events, milestones, key figures, sources,
relationships, corrections), each record cited, positions that change over
time, plus drafts that must never show. The query-count tests render every
page at scale 1 and at scale 10 and expect the same count.
"""

import datetime
from dataclasses import dataclass

from tests.factories import (
    cite,
    make_actor,
    make_correction,
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
from tracker.models import EventRole, Milestone, Position, Statement, Status

EARLY = datetime.date(2024, 1, 10)
LATE = datetime.date(2024, 2, 5)


@dataclass
class World:
    negotiation: object
    actor: object
    topic: object
    statement: object
    event: object
    milestone: object
    source: object
    draft_statement: object
    draft_actor: object


def build_world(scale: int = 1) -> World:
    """One talks with ``scale`` participants, topics, events, milestones and sources."""
    negotiation = make_negotiation(
        slug="world-talks", title="World talks", summary="Talks about the *world*."
    )
    sources = [make_source(title=f"World report {n}") for n in range(scale)]
    cite(negotiation, sources[0], "paragraph 1")
    actors = []
    for n in range(scale):
        actor = make_actor(
            slug=f"world-actor-{n}",
            name=f"World actor {n}",
            native_name="كتائب حزب الله",
            native_language="ar",
            aliases="Alias one\nAlias two",
        )
        make_participation(negotiation, actor, role="party", order=n)
        cite(actor, sources[n])
        actors.append(actor)
    outsider = make_actor(slug="world-outsider", name="World outsider")
    for n in range(scale):
        relationship = make_relationship(actors[n], outsider)
        cite(relationship, sources[n])
    topics = [
        make_topic(negotiation, slug=f"world-topic-{n}", title=f"Topic {n}", order=n)
        for n in range(scale)
    ]
    cite(topics[0], sources[0])  # the first source is cited by every kind of record
    events = []
    for n in range(scale):
        event = make_event(
            slug=f"world-event-{n}",
            negotiation=negotiation,
            occurred_on=datetime.date(2024, 2, 7),
            occurred_on_part_of_day="night",
            place_name="al-Mashtal",
            city="Baghdad",
        )
        make_event_role(event, actors[n], EventRole.Role.PERPETRATOR)
        make_event_role(event, outsider, EventRole.Role.TARGET)
        cite(event, sources[n], "paragraph 2")
        events.append(event)
    statements = []
    for n, actor in enumerate([*actors, outsider]):
        for when, verification in ((EARLY, "reported"), (LATE, "disputed")):
            statement = make_statement(
                negotiation=negotiation,
                speaker=actor,
                attribution=f"a spokesperson for {actor.name}",
                stated_on=when,
                verification=verification,
                event=events[n % scale],
            )
            statement.topics.set(topics)
            cite(statement, sources[n % scale], "paragraph 3")
            statements.append(statement)
    for n, actor in enumerate([*actors, outsider]):
        for topic in topics:
            early = make_position(
                actor, topic, [statements[2 * n]], as_of=EARLY, stance=Position.Stance.SUPPORTS
            )
            cite(early, sources[0])
            make_position(
                actor, topic, [statements[2 * n + 1]], as_of=LATE, stance=Position.Stance.OPPOSES
            )
    milestones = []
    for n in range(scale):
        held = make_milestone(
            negotiation,
            slug=f"world-held-{n}",
            held_on=datetime.date(2024, 1, 25),
            state=Milestone.State.HELD,
            planned_on=None,
        )
        held.statements.set(statements[:2])
        held.events.set(events[:1])
        cite(held, sources[n])
        make_milestone(
            negotiation,
            slug=f"world-next-{n}",
            planned_on=datetime.date(2099, 3, 1),
            planned_on_precision="month",
        )
        milestones.append(held)
        cite(make_key_figure(negotiation, label=f"Figure {n}"), sources[n])
    for n in range(scale):
        make_correction(statements[n], text=f"Corrected statement {n}.")
        make_correction(events[n], text=f"Corrected event {n}.")
    # Drafts and a retracted statement that must never reach the public.
    draft_actor = make_actor(slug="world-draft-actor", name="Draft actor", status=Status.DRAFT)
    draft_statement = make_statement(
        negotiation=negotiation,
        text="Secret draft words",
        attribution="a draft speaker",
        status=Status.DRAFT,
        event=events[0],
    )
    cite(draft_statement, sources[0])
    make_position(draft_actor, topics[0], [statements[0]], as_of=LATE)
    make_statement(negotiation=negotiation, text="Withdrawn words", status=Status.RETRACTED)
    return World(
        negotiation=negotiation,
        actor=actors[0],
        topic=topics[0],
        statement=statements[0],
        event=events[0],
        milestone=milestones[0],
        source=sources[0],
        draft_statement=draft_statement,
        draft_actor=draft_actor,
    )


__all__ = ["Statement", "World", "build_world"]
