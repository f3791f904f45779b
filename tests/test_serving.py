"""`make serve` runs Parley as production does: gunicorn, whitenoise, debug off.

The test runs the real command against a fresh SQLite database, as a deployment
without PostgreSQL would, and talks to it over HTTP.
"""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, **headers: str):
    """(status, headers, body) of a GET, errors included."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The base URL of a `make serve` started for these tests; stopped afterwards."""
    tmp_path = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_HTTPS="0",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'parley.sqlite3'}",
        WEB_CONCURRENCY="1",
    )
    log = (tmp_path / "serve.log").open("w")
    # -o install: the virtualenv is already there; do not let the test reinstall it.
    server = subprocess.Popen(
        ["make", "-o", "install", "serve", "HOST=127.0.0.1", f"PORT={port}"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so that it stops as a whole
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                fetch(base + "/")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("make serve did not answer within 3 minutes")
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def test_make_serve_runs_gunicorn_with_whitenoise_and_debug_off(served):
    status, headers, body = fetch(served + "/")
    assert status == 200
    assert headers["Server"].startswith("gunicorn")
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    # Static files carry a content hash (whitenoise's manifest storage), so they can be
    # cached for ever, and are served compressed to clients that accept it.
    stylesheet = re.search(r'href="(/static/tracker/parley\.[0-9a-f]{12}\.css)"', body.decode())
    assert stylesheet, "the stylesheet should be served under its hashed name"
    status, headers, _ = fetch(served + stylesheet[1], **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]


def test_make_serve_answers_a_bad_address_with_the_production_404_page(served):
    status, headers, body = fetch(served + "/no-such-page/")
    assert status == 404
    assert b"Traceback" not in body and b"DEBUG = True" not in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_make_serve_serves_the_admin_and_its_static_files(served):
    status, _, body = fetch(served + "/admin/login/")
    assert status == 200
    stylesheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', body.decode())
    assert stylesheet
    assert fetch(served + stylesheet[1])[0] == 200


def test_a_gunicorn_worker_freezes_what_it_loaded_and_collects_garbage_less_often():
    # Run as gunicorn runs it once a worker has loaded Parley, in a process of its own.
    code = (
        "import gc, json, runpy\n"
        "hooks = runpy.run_path('tracker/gunicorn.conf.py')\n"
        "before = gc.get_threshold()\n"
        "hooks['post_worker_init'](type('Worker', (), {'notify': None})())\n"
        "print(json.dumps([gc.get_freeze_count(), before, gc.get_threshold()]))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, capture_output=True, text=True, check=True
    )
    frozen, before, after = json.loads(run.stdout)
    assert frozen > 0
    assert after == [50_000, *before[1:]]


@pytest.fixture
def gunicorn_with_parley_config(tmp_path):
    """The base URL of gunicorn run with Parley's settings (two workers, a worker timeout
    of 3 seconds) serving ``tests/streaming_app.py``; stopped afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_TIMEOUT": "3",
        "WEB_CONCURRENCY": "2",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "tracker/gunicorn.conf.py",
         "tests.streaming_app:application"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
            try:
                fetch(base + "/")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_a_response_streaming_for_longer_than_the_worker_timeout_arrives_whole(
    gunicorn_with_parley_config,
):
    # The JSON of all talks streams for 24 s at 200,000 statements here, longer on a slower
    # machine or to a reader on a slow line: a worker that reports as it sends
    # (tracker/serving.py) must not be taken for a stuck one.
    from tests.streaming_app import SLOW_CHUNKS

    status, _, body = fetch(gunicorn_with_parley_config + "/slow")
    assert status == 200
    assert body.decode().splitlines() == [f"chunk {n}" for n in range(SLOW_CHUNKS)]


def test_a_worker_busy_streaming_leaves_new_requests_to_the_other(gunicorn_with_parley_config):
    import threading

    base = gunicorn_with_parley_config
    slow = threading.Thread(target=fetch, args=(base + "/slow",))
    slow.start()
    try:
        time.sleep(0.5)  # the slow request has a worker
        for _ in range(10):
            started = time.monotonic()
            assert fetch(base + "/")[2] == b"quick"
            # Not queued behind the five-second stream on the busy worker.
            assert time.monotonic() - started < 1.5
    finally:
        slow.join()


def test_a_stream_reports_at_most_once_a_second(monkeypatch):
    from tracker import serving

    reports = []
    monkeypatch.setattr(serving, "report_alive", lambda: reports.append(time.monotonic()))
    assert list(serving.reporting_alive(b"x" for _ in range(10_000))) == [b"x"] * 10_000
    assert reports == []  # ten thousand chunks in well under a second

    def slow():
        for _ in range(3):
            time.sleep(0.6)
            yield b"x"

    assert list(serving.reporting_alive(slow())) == [b"x"] * 3
    assert len(reports) == 1
