"""Addresses of public pages, built fast enough to put hundreds on one page.

Django's ``reverse()`` costs about 0.1 ms a call, most of it looking up the
request's URL configuration and script prefix; a talks page links several
hundred records (every matrix cell, timeline entry and citation), so that
alone was most of its time. ``page_url`` reverses each route once per script
prefix with marker arguments, keeps the pieces between them, and after that
only joins strings.

Even reading the script prefix (a thread- and context-local) cost more than
joining the pieces, so a request reads it once: ``request_started`` comes after
the handler has set it, and ``request_finished`` forgets it. Outside a request
(a command, a test calling a tag) each call reads it as ``reverse()`` does.
"""

import contextvars
import re
from collections.abc import Callable
from urllib.parse import quote

from django.core.signals import request_finished, request_started
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse

# Digits pass every converter the public routes use (int, slug, str).
_MARKER = 987_654_321_000
# What reverse() leaves unquoted in a path (RFC 3986 sub-delimiters, "/~:@").
_SAFE = "!$&'()*+,;=/~:@"
# What quote() leaves as it is with those: ASCII letters, digits and "_.-~", and _SAFE.
_UNQUOTED = re.compile(r"[\w.~!$&'()*+,;=/:@-]*", re.ASCII)

_request_prefix: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "parley_script_prefix", default=None
)
# (route name, number of arguments, script prefix) → the address's pieces around them.
_pieces: dict[tuple[str, int, str], tuple[str, ...]] = {}


@receiver(request_started, dispatch_uid="parley-links-prefix")
def _read_prefix(**kwargs) -> None:
    _request_prefix.set(get_script_prefix())


@receiver(request_finished, dispatch_uid="parley-links-forget-prefix")
def _forget_prefix(**kwargs) -> None:
    _request_prefix.set(None)


def _pieces_of(key: tuple[str, int, str]) -> tuple[str, ...]:
    name, arity, _ = key
    markers = [str(_MARKER + n) for n in range(arity)]
    url = reverse(name, args=markers)
    pieces = []
    for marker in markers:
        before, url = url.split(marker, 1)
        pieces.append(before)
    pieces.append(url)
    if len(_pieces) >= 256:  # Routes × prefixes: a handful, unless prefixes vary wildly.
        _pieces.clear()
    _pieces[key] = tuple(pieces)
    return _pieces[key]


def _part(arg) -> str:
    # A number (a primary key) needs no quoting, nor a slug that quote() would leave as it
    # is; quote() is most of the cost.
    if type(arg) is int:
        return str(arg)
    text = str(arg)
    return text if _UNQUOTED.fullmatch(text) else quote(text, safe=_SAFE)


def _key(name: str, arity: int) -> tuple[str, int, str]:
    return (name, arity, _request_prefix.get() or get_script_prefix())


def _join(pieces: tuple[str, ...], args) -> str:
    parts = [pieces[0]]
    for arg, piece in zip(args, pieces[1:], strict=True):
        parts.append(_part(arg))
        parts.append(piece)
    return "".join(parts)


def url_builder(name: str, arity: int = 1) -> Callable[..., str]:
    """A function of a route's ``arity`` arguments giving ``reverse(name, args=…)``.

    The script prefix is read once, when the builder is made: make one per
    request (or per command) and use it for many addresses.
    """
    key = _key(name, arity)
    pieces = _pieces.get(key) or _pieces_of(key)
    return lambda *args: _join(pieces, args)


def page_url(name: str, *args) -> str:
    """``reverse(name, args=args)``, the same string, for routes taking positional arguments."""
    key = _key(name, len(args))
    pieces = _pieces.get(key) or _pieces_of(key)
    if len(args) == 1:  # most addresses: joined without a list
        return pieces[0] + _part(args[0]) + pieces[1]
    return _join(pieces, args)
