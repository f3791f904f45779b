"""Crawl Parley's public surface as a reader, a feed reader or a script would.

``crawl(client)`` starts from every argument-less public URL and every record's own
address, follows the links it finds in HTML, feeds, sitemaps and JSON, and returns
what it fetched. ``unsafe_markup`` and ``problems`` say what in a response could
run in a reader's browser or spreadsheet: the checks behind the XSS tests.

New pages, API endpoints, feeds and downloads are picked up without changes here,
as long as they are linked from somewhere public or need no URL arguments.
"""

import csv
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit
from xml.etree import ElementTree

from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

# Never crawled: editors' pages, and static files (code we ship, not data).
STATIC_PREFIX = "/" + settings.STATIC_URL.strip("/") + "/"
EXCLUDED_PREFIXES = ("/admin/", STATIC_PREFIX)
# Enough variants of one page (pagination, ?as_of=…) to reach every record,
# without walking an endless calendar.
MAX_QUERIES_PER_PATH = 4

URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "cite", "longdesc", "usemap", "manifest", "codebase", "ping", "srcset", "lowsrc", "dynsrc",
}  # fmt: skip
# Elements no Parley page needs and an injection would.
FORBIDDEN_TAGS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "template",
    "portal", "noembed", "xmp", "plaintext", "listing",
}  # fmt: skip
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:")
DATA_BLOCK_TYPES = {"application/json", "application/ld+json"}
# Scripts Parley serves itself: static files, and drf-spectacular's Swagger UI set-up,
# which it serves as a file of its own precisely so that no inline script is needed.
OWN_SCRIPTS = re.compile(rf"^{re.escape(STATIC_PREFIX)}|^/api/v1/docs/\?(lang=[\w-]*&)?script=$")
# Cells a spreadsheet would run as a formula (see DESIGN.md, "Integrity and security").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What a template tag or variable evaluated against the request would print.
EVALUATED_TEMPLATE_SIGNS = ("csrfmiddlewaretoken", "wsgi.url_scheme", "HTTP_COOKIE")


@dataclass
class Page:
    """One fetched URL."""

    url: str
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """html, xml, json, csv, zip or text: how the body is read."""
        ctype = self.content_type
        if "html" in ctype and "xml" not in ctype:
            return "html"
        if "json" in ctype:
            return "json"
        if "xml" in ctype:
            return "xml"
        if "csv" in ctype:
            return "csv"
        if "zip" in ctype:
            return "zip"
        return "text"

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def _route_paths(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    """Every route of ``resolver`` that needs no argument, as a path."""
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        if isinstance(pattern, RoutePattern):
            part = str(pattern)
            if "<" in part:
                continue
        else:  # a regex, as routers and re_path write them: keep the plain ones
            part = str(pattern).removeprefix("^").removesuffix("$").removesuffix("\\Z")
            if re.search(r"[()\[\]?*+\\{}|.^$]", part):
                continue
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            yield from _route_paths(entry, prefix + part)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + part


def record_urls() -> list[str]:
    """The own address of every record on the record (published or retracted)."""
    urls = []
    for model in apps.get_app_config("tracker").get_models():
        on_record = getattr(model.objects, "on_record", None)
        if on_record is None or not hasattr(model, "get_absolute_url"):
            continue
        urls.extend(record.get_absolute_url() for record in on_record())
    return urls


def start_urls() -> list[str]:
    return ["/", *_route_paths(get_resolver()), *record_urls()]


class _LinkAndTagParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.script_text.append(data)


def _parse_html(html: str) -> _LinkAndTagParser:
    parser = _LinkAndTagParser()
    parser.feed(html)
    parser.close()
    return parser


# What a browser's URL parser strips from both ends of a URL (C0 controls and space).
_URL_EDGES = "".join(chr(code) for code in range(0x21))


def _clean_url(value: str) -> str:
    """A URL as a browser reads its scheme (WHATWG URL): without leading or trailing
    spaces and control characters, without any tab or newline, in any case."""
    return re.sub(r"[\t\n\r]", "", value.strip(_URL_EDGES)).lower()


def unsafe_markup(html: str) -> list[str]:
    """What in ``html`` could run script, load a frame or restyle the page, as messages."""
    found = []
    parser = _parse_html(html)
    for tag, attrs in parser.tags:
        attributes = dict(attrs)
        if tag in FORBIDDEN_TAGS:
            found.append(f"<{tag}> element")
        if tag == "script":
            src = attributes.get("src") or ""
            is_data = (attributes.get("type") or "").lower() in DATA_BLOCK_TYPES
            if not is_data and not src:
                found.append("inline <script>")
            elif not is_data and not OWN_SCRIPTS.match(src):
                found.append(f"<script> not from our static files: {src!r}")
        if tag == "meta" and "http-equiv" in attributes:
            found.append(f"<meta http-equiv>: {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"event handler {name}= on <{tag}>")
            elif name in {"style", "srcdoc"}:
                found.append(f"{name}= attribute on <{tag}>")
            elif (
                name in URL_ATTRIBUTES and value and _clean_url(value).startswith(DANGEROUS_SCHEMES)
            ):
                found.append(f"{name}={value!r} on <{tag}>")
    found.extend(f"evaluated template code ({sign})" for sign in _evaluated_signs(html))
    return found


def _evaluated_signs(text: str) -> list[str]:
    signs = [sign for sign in EVALUATED_TEMPLATE_SIGNS if sign in text]
    if settings.SECRET_KEY in text:
        signs.append("SECRET_KEY")
    return signs


def _xml_problems(text: str) -> list[str]:
    try:
        root = ElementTree.fromstring(text.encode("utf-8"))
    except ElementTree.ParseError as error:
        return [f"not well-formed XML: {error}"]
    found = []
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1].lower()
        if local in FORBIDDEN_TAGS | {"script", "svg", "img", "a", "div"}:
            found.append(f"<{local}> element inside XML")
        href = element.attrib.get("href", "")
        if _clean_url(href).startswith(DANGEROUS_SCHEMES):
            found.append(f"href={href!r} in <{local}>")
        # Feed readers render html-typed Atom text and RSS descriptions as HTML.
        if element.text and (element.attrib.get("type") == "html" or local == "description"):
            found.extend(f"in <{local}>: {p}" for p in unsafe_markup(element.text))
    found.extend(f"evaluated template code ({sign})" for sign in _evaluated_signs(text))
    return found


def _json_strings(value, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _json_strings(v, str(k))
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item, key)
    elif isinstance(value, str):
        yield key, value


def _json_problems(text: str) -> list[str]:
    try:
        data = json.loads(text)
    except ValueError as error:
        return [f"not valid JSON: {error}"]
    found = []
    for key, value in _json_strings(data):
        if key.endswith("html"):  # a field meant to be inserted as HTML
            found.extend(f"in {key}: {p}" for p in unsafe_markup(value))
        if key in {"url", "href", "link", "archive_url"} and _clean_url(value).startswith(
            DANGEROUS_SCHEMES
        ):
            found.append(f"{key}={value!r}")
    found.extend(f"evaluated template code ({sign})" for sign in _evaluated_signs(text))
    return found


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _csv_problems(text: str) -> list[str]:
    found = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.startswith(FORMULA_START) and not _is_number(cell):
                found.append(f"spreadsheet formula in a CSV cell: {cell[:60]!r}")
    return found


def _zip_problems(body: bytes) -> list[str]:
    found = []
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for name in archive.namelist():
            member = Page(name, 200, _type_of(name), archive.read(name))
            found.extend(f"{name}: {p}" for p in problems(member))
    return found


def _type_of(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower()
    return {
        "json": "application/json",
        "csv": "text/csv",
        "xml": "application/xml",
        "html": "text/html",
        "zip": "application/zip",
    }.get(suffix, "text/plain")


def problems(page: Page) -> list[str]:
    """Everything in ``page`` that is not inert, read the way its content type is read."""
    if page.status >= 500:
        return [f"server error {page.status}"]
    return {
        "html": lambda: unsafe_markup(page.text),
        "xml": lambda: _xml_problems(page.text),
        "json": lambda: _json_problems(page.text),
        "csv": lambda: _csv_problems(page.text),
        "zip": lambda: _zip_problems(page.body),
        "text": lambda: [f"evaluated template code ({s})" for s in _evaluated_signs(page.text)],
    }[page.kind]()


def _links(page: Page) -> Iterable[str]:
    if page.kind == "html":
        for _tag, attrs in _parse_html(page.text).tags:
            for name, value in attrs:
                if name in {"href", "src"} and value:
                    yield value
    elif page.kind == "xml":
        try:
            root = ElementTree.fromstring(page.body)
        except ElementTree.ParseError:
            return
        for element in root.iter():
            if element.get("href"):
                yield element.get("href")
            if element.tag.rsplit("}", 1)[-1] in {"loc", "link"} and element.text:
                yield element.text
    elif page.kind == "json":
        try:
            data = json.loads(page.text)
        except ValueError:
            return
        for _key, value in _json_strings(data):
            if value.startswith(("http://testserver/", "/")) and " " not in value:
                yield value


def _normalise(base: str, link: str) -> str | None:
    """The same-site path (with query) ``link`` points to, or None."""
    parts = urlsplit(urljoin("http://testserver" + base, link.strip()))
    if parts.scheme not in {"http", "https"} or parts.netloc != "testserver":
        return None
    if parts.path.startswith(EXCLUDED_PREFIXES):
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


def crawl(
    client: Client, extra: Iterable[str] = (), max_pages: int = 2000, **headers: str
) -> list[Page]:
    """Fetch every public URL reachable from the start URLs (and ``extra``)."""
    starts = (_normalise("/", url) for url in [*start_urls(), *extra])
    queue = list(dict.fromkeys(url for url in starts if url))
    seen = set(queue)
    queries_per_path: dict[str, int] = defaultdict(int)
    pages = []
    while queue and len(pages) < max_pages:
        url = queue.pop(0)
        response = client.get(url, **headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        page = Page(url, response.status_code, response.get("Content-Type", ""), body)
        page.headers = dict(response.headers)
        page.cookies = sorted(response.cookies)
        pages.append(page)
        links = list(_links(page))
        if 300 <= response.status_code < 400 and response.get("Location"):
            links.append(response["Location"])
        for link in links:
            target = _normalise(url, link)
            if target is None or target in seen:
                continue
            path = urlsplit(target).path
            if urlsplit(target).query:
                if queries_per_path[path] >= MAX_QUERIES_PER_PATH:
                    continue
                queries_per_path[path] += 1
            seen.add(target)
            queue.append(target)
    return pages
