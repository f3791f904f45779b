"""A WSGI application for tests/test_serving.py: ``/slow`` streams its body for five
seconds (a whole-data download at scale streams for longer) and reports as Parley's
downloads do; any other path answers at once."""

import time

from tracker.serving import reporting_alive

SLOW_CHUNKS = 10
SLOW_PAUSE = 0.5  # seconds between chunks: five seconds in all


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return reporting_alive(_slowly()) if environ["PATH_INFO"] == "/slow" else [b"quick"]


def _slowly():
    for n in range(SLOW_CHUNKS):
        time.sleep(SLOW_PAUSE)
        yield f"chunk {n}\n".encode()
