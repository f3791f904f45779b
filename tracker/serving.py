"""A long response tells the server, as it streams, that its worker is alive.

A synchronous gunicorn worker reports to its arbiter between requests only, and is
restarted when it has not reported for ``GUNICORN_TIMEOUT`` seconds: the JSON of
all talks, 35 s at 200,000 statements here (24 s since), more on a slower machine or
to a reader on a slow line, was cut off at 30 s. ``gunicorn.conf.py`` points
``report_alive`` at the worker's ``notify``; elsewhere it does nothing. Threaded
workers report on their own, but cost a cold page up to a fifth more here.
"""

import time
from collections.abc import Callable, Iterable, Iterator

report_alive: Callable[[], None] = lambda: None  # noqa: E731
# How often a streaming response reports, in seconds: far below any timeout, and
# seldom enough that a file of 200,000 records does not make a system call for each.
REPORT_EVERY = 1.0


def reporting_alive(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """``chunks`` as they come, reporting that the worker is alive once a second."""
    reported = time.monotonic()
    for chunk in chunks:
        yield chunk
        now = time.monotonic()
        if now - reported >= REPORT_EVERY:
            report_alive()
            reported = now
