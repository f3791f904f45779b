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
# Each worker answers on a thread of its own while its main thread tells the arbiter it
# is alive: a synchronous worker sending a long response is killed at `timeout`, and the
# JSON download of all talks takes half a minute at 200,000 statements (more to a
# reader on a slow line), so it was cut off. One thread by default, as many connections
# as threads: a busy worker takes no new request, which waits for a free worker instead.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 1))
worker_connections = threads
# A connection closes after its answer, as with synchronous workers: a kept-alive idle
# one would hold the worker's only slot.
keepalive = 0
# Restart workers now and then, so that a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
# A worker whose main thread is silent this long is stuck, and is restarted.
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
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNGEST_THRESHOLD, *gc.get_threshold()[1:])
