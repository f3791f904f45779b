"""Atom feeds: latest statements, milestones, corrections, and one per talks."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.contrib.syndication.views import Feed
from django.urls import resolve, reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.xmlutils import UnserializableContentError

from tests.factories import (
    make_correction,
    make_event,
    make_milestone,
    make_negotiation,
    make_statement,
    make_topic,
)
from tracker.feeds import AtomFeed, _linebreaks
from tracker.models import Milestone, Statement, Status

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client, url: str) -> list[dict]:
    """The feed's entries as dicts of title, link, published, updated and summary."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "published": entry.findtext(f"{ATOM}published"),
            "updated": entry.findtext(f"{ATOM}updated"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in feed.iter(f"{ATOM}entry")
    ]


def links(client, url: str) -> list[str]:
    return [entry["link"].removeprefix("http://testserver") for entry in entries(client, url)]


def test_statement_feed_lists_only_public_statements_linked_to_their_pages(client):
    public = make_statement(text="We will stay.", attribution="the Pentagon")
    for status in (Status.DRAFT, Status.IN_REVIEW, Status.RETRACTED):
        make_statement(text=f"Hidden {status}", status=status)
    found = entries(client, reverse("tracker:statement_feed"))
    assert [entry["link"] for entry in found] == [f"http://testserver{public.get_absolute_url()}"]
    assert found[0]["title"] == "the Pentagon: We will stay."
    assert "Attribution as reported: the Pentagon" in found[0]["summary"]


def test_feed_entries_are_dated_from_the_records(client):
    statement = make_statement()
    published = datetime.datetime(2024, 2, 8, 12, 30, tzinfo=datetime.UTC)
    updated = datetime.datetime(2024, 2, 9, 8, 0, tzinfo=datetime.UTC)
    Statement.objects.filter(pk=statement.pk).update(published_at=published, updated_at=updated)
    (entry,) = entries(client, reverse("tracker:statement_feed"))
    assert datetime.datetime.fromisoformat(entry["published"]) == published
    assert datetime.datetime.fromisoformat(entry["updated"]) == updated
    feed = ET.fromstring(client.get(reverse("tracker:statement_feed")).content)
    assert datetime.datetime.fromisoformat(feed.findtext(f"{ATOM}updated")) == updated


def test_milestone_feed_lists_public_milestones_of_public_talks(client):
    held = make_milestone(
        title="First round",
        state=Milestone.State.HELD,
        held_on=datetime.date(2024, 1, 27),
    )
    make_milestone(title="Draft round", status=Status.DRAFT)
    make_milestone(negotiation=make_negotiation(status=Status.DRAFT), title="Hidden talks")
    found = entries(client, reverse("tracker:milestone_feed"))
    assert [entry["link"] for entry in found] == [f"http://testserver{held.get_absolute_url()}"]
    assert found[0]["title"] == "First round (held, 27 Jan 2024)"


def test_changes_feed_lists_corrections_of_public_and_retracted_records_only(client):
    public = make_statement()
    retracted = make_statement(status=Status.RETRACTED)
    draft = make_statement(status=Status.DRAFT)
    shown = make_correction(public, text="The date was wrong.")
    withdrawn = make_correction(retracted, text="Withdrawn.", date=datetime.date(2024, 3, 2))
    make_correction(draft, text="Of a draft.")
    make_correction(public, text="Not yet published.", status=Status.DRAFT)
    found = links(client, reverse("tracker:changes_feed"))
    assert found == [
        f"{retracted.get_absolute_url()}#correction-{withdrawn.pk}",
        f"{public.get_absolute_url()}#correction-{shown.pk}",
    ]


@pytest.mark.parametrize("drafts", [0, 15, 60])
def test_changes_feed_shows_fifty_of_the_latest_hundred_corrections_on_file(client, drafts):
    on_file, draft = make_statement(), make_statement(status=Status.DRAFT)
    corrections = []
    for n in range(110):
        # The corrections of the draft come first, among the latest.
        record = draft if n < drafts else on_file
        day = datetime.date(2024, 1, 1) + datetime.timedelta(days=200 - n)
        corrections.append(make_correction(record, date=day))
    expected = [c for c in corrections[:100] if c.object_id == on_file.pk]
    found = links(client, reverse("tracker:changes_feed"))
    assert found == [f"{on_file.get_absolute_url()}#correction-{c.pk}" for c in expected[:50]]


def test_talks_feed_lists_that_talks_statements_events_and_milestones(client):
    talks, other = make_negotiation(), make_negotiation()
    statement = make_statement(negotiation=talks)
    by_topic = make_statement()
    topic = make_topic(negotiation=talks)
    by_topic.topics.add(topic)
    statement.topics.add(topic)  # on the talks and on its topic: listed once
    from_other_talks = make_statement(negotiation=other)
    from_other_talks.topics.add(topic)
    event = make_event(negotiation=talks)
    milestone = make_milestone(negotiation=talks)
    make_statement(negotiation=other)
    make_statement(negotiation=talks, status=Status.DRAFT).topics.add(topic)
    make_event(negotiation=talks, status=Status.RETRACTED)
    found = links(client, reverse("tracker:negotiation_feed", args=[talks.slug]))
    expected = [statement, by_topic, from_other_talks, event, milestone]
    assert sorted(found) == sorted(record.get_absolute_url() for record in expected)


def test_talks_feed_runs_latest_published_then_latest_date_then_highest_id(client):
    talks = make_negotiation()
    topic = make_topic(negotiation=talks)
    lists: list[list] = [[], [], [], []]  # own statements, those on its topics, events, milestones
    for n in range(16):
        day = datetime.date(2024, 1, 1 + n % 2)
        on_topic = make_statement(stated_on=None if n % 4 else day)
        on_topic.topics.add(topic)
        records = [
            make_statement(negotiation=talks, stated_on=day),
            on_topic,
            make_event(negotiation=talks, occurred_on=day),
            make_milestone(negotiation=talks, held_on=day if n % 3 else None),
        ]
        # Entries made together share a time of publication (or, unpublished, of change).
        published = datetime.datetime(2024, 3, 1 + n % 5, tzinfo=datetime.UTC)
        for kind, record in enumerate(records):
            type(record).objects.filter(pk=record.pk).update(
                published_at=None if n % 6 == 0 else published, updated_at=published
            )
            record.refresh_from_db()
            lists[kind].append(record)

    def newest_first(record) -> tuple:
        when = getattr(record, "stated_on", None) or getattr(record, "occurred_on", None)
        when = when or getattr(record, "held_on", None) or getattr(record, "planned_on", None)
        return (record.published_at or record.updated_at, when or datetime.date.min, record.pk)

    # Entries equal in all three (an event and a milestone of one id) keep the lists' order.
    merged = [record for records in lists for record in records]
    expected = sorted(merged, key=newest_first, reverse=True)[:50]
    found = links(client, reverse("tracker:negotiation_feed", args=[talks.slug]))
    assert found == [record.get_absolute_url() for record in expected]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.RETRACTED])
def test_feed_of_talks_the_public_cannot_see_is_404(client, status):
    talks = make_negotiation(status=status)
    assert client.get(reverse("tracker:negotiation_feed", args=[talks.slug])).status_code == 404
    assert client.get("/talks/no-such-talks/feed/").status_code == 404


def test_pages_link_their_feeds_in_the_head(client):
    talks = make_negotiation()
    home = client.get(reverse("tracker:home")).content.decode()
    talks_page = client.get(talks.get_absolute_url()).content.decode()
    statement_feed = reverse("tracker:statement_feed")
    talks_feed = reverse("tracker:negotiation_feed", args=[talks.slug])
    alternate = '<link rel="alternate" type="application/atom+xml"'
    assert f'{alternate} title="Parley: latest statements" href="{statement_feed}">' in home
    assert f'{alternate} title="Parley: {talks.title}" href="{talks_feed}">' in talks_page


@pytest.mark.parametrize(
    "name", ["statement_feed", "milestone_feed", "changes_feed", "negotiation_feed"]
)
def test_feeds_answer_get_and_head_only(client, name):
    talks = make_negotiation(slug="the-talks")
    url = reverse(f"tracker:{name}", args=[talks.slug] if name == "negotiation_feed" else [])
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405
    assert not client.get(url).cookies


@pytest.mark.parametrize("scale", [1, 10])
def test_feeds_run_a_fixed_number_of_queries(client, django_assert_num_queries, scale):
    talks = make_negotiation(slug="the-talks")
    for _ in range(scale):
        statement = make_statement(negotiation=talks)
        make_correction(statement)
        make_correction(make_event(negotiation=talks))
        make_milestone(negotiation=talks)
    # Each count includes the publication stamp that conditional GET reads first.
    for name, queries in [
        ("statement_feed", 2),
        ("milestone_feed", 2),
        ("changes_feed", 4),  # corrections, then the statements and events they correct
    ]:
        with django_assert_num_queries(queries):
            client.get(reverse(f"tracker:{name}"))
    # The stamp, the talks, the newest entries of its lists (its own statements, those
    # on its topics, events, milestones), then the statements, events and milestones.
    with django_assert_num_queries(6):
        client.get(reverse("tracker:negotiation_feed", args=[talks.slug]))


def test_the_seed_talks_have_a_feed(client, seed):
    found = entries(client, "/talks/iraq-us-coalition-talks-2024/feed/")
    assert len(found) >= 10
    assert all(entry["published"] and entry["updated"] for entry in found)


@pytest.mark.parametrize(
    "title, link, summary",
    [
        ("Plain", "http://testserver/statements/1/", "<p>Text</p>"),
        ("", "http://testserver/a?b=1&c=2", ""),
        ("Quotes \" and ' & <tags>", 'http://testserver/it\'s/"here"', None),
        ("Ünïcode – “quoted” …", "http://testserver/x\ty\nz", "<p>a<br>b</p>\n\n<p>c</p>"),
    ],
)
def test_feed_entries_are_written_as_djangos_atom_writer_writes_them(title, link, summary):
    dates = {
        "pubdate": datetime.datetime(2024, 2, 8, 12, 30, tzinfo=datetime.UTC),
        "updateddate": datetime.datetime(2024, 2, 9, 8, 0, 5, 123, tzinfo=datetime.UTC),
    }
    written = []
    for feed_type in (Atom1Feed, AtomFeed):
        feed = feed_type(title="Feed", link="http://testserver/", description=None)
        feed.add_item(title=title, link=link, description=summary, unique_id=link, **dates)
        feed.add_item(title=title, link=link, description=summary, unique_id=link)
        written.append(feed.writeString("utf-8"))
    assert written[0] == written[1]


@pytest.mark.parametrize(
    "text",
    ["", "One line.", "A & <b>\"q\"</b> 'x'", "a\nb\n\n\nc", "a\r\nb\r\rc\r\r\nd", "\n\na\n\n"],
)
def test_entry_summaries_break_lines_as_djangos_linebreaks_filter_does(text):
    assert _linebreaks(text) == linebreaks(text, autoescape=True)


def test_a_control_character_fails_the_feed_as_djangos_writer_does():
    for feed_type in (Atom1Feed, AtomFeed):
        feed = feed_type(title="Feed", link="http://testserver/", description=None)
        feed.add_item(title="Bell\x07", link="http://testserver/", description="", unique_id="x")
        with pytest.raises(UnserializableContentError):
            feed.writeString("utf-8")


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/statements/",
        "/feeds/milestones/",
        "/feeds/changes/",
        "/talks/iraq-us-coalition-talks-2024/feed/",
    ],
)
def test_feeds_write_what_djangos_own_feed_view_writes(rf, seed, monkeypatch, url):
    make_correction(Statement.objects.public().first(), text="A *Markdown* & <b>text</b>.")
    match = resolve(url)
    feed, request = match.func, rf.get(url)
    talks = feed.get_object(request, **match.kwargs)
    ours = feed.get_feed(talks, request).writeString("utf-8")
    monkeypatch.setattr(feed, "feed_type", Atom1Feed)
    assert Feed.get_feed(feed, talks, request).writeString("utf-8") == ours
    assert "<entry>" in ours
