"""The public search page, /search/: the form, the results, their kinds and pages."""

import datetime
from html import escape
from urllib.parse import urlencode

from django import forms
from django.core.paginator import EmptyPage, Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from tracker import search
from tracker.caching import kept_for_state
from tracker.models import Negotiation, SearchKind
from tracker.prepared import prepared

RESULTS_PER_PAGE = 20
EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2100, 12, 31)


class SearchForm(forms.Form):
    """The query parameters of /search/; anything it rejects is answered with a 400."""

    q = forms.CharField(label="Search for", max_length=search.MAX_QUERY_LENGTH, required=False)
    kind = forms.MultipleChoiceField(label="Kinds", choices=SearchKind.choices, required=False)
    talks = forms.SlugField(label="Talks", max_length=120, required=False)
    to = forms.DateField(label="To", input_formats=["%Y-%m-%d"], required=False)
    page = forms.IntegerField(label="Page", min_value=1, max_value=100_000, required=False)

    def __init__(self, *args, talks_options: list[tuple[int, str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.talks_options = talks_options

    def clean_talks(self) -> int | None:
        """The id of the chosen talks."""
        slug = self.cleaned_data["talks"]
        if not slug:
            return None
        for pk, talks_slug, _title in self.talks_options:
            if talks_slug == slug:
                return pk
        raise forms.ValidationError("There are no such talks.")

    def clean(self):
        cleaned = super().clean()
        for name in ("from", "to"):
            day = cleaned.get(name)
            if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
                self.add_error(name, "Choose a date between 1900 and 2100.")
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", "The end of the date range comes before its start.")
        return cleaned


# "from" is a Python keyword, so it cannot be declared in the class body.
SearchForm.base_fields["from"] = forms.DateField(
    label="From", input_formats=["%Y-%m-%d"], required=False
)


def _url(params: QueryDict, **changes) -> str:
    """``?``-query string of ``params`` with ``changes`` (None removes a key; lists repeat)."""
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if isinstance(value, list):
            query.setlist(key, value)
        elif value is not None:
            query[key] = value
    return "?" + query.urlencode()


def _kind_links(all_kinds_url: str, facets: dict[str, int], chosen: list[str]) -> list[dict]:
    """One link per kind with results, each narrowing the search to that kind.

    Each is ``_url(params, kind=kind, page=None)``: the address of all kinds
    (``all_kinds_url``) with the kind added last, as a QueryDict adds a new key.
    """
    join = "&" if all_kinds_url != "?" else ""
    return [
        {
            "kind": kind,
            "label": SearchKind(kind).label,
            "count": count,
            "chosen": kind in chosen,
            "url": f"{all_kinds_url}{join}{urlencode({'kind': kind})}",
        }
        for kind, count in facets.items()
    ]


@prepared
def _public_talks() -> QuerySet:
    """Every public talks as plain (id, slug, title) rows: all the page needs of them."""
    return Negotiation.objects.public().values_list("pk", "slug", "title")


def _talks_select(talks_options: list[tuple[int, str, str]], chosen: str | None) -> SafeString:
    """The ``<option>`` of each talks in the form's select, the chosen one selected.

    Written here rather than in a template loop, as are the kinds' checkboxes
    and the results: a loop's variables and filters cost more than the rest
    of the page's rendering.
    """
    return mark_safe(
        "".join(
            f'<option value="{escape(slug)}"{" selected" if slug == chosen else ""}>'
            f"{escape(title)}</option>"
            for _pk, slug, title in talks_options
        )
    )


def _talks(request: HttpRequest) -> tuple[list[tuple[int, str, str]], SafeString]:
    """The public talks and their options with none chosen, read once per process and
    state of the data (``tracker.caching.kept_for_state``)."""

    def read() -> tuple[list[tuple[int, str, str]], SafeString]:
        talks_options = _public_talks()
        return talks_options, _talks_select(talks_options, None)

    return kept_for_state(request, ("search talks", connection.alias), read)


def _kind_boxes(chosen: list[str]) -> SafeString:
    """A checkbox for each kind of record, the chosen ones checked."""
    return mark_safe(
        "".join(
            f'\n        <li><label><input type="checkbox" name="kind" value="{escape(value)}"'
            f"{' checked' if value in chosen else ''}> {escape(label)}</label></li>\n        "
            for value, label in SearchKind.choices
        )
    )


def _hit_list(hits: list[search.Hit]) -> SafeString:
    """The ``<li>`` of each result: its kind, highlighted title, detail, date and snippet."""
    items = []
    for hit in hits:
        document = hit.document
        when = document.date_label
        if when:
            when = f' · <span class="precise-date">{escape(when)}</span>'
        snippet = hit.snippet
        if snippet:
            snippet = f'<p class="search-result__snippet" dir="auto">{snippet}</p>'
        items.append(
            f'\n    <li class="search-result search-result--{escape(document.kind)}">'
            f'\n      <p class="search-result__kind">{escape(hit.kind_label)}</p>'
            f'\n      <h3 class="search-result__title"><a href="{escape(document.url)}">'
            f"{hit.title}</a></h3>"
            f'\n      <p class="search-result__detail">{escape(document.detail)}{when}</p>'
            f"\n      {snippet}\n    </li>\n    "
        )
    return mark_safe("".join(items))


def _kind_list(kind_links: list[dict]) -> SafeString:
    """A link to each kind with results and its count; the chosen kinds are not links."""
    items = []
    for link in kind_links:
        label = f"{escape(link['label'])} ({link['count']})"
        if link["chosen"]:
            item = f'<span aria-current="true">{label}</span>'
        else:
            item = f'<a href="{escape(link["url"])}">{label}</a>'
        items.append(f"\n      <li>{item}</li>\n      ")
    return mark_safe("".join(items))


def _render(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    """The page with the parts written here added to ``context``."""
    context["kind_boxes"] = _kind_boxes(context.get("chosen_kinds", []))
    if context.get("results") is not None:
        context["hit_list"] = _hit_list(context["results"].object_list)
        context["kind_list"] = _kind_list(context["kind_links"])
    return render(request, "tracker/search.html", context, status=status)


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    """Search every public record. Template: tracker/search.html.

    Context: ``form`` (bound), ``talks_select`` and ``kind_boxes`` (the
    select's options and the kinds' checkboxes, as HTML), ``search_query``
    (the text), ``results`` (a page of ``tracker.search.Hit``, written as
    ``hit_list``) with ``total``, ``kind_links`` (written as ``kind_list``),
    ``all_kinds_url``, ``previous_url`` and ``next_url``. Malformed parameters
    get the same page with the errors and a 400; a page past the last gets a 404.
    """
    talks_options, talks_select = _talks(request)
    form = SearchForm(request.GET, talks_options=talks_options)
    chosen_talks = form.data.get("talks")
    if chosen_talks:
        talks_select = _talks_select(talks_options, chosen_talks)
    context = {"form": form, "talks_select": talks_select, "search_query": ""}
    if not form.is_valid():
        return _render(request, context, status=400)
    data = form.cleaned_data
    context["search_query"] = text = data["q"]
    context["chosen_kinds"] = data["kind"]
    context["parsed"] = parsed = search.parse_query(text)
    if not parsed:
        return _render(request, context)
    results = search.search(
        text,
        kinds=data["kind"],
        talks=data["talks"],
        date_from=data["from"],
        date_to=data["to"],
    )
    number = data["page"] or 1
    # The page asked for, so that PostgreSQL reads it with the count (tracker.search).
    results.expect(slice((number - 1) * RESULTS_PER_PAGE, number * RESULTS_PER_PAGE))
    try:
        page = Paginator(results, RESULTS_PER_PAGE).page(number)
    except EmptyPage as error:
        raise Http404("There is no such page of results.") from error
    params = request.GET
    all_kinds_url = _url(params, kind=None, page=None)
    context.update(
        results=page,
        total=page.paginator.count,
        kind_links=_kind_links(all_kinds_url, results.facets, data["kind"]),
        all_kinds_url=all_kinds_url,
        previous_url=_url(params, page=page.previous_page_number()) if page.has_previous() else "",
        next_url=_url(params, page=page.next_page_number()) if page.has_next() else "",
    )
    return _render(request, context)
