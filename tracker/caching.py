"""Conditional GET and an optional page cache for the public site, the API and downloads.

Everything the public can read depends only on the published records, so one
**publication stamp** (``PublicationStamp``: a version counter and the time of
the last change) says whether a page may have changed. Every save, delete and
many-to-many change of a Parley record or link bumps it, in the same
transaction as the change, so a stamp read after a commit always reflects it.

``PublicCacheMiddleware`` then, for GET and HEAD requests to the public site
(namespace ``tracker``) and the API (``api``), and never for the admin:

- reads the stamp (one query) and derives the page's ETag from it, the code
  release, the day (pages show what is "upcoming" or "current") and the
  request's host, path and query;
- answers a matching ``If-None-Match`` (or ``If-Modified-Since``) with 304
  before the view runs;
- serves a copy from the cache when it holds one for that ETag, which is also
  the cache key: a publish, edit or retraction bumps the stamp, so every older
  copy is unreachable at once and no reader ever sees a retracted or
  unpublished record from the cache;
- otherwise runs the view and, for a plain 200 answer that set no cookie and
  touched no session, adds ``ETag``, ``Last-Modified`` and ``Cache-Control:
  public, max-age=…`` for shared caches, and keeps a copy.

The cache is Django's default cache: Redis when ``REDIS_URL`` is set, local
memory otherwise (see settings). ``PARLEY_CACHE_SECONDS=0`` turns the copies
off (the default in development); conditional GET stays on.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

from tracker.models import PublicationStamp, SearchDocument, SearchTerms

T = TypeVar("T")

PUBLIC_NAMESPACES = {"tracker", "api"}
# Staff pages inside the public namespace: never validated, never kept.
PRIVATE_VIEWS = {"tracker:preview"}
# Bigger answers (whole downloads) are not kept in the cache; they still revalidate.
MAX_CACHED_BYTES = 512 * 1024
_EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


# ---------------------------------------------------------------------------
# The stamp.


_READ_STAMP = f"SELECT version, changed_at FROM {PublicationStamp._meta.db_table} WHERE id = 1"


def read_stamp() -> tuple[int, datetime.datetime]:
    """The current (version, changed_at); one query, written by hand: it runs on every request."""
    with connection.cursor() as cursor:
        cursor.execute(_READ_STAMP)
        row = cursor.fetchone()
    if row is None:
        return 0, _EPOCH
    version, changed_at = row
    if isinstance(changed_at, str):
        changed_at = datetime.datetime.fromisoformat(changed_at)
    if changed_at.tzinfo is None:  # SQLite keeps UTC without an offset
        changed_at = changed_at.replace(tzinfo=datetime.UTC)
    return version, changed_at


def bump_publication_stamp() -> None:
    """Record that public data may have changed: every page's ETag and cache key change."""
    now = timezone.now()
    bumped = PublicationStamp.objects.filter(pk=1).update(version=F("version") + 1, changed_at=now)
    if not bumped:
        PublicationStamp.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": now})


def _changed(sender, **kwargs) -> None:
    bump_publication_stamp()


def _m2m_changed(sender, action: str, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        bump_publication_stamp()


def watched_models() -> list:
    """Parley's records and links: everything a public page may show."""
    skip = {PublicationStamp, SearchDocument, SearchTerms}
    return [
        model
        for model in apps.get_app_config("tracker").get_models()
        if model not in skip and not model.__name__.startswith("Historical")
    ]


def connect_signals() -> None:
    """Bump the stamp on any change; called once from ``TrackerConfig.ready``."""
    for model in watched_models():
        uid = f"tracker.caching.{model._meta.model_name}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete")
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            if through._meta.auto_created:
                m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"{uid}.{m2m.name}")


# ---------------------------------------------------------------------------
# The release: a change of code or templates changes every ETag.


def _release() -> str:
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.html")]):
        if "migrations" not in path.parts:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


RELEASE = _release()


# ---------------------------------------------------------------------------
# The middleware.


@dataclass(frozen=True)
class PageState:
    """What one public request's answer is validated and cached by."""

    etag: str
    last_modified: datetime.datetime
    key: str
    changed_at: datetime.datetime  # the last change to any record or link
    version: int  # the stamp's counter of changes


# Values kept per process for one state of the data: key → ((version, time), value).
_kept: dict[tuple, tuple] = {}


def kept_for_state(request: HttpRequest, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, kept in this process for later requests that read the same
    publication stamp as ``request`` (the state the middleware read for it).

    Every change to a record or link moves the stamp on in the same transaction,
    so a value computed from the data at one stamp holds as long as the stamp
    does: an API list's count, the talks search offers. ``key`` names the value
    (with the database alias, where it depends on it). Without a stamp read, or at
    version 0 (nothing has ever moved it, so it tells nothing), it is computed.
    """
    state = getattr(request, "_parley_page", None)
    if state is None or not state.version:
        return compute()
    stamp = (state.version, state.changed_at)
    kept = _kept.get(key)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    value = compute()
    _kept[key] = (stamp, value)
    return value


def page_state(request: HttpRequest) -> PageState:
    version, changed_at = read_stamp()
    today = timezone.localdate()
    midnight = datetime.datetime.combine(today, datetime.time(), tzinfo=datetime.UTC)
    parts = [RELEASE, str(version), changed_at.isoformat(), today.isoformat()]
    parts += [request.get_host(), request.get_full_path()]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    return PageState(
        etag=quote_etag(digest),
        last_modified=max(changed_at, midnight).replace(microsecond=0),
        key=f"parley:page:{digest}",
        changed_at=changed_at,
        version=version,
    )


def _is_public(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    match = request.resolver_match
    if match is None or not match.namespaces or match.view_name in PRIVATE_VIEWS:
        return False
    return match.namespaces[0] in PUBLIC_NAMESPACES


def _headers(response: HttpResponse, state: PageState) -> None:
    if not response.has_header("ETag"):
        response["ETag"] = state.etag
    if not response.has_header("Last-Modified"):
        response["Last-Modified"] = http_date(state.last_modified.timestamp())
    response["Cache-Control"] = f"public, max-age={settings.PARLEY_MAX_AGE}"


def _cacheable(request: HttpRequest, response: HttpResponse) -> bool:
    """A plain 200 that is the same for every reader: no cookie, no session, no Vary: Cookie."""
    if response.status_code != 200 or response.cookies:
        return False
    session = getattr(request, "session", None)
    if session is not None and (session.accessed or session.modified):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    vary = response.get("Vary", "").lower()
    return "cookie" not in vary and "private" not in response.get("Cache-Control", "")


class PublicCacheMiddleware:
    """ETag, Last-Modified, 304s, Cache-Control and a page cache for public answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        state = getattr(request, "_parley_page", None)
        if state is None or getattr(response, "_parley_cached", False):
            return response
        if not _cacheable(request, response):
            return response
        _headers(response, state)
        if self._keep(request, response, state):
            headers = {k: v for k, v in response.items() if k.lower() != "set-cookie"}
            cache.set(state.key, (response.content, headers), settings.PARLEY_CACHE_SECONDS)
        return response

    @staticmethod
    def _keep(request: HttpRequest, response: HttpResponse, state: PageState) -> bool:
        """Keep a copy of a GET's whole, modest answer whose ETag is the page's own."""
        return bool(
            settings.PARLEY_CACHE_SECONDS
            and request.method == "GET"
            and not response.streaming
            and len(response.content) <= MAX_CACHED_BYTES
            and response["ETag"] == state.etag
        )

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not _is_public(request):
            return None
        state = page_state(request)
        request._parley_page = state
        not_modified = get_conditional_response(
            request, etag=state.etag, last_modified=int(state.last_modified.timestamp())
        )
        if not_modified is not None:
            _headers(not_modified, state)
            not_modified._parley_cached = True
            return not_modified
        if settings.PARLEY_CACHE_SECONDS:
            kept = cache.get(state.key)
            if kept is not None:
                content, headers = kept
                response = HttpResponse(content)
                for name, value in headers.items():
                    response[name] = value
                response._parley_cached = True
                return response
        return None


__all__ = [
    "PublicCacheMiddleware",
    "bump_publication_stamp",
    "connect_signals",
    "page_state",
    "read_stamp",
]
