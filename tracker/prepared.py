"""Querysets whose SQL Django builds once per process, then runs with each call's values.

Django builds a queryset's filters and compiles its SQL on every evaluation. For
the short queries of a public page that takes 0.3–1.5 ms a query, several times
what SQLite or PostgreSQL take to run them, and a page runs five to twelve.
``prepared`` builds the queryset once with marker values in place of the
arguments, keeps the compiled SQL, and on each call runs that SQL with the
call's values. Records come as Django's own iterable makes them (the same model
instances, ``select_related`` objects and annotations), read by a loop set up
once; a query with prefetches (which build their own queries) goes through that
iterable itself.

    @prepared
    def topics_of(statement_id: int):
        return Topic.objects.public().filter(statements=statement_id)

    topics = topics_of(statement.pk)  # a list

Positional arguments may be ints, strings, dates, lists or tuples of ints (one
SQL per list length), None (one SQL with and one without: the builder leaves
the filter out), or one slice with a start and a stop, which the builder
applies last (a page of a list: its LIMIT and OFFSET become parameters). Each
value must reach the SQL as a parameter of a lookup, as filters put it; a value
that changes the SQL itself (a field name, a slice inside a subquery) cannot be
prepared that way, and the first call says so. Keyword arguments are for
those: each set of them is built and compiled on its own.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import functools
import re
from collections.abc import Callable, Iterator, Sequence

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)

# Compiled shapes kept per prepared function; the oldest goes first past this.
MAX_SHAPES = 256
# Marker values: unlike anything Parley stores or a query holds as a constant.
_INT_MARK = 2**62
_DAY_MARK = datetime.date(1234, 5, 6)  # not date.min, which queries use as a constant
_INT_RANGE = (-(2**63), 2**63 - 1)
# A slice's markers: Django writes a slice into the SQL as LIMIT and OFFSET numbers.
_OFFSET_MARK = 2**61 + 7
_LIMIT_MARK = 3**36
_OUT_OF_RANGE = object()


def _shape(value) -> object:
    """What the SQL depends on in an argument: its type, a list's length, or that it is None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"A prepared query cannot take {value!r}: it changes the SQL.")
    if isinstance(value, int | str | datetime.date) and not isinstance(value, datetime.datetime):
        return type(value)
    if isinstance(value, list | tuple) and (
        # Plain ints, as ids are, told at C speed; other ints but bools, one by one.
        set(map(type, value)) <= {int}
        or all(isinstance(item, int) and not isinstance(item, bool) for item in value)
    ):
        return ("ints", len(value))
    if (
        isinstance(value, slice)
        and isinstance(value.start, int)
        and isinstance(value.stop, int)
        and value.step is None
        and 0 <= value.start <= value.stop
    ):
        return slice
    raise TypeError(
        f"A prepared query takes ints, strings, dates, lists of ints or slices with a start "
        f"and a stop, not {value!r}."
    )


def _flatten(args: Sequence) -> list:
    values = []
    for arg in args:
        if arg is not None and not isinstance(arg, slice):
            values.extend(arg if isinstance(arg, list | tuple) else [arg])
    return values


def _window(args: Sequence) -> slice | None:
    windows = [arg for arg in args if isinstance(arg, slice)]
    if len(windows) > 1:
        raise TypeError("A prepared query takes one slice at most.")
    return windows[0] if windows else None


class _Prepared:
    """One compiled query: the queryset built with markers, its SQL and where each value goes."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        args: Sequence,
        options: dict,
        plan_per_call: bool = False,
    ):
        slot = iter(range(1_000_000))
        markers: list = []

        def mark(value):
            n = next(slot)
            if isinstance(value, str):
                marker = f"\x00prepared-{n}\x00"
            elif isinstance(value, datetime.date):
                marker = _DAY_MARK + datetime.timedelta(days=n)
            else:
                marker = _INT_MARK + n
            markers.append(marker)
            return marker

        window = slice(_OFFSET_MARK, _OFFSET_MARK + _LIMIT_MARK)
        self.windowed = _window(args) is not None
        marked = [
            None
            if arg is None
            else window
            if isinstance(arg, slice)
            else [mark(item) for item in arg]
            if isinstance(arg, list | tuple)
            else mark(arg)
            for arg in args
        ]
        self.build = functools.partial(build, **options)
        self.queryset = self.build(*marked)
        self.name = getattr(build, "__qualname__", repr(build))
        self.alias = self.queryset.db
        connection = connections[self.alias]
        self.compiler = self.queryset.query.get_compiler(using=self.alias)
        self.empty = False
        try:
            self.sql, params = self.compiler.as_sql()
        except EmptyResultSet:
            self.empty = True
            return
        self.adapt = [self._adapter(marker, connection) for marker in markers]
        compiler = self.compiler
        self.converters = compiler.get_converters(
            [column for column, _, _ in compiler.select[: compiler.col_count]]
        )
        where = {
            adapt(marker): n
            for n, (marker, adapt) in enumerate(zip(markers, self.adapt, strict=True))
        }
        # The slice is the last clause of the SQL: its numbers become parameters.
        tail = f"LIMIT {_LIMIT_MARK} OFFSET {_OFFSET_MARK}"
        if self.windowed and not self.sql.endswith(tail):
            raise ImproperlyConfigured(f"{self.name}: a prepared slice must end the query.")
        self.params = [(where.get(param) if _hashable(param) else None, param) for param in params]
        found = {n for n, _ in self.params if n is not None}
        missing = [markers[n] for n in range(len(markers)) if n not in found]
        if missing or any(isinstance(m, str) and m in self.sql for m in markers):
            raise ImproperlyConfigured(
                f"{self.name}: every argument of a prepared query must be a parameter of "
                "its SQL (a filter's value), not part of the SQL itself."
            )
        self.read = self._reader()
        # On PostgreSQL the server prepares what ``_fetch`` reads (a query read through
        # Django's iterable goes through Django's cursors).
        self.prepares = (
            not plan_per_call and self.read is not None and hasattr(connection, "prepared_cursor")
        )
        sql = self.sql[: -len(tail)] if self.windowed else self.sql
        if self.prepares:
            sql, self.params = _for_server(sql, self.params, connection)
            window = f"LIMIT ${len(self.params) + 1} OFFSET ${len(self.params) + 2}"
        else:
            window = "LIMIT %s OFFSET %s"
        self.sql = sql + window if self.windowed else sql

    def _reader(self) -> Callable[[list], list] | None:
        """What Django's iterable of the query does with its converted rows, set up once:
        for a ``values_list``, its tuples (or first values, when flat); for records, each
        row's record, its ``select_related`` records and annotations. None for a query
        Django reads otherwise (named or dict values, prefetches, related managers)."""
        queryset, compiler = self.queryset, self.compiler
        if queryset._prefetch_related_lookups or compiler.has_composite_fields(
            [column for column, _, _ in compiler.select[: compiler.col_count]]
        ):
            return None
        if queryset._iterable_class is ValuesListIterable:
            return lambda rows: [tuple(row) for row in rows]
        if queryset._iterable_class is FlatValuesListIterable:
            return lambda rows: [row[0] for row in rows]
        if queryset._iterable_class is not ModelIterable or queryset._known_related_objects:
            return None
        klass_info = compiler.klass_info
        model = klass_info["model"]
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in compiler.select[start:end]]
        populators = get_related_populators(klass_info, compiler.select, self.alias)
        annotations = list(compiler.annotation_col_map.items())
        alias = self.alias

        def records(rows: list) -> list:
            found = []
            for row in rows:
                record = model.from_db(alias, names, row[start:end])
                for populator in populators:
                    populator.populate(row, record)
                for name, n in annotations:
                    setattr(record, name, row[n])
                found.append(record)
            return found

        return records

    @staticmethod
    def _adapter(marker, connection) -> Callable:
        if isinstance(marker, datetime.date):
            return connection.ops.adapt_datefield_value
        return lambda value: value

    def run(self, args: Sequence) -> list:
        params = self._params(args)
        if params is None:
            return []
        if params is _OUT_OF_RANGE:
            return list(self.build(*args))
        if self.read is not None:
            return self.read(self._fetch(params))
        queryset = self.queryset._chain()
        # The query of this one evaluation hands Django's iterable a compiler that
        # already knows its columns and SQL; nothing else ever sees this query.
        queryset.query.get_compiler = functools.partial(self._compiler, params)
        return list(queryset)

    def rows(self, args: Sequence) -> list[tuple]:
        """The rows of a ``values_list`` query as tuples, read through a plain cursor: the
        same values, each column converted as Django converts it, without a queryset,
        its iterable or its chunked fetching (~0.2 ms a query)."""
        params = self._params(args)
        if params is None:
            return []
        if params is _OUT_OF_RANGE:
            return [tuple(row) for row in self.build(*args)]
        return [tuple(row) for row in self._fetch(params)]

    def later(self, args: Sequence) -> Callable[[], list]:
        """``run(args)`` begun: inside ``sent_together`` the query is sent at once, with
        the others begun there, and its rows read when the result is first asked for."""
        return self._begun(args, self.run, self.read)

    def rows_later(self, args: Sequence) -> Callable[[], list[tuple]]:
        """``rows(args)`` begun, as ``later`` begins ``run``."""
        return self._begun(args, self.rows, lambda rows: [tuple(row) for row in rows])

    def _begun(self, args: Sequence, now: Callable, make: Callable) -> Callable[[], list]:
        """What gives ``now(args)``: ``make`` of the converted rows of the query sent, or,
        when it cannot be sent together, the result of ``now`` run at once."""
        sent = self._send(args)
        if sent is None:
            result = now(args)
            return lambda: result
        return functools.cache(lambda: make(self._converted(sent())))

    def _send(self, args: Sequence) -> Callable[[], list] | None:
        """Inside ``sent_together``, the query sent and what reads its rows; otherwise None."""
        connection = connections[self.alias]
        if not (self.prepares and self.read is not None and connection.sending_together):
            return None
        params = self._params(args)
        if params is None or params is _OUT_OF_RANGE:
            return None
        cursor = connection.prepared_cursor()
        cursor.execute(self.sql, params)

        def rows() -> list:
            with cursor:
                return cursor.fetchall()

        return rows

    def _fetch(self, params: tuple) -> list:
        """The SQL's rows for ``params``, each column converted as Django converts it."""
        connection = connections[self.alias]
        # On PostgreSQL the server prepares the query (see tracker.postgresql).
        with connection.prepared_cursor() if self.prepares else connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            return self._converted(cursor.fetchall())

    def _converted(self, rows: list) -> list:
        """``rows`` of the SQL, each column converted as Django converts it."""
        compiler = self.compiler
        connection = connections[self.alias]
        if compiler.has_extra_select:  # columns the ORDER BY needs, not the query's own
            rows = [row[: compiler.col_count] for row in rows]
        if not self.converters:
            return rows
        # What ``SQLCompiler.apply_converters`` does, with this thread's connection, and
        # without copying the compiler to hand it that connection (0.1 ms a copy).
        converters = list(self.converters.items())
        converted = []
        for row in map(list, rows):
            for n, (functions, expression) in converters:
                value = row[n]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[n] = value
            converted.append(row)
        return converted

    def _params(self, args: Sequence) -> tuple | object | None:
        """The SQL's parameters for ``args``; None when no row can match, ``_OUT_OF_RANGE``
        when a value is beyond a 64-bit column: Django's lookups know what that means (no
        row is equal to it, say); the database driver would refuse the value."""
        if self.empty:
            return None
        flat = _flatten(args)
        if any(isinstance(v, int) and not _INT_RANGE[0] <= v <= _INT_RANGE[1] for v in flat):
            return _OUT_OF_RANGE
        values = [adapt(value) for adapt, value in zip(self.adapt, flat, strict=True)]
        params = tuple(param if n is None else values[n] for n, param in self.params)
        if self.windowed:
            window = _window(args)
            if window.stop == window.start:
                return None
            params += (window.stop - window.start, window.start)
        return params

    def _compiler(self, params: tuple, using=None, connection=None, elide_empty=True):
        compiler = copy.copy(self.compiler)
        compiler.connection = connection or connections[using or self.alias]
        compiler.as_sql = lambda *args, **kwargs: (self.sql, params)
        return compiler


def _for_server(sql: str, params: list, connection) -> tuple[str, list]:
    """``sql`` as the server prepares it: its constant parameters (those no argument
    gives: a status, a model name) written into it as literals, the others as
    PostgreSQL's own placeholders ($1, $2…), and the parameters left.

    A statement the server prepares is planned once for every call (see
    ``tracker.postgresql``): with ``status = $1`` the planner must guess how many
    rows any status matches (a third, for three statuses); with ``status =
    'published'`` it knows (nearly all), as it knows when it plans each call. A
    guess made the talks' parties a scan of every published actor instead of a
    lookup of each party. The placeholders are written here, once: psycopg would
    read the text for them on every run of a query with more than 50 parameters
    (its cache leaves those out), 0.1–0.2 ms for a list of ids.
    """
    parts = _PLACEHOLDER.split(sql)
    if parts.count("%s") != len(params):
        raise ImproperlyConfigured(f"The placeholders of this SQL are not its parameters: {sql}")
    written, left, kept = [], iter(params), []
    for part in parts:
        if part == "%%":
            part = "%"
        elif part == "%s":
            n, value = next(left)
            if n is None:
                part = connection.ops.compose_sql("%s", [value])
            else:
                kept.append((n, value))
                part = f"${len(kept)}"
        written.append(part)
    return "".join(written), kept


class PreparedSQL:
    """A query written as SQL where a queryset cannot say it (a union of lists each sliced
    on its own), run as ``prepared`` runs its queries: on PostgreSQL the server prepares
    it once per connection, its constants written in as literals, and plans it once for
    every call (see ``tracker.postgresql``).

    ``params`` are the SQL's parameters; each of them that is one of ``arguments``
    (markers no record has) takes the value of that argument at each call.
    """

    def __init__(self, sql: str, params: Sequence, arguments: Sequence, using: str = "default"):
        self.sql, self.alias = sql, using
        self.params = [(_index(arguments, param), param) for param in params]
        self.server: tuple[str, list] | None = None

    def rows(self, *args) -> list[tuple]:
        connection = connections[self.alias]
        sql, params = self.sql, self.params
        if hasattr(connection, "prepared_cursor"):
            if self.server is None:
                self.server = _for_server(sql, params, connection)
            (sql, params), cursor = self.server, connection.prepared_cursor()
        else:
            cursor = connection.cursor()
        with cursor:
            cursor.execute(sql, [value if n is None else args[n] for n, value in params])
            return cursor.fetchall()


def _index(arguments: Sequence, param) -> int | None:
    """Which of ``arguments`` ``param`` is, if any."""
    for n, argument in enumerate(arguments):
        if type(param) is type(argument) and param == argument:
            return n
    return None


# A parameter's place in Django's SQL, and a percent sign written as ``%%``, read as one.
_PLACEHOLDER = re.compile(r"(%%|%s)")


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def padded(ids, at_least: int = 1) -> list[int]:
    """``ids`` sorted, the last repeated up to a power of two (``at_least`` long): the
    same rows for ``__in``, and few list lengths, so few SQL shapes to compile."""
    ids = sorted(ids)
    size = 1
    while size < len(ids) or size < at_least:
        size *= 2
    return ids + ids[-1:] * (size - len(ids))


def prepared(
    build: Callable[..., QuerySet] | None = None, *, plan_per_call: bool = False
) -> Callable[..., list]:
    """Decorate a function that builds a queryset from its arguments: calls return the
    queryset's results as a list, building and compiling its SQL once per argument shape
    (the types of the positional arguments, the lengths of lists, which are None, and
    the keyword arguments' values), for up to ``MAX_SHAPES``.

    On PostgreSQL the server prepares the query too, once per connection, with the
    query's constants written into its text, and plans it once for every call (see
    ``tracker.postgresql``). A query whose best plan depends on its values (the
    newest of a topic's statements: a few of a topic's hundreds, or of its talks'
    thousands) says ``@prepared(plan_per_call=True)``: it is planned for each call's
    values, as Django's queries are.
    """
    if build is None:
        return functools.partial(prepared, plan_per_call=plan_per_call)
    compiled: dict[tuple, _Prepared] = {}

    def entry_for(args: tuple, options: dict) -> _Prepared:
        key = (tuple(_shape(arg) for arg in args), tuple(sorted(options.items())))
        entry = compiled.get(key)
        if entry is None:
            if len(compiled) >= MAX_SHAPES:
                del compiled[next(iter(compiled))]
            entry = compiled[key] = _Prepared(build, args, options, plan_per_call)
        return entry

    @functools.wraps(build)
    def run(*args, **options) -> list:
        return entry_for(args, options).run(args)

    def rows(*args, **options) -> list[tuple]:
        return entry_for(args, options).rows(args)

    def later(*args, **options) -> Callable[[], list]:
        return entry_for(args, options).later(args)

    def rows_later(*args, **options) -> Callable[[], list[tuple]]:
        return entry_for(args, options).rows_later(args)

    run.compiled = compiled
    # For a ``values_list`` query: its rows as tuples, read without a queryset (``_Prepared.rows``).
    run.rows = rows
    # The same begun inside ``sent_together``: each returns what gives the result.
    run.later = later
    run.rows_later = rows_later
    return run


@contextlib.contextmanager
def sent_together(using: str = "default") -> Iterator[None]:
    """Prepared queries begun inside (``query.later(…)``, ``query.rows_later(…)``) go to
    the database together, and their results are read when asked for, after the block.

    On PostgreSQL they go in one round trip (psycopg's pipeline mode) rather than one
    each: a talks page's seven independent queries cost 0.8-1.2 ms less. Elsewhere,
    and for queries that are not prepared on the server, each runs when begun.
    """
    connection = connections[using]
    if not hasattr(connection, "pipeline"):
        yield
        return
    with connection.pipeline():
        yield
