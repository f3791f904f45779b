"""The API's endpoints: read-only viewsets over ``.public()`` querysets.

Each list costs a fixed number of queries whatever the page size: related
records are selected or prefetched, citations and lists of linked ids are read
once for the whole page, and every read of a link, a citation or a related
record goes through that model's own ``.public()``. Lists have a stable order
ending in the id, so paging never skips or repeats a record.
"""

import datetime
import functools
import operator
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from typing import NamedTuple, TypeVar

from csp.decorators import csp_update
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import router
from django.db.models import Count, F, Func, IntegerField, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, JsonResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from tracker.api import filters, serializers
from tracker.api.pagination import Pagination
from tracker.api.renderers import JSONRenderer
from tracker.caching import kept_for_state
from tracker.dates import PreciseDateDescriptor
from tracker.links import page_url
from tracker.models import (
    Actor,
    Citation,
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
)
from tracker.models.base import count_published
from tracker.models.sources import citation_sort_key
from tracker.prepared import padded, prepared, sent_together

NOT_FOUND = OpenApiResponse(
    serializers.ErrorSerializer, description="No public record with that id, or no such page."
)
BAD_PARAMETER = OpenApiResponse(
    serializers.ValidationErrorSerializer,
    description="A query parameter was malformed; the body names it and says why.",
)


RECORD_ID = OpenApiParameter(
    "id",
    {"type": "integer", "minimum": 1},
    OpenApiParameter.PATH,
    description="The record's id, as in the list's `id` field.",
)


# Each list reads only the columns its serializer writes (the id always comes too):
# Django compiles, fetches and converts every selected column of every joined
# model, and that, not the database, was most of a page's time.
RECORD = ["published_at", "updated_at"]


def _dates(*names: str) -> list[str]:
    """The four columns of each precise date in ``names`` (see ``tracker.dates``)."""
    return [
        f"{name}{part}"
        for name in names
        for part in ("", "_precision", "_part_of_day", "_on_or_before")
    ]


def statuses(*relations: str) -> dict[str, F]:
    """Annotations reading each related record's status into ``<relation>_status``.

    The serializers need only that to write a reference (``public_reference``):
    a join reads it without making a model of each related record, which
    selecting them cost (~1 ms for the three of each of 50 statements).
    """
    return {f"{relation}_status": F(f"{relation}__status") for relation in relations}


def _public(relation: str, queryset: QuerySet) -> Prefetch:
    """Prefetch ``relation`` through ``queryset`` into the list ``public_<relation>``.

    A plain list, not the relation's manager: Django builds no queryset per
    record for it, which costs ~0.2 ms a record and relation on a page of 50.
    """
    return Prefetch(relation, queryset=queryset, to_attr=f"public_{relation}")


class Linked:
    """The public records linked to each record, as ``record.public_<relation>``.

    Read for the whole page in one query of plain values, not prefetched: a
    page of events links to hundreds of accounts, and making a model instance
    of each cost 10-15 ms. Each record gets a list of the linked records' ids,
    or, given ``row``, of ``row`` tuples of the columns its fields name. The
    query is prepared (``tracker.prepared``): Django builds and compiles it once
    per process and number of ids, not once a request.

    Given ``records``, the records' own query, the ids are looked for among them in
    a subquery: where ``linked`` joins the records (to read their status), PostgreSQL
    then finds them by id rather than reading every one of them into a hash.
    """

    def __init__(
        self,
        relation: str,
        linked: QuerySet,
        link: str,
        row: type[tuple] | None = None,
        records: QuerySet | None = None,
    ):
        self.relation = relation  # the serializer reads ``public_<relation>``
        self.linked = linked  # the public records that may be linked, in the order they are listed
        self.link = link  # the lookup from a linked record back to the record
        self.row = row  # a NamedTuple whose fields are columns of ``linked``
        self.records = records
        self.columns = [link, "pk"] if row is None else [link, *row._fields]
        self.rows_later = prepared(self.rows_of).rows_later

    def rows_of(self, record_ids: list[int]) -> QuerySet:
        """The link to the record, then the columns, of each record linked to ``record_ids``."""
        among = record_ids if self.records is None else self.records.filter(pk__in=record_ids)
        linked = self.linked.filter(**{f"{self.link}__in": among})
        return linked.values_list(*self.columns)

    def begin(self, records: list) -> Callable[[], None]:
        """The linked records' query begun (see ``tracker.prepared.sent_together``);
        calling the result reads them and gives them to ``records``."""
        if not records:
            return lambda: None
        rows = self.rows_later(padded([record.pk for record in records]))

        def attach() -> None:
            found = defaultdict(list)
            if self.row is None:
                for record_id, linked_id in rows():
                    found[record_id].append(linked_id)
            else:
                make = self.row._make
                for record_id, *columns in rows():
                    found[record_id].append(make(columns))
            for record in records:
                setattr(record, f"public_{self.relation}", found[record.pk])

        return attach


class Role(NamedTuple):
    """An actor's part in talks or an event, as the API writes it."""

    actor_id: int
    role: str
    note: str


class PublicCitation(NamedTuple):
    """A published source behind a record, with the locator: what the API writes of a citation.

    Plain values read by ``begin_citations``, not a ``Citation`` and its
    ``Source``: making those two models for each of a page's citations, through
    Django's prefetching, cost 1-3 ms a page.
    """

    source_id: int
    title: str
    outlet: str
    published_on: datetime.date | None
    published_on_precision: str
    published_on_part_of_day: str
    published_on_on_or_before: bool
    locator: str

    published_on_display = PreciseDateDescriptor("published_on")

    def get_absolute_url(self) -> str:
        """The source's page."""
        return page_url("tracker:source", self.source_id)


# The columns of a PublicCitation, in order, as lookups from a citation.
_CITATION_COLUMNS = [
    "source_id",
    "source__title",
    "source__outlet",
    *(f"source__{column}" for column in _dates("published_on")),
    "locator",
]


@prepared
def _citations_of(*groups) -> QuerySet:
    """Each published citation of the records in ``groups``, as its record, id and columns.

    ``groups`` are pairs: a content type's id, then a list of ids of records of
    that type.
    """
    condition = Q()
    for content_type_id, object_ids in zip(groups[::2], groups[1::2], strict=True):
        condition |= Q(content_type=content_type_id, object_id__in=object_ids)
    return (
        Citation.objects.public()
        .filter(condition)
        .order_by()
        .values_list("content_type_id", "object_id", "pk", *_CITATION_COLUMNS)
    )


def begin_citations(records: list) -> Callable[[], None]:
    """Give each record ``public_citations``: the published sources behind it, in one query.

    The records may be of several models. Citations come in the order of
    ``Citation.Meta.ordering`` (``citation_sort_key``), sorted here, as ORDER BY
    over the join costs more than the query.
    The query is prepared, as ``Linked``'s are, and begun (see
    ``tracker.prepared.sent_together``): calling the result reads it.
    """
    if not records:
        return lambda: None
    by_model = defaultdict(list)
    for record in records:
        by_model[record._meta.model].append(record)
    content_types = {
        model: ContentType.objects.get_for_model(model).pk for model in sorted(by_model, key=str)
    }
    groups = []
    for model, content_type_id in content_types.items():
        groups += [content_type_id, padded([record.pk for record in by_model[model]])]
    rows = _citations_of.rows_later(*groups)

    def attach() -> None:
        found = defaultdict(list)
        for content_type_id, object_id, pk, *columns in rows():
            citation = PublicCitation(*columns)
            order = citation_sort_key(citation.published_on, citation.source_id, pk)
            found[content_type_id, object_id].append((order, citation))
        for model, content_type_id in content_types.items():
            for record in by_model[model]:
                cited = sorted(
                    found.get((content_type_id, record.pk), ()), key=operator.itemgetter(0)
                )
                record.public_citations = [citation for _, citation in cited]

    return attach


class _RowCount(Func):
    """``COUNT(*)`` as a plain column, not an aggregate: Django then adds no GROUP BY, and
    ``values_list(_RowCount())`` is one row holding the number of rows the query selects."""

    template = "COUNT(*)"
    output_field = IntegerField()


# The queries of a viewset's list with no filter, prepared per viewset (a keyword argument).


@prepared
def _count_of(*, viewset) -> QuerySet:
    return viewset().get_queryset().order_by().values_list(_RowCount())


@prepared
def _ids_of(window: slice, *, viewset) -> QuerySet:
    return viewset().get_queryset().values_list("pk", flat=True)[window]


@prepared
def _group_sizes_of(*, viewset, field: str) -> QuerySet:
    listed = viewset().get_queryset().order_by(*(viewset.listed_by_order or (field,)))
    return listed.values_list(field).annotate(size=Count("*"))


def _among(values: list[int], viewset, field: str) -> QuerySet:
    listed = viewset().listed_records().filter(**{f"{field}__in": values})
    return listed.values_list("pk", flat=True)


@prepared
def _ids_among(values: list[int], window: slice, *, viewset, field: str) -> QuerySet:
    return _among(values, viewset, field)[window]


@prepared
def _every_id_among(values: list[int], *, viewset, field: str) -> QuerySet:
    return _among(values, viewset, field)


def _records_query(ids: list[int], viewset) -> QuerySet:
    return viewset().read_records(viewset().listed_records()).filter(pk__in=ids).order_by()


@prepared
def _records_of(ids: list[int], *, viewset) -> QuerySet:
    return _records_query(ids, viewset)


class Row:
    """A record read as plain values, for a serializer that reads only columns.

    Its attributes are the columns its viewset's query reads, by ``attname``
    (``negotiation_id``), and ``pk``; its class gives ``id``, ``_meta``, the model's
    ``get_absolute_url``, its precise dates (``<name>_display``) and the properties
    Parley's models define (``score``). Each record the query selects with
    ``select_related`` is a ``Row`` too, under the relation's name. A page of 50
    events costs ~0.2 ms less read so than as model instances, a page of 50
    positions with their topics and talks ~2 ms less.
    """

    __slots__ = ("__dict__",)


@functools.cache
def _row_type(model: type) -> type[Row]:
    """The ``Row`` class of ``model``'s records."""
    namespace = {
        "_meta": model._meta,
        "get_absolute_url": model.get_absolute_url,
        model._meta.pk.attname: property(operator.attrgetter("pk")),
    }
    # Each precise date's ``<name>_display``, which the declared fields read, and the
    # properties of Parley's own classes (not Django's: ``pk`` is a column here).
    for klass in reversed(model.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, PreciseDateDescriptor) or (
                isinstance(value, property) and klass.__module__.startswith("tracker.")
            ):
                namespace[name] = value
    return type(f"{model.__name__}Row", (Row,), namespace)


class RowShape(NamedTuple):
    """How a ``Row`` is made from a query's values: its class, each attribute and the index
    of its value, and the rows of its related records (relation, foreign key, shape)."""

    cls: type[Row]
    keys: tuple[tuple[str, int], ...]
    related: tuple[tuple[str, str, "RowShape"], ...]

    def make(self, values: tuple) -> Row:
        row = self.cls()
        row.__dict__ = attributes = {key: values[index] for key, index in self.keys}
        for relation, foreign_key, shape in self.related:
            attributes[relation] = None if attributes[foreign_key] is None else shape.make(values)
        return row


@functools.cache
def row_shape(viewset: type["PublicViewSet"]) -> tuple[RowShape, tuple[str, ...]]:
    """The ``RowShape`` of ``viewset``'s records, and the columns they are read from."""
    queryset = viewset().read_records(viewset().get_queryset())
    names, deferred = queryset.query.deferred_loading
    if deferred:
        raise ImproperlyConfigured(f"{viewset.__name__}: rows need .only(), not .defer().")
    lookups: list[str] = []

    def shape(model, prefix: str, selected: dict, extra: tuple[str, ...] = ()) -> RowShape:
        own = {name.removeprefix(prefix) for name in names if name.startswith(prefix)}
        own = {name for name in own if "__" not in name}
        fields = {model._meta.get_field(name) for name in own}
        fields |= {model._meta.get_field(relation) for relation in selected}
        keys = [("pk", len(lookups))]
        lookups.append(f"{prefix}pk")
        for field in sorted(fields, key=operator.attrgetter("attname")):
            keys.append((field.attname, len(lookups)))
            lookups.append(f"{prefix}{field.name}")
        for name in extra:
            keys.append((name, len(lookups)))
            lookups.append(name)
        cls = _row_type(model)
        shadowed = [key for key, _ in keys if isinstance(getattr(cls, key, None), property)]
        if shadowed:
            raise ImproperlyConfigured(f"{cls.__name__}: a property hides the column {shadowed}.")
        related = []
        for relation, further in sorted(selected.items()):
            field = model._meta.get_field(relation)
            nested = shape(field.related_model, f"{prefix}{relation}__", further)
            related.append((relation, field.attname, nested))
        return RowShape(cls, tuple(keys), tuple(related))

    selected = queryset.query.select_related
    root = shape(
        queryset.model,
        "",
        selected if isinstance(selected, dict) else {},
        tuple(queryset.query.annotations),
    )
    return root, tuple(lookups)


@prepared
def _rows_of(ids: list[int], *, viewset) -> QuerySet:
    _, columns = row_shape(viewset)
    return _records_query(ids, viewset).values_list(*columns)


def read_rows(ids: list[int], viewset: type["PublicViewSet"]) -> list[Row]:
    """The records with ``ids`` as ``Row`` objects, in no order."""
    shape, _ = row_shape(viewset)
    rows = _rows_of.rows(ids, viewset=viewset)
    if shape.related:
        return [shape.make(values) for values in rows]
    # One record a row, its columns in order: the attributes are the values zipped.
    cls, keys = shape.cls, [key for key, _ in shape.keys]
    made = []
    for values in rows:
        row = cls()
        row.__dict__ = dict(zip(keys, values, strict=True))
        made.append(row)
    return made


T = TypeVar("T")


class UnfilteredList:
    """A viewset's list when no filter is asked for, read through prepared queries.

    The list is then the same for every request: its count, its page's ids and
    the records with those ids are queries Django builds and compiles once per
    process (``tracker.prepared``), not on every request, which cost 1-4 ms a
    page. The ids come first, in the list's order, as with ``IdsFirstPaginator``;
    the records are put in that order here, not by an ORDER BY over the joins
    that order needs. A ``Paginator`` counts it and slices it as a list.

    Counting 190,000 statements or 7,000 positions (1-2 ms) is done once per
    process and state of the data (``tracker.caching.kept_for_state``), not on
    every request.
    """

    def __init__(self, viewset: type["PublicViewSet"], request):
        self.viewset = viewset
        self.request = request

    def counted(self, count: Callable[[], T]) -> T:
        """``count()``, kept for later requests that read the same publication stamp."""
        model = self.viewset.serializer_class.Meta.model
        key = ("api list", self.viewset, router.db_for_read(model))
        return kept_for_state(self.request, key, count)

    def count(self) -> int:
        return self.counted(self.count_now)

    def count_now(self) -> int:
        if self.viewset.counts_published:
            model = self.viewset.serializer_class.Meta.model
            return count_published(model, router.db_for_read(model))
        [(count,)] = _count_of(viewset=self.viewset)
        return count

    def page_ids(self, window: slice) -> list[int]:
        return [pk for (pk,) in _ids_of.rows(window, viewset=self.viewset)]

    def __getitem__(self, window: slice) -> list:
        """The records of one page, as a ``Paginator`` slices its list."""
        ids = self.page_ids(window)
        if not ids:
            return []
        if self.viewset.reads_rows:
            records = read_rows(padded(ids), self.viewset)
        else:
            records = _records_of(padded(ids), viewset=self.viewset)
        by_id = {record.pk: record for record in records}
        # A record retracted between the two queries is no longer public: left out.
        return [by_id[pk] for pk in ids if pk in by_id]


class GroupedList(UnfilteredList):
    """An unfiltered list whose order starts with ``field`` (never null; or with what
    ``listed_by_order`` orders its values by, then it), counted per value of it: a
    page's ids are then looked for among the few values it spans, not after every
    record before it.

    Positions are listed topic by topic, in each by their actor's name: the ids
    of page 100 took joining the actor of each of the 5,000 positions before it
    (3.1 ms; now 0.7), and counting per topic costs 0.5 ms more than counting.
    Relationships are listed by their subject's name, then its id.
    """

    def __init__(self, viewset: type["PublicViewSet"], request, field: str):
        super().__init__(viewset, request)
        self.field = field
        self._groups = None

    def groups(self) -> tuple[list[int], list[int], int]:
        """Each value of ``field`` in the list, in order; how many records come before
        each; and how many there are in all."""
        if self._groups is None:
            self._groups = self.counted(self.groups_now)
        return self._groups

    def groups_now(self) -> tuple[list[int], list[int], int]:
        values, starts, total = [], [], 0
        for value, size in _group_sizes_of(viewset=self.viewset, field=self.field):
            values.append(value)
            starts.append(total)
            total += size
        return values, starts, total

    def count(self) -> int:
        return self.groups()[2]

    def page_ids(self, window: slice) -> list[int]:
        """The ids of ``window``, read among the values of ``field`` it spans.

        PostgreSQL plans the query once for every page (its generic plan). With the
        page's LIMIT, it read relationships by walking every public subject by name to
        the page's (3.2 ms a page): their few dozen links are read whole instead
        (``listed_by_whole_groups``, 0.6 ms). Positions, some fourteen a topic, are
        read fastest with the LIMIT (0.3 ms; whole, 0.6).
        """
        values, starts, _ = self.groups()
        if not values or window.start >= window.stop:
            return []
        first = bisect_right(starts, window.start) - 1
        last = bisect_right(starts, window.stop - 1) - 1
        skipped = starts[first]
        within = slice(window.start - skipped, window.stop - skipped)
        among = padded(values[first : last + 1])
        if self.viewset.listed_by_whole_groups:
            ids = _every_id_among.rows(among, viewset=self.viewset, field=self.field)[within]
        else:
            ids = _ids_among.rows(among, within, viewset=self.viewset, field=self.field)
        return [pk for (pk,) in ids]


def _documented(serializer_class, noun: str):
    """Describe a viewset's list and detail, including their 400 and 404 answers."""
    return extend_schema_view(
        list=extend_schema(
            summary=f"List public {noun}",
            responses={200: serializer_class, 400: BAD_PARAMETER, 404: NOT_FOUND},
        ),
        retrieve=extend_schema(
            summary=f"One public record of {noun}",
            parameters=[RECORD_ID],
            responses={200: serializer_class, 404: NOT_FOUND},
        ),
    )


class PublicViewSet(viewsets.ReadOnlyModelViewSet):
    """GET (and HEAD, OPTIONS) only; lists paginated and filtered, details by id."""

    pagination_class = Pagination
    renderer_classes = [JSONRenderer]
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = "[0-9]+"
    # True when the list, unfiltered, is its model's ``.public()`` and nothing more (no
    # condition on a related record): then ``count_published`` counts it.
    counts_published = False

    # The column the list's order starts with, when few records share each value of it:
    # then the list is counted per value (``GroupedList``).
    listed_by: str | None = None
    # What orders those values as the list does, when not the column itself (a name).
    listed_by_order: tuple[str, ...] = ()
    # True when the page's groups are read whole and cut to the page here, rather than by
    # the query's LIMIT (see ``GroupedList.page_ids``).
    listed_by_whole_groups = False

    # The lists of linked records each record carries, read after its page is.
    linked: tuple[Linked, ...] = ()

    # True when the serializer reads only the columns ``get_queryset`` selects with
    # ``.only()``, and annotations: the unfiltered list's records are then read as
    # ``Row`` objects rather than model instances.
    reads_rows = False

    def cited(self, records: list) -> list:
        """The records whose citations are read: the page's, and those of any nested record."""
        return records

    def read_links(self, records: list) -> None:
        """Read the linked records and the citations of records just read: their queries
        go to the database together."""
        with sent_together():
            reads = [linked.begin(records) for linked in self.linked]
            reads.append(begin_citations(self.cited(records)))
        for read in reads:
            read()

    def paginate_queryset(self, queryset: QuerySet | UnfilteredList) -> list:
        page = super().paginate_queryset(queryset)
        if page is not None:
            self.read_links(page)
        return page

    def listed_records(self) -> QuerySet:
        """``get_queryset()``, for reading one page of the unfiltered list (a ``GroupedList``'s
        ids, and the records with the page's ids): a viewset may give a query that selects
        the same records and is cheaper there."""
        return self.get_queryset()

    def read_records(self, queryset: QuerySet) -> QuerySet:
        """The query that reads the records themselves, from the list or a record's own URL.

        What only the records need, such as ``statuses``, is added here, not in
        ``get_queryset``, so that neither the count nor the page's ids pay for it.
        """
        return queryset

    def get_object(self):
        """The public record with the id in the URL; one message for every kind of record."""
        try:
            record = super().get_object()
        except Http404:
            raise NotFound("No public record with that id.") from None
        self.read_links([record])
        return record

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Query parameters filter lists only; a record's own URL always finds it, in the
        # query that reads it.
        if self.action != "list":
            return self.read_records(queryset)
        # No filter asked for: every filter would pass the list through unchanged (none is
        # required, none acts on an empty value), so skip building the FilterSet and its form.
        if not self.filters_asked_for():
            return queryset
        return super().filter_queryset(queryset)

    def filters_asked_for(self) -> bool:
        return not self.filterset_class.base_filters.keys().isdisjoint(self.request.query_params)

    def list(self, request, *args, **kwargs) -> Response:
        if self.filters_asked_for():
            return super().list(request, *args, **kwargs)
        # No filter asked for: the list is the same for every request, so it is read
        # through queries prepared once per process (``UnfilteredList``).
        page = self.paginate_queryset(self.unfiltered_list())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def unfiltered_list(self) -> UnfilteredList:
        if self.listed_by is None:
            return UnfilteredList(type(self), self.request)
        return GroupedList(type(self), self.request, self.listed_by)


@_documented(serializers.NegotiationSerializer, "talks")
class TalksViewSet(PublicViewSet):
    """Talks, with their participants and key figures."""

    serializer_class = serializers.NegotiationSerializer
    filterset_class = filters.TalksFilter
    counts_published = True

    def get_queryset(self) -> QuerySet:
        key_figures = KeyFigure.objects.public().only(
            "negotiation", "label", "value", "unit", "qualifier", *_dates("as_of")
        )
        return (
            Negotiation.objects.public()
            .only(*RECORD, "slug", "title", "summary", "state", *_dates("start_on", "end_on"))
            .prefetch_related(
                _public("key_figures", key_figures.order_by("label", "-as_of", "pk")),
            )
            .order_by(F("start_on").desc(nulls_last=True), "title", "pk")
        )

    linked = (
        Linked(
            "participations",
            Participation.objects.public().order_by("order", "actor__name", "pk"),
            "negotiation",
            Role,
        ),
    )

    def cited(self, records: list) -> list:
        # The key figures' citations come in the same query as the talks'.
        return [*records, *(figure for talks in records for figure in talks.public_key_figures)]


@_documented(serializers.ActorSerializer, "actors")
class ActorViewSet(PublicViewSet):
    """States, bodies, armed groups, parties, organisations and people."""

    serializer_class = serializers.ActorSerializer
    filterset_class = filters.ActorFilter
    counts_published = True

    def get_queryset(self) -> QuerySet:
        return (
            Actor.objects.public()
            .only(
                *RECORD,
                "slug",
                "kind",
                "name",
                "short_name",
                "native_name",
                "native_language",
                "aliases",
                "country",
                "wikidata_id",
                "description",
            )
            .order_by("name", "pk")
        )


@_documented(serializers.RelationshipSerializer, "relationships")
class RelationshipViewSet(PublicViewSet):
    """Typed, dated links between two public actors."""

    serializer_class = serializers.RelationshipSerializer
    filterset_class = filters.RelationshipFilter
    # A page's ids are sorted among its subjects' links only (0.6 ms a page), not after
    # every link before it, joined to both actors for their names (which took 0.6 ms for
    # page 3 and 3.5 ms for page 25 of 1,455 links).
    listed_by = "subject_id"
    listed_by_order = ("subject__name", "subject_id")
    listed_by_whole_groups = True

    def get_queryset(self) -> QuerySet:
        return (
            Relationship.objects.public()
            .select_related("subject")
            .only(
                *RECORD,
                "subject__slug",
                "kind",
                "object",
                *_dates("start_on", "end_on"),
                "description",
            )
            .order_by("subject__name", "subject_id", "kind", "object__name", "pk")
        )


@_documented(serializers.TopicSerializer, "topics")
class TopicViewSet(PublicViewSet):
    """The issues on the table of public talks."""

    serializer_class = serializers.TopicSerializer
    filterset_class = filters.TopicFilter

    def get_queryset(self) -> QuerySet:
        return (
            filters.public_topics()
            .select_related("negotiation")
            .only(*RECORD, "negotiation__slug", "slug", "title", "question", "description", "order")
            .order_by("negotiation_id", "order", "title", "pk")
        )


@_documented(serializers.PositionSerializer, "positions")
class PositionViewSet(PublicViewSet):
    """Every actor's stance on every topic, as a history; ``?as_of=`` picks one day."""

    serializer_class = serializers.PositionSerializer
    filterset_class = filters.PositionFilter
    listed_by = "topic_id"
    reads_rows = True

    def get_queryset(self) -> QuerySet:
        return (
            self.positions()
            # Subqueries, not joins: over the whole list (a filtered one, or its count per
            # topic) SQLite then walks the (topic, status) index in the list's order and
            # stops at the page (the ids of page 7: 1.5 -> 0.4 ms). A page of the
            # unfiltered list is read through ``listed_records``.
            .filter(actor__in=Actor.objects.public(), topic__in=filters.public_topics())
        )

    def listed_records(self) -> QuerySet:
        # The same conditions as joins: among a page's few topics, or for its 50 ids,
        # SQLite's lists of every public actor and topic, which the subqueries build,
        # cost more than the page (the ids: 1.1 -> 0.3 ms; the records: 0.6 -> 0.15 ms).
        return self.positions().filter(
            actor__status=Status.PUBLISHED,
            topic__status=Status.PUBLISHED,
            topic__negotiation__status=Status.PUBLISHED,
        )

    def positions(self) -> QuerySet:
        """Published positions, with what the list writes of them and in its order."""
        return (
            Position.objects.public()
            .select_related("topic__negotiation")
            .only(
                *RECORD,
                "actor",
                "topic__slug",
                "topic__negotiation__slug",
                "stance",
                "summary",
                "basis",
                *_dates("as_of"),
            )
            .order_by("topic_id", "actor__name", "-as_of", "pk")
        )

    linked = (Linked("evidence", Statement.objects.public(), "positions"),)


@_documented(serializers.StatementSerializer, "statements")
class StatementViewSet(PublicViewSet):
    """Things said or written, attributed as reported, newest first."""

    serializer_class = serializers.StatementSerializer
    filterset_class = filters.StatementFilter
    counts_published = True
    reads_rows = True

    def get_queryset(self) -> QuerySet:
        return (
            Statement.objects.public()
            .only(
                *RECORD,
                "negotiation",
                "kind",
                "speaker",
                "attribution",
                "attribution_kind",
                "form",
                "text",
                "original_text",
                "original_language",
                "channel",
                "verification",
                "verification_note",
                *_dates("stated_on"),
                "event",
            )
            .order_by(F("stated_on").desc(nulls_last=True), "-pk")
        )

    def read_records(self, queryset: QuerySet) -> QuerySet:
        return queryset.annotate(**statuses("negotiation", "speaker", "event"))

    linked = (Linked("topics", filters.public_topics(), "statements"),)


@_documented(serializers.EventSerializer, "events")
class EventViewSet(PublicViewSet):
    """Things that happened, with the actors' roles and the accounts of them, newest first."""

    serializer_class = serializers.EventSerializer
    filterset_class = filters.EventFilter
    counts_published = True
    reads_rows = True

    def get_queryset(self) -> QuerySet:
        return (
            Event.objects.public()
            .only(
                *RECORD,
                "negotiation",
                "slug",
                "title",
                "kind",
                "summary",
                *_dates("occurred_on"),
                "place_name",
                "district",
                "city",
                "country",
                "latitude",
                "longitude",
            )
            .order_by(F("occurred_on").desc(nulls_last=True), "title", "pk")
        )

    def read_records(self, queryset: QuerySet) -> QuerySet:
        return queryset.annotate(**statuses("negotiation"))

    linked = (
        Linked(
            "roles",
            EventRole.objects.public().order_by("role", "actor__name", "pk"),
            "event",
            Role,
            # Each role's event is joined for its status: 4-8 ms on PostgreSQL, which read
            # every public event into a hash, without the subquery; 1-2 ms with it.
            records=Event.objects.public(),
        ),
        # In (event, id) order, which the (event, status) index of statements covers.
        Linked("accounts", Statement.objects.public().order_by("event", "pk"), "event"),
    )


@_documented(serializers.MilestoneSerializer, "milestones")
class MilestoneViewSet(PublicViewSet):
    """The steps of public talks, in the order they were held or are planned."""

    serializer_class = serializers.MilestoneSerializer
    filterset_class = filters.MilestoneFilter

    def get_queryset(self) -> QuerySet:
        return (
            Milestone.objects.public()
            .filter(negotiation__status=Status.PUBLISHED)
            .only(
                *RECORD,
                "negotiation",
                "slug",
                "title",
                "kind",
                "state",
                *_dates("planned_on", "held_on"),
                "outcome",
            )
            .annotate(date=Coalesce("held_on", "planned_on"))
            .order_by("negotiation_id", "date", "title", "pk")
        )

    linked = (
        Linked("statements", Statement.objects.public(), "milestones"),
        Linked("events", Event.objects.public(), "milestones"),
    )


@_documented(serializers.SourceSerializer, "sources")
class SourceViewSet(PublicViewSet):
    """The published documents Parley cites, newest first."""

    serializer_class = serializers.SourceSerializer
    filterset_class = filters.SourceFilter
    counts_published = True

    def get_queryset(self) -> QuerySet:
        return (
            Source.objects.public()
            .only(
                *RECORD,
                "kind",
                "outlet",
                "title",
                "authors",
                "contributors",
                *_dates("published_on"),
                "url",
                "archive_url",
                "language",
                "notes",
            )
            .order_by(F("published_on").desc(nulls_last=True), "outlet", "title", "pk")
        )


class ApiDocsView(SpectacularSwaggerSplitView):
    """Interactive docs, from the app's own static files and with no inline script or style.

    Template: tracker/api_docs.html.
    """

    template_name = "tracker/api_docs.html"
    title = "Parley API"
    # Reading only: no OPTIONS (DRF's metadata cannot describe an HTML page).
    http_method_names = ["get", "head"]

    @extend_schema(exclude=True)
    def get(self, request: HttpRequest, *args, **kwargs) -> Response:
        response = super().get(request, *args, **kwargs)
        # The API takes no writes, so its docs send no CSRF token: making one would set a
        # cookie and make the page vary by cookie, which public pages never do.
        response.data["csrf_token"] = ""
        return response


# Swagger UI's stylesheet draws its icons as data: SVG images: the docs page, and
# only it, allows those. Script and style stay 'self' only.
api_docs = csp_update({"img-src": ["data:"]})(ApiDocsView.as_view(url_name="api:schema"))


def not_found(request: HttpRequest) -> JsonResponse:
    """Any other address under /api/v1/: a 404 in JSON, as the API's clients expect."""
    return JsonResponse({"detail": "Not found."}, status=404)
