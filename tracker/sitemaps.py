"""What crawlers are told: /sitemap.xml (one section per record kind) and /robots.txt."""

import datetime
import functools
import html
import math
import re
from functools import partial

from django.contrib.sitemaps import Sitemap
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import DateField, DateTimeField, F, Func, IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from tracker.caching import kept_for_state
from tracker.links import url_builder
from tracker.models.base import published_count_sql
from tracker.views.common import page_number, public_records


class PagesSitemap(Sitemap):
    """The pages that list records rather than show one."""

    changefreq = "daily"

    def items(self) -> list[str]:
        return ["tracker:home", "tracker:sources", "tracker:changes"]

    def entries(self, origin: str, number: int) -> list[str]:
        """The ``<url>`` elements of page ``number`` (from 1), each address after ``origin``."""
        start = (number - 1) * self.limit
        return [
            f"<url><loc>{html.escape(origin + self.location(item))}</loc>"
            f"<changefreq>{self.changefreq}</changefreq></url>"
            for item in self.items()[start : start + self.limit]
        ]

    def location(self, item: str) -> str:
        return reverse(item)


# Each kind's page and the columns its address is built from.
ROUTES = {
    "negotiation": ("tracker:negotiation", ["slug"]),
    "topic": ("tracker:topic", ["negotiation__slug", "slug"]),
    "actor": ("tracker:actor", ["slug"]),
    "statement": ("tracker:statement", ["pk"]),
    "event": ("tracker:event", ["slug"]),
    "milestone": ("tracker:milestone", ["slug"]),
    "source": ("tracker:source", ["pk"]),
}


def _records(model_name: str) -> QuerySet:
    """The public records of a kind, by id."""
    return public_records(model_name).select_related(None).order_by("pk")


class RecordSitemap(Sitemap):
    """Every public record of one kind, with its last change as ``lastmod``.

    A new instance serves each request (``SITEMAPS`` holds factories), so the
    count and latest change read once per request are never stale.
    """

    limit = 1000  # URLs per sitemap page; a kind with more is split into ?p= pages

    def __init__(self, model_name: str):
        self.model_name = model_name

    def items(self):
        """Rows of the columns the kind's addresses are built from, then the day of the last change.

        The day (in UTC, as the database keeps times) is all a sitemap shows,
        and reading a date costs less than a time with its zone, on a page of
        a thousand rows.
        """
        _, columns = ROUTES[self.model_name]
        return _records(self.model_name).values_list(*columns, Cast("updated_at", DateField()))

    @cached_property
    def _url(self):
        name, columns = ROUTES[self.model_name]
        return url_builder(name, len(columns))

    def location(self, item) -> str:
        return self._url(*item[:-1])

    def lastmod(self, item):
        return item[-1]

    @cached_property
    def _totals(self) -> dict:
        """How many records, and their latest change, in one query (``_totals_sql``)."""
        return _read_totals((self.model_name,))[self.model_name]

    def entries(self, origin: str, number: int, starts: dict | None = None) -> list[str]:
        """The ``<url>`` elements of page ``number`` (from 1), each address after ``origin``.

        One query (``_page_sql``) read through the cursor, and the addresses
        joined from the route's pieces: Django's iterable and a call per
        address cost more than the rest of the request on a page of a thousand.

        ``starts`` maps page numbers to the id their page starts at, as far as
        they are known (the view keeps it for the state of the data). The page
        is found from the nearest page before it whose start is known, rather
        than from the first record: a crawler reading the pages in turn then
        costs a page of rows each, not every row before the page too
        (PostgreSQL read the status of 149,000 statements to find the 150th
        page, 120 ms). Its own start and the next page's are added to ``starts``.
        """
        name, columns = ROUTES[self.model_name]
        starts = {} if starts is None else starts
        # A copy of the pages: another thread may be adding to ``starts``.
        known = max((page for page in list(starts) if page <= number), default=1)
        first = starts.get(known, _BEFORE_ALL)
        values = {_FIRST: first, _OFFSET: (number - known) * self.limit}
        sql, params = _page_sql(self.model_name, self.limit, connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(sql, [values.get(param, param) for param in params])
            rows = cursor.fetchall()
        if rows:
            starts[number] = rows[0][0]
        if len(rows) > self.limit:  # the first row of the next page
            starts[number + 1] = rows.pop()[0]
        rows = [row[1:] for row in rows]
        build = url_builder(name, len(columns))
        # Digits, which reverse() and XML both leave as they are, mark the arguments.
        marker = "987654321000"
        pieces = build(*[marker] * len(columns)).split(marker)
        first, *rest = (html.escape(piece) for piece in pieces)
        first = f"<url><loc>{html.escape(origin)}{first}"

        def entry(arguments: list, day) -> str:
            if all(type(value) is int or _PLAIN.fullmatch(value) for value in arguments):
                parts = [first]
                for value, piece in zip(arguments, rest, strict=True):
                    parts += (str(value), piece)
                location = "".join(parts)
            else:  # quoted as reverse() quotes it, then escaped for XML
                location = f"<url><loc>{html.escape(origin + build(*arguments))}"
            lastmod = "" if day is None else f"<lastmod>{day}</lastmod>"
            return f"{location}</loc>{lastmod}</url>"

        if len(columns) > 1:
            return [entry(arguments, day) for *arguments, day in rows]
        # The usual address: one id or slug, and a day.
        last = rest[0]
        return [
            f"{first}{value}{last}</loc><lastmod>{day}</lastmod></url>"
            if day is not None and (type(value) is int or _PLAIN.fullmatch(value))
            else entry([value], day)
            for value, day in rows
        ]

    @property
    def paginator(self) -> Paginator:
        """Django's paginator, told the count read with the latest change (one query for both)."""
        paginator = Paginator(self._items(), self.limit)
        paginator.__dict__["count"] = self._totals["count"]
        return paginator

    @property
    def num_pages(self) -> int:
        """``paginator.num_pages`` from the count alone: Django's paginator builds a
        queryset to be handed the count."""
        return max(1, math.ceil(self._totals["count"] / self.limit))

    def get_latest_lastmod(self):
        """The newest change of the kind, in the query that counts it."""
        return self._totals["latest"]


# Kinds whose public records are those of their own status alone (no talks to be
# published too): their count comes from ``published_count_sql``.
_STATUS_ALONE = {"negotiation", "actor", "statement", "event", "source"}


def _read_totals(model_names: tuple[str, ...]) -> dict[str, dict]:
    """Each kind's count of public records and latest change, in one query (``_totals_sql``)."""
    sql, params = _totals_sql(model_names, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    totals = {}
    for number, model_name in enumerate(model_names):
        count, latest = row[2 * number : 2 * number + 2]
        if isinstance(latest, str):  # SQLite returns text
            latest = parse_datetime(latest)
        if latest is not None and timezone.is_naive(latest):
            latest = timezone.make_aware(latest, datetime.UTC)
        totals[model_name] = {"count": count, "latest": latest}
    return totals


@functools.cache
def _totals_sql(model_names: tuple[str, ...], vendor: str) -> tuple[str, tuple]:
    """The SQL that counts the public records of each kind and finds their latest change.

    Two scalar subqueries a kind rather than ``aggregate(Count, Max)``: each is
    answered from an index on its own, where the pair read every row (500 ms for
    the statements of a 200,000-statement database on SQLite), and every kind's
    in one statement, as the sitemap index needs them all. Built once per set
    of kinds and database: it takes no value of the request.
    """
    columns, params = [], []
    for model_name in model_names:
        items = RecordSitemap(model_name).items().order_by()
        if model_name in _STATUS_ALONE:
            count_sql, count_params = published_count_sql(items.model, connection)
        else:
            # COUNT(*), not COUNT(id): SQLite then counts index entries without
            # reading the id of each (9 ms rather than 14 for 190,000 statements).
            count_sql, count_params = items.values(
                n=Func(template="COUNT(*)", output_field=IntegerField())
            ).query.sql_with_params()
        latest_sql, latest_params = items.values(
            latest=Func(F("updated_at"), function="MAX", output_field=DateTimeField())
        ).query.sql_with_params()
        columns += [f"({count_sql})", f"({latest_sql})"]
        params += [*count_params, *latest_params]
    return f"SELECT {', '.join(columns)}", tuple(params)


# Where the id a page is found from, and how many records after it the page starts,
# go among the parameters of ``_page_sql``; the id before all others (ids are positive).
_FIRST, _OFFSET = object(), object()
_BEFORE_ALL = 0


@functools.cache
def _page_sql(model_name: str, limit: int, vendor: str) -> tuple[str, tuple]:
    """The SQL of one page of a kind's records, each row's id first: ``limit`` rows, and
    the first of the next page, from an offset (``_OFFSET``) after an id (``_FIRST``).

    The page starts at the id found at the offset in a query of ids alone:
    the database skips the rows before it in an index (the status and id
    of statements) rather than reading each of them from the table for its
    date (statements' last page: 9.6 ms → 6.1 ms on SQLite). Built once per
    kind, page size and database.
    """
    records = _records(model_name)
    ids = records.filter(pk__gte=RawSQL("%s", (_FIRST,))).values("pk")
    ids_sql, ids_params = ids.query.sql_with_params()
    first = RawSQL(f"{ids_sql} LIMIT 1 OFFSET %s", (*ids_params, _OFFSET))
    _, columns = ROUTES[model_name]
    rows = records.values_list("pk", *columns, Cast("updated_at", DateField()))
    return rows.filter(pk__gte=first)[: limit + 1].query.sql_with_params()


# Arguments of an address that reverse() leaves unquoted and XML unescaped (slugs, ids).
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")


# Positions, key figures and relationships have no page of their own: they
# are read on their topic, talks and actor pages.
SITEMAPS = {
    "pages": PagesSitemap,
    "talks": partial(RecordSitemap, "negotiation"),
    "topics": partial(RecordSitemap, "topic"),
    "actors": partial(RecordSitemap, "actor"),
    "statements": partial(RecordSitemap, "statement"),
    "events": partial(RecordSitemap, "event"),
    "milestones": partial(RecordSitemap, "milestone"),
    "sources": partial(RecordSitemap, "source"),
}


@require_safe
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """/sitemap.xml: every page of every section, with the section's latest change.

    The same XML, byte for byte, as ``django.contrib.sitemaps.views.index``
    (tests/test_sitemap.py compares them), written directly: Django renders a
    template block for each of the index's two hundred pages, which cost
    more than the whole rest of the request. Every kind is counted in one
    query, and its pages reckoned from the count (``num_pages``) rather than
    by Django's paginator, which builds the kind's queryset to be handed it.
    """
    domain = get_current_site(request).domain
    sections = {section: factory() for section, factory in SITEMAPS.items()}
    kinds = [sitemap for sitemap in sections.values() if isinstance(sitemap, RecordSitemap)]
    model_names = tuple(sitemap.model_name for sitemap in kinds)
    # Counted once per process and state of the data: PostgreSQL reads an index
    # entry per record to count them (190,000 statements: 10-25 ms).
    key = ("sitemap totals", model_names, connection.alias)
    totals = kept_for_state(request, key, partial(_read_totals, model_names))
    for sitemap in kinds:
        sitemap.__dict__["_totals"] = totals[sitemap.model_name]
    section_url = url_builder("tracker:sitemap_section")
    entries = []
    changes = []
    for section, sitemap in sections.items():
        protocol = sitemap.protocol or request.scheme
        location = html.escape(f"{protocol}://{domain}{section_url(section)}")
        lastmod = sitemap.get_latest_lastmod()
        changes.append(lastmod)
        tail = "</sitemap>"
        if lastmod:
            tail = f"<lastmod>{_isoformat(lastmod)}</lastmod></sitemap>"
        entries.append(f"<sitemap><loc>{location}</loc>{tail}")
        if isinstance(sitemap, RecordSitemap):
            pages = sitemap.num_pages
        else:
            pages = sitemap.paginator.num_pages
        for page in range(2, pages + 1):
            entries.append(f"<sitemap><loc>{location}?p={page}</loc>{tail}")
    body = "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
            "".join(entries),
            "</sitemapindex>",
            "",
        ]
    )
    response = HttpResponse(body, content_type="application/xml")
    if changes and all(change is not None for change in changes):
        latest = max(_aware(change) for change in changes)
        response["Last-Modified"] = http_date(latest.timestamp())
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response


def _isoformat(value: datetime.date) -> str:
    """A date or time as the template filter ``date:"c"`` writes it (local time)."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.isoformat()


def _aware(value: datetime.date) -> datetime.datetime:
    """A date or time as an aware datetime, as Django's index compares them."""
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time.min)
    return timezone.make_aware(value, datetime.UTC) if timezone.is_naive(value) else value


@require_safe
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """One page (``?p=``) of one section of the sitemap; 404 for anything else.

    A page past the end is found empty rather than by counting the section
    first (counting 200,000 statements costs more than listing a page of them).

    The XML is written directly: Django's sitemap view builds a dictionary and
    renders a template block for every one of a page's thousand addresses,
    which cost 0.2 s a page.
    """
    factory = SITEMAPS.get(section)
    if factory is None:
        raise Http404("No such sitemap.")
    number = page_number(request, "p")
    sitemap = factory()
    origin = request.build_absolute_uri("/").removesuffix("/")
    entries = []
    if isinstance(sitemap, RecordSitemap) and number:
        # Where the pages start, as far as known: kept for the state of the data.
        key = ("sitemap page starts", sitemap.model_name, sitemap.limit, connection.alias)
        entries = sitemap.entries(origin, number, kept_for_state(request, key, dict))
    elif number:
        entries = sitemap.entries(origin, number)
    if not entries and number != 1:
        raise Http404("No such sitemap page.")
    body = "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
            *entries,
            "</urlset>",
            "",
        ]
    )
    response = HttpResponse(body, content_type="application/xml")
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """/robots.txt: crawl everything public, not the admin or search, and find the sitemap."""
    sitemap = request.build_absolute_uri(reverse("tracker:sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "",
        f"Sitemap: {sitemap}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
