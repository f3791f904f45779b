"""The home page, the talks page with its matrix, timeline and time travel, topics, milestones."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils.text import capfirst

from tests.factories import (
    cite,
    make_actor,
    make_event,
    make_key_figure,
    make_milestone,
    make_negotiation,
    make_participation,
    make_position,
    make_source,
    make_statement,
    make_topic,
)
from tracker.models import Milestone, Negotiation, Position, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def talks():
    """Talks with two parties, one topic and a position that changed on 1 February."""
    negotiation = make_negotiation(slug="iraq-us", title="Iraq–US talks", summary="The *future*.")
    iraq = make_actor(slug="iraq", name="Government of Iraq", short_name="Iraq")
    us = make_actor(slug="us", name="United States government", short_name="US")
    make_participation(negotiation, iraq, role="party", order=1)
    make_participation(negotiation, us, role="party", order=2)
    topic = make_topic(
        negotiation, slug="stay", title="US forces stay", question="Should US forces stay?"
    )
    early = make_statement(
        negotiation=negotiation,
        speaker=us,
        attribution="a Pentagon spokesperson",
        text="We will stay as long as needed.",
        stated_on=datetime.date(2024, 1, 10),
    )
    late = make_statement(
        negotiation=negotiation,
        speaker=us,
        attribution="a former senior U.S. military official",
        form="paraphrase",
        text="A smaller presence would do.",
        stated_on=datetime.date(2024, 2, 1),
    )
    source = make_source(outlet="NPR", title="U.S. drone strike kills a leader")
    cite(early, source, "paragraph 3")
    cite(late, source, "paragraph 12")
    make_position(
        us, topic, [early], stance=Position.Stance.SUPPORTS, as_of=datetime.date(2024, 1, 10)
    )
    make_position(us, topic, [late], stance=Position.Stance.MIXED, as_of=datetime.date(2024, 2, 1))
    return {
        "negotiation": negotiation,
        "us": us,
        "iraq": iraq,
        "topic": topic,
        "early": early,
        "late": late,
        "source": source,
    }


def _matrix(html: str) -> str:
    return html.split('class="data-table matrix"', 1)[1].split("</table>", 1)[0]


def test_home_lists_active_talks_latest_statements_and_milestones(client, talks):
    negotiation = talks["negotiation"]
    make_milestone(
        negotiation, slug="round-two", title="Second round", planned_on=datetime.date(2099, 5, 1)
    )
    make_milestone(
        negotiation,
        slug="round-one",
        title="First round",
        held_on=datetime.date(2024, 1, 27),
        state=Milestone.State.HELD,
        planned_on=None,
    )
    make_negotiation(slug="old", title="Old talks", state=Negotiation.State.CONCLUDED)
    make_negotiation(slug="secret", title="Secret talks", status=Status.DRAFT)
    html = client.get(reverse("tracker:home")).content.decode()
    active = html.split('id="active-heading"')[1].split("Earlier talks")[0]
    assert "Iraq–US talks" in active and "Old talks" not in active
    assert "Old talks" in html and "Secret talks" not in html
    assert "Second round" in html.split('id="upcoming-heading"')[1].split('id="recent-heading"')[0]
    assert "First round" in html.split('id="recent-heading"')[1]
    assert "A smaller presence would do." in html
    assert "NPR, 8 Feb 2024" in html  # the latest statement shows its source


def test_talks_page_shows_summary_parties_and_key_figures_with_citations(client, talks):
    negotiation = talks["negotiation"]
    figure = make_key_figure(negotiation, value=2500, qualifier="roughly", unit="US troops")
    cite(figure, talks["source"], "paragraph 14")
    html = client.get(negotiation.get_absolute_url()).content.decode()
    assert "<em>future</em>" in html
    assert "Government of Iraq" in html and "Party" in html
    figures = html.split('id="figures-heading"')[1].split("</section>")[0]
    assert "roughly 2,500 US troops" in figures
    assert f'id="key-figure-{figure.pk}"' in figures
    assert "NPR, 8 Feb 2024" in figures and "paragraph 14" in figures


def test_positions_evidence_is_their_published_statements_newest_first(talks):
    from tracker.models.talks import attach_public_evidence

    us, topic = talks["us"], talks["topic"]
    draft = make_statement(
        negotiation=talks["negotiation"], speaker=us, attribution="an unpublished source",
        stated_on=datetime.date(2024, 2, 3), status=Status.DRAFT,
    )  # fmt: skip
    weekly = make_statement(
        negotiation=talks["negotiation"], speaker=us, attribution="a weekly briefing",
        stated_on=datetime.date(2024, 2, 5), stated_on_precision="week",
    )  # fmt: skip
    position = make_position(
        us, topic, [talks["early"], draft, weekly], as_of=datetime.date(2024, 2, 8)
    )
    bare = make_position(talks["iraq"], topic, [], as_of=datetime.date(2024, 2, 8))
    attach_public_evidence([position, bare])
    shown = [
        (e.pk, e.attribution, e.stated_on_display, e.get_absolute_url())
        for e in position.public_evidence
    ]
    assert shown == [
        (s.pk, s.attribution, s.stated_on_display, s.get_absolute_url())
        for s in (weekly, talks["early"])
    ]
    assert shown[0][2].label() == "week of 5 Feb 2024"
    assert bare.public_evidence == []


def test_positions_resting_on_one_statement_share_its_evidence(talks):
    from tracker.models.talks import attach_public_evidence

    us, iraq, topic = talks["us"], talks["iraq"], talks["topic"]
    ours = make_position(us, topic, [talks["early"]], as_of=datetime.date(2024, 2, 8))
    theirs = make_position(iraq, topic, [talks["early"]], as_of=datetime.date(2024, 2, 8))
    attach_public_evidence([ours, theirs])
    [evidence] = ours.public_evidence
    assert theirs.public_evidence == [evidence]
    assert theirs.public_evidence[0] is evidence
    assert (evidence.pk, evidence.attribution) == (talks["early"].pk, talks["early"].attribution)


def test_matrix_cell_links_the_current_stance_to_its_evidence(client, talks):
    html = client.get(talks["negotiation"].get_absolute_url()).content.decode()
    matrix = _matrix(html)
    assert "Mixed or conditional" in matrix and "Supports" not in matrix
    assert f'href="{talks["late"].get_absolute_url()}"' in matrix
    assert '<th scope="row"><a href="/actors/iraq/">Iraq</a>' in matrix
    assert "No position recorded" in matrix  # Iraq has none on the topic


def test_matrix_as_of_an_earlier_day_shows_the_stance_of_that_day(client, talks):
    url = talks["negotiation"].get_absolute_url() + "?as_of=2024-01-20"
    html = client.get(url).content.decode()
    matrix = _matrix(html)
    assert "Supports" in matrix and "Mixed or conditional" not in matrix
    assert f'href="{talks["early"].get_absolute_url()}"' in matrix
    assert "looking back to 20 January 2024" in html
    timeline = html.split('id="timeline-heading"')[1].split("</section>")[0]
    assert "We will stay" in timeline and "A smaller presence" not in timeline


def test_matrix_before_any_position_says_so(client, talks):
    html = client.get(
        talks["negotiation"].get_absolute_url() + "?as_of=2023-06-01"
    ).content.decode()
    assert "No position had been recorded by this day." in html


def test_compare_lists_changed_positions_with_both_stances_and_their_evidence(client, talks):
    url = talks["negotiation"].get_absolute_url() + "?compare=2024-01-20&to=2024-02-05"
    html = client.get(url).content.decode()
    changes = html.split('id="changes-heading"')[1].split("</section>")[0]
    assert "United States government" in changes
    assert "Supports" in changes and "Mixed or conditional" in changes
    assert talks["early"].get_absolute_url() in changes
    assert talks["late"].get_absolute_url() in changes
    assert "Government of Iraq" not in changes


def test_compare_over_a_quiet_period_reports_no_change(client, talks):
    url = talks["negotiation"].get_absolute_url() + "?compare=2024-02-02&to=2024-02-05"
    html = client.get(url).content.decode()
    assert "No recorded position changed between these two days." in html


def test_time_travel_is_reachable_from_plain_get_forms_on_the_page(client, talks):
    html = client.get(talks["negotiation"].get_absolute_url()).content.decode()
    forms = re.findall(r"<form[^>]*>.*?</form>", html, re.S)
    as_of = next(f for f in forms if 'name="as_of"' in f)
    compare = next(f for f in forms if 'name="compare"' in f)
    for form in (as_of, compare):
        assert 'method="get"' in form and 'action="/talks/iraq-us/"' in form
        assert "csrfmiddlewaretoken" not in form
    assert 'name="to"' in compare


def test_timeline_merges_milestones_events_and_statements_in_date_order(client, talks):
    negotiation = talks["negotiation"]
    make_event(
        negotiation=negotiation,
        slug="strike",
        title="Drone strike",
        occurred_on=datetime.date(2024, 1, 20),
        occurred_on_part_of_day="night",
    )
    make_milestone(
        negotiation,
        slug="talks-begin",
        title="Talks begin",
        held_on=datetime.date(2024, 1, 1),
        held_on_precision="month",
        state=Milestone.State.HELD,
        planned_on=None,
    )
    html = client.get(negotiation.get_absolute_url()).content.decode()
    timeline = html.split('id="timeline-heading"')[1].split("</section>")[0]
    order = [
        timeline.index(text)
        for text in ("Talks begin", "We will stay", "Drone strike", "A smaller presence")
    ]
    assert order == sorted(order)
    assert '<time datetime="2024-01"' in timeline and "Jan 2024</time>" in timeline
    assert "20 Jan 2024, night" in timeline


def test_drafts_never_appear_on_the_talks_page(client, talks):
    negotiation = talks["negotiation"]
    hidden = make_actor(slug="hidden", name="Hidden actor", status=Status.DRAFT)
    make_participation(negotiation, hidden)
    make_position(hidden, talks["topic"], [talks["early"]])
    make_statement(negotiation=negotiation, text="Not yet public words", status=Status.IN_REVIEW)
    make_topic(negotiation, title="Draft topic", status=Status.DRAFT)
    make_position(
        talks["iraq"], talks["topic"], [talks["late"]], status=Status.DRAFT, stance="opposes"
    )
    html = client.get(negotiation.get_absolute_url()).content.decode()
    for text in ("Hidden actor", "Not yet public words", "Draft topic", "Opposes</span>"):
        assert text not in html.split('class="stance-legend"')[1].split("</ul>", 1)[1]


@pytest.mark.parametrize(
    "query",
    [
        "as_of=2024-02-30",
        "as_of=yesterday",
        "as_of=2024-2-1",
        "as_of=0001-01-01",
        "as_of=9999-12-31",
        "compare=2024-02-05&to=2024-01-01",
        "to=2024-01-01",
        "as_of=2024-01-01&compare=2024-01-01",
        "compare=2024-13-01",
        "as_of=%00",
    ],
)
def test_malformed_time_travel_gets_the_400_page(client, talks, query):
    response = client.get(f"{talks['negotiation'].get_absolute_url()}?{query}")
    assert response.status_code == 400
    assert b"Parley could not read that request" in response.content


def test_compare_form_keeps_both_days_of_the_comparison(client, talks):
    html = client.get(
        talks["negotiation"].get_absolute_url() + "?compare=2024-01-20&to=2024-02-05"
    ).content.decode()
    assert re.search(r'<input id="compare-from"[^>]* value="2024-01-20"', html)
    assert re.search(r'<input id="compare-to"[^>]* value="2024-02-05"', html)


def test_compare_form_offers_today_as_the_end_day_before_any_comparison(client, talks):
    html = client.get(talks["negotiation"].get_absolute_url()).content.decode()
    today = datetime.date.today().isoformat()
    assert re.search(rf'<input id="compare-to"[^>]* value="{today}"', html)


def test_compare_without_an_end_date_compares_with_today(client, talks):
    response = client.get(talks["negotiation"].get_absolute_url() + "?compare=2024-01-20&to=")
    assert response.status_code == 200
    assert b"Positions that changed between 20 Jan 2024 and" in response.content


def test_unknown_talks_get_the_404_page(client, db):
    response = client.get("/talks/no-such-talks/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_retracted_talks_answer_410_with_the_correction(client, talks):
    from tests.factories import make_correction

    negotiation = talks["negotiation"]
    negotiation.status = Status.RETRACTED
    negotiation.save()
    note = make_correction(
        negotiation, text="These talks were **never** confirmed.", kind="retraction"
    )
    response = client.get(negotiation.get_absolute_url())
    assert response.status_code == 410
    assert f'id="correction-{note.pk}"'.encode() in response.content
    assert b"<strong>never</strong>" in response.content


def test_topic_page_draws_each_actors_stance_over_time_with_a_table(client, talks):
    response = client.get(talks["topic"].get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert (
        "United States government: supports from 10 Jan 2024; mixed or conditional from 1 Feb 2024."
        in svg
    )
    assert "style=" not in svg
    table = html.split("</svg>", 1)[1]
    assert "Supports" in table and "Mixed or conditional" in table
    assert talks["late"].get_absolute_url() in table


def test_topic_of_unpublished_talks_is_not_found(client, talks):
    hidden = make_negotiation(slug="hidden-talks", status=Status.DRAFT)
    topic = make_topic(hidden, slug="t")
    assert client.get(topic.get_absolute_url()).status_code == 404


def test_milestone_page_shows_dates_with_precision_outcome_and_linked_records(client, talks):
    milestone = make_milestone(
        talks["negotiation"],
        slug="begin",
        title="Negotiations begin",
        held_on=datetime.date(2024, 2, 8),
        held_on_on_or_before=True,
        state=Milestone.State.HELD,
        outcome="Talks *opened*.",
    )
    milestone.statements.set([talks["late"]])
    cite(milestone, talks["source"], "paragraph 14")
    html = client.get(milestone.get_absolute_url()).content.decode()
    assert "on or before 8 Feb 2024" in html
    assert "<em>opened</em>" in html
    assert "A smaller presence would do." in html
    assert "paragraph 14" in html


def test_seeded_talks_page_reads_the_npr_report(client, seed):
    negotiation = Negotiation.objects.public().get()
    html = client.get(negotiation.get_absolute_url()).content.decode()
    assert "2,500" in html
    assert "Kata" in html  # Kata'ib Hezbollah holds a position or takes part
    assert "NPR" in html


def test_seeded_matrix_on_1_february_shows_only_what_was_known_by_then(client, seed):
    negotiation = Negotiation.objects.public().get()
    today = _matrix(client.get(negotiation.get_absolute_url()).content.decode())
    earlier = _matrix(
        client.get(negotiation.get_absolute_url() + "?as_of=2024-02-01").content.decode()
    )
    assert today.count('class="stance stance--') > earlier.count('class="stance stance--') > 0
    assert "Supports" in today and "Supports" not in earlier  # the US position dates from 8 Feb
    assert "week of 29 Jan 2024" in earlier  # Kata'ib Hezbollah's inferred position


def test_seeded_compare_lists_the_positions_taken_between_two_days(client, seed):
    negotiation = Negotiation.objects.public().get()
    url = negotiation.get_absolute_url() + "?compare=2024-02-01&to=2024-02-09"
    changes = (
        client.get(url).content.decode().split('id="changes-heading"')[1].split("</section>")[0]
    )
    assert "United States" in changes and "No position recorded" in changes


def _timeline_titles(html: str) -> list[str]:
    return re.findall(r'class="timeline__title"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def long_talks(talks):
    """The talks with twelve more statements, one a day from 1 March 2024, and an event."""
    for day in range(1, 13):
        make_statement(
            negotiation=talks["negotiation"],
            speaker=talks["iraq"],
            attribution=f"speaker {day:02d}",
            text=f"Statement of {day} March.",
            stated_on=datetime.date(2024, 3, day),
        )
    make_event(
        negotiation=talks["negotiation"],
        title="Talks resume",
        occurred_on=datetime.date(2024, 3, 5),
    )
    return talks


def test_talks_page_shows_only_the_newest_timeline_entries_and_links_the_whole(
    client, long_talks, monkeypatch
):
    monkeypatch.setattr("tracker.views.talks.TIMELINE_LATEST", 4)
    html = client.get(long_talks["negotiation"].get_absolute_url()).content.decode()
    timeline = html.split('id="timeline-heading"')[1].split("</section>")[0]
    assert _timeline_titles(timeline) == ["Speaker 09", "Speaker 10", "Speaker 11", "Speaker 12"]
    assert "The 4 most recent entries" in timeline
    assert 'href="/talks/iraq-us/timeline/">The whole timeline, oldest first' in timeline


def test_talks_page_without_earlier_entries_shows_all_and_no_timeline_link(client, talks):
    html = client.get(talks["negotiation"].get_absolute_url()).content.decode()
    timeline = html.split('id="timeline-heading"')[1].split("</section>")[0]
    assert len(_timeline_titles(timeline)) == 2
    assert "/timeline/" not in timeline


def test_newest_entries_on_one_day_follow_the_order_of_the_whole_timeline(
    client, long_talks, monkeypatch
):
    # An event and a statement on 5 March: the event comes first on the whole timeline,
    # so the newest eight end with the statement of the 5th and begin with the event.
    monkeypatch.setattr("tracker.views.talks.TIMELINE_LATEST", 9)
    html = client.get(long_talks["negotiation"].get_absolute_url()).content.decode()
    titles = _timeline_titles(html.split('id="timeline-heading"')[1].split("</section>")[0])
    assert titles[:2] == ["Talks resume", "Speaker 05"]


def test_newest_entries_of_any_window_are_the_end_of_its_whole_timeline(long_talks):
    # Looking back, comparing two days or neither, and however many entries are shown:
    # the newest entries are the last ones of the window's whole timeline, and
    # ``earlier`` says whether any were left out. Some windows hold few statements,
    # or no event, which sets how far back the talks page reads.
    negotiation = long_talks["negotiation"]
    days = [None] + [datetime.date(2024, month, day) for month, day in (
        (1, 1), (2, 1), (3, 1), (3, 4), (3, 5), (3, 6), (3, 11), (3, 12), (12, 31)
    )]  # fmt: skip
    checked = 0
    for since in days:
        for as_of in days:
            if since and as_of and since >= as_of:
                continue
            whole = [entry.record for entry in negotiation.timeline(as_of=as_of, since=since)]
            for latest in range(1, len(whole) + 2):
                newest = negotiation.timeline(as_of=as_of, since=since, latest=latest)
                expected = whole[-latest:]
                assert [entry.record for entry in newest] == expected, (since, as_of, latest)
                assert newest.earlier == (len(whole) > latest)
                checked += 1
    assert checked > 300


def test_whole_timeline_pages_run_oldest_first(client, long_talks, monkeypatch):
    monkeypatch.setattr("tracker.views.talks.TIMELINE_PER_PAGE", 5)
    url = reverse("tracker:negotiation_timeline", args=["iraq-us"])
    first = client.get(url).content.decode()
    assert _timeline_titles(first) == [
        "A Pentagon spokesperson",
        "A former senior U.S. military official",
        "Speaker 01",
        "Speaker 02",
        "Speaker 03",
    ]
    assert "Page 1 of 3" in first and 'href="?page=2" rel="next"' in first
    third = client.get(url, {"page": 3}).content.decode()
    assert _timeline_titles(third) == [f"Speaker {day:02d}" for day in range(8, 13)]
    assert 'rel="prev"' in third and 'rel="next"' not in third


def test_whole_timeline_pages_split_a_crowded_day_in_the_order_of_the_whole_timeline(
    client, long_talks, monkeypatch
):
    # 5 March holds a milestone, two events and statements dated to the day and to its
    # morning and night; statements dated to the week (from 4 March) and the month
    # (from 1 March) share their first day with other entries. Pages of two cut
    # through those days, and together they follow the order of the whole timeline.
    negotiation = long_talks["negotiation"]
    march_5 = datetime.date(2024, 3, 5)
    make_milestone(negotiation, title="Round five", planned_on=march_5)
    make_event(negotiation=negotiation, title="Night strike", occurred_on=march_5,
               occurred_on_part_of_day="night")  # fmt: skip
    for attribution, fields in (
        ("morning speaker", {"stated_on_part_of_day": "morning"}),
        ("night speaker", {"stated_on_part_of_day": "night"}),
        ("weekly speaker", {"stated_on": datetime.date(2024, 3, 4), "stated_on_precision": "week"}),
        (
            "monthly speaker",
            {"stated_on": datetime.date(2024, 3, 1), "stated_on_precision": "month"},
        ),
    ):
        make_statement(negotiation=negotiation, attribution=attribution,
                       **{"stated_on": march_5, **fields})  # fmt: skip
    monkeypatch.setattr("tracker.views.talks.TIMELINE_PER_PAGE", 2)
    url = reverse("tracker:negotiation_timeline", args=["iraq-us"])
    pages = []
    for number in range(1, 20):
        response = client.get(url, {"page": number})
        if response.status_code == 404:
            break
        page = _timeline_titles(response.content.decode())
        assert len(page) == 2 or client.get(url, {"page": number + 1}).status_code == 404
        pages += page
    whole = [
        getattr(entry.record, "title", None) or capfirst(entry.record.attribution)
        for entry in negotiation.timeline()
    ]
    assert pages == whole and len(whole) == 21
    assert (
        pages.index("Monthly speaker") < pages.index("Weekly speaker") < pages.index("Round five")
    )
    assert (
        pages.index("Morning speaker") < pages.index("Night strike") < pages.index("Night speaker")
    )


def test_whole_timeline_keeps_the_day_looked_back_to_across_pages(client, long_talks, monkeypatch):
    monkeypatch.setattr("tracker.views.talks.TIMELINE_PER_PAGE", 2)
    url = reverse("tracker:negotiation_timeline", args=["iraq-us"])
    html = client.get(url, {"as_of": "2024-03-03"}).content.decode()
    assert "Only what had happened by 3 March 2024." in html
    assert "Page 1 of 3" in html
    assert 'href="?as_of=2024-03-03&amp;page=2" rel="next"' in html
    last = client.get(url, {"as_of": "2024-03-03", "page": 3}).content.decode()
    assert _timeline_titles(last) == ["Speaker 03"]


def test_whole_timeline_of_a_comparison_holds_only_the_period(client, long_talks):
    url = reverse("tracker:negotiation_timeline", args=["iraq-us"])
    html = client.get(url, {"compare": "2024-03-10", "to": "2024-03-11"}).content.decode()
    assert _timeline_titles(html) == ["Speaker 11"]


@pytest.mark.parametrize(
    "query",
    [{"page": "99"}, {"page": "0"}, {"page": "two"}, {"page": "-1"}],
)
def test_whole_timeline_answers_404_for_a_page_that_does_not_exist(client, long_talks, query):
    url = reverse("tracker:negotiation_timeline", args=["iraq-us"])
    assert client.get(url, query).status_code == 404


def test_whole_timeline_refuses_a_bad_date_with_400(client, long_talks):
    url = reverse("tracker:negotiation_timeline", args=["iraq-us"])
    response = client.get(url, {"as_of": "2024-13-01"})
    assert response.status_code == 400


def test_whole_timeline_of_unpublished_talks_is_not_found(client, long_talks):
    Negotiation.objects.filter(pk=long_talks["negotiation"].pk).update(status=Status.DRAFT)
    url = reverse("tracker:negotiation_timeline", args=["iraq-us"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("latest", "expected"),
    [(2, ["Speaker 11", "Speaker 12"]), (3, ["A weekly speaker", "Speaker 11", "Speaker 12"])],
)
def test_newest_entries_keep_a_weeks_statement_before_the_days_of_that_week(
    client, long_talks, monkeypatch, latest, expected
):
    # A statement dated to the week of Monday 11 March comes before the statement of the
    # 11th on the whole timeline (wider periods first), however few entries are shown.
    make_statement(
        negotiation=long_talks["negotiation"],
        attribution="a weekly speaker",
        stated_on=datetime.date(2024, 3, 11),
        stated_on_precision="week",
    )
    monkeypatch.setattr("tracker.views.talks.TIMELINE_LATEST", latest)
    html = client.get(long_talks["negotiation"].get_absolute_url()).content.decode()
    titles = _timeline_titles(html.split('id="timeline-heading"')[1].split("</section>")[0])
    assert titles == expected


def test_newest_entries_are_the_end_of_the_whole_timeline_however_the_kinds_mix(
    client, long_talks, monkeypatch
):
    # Events cluster at the end and between statements: whatever the number shown, the
    # talks page shows the last entries of the whole timeline, in its order.
    for day in (2, 6, 6, 11, 13, 13, 14):
        make_event(
            negotiation=long_talks["negotiation"],
            title=f"Event of {day} March",
            occurred_on=datetime.date(2024, 3, day),
        )
    monkeypatch.setattr("tracker.views.talks.TIMELINE_PER_PAGE", 100)
    url = long_talks["negotiation"].get_absolute_url()
    whole = _timeline_titles(client.get(url + "timeline/").content.decode())
    assert len(whole) == 22
    for latest in range(1, 25):
        monkeypatch.setattr("tracker.views.talks.TIMELINE_LATEST", latest)
        html = client.get(url).content.decode()
        timeline = html.split('id="timeline-heading"')[1].split("</section>")[0]
        assert _timeline_titles(timeline) == whole[-latest:]
        assert ("/timeline/" in timeline) == (latest < len(whole))
