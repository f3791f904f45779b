"""Helpers shared by the public views: reading query parameters, records, citations."""

import datetime
import re
from collections.abc import Callable
from operator import itemgetter

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import BadRequest
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Model, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tracker.dates import date_columns, stored_date
from tracker.links import page_url
from tracker.models import Citation, Correction, Status
from tracker.models.sources import citation_sort_key
from tracker.prepared import padded, prepared

# Time travel reaches back to the first year any source could plausibly
# describe and forward to a year no reader needs; outside that, a date is
# a typo or an attack, and gets a 400.
EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2100, 12, 31)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(request: HttpRequest, name: str) -> datetime.date | None:
    """Read the ``YYYY-MM-DD`` query parameter ``name``; None when absent or empty.

    Anything else (an impossible date such as 2024-02-30, another format,
    a date outside 1900–2100) raises ``BadRequest``, which the site answers
    with its 400 page.
    """
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if not _ISO_DAY.fullmatch(raw):
        raise BadRequest(f"“{name}” must be a date written YYYY-MM-DD.")
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError as error:
        raise BadRequest(f"“{raw}” is not a date in the calendar.") from error
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise BadRequest(f"“{name}” must fall between {EARLIEST_DAY:%Y} and {LATEST_DAY:%Y}.")
    return day


def page_number(request: HttpRequest, parameter: str = "page") -> int:
    """The number in ``?page=`` (1 without one); 404 for anything but a page number."""
    raw = request.GET.get(parameter, "1")
    if not raw.isdigit() or len(raw) > 6:
        raise Http404("No such page.")
    return int(raw)


class PreparedList:
    """A list a ``Paginator`` pages through with prepared queries: ``count`` (a function)
    counts it, ``rows`` (a prepared function of a slice) reads one page of it."""

    def __init__(self, count: Callable[[], int], rows: Callable[[slice], list]):
        self._count = count
        self.rows = rows

    def count(self) -> int:
        return self._count()

    def __getitem__(self, window: slice) -> list:
        return self.rows(window)


def paginate(request: HttpRequest, items, per_page: int) -> Page:
    """The page of ``items`` asked for by ``?page=``; 404 for a page that does not exist."""
    paginator = Paginator(items, per_page)
    try:
        return paginator.page(page_number(request))
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such page.") from error


def record_finder(queryset: Callable[[], QuerySet], *fields: str) -> Callable[..., list]:
    """A prepared query (tracker.prepared) for ``record_or_gone``: the published or
    retracted record of ``queryset()`` whose ``fields`` have the values it is called with."""

    @prepared
    def find(*values):
        lookup = dict(zip(fields, values, strict=True))
        # The lookup names one record; unordered, the query skips compiling an ORDER BY.
        return queryset().on_record().filter(**lookup).order_by()[:1]

    return find


def record_or_gone(
    request: HttpRequest, find: Callable[..., list], *values
) -> Model | HttpResponse:
    """Return the published record ``find(*values)`` finds (see ``record_finder``), a 410
    page for a retracted one, or raise 404.

    Template for the 410: tracker/gone.html, with the record and its corrections.
    """
    record = next(iter(find(*values)), None)
    if record is None:
        raise Http404("No such record.")
    if not record.is_public:
        context = {
            "record": record,
            "kind": record._meta.verbose_name,
            "corrections": corrections_for(record),
        }
        return render(request, "tracker/gone.html", context, status=410)
    return record


def _records(groups) -> list[Model]:
    """Flatten records and lists of records, dropping Nones."""
    records = []
    for group in groups:
        if group is None:
            continue
        if isinstance(group, Model):
            records.append(group)
        else:
            records.extend(record for record in group if record is not None)
    return records


def _kinds(records: list[Model]) -> list:
    """``records`` as arguments of ``records_of``: model name, pks, model name, pks, …"""
    groups: dict[str, set] = {}
    for record in records:
        groups.setdefault(record._meta.model_name, set()).add(record.pk)
    # Every kind's ids padded to one length: the SQL then has one shape per number of
    # kinds and length, not one per mix of lengths, which pages of a kind seldom repeat.
    length = max(map(len, groups.values()), default=1)
    kinds = []
    for model_name in sorted(groups):
        kinds += [model_name, padded(groups[model_name], length)]
    return kinds


def records_of(kinds: tuple) -> Q:
    """The records named by ``kinds`` (see ``_kinds``), through a citation's or
    correction's content type and object id.

    Finds the content type by its name in a subquery rather than by its id, so the
    query count never depends on ContentType's cache; and not through a join, for
    which PostgreSQL's generic plan scanned every citation of a content type.
    """
    condition = Q()
    for model_name, pks in zip(kinds[::2], kinds[1::2], strict=True):
        content_type = ContentType.objects.filter(app_label="tracker", model=model_name)
        condition |= Q(content_type=Subquery(content_type.values("pk")), object_id__in=pks)
    return condition


@prepared
def _corrections(*kinds) -> QuerySet:
    return (
        Correction.objects.public()
        .filter(records_of(kinds))
        .select_related("content_type")
        .order_by()
    )


def corrections_for(record: Model, *others) -> list[Correction]:
    """The published corrections of ``record`` and of the records shown with it, newest first.

    ``others`` are records (or lists of them) that live on the record's page,
    such as a talks page's key figures or a topic's positions. One query. Each
    correction gets ``about``: the record it corrects.
    """
    return begin_corrections(record, *others)()


def begin_corrections(record: Model, *others) -> Callable[[], list[Correction]]:
    """``corrections_for`` begun (see ``tracker.prepared.sent_together``); calling the
    result reads them."""
    records = [record, *_records(others)]
    by_key = {(r._meta.model_name, r.pk): r for r in records}
    found = _corrections.later(*_kinds(records))

    def read() -> list[Correction]:
        # Few rows: sorted here, newest first, rather than by an ORDER BY.
        corrections = sorted(
            found(), key=lambda correction: (correction.date, correction.pk), reverse=True
        )
        for correction in corrections:
            correction.about = by_key.get((correction.content_type.model, correction.object_id))
        return corrections

    return read


def attach_targets(corrections: list[Correction], read: Callable[..., list]) -> None:
    """Give each correction ``target``: its record while on file (published or
    retracted), else None. ``read(pks, model=…)`` is a prepared query of the records
    of one model by their padded ids; one query per kind of record corrected."""
    wanted: dict[type, set] = {}
    for correction in corrections:
        model = correction.content_type.model_class()
        if model is not None and hasattr(model.objects, "on_record"):
            wanted.setdefault(model, set()).add(correction.object_id)
    found = {}
    for model, pks in wanted.items():
        for record in read(padded(pks), model=model):
            found[(model, record.pk)] = record
    for correction in corrections:
        model = correction.content_type.model_class()
        correction.target = found.get((model, correction.object_id))


@prepared
def _citations(*kinds) -> QuerySet:
    # What a page shows of a citation: the source's link, outlet and date, and the
    # locator, as rows after the cited record's model and id. Sorted in Python rather
    # than in SQL, where Django's ORDER BY over a join costs more than the query.
    return (
        Citation.objects.public()
        .filter(records_of(kinds))
        .order_by()
        .values_list(
            "content_type__model", "object_id", "id", "locator", "source_id", "source__outlet",
            *date_columns("source__published_on"),
        )
    )  # fmt: skip


class CitedSource:
    """A cited source as pages show it: its address, outlet and date."""

    __slots__ = ("outlet", "pk", "published_on_display")

    def __init__(self, pk: int, outlet: str, published_on_display):
        self.pk = pk
        self.outlet = outlet
        self.published_on_display = published_on_display

    def get_absolute_url(self) -> str:
        return page_url("tracker:source", self.pk)


class Cited:
    """A published source behind a record, as pages show it (the ``citations`` tag):
    the source and where in it to look. Read as values: a talks page shows forty or
    more, and two records each cost more than their query."""

    __slots__ = ("locator", "pk", "source")

    def __init__(self, pk: int, locator: str, source: CitedSource):
        self.pk = pk
        self.locator = locator
        self.source = source


def attach_citations(*groups) -> None:
    """Give every record in ``groups`` (records or lists of them) ``public_citations``,
    each a ``Cited``, oldest source first (undated sources last). One query for all
    of them, whatever their models."""
    begin_citations(*groups)()


def begin_citations(*groups) -> Callable[[], None]:
    """``attach_citations`` begun (see ``tracker.prepared.sent_together``); calling the
    result reads the citations and gives them to the records."""
    records = _records(groups)
    rows = _citations.rows_later(*_kinds(records)) if records else list

    def attach() -> None:
        found: dict[tuple, list] = {}
        for model, object_id, pk, locator, source_id, outlet, *published in rows():
            order = citation_sort_key(published[0], source_id, pk)
            cited = Cited(pk, locator, CitedSource(source_id, outlet, stored_date(*published)))
            found.setdefault((model, object_id), []).append((order, cited))
        in_order = {
            key: [cited for _, cited in sorted(pairs, key=itemgetter(0))]
            for key, pairs in found.items()
        }
        for record in records:
            record.public_citations = in_order.get((record._meta.model_name, record.pk), [])

    return attach


def public_records(model_name: str) -> QuerySet:
    """Public records of the kind ``model_name`` (e.g. "statement"), ready to list and link.

    Records that hang off talks (topics, key figures, milestones) are public
    only while their talks are, and a position only while its actor and topic are.
    """
    from tracker.models import (
        Actor,
        Event,
        KeyFigure,
        Milestone,
        Negotiation,
        Position,
        Relationship,
        Source,
        Statement,
        Topic,
    )

    # Joins on the status of the record hung from, not ``__in`` subqueries: SQLite
    # plans a subquery per row and took 90 ms for a page of positions at scale.
    published = Status.PUBLISHED
    querysets = {
        "negotiation": lambda: Negotiation.objects.public(),
        "keyfigure": lambda: (
            KeyFigure.objects.public()
            .filter(negotiation__status=published)
            .select_related("negotiation")
        ),
        "topic": lambda: (
            Topic.objects.public()
            .filter(negotiation__status=published)
            .select_related("negotiation")
        ),
        "milestone": lambda: (
            Milestone.objects.public()
            .filter(negotiation__status=published)
            .select_related("negotiation")
        ),
        "actor": lambda: Actor.objects.public(),
        "relationship": lambda: Relationship.objects.public().select_related("subject", "object"),
        "position": lambda: (
            Position.objects.public()
            .filter(
                actor__status=published,
                topic__status=published,
                topic__negotiation__status=published,
            )
            .select_related("actor", "topic", "topic__negotiation")
        ),
        "statement": lambda: Statement.objects.public(),
        "event": lambda: Event.objects.public(),
        "source": lambda: Source.objects.public(),
    }
    return querysets[model_name]()


# The kinds of record a source can be cited by, in the order a source page lists them.
CITING_KINDS = (
    "negotiation",
    "keyfigure",
    "topic",
    "actor",
    "relationship",
    "position",
    "statement",
    "event",
    "milestone",
)
