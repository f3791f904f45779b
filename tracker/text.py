"""Rich text: editors write Markdown; readers get a small, safe subset of HTML.

Markdown is rendered with ``markdown`` and the result is cleaned by ``nh3``, so
whatever an editor (or an import) puts in a text field, no script, style,
event handler, iframe or ``javascript:`` link can reach a reader's browser.
"""

import functools

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


# Rendering is a pure function of the text and costs about a millisecond, more
# than a whole small page; the home page renders fifty summaries. Each worker
# keeps the latest few thousand results.
@functools.lru_cache(maxsize=4096)
def render_markdown(text: str) -> SafeString:
    """Return ``text`` (Markdown) as sanitised HTML that is safe to show as is."""
    if not text:
        return mark_safe("")
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)


@functools.lru_cache(maxsize=1024)
def markdown_excerpt(text: str, words: int) -> SafeString:
    """The first ``words`` words of ``text`` rendered as in ``render_markdown``, tags closed."""
    return mark_safe(Truncator(render_markdown(text)).words(words, html=True, truncate=" …"))
