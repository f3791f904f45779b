"""Rich text: plain prose takes a short way to the same HTML as Markdown gives."""

import random

import markdown
import nh3
import pytest

from tracker.text import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    _prose_html,
    markdown_html,
    render_markdown,
)

PROSE = [
    "The talks resumed in Baghdad.",
    "First paragraph.\n\nSecond one, after a blank line.",
    "A line\nand the next line of the same paragraph.",
    "Tom's “view”: 50% of $3 — or €2… (maybe) / 1990. Really?",
    "a\n\n\n\nb",
    "\nLeading newline.",
    "Ünïcödé straße, 東京, بغداد.",
]
NOT_PROSE = [
    "*emphasis*",
    "- a list",
    "1. a list",
    "    code",
    "a line  \nwith a hard break",
    "ends with a space ",
    "<script>alert(1)</script>",
    "[a link](https://example.org)",
    "# heading",
    "a & b",
]


@pytest.mark.parametrize("text", PROSE)
def test_plain_prose_takes_the_short_way_to_the_same_html(text):
    assert _prose_html(text) == markdown_html(text)
    assert render_markdown(text) == markdown_html(text)


@pytest.mark.parametrize("text", NOT_PROSE)
def test_text_with_markup_goes_through_markdown(text):
    assert _prose_html(text) is None
    assert render_markdown(text) == markdown_html(text)


def test_random_prose_renders_the_same_both_ways():
    rng = random.Random(7)
    pieces = ["\n\n", "\n\n\n", "word ", "x\n", "4.", "1.", " -", "  ", "\n ", "é", "—", "’"]
    pieces += list("ab Z9 \n.,;:'\"?!()%/$€£@“”…–-")
    short = 0
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 60)))
        prose = _prose_html(text)
        if prose is not None:
            short += 1
            assert prose == markdown_html(text), repr(text)
    assert short > 500  # the short way was taken often enough to mean something


def test_markdown_forgets_one_text_before_the_next():
    # The converter is kept between texts: a link reference defined in one text must
    # not resolve in the next.
    defined = markdown_html("See [the report][r].\n\n[r]: https://example.org/report")
    assert 'href="https://example.org/report"' in defined
    assert "href" not in markdown_html("See [the report][r].")


def test_markdown_gives_what_a_fresh_converter_and_cleaner_give():
    texts = [*PROSE, *NOT_PROSE, "| a | b |\n|---|---|\n| 1 | 2 |", "1. one\n2. two\n\n- x"]
    for text in texts * 2:  # twice: the kept converter and cleaner, used again
        fresh = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
        expected = nh3.clean(
            fresh,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=ALLOWED_URL_SCHEMES,
            link_rel="noopener noreferrer nofollow",
            strip_comments=True,
        )
        assert markdown_html(text) == expected, repr(text)
