"""Template filters and tags for Parley's public pages."""

import datetime
import functools
import html

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django_countries import countries

from tracker.dates import DATES_KEPT, MONTH_ABBREVIATIONS, MONTH_NAMES
from tracker.links import page_url
from tracker.models import STANCE_SCORES
from tracker.text import markdown_excerpt, render_markdown

register = template.Library()


def _escape(value) -> str:
    """``conditional_escape`` without its lazy-string check: safe HTML as is, else escaped.

    A plain string, most of what a page escapes, is escaped here as ``html.escape``
    does, without the calls around it: a talks page escapes over a thousand, most
    with nothing to escape (looked for first: ``in`` costs less than ``replace``)."""
    if type(value) is str:
        if not ("&" in value or "<" in value or ">" in value or '"' in value or "'" in value):
            return value
        return (
            value.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace('"', "&quot;")
            .replace("'", "&#x27;")
        )
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


@functools.cache
def _labels(model, field_name: str) -> dict:
    return dict(model._meta.get_field(field_name).flatchoices)


def choice_label(record, field_name: str) -> str:
    """``record.get_<field>_display()`` from a dict built once per field: Django's own
    method makes the value hashable and looks it up in a new dict on every call."""
    value = getattr(record, field_name)
    return _labels(type(record), field_name).get(value, value)


def format_html(template_string: str, *args) -> SafeString:
    """``django.utils.html.format_html`` for the tags below, which a page calls thousands of
    times: the same escaping, without the wrappers that cost as much as the formatting."""
    return SafeString(template_string.format(*map(_escape, args)))


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render editors' Markdown to sanitised HTML: ``{{ record.summary|markdown }}``."""
    return render_markdown(text or "")


@register.filter(expects_localtime=True)
def day(value, format_string: str) -> str:
    """``|date`` for a day: the same text, written once per process for each day, format
    and language. The talks page names its days a dozen times, and Django's filter
    looks up the format on every call: ``{{ as_of|day:"j M Y" }}``."""
    if type(value) is not datetime.date:
        return date_filter(value, format_string)
    return _day(value, format_string, get_language())


@functools.lru_cache(maxsize=4096)
def _day(value: datetime.date, format_string: str, language: str | None) -> str:
    if language and language.startswith("en"):
        english = _ENGLISH_DAYS.get(format_string)
        if english is not None:
            return english(value)
    return date_filter(value, format_string)


# The formats Parley's templates give ``day``, written as Django writes them in English
# without its format parser (some 40 µs a day: a comparison names two new days in
# three formats). ``tests/test_templatetags.py`` holds them to Django's output.
_ENGLISH_DAYS = {
    "j M Y": lambda d: f"{d.day} {MONTH_ABBREVIATIONS[d.month]} {d.year:04d}",
    "j F Y": lambda d: f"{d.day} {MONTH_NAMES[d.month]} {d.year:04d}",
    "Y-m-d": lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}",
}


@register.filter
def country_name(code: str) -> str:
    """The English short name of an ISO 3166-1 alpha-2 code ("IQ" → "Iraq"), or the code
    itself when it names no country."""
    return countries.name(code) or code


@register.filter
def stance_class(stance: str) -> str:
    """The CSS modifier of a stance badge: ``stance--leans-support``."""
    return "stance--" + (stance or "none").replace("_", "-")


@register.filter
def stance_symbol(stance: str) -> str:
    """A shape that tells stances apart without colour: ++ + ± − −− ?."""
    score = STANCE_SCORES.get(stance)
    return {2: "++", 1: "+", 0: "±", -1: "−", -2: "−−"}.get(score, "?")


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with ``changes`` applied (empty values are removed)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


# The three pieces below appear on every page, many times on some (a talks page
# has hundreds of dates and citations), so they are built in Python rather than
# with ``{% include %}``, which costs a template render each time.


@register.simple_tag
def precise_date(date) -> SafeString:
    """A ``PreciseDate`` as ``<time>``, saying how precisely it is known.

    ``{% precise_date statement.stated_on_display %}``
    """
    return _precise_date(date)


# A page shows a few dozen to a few hundred dates, and the same days recur from page
# to page: each date's HTML and label are pure functions of the date, built once per
# process (about 8 µs each, most of a small tag).
@functools.lru_cache(maxsize=DATES_KEPT)
def _precise_date(date) -> SafeString:
    if not date:
        return mark_safe('<span class="precise-date precise-date--unknown">date unknown</span>')
    precision = str(date.precision)
    title = ""
    if precision != "day" or date.on_or_before:
        latest = ", at the latest" if date.on_or_before else ""
        title = format_html(' title="Known to the {}{}"', precision, latest)
    return format_html(
        '<time datetime="{}"{} class="precise-date precise-date--{}">{}</time>',
        date.machine(),
        title,
        precision,
        date.label(),
    )


@functools.lru_cache(maxsize=DATES_KEPT)
def _label(date) -> str:
    """``date.label()``, built once per process for each date (see ``_precise_date``)."""
    return date.label()


@register.simple_tag
def citations(items) -> SafeString:
    """The sources a record cites, linked, with where to look.

    ``{% citations record.public_citations %}`` (see ``views.common.attach_citations``).
    """
    if not items:
        return mark_safe(
            '<p class="citations citations--none">No public source is cited for this yet.</p>\n'
        )
    # Written out with f-strings rather than format_html: a page cites dozens of sources.
    cited = []
    for citation in items:
        source = citation.source
        date = source.published_on_display
        locator = (
            f' <span class="citation__locator">({_escape(citation.locator)})</span>'
            if citation.locator
            else ""
        )
        cited.append(
            f'<cite class="citation"><a href="{_escape(source.get_absolute_url())}">'
            f"{_escape(source.outlet)}{_escape(f', {_label(date)}') if date else ''}</a>"
            f"{locator}</cite>"
        )
    label = "Sources" if len(items) > 1 else "Source"
    return SafeString(
        f'<p class="citations"><span class="citations__label">{label}:</span>\n'
        f"{'; '.join(cited)}</p>\n"
    )


@functools.cache
def _escaped_labels(model, field_name: str) -> dict:
    return {value: html.escape(str(label)) for value, label in _labels(model, field_name).items()}


def _escaped_label(record, field_name: str) -> str:
    """``choice_label`` escaped, from a dict built once per field."""
    value = getattr(record, field_name)
    label = _escaped_labels(type(record), field_name).get(value)
    return _escape(value) if label is None else label


@register.simple_tag
def statement_card(statement) -> SafeString:
    """A statement as a card: date, form, kind, verification, words, attribution, sources.

    ``{% statement_card statement %}``, the statement with ``public_citations``
    (see ``views.common.attach_citations``). Pages list up to 30 of them, so it is
    written out with f-strings, each value escaped once, rather than format_html.
    """
    words = _escape(statement.text)
    if statement.is_quote:
        form = "quote"
        text = f'<blockquote class="statement-card__text"><p>“{words}”</p></blockquote>'
    else:
        form = "paraphrase"
        text = f'<p class="statement-card__text statement-card__text--paraphrase">{words}</p>'
    said = statement.stated_on_display
    attribution = _escape(statement.attribution)
    return SafeString(
        f'<article class="statement-card statement-card--{form}">\n'
        '  <p class="statement-card__meta">\n'
        f"    {precise_date(said)}\n"
        f'    · <span class="form-label form-label--{_escape(statement.form)}">'
        f"{_escaped_label(statement, 'form')}</span>\n"
        f"    · {_escaped_label(statement, 'kind')}\n"
        f'    · <span class="verification verification--{_escape(statement.verification)}">'
        f"{_escaped_label(statement, 'verification')}</span>\n"
        "  </p>\n"
        f"  {text}\n"
        f'  <p class="statement-card__attribution">— {attribution}, via '
        f"{_escaped_label(statement, 'channel')}\n"
        f'    · <a href="{_escape(statement.get_absolute_url())}">Statement details'
        f'<span class="visually-hidden"> ({attribution}, {_escape(_label(said)) if said else ""})'
        "</span></a></p>\n"
        f"  {citations(statement.public_citations)}</article>\n"
    )


def _first_words(text: str, n: int) -> str:
    """``Truncator(text).words(n, truncate=" …")`` without its lazy wrapper: the first ``n``
    words, spaces made single, and " …" when words were left out."""
    words = str(text).split(None, n)  # the first n words, then the rest unsplit
    if len(words) <= n:
        return " ".join(words)
    kept = " ".join(words[:n])
    return kept if kept.endswith(" …") else f"{kept} …"


@register.simple_tag
def timeline_entry(entry) -> SafeString:
    """One item of a talks timeline (a milestone, event or statement) with its date and sources.

    ``{% timeline_entry entry %}``, the entry's record with ``public_citations``. A talks
    page shows thirty and a page of its timeline fifty: written with an f-string, each
    value escaped once.
    """
    record = entry.record
    if entry.kind == "milestone":
        kind = f"Milestone · {_escaped_label(record, 'kind')} · {_escaped_label(record, 'state')}"
        title, extra = record.title, ""
    elif entry.kind == "event":
        place = record.place_display()
        kind = f"Event · {_escaped_label(record, 'kind')}{_escape(f' · {place}') if place else ''}"
        title, extra = record.title, ""
    else:
        kind = (
            f"Statement · {_escaped_label(record, 'kind')} · {_escaped_label(record, 'form')} · "
            f"{_escaped_label(record, 'verification')}"
        )
        title = capfirst(record.attribution)
        words = _first_words(record.text, 40)
        words = f"“{words}”" if record.is_quote else words
        extra = f'      <p class="timeline__text">{_escape(words)}</p>\n'
    return SafeString(
        f'  <li class="timeline__item timeline__item--{_escape(entry.kind)}">\n'
        f'    <p class="timeline__date">{precise_date(entry.date)}</p>\n'
        '    <div class="timeline__body">\n'
        f'      <p class="timeline__kind">{kind}</p>\n'
        f'      <h3 class="timeline__title"><a href="{_escape(record.get_absolute_url())}">'
        f"{_escape(title)}</a></h3>\n"
        f"{extra}"
        f"    {citations(record.public_citations)}"
        "    </div>\n"
        "  </li>\n"
    )


_NO_ENTRY = '\n  <li class="timeline__empty">Nothing is recorded for this period.</li>\n'


@register.simple_tag
def timeline_entries(entries) -> SafeString:
    """A timeline's entries as a list, oldest first: ``{% timeline_entries timeline %}``."""
    listed = "".join([timeline_entry(entry) for entry in entries]) or _NO_ENTRY
    return SafeString(f'<ol class="timeline">\n{listed}\n</ol>\n')


@register.simple_tag
def change_entry(correction) -> SafeString:
    """One correction in the changes log: kind, date, the record it corrects, and its text.

    ``{% change_entry correction %}``, the correction with ``target`` (its record or
    None, see ``views.records.changes``); the log shows fifty to a page.
    """
    target, about = correction.target, ""
    if target is not None:
        retracted = (
            "" if target.is_public else ' <span class="state state--retracted">Retracted</span>'
        )
        about = format_html(
            ': <a href="{}#correction-{}">{}</a>{}',
            target.get_absolute_url(),
            correction.pk,
            target,
            mark_safe(retracted),
        )
    day = correction.date
    return format_html(
        '  <li class="change" id="correction-{}">\n'
        '    <p class="change__meta"><strong>{}</strong> · <time datetime="{}">{}</time>'
        " · {}{}</p>\n"
        "    {}\n"
        "  </li>\n",
        correction.pk,
        choice_label(correction, "kind"),
        day.isoformat(),
        f"{day.day} {day:%b} {day.year}",
        capfirst(correction.content_type.name),
        about,
        render_markdown(correction.text),
    )


# How an editor's inference is marked beside a position's stance.
_INFERRED = mark_safe(
    ' · <abbr title="Inferred by editors from what the actor said">inferred</abbr>'
)


def _evidence_html(evidence) -> tuple[str, str, str]:
    """The escaped address, attribution and date of a position's ``Evidence``, made once
    and kept on it: a comparison shows most evidence in the matrix and again in its
    changes, and a statement is often evidence for more than one position."""
    html = evidence.html
    if html is None:
        said = evidence.stated_on_display
        html = evidence.html = (
            _escape(evidence.get_absolute_url()),
            _escape(evidence.attribution),
            _escape(_label(said)) if said else "",
        )
    return html


def _evidence_link(evidence) -> str:
    """A link to a statement a position rests on: "attribution, date" (safe HTML)."""
    url, attribution, said = _evidence_html(evidence)
    return f'<a href="{url}">{attribution}, {said}</a>'


@register.simple_tag
def evidence_links(position) -> SafeString:
    """The statements a position rests on, one link per line, or a dash.

    ``{% evidence_links position %}``, the position with ``public_evidence``.
    """
    links = [_evidence_link(statement) for statement in position.public_evidence]
    return mark_safe("<br>".join(links) if links else "—")


@register.simple_tag
def actor_relationship(relationship, actor) -> SafeString:
    """One of an actor's relationships, the actor named and the other side linked, with
    its dates, description and sources: ``{% actor_relationship relationship actor %}``."""

    def side(pk: int, other) -> str:
        if pk == actor.pk:
            return mark_safe(_escape(actor.label))
        return format_html('<a href="{}">{}</a>', other.get_absolute_url(), other.name)

    start, end = relationship.start_on_display, relationship.end_on_display
    dates = ""
    if start or end:
        dates = format_html(
            '<span class="note">({}{})</span>',
            format_html("from {}", precise_date(start)) if start else "",
            format_html(" until {}", precise_date(end)) if end else "",
        )
    description = ""
    if relationship.description:
        description = format_html(
            '<div class="note">{}</div>', render_markdown(relationship.description)
        )
    return format_html(
        '\n    <li id="relationship-{}">\n      {}\n      <strong>{}</strong>\n      {}\n'
        "      {}\n      {}\n      {}\n    </li>\n  ",
        relationship.pk,
        side(relationship.subject_id, relationship.subject),
        choice_label(relationship, "kind"),
        side(relationship.object_id, relationship.object),
        dates,
        description,
        citations(relationship.public_citations),
    )


@register.simple_tag
def actor_position_row(position) -> SafeString:
    """One row of an actor's positions: topic and talks, stance (marked when superseded),
    date and evidence: ``{% actor_position_row position %}``."""
    topic = position.topic
    current = position.is_current
    earlier = "" if current else ' <span class="note">(earlier)</span>'
    # Written out with an f-string, each value escaped once: an actor may hold dozens.
    return SafeString(
        f'\n      <tr class="{"" if current else "superseded"}">\n'
        f'        <th scope="row"><a href="{_escape(topic.get_absolute_url())}">'
        f"{_escape(topic.question)}</a>"
        f'<span class="note"> {_escape(topic.negotiation.title)}</span></th>\n'
        f"        <td>{stance(position.stance, choice_label(position, 'stance'))}{earlier}</td>\n"
        f"        <td>{precise_date(position.as_of_display)}</td>\n"
        f"        <td>{evidence_links(position)}</td>\n      </tr>\n    "
    )


@register.simple_tag
def actor_event_role(role) -> SafeString:
    """An event an actor had a role in: ``{% actor_event_role role %}``."""
    event = role.event
    return SafeString(
        f'<li><a href="{_escape(event.get_absolute_url())}">{_escape(event.title)}</a> · '
        f"{_escape(choice_label(role, 'role').lower())} · "
        f"{precise_date(event.occurred_on_display)}</li>"
    )


@register.simple_tag
def topic_position_row(position) -> SafeString:
    """One row of a topic's table of positions: actor, stance and date, summary, evidence.

    ``{% topic_position_row position %}``, the position with ``public_evidence`` and
    ``public_citations``; a topic lists every position taken on it.
    """
    inferred = _INFERRED if position.basis == "inferred" else ""
    cited = citations(position.public_citations) if position.public_citations else ""
    actor = position.actor
    # Written out with an f-string, each value escaped once: a topic lists dozens.
    return SafeString(
        f'        <tr id="position-{_escape(position.pk)}">\n'
        f'          <th scope="row"><a href="{_escape(actor.get_absolute_url())}">'
        f"{_escape(actor.label)}</a></th>\n"
        f"          <td>{stance(position.stance, choice_label(position, 'stance'))}\n"
        f'            <span class="cell-meta">{precise_date(position.as_of_display)}{inferred}'
        "</span>\n"
        f'            <div class="cell-summary">{render_markdown(position.summary)}</div></td>\n'
        f"          <td>{evidence_links(position)}\n"
        f"            {cited}</td>\n"
        "        </tr>\n"
    )


@register.simple_tag
def stance_chart(chart) -> SafeString:
    """The stance chart as SVG, and its legend: ``{% stance_chart chart %}`` (see
    ``views.charts``). Grid rows, month or week ticks, then one line of dots per actor."""
    e = _escape
    grid = "".join(
        f'\n    <line x1="{chart.plot_left}" x2="{chart.plot_right}" y1="{y}" y2="{y}" '
        'stroke="#d8dde3" stroke-width="1"/>\n'
        f'    <text x="{chart.plot_left - 8}" y="{y}" text-anchor="end" '
        f'dominant-baseline="middle" class="stance-chart__label">{e(label)}</text>\n  '
        for label, y in chart.rows
    )
    ticks = "".join(
        f'\n    <line x1="{x}" x2="{x}" y1="{chart.plot_top}" y2="{chart.plot_bottom}" '
        'stroke="#eef0f3" stroke-width="1"/>\n'
        f'    <text x="{x}" y="{chart.plot_bottom + 18}" text-anchor="middle" '
        f'class="stance-chart__tick">{e(label)}</text>\n  '
        for x, label in chart.ticks
    )
    lines = "".join(
        f'\n  <g class="stance-chart__series {e(series.css_class)}">\n'
        f'    <path d="{e(series.path)}" fill="none" stroke-width="3"/>\n'
        f"    {chart_points(series)}\n  </g>\n  "
        for series in chart.series
    )
    legend = "".join(
        f'<li><span class="chart-legend__swatch {e(series.css_class)}" aria-hidden="true">'
        f"</span>{e(series.actor.label)}</li>"
        for series in chart.series
    )
    return mark_safe(
        f'<svg class="stance-chart" viewBox="0 0 {chart.width} {chart.height}" role="img" '
        'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">\n'
        f'  <title id="chart-title">{e(chart.title)}</title>\n'
        f'  <desc id="chart-desc">{e(chart.description)}</desc>\n'
        f'  <g class="stance-chart__grid">\n  {grid}\n  {ticks}\n  </g>\n  {lines}\n</svg>\n'
        f'<ul class="chart-legend" aria-label="Actors in the chart">\n{legend}\n</ul>\n'
    )


@register.simple_tag
def chart_points(series) -> SafeString:
    """The dots of one actor's line in a stance chart, each titled with stance and date.

    ``{% chart_points series %}`` (see ``views.charts``).
    """
    name = series.actor.name
    return mark_safe(
        "".join(
            format_html(
                '<circle cx="{}" cy="{}" r="5"><title>{}: {} from {}</title></circle>',
                point.x,
                point.y,
                name,
                choice_label(point.position, "stance").lower(),
                _label(point.position.as_of_display),
            )
            for point in series.points
        )
    )


@register.simple_tag
def talks_link(talks) -> SafeString:
    """Talks named and linked, with their state: ``{% talks_link talks %}``."""
    return format_html(
        '<li><a href="{}">{}</a> <span class="state state--{}">{}</span></li>',
        talks.get_absolute_url(),
        talks.title,
        talks.state,
        choice_label(talks, "state"),
    )


@register.simple_tag
def milestone_list(milestones, empty: str) -> SafeString:
    """Milestones, each linked with its kind, state, date and talks, or ``empty`` when there
    are none: ``{% milestone_list milestones "None yet." %}``."""
    if not milestones:
        return format_html("<p>{}</p>\n", empty)
    items = "".join(
        format_html(
            '<li><a href="{}">{}</a><br><span class="note">{} · {} · {} · {}</span></li>',
            milestone.get_absolute_url(),
            milestone.title,
            choice_label(milestone, "kind"),
            choice_label(milestone, "state"),
            precise_date(milestone.date_display),
            milestone.negotiation.title,
        )
        for milestone in milestones
    )
    return mark_safe(f'<ul class="plain-list milestone-list">\n{items}\n</ul>\n')


@register.simple_tag
def talks_card(talks) -> SafeString:
    """An active talks on the home page: title, state, start, parties, summary.

    ``{% talks_card talks %}``; ``talks.parties`` is a list of (name, role label)
    pairs (see ``views.talks.home``).
    """
    began = talks.start_on_display
    parties = ""
    if talks.parties:
        named = ", ".join(_party(name, role) for name, role in talks.parties)
        parties = f'    <p class="talks-card__parties">{named}</p>\n'
    # Written out with an f-string, each value escaped once: the home page shows dozens.
    return SafeString(
        '  <article class="talks-card">\n'
        f'    <h3><a href="{_escape(talks.get_absolute_url())}">{_escape(talks.title)}</a></h3>\n'
        f'    <p class="talks-card__meta"><span class="state state--{_escape(talks.state)}">'
        f"{_escaped_label(talks, 'state')}</span>"
        f"{f' · began {precise_date(began)}' if began else ''}</p>\n"
        f"{parties}"
        f'    <div class="talks-card__summary">{markdown_excerpt(talks.summary or "", 50)}</div>\n'
        "  </article>\n"
    )


@functools.lru_cache(maxsize=4096)
def _party(name: str, role: str) -> str:
    """A party on a talks card, escaped: the home page names some 300, and the same
    actor and role from one request to the next."""
    return f'{html.escape(name)} <span class="role">({html.escape(role.lower())})</span>'


@register.simple_tag
def stance(value: str, label: str) -> SafeString:
    """A stance badge with its shape and words: ``{% stance p.stance p.get_stance_display %}``."""
    return _stance_badge(value, label)


# Six stances, each with its one label: a page of positions repeats the same few badges.
@functools.lru_cache(maxsize=256, typed=True)  # a label already safe stays apart
def _stance_badge(value: str, label: str) -> SafeString:
    return format_html(
        '<span class="stance {}"><span class="stance__symbol" aria-hidden="true">{}</span> '
        "{}</span>",
        stance_class(value),
        stance_symbol(value),
        label,
    )


# The tags of the talks page below write their HTML with f-strings, each value escaped
# once: a matrix has hundreds of cells, and format_html's escaping of the safe pieces
# already built was most of their cost.

_NO_POSITION = SafeString('<span class="cell-empty">No position recorded</span>')
_NO_CELL = SafeString(
    '<span class="cell-empty" aria-hidden="true">—</span>'
    '<span class="visually-hidden">No position recorded</span>'
)
_RESTATED = SafeString('<p class="cell-meta">Same stance, newly restated.</p>')


@register.simple_tag
def position_summary(position) -> SafeString:
    """A position in a comparison: stance, date and evidence, or that there was none.

    ``{% position_summary change.before %}``; the position has ``public_evidence``.
    """
    if position is None:
        return _NO_POSITION
    evidence = ""
    if position.public_evidence:
        links = "; ".join([_evidence_link(statement) for statement in position.public_evidence])
        evidence = f'<p class="cell-meta">Evidence: {links}</p>'
    badge = _stance_badge(position.stance, choice_label(position, "stance"))
    dated = _precise_date(position.as_of_display)
    return SafeString(f'{badge}\n<p class="cell-meta">Dated {dated}</p>\n{evidence}')


@register.simple_tag
def matrix_row(row) -> SafeString:
    """One actor's row of the position matrix: the actor, its role, a cell per topic.

    ``{% matrix_row row %}`` (see ``models.history.MatrixRow``).
    """
    actor = row.actor
    role = f'<span class="matrix__role">{_escape(row.role)}</span>' if row.role else ""
    return SafeString(
        f'\n      <tr>\n        <th scope="row"><a href="{_escape(actor.get_absolute_url())}">'
        f"{_escape(actor.label)}</a>{role}</th>\n        {matrix_cells(row)}\n"
        "      </tr>\n    "
    )


@register.simple_tag
def matrix_rows(rows) -> SafeString:
    """``matrix_row`` for each of the matrix's ``rows``: ``{% matrix_rows matrix.rows %}``."""
    return SafeString("".join([matrix_row(row) for row in rows]))


@register.simple_tag
def position_change_row(change, negotiation) -> SafeString:
    """A changed position between two days, in the comparison's table.

    ``{% position_change_row change negotiation %}`` (see ``models.history.PositionChange``).
    """
    return SafeString(_position_change_row(change, negotiation.slug, {}, {}))


@register.simple_tag
def position_change_rows(changes, negotiation) -> SafeString:
    """``position_change_row`` for each of ``changes``:
    ``{% position_change_rows changes negotiation %}``. Each actor's and topic's link is
    made once: a comparison names the same few over and over."""
    slug, actors, topics = negotiation.slug, {}, {}
    return SafeString(
        "".join([_position_change_row(change, slug, actors, topics) for change in changes])
    )


def _position_change_row(change, slug: str, actors: dict, topics: dict) -> str:
    """``position_change_row``'s HTML; ``actors`` and ``topics`` keep the links made, by id."""
    actor, topic = change.actor, change.topic
    actor_link = actors.get(actor.pk)
    if actor_link is None:
        actor_link = actors[actor.pk] = (
            f'<a href="{_escape(actor.get_absolute_url())}">{_escape(actor.name)}</a>'
        )
    topic_link = topics.get(topic.pk)
    if topic_link is None:
        topic_url = page_url("tracker:topic", slug, topic.slug)
        topic_link = topics[topic.pk] = f'<a href="{_escape(topic_url)}">{_escape(topic.title)}</a>'
    restated = "" if change.stance_changed else _RESTATED
    return (
        f'\n      <tr>\n        <th scope="row">{actor_link}</th>\n'
        f"        <td>{topic_link}</td>\n"
        f"        <td>{position_summary(change.before)}</td>\n"
        f"        <td>{position_summary(change.after)}{restated}</td>\n"
        "      </tr>\n    "
    )


@register.simple_tag
def matrix_head(topics, negotiation) -> SafeString:
    """The matrix's head cells after "Actor": each topic linked, with its question.

    ``{% matrix_head matrix.topics negotiation %}``.
    """
    slug = negotiation.slug
    return SafeString(
        "".join(
            f'<th scope="col"><a href="{_escape(page_url("tracker:topic", slug, topic.slug))}">'
            f'{_escape(topic.title)}</a><span class="matrix__question">{_escape(topic.question)}'
            "</span></th>"
            for topic in topics
        )
    )


@register.simple_tag
def key_figures(figures) -> SafeString:
    """The talks' key figures, each with its value, date and sources.

    ``{% key_figures key_figures %}``, each figure with ``public_citations``.
    """
    return SafeString(
        "".join(
            f'\n    <div class="key-figure" id="key-figure-{figure.pk}">\n'
            f"      <dt>{_escape(figure.label)}</dt>\n"
            f'      <dd class="key-figure__value">{_escape(figure.display_value())}</dd>\n'
            f'      <dd class="key-figure__date">as of {precise_date(figure.as_of_display)}</dd>\n'
            f"      <dd>{citations(figure.public_citations)}</dd>\n"
            "    </div>\n  "
            for figure in figures
        )
    )


@functools.cache
def _stance_legend() -> SafeString:
    from tracker.models import Stance

    badges = "".join(f"<li>{stance(value, label)}</li>" for value, label in Stance.choices)
    return SafeString(f'<ul class="stance-legend" aria-label="Stance scale">\n{badges}\n</ul>\n')


@register.simple_tag
def stance_legend() -> SafeString:
    """The stance scale, each stance's badge in order: ``{% stance_legend %}``."""
    return _stance_legend()


@register.simple_tag
def party(participation) -> SafeString:
    """A party to the talks, linked, with its role and note: ``{% party participation %}``."""
    note = participation.note
    note = f'<br><span class="note">{_escape(note)}</span>' if note else ""
    actor = participation.actor
    return SafeString(
        f'\n    <li><a href="{_escape(actor.get_absolute_url())}">{_escape(actor.name)}</a> '
        f'<span class="role">{_escape(choice_label(participation, "role"))}</span>{note}</li>\n  '
    )


@register.simple_tag
def parties(participations) -> SafeString:
    """``party`` for each of ``participations``: ``{% parties participations %}``."""
    return SafeString("".join([party(participation) for participation in participations]))


@register.simple_tag
def matrix_cells(row) -> SafeString:
    """A matrix row's cells, one ``<td>`` per topic: ``{% matrix_cells row %}``."""
    return SafeString("".join([f"<td>{_position_cell(position)}</td>" for position in row.cells]))


@register.simple_tag
def position_cell(position) -> SafeString:
    """One cell of the position matrix: the stance, linked to its newest evidence, and its date.

    ``{% position_cell position %}``; ``position`` may be None (no position).
    """
    return SafeString(_position_cell(position))


def _position_cell(position) -> str:
    """``position_cell``'s HTML, safe, as a plain string (a matrix has a hundred)."""
    if position is None:
        return _NO_CELL
    evidence = position.public_evidence
    badge = _stance_badge(position.stance, choice_label(position, "stance"))
    if evidence:
        url, attribution, said = _evidence_html(evidence[0])
        badge = (
            f'<a class="cell-link" href="{url}">{badge}'
            f'<span class="visually-hidden"> — evidence: {attribution}, {said}</span></a>'
        )
    inferred = _INFERRED if position.basis == "inferred" else ""
    meta = (
        '<span class="cell-meta"><span class="visually-hidden">Position dated </span>'
        f"{_precise_date(position.as_of_display)}{inferred}</span>"
    )
    more = ""
    if len(evidence) > 1:
        links = "".join(
            [
                f'<a href="{url}">[{number}]<span class="visually-hidden"> evidence: '
                f"{attribution}</span></a> "
                for number, (url, attribution, _) in enumerate(map(_evidence_html, evidence[1:]), 2)
            ]
        )
        more = f'<span class="cell-more">also {links}</span>'
    return f"{badge}\n{meta}\n{more}"


# Addresses in templates. ``{% url %}`` reverses its route on every use, about 25 µs
# (a page's header and footer hold six); ``page_url`` joins the route's kept pieces.


@register.simple_tag(name="page_url")
def page_url_tag(name: str, *args) -> str:
    """The address ``{% url name arg… %}`` gives, for the public routes:
    ``{% page_url 'tracker:home' %}``."""
    return page_url(name, *args)


# Lists of cards as one tag each: a {% for %} loop around a tag costs a few µs an item
# on top of the tag, and the home, actor and topic pages show dozens of cards.


@register.simple_tag
def statement_cards(statements, empty: str) -> SafeString:
    """``statement_card`` for each of ``statements``, or ``empty`` as a paragraph when
    there are none: ``{% statement_cards statements "None yet." %}``."""
    if not statements:
        return format_html("<p>{}</p>", empty)
    return mark_safe("".join([statement_card(statement) for statement in statements]))


@register.simple_tag
def talks_cards(talks_list, empty: str) -> SafeString:
    """``talks_card`` for each of ``talks_list`` on a line of its own, or ``empty`` as a
    paragraph when there are none: ``{% talks_cards active_talks "None." %}``."""
    if not talks_list:
        return format_html("\n  <p>{}</p>\n  ", empty)
    return mark_safe("".join([f"\n{talks_card(talks)}\n  " for talks in talks_list]))
