"""The pieces every public page is built from: dates, citations and stance badges."""

import datetime

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from tests.factories import cite, make_position, make_source, make_statement
from tracker.dates import PreciseDate, Precision
from tracker.models import Citation
from tracker.models.talks import attach_public_evidence
from tracker.templatetags.parley import _escape, _first_words


def render(text: str, **context) -> str:
    return Template("{% load parley %}" + text).render(Context(context))


def test_a_day_is_a_machine_readable_time_without_a_caveat():
    html = render("{% precise_date d %}", d=PreciseDate(datetime.date(2024, 2, 7)))
    assert html == (
        '<time datetime="2024-02-07" class="precise-date precise-date--day">7 Feb 2024</time>'
    )


def test_a_week_known_at_the_latest_says_so_in_its_title():
    date = PreciseDate(datetime.date(2024, 1, 29), Precision.WEEK, on_or_before=True)
    html = render("{% precise_date d %}", d=date)
    assert 'title="Known to the week, at the latest"' in html
    assert 'class="precise-date precise-date--week"' in html
    assert ">on or before week of 29 Jan 2024</time>" in html


def test_a_missing_date_reads_date_unknown():
    assert "date unknown" in render("{% precise_date d %}", d=None)


@pytest.mark.parametrize(
    "value",
    ["", "plain words", "<script>alert('x')</script>", 'a "quote" & an ampersand', "&amp;", 42],
)
def test_tags_escape_as_django_escapes_and_leave_safe_html_as_is(value):
    from django.utils.html import conditional_escape

    assert _escape(value) == conditional_escape(value)
    assert _escape(mark_safe(f"<b>{value}</b>")) == f"<b>{value}</b>"


@pytest.mark.parametrize("format_string", ["j M Y", "j F Y", "Y-m-d", "D jS N Y"])
def test_day_filter_writes_what_the_date_filter_writes(format_string):
    days = [datetime.date(2024, month, month + 9) for month in range(1, 13)]
    days += [datetime.date(1999, 12, 31), datetime.date(999, 9, 1), datetime.date(5, 1, 31)]
    for value in days:
        for _ in range(2):  # written, then kept
            assert render(f'{{{{ d|day:"{format_string}" }}}}', d=value) == render(
                f'{{{{ d|date:"{format_string}" }}}}', d=value
            )


def test_day_filter_leaves_times_and_missing_days_to_the_date_filter():
    moment = datetime.datetime(2024, 2, 7, 23, 30, tzinfo=datetime.UTC)
    for value in (moment, None, ""):
        day = render('{{ d|day:"j M Y H:i" }}', d=value)
        assert day == render('{{ d|date:"j M Y H:i" }}', d=value)
    assert render('{{ d|day:"j M Y" }}', d=moment) == "7 Feb 2024"


def test_day_filter_names_months_in_the_active_language():
    from django.utils import translation

    value = datetime.date(2024, 2, 7)
    assert render('{{ d|day:"j F Y" }}', d=value) == "7 February 2024"
    with translation.override("fr"):
        assert render('{{ d|day:"j F Y" }}', d=value) == "7 février 2024"
    assert render('{{ d|day:"j F Y" }}', d=value) == "7 February 2024"


@pytest.mark.django_db
def test_citations_link_each_source_with_its_date_and_locator_in_order():
    statement = make_statement()
    cite(statement, make_source(outlet="NPR"), "paragraph 3")
    cite(statement, make_source(outlet="Reuters <wire>", published_on=None))
    found = list(Citation.objects.filter(object_id=statement.pk).order_by("pk"))
    html = render("{% citations c %}", c=found)
    assert '<span class="citations__label">Sources:</span>' in html
    assert "NPR, 8 Feb 2024</a> <span" in html and "(paragraph 3)" in html
    # An undated source is named by its outlet alone; text is escaped.
    assert ">Reuters &lt;wire&gt;</a></cite>" in html


@pytest.mark.django_db
def test_pages_read_citations_oldest_source_first_and_undated_sources_last():
    from tracker.views.common import attach_citations

    statement, other, uncited = make_statement(), make_statement(), make_statement()
    undated = cite(statement, make_source(outlet="Undated wire", published_on=None), "p. 2")
    newer = cite(statement, make_source(outlet="Later", published_on=datetime.date(2024, 3, 1)))
    older = cite(statement, make_source(outlet="Earlier", published_on=datetime.date(2024, 1, 2)))
    same_day = cite(other, older.source, "annex")
    cite(statement, make_source(outlet="Draft", status="draft"))
    attach_citations(statement, [other, uncited])
    shown = [
        (c.pk, c.locator, c.source.pk, c.source.outlet, c.source.published_on_display)
        for c in statement.public_citations
    ]
    assert shown == [
        (c.pk, c.locator, c.source.pk, c.source.outlet, c.source.published_on_display)
        for c in (older, newer, undated)
    ]
    assert [c.pk for c in other.public_citations] == [same_day.pk]
    assert uncited.public_citations == []
    html = render("{% citations c %}", c=statement.public_citations)
    assert html == render("{% citations c %}", c=[older, newer, undated])


def test_no_citation_says_no_public_source_is_cited():
    assert "No public source is cited for this yet." in render("{% citations c %}", c=[])


def test_a_stance_badge_has_a_shape_as_well_as_a_colour():
    html = render("{% stance s l %}", s="leans_oppose", l="Leans <oppose>")
    assert html == (
        '<span class="stance stance--leans-oppose"><span class="stance__symbol" '
        'aria-hidden="true">−</span> Leans &lt;oppose&gt;</span>'
    )
    # The same words already marked safe are not escaped, though a badge is built once.
    safe = render("{% stance s l %}", s="leans_oppose", l=mark_safe("Leans <oppose>"))
    assert safe.endswith("</span> Leans <oppose></span>")


def test_an_empty_matrix_cell_says_no_position_to_screen_readers_only():
    html = render("{% position_cell p %}", p=None)
    assert html == (
        '<span class="cell-empty" aria-hidden="true">—</span>'
        '<span class="visually-hidden">No position recorded</span>'
    )


@pytest.mark.django_db
def test_a_matrix_cell_links_the_newest_evidence_and_numbers_the_rest():
    newer = make_statement(attribution="a <spokesperson>", stated_on=datetime.date(2024, 2, 3))
    older = make_statement(attribution="a minister", stated_on=datetime.date(2024, 1, 3))
    position = make_position(evidence=[newer, older], basis="inferred")
    attach_public_evidence([position])
    html = render("{% position_cell p %}", p=position)
    assert html.startswith(f'<a class="cell-link" href="/statements/{newer.pk}/">')
    assert "— evidence: a &lt;spokesperson&gt;, 3 Feb 2024</span></a>" in html
    assert 'Position dated </span><time datetime="2024-02-01"' in html
    assert ">inferred</abbr>" in html
    assert (
        f'<span class="cell-more">also <a href="/statements/{older.pk}/">[2]'
        '<span class="visually-hidden"> evidence: a minister</span></a> </span>'
    ) in html


@pytest.mark.django_db
def test_a_position_without_public_evidence_shows_its_stance_unlinked():
    position = make_position(stance="opposes")
    position.public_evidence = []
    html = render("{% position_cell p %}", p=position)
    assert html.startswith('<span class="stance stance--opposes">')
    assert "cell-link" not in html and "cell-more" not in html


@pytest.mark.django_db
def test_a_statement_card_shows_a_quote_with_its_attribution_channel_and_sources():
    statement = make_statement(text="We want the coalition <b>to leave</b>.", form="quote")
    statement.channel = "press_conference"
    cite(statement, make_source(outlet="NPR"), "paragraph 3")
    statement.public_citations = list(Citation.objects.all())
    html = render("{% statement_card s %}", s=statement)
    assert html.startswith('<article class="statement-card statement-card--quote">')
    assert "<blockquote" in html
    assert "“We want the coalition &lt;b&gt;to leave&lt;/b&gt;.”" in html
    assert f"— {statement.attribution}, via Press conference" in html
    assert f'<a href="/statements/{statement.pk}/">Statement details' in html
    assert '<cite class="citation"><a href="/sources/' in html
    assert "(paragraph 3)" in html


@pytest.mark.django_db
def test_a_statement_card_escapes_the_attribution_everywhere_and_the_locator():
    statement = make_statement(text="Talks & more.", form="paraphrase")
    statement.attribution = 'A "senior" <official>'
    cite(statement, make_source(outlet="NPR"), "p. 3 <top>")
    statement.public_citations = list(Citation.objects.all())
    html = render("{% statement_card s %}", s=statement)
    assert "<official>" not in html and "<top>" not in html
    assert html.count("A &quot;senior&quot; &lt;official&gt;") == 2
    assert "Talks &amp; more." in html
    assert '<span class="citation__locator">(p. 3 &lt;top&gt;)</span>' in html


@pytest.mark.django_db
def test_a_statement_card_shows_a_paraphrase_without_quotation_marks():
    statement = make_statement(text="They would discuss a timetable.", form="paraphrase")
    statement.public_citations = []
    html = render("{% statement_card s %}", s=statement)
    assert "statement-card--paraphrase" in html
    assert "statement-card__text--paraphrase" in html
    assert "“" not in html
    assert "No public source is cited for this yet." in html


@pytest.mark.django_db
def test_timeline_entries_name_their_kind_and_link_their_record():
    from tests.factories import make_event, make_milestone
    from tracker.models.history import TimelineEntry

    long_text = " ".join(f"word{n}" for n in range(60))
    statement = make_statement(text=long_text, form="quote", attribution="a spokesman")
    event = make_event(place_name="al-Mashtal", city="Baghdad")
    milestone = make_milestone()
    entries = [
        TimelineEntry("statement", statement.stated_on_display, statement),
        TimelineEntry("event", event.occurred_on_display, event),
        TimelineEntry("milestone", milestone.date_display, milestone),
    ]
    for entry in entries:
        entry.record.public_citations = []
    statement_html, event_html, milestone_html = (
        render("{% timeline_entry e %}", e=entry) for entry in entries
    )
    assert 'class="timeline__item timeline__item--statement"' in statement_html
    assert f'<a href="/statements/{statement.pk}/">A spokesman</a>' in statement_html
    assert "“word0 word1" in statement_html
    assert "word39 …”" in statement_html
    assert "word40" not in statement_html
    assert "Event · " in event_html
    assert " · al-Mashtal, Baghdad</p>" in event_html
    assert f'<a href="{event.get_absolute_url()}">{event.title}</a>' in event_html
    assert "Milestone · " in milestone_html
    assert f'<a href="{milestone.get_absolute_url()}">' in milestone_html
    assert all("No public source is cited" in html for html in (statement_html, event_html))


@pytest.mark.django_db
def test_a_change_entry_links_its_record_and_marks_a_retracted_one():
    from tests.factories import make_correction
    from tracker.models import Status

    statement = make_statement(attribution="a <spokesman>")
    correction = make_correction(statement, text="The date was *wrong*.")
    correction.target = statement
    html = render("{% change_entry c %}", c=correction)
    assert f'<li class="change" id="correction-{correction.pk}">' in html
    assert f'<time datetime="{correction.date:%Y-%m-%d}">' in html
    assert f'href="/statements/{statement.pk}/#correction-{correction.pk}"' in html
    assert "a &lt;spokesman&gt;" in html
    assert "<em>wrong</em>" in html
    assert "Retracted" not in html
    statement.status = Status.RETRACTED
    assert '<span class="state state--retracted">Retracted</span>' in render(
        "{% change_entry c %}", c=correction
    )


@pytest.mark.django_db
def test_a_topic_position_row_shows_stance_summary_evidence_and_sources():
    evidence = make_statement(attribution="a <minister>")
    position = make_position(evidence=[evidence], summary="Wants a *timetable*.")
    attach_public_evidence([position])
    position.public_citations = []
    html = render("{% topic_position_row p %}", p=position)
    assert f'<tr id="position-{position.pk}">' in html
    assert f'<a href="{position.actor.get_absolute_url()}">{position.actor.label}</a>' in html
    assert 'class="stance stance--' in html
    assert "<em>timetable</em>" in html
    assert f'<a href="/statements/{evidence.pk}/">a &lt;minister&gt;, ' in html
    assert "inferred" not in html
    position.public_evidence = []
    position.basis = "inferred"
    html = render("{% topic_position_row p %}", p=position)
    assert "<td>—" in html
    assert ">inferred</abbr>" in html


@pytest.mark.django_db
def test_chart_points_title_each_dot_with_the_actors_stance_and_date():
    from tracker.views.charts import stance_chart

    position = make_position(stance="leans_oppose")
    chart = stance_chart(position.topic, [position])
    html = render("{% chart_points s %}", s=chart.series[0])
    assert html.startswith('<circle cx="')
    assert f"<title>{position.actor.name}: leans oppose from " in html
    assert html.count("<circle") == 1


@pytest.mark.django_db
def test_stance_chart_draws_the_grid_ticks_a_line_per_actor_and_a_legend():
    from tests.factories import make_actor
    from tracker.views.charts import stance_chart

    first = make_position(stance="supports", as_of=datetime.date(2024, 1, 8))
    second = make_position(
        actor=make_actor(name="Militia <KH>", short_name=""),
        topic=first.topic,
        stance="opposes",
        as_of=datetime.date(2024, 3, 4),
    )
    chart = stance_chart(first.topic, [first, second])
    html = render("{% stance_chart c %}", c=chart)
    assert html.startswith('<svg class="stance-chart" viewBox="0 0 720 320" role="img"')
    assert html.count('class="stance-chart__label"') == 6  # five stances and "unclear"
    assert html.count('class="stance-chart__tick"') == len(chart.ticks) > 0
    assert html.count('<g class="stance-chart__series series-') == 2
    assert html.count("<circle") == 2
    assert "Militia <KH>" not in html and "Militia &lt;KH&gt;</li>" in html
    assert html.endswith("</li>\n</ul>\n")
    assert chart.description.endswith(
        ": supports from 8 Jan 2024. Militia <KH>: opposes from 4 Mar 2024."
    )
    assert (
        "mixed or conditional from 1 Feb 2024"
        in stance_chart(
            first.topic, [make_position(stance="mixed", as_of=datetime.date(2024, 2, 1))]
        ).description
    )


@pytest.mark.django_db
def test_stance_chart_draws_the_lines_of_many_actors_at_one_stance_apart():
    from tests.factories import make_actor, make_topic
    from tracker.views.charts import stance_chart

    topic = make_topic()
    positions = [
        make_position(actor=actor, topic=topic, stance="supports", as_of=day)
        for actor in [make_actor() for _ in range(20)]
        for day in (datetime.date(2024, 1, 8), datetime.date(2024, 2, 5))
    ]
    positions.sort(key=lambda p: (p.actor.name, p.as_of))
    chart = stance_chart(topic, positions)
    heights = [series.points[0].y for series in chart.series]
    assert len(set(heights)) == 20  # no line drawn over another
    assert max(heights) - min(heights) <= 24  # all within the row's band
    # Eight colours, then the same eight dashed, then dotted: no two lines look alike.
    looks = [series.css_class for series in chart.series]
    assert len(set(looks)) == 20
    assert looks[:8] == [f"series-{n}" for n in range(8)]
    assert looks[8] == "series-0 series-dashed" and looks[19] == "series-3 series-dotted"
    html = render("{% stance_chart c %}", c=chart)
    assert html.count('<span class="chart-legend__swatch series-3 series-dotted"') == 1


@pytest.mark.django_db
def test_stance_chart_keeps_each_actors_line_at_its_height_when_two_share_a_name():
    from tests.factories import make_actor, make_topic
    from tracker.views.charts import stance_chart

    topic = make_topic()
    twins = [make_actor(name="Popular Mobilisation Forces") for _ in range(2)]
    days = [datetime.date(2024, 1, 8), datetime.date(2024, 2, 5), datetime.date(2024, 3, 4)]
    # As the topic page orders them, by name then date: the two actors' positions interleave.
    positions = sorted(
        (
            make_position(actor=a, topic=topic, stance="opposes", as_of=d)
            for a in twins
            for d in days
        ),
        key=lambda p: (p.actor.name, p.as_of),
    )
    chart = stance_chart(topic, positions)
    heights = [{point.y for point in series.points} for series in chart.series]
    assert [len(h) for h in heights] == [1, 1]  # each line flat at one stance
    assert heights[0] != heights[1]


@pytest.mark.django_db
def test_an_actors_relationship_names_the_actor_once_escaped_and_links_the_other_side():
    from tests.factories import make_actor, make_relationship

    office = make_actor(name="Prime Minister's <Office>", short_name="")
    other = make_actor(name="Cabinet")
    relationship = make_relationship(office, other, description="Since *2020*.")
    relationship.public_citations = []
    html = render("{% actor_relationship r a %}", r=relationship, a=office)
    assert "\n      Prime Minister&#x27;s &lt;Office&gt;\n" in html
    assert f'<a href="{other.get_absolute_url()}">Cabinet</a>' in html
    assert '<div class="note"><p>Since <em>2020</em>.</p></div>' in html
    assert html.startswith(f'\n    <li id="relationship-{relationship.pk}">')


@pytest.mark.django_db
def test_talks_page_rows_name_the_actor_its_role_and_a_restated_stance():
    from tests.factories import make_actor, make_negotiation, make_participation
    from tracker.models.history import MatrixRow, PositionChange

    talks = make_negotiation()
    actor = make_actor(name="Iraq <gov>", short_name="")
    participation = make_participation(talks, actor, note="Host & chair")
    html = render("{% party p %}", p=participation)
    assert f'<a href="{actor.get_absolute_url()}">Iraq &lt;gov&gt;</a> <span class="role">' in html
    assert '<br><span class="note">Host &amp; chair</span></li>' in html
    row = MatrixRow(actor=actor, role="Party", cells=[None])
    html = render("{% matrix_row r %}", r=row)
    assert 'Iraq &lt;gov&gt;</a><span class="matrix__role">Party</span></th>' in html
    assert html.count("<td>") == 1
    before = make_position(actor=actor, stance="supports", as_of=datetime.date(2024, 1, 1))
    after = make_position(
        actor=actor, topic=before.topic, stance="supports", as_of=datetime.date(2024, 2, 1)
    )
    for position in (before, after):
        position.public_evidence = []
    change = PositionChange(actor, before.topic, before, after)
    html = render("{% position_change_row c t %}", c=change, t=talks)
    assert f'/talks/{talks.slug}/topics/{before.topic.slug}/"' in html
    assert "Same stance, newly restated." in html


@pytest.mark.django_db
def test_a_milestone_list_names_kind_state_date_and_talks_or_says_there_are_none():
    from tests.factories import make_milestone, make_negotiation

    talks = make_negotiation(title="Talks <A>")
    milestone = make_milestone(talks, title="Round & one", planned_on=datetime.date(2024, 3, 1))
    html = render('{% milestone_list m "None." %}', m=[milestone])
    assert html.startswith('<ul class="plain-list milestone-list">\n<li><a href="')
    assert ">Round &amp; one</a><br>" in html and "Talks &lt;A&gt;</span></li>" in html
    assert render("{% milestone_list m e %}", m=[], e="None <yet>.") == "<p>None &lt;yet&gt;.</p>\n"
    html = render("{% talks_link t %}", t=talks)
    assert (
        f'<li><a href="{talks.get_absolute_url()}">Talks &lt;A&gt;</a> <span class="state' in html
    )


@pytest.mark.django_db
def test_a_talks_card_names_its_parties_with_their_roles_and_cuts_the_summary():
    from tests.factories import make_negotiation

    talks = make_negotiation(summary=" ".join(["**Word**"] + ["word"] * 60))
    talks.parties = [("Iraq <gov>", "Party"), ("UN", "Mediator")]
    html = render("{% talks_card t %}", t=talks)
    assert f'<h3><a href="{talks.get_absolute_url()}">{talks.title}</a></h3>' in html
    assert (
        'Iraq &lt;gov&gt; <span class="role">(party)</span>, UN <span class="role">(mediator)'
        in html
    )
    assert "<strong>Word</strong>" in html
    assert html.count("word") == 49
    assert "…" in html
    talks.parties = []
    assert "talks-card__parties" not in render("{% talks_card t %}", t=talks)


@pytest.mark.django_db
def test_lists_of_cards_are_the_cards_in_turn_or_a_paragraph_saying_there_are_none():
    from tests.factories import make_negotiation

    first, second = make_negotiation(), make_negotiation()
    first.parties, second.parties = [], [("UN", "Mediator")]
    statements = [make_statement(form="quote"), make_statement(form="paraphrase")]
    for statement in statements:
        statement.public_citations = []
    loop = (
        "{% for t in l %}\n{% talks_card t %}\n  {% empty %}\n  <p>None & all.</p>\n  {% endfor %}"
    )
    for talks_list in ([first, second], []):
        assert render('{% talks_cards l "None & all." %}', l=talks_list) == render(
            loop, l=talks_list
        )
    loop = "{% for s in l %}{% statement_card s %}{% empty %}<p>None & all.</p>{% endfor %}"
    for cards in (statements, []):
        assert render('{% statement_cards l "None & all." %}', l=cards) == render(loop, l=cards)


@pytest.mark.django_db
def test_a_position_summary_gives_stance_date_and_each_piece_of_evidence():
    first = make_statement(attribution="a <minister>", stated_on=datetime.date(2024, 3, 1))
    second = make_statement()
    position = make_position(evidence=[first, second], stance="supports")
    attach_public_evidence([position])
    html = render("{% position_summary p %}", p=position)
    assert html.startswith('<span class="stance stance--supports">')
    assert '<p class="cell-meta">Dated <time' in html
    assert f'Evidence: <a href="/statements/{first.pk}/">a &lt;minister&gt;, ' in html
    assert f'; <a href="/statements/{second.pk}/">' in html
    assert render("{% position_summary p %}", p=None) == (
        '<span class="cell-empty">No position recorded</span>'
    )


def test_page_url_gives_the_address_the_url_tag_gives():
    for route, args in [
        ("tracker:home", ""),
        ("tracker:changes_feed", ""),
        ("tracker:negotiation_feed", " 'talks-a'"),
        ("tracker:topic", " 'talks-a' 'water-sharing'"),
        ("tracker:statement", " 1234"),
    ]:
        fast = render(f"{{% page_url '{route}'{args} %}}")
        assert fast == Template(f"{{% url '{route}'{args} %}}").render(Context())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Short and sweet.",
        "  Spaces\tand\nnewlines   between   words  ",
        " ".join(f"word{n}" for n in range(40)),
        " ".join(f"word{n}" for n in range(41)),
        " ".join(f"word{n}" for n in range(39)) + " … and more after the cut",
        "Troops <will> leave & return " * 12,
    ],
)
def test_a_timeline_excerpt_keeps_the_words_django_truncator_keeps(text):
    assert _first_words(text, 40) == Truncator(text).words(40, truncate=" …")


def test_stance_chart_ticks_are_mondays_for_a_short_span_and_months_thinned_to_eight():
    from tracker.views.charts import _ticks

    def x(day):
        return day.toordinal()

    mondays = _ticks(datetime.date(2024, 1, 3), datetime.date(2024, 2, 20), x)
    assert [label for _, label in mondays] == [
        "8 Jan", "15 Jan", "22 Jan", "29 Jan", "5 Feb", "12 Feb", "19 Feb",
    ]  # fmt: skip
    months = _ticks(datetime.date(2020, 1, 1), datetime.date(2024, 6, 15), x)
    assert len(months) == 8
    assert months[0] == (datetime.date(2020, 1, 1).toordinal(), "Jan 2020")
    assert months[1][1] == "Aug 2020"  # 54 months: every seventh is kept
    later = _ticks(datetime.date(2020, 12, 2), datetime.date(2021, 6, 1), x)
    assert [label for _, label in later][:2] == ["Jan 2021", "Feb 2021"]
