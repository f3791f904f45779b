"""Rich text: plain prose takes a short way to the same HTML as Markdown gives."""

import random

import pytest

from tracker.text import _prose_html, markdown_html, render_markdown

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
