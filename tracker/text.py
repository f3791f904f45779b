"""Rich text: editors write Markdown; readers get a small, safe subset of HTML.

Markdown is rendered with ``markdown`` and the result is cleaned by ``nh3``, so
whatever an editor (or an import) puts in a text field, no script, style,
event handler, iframe or ``javascript:`` link can reach a reader's browser.
"""

import functools
import html
import re
import threading

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

# Enough for paragraphs, emphasis, lists, quotes, links and simple tables.
ALLOWED_TAGS = {
    "p", "br", "em", "strong", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "abbr", "h3", "h4", "table", "thead", "tbody",
    "tr", "th", "td", "hr", "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "hreflang"}, "abbr": {"title"}, "th": {"scope"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


# Text that Markdown only wraps in paragraphs: letters, digits, single spaces, line
# breaks and the punctuation of prose, with no line that is indented or opens a list
# ("1.", "-") and no space before a line break or at the end (a hard break).
_PROSE = re.compile(r"(?:[^\W_]|[ \n.,;:'\"?!()%/$€£@’‘“”…–—-])*")
_MARKUP_LINE = re.compile(r"^(?:[ \t]|\d+\.|-)", re.MULTILINE)
_PARAGRAPH_BREAK = re.compile(r"\n(?: *\n)+")


def _prose_html(text: str) -> str | None:
    """What ``render_markdown`` gives for plain prose, without Markdown; None otherwise.

    The same output as Markdown for every text it accepts (tests/test_text.py holds
    it to that on chosen and random prose); most texts are plain prose.
    """
    if not _PROSE.fullmatch(text) or _MARKUP_LINE.search(text):
        return None
    if " \n" in text or text.endswith(" "):
        return None
    paragraphs = [part for part in _PARAGRAPH_BREAK.split(text.strip()) if part]
    return "\n".join(f"<p>{html.escape(part, quote=False)}</p>" for part in paragraphs)


# Rendering is a pure function of the text and costs a fifth of a millisecond for
# a talks summary, as much as a small page's queries; the home page renders fifty
# summaries. Each worker keeps the latest few thousand results.
@functools.lru_cache(maxsize=4096)
def render_markdown(text: str) -> SafeString:
    """Return ``text`` (Markdown) as sanitised HTML that is safe to show as is."""
    if not text:
        return mark_safe("")
    prose = _prose_html(text)
    return mark_safe(prose if prose is not None else markdown_html(text))


# Setting up Markdown (its extensions, their patterns) cost as much as converting a
# summary, and nh3 built its rules from these sets at every call: each is set up once,
# a converter once per thread (it keeps state while converting; ``reset`` clears it).
_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
_converters = threading.local()


def markdown_converter(*extensions: str) -> markdown.Markdown:
    """This thread's Markdown converter with ``extensions`` and HTML output, made once and
    reset for the next text: what ``markdown.markdown`` would make at every call."""
    kept = getattr(_converters, "by_extensions", None)
    if kept is None:
        kept = _converters.by_extensions = {}
    converter = kept.get(extensions)
    if converter is None:
        converter = kept[extensions] = markdown.Markdown(
            extensions=list(extensions), output_format="html"
        )
    return converter.reset()


def markdown_html(text: str) -> str:
    """``text`` through Markdown, then cleaned by nh3: the whole way, for any text."""
    return _CLEANER.clean(markdown_converter("tables", "sane_lists").convert(text))


@functools.lru_cache(maxsize=1024)
def markdown_excerpt(text: str, words: int) -> SafeString:
    """The first ``words`` words of ``text`` rendered as in ``render_markdown``, tags closed."""
    return mark_safe(Truncator(render_markdown(text)).words(words, html=True, truncate=" …"))
