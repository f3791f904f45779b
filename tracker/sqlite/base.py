"""Django's SQLite backend, converting each query's placeholders once per process.

Django writes ``%s`` placeholders and its SQLite cursor turns them into ``?``
with a regular expression on every execution: 10–25 µs for the kilobyte or
two of a page's query, some 0.16 ms of a talks page's twelve. Parley's public
pages run the same few hundred query texts (``tracker.prepared`` keeps them),
so the converted text is kept, for the latest ``CONVERTED_QUERIES`` texts.
Settings select this backend for SQLite databases (``ENGINE: tracker.sqlite``).
"""

import functools

from django.db.backends.sqlite3 import base

CONVERTED_QUERIES = 2048


@functools.lru_cache(maxsize=CONVERTED_QUERIES)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)
