"""gunicorn settings for running Parley as production does (``make serve``).

Command-line options win over these (``make serve`` passes ``--bind $(HOST):$(PORT)``).
Every value can also be set from the environment, as noted on each line.
"""

import gc
import os

# Behind a reverse proxy, listen on the loopback interface only, so that nobody can
# reach gunicorn directly and forge the X-Forwarded-* headers the proxy writes.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# WEB_CONCURRENCY is the usual name for the worker count; two per core is plenty for a
# site whose pages are cached and whose queries are few and fixed.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
# Restart workers now and then, so that a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
# A worker silent this long is stuck, and is restarted; a download reports as it streams
# (tracker/serving.py), however long it takes.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
# The proxy addresses gunicorn believes about X-Forwarded-Proto (a comma-separated list).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Log requests and errors to standard output, where a service manager collects them.
accesslog = "-"
errorlog = "-"
# Worker heartbeats in memory rather than on a disk that may be slow.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


# Python's cyclic garbage collector, tuned for a worker that builds and drops thousands of
# objects a request, nearly all of them freed by reference counting as it ends:
# - what the worker loaded at start-up (Django, Parley, their modules and caches) is
#   frozen, so that no collection walks it again;
# - a collection of the youngest objects waits for 50,000 new ones rather than 700, so
#   that it no longer runs two or three times in the middle of each page, walking
#   objects still in use. Cycles of garbage wait a little longer: a few MB at most.
GC_YOUNGEST_THRESHOLD = 50_000


def post_worker_init(worker) -> None:
    from tracker import serving

    serving.report_alive = worker.notify  # a download in progress reports with it
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNGEST_THRESHOLD, *gc.get_threshold()[1:])
