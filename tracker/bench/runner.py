"""The benchmark: every public page kind, API list, search and download, against a baseline.

``run()`` serves the current database with gunicorn and production settings
(two workers on 127.0.0.1, ``tracker.bench.settings``) and measures, over HTTP,
one client request at a time:

- **baseline:** ``/bench/baseline/``, a minimal view rendering a small
  template with no query, sampled between every page kind so that the machine's
  load at the time is in both numbers;
- **cold:** up to ``requests`` *different* URLs of each page kind (different
  talks, statements, actors, search terms, API pages), each requested once,
  on a server with the page cache off (``PARLEY_CACHE_SECONDS=0``); a kind
  with fewer distinct objects (50 talks, one home page) repeats them;
- **warm:** one URL of each kind repeated ``warm`` times on a second server,
  running beside the first, with caching as deployed, each request
  revalidating with ``If-None-Match`` (the answer is a 304; the table lists any
  other), after an untimed request for the page's current ETag and one
  revalidation by each worker; the median of the cached 200 answers is shown
  too;
- cold and warm requests go in ``COLD_ROUNDS`` rounds over all the kinds, each
  round with baseline samples of its own, so that a slow spell of the machine
  falls on every kind and phase alike;
- **queries:** the SQL queries of one request of each kind, counted in this
  process through Django's test client with the page cache off;
- **memory:** the resident size of each gunicorn worker (``VmRSS``) once the
  warm server has answered ``memory_requests`` requests of all the kinds
  (within 15 minutes; pages slower than 2 s and whole downloads left out).

A kind whose cold requests take longer than ``budget`` seconds in all stops
early (at least one request in each round); the table shows how many requests
each kind had.
"""

from __future__ import annotations

import contextlib
import datetime
import http.client
import itertools
import math
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from tracker.models import (
    Actor,
    Correction,
    Event,
    Negotiation,
    Source,
    Statement,
    Topic,
)
from tracker.sitemaps import SITEMAPS
from tracker.views.common import public_records

BASELINE = "/bench/baseline/"
API_LISTS = [
    "talks",
    "actors",
    "relationships",
    "topics",
    "positions",
    "statements",
    "events",
    "milestones",
    "sources",
]


@dataclass
class PageKind:
    """One kind of page and the URLs that stand for it."""

    name: str
    urls: list[str]
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    cached: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    warm_statuses: dict[int, int] = field(default_factory=dict)
    queries: int | None = None

    @property
    def distinct(self) -> int:
        return len(set(self.urls))


# ---------------------------------------------------------------------------
# Which URLs to ask for.


def _sample(rng: random.Random, items: list, n: int) -> list:
    return rng.sample(items, n) if len(items) > n else list(items)


def _cycle(urls: list[str], n: int) -> list[str]:
    """``n`` requests over ``urls``: each once, repeated round-robin when there are fewer."""
    if not urls:
        return []
    return list(itertools.islice(itertools.cycle(urls), max(n, len(urls)) if n else len(urls)))


def _api_pages(name: str, total: int, n: int) -> list[str]:
    """Up to ``n`` different pages of an API list, by page number and page size."""
    urls: list[str] = []
    for size in (50, 20, 10, 5, 2, 1):
        for page in range(1, max(1, math.ceil(total / size)) + 1):
            query = {"page": page} if size == 50 else {"page": page, "page_size": size}
            urls.append(f"/api/v1/{name}/?{urlencode(query)}")
            if len(urls) >= n:
                return urls
    return urls


def _search_terms(rng: random.Random, n: int) -> list[str]:
    words: set[str] = set()
    for name in Actor.objects.public().values_list("name", flat=True)[:3000]:
        words.update(part for part in name.replace("(", " ").replace(")", " ").split())
    for title in Topic.objects.public().values_list("title", flat=True):
        words.update(title.split())
    words = {w for w in words if len(w) > 3 and w.isascii()}
    terms = sorted(words)
    chosen = _sample(rng, terms, n)
    # A few two-word and phrase queries too.
    for i in range(0, len(chosen) - 1, 7):
        chosen[i] = f"{chosen[i]} {chosen[i + 1]}"
    return chosen


def collect(n: int, file_requests: int, seed: int = 0) -> list[PageKind]:
    """The page kinds and up to ``n`` different URLs of each, from the public records."""
    rng = random.Random(seed)
    talks = list(
        Negotiation.objects.public().order_by("pk").values_list("slug", "start_on", "end_on")
    )

    def urls_of(queryset, limit: int = n) -> list[str]:
        pks = list(queryset.values_list("pk", flat=True))
        chosen = set(_sample(rng, pks, limit))
        return [record.get_absolute_url() for record in queryset.filter(pk__in=chosen)]

    def day_in(start, end) -> str:
        start = start or datetime.date(2020, 1, 1)
        end = min(end or datetime.date.today(), datetime.date.today())
        return (
            start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))
        ).isoformat()

    as_of, compare = [], []
    for slug, start, end in _cycle(talks, n)[:n]:
        as_of.append(f"/talks/{slug}/?as_of={day_in(start, end)}")
        first, second = sorted([day_in(start, end), day_in(start, end)])
        compare.append(f"/talks/{slug}/?compare={first}&to={second}")
    entries = dict(
        Statement.objects.public()
        .filter(negotiation__isnull=False)
        .values_list("negotiation__slug")
        .annotate(n=Count("pk"))
    )
    timeline_pages = [
        f"/talks/{slug}/timeline/?page={rng.randint(1, max(1, entries.get(slug, 0) // 50))}"
        for slug, _, _ in _cycle(talks, n)[:n]
    ]
    sources = Source.objects.public().count()
    source_pages = max(1, math.ceil(sources / 50))
    change_pages = max(1, math.ceil(Correction.objects.public().count() / 50))
    sitemap_sections = []
    for section, sitemap in SITEMAPS.items():
        pages = sitemap().paginator.num_pages
        sitemap_sections += [f"/sitemap-{section}.xml?p={p}" for p in range(1, pages + 1)]
    kinds = [
        PageKind("home", _cycle(["/"], n)),
        PageKind("talks", _cycle([f"/talks/{slug}/" for slug, _, _ in talks], n)),
        PageKind("talks ?as_of", as_of),
        PageKind("talks ?compare", compare),
        PageKind("talks timeline", timeline_pages),
        PageKind("topic", urls_of(public_records("topic"))),
        PageKind("actor", urls_of(Actor.objects.public())),
        PageKind("statement", urls_of(Statement.objects.public())),
        PageKind("event", urls_of(Event.objects.public())),
        PageKind("milestone", urls_of(public_records("milestone"))),
        PageKind(
            "source list",
            [f"/sources/?page={p}" for p in _sample(rng, list(range(1, source_pages + 1)), n)],
        ),
        PageKind("source", urls_of(Source.objects.public())),
        PageKind(
            "search",
            [f"/search/?q={quote(term)}" for term in _search_terms(rng, n)],
        ),
        PageKind("changes", _cycle([f"/changes/?page={p}" for p in range(1, change_pages + 1)], n)),
        PageKind("feed: statements", _cycle(["/feeds/statements/"], n)),
        PageKind("feed: milestones", _cycle(["/feeds/milestones/"], n)),
        PageKind("feed: changes", _cycle(["/feeds/changes/"], n)),
        PageKind("feed: talks", _cycle([f"/talks/{slug}/feed/" for slug, _, _ in talks], n)),
        PageKind("sitemap index", _cycle(["/sitemap.xml"], n)),
        PageKind("sitemap section", _cycle(sitemap_sections, n)),
    ]
    for name in API_LISTS:
        total = {
            "talks": len(talks),
        }.get(name) or _api_total(name)
        kinds.append(PageKind(f"api: {name}", _cycle(_api_pages(name, total, n), n)))
    kinds.append(
        PageKind(
            "downloads page",
            _cycle(["/downloads/"] + [f"/talks/{slug}/downloads/" for slug, _, _ in talks], n),
        )
    )
    for filename in ("parley.json", "parley-csv.zip", "parley-popolo.json"):
        files = [f"/talks/{slug}/downloads/{filename}" for slug, _, _ in talks]
        kinds.append(PageKind(f"download: {filename}", _sample(rng, files, file_requests)))
    return [kind for kind in kinds if kind.urls]


def _api_total(name: str) -> int:
    model = {
        "actors": "actor",
        "relationships": "relationship",
        "topics": "topic",
        "positions": "position",
        "statements": "statement",
        "events": "event",
        "milestones": "milestone",
        "sources": "source",
    }[name]
    return public_records(model).count()


# ---------------------------------------------------------------------------
# Counting queries in this process.


def count_queries(kinds: list[PageKind]) -> None:
    host = "testserver" if "testserver" in settings.ALLOWED_HOSTS else "127.0.0.1"
    client = Client(SERVER_NAME=host)
    with override_settings(PARLEY_CACHE_SECONDS=0):
        for url in ("/", "/sources/"):
            client.get(url)  # per-process caches (content types) as a running server has them
        for kind in kinds:
            with CaptureQueriesContext(connection) as queries:
                client.get(kind.urls[0])
            kind.queries = len(queries)


# ---------------------------------------------------------------------------
# The server.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with production settings on 127.0.0.1, serving the configured database."""

    def __init__(self, *, cache_seconds: int | None, workers: int = 2):
        self.port = free_port()
        env = {
            **os.environ,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_HTTPS": "0",
            "DJANGO_SETTINGS_MODULE": "tracker.bench.settings",
        }
        if cache_seconds is not None:
            env["PARLEY_CACHE_SECONDS"] = str(cache_seconds)
        self.env = env
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def collectstatic(self) -> None:
        """Collect the static files production serves, unless they are already current."""
        if _static_is_current():
            return
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=settings.BASE_DIR,
            env=self.env,
            check=True,
        )

    def __enter__(self) -> Server:
        # Production's gunicorn settings, but never recycling a worker (so the memory
        # read after many requests is one worker's whole life) and without an access
        # log.
        command = [
            sys.executable, "-m", "gunicorn", "tracker.wsgi:application",
            "--config", "tracker/gunicorn.conf.py",
            "--workers", str(self.workers),
            "--bind", f"127.0.0.1:{self.port}",
            "--max-requests", "0",
            "--access-logfile", "/dev/null",
            "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=self.env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited at start-up; see its output above.")
            with contextlib.suppress(OSError):
                if fetch(self.port, BASELINE)[0] == 200:
                    return self
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 120 seconds.")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def worker_rss_mb(self) -> list[float]:
        """Each worker's resident memory (VmRSS), in MB."""
        sizes = []
        for pid in _children(self.process.pid):
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) / 1024)
        return sizes


def _static_is_current() -> bool:
    from django.contrib.staticfiles import finders

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    collected = manifest.stat().st_mtime
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            if Path(storage.path(path)).stat().st_mtime > collected:
                return False
    return True


def _children(parent: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == parent:
                pids.append(int(entry.name))
    return pids


def fetch(port: int, url: str, headers: dict | None = None) -> tuple[int, float, dict]:
    """GET ``url``; return the status, the milliseconds until the whole body was read, headers.

    A connection that fails (e.g. gunicorn killed a worker that ran past its
    timeout) counts as status 0 with the time it took.
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    started = time.perf_counter()
    try:
        conn.request("GET", url, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        response.read()
        status, received = response.status, dict(response.getheaders())
    except (OSError, http.client.HTTPException):
        status, received = 0, {}
    finally:
        conn.close()
    return status, (time.perf_counter() - started) * 1000, received


# ---------------------------------------------------------------------------
# Measuring.


@dataclass
class Results:
    statements: int
    kinds: list[PageKind]
    baseline: list[float] = field(default_factory=list)
    warm_baseline: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    served: int = 0

    @property
    def baseline_ms(self) -> float:
        return statistics.median(self.baseline)

    def as_json(self) -> dict:
        base = self.baseline_ms
        pages = []
        for kind in self.kinds:
            cold = statistics.median(kind.cold)
            warm = statistics.median(kind.warm)
            pages.append(
                {
                    "name": kind.name,
                    "url": kind.urls[0],
                    "cold_median_ms": round(cold, 2),
                    "cold_p95_ms": round(p95(kind.cold), 2),
                    "warm_median_ms": round(warm, 2),
                    "ratio_cold": round(cold / base, 2),
                    "ratio_warm": round(warm / base, 2),
                    "queries": kind.queries,
                }
            )
        return {"statements": self.statements, "baseline_ms": round(base, 3), "pages": pages}


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def _baseline(port: int, samples: list[float], n: int) -> None:
    for _ in range(n):
        status, ms, _ = fetch(port, BASELINE)
        if status == 200:
            samples.append(ms)


# Requests go in rounds: each round asks every kind for its next share of cold URLs and
# of warm revalidations, so that a slow spell of a shared machine falls on every kind,
# cold and warm (and on the baseline, sampled in each round too), rather than on the
# one kind or phase measured at the time.
COLD_ROUNDS = 4


def measure(
    results: Results, budget: float, warm: int, memory_requests: int, log: Callable[[str], None]
) -> None:
    """Cold and warm requests, in rounds over every kind, on two servers running side by
    side; then the memory of the warm server's workers."""
    with Server(cache_seconds=0) as cold, Server(cache_seconds=None) as cached:
        for url in (BASELINE, "/"):
            fetch(cold.port, url)  # imports and first connections
            fetch(cached.port, url)
        served = 2 + _fill(results, cached.port)
        _baseline(cold.port, results.baseline, 50)
        spent = {kind.name: 0.0 for kind in results.kinds}
        for round_ in range(COLD_ROUNDS):
            for kind in results.kinds:
                _baseline(cold.port, results.baseline, 10 // COLD_ROUNDS + 1)
                share = kind.urls[round_::COLD_ROUNDS]
                started = time.monotonic()
                for url in share:
                    status, ms, _ = fetch(cold.port, url)
                    kind.cold.append(ms)
                    kind.statuses[status] = kind.statuses.get(status, 0) + 1
                    if spent[kind.name] + time.monotonic() - started > budget:
                        break  # a very slow kind: bounded, the table says how many were measured
                spent[kind.name] += time.monotonic() - started
                # Untimed: the current ETag (it changes with the day), then a revalidation
                # by each worker, whose database connection may have idled since.
                etag = fetch(cached.port, kind.urls[0])[2].get("ETag")
                revalidate = {"If-None-Match": etag} if etag else None
                for _ in range(2):
                    fetch(cached.port, kind.urls[0], revalidate)
                repeats = warm // COLD_ROUNDS + (round_ < warm % COLD_ROUNDS)
                for _ in range(repeats):
                    status, ms, _ = fetch(cached.port, kind.urls[0], revalidate)
                    kind.warm.append(ms)
                    kind.warm_statuses[status] = kind.warm_statuses.get(status, 0) + 1
                _baseline(cached.port, results.warm_baseline, 1)
                served += 3 + repeats + 1
        for kind in results.kinds:
            log(
                f"  {kind.name:<28} cold {statistics.median(kind.cold):8.1f} ms"
                f"  warm {statistics.median(kind.warm):6.2f} ms"
            )
        _load(results, cached, served, memory_requests)


def _fill(results: Results, port: int) -> int:
    """Ask the warm server for each kind's URL until each worker has it cached, timing the
    cached answers; returns the number of requests."""
    for kind in results.kinds:
        for n in range(6):
            ms = fetch(port, kind.urls[0])[1]
            if n >= 2:
                kind.cached.append(ms)
    return 6 * len(results.kinds)


def _load(results: Results, server: Server, served: int, memory_requests: int) -> None:
    """Keep both workers busy with every kind's URLs until ``memory_requests`` in all,
    then read their memory. Whole downloads and pages slower than 2 s each would take
    hours at 10,000 requests; they are left out of the mix (the table lists their own
    numbers)."""
    mix = [url for kind in results.kinds
           if not kind.name.startswith("download:") and statistics.median(kind.cold) < 2000
           for url in kind.urls]  # fmt: skip
    random.Random(1).shuffle(mix)
    remaining = max(0, memory_requests - served)
    urls = list(itertools.islice(itertools.cycle(mix), remaining))
    lock = threading.Lock()
    deadline = time.monotonic() + 900
    done = [0]

    def client():
        while time.monotonic() < deadline:
            with lock:
                if not urls:
                    return
                url = urls.pop()
            fetch(server.port, url)
            with lock:
                done[0] += 1

    threads = [threading.Thread(target=client) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.served = served + done[0]
    results.rss_mb = server.worker_rss_mb()


def table(results: Results) -> str:
    data = results.as_json()
    lines = [
        f"Statements: {data['statements']}; baseline median {data['baseline_ms']:.2f} ms "
        f"(warm server: {statistics.median(results.warm_baseline):.2f} ms)",
        "",
        "| page | cold requests (distinct URLs) | cold median ms | cold p95 ms "
        "| warm (304) ms | cached 200 ms | × cold | × warm | queries "
        "| cold non-200, warm non-304 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for kind, page in zip(results.kinds, data["pages"], strict=True):
        other = {s: c for s, c in kind.statuses.items() if s != 200}
        other.update({f"warm {s}": c for s, c in kind.warm_statuses.items() if s != 304})
        lines.append(
            f"| {kind.name} | {len(kind.cold)} ({kind.distinct}) | {page['cold_median_ms']:.1f} "
            f"| {page['cold_p95_ms']:.1f} | {page['warm_median_ms']:.2f} "
            f"| {statistics.median(kind.cached):.2f} | {page['ratio_cold']:.1f} "
            f"| {page['ratio_warm']:.2f} | {page['queries']} | {other or ''} |"
        )
    rss = ", ".join(f"{mb:.0f} MB" for mb in results.rss_mb) or "unknown"
    lines += ["", f"Worker memory (VmRSS) after {results.served} requests: {rss}"]
    return "\n".join(lines)


def run(
    *,
    requests: int = 100,
    warm: int = 50,
    memory_requests: int = 10_000,
    file_requests: int = 10,
    budget: float = 120.0,
    log: Callable[[str], None] = print,
) -> Results:
    """Measure everything; see the module docstring."""
    kinds = collect(requests, file_requests)
    results = Results(statements=Statement.objects.count(), kinds=kinds)
    log(f"{sum(len(k.urls) for k in kinds)} cold requests over {len(kinds)} page kinds")
    count_queries(kinds)
    Server(cache_seconds=None).collectstatic()
    measure(results, budget, warm, memory_requests, log)
    return results


__all__ = ["Results", "run", "table"]
