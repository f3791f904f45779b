"""Helpers shared by the public views: reading query parameters, records, citations."""

import datetime
import re

from django.core.exceptions import BadRequest
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tracker.models import Citation, Correction, Status

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


def paginate(request: HttpRequest, items, per_page: int) -> Page:
    """The page of ``items`` asked for by ``?page=``; 404 for a page that does not exist."""
    paginator = Paginator(items, per_page)
    try:
        return paginator.page(page_number(request))
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such page.") from error


def record_or_gone(request: HttpRequest, queryset: QuerySet, **lookup) -> Model | HttpResponse:
    """Return the published record, a 410 page for a retracted one, or raise 404.

    Template for the 410: tracker/gone.html, with the record and its corrections.
    """
    # The lookup names one record; unordered, the query skips compiling an ORDER BY.
    record = next(iter(queryset.on_record().filter(**lookup).order_by()[:1]), None)
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


def corrections_for(record: Model, *others) -> list[Correction]:
    """The published corrections of ``record`` and of the records shown with it, newest first.

    ``others`` are records (or lists of them) that live on the record's page,
    such as a talks page's key figures or a topic's positions. One query. Each
    correction gets ``about``: the record it corrects.
    """
    records = [record, *_records(others)]
    by_key = {(r._meta.model_name, r.pk): r for r in records}
    condition = Q()
    for model_name in {key[0] for key in by_key}:
        condition |= Q(
            content_type__app_label="tracker",
            content_type__model=model_name,
            object_id__in=[pk for name, pk in by_key if name == model_name],
        )
    # Few rows: sorted here, newest first, rather than by an ORDER BY.
    corrections = sorted(
        Correction.objects.public().filter(condition).select_related("content_type").order_by(),
        key=lambda correction: (correction.date, correction.pk),
        reverse=True,
    )
    for correction in corrections:
        correction.about = by_key.get((correction.content_type.model, correction.object_id))
    return corrections


def attach_citations(*groups) -> None:
    """Give every record in ``groups`` (records or lists of them) ``public_citations``.

    One query for all of them, whatever their models.
    """
    records = _records(groups)
    found = Citation.objects.public().for_records(*records)
    for record in records:
        record.public_citations = found.get((record._meta.model_name, record.pk), [])


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
