"""Addresses of public pages, built fast enough to put hundreds on one page.

Django's ``reverse()`` costs about 0.1 ms a call, most of it looking up the
request's URL configuration and script prefix; a talks page links several
hundred records (every matrix cell, timeline entry and citation), so that
alone was most of its time. ``page_url`` reverses each route once per script
prefix with marker arguments, keeps the pieces between them, and after that
only joins strings.
"""

import functools
from collections.abc import Callable
from urllib.parse import quote

from django.urls import get_script_prefix, reverse

# Digits pass every converter the public routes use (int, slug, str).
_MARKER = 987_654_321_000
# What reverse() leaves unquoted in a path (RFC 3986 sub-delimiters, "/~:@").
_SAFE = "!$&'()*+,;=/~:@"


@functools.lru_cache(maxsize=128)
def _pieces(name: str, arity: int, prefix: str) -> tuple[str, ...]:
    markers = [str(_MARKER + n) for n in range(arity)]
    url = reverse(name, args=markers)
    pieces = []
    for marker in markers:
        before, url = url.split(marker, 1)
        pieces.append(before)
    pieces.append(url)
    return tuple(pieces)


def url_builder(name: str, arity: int = 1) -> Callable[..., str]:
    """A function of a route's ``arity`` arguments giving ``reverse(name, args=…)``.

    The script prefix is read once, when the builder is made: make one per
    request (or per command) and use it for many addresses.
    """
    first, *rest = _pieces(name, arity, get_script_prefix())

    def build(*args) -> str:
        parts = [first]
        for arg, piece in zip(args, rest, strict=True):
            # A number (a primary key) needs no quoting; quote() is most of the cost.
            parts.append(str(arg) if type(arg) is int else quote(str(arg), safe=_SAFE))
            parts.append(piece)
        return "".join(parts)

    return build


def page_url(name: str, *args) -> str:
    """``reverse(name, args=args)``, the same string, for routes taking positional arguments."""
    return url_builder(name, len(args))(*args)
