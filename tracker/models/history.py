"""The talks through time: the merged timeline, the position matrix on a day, what changed.

These are the behaviours behind ``Negotiation.timeline()`` and
``Negotiation.position_matrix()``, and what changed between two days
(``changes_between``).
Each runs a small, fixed number of queries however much data there is, so the
talks page can pin its query count.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Count, F, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404

from tracker.dates import PartOfDay, PreciseDate, Precision, date_columns
from tracker.prepared import prepared, sent_together

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
        date = self.date
        return sort_key(date.start, date.precision, date.part_of_day, self.kind, self.record.pk)


def sort_key(start: datetime.date, precision: str, part: str, kind: str, pk: int) -> tuple:
    """Where an entry stands on a timeline: by first day, then wider periods, parts of day, kind."""
    return (
        start,
        _PRECISION_ORDER.get(precision, 9),
        _PART_ORDER.get(part, 0),
        _KIND_ORDER[kind],
        pk,
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


# What a matrix cell and a change show of a position: its stance, date and basis, and
# its actor's link and name. Read as values and made into records here: a talks' positions
# name a few actors many times over (one record each is enough), their topics are the
# talks' topics the page already has, and Django's iterable of records cost more than
# the query.
_MATRIX_COLUMNS = ("id", "actor_id", "topic_id", "stance", "basis", *date_columns("as_of"))
_ACTOR_COLUMNS = ("id", "slug", "name", "short_name")


@prepared
def _positions(negotiation_id: int, *days: datetime.date):
    """Published positions on the talks' published topics that were current on any of
    ``days``, as rows of ``_MATRIX_COLUMNS`` then ``_ACTOR_COLUMNS``, oldest first.

    One query; ``_positions_with_evidence`` adds one for their evidence.
    """
    from tracker.models import Position, Status

    return (
        Position.objects.current_on_any(*days)
        .filter(
            topic__negotiation=negotiation_id,
            topic__status=Status.PUBLISHED,
            actor__status=Status.PUBLISHED,
        )
        .order_by("as_of", "id")
        .values_list(*_MATRIX_COLUMNS, *(f"actor__{column}" for column in _ACTOR_COLUMNS))
    )


@dataclass
class Timeline:
    """Entries of a talks timeline, oldest first; ``earlier`` when older ones were left out."""

    entries: list
    earlier: bool = False

    def __iter__(self):
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


# What a timeline entry shows of each kind of record (``timeline_entry``), and of a
# statement also what its card shows (``statement_card``: the talks page's latest).
_TIMELINE_COLUMNS = {
    "milestone": (
        "status", "slug", "title", "kind", "state",
        *date_columns("planned_on"), *date_columns("held_on"),
    ),
    "event": (
        "status", "slug", "title", "kind", "place_name", "district", "city",
        *date_columns("occurred_on"),
    ),
    "statement": (
        "status", "kind", "form", "verification", "channel", "attribution", "text",
        *date_columns("stated_on"),
    ),
}  # fmt: skip


def _timeline_querysets(negotiation, as_of: datetime.date | None, since: datetime.date | None):
    """The talks' public milestones, events and statements dated within the window,
    with only the columns the timeline shows."""
    from tracker.models import Event, Milestone, Statement

    milestones = Milestone.objects.public().filter(negotiation=negotiation)
    events = Event.objects.public().filter(negotiation=negotiation)
    statements = Statement.objects.public().filter(negotiation=negotiation)
    milestones = milestones.only(*_TIMELINE_COLUMNS["milestone"])
    events = events.only(*_TIMELINE_COLUMNS["event"])
    statements = statements.only(*_TIMELINE_COLUMNS["statement"])
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
    return milestones, events, statements


_DATE_OF = {"event": "occurred_on", "statement": "stated_on"}


def _nth_newest_day(queryset, field: str, n: int):
    """The day ``field`` of the ``n``-th newest record of ``queryset`` (``date.min``
    when it has fewer), as a subquery."""
    day = queryset.order_by(f"-{field}").values(field)[n - 1 : n]
    return Coalesce(Subquery(day), Value(datetime.date.min))


def _oldest_day(queryset, field: str):
    """The day ``field`` of the oldest record of ``queryset`` (``date.max`` when it has
    none), as a subquery."""
    day = queryset.order_by(field).values(field)[:1]
    return Coalesce(Subquery(day), Value(datetime.date.max))


def _timeline_of(
    negotiation_id: int,
    as_of: datetime.date | None,
    since: datetime.date | None,
    *,
    kind: str,
    newest: int | None = None,
):
    """The talks' public records of ``kind`` on the timeline.

    With ``newest`` (for events and statements), only those that may be among the
    ``newest`` entries of the timeline, unordered: those of the later of the days of
    the ``newest``-th newest event and statement, or after it. Anything older comes
    after at least ``newest`` entries of that kind. ``TimelineEntry.sort_key`` orders
    them in Python, which is cheaper than the CASE expressions that order in SQL.
    """
    milestones, events, statements = _timeline_querysets(negotiation_id, as_of, since)
    of_kind = {"milestone": milestones, "event": events, "statement": statements}
    if newest is None or kind == "milestone":
        return of_kind[kind]
    column = _DATE_OF[kind]
    bounds = [
        _nth_newest_day(events, "occurred_on", newest),
        _nth_newest_day(statements, "stated_on", newest),
    ]
    queryset = of_kind[kind]
    if since is not None:
        # One lower bound for the index to start from: the database would take only
        # one of "after since" and "from that day", and reading every record of a
        # long period to test the other cost a talks comparison most of its time.
        # The oldest record of the period stands for "after since".
        bounds.append(_oldest_day(of_kind[kind], column))
        _, events, statements = _timeline_querysets(negotiation_id, as_of, None)
        queryset = {"event": events, "statement": statements}[kind]
    return queryset.filter(**{f"{column}__gte": Greatest(*bounds)})


_timeline_rows = prepared(_timeline_of)


def timeline(
    negotiation,
    as_of: datetime.date | None = None,
    since: datetime.date | None = None,
    latest: int | None = None,
) -> Timeline:
    """The talks' milestones, events and statements, in the order they happened.

    With ``as_of``, only what had happened (or was dated) by that day; with
    ``since``, only what came after that day; with ``latest``, only the most
    recent ``latest`` entries, however long the talks have run. Three queries.
    """
    return begin_timeline(negotiation, as_of, since, latest)()


def begin_timeline(
    negotiation,
    as_of: datetime.date | None = None,
    since: datetime.date | None = None,
    latest: int | None = None,
) -> Callable[[], Timeline]:
    """``timeline`` begun: its queries sent (see ``tracker.prepared.sent_together``);
    calling the result reads them."""
    # With ``latest``, the newest ``latest + 1`` entries hold the newest ``latest`` and
    # tell whether anything older was left out. Milestones, the steps of the talks,
    # are few.
    newest = None if latest is None else latest + 1
    milestones = _timeline_rows.later(negotiation.pk, as_of, since, kind="milestone")
    events = _timeline_rows.later(negotiation.pk, as_of, since, kind="event", newest=newest)
    statements = _timeline_rows.later(negotiation.pk, as_of, since, kind="statement", newest=newest)

    def read() -> Timeline:
        entries = [TimelineEntry("milestone", m.date_display, m) for m in milestones()]
        entries += [TimelineEntry("event", e.occurred_on_display, e) for e in events()]
        entries += [TimelineEntry("statement", s.stated_on_display, s) for s in statements()]
        entries.sort(key=lambda entry: entry.sort_key)
        if latest is not None and len(entries) > latest:
            return Timeline(entries[len(entries) - latest :], earlier=True)
        return Timeline(entries)

    return read


def _kinds_by_day(negotiation_id: int, as_of, since, before):
    """Per kind, its entries' first days as ``day`` (those before ``before``, if given)."""
    milestones, events, statements = _timeline_querysets(negotiation_id, as_of, since)
    kinds = [
        milestones.order_by().annotate(day=Coalesce("held_on", "planned_on")),
        events.order_by().annotate(day=F("occurred_on")),
        statements.order_by().annotate(day=F("stated_on")),
    ]
    if before is not None:
        kinds = [queryset.filter(day__lt=before) for queryset in kinds]
    return kinds


@prepared
def _entry_counts(negotiation_id: int, as_of, since, before=None):
    """How many entries each kind has on the timeline (before the day ``before``, if
    given): a row per kind that has any."""
    counts = [
        queryset.values("negotiation").annotate(n=Count("*")).values_list("n")
        for queryset in _kinds_by_day(negotiation_id, as_of, since, before)
    ]
    return counts[0].union(*counts[1:], all=True)


@prepared
def _entry_days(negotiation_id: int, as_of, since, window: slice):
    """The first day of each of the timeline's entries ``window``, in order. The
    database walks each kind's days in the order of its index and merges them."""
    days = [
        queryset.values_list("day")
        for queryset in _kinds_by_day(negotiation_id, as_of, since, None)
    ]
    return days[0].union(*days[1:], all=True).order_by("day")[window]


@prepared
def _entries_between(negotiation_id: int, as_of, since, first, last, *, kind: str):
    """The talks' ``kind`` (events or statements) whose first day is from ``first`` to ``last``."""
    queryset = _timeline_of(negotiation_id, as_of, since, kind=kind)
    column = _DATE_OF[kind]
    return queryset.filter(**{f"{column}__gte": first, f"{column}__lte": last})


class _TimelineDays:
    """The whole timeline as a sequence a ``Paginator`` can slice, without reading it all.

    Entries are ordered by their first day before anything else, so the days of
    the entries a page holds (which the database finds from its indexes) tell
    which records to read; those are read and ordered in Python.
    """

    def __init__(self, negotiation_id: int, as_of, since):
        self.window = (negotiation_id, as_of, since)

    def count(self) -> int:
        return sum(n for (n,) in _entry_counts.rows(*self.window))

    def __getitem__(self, window: slice) -> list:
        days = [day for (day,) in _entry_days.rows(*self.window, window)]
        if not days:
            return []
        first, last = days[0], days[-1]
        with sent_together():  # one round trip for the three kinds (tracker.prepared)
            milestones = _timeline_rows.later(*self.window, kind="milestone")
            between = {
                kind: _entries_between.later(*self.window, first, last, kind=kind)
                for kind in _DATE_OF
            }
        entries = [
            TimelineEntry("milestone", m.date_display, m)
            for m in milestones()
            if first <= m.date_display.start <= last
        ]
        for kind, column in _DATE_OF.items():
            within = between[kind]()
            entries += [TimelineEntry(kind, getattr(r, f"{column}_display"), r) for r in within]
        entries.sort(key=lambda entry: entry.sort_key)
        # Where the first day begins in the whole timeline: when the page runs past
        # that day, the page holds its last entries; otherwise the database counts.
        if last != first:
            on_first = sum(1 for entry in entries if entry.date.start == first)
            before = window.start + days.count(first) - on_first
        else:
            before = sum(n for (n,) in _entry_counts.rows(*self.window, first))
        return entries[window.start - before : window.stop - before]


def timeline_page(
    negotiation,
    number: int,
    per_page: int,
    as_of: datetime.date | None = None,
    since: datetime.date | None = None,
) -> Page:
    """Page ``number`` of the whole timeline, oldest first; ``Http404`` past its end.

    The talks' entries are counted, and the days of the page's entries found; then
    the records of those days are read. Five queries (six when the whole page falls
    on one crowded day).
    """
    days = _TimelineDays(negotiation.pk, as_of, since)
    try:
        return Paginator(days, per_page, allow_empty_first_page=True).page(number)
    except InvalidPage as error:
        raise Http404("No such page.") from error


def _positions_with_evidence(negotiation, topics, *days: datetime.date) -> list:
    """``begin_positions`` read, with each position's evidence. Two queries."""
    from tracker.models.talks import attach_public_evidence

    return attach_public_evidence(begin_positions(negotiation, *days)(topics))


def begin_positions(negotiation, *days: datetime.date) -> Callable[[list], list]:
    """``_positions`` begun (see ``tracker.prepared.sent_together``). Calling the result
    with the talks' public topics reads them as records, each with its actor (one record
    per actor) and its topic from those topics; their evidence is not read."""
    from tracker.models import Actor, Position

    rows = _positions.rows_later(negotiation.pk, *days)

    def read(topics) -> list:
        topic_of = {topic.pk: topic for topic in topics}
        actors: dict[int, Actor] = {}
        actor_field, topic_field = Position.actor.field, Position.topic.field
        width = len(_MATRIX_COLUMNS)
        positions = []
        for row in rows():
            topic = topic_of.get(row[2])
            if topic is None:
                continue
            position = Position.from_db(negotiation._state.db, _MATRIX_COLUMNS, row[:width])
            actor = actors.get(row[1])
            if actor is None:
                actor = actors[row[1]] = Actor.from_db(
                    negotiation._state.db, _ACTOR_COLUMNS, row[width:]
                )
            actor_field.set_cached_value(position, actor)
            topic_field.set_cached_value(position, topic)
            positions.append(position)
        return positions

    return read


def position_matrix(
    negotiation, participations, topics, day: datetime.date, current: dict | None = None
) -> PositionMatrix:
    """The matrix on ``day``: the participants first, then any other actor with a position.

    ``participations`` and ``topics`` are the public ones the caller has
    already fetched. ``current`` maps (actor id, topic id) to the position of
    that day when the caller has it (see ``changes_between``); otherwise two
    queries fetch the positions and their evidence.
    """
    if current is None:
        current = {
            (p.actor_id, p.topic_id): p for p in _positions_with_evidence(negotiation, topics, day)
        }
    rows = [MatrixRow(actor=p.actor, role=p.get_role_display()) for p in participations]
    seen = {row.actor.pk for row in rows}
    for position in sorted(current.values(), key=lambda p: p.actor.name):
        if position.actor_id not in seen:
            seen.add(position.actor_id)
            rows.append(MatrixRow(actor=position.actor, role=""))
    topic_ids = [topic.pk for topic in topics]
    for row in rows:
        actor_id = row.actor.pk
        row.cells = [current.get((actor_id, topic_id)) for topic_id in topic_ids]
    return PositionMatrix(day=day, topics=list(topics), rows=rows)


def changes_between(positions: list, start: datetime.date, end: datetime.date):
    """Positions that differed between ``start`` and ``end``, with both sides, from
    ``positions``: those current on either day (``begin_positions``), oldest first.

    Returns the list of ``PositionChange`` and the positions current on ``end``
    keyed by (actor id, topic id), ready for ``position_matrix``.
    """
    before: dict = {}
    after: dict = {}
    for position in positions:
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
