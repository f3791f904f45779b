"""Pages of single records: actors, statements, events, sources; and the changes log."""

import datetime
import functools
import html
from functools import partial

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from tracker.caching import kept_for_state
from tracker.dates import PreciseDate, date_columns
from tracker.links import url_builder
from tracker.models import (
    Actor,
    Citation,
    Correction,
    Event,
    EventRole,
    Participation,
    Relationship,
    Source,
    Statement,
)
from tracker.models.base import Status, count_published
from tracker.models.talks import begin_evidence
from tracker.prepared import padded, prepared, sent_together
from tracker.templatetags.parley import precise_date
from tracker.views.common import (
    CITING_KINDS,
    PreparedList,
    attach_citations,
    attach_targets,
    begin_citations,
    begin_corrections,
    corrections_for,
    paginate,
    public_records,
    record_finder,
    record_or_gone,
)
from tracker.views.talks import STATEMENT_CARD_COLUMNS

RECENT_ITEMS = 25

_ACTOR = record_finder(lambda: Actor.objects, "slug")
# Of a statement's speaker, event and talks: whether public, and their links and names.
_STATEMENT_COLUMNS = (
    *(field.attname for field in Statement._meta.concrete_fields),
    "speaker__status", "speaker__slug", "speaker__name",
    "event__status", "event__slug", "event__title", *date_columns("event__occurred_on"),
    "negotiation__status", "negotiation__slug", "negotiation__title",
)  # fmt: skip
_STATEMENT = record_finder(
    lambda: Statement.objects.select_related("speaker", "event", "negotiation").only(
        *_STATEMENT_COLUMNS
    ),
    "pk",
)
_EVENT = record_finder(lambda: Event.objects.select_related("negotiation"), "slug")
_SOURCE = record_finder(lambda: Source.objects, "pk")


# What a record's name and URL need, so the changes log links without extra queries.
_LINK_RELATIONS = {
    "keyfigure": ("negotiation",),
    "topic": ("negotiation",),
    "milestone": ("negotiation",),
    "relationship": ("subject", "object"),
    "position": ("actor", "topic", "topic__negotiation"),
}


# The queries of the actor page, by the actor's id.

# What links an actor and names it (its label is the short name, or else the name).
_ACTOR_LINK = ("slug", "name", "short_name")


@prepared
def _actor_relationships(pk: int) -> QuerySet:
    return (
        Relationship.objects.public()
        .filter(Q(subject=pk) | Q(object=pk))
        .select_related("subject", "object")
        .only(
            "kind",
            "description",
            *date_columns("start_on"),
            *date_columns("end_on"),
            *(f"{side}__{name}" for side in ("subject", "object") for name in _ACTOR_LINK),
        )
        .order_by()
    )


@prepared
def _actor_participations(pk: int) -> QuerySet:
    return (
        Participation.objects.public()
        .filter(actor=pk)
        .select_related("negotiation")
        .only("role", "negotiation__slug", "negotiation__title")
        .order_by("order", "pk")
    )


@prepared
def _actor_positions(pk: int) -> QuerySet:
    return (
        public_records("position")
        .filter(actor=pk)
        .only(
            "actor__name",  # a correction of the position names it by its actor
            "stance",
            "topic_id",
            *date_columns("as_of"),
            "topic__slug",
            "topic__question",
            "topic__order",
            "topic__title",
            "topic__negotiation__slug",
            "topic__negotiation__title",
        )
        .order_by()
    )


@prepared
def _actor_statements(pk: int) -> QuerySet:
    return (
        Statement.objects.public().filter(speaker=pk).only(*STATEMENT_CARD_COLUMNS)[:RECENT_ITEMS]
    )


@prepared
def _actor_event_roles(pk: int) -> QuerySet:
    return (
        EventRole.objects.public()
        .filter(actor=pk)
        .select_related("event")
        .only("role", "event__slug", "event__title", *date_columns("event__occurred_on"))
        .order_by("-event__occurred_on", "event__title")[:RECENT_ITEMS]
    )


@require_safe
def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An actor: profile, native name, aliases, relationships, positions, statements, events.

    Template: tracker/actor.html with ``actor``, ``relationships``,
    ``participations``, ``positions`` (by topic, newest first, ``is_current``
    set), ``statements``, ``event_roles``, ``corrections``.
    """
    actor = record_or_gone(request, _ACTOR, slug)
    if isinstance(actor, HttpResponse):
        return actor
    # What needs only the actor goes to the database together, then what needs that.
    with sent_together():
        relationships = _actor_relationships.later(actor.pk)
        participations = _actor_participations.later(actor.pk)
        positions = _actor_positions.later(actor.pk)
        statements = _actor_statements.later(actor.pk)
        event_roles = _actor_event_roles.later(actor.pk)
    # An actor has few relationships: sorted here, as Relationship.Meta.ordering says,
    # rather than by an ORDER BY over two joins.
    relationships = sorted(relationships(), key=lambda r: (r.subject.name, r.kind, r.object.name))
    # By talks and topic, newest first within a topic; sorted here, since an ORDER BY
    # over two joins costs Django more to build than the query costs to run.
    positions = sorted(
        positions(),
        key=lambda p: (
            p.topic.negotiation.title,
            p.topic.order,
            p.topic.title,
            -p.as_of.toordinal(),
            -p.pk,
        ),
    )
    seen_topics: set[int] = set()
    for position in positions:
        position.is_current = position.topic_id not in seen_topics
        seen_topics.add(position.topic_id)
    statements = statements()
    for statement in statements:
        statement.speaker = actor
    with sent_together():
        evidence = begin_evidence(positions)
        citations = begin_citations(actor, relationships, statements)
        corrections = begin_corrections(actor, relationships, positions)
    evidence()
    citations()
    context = {
        "actor": actor,
        "relationships": relationships,
        "participations": participations(),
        "positions": positions,
        "statements": statements,
        "event_roles": event_roles(),
        "corrections": corrections(),
    }
    return render(request, "tracker/actor.html", context)


# The queries of the statement page, by the statement's id.


@prepared
def _statement_topics(pk: int) -> QuerySet:
    return public_records("topic").filter(statements=pk)


@prepared
def _statement_positions(pk: int) -> QuerySet:
    return (
        public_records("position")
        .filter(evidence=pk)
        .only(
            "stance",
            "actor_id",
            "topic_id",
            *date_columns("as_of"),
            "actor__slug",
            "actor__name",
            "topic__slug",
            "topic__question",
            "topic__negotiation__slug",
        )
    )


@prepared
def _statement_milestones(pk: int) -> QuerySet:
    return public_records("milestone").filter(statements=pk)


@require_safe
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A statement: quote or paraphrase, attribution as reported, channel, date, sources.

    Template: tracker/statement.html with ``statement``, ``speaker``, ``event``
    and ``negotiation`` (each None unless public), ``topics``, ``positions``,
    ``milestones``, ``corrections``.
    """
    statement = record_or_gone(request, _STATEMENT, pk)
    if isinstance(statement, HttpResponse):
        return statement
    topics = _statement_topics(statement.pk)
    positions = _statement_positions(statement.pk)
    milestones = _statement_milestones(statement.pk)
    attach_citations(statement)
    context = {
        "statement": statement,
        "speaker": _if_public(statement.speaker),
        "event": _if_public(statement.event),
        "negotiation": _if_public(statement.negotiation),
        "topics": topics,
        "positions": positions,
        "milestones": milestones,
        "corrections": corrections_for(statement),
    }
    return render(request, "tracker/statement.html", context)


def _if_public(record):
    """The related record when the public may see it, else None."""
    return record if record is not None and record.is_public else None


# The queries of the event page, by the event's id.


@prepared
def _event_roles(pk: int) -> QuerySet:
    return (
        EventRole.objects.public()
        .filter(event=pk)
        .select_related("actor")
        .only("role", "note", "actor__slug", "actor__name")
        .order_by()
    )


@prepared
def _event_accounts(pk: int) -> QuerySet:
    return Statement.objects.public().filter(event=pk).order_by("stated_on", "id")


@prepared
def _event_milestones(pk: int) -> QuerySet:
    return (
        public_records("milestone")
        .filter(events=pk)
        .select_related(None)
        .only("slug", "title")
        .order_by("held_on", "planned_on", "title")
    )


@require_safe
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An event: place, time, actors and roles, and every account of it side by side.

    Template: tracker/event.html with ``event``, ``negotiation``, ``roles``,
    ``accounts``, ``verifications`` (the distinct ones), ``milestones``, ``corrections``.
    """
    event = record_or_gone(request, _EVENT, slug)
    if isinstance(event, HttpResponse):
        return event
    # Few rows: sorted here rather than by an ORDER BY over a join.
    roles = sorted(_event_roles(event.pk), key=lambda role: (role.role, role.actor.name))
    accounts = _event_accounts(event.pk)
    for account in accounts:
        account.event = event
    milestones = _event_milestones(event.pk)
    attach_citations(event, accounts)
    context = {
        "event": event,
        "negotiation": _if_public(event.negotiation),
        "roles": roles,
        "accounts": accounts,
        "verifications": sorted({a.get_verification_display() for a in accounts}),
        "milestones": milestones,
        "corrections": corrections_for(event),
    }
    return render(request, "tracker/event.html", context)


# What a line of the source list shows: the link (the id), title, outlet, kind, date, authors.
_SOURCE_LINE_COLUMNS = ("pk", "title", "outlet", "kind", *date_columns("published_on"), "authors")
_SOURCE_KINDS = {kind: html.escape(str(label)) for kind, label in Source.Kind.choices}
# Where a page's size and offset go among the parameters of ``_sources_page_sql``.
_LIMIT, _OFFSET = object(), object()


@functools.cache
def _sources_page_sql(vendor: str) -> tuple[str, tuple]:
    """The SQL of a page of the source list: the columns of its lines, in the list's order.

    The page's ids are found first, in a subquery that reads the list's index
    alone: skipping the sources before the page there, rather than with each
    row's columns, takes a third less time on the thousandth page. The id ends
    the order as it ends the index, so the order is the model's, ties and all.
    Built once per database: it takes no value of the request.
    """
    # Undated sources last on every database (PostgreSQL would put them first).
    order = (F("published_on").desc(nulls_last=True), "outlet", "title", "pk")
    ids_sql, ids_params = (
        Source.objects.public().order_by(*order).values("pk").query.sql_with_params()
    )
    page = RawSQL(f"{ids_sql} LIMIT %s OFFSET %s", (*ids_params, _LIMIT, _OFFSET))
    lines = Source.objects.filter(pk__in=page).order_by(*order)
    return lines.values_list(*_SOURCE_LINE_COLUMNS).query.sql_with_params()


# Where the first source's date, outlet, title and id go among the parameters of
# ``_sources_after_sql``, and how many rows of each part it reads.
_DAY, _OUTLET, _TITLE, _ID, _READ = (object() for _ in range(5))


@functools.cache
def _sources_after_sql(vendor: str, dated: bool) -> tuple[str, tuple]:
    """The SQL of a window of the source list from a source whose place in the list is
    known (its date, outlet, title and id): the columns of its lines, in the list's order.

    The sources from that one on are, for a dated one, the rest of its day, the
    days before it and the undated sources; for an undated one, the rest of the
    undated. Each part is read from the list's index where it starts, a page's
    worth (``_READ``) at most, rather than by stepping over every source before
    it (on PostgreSQL, 4 ms for the 400th page). Built once per database.
    """
    quote = connection.ops.quote_name
    names = [
        Source._meta.pk.column if name == "pk" else Source._meta.get_field(name).column
        for name in _SOURCE_LINE_COLUMNS
    ]
    columns = ", ".join(quote(name) for name in names)
    day, outlet, title, pk = (quote(name) for name in ("published_on", "outlet", "title", "id"))
    table, status = quote(Source._meta.db_table), quote("status")
    rest = f"({outlet}, {title}, {pk}) >= (%s, %s, %s)"
    after_key = (_OUTLET, _TITLE, _ID)

    def part(condition: str, order: str) -> str:
        return (
            f"SELECT * FROM (SELECT {columns} FROM {table} WHERE {status} = %s AND {condition}"
            f" ORDER BY {order} LIMIT %s) AS part"
        )

    by_name = f"{outlet}, {title}, {pk}"
    newest_first = f"{day} DESC NULLS LAST, {by_name}"
    published = Status.PUBLISHED
    if dated:
        parts = [
            part(f"{day} = %s AND {rest}", by_name),
            part(f"{day} < %s", newest_first),
            part(f"{day} IS NULL", by_name),
        ]
        params = [
            *(published, _DAY, *after_key, _READ),
            *(published, _DAY, _READ),
            *(published, _READ),
        ]
    else:
        parts = [part(f"{day} IS NULL AND {rest}", by_name)]
        params = [published, *after_key, _READ]
    union = " UNION ALL ".join(parts)
    sql = f"SELECT {columns} FROM ({union}) AS after ORDER BY {newest_first} LIMIT %s OFFSET %s"
    return sql, (*params, _LIMIT, _OFFSET)


def _source_rows(window: slice, starts: dict[int, tuple]) -> list[tuple]:
    """The rows of the source list in ``window``, and the first after it when there is one.

    ``starts`` maps places in the list to the key (date, outlet, title, id) of
    the source there, as far as they are known (the view keeps it for the state
    of the data): the window is read from the nearest known place before it
    (``_sources_after_sql``), or from the start of the list when none is. Its
    first source's key and the next one's are added to ``starts``.
    """
    # A copy of the places: another thread may be adding to ``starts``.
    known = max((place for place in list(starts) if place <= window.start), default=None)
    limit = window.stop - window.start + 1
    if known is None:
        sql, params = _sources_page_sql(connection.vendor)
        values = {_LIMIT: limit, _OFFSET: window.start}
    else:
        day, outlet, title, pk = starts[known]
        sql, params = _sources_after_sql(connection.vendor, day is not None)
        skip = window.start - known
        values = {
            _DAY: day,
            _OUTLET: outlet,
            _TITLE: title,
            _ID: pk,
            _READ: skip + limit,
            _LIMIT: limit,
            _OFFSET: skip,
        }
    with connection.cursor() as cursor:
        cursor.execute(sql, [values.get(p, p) if type(p) is object else p for p in params])
        rows = cursor.fetchall()
    for place, row in ((window.start, rows[:1]), (window.stop, rows[limit - 1 : limit])):
        for pk, title, outlet, _kind, day, *_ in row:
            starts[place] = (day, outlet, title, pk)
    return rows[: limit - 1]


def _source_lines(window: slice, starts: dict[int, tuple] | None = None) -> list[str]:
    """The ``<li>`` of each source of the list in ``window``, written with f-strings, each
    value escaped once: the link to its page, title, outlet, kind, date and authors.
    ``starts``: see ``_source_rows``."""
    rows = _source_rows(window, {} if starts is None else starts)
    url = url_builder("tracker:source")
    escape = html.escape
    lines = []
    for pk, title, outlet, kind, day, precision, part_of_day, on_or_before, authors in rows:
        if isinstance(day, str):  # SQLite returns text
            day = datetime.date.fromisoformat(day)
        date = None if day is None else PreciseDate(day, precision, part_of_day, bool(on_or_before))
        by = f" · by {escape(authors)}" if authors else ""
        lines.append(
            f'\n  <li><a href="{escape(url(pk))}"><cite>{escape(title)}</cite></a><br>\n'
            f'<span class="note">{escape(outlet)} · {_SOURCE_KINDS.get(kind) or escape(kind)}'
            f" · {precise_date(date)}{by}</span></li>\n"
        )
    return lines


@require_safe
def source_list(request: HttpRequest) -> HttpResponse:
    """Every public source, newest first, 50 to a page.

    Template: tracker/source_list.html with ``page`` (a Paginator page of the lines'
    HTML) and ``lines`` (those lines joined).
    """
    # Counted once per process and state of the data: PostgreSQL reads an index entry
    # per source to count them (48,000: 5-10 ms).
    key = ("source list count", connection.alias)
    count = partial(kept_for_state, request, key, partial(count_published, Source))
    # Where pages start, as far as known: kept for the state of the data too.
    starts = kept_for_state(request, ("source list starts", connection.alias), dict)
    sources = PreparedList(count, partial(_source_lines, starts=starts))
    page = paginate(request, sources, per_page=50)
    lines = mark_safe("".join(page.object_list))
    return render(request, "tracker/source_list.html", {"page": page, "lines": lines})


# The queries of the source page: its citations, by the source's id, and the records
# of each kind that cite it, by their ids.


@prepared
def _source_citations(pk: int) -> QuerySet:
    return (
        Citation.objects.public()
        .filter(source_id=pk, content_type__app_label="tracker")
        .select_related("source", "content_type")
        .order_by("pk")
    )


_CITED = {
    kind: prepared(lambda pks, kind=kind: public_records(kind).filter(pk__in=pks))
    for kind in CITING_KINDS
}


@require_safe
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A source and every public record that cites it, each with the locator.

    Template: tracker/source.html with ``source``, ``cited_by`` (a list of
    (kind label, records) with ``locators`` on each record), ``corrections``.
    """
    # One query says which records cite the source, where, and (when any does) what
    # the source is; then one query per kind of record that cites it.
    citations = _source_citations(pk)
    source = citations[0].source if citations else record_or_gone(request, _SOURCE, pk)
    if isinstance(source, HttpResponse):
        return source
    locators: dict[str, dict[int, list[str]]] = {}
    for citation in citations:
        kind = locators.setdefault(citation.content_type.model, {})
        found = kind.setdefault(citation.object_id, [])
        if citation.locator:
            found.append(citation.locator)
    cited_by = []
    for kind in CITING_KINDS:
        if kind not in locators:
            continue
        records = _CITED[kind](padded(locators[kind]))
        for record in records:
            record.locators = locators[kind][record.pk]
        if records:
            cited_by.append((records[0]._meta.verbose_name_plural, records))
    context = {"source": source, "cited_by": cited_by, "corrections": corrections_for(source)}
    return render(request, "tracker/source.html", context)


# The queries of the changes log: a page of corrections, and the records they correct.


@prepared
def _corrections_page(window: slice) -> QuerySet:
    return Correction.objects.public().select_related("content_type")[window]


@prepared
def _corrected(pks: list[int], *, model) -> QuerySet:
    related = _LINK_RELATIONS.get(model._meta.model_name, ())
    records = model.objects.on_record().filter(pk__in=pks).select_related(*related)
    if model is Statement:  # the most corrected kind: what its link and name need
        records = records.only("status", "attribution", "text")
    return records


@require_safe
def changes(request: HttpRequest) -> HttpResponse:
    """The public log of corrections, newest first, each linked to its record.

    Template: tracker/changes.html with ``page``; each correction on it has
    ``target`` (its record, published or retracted) or None.
    """
    corrections = PreparedList(Correction.objects.public().count, _corrections_page)
    page = paginate(request, corrections, per_page=50)
    attach_targets(page.object_list, _corrected)
    return render(request, "tracker/changes.html", {"page": page})
