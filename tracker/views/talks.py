"""The talks and what hangs off them: home, talks page, topic page, milestone page."""

import datetime
from urllib.parse import urlencode

from django.core.exceptions import BadRequest
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from tracker.dates import date_columns
from tracker.models import (
    Event,
    KeyFigure,
    Milestone,
    Negotiation,
    NegotiationState,
    Participation,
    Position,
    Statement,
    Status,
    Topic,
)
from tracker.models.history import begin_positions, begin_timeline, changes_between
from tracker.models.talks import begin_evidence
from tracker.prepared import prepared, sent_together
from tracker.views.charts import stance_chart
from tracker.views.common import (
    attach_citations,
    begin_citations,
    begin_corrections,
    corrections_for,
    page_number,
    parse_day,
    public_records,
    record_finder,
    record_or_gone,
)

ACTIVE_STATES = [NegotiationState.PROPOSED, NegotiationState.ONGOING, NegotiationState.PAUSED]
LATEST_STATEMENTS = 6
# The talks page shows the newest entries of the timeline; its own pages hold the rest.
TIMELINE_LATEST = 30
TIMELINE_PER_PAGE = 50

_TALKS = record_finder(lambda: Negotiation.objects, "slug")
_TOPIC = record_finder(
    # Of the talks, only what the topic page shows: their link and title.
    lambda: (
        Topic.objects.filter(negotiation__status=Status.PUBLISHED)
        .select_related("negotiation")
        .only(
            *(field.attname for field in Topic._meta.concrete_fields),
            "negotiation__slug",
            "negotiation__title",
        )
    ),
    "negotiation__slug",
    "slug",
)
_MILESTONE = record_finder(
    lambda: Milestone.objects.filter(negotiation__status=Status.PUBLISHED).select_related(
        "negotiation"
    ),
    "slug",
)


# The queries of the home page.

# What a statement card shows (the statement_card tag): the other columns, three of
# them dates and times to convert, are left unread.
STATEMENT_CARD_COLUMNS = (
    "kind", "attribution", "form", "text", "channel", "verification",
    *date_columns("stated_on"),
)  # fmt: skip
# What a list of milestones shows (the milestone_list tag).
_MILESTONE_LIST_COLUMNS = (
    "slug", "title", "kind", "state", *date_columns("held_on"), *date_columns("planned_on"),
    "negotiation__title",
)  # fmt: skip


@prepared
def _home_talks() -> QuerySet:
    return Negotiation.objects.public().only(
        "slug", "title", "state", "summary", *date_columns("start_on")
    )


@prepared
def _home_parties() -> QuerySet:
    # Only the active talks' cards name their parties.
    return (
        Participation.objects.public()
        .filter(negotiation__state__in=ACTIVE_STATES)
        .values_list("negotiation_id", "actor__short_name", "actor__name", "role")
    )


@prepared
def _home_statements() -> QuerySet:
    return Statement.objects.public().only(*STATEMENT_CARD_COLUMNS)[:LATEST_STATEMENTS]


@prepared
def _upcoming_milestones(today: datetime.date) -> QuerySet:
    return (
        public_records("milestone")
        .filter(held_on__isnull=True, planned_on__gte=today)
        .only(*_MILESTONE_LIST_COLUMNS)
        .order_by("planned_on", "title")[:5]
    )


@prepared
def _recent_milestones(today: datetime.date) -> QuerySet:
    return (
        public_records("milestone")
        .filter(held_on__lte=today)
        .only(*_MILESTONE_LIST_COLUMNS)
        .order_by("-held_on", "title")[:5]
    )


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Active talks, the latest statements, upcoming and recent milestones.

    Template: tracker/home.html with ``active_talks``, ``other_talks``,
    ``latest_statements``, ``upcoming_milestones``, ``recent_milestones``.
    """
    today = timezone.localdate()
    with sent_together():
        talks = _home_talks.later()
        party_rows = _home_parties.later()
        latest = _home_statements.later()
        upcoming = _upcoming_milestones.later(today)
        recent = _recent_milestones.later(today)
    talks, latest = talks(), latest()
    # Only what the list shows of each party: its short name (or name) and role.
    parties: dict[int, list[tuple[str, str]]] = {}
    roles = dict(Participation.Role.choices)
    for talks_id, short_name, name, role in party_rows():
        parties.setdefault(talks_id, []).append((short_name or name, roles.get(role, role)))
    for t in talks:
        t.parties = parties.get(t.pk, [])
    attach_citations(latest)
    context = {
        "active_talks": [t for t in talks if t.state in ACTIVE_STATES],
        "other_talks": [t for t in talks if t.state not in ACTIVE_STATES],
        "latest_statements": latest,
        "upcoming_milestones": upcoming(),
        "recent_milestones": recent(),
        "today": today,
    }
    return render(request, "tracker/home.html", context)


def _time_travel(
    request: HttpRequest,
) -> tuple[datetime.date | None, datetime.date | None, datetime.date | None]:
    """Read ``as_of`` or ``compare``/``to`` from the query; 400 for a contradictory mix."""
    as_of = parse_day(request, "as_of")
    compare = parse_day(request, "compare")
    to = parse_day(request, "to")
    if as_of and (compare or to):
        raise BadRequest("Choose either a date to look back to, or two dates to compare.")
    if to and not compare:
        raise BadRequest("To compare, give the earlier date as well as the later one.")
    if compare:
        to = to or timezone.localdate()
        if compare > to:
            raise BadRequest("The first date of a comparison must not be after the second.")
    return as_of, compare, to


# The queries of the talks page, by the talks' id.


@prepared
def _talks_participations(pk: int) -> QuerySet:
    return (
        Participation.objects.public()
        .filter(negotiation=pk)
        .select_related("actor")
        .only("role", "note", "actor__slug", "actor__name", "actor__short_name")
    )


# Of topics and key figures, only what the talks page shows; their dates of editing,
# which SQLite hands over as text to parse, are left unread.


@prepared
def _talks_topics(pk: int) -> QuerySet:
    return (
        Topic.objects.public()
        .filter(negotiation=pk)
        .only("negotiation", "order", "slug", "title", "question")
        .order_by("order", "title")
    )


@prepared
def _talks_key_figures(pk: int, day: datetime.date) -> QuerySet:
    return (
        KeyFigure.objects.public()
        .filter(negotiation=pk, as_of__lte=day)
        .only("negotiation", "label", "value", "unit", "qualifier", *date_columns("as_of"))
    )


@require_safe
def negotiation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The talks page, today, as of a past day (``?as_of=``) or between two (``?compare=&to=``).

    Template: tracker/negotiation.html with ``negotiation``, ``participations``,
    ``key_figures``, ``matrix``, ``timeline`` (its newest ``TIMELINE_LATEST``
    entries), ``latest_statements``, ``changes`` (None unless comparing),
    ``as_of``, ``compare``, ``to``, ``time_query`` (the as-of or comparison
    part of the query, for links that keep it), ``corrections``.
    """
    as_of, compare, to = _time_travel(request)
    negotiation = record_or_gone(request, _TALKS, slug)
    if isinstance(negotiation, HttpResponse):
        return negotiation
    day = to or as_of or timezone.localdate()
    # What needs only the talks goes to the database together, then what needs that.
    with sent_together():
        participations = _talks_participations.later(negotiation.pk)
        topics = _talks_topics.later(negotiation.pk)
        key_figures = _talks_key_figures.later(negotiation.pk, day)
        positions = begin_positions(negotiation, *((compare, to) if compare else (day,)))
        timeline = begin_timeline(
            negotiation, as_of=to or as_of, since=compare, latest=TIMELINE_LATEST
        )
    participations, topics, key_figures = participations(), topics(), key_figures()
    for record in (*topics, *key_figures):
        record.negotiation = negotiation
    positions, timeline = positions(topics), timeline()
    with sent_together():
        evidence = begin_evidence(positions)
        citations = begin_citations(negotiation, key_figures, [entry.record for entry in timeline])
        corrections = begin_corrections(negotiation, key_figures)
    evidence()
    citations()
    if compare:
        changes, current = changes_between(positions, compare, to)
    else:
        changes, current = None, {(p.actor_id, p.topic_id): p for p in positions}
    matrix = negotiation.position_matrix(participations, topics, day, current)
    statements = [entry.record for entry in timeline if entry.kind == "statement"]
    latest = sorted(statements, key=lambda s: (s.stated_on, s.pk), reverse=True)
    context = {
        "negotiation": negotiation,
        "participations": participations,
        "key_figures": key_figures,
        "matrix": matrix,
        "timeline": timeline,
        "latest_statements": latest[:LATEST_STATEMENTS],
        "changes": changes,
        "as_of": as_of,
        "compare": compare,
        "to": to,
        "time_query": _time_query(as_of, compare, to),
        "today": timezone.localdate(),
        "corrections": corrections(),
    }
    return render(request, "tracker/negotiation.html", context)


def _time_query(as_of, compare, to) -> str:
    """``as_of=…`` or ``compare=…&to=…`` for links that keep the reader's point in time."""
    if as_of:
        return urlencode({"as_of": as_of.isoformat()})
    if compare:
        return urlencode({"compare": compare.isoformat(), "to": to.isoformat()})
    return ""


@require_safe
def negotiation_timeline(request: HttpRequest, slug: str) -> HttpResponse:
    """The whole timeline of the talks, oldest first, ``TIMELINE_PER_PAGE`` to a page.

    Takes ``as_of`` or ``compare``/``to`` as the talks page does. Template:
    tracker/timeline.html with ``negotiation``, ``page`` (entries in
    ``page.object_list``), ``as_of``, ``compare``, ``to``, ``time_query``.
    """
    as_of, compare, to = _time_travel(request)
    number = page_number(request)
    negotiation = record_or_gone(request, _TALKS, slug)
    if isinstance(negotiation, HttpResponse):
        return negotiation
    page = negotiation.timeline_page(number, TIMELINE_PER_PAGE, as_of=to or as_of, since=compare)
    attach_citations([entry.record for entry in page.object_list])
    time_query = _time_query(as_of, compare, to)
    context = {
        "negotiation": negotiation,
        "page": page,
        "as_of": as_of,
        "compare": compare,
        "to": to,
        "time_query": time_query,
        "page_query": f"{time_query}&" if time_query else "",
    }
    return render(request, "tracker/timeline.html", context)


# The queries of the topic and milestone pages, by the record's id.


@prepared
def _topic_positions(pk: int) -> QuerySet:
    return (
        Position.objects.public()
        .filter(topic=pk, actor__status=Status.PUBLISHED)
        .select_related("actor")
        .only(
            "topic",
            "stance",
            "summary",
            "basis",
            *date_columns("as_of"),
            "actor__slug",
            "actor__name",
            "actor__short_name",
        )
        .order_by("actor__name", "as_of")
    )


@prepared(plan_per_call=True)
def _topic_statements(pk: int) -> QuerySet:
    return (
        Statement.objects.public()
        .filter(topics=pk)
        .only(*STATEMENT_CARD_COLUMNS)
        .order_by("-stated_on", "-id")[:10]
    )


@prepared
def _milestone_statements(pk: int) -> QuerySet:
    return Statement.objects.public().filter(milestones=pk)


@prepared
def _milestone_events(pk: int) -> QuerySet:
    return Event.objects.public().filter(milestones=pk)


@require_safe
def topic_detail(request: HttpRequest, negotiation_slug: str, slug: str) -> HttpResponse:
    """A topic: each actor's stance over time, as a chart and as a table.

    Template: tracker/topic.html with ``topic``, ``positions`` (oldest first per
    actor), ``chart`` (see views.charts), ``statements``, ``corrections``.
    """
    topic = record_or_gone(request, _TOPIC, negotiation_slug, slug)
    if isinstance(topic, HttpResponse):
        return topic
    positions = _topic_positions(topic.pk)
    # Planned per call, so run apart: sending it with the positions saved nothing.
    statements = _topic_statements(topic.pk)
    with sent_together():
        evidence = begin_evidence(positions)
        citations = begin_citations(topic, positions, statements)
        corrections = begin_corrections(topic, positions)
    evidence()
    citations()
    context = {
        "topic": topic,
        "negotiation": topic.negotiation,
        "positions": positions,
        "chart": stance_chart(topic, positions),
        "statements": statements,
        "corrections": corrections(),
    }
    return render(request, "tracker/topic.html", context)


@require_safe
def milestone_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A step of the talks, with its dates, outcome, statements and events.

    Template: tracker/milestone.html with ``milestone``, ``statements``,
    ``events``, ``corrections``.
    """
    milestone = record_or_gone(request, _MILESTONE, slug)
    if isinstance(milestone, HttpResponse):
        return milestone
    statements = _milestone_statements(milestone.pk)
    events = _milestone_events(milestone.pk)
    attach_citations(milestone, statements, events)
    context = {
        "milestone": milestone,
        "negotiation": milestone.negotiation,
        "statements": statements,
        "events": events,
        "corrections": corrections_for(milestone),
        "today": timezone.localdate(),
    }
    return render(request, "tracker/milestone.html", context)
