"""Page-number pagination with strict parameters."""

import re
from collections.abc import Callable

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


def _whole_number(request, name: str, default: int, maximum: int) -> int:
    """The query parameter ``name`` as a whole number from 1 to ``maximum``; else a 400."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,19}", raw) or not 1 <= int(raw) <= maximum:
        raise ValidationError({name: [f"Enter a whole number from 1 to {maximum}."]})
    return int(raw)


class IdsFirstPaginator(Paginator):
    """Finds a page's ids first, then reads only those records, in the same query.

    ``LIMIT 50 OFFSET 4950`` over the whole list makes the database build, and
    join, every skipped row; over ids alone it walks an index. The page is
    ``WHERE id IN (SELECT id … ORDER BY … LIMIT … OFFSET …)`` in the list's
    order: one query, as before, and the same records.

    ``read``, when given, turns the page's query into the one that reads the
    records (the count and the ids are found without it). A list that is not a
    queryset (an ``api.views.UnfilteredList``) reads its own pages.
    """

    def __init__(
        self, object_list, per_page, read: Callable[[QuerySet], QuerySet] | None = None, **kwargs
    ):
        super().__init__(object_list, per_page, **kwargs)
        self._read = read

    def page(self, number) -> Page:
        records = self.object_list
        if not isinstance(records, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if records.query.distinct:
            # DISTINCT selects the ordering columns too: no single-column subquery.
            return self._get_page(self.read(records)[bottom:top], number, self)
        ids = records.values("pk")[bottom:top]
        return self._get_page(self.read(records.filter(pk__in=ids)), number, self)

    def read(self, records: QuerySet) -> QuerySet:
        return records if self._read is None else self._read(records)


class Pagination(PageNumberPagination):
    """``?page=N`` (from 1) and ``?page_size=N`` (1 to 100, default 50).

    A malformed value is a 400 naming the parameter; a page past the last is a
    404, so a client paging forward knows it has run out.
    """

    django_paginator_class = IdsFirstPaginator
    page_size = 50
    max_page_size = 100
    max_page = 2**63 - 1
    page_query_param = "page"
    page_size_query_param = "page_size"
    page_query_description = "A page number, from 1; a page past the last answers 404."
    page_size_query_description = "Records per page, from 1 to 100 (default 50)."

    def get_page_size(self, request) -> int:
        return _whole_number(
            request, self.page_size_query_param, self.page_size, self.max_page_size
        )

    def paginate_queryset(self, queryset, request, view=None):
        page_size = self.get_page_size(request)
        number = _whole_number(request, self.page_query_param, 1, self.max_page)
        read = view.read_records if view is not None else None
        paginator = self.django_paginator_class(queryset, page_size, read=read)
        if number > max(paginator.num_pages, 1):
            raise NotFound("Invalid page: past the last page.")
        self.page = paginator.page(number)
        self.request = request
        return list(self.page)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        limits = {
            self.page_query_param: {"minimum": 1, "maximum": self.max_page},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(limits[parameter["name"]])
        return parameters
