"""Actor, statement, event, source and changes pages: every fact with its citation."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import (
    cite,
    make_actor,
    make_correction,
    make_event,
    make_event_role,
    make_position,
    make_relationship,
    make_source,
    make_statement,
    make_topic,
)
from tracker.models import Actor, Event, EventRole, Relationship, Source, Statement, Status

pytestmark = pytest.mark.django_db


def test_actor_page_shows_native_name_right_to_left_with_its_language(client, seed):
    actor = Actor.objects.public().get(slug="kataib-hezbollah")
    html = client.get(actor.get_absolute_url()).content.decode()
    assert "Armed group · Iraq</p>" in html  # the country's name, not its code
    assert '<span lang="ar" dir="rtl">كتائب حزب الله</span>' in html
    for alias in ("Kataib Hezbollah", "KH", "Hezbollah Brigades"):
        assert f"<li>{alias}</li>" in html


def test_actor_page_lists_relationships_positions_statements_and_events(client):
    militia = make_actor(slug="militia", name="The militia")
    iran = make_actor(slug="iran", name="Iran")
    relationship = make_relationship(militia, iran, kind=Relationship.Kind.BACKED_BY)
    cite(relationship, make_source(outlet="NPR"), "paragraph 1")
    make_relationship(militia, make_actor(name="Ghost", status=Status.DRAFT))
    topic = make_topic(question="Should US forces leave?")
    said = make_statement(speaker=militia, text="The occupiers must leave.")
    make_position(militia, topic, [said], stance="supports", as_of=datetime.date(2024, 1, 1))
    make_position(militia, topic, [said], stance="opposes", as_of=datetime.date(2024, 2, 1))
    event = make_event(slug="strike", title="Drone strike")
    make_event_role(event, militia, EventRole.Role.TARGET)
    html = client.get(militia.get_absolute_url()).content.decode()
    assert f'id="relationship-{relationship.pk}"' in html
    assert "backed by" in html and 'href="/actors/iran/"' in html and "NPR" in html
    assert "Ghost" not in html
    positions = html.split('id="positions-heading"')[1].split("</section>")[0]
    assert positions.index("Opposes") < positions.index("Supports")  # current first
    assert "(earlier)" in positions
    assert "The occupiers must leave." in html
    assert "Drone strike" in html and "target" in html


def test_statement_page_marks_a_quote_and_shows_its_provenance(client):
    source = make_source(outlet="NPR", title="Drone strike report")
    event = make_event(slug="strike", title="Drone strike")
    topic = make_topic(title="US presence")
    statement = make_statement(
        form=Statement.Form.QUOTE,
        text="There are no indications of collateral damage.",
        attribution="U.S. Central Command",
        attribution_kind=Statement.AttributionKind.OFFICIAL_CHANNEL,
        channel=Statement.Channel.X,
        stated_on=datetime.date(2024, 2, 7),
        stated_on_part_of_day="night",
        verification=Statement.Verification.DISPUTED,
        verification_note="The Iraqi military reports a civilian car hit.",
        event=event,
    )
    statement.topics.set([topic])
    cite(statement, source, "paragraph 4")
    position = make_position(topic=topic, evidence=[statement])
    html = client.get(statement.get_absolute_url()).content.decode()
    assert "<strong>Direct quote:</strong>" in html
    assert "“There are no indications of collateral damage.”" in html
    assert "“U.S. Central Command”" in html and "Official channel" in html
    assert "X (formerly Twitter)" in html
    assert '<time datetime="2024-02-07"' in html and "7 Feb 2024, night" in html
    assert "Disputed" in html and "civilian car hit" in html
    assert "NPR, 8 Feb 2024" in html and "paragraph 4" in html
    assert event.get_absolute_url() in html and topic.title in html
    assert position.actor.name in html


def test_statement_page_marks_a_paraphrase_as_not_a_quotation(client):
    statement = make_statement(form=Statement.Form.PARAPHRASE, text="The strike used an R9X.")
    html = client.get(statement.get_absolute_url()).content.decode()
    assert "<strong>Paraphrase:</strong>" in html
    assert "“The strike used an R9X.”" not in html and "The strike used an R9X." in html


def test_statement_page_hides_an_unpublished_speaker_and_event(client):
    speaker = make_actor(name="Unpublished speaker", status=Status.DRAFT)
    event = make_event(title="Unpublished event", status=Status.IN_REVIEW)
    statement = make_statement(speaker=speaker, event=event)
    html = client.get(statement.get_absolute_url()).content.decode()
    assert "Unpublished speaker" not in html and "Unpublished event" not in html


def test_draft_statement_is_not_found_and_retracted_one_is_gone(client):
    draft = make_statement(status=Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    retracted = make_statement(status=Status.RETRACTED)
    note = make_correction(retracted, text="Misattributed.", kind="retraction")
    response = client.get(retracted.get_absolute_url())
    assert response.status_code == 410
    assert f'id="correction-{note.pk}"'.encode() in response.content
    assert b"Misattributed." in response.content


def test_event_page_sets_conflicting_accounts_side_by_side(client, seed):
    event = Event.objects.public().get(slug="us-drone-strike-al-mashtal-2024")
    html = client.get(event.get_absolute_url()).content.decode()
    accounts = html.split('class="accounts"')[1].split("</section>")[0]
    assert accounts.count('<article class="account') >= 2
    assert "There are no indications of collateral damage or civilian casualties" in accounts
    assert "civilian car" in accounts
    assert "Disputed" in accounts and "Reported" in accounts
    assert "They do not all carry the same verification" in html
    assert "al-Mashtal" in html and "night" in html


def test_event_page_shows_place_time_roles_and_only_public_accounts(client):
    event = make_event(
        slug="strike",
        title="Strike",
        occurred_on=datetime.date(2024, 2, 7),
        occurred_on_part_of_day="night",
        place_name="al-Mashtal",
        district="east Baghdad",
        city="Baghdad",
        country="IQ",
    )
    make_event_role(event, make_actor(name="US Central Command"), EventRole.Role.PERPETRATOR)
    make_event_role(event, make_actor(name="Hidden role", status=Status.DRAFT), "target")
    make_statement(event=event, text="Public account", verification="confirmed")
    make_statement(event=event, text="Draft account", status=Status.DRAFT)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "al-Mashtal, east Baghdad, Baghdad, Iraq</dd>" in html
    assert '<time datetime="2024-02-07"' in html and "7 Feb 2024, night" in html
    assert "US Central Command</a> — perpetrator" in html
    assert "Hidden role" not in html
    assert "Public account" in html and "Draft account" not in html


def test_a_country_code_that_names_no_country_is_shown_as_it_is(client):
    event = make_event(slug="exercise", title="Exercise", country="XZ")
    assert "<dd>XZ</dd>" in client.get(event.get_absolute_url()).content.decode()


def test_source_page_lists_every_public_record_that_cites_it(client):
    source = make_source(outlet="NPR", title="The report")
    actor = make_actor(name="Cited actor")
    statement = make_statement(text="Cited words")
    event = make_event(title="Cited event")
    draft = make_statement(text="Draft cited words", status=Status.DRAFT)
    for record, locator in ((actor, "paragraph 1"), (statement, "paragraph 2"), (event, "")):
        cite(record, source, locator)
    cite(draft, source)
    cite(actor, source, "paragraph 5")
    html = client.get(source.get_absolute_url()).content.decode()
    cited = html.split('id="cited-heading"')[1]
    assert "Cited actor" in cited and "— paragraph 1; paragraph 5" in cited
    assert "Cited words" in cited and "paragraph 2" in cited
    assert "Cited event" in cited
    assert "Draft cited words" not in cited


def test_source_without_url_says_so(client):
    source = make_source(url="")
    assert b"No address is known for this source." in client.get(source.get_absolute_url()).content


def test_source_list_is_paginated_and_rejects_impossible_pages(client):
    for n in range(51):
        make_source(title=f"Source {n}")
    make_source(title="Unpublished source", status=Status.DRAFT)
    first = client.get(reverse("tracker:sources"))
    assert first.status_code == 200 and b"Page 1 of 2" in first.content
    second = client.get(reverse("tracker:sources") + "?page=2")
    assert second.status_code == 200
    assert b"Unpublished source" not in first.content + second.content
    for page in ("999999999", "0", "-1", "abc", "1.5", "99999999999999999999"):
        assert client.get(reverse("tracker:sources") + f"?page={page}").status_code == 404


def test_a_source_line_links_the_title_and_names_outlet_kind_date_and_authors(client):
    day = datetime.date(2024, 2, 8)
    source = make_source(title="Talks <resume>", outlet="NPR & co", authors="A. <Writer>")
    unsigned = make_source(title="Unsigned", outlet="AP", authors="", published_on=day)
    undated = make_source(title="Undated", published_on=None, kind=Source.Kind.SOCIAL_MEDIA_POST)
    html = client.get(reverse("tracker:sources")).content.decode()
    lines = html.split('<ol class="plain-list source-list">\n', 1)[1].split("\n</ol>")[0]
    assert lines == (
        f'\n  <li><a href="/sources/{unsigned.pk}/"><cite>Unsigned</cite></a><br>\n'
        '<span class="note">AP · News report · '
        '<time datetime="2024-02-08" class="precise-date precise-date--day">8 Feb 2024</time>'
        "</span></li>\n"
        f'\n  <li><a href="/sources/{source.pk}/"><cite>Talks &lt;resume&gt;</cite></a><br>\n'
        '<span class="note">NPR &amp; co · News report · '
        '<time datetime="2024-02-08" class="precise-date precise-date--day">8 Feb 2024</time>'
        " · by A. &lt;Writer&gt;</span></li>\n"
        f'\n  <li><a href="/sources/{undated.pk}/"><cite>Undated</cite></a><br>\n'
        '<span class="note">Example News · Social media post · '
        '<span class="precise-date precise-date--unknown">date unknown</span>'
        " · by A. Reporter</span></li>\n"
    )


def test_corrections_show_on_the_record_page_and_in_the_changes_log(client):
    statement = make_statement(text="Corrected words")
    correction = make_correction(statement, text="An earlier version gave the wrong *day*.")
    make_correction(statement, text="Draft correction", status=Status.DRAFT)
    page = client.get(statement.get_absolute_url()).content.decode()
    assert f'id="correction-{correction.pk}"' in page and "<em>day</em>" in page
    assert "Draft correction" not in page
    log = client.get(reverse("tracker:changes")).content.decode()
    assert f'href="{statement.get_absolute_url()}#correction-{correction.pk}"' in log
    assert "Draft correction" not in log


def test_changes_log_links_retracted_records_and_marks_them(client):
    statement = make_statement(status=Status.RETRACTED)
    make_correction(statement, text="Withdrawn: misattributed.", kind="retraction")
    log = client.get(reverse("tracker:changes")).content.decode()
    assert "Withdrawn: misattributed." in log and "Retracted</span>" in log


def test_unknown_records_get_the_404_page(client, db):
    for url in ("/actors/nobody/", "/statements/999999/", "/events/nothing/", "/sources/0/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Page not found" in response.content


def test_rich_text_is_sanitised(client):
    actor = make_actor(
        description='Hi <script>alert(1)</script><a href="javascript:alert(2)">x</a>'
        '<img src=x onerror="alert(3)"> [ok](https://example.org)',
    )
    html = client.get(actor.get_absolute_url()).content.decode()
    body = html.split('class="lede"')[1].split("</div>")[0]
    assert "<script" not in body and "javascript:" not in body and "onerror" not in body
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in body


def test_every_seeded_record_page_answers(client, seed):
    urls = [
        r.get_absolute_url()
        for model in (Actor, Statement, Event, Source)
        for r in model.objects.public()
    ]
    assert len(urls) > 20
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_seeded_source_lists_the_records_that_cite_it(client, seed):
    source = Source.objects.public().get()
    html = client.get(source.get_absolute_url()).content.decode()
    assert "Kata&#x27;ib Hezbollah" in html or "Kata'ib Hezbollah" in html
    assert "paragraph" in html


def test_corrections_of_records_shown_on_anothers_page_appear_there(client):
    militia = make_actor(slug="militia", name="The militia")
    relationship = make_relationship(militia, make_actor(name="Iran"))
    topic = make_topic()
    position = make_position(militia, topic, [make_statement()])
    on_relationship = make_correction(relationship, text="The link dates from 2019.")
    on_position = make_correction(position, text="The stance was misread.")
    actor_page = client.get(militia.get_absolute_url()).content.decode()
    assert f'id="correction-{on_relationship.pk}"' in actor_page
    assert "The link dates from 2019." in actor_page
    topic_page = client.get(topic.get_absolute_url()).content.decode()
    assert f'id="correction-{on_position.pk}"' in topic_page
    assert (
        on_position.get_absolute_url() == f"{topic.get_absolute_url()}#correction-{on_position.pk}"
    )


def test_a_records_sources_are_listed_oldest_first_and_undated_last(client):
    statement = make_statement()
    cite(statement, make_source(outlet="Undated wire", published_on=None))
    cite(statement, make_source(outlet="March paper", published_on=datetime.date(2024, 3, 1)))
    cite(statement, make_source(outlet="January paper", published_on=datetime.date(2024, 1, 9)))
    page = client.get(statement.get_absolute_url()).content.decode()
    positions = [page.index(outlet) for outlet in ("January", "March", "Undated wire")]
    assert positions == sorted(positions)
