"""The talks through time: the merged timeline, the position matrix on a day, what changed.

These are the behaviours behind ``Negotiation.timeline()``,
``Negotiation.position_matrix()`` and ``Negotiation.position_changes()``.
Each runs a small, fixed number of queries however much data there is, so the
talks page can pin its query count.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from tracker.dates import PartOfDay, PreciseDate, Precision

# Within one day: morning before afternoon before evening before night; a
# date known only to the day sorts before those with a part of the day.
_PART_ORDER = {"": 0, **{value: n + 1 for n, value in enumerate(PartOfDay.values)}}
# On the same first day, the wider period comes first: it began no later.
_PRECISION_ORDER = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.WEEK: 2, Precision.DAY: 3}
_KIND_ORDER = {"milestone": 0, "event": 1, "statement": 2}


@dataclass(frozen=True)
class TimelineEntry:
    """One dated item on a talks timeline: a milestone, an event or a statement."""

    kind: str
    date: PreciseDate
    record: object

    @property
    def sort_key(self) -> tuple:
        return (
            self.date.start,
            _PRECISION_ORDER.get(self.date.precision, 9),
            _PART_ORDER.get(self.date.part_of_day, 0),
            _KIND_ORDER[self.kind],
            self.record.pk,
        )


@dataclass
class MatrixRow:
    """One actor's line of the matrix: its role in the talks and a cell per topic."""

    actor: object
    role: str
    cells: list = field(default_factory=list)


@dataclass
class PositionMatrix:
    """Actors × topics on one day; each cell is the position then current, or None."""

    day: datetime.date
    topics: list
    rows: list

    @property
    def is_empty(self) -> bool:
        return not any(cell for row in self.rows for cell in row.cells)


@dataclass(frozen=True)
class PositionChange:
    """An actor's position on a topic that was not the same on two days."""

    actor: object
    topic: object
    before: object
    after: object

    @property
    def stance_changed(self) -> bool:
        before = self.before.stance if self.before else None
        after = self.after.stance if self.after else None
        return before != after


def _public_evidence():
    from tracker.models import Statement

    return Prefetch(
        "evidence",
        queryset=Statement.objects.public().order_by("-stated_on", "-id"),
        to_attr="public_evidence",
    )


def _positions(negotiation, *days: datetime.date):
    """Published positions on the talks' published topics that were current on any of ``days``.

    One query, plus one for their evidence.
    """
    from tracker.models import Actor, Position

    current = Q()
    for day in days:
        current |= Q(pk__in=Position.objects.as_of(day).values("pk"))
    return (
        Position.objects.public()
        .filter(current)
        .filter(topic__in=negotiation.topics.public(), actor__in=Actor.objects.public())
        .select_related("actor", "topic")
        .prefetch_related(_public_evidence())
        .order_by("as_of", "id")
    )


def timeline(negotiation, as_of: datetime.date | None = None, since: datetime.date | None = None):
    """The talks' milestones, events and statements, in the order they happened.

    With ``as_of``, only what had happened (or was dated) by that day; with
    ``since``, only what came after that day. Three queries.
    """
    from tracker.models import Event, Milestone, Statement

    milestones = Milestone.objects.public().filter(negotiation=negotiation)
    events = Event.objects.public().filter(negotiation=negotiation)
    statements = (
        Statement.objects.public()
        .filter(negotiation=negotiation)
        .select_related("speaker", "event")
    )
    if as_of is not None:
        milestones = milestones.filter(
            Q(held_on__lte=as_of) | Q(held_on__isnull=True, planned_on__lte=as_of)
        )
        events = events.filter(occurred_on__lte=as_of)
        statements = statements.filter(stated_on__lte=as_of)
    if since is not None:
        milestones = milestones.filter(
            Q(held_on__gt=since) | Q(held_on__isnull=True, planned_on__gt=since)
        )
        events = events.filter(occurred_on__gt=since)
        statements = statements.filter(stated_on__gt=since)
    entries = [TimelineEntry("milestone", m.date_display, m) for m in milestones]
    entries += [TimelineEntry("event", e.occurred_on_display, e) for e in events]
    entries += [TimelineEntry("statement", s.stated_on_display, s) for s in statements]
    return sorted(entries, key=lambda entry: entry.sort_key)


def position_matrix(
    negotiation, participations, topics, day: datetime.date, current: dict | None = None
) -> PositionMatrix:
    """The matrix on ``day``: the participants first, then any other actor with a position.

    ``participations`` and ``topics`` are the public ones the caller has
    already fetched. ``current`` maps (actor id, topic id) to the position of
    that day when the caller has it (see ``position_changes``); otherwise two
    queries fetch the positions and their evidence.
    """
    if current is None:
        current = {(p.actor_id, p.topic_id): p for p in _positions(negotiation, day)}
    rows = [MatrixRow(actor=p.actor, role=p.get_role_display()) for p in participations]
    seen = {row.actor.pk for row in rows}
    for position in sorted(current.values(), key=lambda p: p.actor.name):
        if position.actor_id not in seen:
            seen.add(position.actor_id)
            rows.append(MatrixRow(actor=position.actor, role=""))
    for row in rows:
        row.cells = [current.get((row.actor.pk, topic.pk)) for topic in topics]
    return PositionMatrix(day=day, topics=list(topics), rows=rows)


def position_changes(negotiation, start: datetime.date, end: datetime.date):
    """Positions that differed between ``start`` and ``end``, with both sides.

    Returns the list of ``PositionChange`` and the positions current on ``end``
    keyed by (actor id, topic id), ready for ``position_matrix``. Two queries.
    """
    before: dict = {}
    after: dict = {}
    for position in _positions(negotiation, start, end):
        key = (position.actor_id, position.topic_id)
        # Positions arrive oldest first, so the last one seen on or before a day wins.
        if position.as_of <= start:
            before[key] = position
        if position.as_of <= end:
            after[key] = position
    changes = []
    for key in set(before) | set(after):
        old, new = before.get(key), after.get(key)
        if old is not new:
            sample = new or old
            changes.append(PositionChange(sample.actor, sample.topic, old, new))
    changes.sort(key=lambda c: (c.actor.name, c.topic.order, c.topic.title))
    return changes, after
