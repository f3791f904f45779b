"""manage.py bench: runs end to end on a tiny dataset and writes its results in the agreed shape."""

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE_KEYS = {
    "name",
    "url",
    "cold_median_ms",
    "cold_p95_ms",
    "warm_median_ms",
    "ratio_cold",
    "ratio_warm",
    "queries",
}
REQUIRED_PAGES = {
    "home",
    "talks",
    "talks ?as_of",
    "talks ?compare",
    "talks timeline",
    "topic",
    "actor",
    "statement",
    "event",
    "milestone",
    "source list",
    "source",
    "search",
    "changes",
    "feed: statements",
    "sitemap index",
    "api: statements",
    "api: positions",
    "downloads page",
    "download: parley.json",
}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )


def test_bench_measures_every_page_kind_and_writes_json_in_the_agreed_shape(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
    }
    env.pop("REDIS_URL", None)
    for args in (("migrate", "-v0"), ("generate_data", "--statements", "100", "-v0")):
        done = manage(*args, env=env)
        assert done.returncode == 0, done.stderr
    output = tmp_path / "bench.json"
    done = manage(
        "bench",
        "--output", str(output),
        "--requests", "2",
        "--warm", "2",
        "--memory-requests", "60",
        "--file-requests", "1",
        env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "| statement |" in done.stdout
    assert "Worker memory (VmRSS)" in done.stdout

    results = json.loads(output.read_text())
    assert set(results) == {"statements", "baseline_ms", "pages"}
    assert results["statements"] == 100
    assert results["baseline_ms"] > 0
    assert {page["name"] for page in results["pages"]} >= REQUIRED_PAGES
    for page in results["pages"]:
        assert set(page) == PAGE_KEYS, page["name"]
        assert page["url"].startswith("/")
        assert 0 < page["cold_median_ms"] <= page["cold_p95_ms"]
        assert page["warm_median_ms"] > 0
        assert isinstance(page["queries"], int) and page["queries"] >= 1
        expected = page["cold_median_ms"] / results["baseline_ms"]
        assert abs(page["ratio_cold"] - expected) < 0.01 * expected + 0.01


def test_bench_refuses_an_empty_database(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }
    assert manage("migrate", "-v0", env=env).returncode == 0
    done = manage("bench", "--output", str(tmp_path / "out.json"), env=env)
    assert done.returncode != 0
    assert "generate_data" in done.stderr
    assert not (tmp_path / "out.json").exists()


def test_cold_and_warm_requests_go_in_rounds_over_every_kind_each_cold_url_once(monkeypatch):
    # A slow spell of a shared machine then falls on every kind, cold and warm, and on
    # the baseline, not on the one kind or phase being measured.
    from tracker.bench import runner

    asked: list[tuple[str, str, dict | None]] = []
    servers = {}

    class FakeServer:
        def __init__(self, *, cache_seconds):
            self.port = len(servers)
            servers[self.port] = "cold" if cache_seconds == 0 else "warm"

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

        def worker_rss_mb(self):
            return [100.0, 100.0]

    def fake_fetch(port, url, headers=None):
        asked.append((servers[port], url, headers))
        return 200, 1.0, {"ETag": f'"{url}"'}

    monkeypatch.setattr(runner, "Server", FakeServer)
    monkeypatch.setattr(runner, "fetch", fake_fetch)
    kinds = [
        runner.PageKind("a", [f"/a/{n}" for n in range(8)]),
        runner.PageKind("b", [f"/b/{n}" for n in range(3)]),
    ]
    results = runner.Results(statements=0, kinds=kinds)
    runner.measure(results, budget=60, warm=6, memory_requests=0, log=lambda line: None)

    cold = [url for server, url, _ in asked if server == "cold" and url != runner.BASELINE]
    assert cold[0] == "/"  # before measuring
    assert sorted(cold[1:]) == sorted(kinds[0].urls + kinds[1].urls)  # each once
    assert cold[1:5] == ["/a/0", "/a/4", "/b/0", "/a/1"]  # round by round
    assert len(kinds[0].cold) == 8 and len(kinds[1].cold) == 3
    # Warm: each kind's first URL revalidated with its ETag, 6 timed times in all, in every
    # round, after an untimed request for the current ETag and one revalidation per worker.
    revalidated = [(url, headers) for server, url, headers in asked if headers]
    untimed = 2 * runner.COLD_ROUNDS
    assert revalidated.count(("/a/0", {"If-None-Match": '"/a/0"'})) == 6 + untimed
    assert revalidated.count(("/b/0", {"If-None-Match": '"/b/0"'})) == 6 + untimed
    assert len(kinds[0].warm) == 6 and len(kinds[1].warm) == 6
    assert kinds[0].warm_statuses == {200: 6}  # the fake server never answers 304
    assert "warm 200" in runner.table(results)
    firsts = ("/a/0", "/a/1", "/a/2", "/a/3")  # kind a's first cold URL in each round
    rounds = [n for n, entry in enumerate(asked) if entry[0] == "cold" and entry[1] in firsts]
    for start, end in itertools.pairwise(rounds):
        between = asked[start:end]
        assert ("warm", "/a/0", {"If-None-Match": '"/a/0"'}) in between
        assert ("cold", runner.BASELINE, None) in between
    # Baseline samples before the first kind.
    first_page = asked.index(("cold", "/a/0", None))
    assert [entry[1] for entry in asked[:first_page]].count(runner.BASELINE) >= 50
    assert results.rss_mb == [100.0, 100.0]
