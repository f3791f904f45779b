"""Django's PostgreSQL backend, with cursors whose queries the server prepares.

PostgreSQL parses and plans each query Django sends: for the short queries of a
public page, planning takes longer than running them (0.1–1.2 ms a query, most
of a talks page's time in the database). ``tracker.prepared`` runs the same few
hundred query texts over and over; through ``prepared_cursor`` the server
prepares each once per connection and plans it once, for any values
(``plan_cache_mode = force_generic_plan``): the texts carry their constants (a
status, a model name) as literals, so the planner knows what they match, and
the queries whose best plan depends on their values are planned per call
instead (``prepared(plan_per_call=True)``, through Django's own cursors). Left
to choose (``auto``), the server planned each statement for its values five
times before it compared, and kept planning some for every call (the API's
citations, a page of a list: 0.3–1.5 ms each time). Django's own cursors are as
Django makes them: bound on the client, never prepared, so always planned for
their values. Settings select this backend for PostgreSQL databases (``ENGINE:
tracker.postgresql``).

A pooler in front of PostgreSQL must keep prepared statements per client
connection (PgBouncer from 1.21 with ``max_prepared_statements``, or session
pooling).
"""

import contextlib
import select

import psycopg
from django.db.backends.postgresql import base
from psycopg.types.numeric import Int8BinaryDumper

# Statements each connection keeps prepared, the oldest deallocated past this; a run
# over every public page kind (up to 100 URLs each) prepared 158.
PREPARED_PER_CONNECTION = 1024
# psycopg prepares a query run this many times; only ``prepared_cursor`` asks it to (at
# the first run), and Django's cursors, which bind on the client, never prepare.
_ONLY_WHEN_ASKED = 2**31


class PreparingCursor(base.CursorMixin, psycopg.RawCursor):
    """Server-side binding, each query prepared on its connection at its first run, its
    text written with PostgreSQL's own placeholders ($1, as ``tracker.prepared`` writes
    them). Every integer goes as a bigint, so that one text is one statement whatever
    its numbers (psycopg types each by its size: ids of 30,000 and 40,000 would make
    two)."""

    def __init__(self, connection, **kwargs):
        super().__init__(connection, **kwargs)
        self.adapters.register_dumper(int, Int8BinaryDumper)

    def execute(self, query, params=None, *, prepare=True, binary=None):
        return super().execute(query, params, prepare=prepare, binary=binary)


class DatabaseWrapper(base.DatabaseWrapper):
    # Whether prepared queries are being sent together (``pipeline``).
    sending_together = False

    def _configure_connection(self, connection):
        super()._configure_connection(connection)
        # Prepared statements run their generic plan from the first call (see above);
        # Django's queries, bound on the client, have no parameters and are unaffected.
        connection.execute("SET plan_cache_mode = force_generic_plan")
        return True  # committed by Django, as its own settings are

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if connection.prepare_threshold is None:  # Django's default: nothing prepared
            connection.prepare_threshold = _ONLY_WHEN_ASKED
        connection.prepared_max = PREPARED_PER_CONNECTION
        return connection

    def close_if_health_check_failed(self):
        """The health check at a request's first query, without a round trip when the
        server has said nothing since the last query.

        Django asks the server ``SELECT 1``: 0.05–0.2 ms, as much as a revalidation's
        only other query, its publication stamp. A server that ends a
        connection (a restart, ``pg_terminate_backend``, an idle timeout) says so and
        closes it: the socket becomes readable. Only then is the server asked.
        """
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and self.connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            and not _readable(self.connection.fileno())
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    @contextlib.contextmanager
    def pipeline(self):
        """Queries of prepared cursors run inside are sent without waiting for each answer
        (psycopg's pipeline mode), the server's answers read as the block ends: one round
        trip for them all, unless a result is read inside the block (a query planned per
        call, through Django's cursor, is read at once), which costs one more. A query's
        error is raised when the answers are read, as Django's."""
        if self.sending_together:
            yield
            return
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            try:
                self.sending_together = True
                with self.connection.pipeline():
                    yield
            finally:
                self.sending_together = False

    def prepared_cursor(self):
        """A cursor as ``cursor()`` gives (wrapped alike: counted, logged, its errors
        Django's), whose queries the server prepares."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = PreparingCursor(self.connection)
            tzloader = self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, base.Format.TEXT)
            if self.timezone != tzloader.timezone:
                base.register_tzloader(self.timezone, cursor)
            return self._prepare_cursor(cursor)


def _readable(fd: int) -> bool:
    """Whether the server has sent anything on the socket ``fd`` (or closed it)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))
