"""Bulk downloads of the public data: for all talks, or for one.

Pages: ``downloads`` (everything) and ``negotiation_downloads`` (one talks)
list the files and describe every column. Files: ``parley.json`` (every
record with its citations), ``parley-csv.zip`` (one CSV per table plus a data
dictionary) and ``parley-popolo.json`` (actors and memberships). Files stream
as they are written. Like every public answer they carry the ETag and
Last-Modified of the publication stamp (tracker/caching.py), which every change
to public data bumps, so a revalidation costs one query and answers 304.
"""

import datetime
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from tracker.caching import read_stamp
from tracker.exports import (
    PublicData,
    csv_zip_chunks,
    data_dictionary,
    json_chunks,
    json_default,
    popolo_document,
)
from tracker.links import page_url
from tracker.models import Negotiation
from tracker.prepared import prepared
from tracker.serving import reporting_alive


@dataclass(frozen=True)
class DownloadFormat:
    filename: str
    label: str
    content_type: str
    description: str


FORMATS = [
    DownloadFormat(
        "parley.json",
        "JSON",
        "application/json",
        "One document with every public record, its citations and dates with their precision.",
    ),
    DownloadFormat(
        "parley-csv.zip",
        "CSV (zip)",
        "application/zip",
        "One CSV file per table, with a data dictionary (data_dictionary.csv) describing "
        "every column.",
    ),
    DownloadFormat(
        "parley-popolo.json",
        "Popolo JSON",
        "application/json",
        "Actors as Popolo persons and organizations, with their memberships.",
    ),
]
FORMATS_BY_NAME = {fmt.filename: fmt for fmt in FORMATS}


@prepared
def _published_talks(slug: str) -> QuerySet:
    return Negotiation.objects.public().filter(slug=slug).order_by()[:1]


def _talks(slug: str | None) -> Negotiation | None:
    """The published talks of ``slug`` (404 otherwise), or None for all talks."""
    if slug is None:
        return None
    talks = next(iter(_published_talks(slug)), None)
    if talks is None:
        raise Http404("No such talks.")
    return talks


def _changed(request: HttpRequest) -> datetime.datetime:
    """When the data last changed: the publication stamp the caching middleware read."""
    state = getattr(request, "_parley_page", None)
    return state.changed_at if state else read_stamp()[1]


@functools.cache
def _dictionary(language: str) -> SafeString:
    """The data dictionary's tables: every column of every CSV file, described.

    A pure function of the code (the models' metadata and the tables of
    ``tracker.exports``), in the language it is rendered in: rendered once per
    process and language rather than for every request, where its loops over
    two hundred columns cost most of the page.
    """
    tables: dict[str, dict] = {}
    for row in data_dictionary():
        table = tables.setdefault(
            row["file"],
            {"file": row["file"], "description": row["table_description"], "columns": []},
        )
        table["columns"].append(row)
    html = render_to_string("tracker/downloads/dictionary.html", {"tables": tables.values()})
    return mark_safe(html)


def _page(request: HttpRequest, talks: Negotiation | None) -> HttpResponse:
    """Render tracker/downloads/index.html: the files, and every column described."""
    changed = _changed(request)
    files = [
        {
            "format": fmt,
            "url": page_url("tracker:negotiation_download", talks.slug, fmt.filename)
            if talks
            else page_url("tracker:download", fmt.filename),
        }
        for fmt in FORMATS
    ]
    context = {
        "negotiation": talks,
        "files": files,
        "changed": changed,
        "dictionary": _dictionary(get_language()),
    }
    return render(request, "tracker/downloads/index.html", context)


@require_safe
def downloads(request: HttpRequest) -> HttpResponse:
    """The downloads of all public data. Template: tracker/downloads/index.html."""
    return _page(request, None)


@require_safe
def negotiation_downloads(request: HttpRequest, slug: str) -> HttpResponse:
    """The downloads of one talks' public data. Template: tracker/downloads/index.html."""
    return _page(request, _talks(slug))


def _file(request: HttpRequest, filename: str, slug: str | None) -> HttpResponse:
    """Stream one download; 404 for an unknown file name or talks."""
    fmt = FORMATS_BY_NAME.get(filename)
    if fmt is None:
        raise Http404("No such download.")
    talks = _talks(slug)
    data = PublicData(talks, absolute=request.build_absolute_uri)
    changed = _changed(request)
    about = {
        "title": f"Parley: {talks.title}" if talks else "Parley: all talks",
        "scope": talks.slug if talks else "all",
        "url": request.build_absolute_uri(talks.get_absolute_url() if talks else "/"),
        "last_modified": changed,
        "note": "Only published records. Dates carry their precision: a week, month or year "
        "date stands for the whole period from earliest to latest.",
    }
    download_name = (
        filename if talks is None else filename.replace("parley", f"parley-{talks.slug}", 1)
    )
    chunks: Callable[[], object]
    if filename == "parley.json":
        chunks = lambda: (chunk.encode() for chunk in json_chunks(data, about))  # noqa: E731
    elif filename == "parley-csv.zip":
        chunks = lambda: csv_zip_chunks(data, _readme(about))  # noqa: E731
    else:
        document = {"about": about, **popolo_document(data, request.build_absolute_uri)}
        body = json.dumps(document, default=json_default, ensure_ascii=False, indent=1)
        chunks = lambda: iter([body.encode()])  # noqa: E731
    if request.method == "HEAD":
        response = HttpResponse(content_type=fmt.content_type)
    else:
        response = StreamingHttpResponse(reporting_alive(chunks()), content_type=fmt.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return response


def _readme(about: dict) -> str:
    return (
        f"{about['title']}\n\n"
        f"Downloaded from {about['url']}\n"
        f"Data last changed: {about['last_modified']}\n\n"
        "One CSV file per table (UTF-8, comma-separated, first row the column names).\n"
        "data_dictionary.csv describes every column of every file.\n"
        "Link tables (statement_topics, position_evidence, milestone_statements,\n"
        "milestone_events) join two tables by id; citations.csv names the source\n"
        "behind each record.\n\n"
        "Text cells that begin with = + - @, a tab or a carriage return start with an\n"
        "added single quote (') so that no spreadsheet runs them as a formula.\n"
    )


@require_safe
def download(request: HttpRequest, filename: str) -> HttpResponse:
    """One file of all public data (JSON, CSV zip or Popolo JSON), streamed."""
    return _file(request, filename, None)


@require_safe
def negotiation_download(request: HttpRequest, slug: str, filename: str) -> HttpResponse:
    """One file of one talks' public data (JSON, CSV zip or Popolo JSON), streamed."""
    return _file(request, filename, slug)
