"""Search across every public record, on SQLite (FTS5) or PostgreSQL (full-text search).

One ``SearchDocument`` row stands for one public record: its title, the rest of
its text, a short detail line, its date with precision, its talks and its
address, under the id ``document_id`` gives it (one block of ids per kind).
This module is the only writer of that table:

- ``update_records`` re-indexes records after a save (signals below call it),
  and drops any record the public may no longer see (draft, in review,
  retracted, or hanging off an unpublished parent);
- ``rebuild`` rewrites the whole index (``manage.py rebuild_search_index``).

``search`` answers a query with the backend of the database in use:

- **SQLite:** an external-content FTS5 table ``tracker_search_fts`` mirrors the
  title and body (triggers keep it in step), ranked by bm25, highlighted by
  ``highlight()`` and ``snippet()``;
- **PostgreSQL:** ``SearchTerms`` holds each document's weighted tsvector (GIN
  index) with its kind and dates, matched with ``SearchQuery`` and ranked by
  ``SearchRank``; the page's documents are highlighted by ``SearchHeadline``.

Both backends read a query the same way (``parse_query``): every word or
"quoted phrase" must match, and a ``-word`` must not. The database marks the
matches with two private-use characters; ``marked`` escapes everything else
and only then turns those characters into ``<mark>`` elements.
"""

from __future__ import annotations

import datetime
import functools
import html
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import nh3
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection, transaction
from django.db.models import Count, F, Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.dateparse import parse_date
from django.utils.safestring import SafeString, mark_safe

from tracker.dates import PreciseDate
from tracker.models import (
    Actor,
    Citation,
    Event,
    Milestone,
    Negotiation,
    Participation,
    Position,
    SearchDocument,
    SearchKind,
    SearchTerms,
    Source,
    Statement,
    Topic,
)
from tracker.text import markdown_converter

FTS_TABLE = "tracker_search_fts"
PG_CONFIG = "english"
MAX_QUERY_LENGTH = 200

# Private-use characters the database puts around each match; stripped from
# everything indexed, so only the database's highlighting can produce them.
MARK_START = "\ue000"
MARK_END = "\ue001"
_MARKERS = re.compile(f"[{MARK_START}{MARK_END}]")

# A document's id is its record's id within a block of ids for its kind, so
# that the FTS table alone tells each match's kind: the count per kind and the
# kind filter read ranges of rowids instead of every matching document.
# Statements and sources take the last blocks, as the data generator has
# always numbered them, which keeps the order of equally ranked results.
KIND_BLOCK = 10**12
_KIND_BLOCKS = {
    SearchKind.TALKS: 1,
    SearchKind.ACTOR: 2,
    SearchKind.TOPIC: 3,
    SearchKind.POSITION: 4,
    SearchKind.EVENT: 5,
    SearchKind.MILESTONE: 6,
    SearchKind.STATEMENT: 7,
    SearchKind.SOURCE: 8,
}


def document_id(kind: str, object_id: int) -> int:
    """The id of the search document of record ``object_id`` of ``kind``."""
    if not 0 < object_id < KIND_BLOCK:
        raise ValueError(f"A record id must be between 1 and {KIND_BLOCK - 1}: {object_id}")
    return _KIND_BLOCKS[kind] * KIND_BLOCK + object_id


def kind_ids(kind: str) -> tuple[int, int]:
    """The first and last document id that ``kind`` may have."""
    first = _KIND_BLOCKS[kind] * KIND_BLOCK
    return first, first + KIND_BLOCK - 1


# How many of the best-ranked matches a page of results is chosen from (beyond
# its last row): enough for the matches ranked equal to the page's last.
_RANKED = 128

# What a page of results reads of each document (not its body).
_PAGE_COLUMNS = (
    "id",
    "kind",
    "object_id",
    "title",
    "detail",
    "url",
    "date_label",
    "date_start",
    "date_end",
)


# ---------------------------------------------------------------------------
# Index schema: created by migration 0002, re-checked by rebuild_search_index.

_SQLITE_SCHEMA = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        title, body,
        content='tracker_searchdocument', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert
        AFTER INSERT ON tracker_searchdocument BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete
        AFTER DELETE ON tracker_searchdocument BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update
        AFTER UPDATE ON tracker_searchdocument BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
]
_PG_INDEX = "tracker_search_terms_gin"


def install_schema(conn=None) -> None:
    """Create the database's own search structures if missing (the FTS5 table and its
    triggers, or the GIN index of ``SearchTerms``).

    Django's SQLite migrations rebuild a table to alter it, which drops its
    triggers; ``rebuild_search_index`` calls this again to restore them.
    """
    conn = conn or connection
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for statement in _SQLITE_SCHEMA:
                cursor.execute(statement)
        elif conn.vendor == "postgresql":
            # Even CREATE INDEX IF NOT EXISTS fails in a transaction with pending
            # deferred constraint checks, so look before creating.
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [_PG_INDEX])
            if cursor.fetchone() is None:
                cursor.execute(
                    f"CREATE INDEX {_PG_INDEX} ON tracker_searchterms USING gin (vector)"
                )


def uninstall_schema(conn=None) -> None:
    """Drop SQLite's FTS5 table and triggers (used when migration 0002 is reversed; on
    PostgreSQL the index goes with its table)."""
    conn = conn or connection
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        for suffix in ("insert", "delete", "update"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}")
        cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


# ---------------------------------------------------------------------------
# What each kind of record contributes to the index.


# Text Markdown leaves as it is: letters, digits, whitespace and the punctuation
# of prose, with no line opening a list, a rule or a heading ("1.", "-").
_PROSE = re.compile(r"(?:[^\W_]|[ \t\n.,;:'\"?!()%/$€£@’‘“”…–—-])*")
_MARKUP_LINE = re.compile(r"^[ \t]*(?:\d+\.|-)", re.MULTILINE)


# What is left of rendered Markdown once every tag is dropped (set up once, as
# ``tracker.text`` sets up its own cleaner).
_NO_TAGS = nh3.Cleaner(tags=set())


def plain(text: str) -> str:
    """Editors' Markdown as plain text: no markup, no markers, single spaces.

    Most texts are plain prose, which rendering would only wrap in paragraphs;
    those skip Markdown (half a millisecond each, most of a feed's time).
    """
    if not text:
        return ""
    if _PROSE.fullmatch(text) and not _MARKUP_LINE.search(text):
        return " ".join(text.split())
    rendered = _NO_TAGS.clean(markdown_converter().convert(text))
    return " ".join(_MARKERS.sub("", html.unescape(rendered)).split())


def _clean(*parts: str) -> str:
    return " ".join(_MARKERS.sub("", part).strip() for part in parts if part and part.strip())


def _labelled(label: str, values: list[str], *, name: str = "") -> str:
    """ "Also known as KH; Kataib Hezbollah." from the values that add something to ``name``."""
    values = [value for value in dict.fromkeys(values) if value and value != name]
    return f"{label}: {'; '.join(values)}." if values else ""


def _dates(start: PreciseDate | None, end: PreciseDate | None = None, *, open_ended=False):
    """The fields that place a record in time, from its precise date(s)."""
    if start is None:
        return {"date_label": "", "date_start": None, "date_end": None}
    label = start.label()
    if end is not None:
        label = f"{label} – {end.label()}"
    last = end.end if end is not None else (None if open_ended else start.end)
    return {"date_label": label[:60], "date_start": start.start, "date_end": last}


@dataclass
class Document:
    """A ``SearchDocument`` about to be written, with the ids of its talks."""

    kind: str
    object_id: int
    title: str
    url: str
    body: str = ""
    detail: str = ""
    date_label: str = ""
    date_start: datetime.date | None = None
    date_end: datetime.date | None = None
    talks: set[int] = field(default_factory=set)

    def row(self) -> SearchDocument:
        return SearchDocument(
            id=document_id(self.kind, self.object_id),
            kind=self.kind,
            object_id=self.object_id,
            title=_clean(self.title)[:500],
            body=self.body,
            detail=_clean(self.detail)[:300],
            url=self.url,
            date_label=self.date_label,
            date_start=self.date_start,
            date_end=self.date_end,
        )


def _public_negotiations() -> QuerySet:
    return Negotiation.objects.public()


def _public_topics() -> QuerySet:
    return Topic.objects.public().filter(negotiation__in=_public_negotiations())


def _talks_document(talks: Negotiation, context) -> Document:
    return Document(
        SearchKind.TALKS,
        talks.pk,
        talks.title,
        talks.get_absolute_url(),
        body=plain(talks.summary),
        detail=f"Talks · {talks.get_state_display()}",
        talks={talks.pk},
        **_dates(talks.start_on_display, talks.end_on_display, open_ended=True),
    )


def _actor_document(actor: Actor, context) -> Document:
    return Document(
        SearchKind.ACTOR,
        actor.pk,
        actor.name,
        actor.get_absolute_url(),
        body=_clean(
            _labelled("Also known as", [actor.short_name, *actor.alias_list()], name=actor.name),
            _labelled("Native name", [actor.native_name], name=actor.name),
            plain(actor.description),
        ),
        detail=" · ".join(part for part in (actor.get_kind_display(), actor.country) if part),
        talks=set(context.get(actor.pk, ())),
    )


def _actor_context(pks: Iterable[int] | None) -> dict[int, set[int]]:
    """Each actor's talks, from its participations."""
    rows = Participation.objects.public()
    if pks is not None:
        rows = rows.filter(actor__in=pks)
    talks: dict[int, set[int]] = {}
    for actor_id, negotiation_id in rows.values_list("actor_id", "negotiation_id"):
        talks.setdefault(actor_id, set()).add(negotiation_id)
    return talks


def _topic_document(topic: Topic, context) -> Document:
    return Document(
        SearchKind.TOPIC,
        topic.pk,
        topic.title,
        topic.get_absolute_url(),
        body=_clean(topic.question, plain(topic.description)),
        detail=f"Topic in {topic.negotiation.title}",
        talks={topic.negotiation_id},
    )


def _position_document(position: Position, context) -> Document:
    stance = position.get_stance_display()
    return Document(
        SearchKind.POSITION,
        position.pk,
        f"{position.actor.name} on {position.topic.title}: {stance}",
        position.get_absolute_url(),
        body=_clean(plain(position.summary), position.topic.question),
        detail=f"{stance} · {position.get_basis_display()}",
        talks={position.topic.negotiation_id},
        **_dates(position.as_of_display),
    )


def _statement_document(statement: Statement, context) -> Document:
    speaker = statement.speaker
    speaker_name = speaker.name if speaker is not None and speaker.is_public else ""
    talks = {topic.negotiation_id for topic in statement.topics.all()}
    if statement.negotiation_id:
        talks.add(statement.negotiation_id)
    return Document(
        SearchKind.STATEMENT,
        statement.pk,
        statement.attribution,
        statement.get_absolute_url(),
        body=_clean(
            statement.text,
            statement.original_text,
            speaker_name,
            statement.verification_note,
        ),
        detail=" · ".join(
            (
                statement.get_form_display(),
                statement.get_kind_display(),
                statement.get_verification_display(),
            )
        ),
        talks=talks,
        **_dates(statement.stated_on_display),
    )


def _event_document(event: Event, context) -> Document:
    place = event.place_display()
    return Document(
        SearchKind.EVENT,
        event.pk,
        event.title,
        event.get_absolute_url(),
        body=_clean(
            plain(event.summary),
            _labelled("Place", [", ".join(part for part in (place, event.country) if part)]),
        ),
        detail=" · ".join(part for part in (event.get_kind_display(), place) if part),
        talks={event.negotiation_id} if event.negotiation_id else set(),
        **_dates(event.occurred_on_display),
    )


def _milestone_document(milestone: Milestone, context) -> Document:
    return Document(
        SearchKind.MILESTONE,
        milestone.pk,
        milestone.title,
        milestone.get_absolute_url(),
        body=plain(milestone.outcome),
        detail=f"{milestone.get_kind_display()} · {milestone.get_state_display()}",
        talks={milestone.negotiation_id},
        **_dates(milestone.date_display),
    )


def _source_document(source: Source, context) -> Document:
    return Document(
        SearchKind.SOURCE,
        source.pk,
        source.title,
        source.get_absolute_url(),
        body=_clean(source.outlet, source.authors, source.contributors, plain(source.notes)),
        detail=" · ".join(part for part in (source.outlet, source.get_kind_display()) if part),
        talks=set(context.get(source.pk, ())),
        **_dates(source.published_on_display),
    )


def _source_context(pks: Iterable[int] | None) -> dict[int, set[int]]:
    """Each source's talks: those of the public statements and events that cite it."""
    talks: dict[int, set[int]] = {}
    for model in (Statement, Event):
        cited = Citation.objects.filter(content_type__app_label="tracker")
        cited = cited.filter(content_type__model=model._meta.model_name)
        if pks is not None:
            cited = cited.filter(source__in=pks)
        records = model.objects.public().filter(negotiation__isnull=False)
        by_record = dict(records.values_list("pk", "negotiation_id"))
        for source_id, object_id in cited.values_list("source_id", "object_id"):
            if object_id in by_record:
                talks.setdefault(source_id, set()).add(by_record[object_id])
    return talks


@dataclass(frozen=True)
class Spec:
    """How one kind of record reaches the index."""

    kind: str
    model: type[Model]
    queryset: Callable[[], QuerySet]
    document: Callable[[Model, dict], Document]
    context: Callable[[Iterable[int] | None], dict] = lambda pks: {}


SPECS = [
    Spec(SearchKind.TALKS, Negotiation, _public_negotiations, _talks_document),
    Spec(SearchKind.ACTOR, Actor, lambda: Actor.objects.public(), _actor_document, _actor_context),
    Spec(
        SearchKind.TOPIC,
        Topic,
        lambda: _public_topics().select_related("negotiation"),
        _topic_document,
    ),
    Spec(
        SearchKind.POSITION,
        Position,
        lambda: (
            Position.objects.public()
            .filter(actor__in=Actor.objects.public(), topic__in=_public_topics())
            .select_related("actor", "topic__negotiation")
        ),
        _position_document,
    ),
    Spec(
        SearchKind.STATEMENT,
        Statement,
        lambda: Statement.objects.public().select_related("speaker").prefetch_related("topics"),
        _statement_document,
    ),
    Spec(SearchKind.EVENT, Event, lambda: Event.objects.public(), _event_document),
    Spec(
        SearchKind.MILESTONE,
        Milestone,
        lambda: Milestone.objects.public().filter(negotiation__in=_public_negotiations()),
        _milestone_document,
    ),
    Spec(
        SearchKind.SOURCE,
        Source,
        lambda: Source.objects.public(),
        _source_document,
        _source_context,
    ),
]
SPEC_BY_KIND = {spec.kind: spec for spec in SPECS}
SPEC_BY_MODEL = {spec.model: spec for spec in SPECS}


# ---------------------------------------------------------------------------
# Writing the index.


def _vector() -> SearchVector:
    return SearchVector("title", weight="A", config=PG_CONFIG) + SearchVector(
        "body", weight="B", config=PG_CONFIG
    )


def _write(documents: list[Document]) -> None:
    """Insert documents (their old rows are already gone) with their talks."""
    if not documents:
        return
    rows = SearchDocument.objects.bulk_create([document.row() for document in documents])
    through = SearchDocument.negotiations.through
    links = [
        through(searchdocument_id=row.pk, negotiation_id=talks_id)
        for row, document in zip(rows, documents, strict=True)
        for talks_id in sorted(document.talks)
    ]
    through.objects.bulk_create(links)
    write_terms(SearchDocument.objects.filter(pk__in=[row.pk for row in rows]))


def write_terms(documents: QuerySet) -> None:
    """On PostgreSQL, write the ``SearchTerms`` of ``documents``, which have none yet: their
    kind and dates, and the vector the database makes of their title and body."""
    if connection.vendor != "postgresql":
        return
    # The vector, an expression, last: Django's SQL lists a query's columns before its
    # expressions, whatever order values_list() is given them in.
    columns = documents.order_by().values_list("pk", "kind", "date_start", "date_end", _vector())
    sql, params = columns.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO tracker_searchterms (document_id, kind, date_start, date_end, vector) "
            + sql,
            params,
        )


def _delete(kind: str, pks: Iterable[int] | None) -> None:
    documents = SearchDocument.objects.filter(kind=kind)
    if pks is not None:
        documents = documents.filter(object_id__in=pks)
    SearchDocument.negotiations.through.objects.filter(searchdocument__in=documents).delete()
    documents.delete()


def update_records(model: type[Model], pks: Iterable[int]) -> None:
    """Bring the index up to date for these records of ``model``, and drop non-public ones."""
    spec = SPEC_BY_MODEL.get(model)
    pks = [pk for pk in set(pks) if pk is not None]
    if spec is None or not pks:
        return
    context = spec.context(pks)
    documents = [spec.document(record, context) for record in spec.queryset().filter(pk__in=pks)]
    with transaction.atomic():
        _delete(spec.kind, pks)
        _write(documents)


def rebuild(batch_size: int = 2000) -> dict[str, int]:
    """Rewrite the whole index from the public records; return the count per kind."""
    counts = {}
    with transaction.atomic():
        install_schema()
        SearchDocument.negotiations.through.objects.all().delete()
        SearchDocument.objects.all().delete()
        for spec in SPECS:
            context = spec.context(None)
            batch: list[Document] = []
            counts[spec.kind] = 0
            for record in spec.queryset().order_by("pk").iterator(chunk_size=batch_size):
                batch.append(spec.document(record, context))
                if len(batch) >= batch_size:
                    _write(batch)
                    counts[spec.kind] += len(batch)
                    batch = []
            _write(batch)
            counts[spec.kind] += len(batch)
        if connection.vendor == "sqlite":
            # Re-read the FTS table from the documents, in case its triggers
            # were lost (see install_schema) and it kept rows of deleted ones.
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    return counts


# What else to re-index when a record changes: its title, visibility or talks
# appear in other records' documents.
def _dependents(instance: Model) -> Iterator[tuple[type[Model], list[int]]]:
    if isinstance(instance, Negotiation):
        topics = list(Topic.objects.filter(negotiation=instance).values_list("pk", flat=True))
        yield Topic, topics
        yield Position, list(Position.objects.filter(topic__in=topics).values_list("pk", flat=True))
        yield Milestone, list(instance.milestones.values_list("pk", flat=True))
    elif isinstance(instance, Actor):
        yield Position, list(instance.positions.values_list("pk", flat=True))
        yield Statement, list(instance.statements.values_list("pk", flat=True))
    elif isinstance(instance, Topic):
        yield Position, list(instance.positions.values_list("pk", flat=True))
    elif isinstance(instance, Statement | Event):
        cited = Citation.objects.filter(
            content_type__app_label="tracker",
            content_type__model=instance._meta.model_name,
            object_id=instance.pk,
        )
        yield Source, list(cited.values_list("source_id", flat=True))


def record_changed(record: Model) -> None:
    """Bring the index up to date for ``record`` and the records whose documents show it
    (a save does this itself; a bulk ``update()`` calls it for each record it changed)."""
    update_records(type(record), [record.pk])
    for model, pks in _dependents(record):
        update_records(model, pks)


def _record_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # fixtures load related rows later; run rebuild_search_index afterwards
        return
    record_changed(instance)


def _record_deleted(sender, instance, **kwargs) -> None:
    _delete(SPEC_BY_MODEL[sender].kind, [instance.pk])


def _participation_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        update_records(Actor, [instance.actor_id])


def _citation_changed(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        update_records(Source, [instance.source_id])


def _statement_topics_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # topic.statements.add(...): the statements changed
        update_records(Statement, pk_set or [])
    else:
        update_records(Statement, [instance.pk])


def connect_signals() -> None:
    """Keep the index current; called once from ``TrackerConfig.ready``."""
    for spec in SPECS:
        uid = f"tracker.search.{spec.kind}"
        post_save.connect(_record_saved, sender=spec.model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_record_deleted, sender=spec.model, dispatch_uid=f"{uid}.delete")
    for model, handler in ((Participation, _participation_changed), (Citation, _citation_changed)):
        uid = f"tracker.search.{model._meta.model_name}"
        post_save.connect(handler, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(handler, sender=model, dispatch_uid=f"{uid}.delete")
    m2m_changed.connect(
        _statement_topics_changed,
        sender=Statement.topics.through,
        dispatch_uid="tracker.search.statement_topics",
    )


# ---------------------------------------------------------------------------
# Reading the index.

_TERM = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')


@dataclass(frozen=True)
class ParsedQuery:
    """A reader's query: terms (words or phrases) that must match, and terms that must not."""

    required: tuple[str, ...]
    excluded: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.required)

    def fts5(self) -> str:
        """The query in FTS5 syntax; every term is a quoted string, so none is an operator."""

        def quote(term: str) -> str:
            return '"' + term.replace('"', "") + '"'

        expression = " AND ".join(quote(term) for term in self.required)
        if self.excluded:
            expression = f"({expression}) NOT ({' OR '.join(map(quote, self.excluded))})"
        return expression

    def postgres(self) -> SearchQuery:
        """The same query for PostgreSQL: each term a phrase query, combined with & and ~."""

        def term_query(term: str) -> SearchQuery:
            return SearchQuery(term, search_type="phrase", config=PG_CONFIG)

        query = functools.reduce(operator.and_, map(term_query, self.required))
        for term in self.excluded:
            query &= ~term_query(term)
        return query


def parse_query(text: str) -> ParsedQuery:
    """Split ``text`` into words and "quoted phrases"; a leading minus excludes a term.

    Terms without a letter or digit are dropped: they could only ever match nothing.
    """
    required: list[str] = []
    excluded: list[str] = []
    for minus_phrase, phrase, minus_word, word in _TERM.findall(_MARKERS.sub("", text)):
        term = " ".join((phrase if phrase or minus_phrase else word).split())
        if not re.search(r"\w", term):
            continue
        (excluded if (minus_phrase or minus_word) else required).append(term)
    return ParsedQuery(tuple(dict.fromkeys(required)), tuple(dict.fromkeys(excluded)))


def marked(text: str) -> SafeString:
    """Escape ``text`` and turn the database's match markers into ``<mark>`` elements."""
    escaped = html.escape(text or "")
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


@dataclass
class Hit:
    """One result: the document, its highlighted title and the snippet of its text."""

    document: SearchDocument
    title: SafeString
    snippet: SafeString

    @property
    def kind_label(self) -> str:
        return SearchKind(self.document.kind).label


class Results:
    """The results of one search, sliced lazily so that a Paginator fetches one page only."""

    def __init__(
        self,
        query: ParsedQuery,
        filtered: QuerySet,
        kinds: list[str],
        filters: SearchFilters | None = None,
    ):
        self.query = query
        self._filtered = filtered  # every filter but kind
        self.kinds = kinds
        self._filters = filters or SearchFilters()  # the values ``filtered`` was built from
        self._facets: dict[str, int] | None = None
        self._window = slice(0, 0)  # the rows read with the count on PostgreSQL
        self._rows: list[tuple[SearchDocument, str, str]] = []

    def expect(self, window: slice) -> None:
        """Say which rows a Paginator is going to ask for once it has the count: on
        PostgreSQL they are read in the query that counts the matches."""
        self._window = window

    def _matching(self) -> QuerySet:
        # Joined rather than ``pk IN (SELECT rowid …)``: SQLite then reads each
        # match's document once, by its rowid, without building the list first
        # (a third faster for a word in 70,000 documents).
        return self._filtered.extra(
            tables=[FTS_TABLE],
            where=[f"{FTS_TABLE}.rowid = tracker_searchdocument.id", f"{FTS_TABLE} MATCH %s"],
            params=[self.query.fts5()],
        )

    @property
    def facets(self) -> dict[str, int]:
        """How many results each kind has (filters other than kind applied)."""
        if self._facets is None and connection.vendor == "postgresql":
            self._postgres_read(self._window)  # the count and the expected page
        elif self._facets is None:
            if not self._filtered.query.has_filters():
                counts = self._sqlite_kind_counts()
            else:
                rows = self._matching().order_by().values_list("kind").annotate(n=Count("pk"))
                counts = dict(rows)
            self._facets = {kind: counts[kind] for kind in SearchKind.values if kind in counts}
        return self._facets

    def _sqlite_kind_counts(self) -> dict[str, int]:
        """Matches per kind, counted in the FTS table by ranges of ids."""
        match = self.query.fts5()
        sql = " UNION ALL ".join(
            f"SELECT %s, count(*) FROM {FTS_TABLE}"
            f" WHERE {FTS_TABLE} MATCH %s AND rowid BETWEEN %s AND %s"
            for _ in SearchKind.values
        )
        params = [value for kind in SearchKind.values for value in (kind, match, *kind_ids(kind))]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {kind: n for kind, n in cursor.fetchall() if n}

    def count(self) -> int:
        return sum(n for kind, n in self.facets.items() if not self.kinds or kind in self.kinds)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[Hit]:
        if not self.count():
            return []
        if connection.vendor == "postgresql":
            start, stop = page.start or 0, page.stop
            window = self._window
            if not (start == (window.start or 0) and stop <= window.stop):
                self._postgres_read(slice(start, stop))
            rows = self._rows[: stop - start]
        else:
            rows = self._sqlite_page(page.start or 0, page.stop)
        return [Hit(document, marked(title), marked(snippet)) for document, title, snippet in rows]

    def _documents(self) -> QuerySet:
        """The documents the filters leave, kinds included."""
        if self.kinds:
            return self._filtered.filter(kind__in=self.kinds)
        return self._filtered

    def _postgres_read(self, window: slice) -> None:
        """The count of matches per kind and the rows of ``window`` (by rank, then latest
        date, then id), highlighted, in one query (``_postgres_search_sql``).

        Every match is read from the table to be ranked, once: the matches are
        kept in the query and both counted and ranked from there, rather than
        read again by a second query for the page. Only the page's rows are
        highlighted.
        """
        query, filters = self.query, self._filters
        shape = (
            len(query.required),
            len(query.excluded),
            filters.talks is not None,
            filters.date_from is not None,
            filters.date_to is not None,
            len(self.kinds),
        )
        sql, params = _postgres_search_sql(*shape)
        start = window.start or 0
        values = {
            **{_term_mark("r", n): term for n, term in enumerate(query.required)},
            **{_term_mark("x", n): term for n, term in enumerate(query.excluded)},
            **{_term_mark("k", n): kind for n, kind in enumerate(self.kinds)},
        }
        marks = {
            id(_FROM_MARK): filters.date_from,
            id(_TO_MARK): filters.date_to,
            id(_LIMIT_MARK): window.stop - start,
            id(_OFFSET_MARK): start,
        }

        def value(param):
            if id(param) in marks:
                return marks[id(param)]
            if type(param) is int and param == _TALKS_MARK:
                return filters.talks
            return values.get(param, param) if isinstance(param, str) else param

        with connection.cursor() as cursor:
            cursor.execute(sql, [value(param) for param in params])
            rows = cursor.fetchall()
        kinds, counts = rows[0][:2]
        found = dict(zip(kinds or (), counts or (), strict=True))
        self._facets = {kind: found[kind] for kind in SearchKind.values if kind in found}
        self._window = window
        self._rows = []
        for _kinds, _counts, *columns, title, snippet in rows:
            if columns[0] is not None:
                document = SearchDocument.from_db(connection.alias, _PAGE_COLUMNS, columns)
                self._rows.append((document, title, snippet))

    def _sqlite_page(self, start: int, stop: int) -> list[tuple[SearchDocument, str, str]]:
        """Rows ``start`` to ``stop`` by rank, then latest date, then id, with highlighting.

        Every match has to be ranked, but only the best ``stop + _RANKED`` (by
        rank alone) are kept; those that could reach the page (ranked no worse
        than the ``stop``-th) are looked up for their date, and only the page's
        rows are highlighted. Without filters other than kind the ranking reads
        the FTS table alone. When the matches ranked equal to the ``stop``-th
        run past those kept (``cut_short``), the page is read again from every
        match.
        """
        match = self.query.fts5()
        if self._filtered.query.has_filters():
            documents = self._documents()
            # FTS5's ranking function only works in the query that joins the
            # FTS table, which the ORM cannot express without extra().
            ranked = documents.extra(
                tables=[FTS_TABLE],
                where=[f"{FTS_TABLE}.rowid = tracker_searchdocument.id", f"{FTS_TABLE} MATCH %s"],
                params=[match],
                select={"score": f"bm25({FTS_TABLE}, 10.0, 1.0)"},
            )
            ranked = ranked.order_by().values_list("id", "score")
            ranked_sql, ranked_params = ranked.query.sql_with_params()
        else:
            ranked_sql = (
                f"SELECT rowid AS id, bm25({FTS_TABLE}, 10.0, 1.0) AS score"
                f" FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
            )
            ranked_params = [match]
            if self.kinds:
                ranked_sql += (
                    " AND (" + " OR ".join(["rowid BETWEEN %s AND %s"] * len(self.kinds)) + ")"
                )
                ranked_params += [value for kind in self.kinds for value in kind_ids(kind)]
        columns = ", ".join(f"document.{name}" for name in _PAGE_COLUMNS)
        sql = f"""
            WITH best(id, score) AS ({ranked_sql} ORDER BY score LIMIT %s),
            threshold(score) AS (
                SELECT coalesce((SELECT score FROM best ORDER BY score LIMIT 1 OFFSET %s), 1e308)
            ),
            page AS (
                SELECT best.id, best.score FROM best
                CROSS JOIN tracker_searchdocument AS document ON document.id = best.id
                WHERE best.score <= (SELECT score FROM threshold)
                ORDER BY best.score, document.date_start DESC, document.id
                LIMIT %s OFFSET %s
            )
            SELECT {columns},
                highlight({FTS_TABLE}, 0, %s, %s) AS title_marked,
                snippet({FTS_TABLE}, 1, %s, %s, ' … ', 30) AS snippet_marked,
                (
                    SELECT count(*) FROM best WHERE score <= (SELECT score FROM threshold)
                ) = %s AS cut_short
            FROM page
            CROSS JOIN tracker_searchdocument AS document ON document.id = page.id
            CROSS JOIN {FTS_TABLE} ON {FTS_TABLE}.rowid = page.id
            WHERE {FTS_TABLE} MATCH %s
            ORDER BY page.score, document.date_start DESC, document.id
        """

        def read(kept: int) -> list[tuple]:
            params = [
                *ranked_params,
                kept,
                max(stop - 1, 0),
                stop - start,
                start,
                MARK_START,
                MARK_END,
                MARK_START,
                MARK_END,
                kept,
                match,
            ]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        rows = read(stop + _RANKED)
        if rows and rows[0][-1]:  # cut short
            rows = read(-1)  # every match: SQLite reads a negative LIMIT as none
        # Documents as Django loads them, without a raw query's matching of
        # columns to fields on every call.
        documents = []
        for *values, date_start, date_end, title, snippet, _cut_short in rows:
            values += (_day(date_start), _day(date_end))
            document = SearchDocument.from_db(connection.alias, _PAGE_COLUMNS, values)
            documents.append((document, title, snippet))
        return documents


def _day(value: datetime.date | str | None) -> datetime.date | None:
    """A date column's value as Django's SQLite backend converts it."""
    return parse_date(value) if isinstance(value, str) else value


def search(
    text: str,
    *,
    kinds: Iterable[str] = (),
    talks: Negotiation | int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> Results:
    """Search the public records; filters narrow by kind, talks (or their id) and dates.

    A record matches the date range when the period its date stands for
    overlaps the range; records without a date drop out once a range is set.
    """
    if isinstance(talks, Negotiation):
        talks = talks.pk
    filters = SearchFilters(talks, date_from, date_to)
    return Results(parse_query(text), _filter_documents(filters), list(kinds), filters)


@dataclass(frozen=True)
class SearchFilters:
    """The filters of a search other than kind: a talks' id, and a range of dates."""

    talks: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def _filter_documents(filters: SearchFilters) -> QuerySet:
    """The documents that pass ``filters``."""
    documents = SearchDocument.objects.all()
    if filters.talks is not None:
        documents = documents.filter(negotiations=filters.talks)
    return _within_dates(documents, filters)


def _filter_terms(filters: SearchFilters) -> QuerySet:
    """The ``SearchTerms`` of the documents that pass ``filters``, read without them."""
    terms = SearchTerms.objects.all()
    if filters.talks is not None:
        of_talks = SearchDocument.negotiations.through.objects.filter(negotiation=filters.talks)
        terms = terms.filter(document__in=of_talks.values("searchdocument"))
    return _within_dates(terms, filters)


def _within_dates(rows: QuerySet, filters: SearchFilters) -> QuerySet:
    """``rows`` (documents or their terms) dated within the range of ``filters``."""
    if filters.date_from is not None:
        rows = rows.filter(Q(date_end__gte=filters.date_from) | Q(date_end__isnull=True))
        rows = rows.filter(date_start__isnull=False)
    if filters.date_to is not None:
        rows = rows.filter(date_start__lte=filters.date_to)
    return rows


# Stand-ins for the values of a search in the SQL that ``_postgres_search_sql`` builds
# once per shape of search: terms and kinds as strings of private-use characters
# (which no parsed query holds), the talks' id as an id no record has, and the
# dates, page size and offset as objects known by their identity.
class _Day(datetime.date):
    """A date known by its identity."""


_TALKS_MARK = -(2**40) - 7
_FROM_MARK, _TO_MARK = _Day(1900, 1, 1), _Day(2100, 12, 31)
_LIMIT_MARK, _OFFSET_MARK = object(), object()


def _term_mark(kind: str, n: int) -> str:
    return f"{MARK_START}{MARK_END}{kind}{n}{MARK_END}{MARK_START}"


@functools.cache
def _postgres_search_sql(
    required: int, excluded: int, talks: bool, date_from: bool, date_to: bool, kinds: int
) -> tuple[str, list]:
    """The SQL of a search on PostgreSQL (see ``Results._postgres_read``), with stand-ins
    for its values, built once per shape: how many terms, excluded terms and kinds,
    and which filters. Compiling the search expressions cost Django more than
    running the query.

    The rows: the kinds that match and their counts (in arrays, on every row),
    then each row of the page, or none, as a page past the end has none.
    """
    query = ParsedQuery(
        tuple(_term_mark("r", n) for n in range(required)),
        tuple(_term_mark("x", n) for n in range(excluded)),
    ).postgres()
    filters = SearchFilters(
        _TALKS_MARK if talks else None,
        _FROM_MARK if date_from else None,
        _TO_MARK if date_to else None,
    )
    matches = (
        _filter_terms(filters)
        .filter(vector=query)
        .annotate(rank=SearchRank(F("vector"), query))
        .order_by()
        .values_list("document_id", "kind", "date_start", "rank")
    )
    matches_sql, matches_params = matches.query.sql_with_params()
    kind_marks = [_term_mark("k", n) for n in range(kinds)]
    chosen = f" WHERE kind IN ({', '.join(['%s'] * kinds)})" if kinds else ""
    marks = {"start_sel": MARK_START, "stop_sel": MARK_END, "config": PG_CONFIG}
    page = (
        SearchDocument.objects.filter(pk__in=RawSQL("SELECT id FROM page", ()))
        .annotate(
            rank=SearchRank(F("terms__vector"), query),
            title_marked=SearchHeadline("title", query, highlight_all=True, **marks),
            snippet_marked=SearchHeadline(
                "body",
                query,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
                **marks,
            ),
        )
        .order_by()
        .values_list(*_PAGE_COLUMNS, "rank", "title_marked", "snippet_marked")
    )
    page_sql, page_params = page.query.sql_with_params()
    columns = ", ".join(f"p.{name}" for name in (*_PAGE_COLUMNS, "title_marked", "snippet_marked"))
    sql = f"""
        WITH matches AS MATERIALIZED ({matches_sql}),
        page AS (
            SELECT document_id AS id, rank, date_start FROM matches{chosen}
            ORDER BY rank DESC, date_start DESC NULLS LAST, document_id LIMIT %s OFFSET %s
        )
        SELECT f.kinds, f.counts, {columns}
        FROM (
            SELECT array_agg(kind) AS kinds, array_agg(n) AS counts
            FROM (SELECT kind, count(*) AS n FROM matches GROUP BY kind) AS k
        ) AS f
        LEFT JOIN ({page_sql}) AS p ON TRUE
        ORDER BY p.rank DESC, p.date_start DESC NULLS LAST, p.id
    """
    params = [*matches_params, *kind_marks, _LIMIT_MARK, _OFFSET_MARK, *page_params]
    return sql, params
