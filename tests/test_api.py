"""The read-only API under /api/v1/: public records only, with URLs, citations and dates."""

import datetime

import pytest
from django.core.paginator import Paginator
from django.db.models import F

from tests.factories import (
    cite,
    make_actor,
    make_event,
    make_event_role,
    make_key_figure,
    make_milestone,
    make_negotiation,
    make_participation,
    make_position,
    make_relationship,
    make_source,
    make_statement,
    make_topic,
)
from tracker.api import views
from tracker.api.pagination import IdsFirstPaginator
from tracker.dates import Precision
from tracker.models import Statement, Status
from tracker.models.base import count_published

ENDPOINTS = [
    "talks",
    "actors",
    "relationships",
    "topics",
    "positions",
    "statements",
    "events",
    "milestones",
    "sources",
]

VIEWSETS = {
    "talks": views.TalksViewSet,
    "actors": views.ActorViewSet,
    "relationships": views.RelationshipViewSet,
    "topics": views.TopicViewSet,
    "positions": views.PositionViewSet,
    "statements": views.StatementViewSet,
    "events": views.EventViewSet,
    "milestones": views.MilestoneViewSet,
    "sources": views.SourceViewSet,
}

MAKERS = {
    "talks": make_negotiation,
    "actors": make_actor,
    "relationships": make_relationship,
    "topics": make_topic,
    "positions": make_position,
    "statements": make_statement,
    "events": make_event,
    "milestones": make_milestone,
    "sources": make_source,
}

# Queries per list request, whatever the page size: the publication stamp (read by
# tracker.caching for the ETag), the page's ids, its records, then one per prefetch. A
# list with no filter is counted once per state of the data (``UnfilteredList``): the
# warm-up request counts it.
LIST_QUERIES = {
    "talks": 6,  # + participants, key figures, citations (of the talks and key figures)
    "actors": 4,  # + citations
    "relationships": 4,  # + citations
    "topics": 4,  # + citations (talks joined)
    "positions": 5,  # + citations, evidence (topic and talks joined)
    "statements": 5,  # + citations, topics (talks', speaker's and event's status joined)
    "events": 6,  # + citations, actors' roles, accounts
    "milestones": 6,  # + citations, statements, events
    "sources": 4,  # + citations
}


def api(endpoint: str, pk: int | None = None) -> str:
    return f"/api/v1/{endpoint}/" + (f"{pk}/" if pk else "")


def ids(response) -> list[int]:
    return [record["id"] for record in response.json()["results"]]


def build_world(size: int) -> dict:
    """``size`` fully linked, cited, published records of every kind, and drafts beside them."""
    records: dict[str, list] = {endpoint: [] for endpoint in ENDPOINTS}
    for n in range(size):
        day = datetime.date(2024, 2, 1) + datetime.timedelta(days=n)
        source = make_source(published_on=day)
        draft_source = make_source(status=Status.DRAFT)
        talks = make_negotiation(start_on=day)
        actor, other = make_actor(), make_actor()
        make_participation(talks, actor)
        make_participation(talks, make_actor(status=Status.DRAFT))
        figure = make_key_figure(talks)
        make_key_figure(talks, status=Status.DRAFT, label="Draft figure")
        topic = make_topic(talks)
        event = make_event(negotiation=talks, occurred_on=day)
        make_event_role(event, actor)
        make_event_role(event, make_actor(status=Status.DRAFT))
        statement = make_statement(negotiation=talks, speaker=actor, event=event, stated_on=day)
        statement.topics.set([topic, make_topic(talks, status=Status.DRAFT)])
        make_statement(event=event, status=Status.IN_REVIEW)
        position = make_position(actor, topic, evidence=[statement], as_of=day)
        milestone = make_milestone(talks, held_on=day, state="held")
        milestone.statements.set([statement])
        milestone.events.set([event])
        relationship = make_relationship(actor, other, start_on=day)
        for record in (
            talks,
            figure,
            actor,
            relationship,
            topic,
            position,
            statement,
            event,
            milestone,
            source,
        ):
            cite(record, source, locator="paragraph 1")
            cite(record, draft_source)
        for endpoint, record in zip(
            ENDPOINTS,
            (talks, actor, relationship, topic, position, statement, event, milestone, source),
            strict=True,
        ):
            records[endpoint].append(record)
        records["actors"].append(other)
    return records


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_each_list_costs_the_same_queries_for_one_record_a_page_or_fifty(
    db, client, endpoint, django_assert_num_queries
):
    build_world(4)
    client.get(api(endpoint))  # warm per-process caches, e.g. content types
    with django_assert_num_queries(LIST_QUERIES[endpoint]):
        one = client.get(api(endpoint), {"page_size": 1})
    with django_assert_num_queries(LIST_QUERIES[endpoint]):
        fifty = client.get(api(endpoint), {"page_size": 50})
    assert one.status_code == fifty.status_code == 200
    assert len(one.json()["results"]) == 1
    assert len(fifty.json()["results"]) == fifty.json()["count"] >= 4


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_drafts_and_records_in_review_never_appear(db, client, endpoint):
    make = MAKERS[endpoint]
    public = make()
    hidden = [
        make(status=Status.DRAFT),
        make(status=Status.IN_REVIEW),
        make(status=Status.RETRACTED),
    ]
    listed = client.get(api(endpoint))
    assert listed.status_code == 200
    assert public.pk in ids(listed)
    for record in hidden:
        assert record.pk not in ids(listed)
        detail = client.get(api(endpoint, record.pk))
        assert detail.status_code == 404
        assert detail.json() == {"detail": "No public record with that id."}
    assert client.get(api(endpoint, public.pk)).json()["id"] == public.pk


def test_records_hanging_on_unpublished_records_never_appear(db, client):
    draft_talks = make_negotiation(status=Status.DRAFT)
    draft_actor = make_actor(status=Status.DRAFT)
    topic = make_topic(draft_talks)
    assert client.get(api("topics")).json()["count"] == 0
    assert client.get(api("topics", topic.pk)).status_code == 404
    make_position(topic=topic)
    make_position(actor=draft_actor)
    assert client.get(api("positions")).json()["count"] == 0
    make_milestone(draft_talks)
    assert client.get(api("milestones")).json()["count"] == 0
    make_relationship(subject=make_actor(), object=draft_actor)
    assert client.get(api("relationships")).json()["count"] == 0


def test_references_to_unpublished_records_read_as_null(db, client):
    statement = make_statement(
        negotiation=make_negotiation(status=Status.DRAFT),
        speaker=make_actor(status=Status.IN_REVIEW, name="Secret speaker"),
        event=make_event(status=Status.DRAFT),
    )
    event = make_event(negotiation=make_negotiation(status=Status.DRAFT))
    body = client.get(api("statements", statement.pk)).json()
    assert (body["talks"], body["speaker"], body["event"]) == (None, None, None)
    assert "Secret speaker" not in client.get(api("statements")).content.decode()
    assert client.get(api("events", event.pk)).json()["talks"] is None


def test_references_to_published_records_are_their_ids(db, client):
    talks, speaker, event = make_negotiation(), make_actor(), make_event()
    statement = make_statement(negotiation=talks, speaker=speaker, event=event)
    body = client.get(api("statements", statement.pk)).json()
    assert (body["talks"], body["speaker"], body["event"]) == (talks.pk, speaker.pk, event.pk)


def test_nested_lists_hold_only_public_records(db, client):
    world = build_world(1)
    talks = client.get(api("talks")).json()["results"][0]
    assert [p["actor"] for p in talks["participants"]] == [world["actors"][0].pk]
    assert [figure["label"] for figure in talks["key_figures"]] == ["US troops in Iraq"]
    statement = client.get(api("statements")).json()["results"][0]
    assert statement["topics"] == [world["topics"][0].pk]
    event = client.get(api("events")).json()["results"][0]
    assert [role["actor"] for role in event["actors"]] == [world["actors"][0].pk]
    assert event["accounts"] == [world["statements"][0].pk]
    position = client.get(api("positions")).json()["results"][0]
    assert position["evidence"] == [world["statements"][0].pk]
    milestone = client.get(api("milestones")).json()["results"][0]
    assert milestone["statements"] == [world["statements"][0].pk]
    assert milestone["events"] == [world["events"][0].pk]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_record_carries_its_public_url_and_published_citations(db, client, endpoint):
    world = build_world(1)
    record = world[endpoint][0]
    source = world["sources"][0]
    body = client.get(api(endpoint, record.pk)).json()
    assert body["url"] == "http://testserver" + record.get_absolute_url()
    assert body["citations"] == [
        {
            "source": source.pk,
            "title": source.title,
            "outlet": "Example News",
            "date": source.published_on_display.as_dict(),
            "locator": "paragraph 1",
            "url": f"http://testserver/sources/{source.pk}/",
        }
    ]


def test_dates_carry_their_precision(db, client):
    statement = make_statement(
        stated_on=datetime.date(2024, 2, 1), stated_on_precision=Precision.WEEK
    )
    night = make_event(occurred_on=datetime.date(2024, 2, 7), occurred_on_part_of_day="night")
    assert client.get(api("statements", statement.pk)).json()["stated_on"] == {
        "date": "2024-01-29",
        "precision": "week",
        "part_of_day": "",
        "on_or_before": False,
        "earliest": "2024-01-29",
        "latest": "2024-02-04",
        "label": "week of 29 Jan 2024",
    }
    occurred = client.get(api("events", night.pk)).json()["occurred_on"]
    assert (occurred["part_of_day"], occurred["label"]) == ("night", "7 Feb 2024, night")
    undated = make_statement(stated_on=None)
    assert client.get(api("statements", undated.pk)).json()["stated_on"] is None


def test_the_seed_talks_read_in_full(seed, client):
    talks = client.get(api("talks")).json()
    assert talks["count"] == 1
    record = talks["results"][0]
    assert record["citations"][0]["outlet"] == "NPR"
    assert record["key_figures"][0]["display"] == "roughly 2,500 US troops"
    assert len(record["participants"]) >= 2
    statements = client.get(api("statements"), {"page_size": 100}).json()
    assert statements["count"] == len(statements["results"]) > 0
    assert all(statement["citations"] for statement in statements["results"])


def test_pages_are_stable_and_cover_every_record_once(db, client):
    same_day = datetime.date(2024, 2, 7)
    made = [make_statement(stated_on=same_day).pk for _ in range(5)]
    seen = []
    url = api("statements") + "?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [record["id"] for record in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(made)
    assert seen == ids(client.get(api("statements")))


def test_a_page_found_by_its_ids_first_holds_what_slicing_the_list_would(db):
    for n in range(7):
        make_statement(stated_on=datetime.date(2024, 2, 1 + n % 3) if n else None)
    listed = Statement.objects.public().order_by(F("stated_on").desc(nulls_last=True), "-pk")
    for queryset in (listed, listed.distinct()):
        plain, ids_first = Paginator(queryset, 3), IdsFirstPaginator(queryset, 3)
        for number in plain.page_range:
            assert list(ids_first.page(number)) == list(plain.page(number))
        assert ids_first.count == 7


def test_a_record_retracted_between_a_pages_ids_and_its_records_is_left_out(
    db, client, monkeypatch
):
    # An editor retracts a statement after the page's ids are read, before its records.
    kept, retracted = make_statement(), make_statement()
    page_ids = views.UnfilteredList.page_ids

    def ids_then_retraction(self, window):
        found = page_ids(self, window)
        Statement.objects.filter(pk=retracted.pk).update(status=Status.RETRACTED)
        return found

    monkeypatch.setattr(views.UnfilteredList, "page_ids", ids_then_retraction)
    response = client.get(api("statements"))
    assert response.status_code == 200
    assert ids(response) == [kept.pk]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_unfiltered_list_pages_through_its_records_in_the_lists_order(db, client, endpoint):
    build_world(3)
    for status in (Status.PUBLISHED, Status.DRAFT):
        MAKERS[endpoint](status=status)
    listed = VIEWSETS[endpoint]().get_queryset()
    for size in (1, 2, 3, 50):
        seen, url, counts = [], api(endpoint) + f"?page_size={size}", set()
        while url:
            page = client.get(url).json()
            seen += [record["id"] for record in page["results"]]
            counts.add(page["count"])
            url = page["next"]
        assert seen == list(listed.values_list("pk", flat=True))
        assert counts == {listed.count()}


def every_page(client, endpoint: str, size: int, count: int) -> list[int]:
    """The ids of an unfiltered API list read page by page, ``size`` a page; each page
    must give the list's ``count``."""
    seen, url = [], api(endpoint) + f"?page_size={size}"
    while url:
        page = client.get(url).json()
        assert page["count"] == count
        seen += [record["id"] for record in page["results"]]
        url = page["next"]
    return seen


def test_positions_paged_topic_by_topic_are_the_list_in_its_order(db, client):
    talks = make_negotiation()
    topics = [make_topic(talks) for _ in range(4)] + [make_topic(talks, status=Status.DRAFT)]
    actors = [make_actor(name=name) for name in ("Zeta", "Alpha", "Mu")]
    actors.append(make_actor(name="Beta", status=Status.DRAFT))
    for n, topic in enumerate(topics):
        for actor in actors[: 1 + n]:
            for day in (1, 9):
                make_position(actor, topic, as_of=datetime.date(2024, 2, day))
    make_position(actors[0], topics[0], status=Status.DRAFT, as_of=datetime.date(2024, 3, 1))
    listed = list(views.PositionViewSet().get_queryset().values_list("pk", flat=True))
    assert len(listed) == 2 * (1 + 2 + 3 + 3)
    for size in range(1, 8):
        assert every_page(client, "positions", size, len(listed)) == listed


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_list_is_counted_again_after_each_change_and_only_then(
    db, client, endpoint, django_assert_num_queries
):
    build_world(2)
    counted = client.get(api(endpoint)).json()["count"]
    with django_assert_num_queries(LIST_QUERIES[endpoint]):
        assert client.get(api(endpoint)).json()["count"] == counted
    added = MAKERS[endpoint]()
    with django_assert_num_queries(LIST_QUERIES[endpoint] + 1):  # + the count
        assert client.get(api(endpoint)).json()["count"] == counted + 1
    added.status = Status.RETRACTED
    added.save()
    assert client.get(api(endpoint)).json()["count"] == counted
    assert client.get(api(endpoint), {"page": 2, "page_size": counted}).status_code == 404


def test_a_list_is_counted_again_when_a_record_it_hangs_on_is_unpublished(db, client):
    world = build_world(3)
    lists = ("topics", "positions", "relationships", "milestones")
    counted = {endpoint: client.get(api(endpoint)).json()["count"] for endpoint in lists}
    talks = world["talks"][0]
    talks.status = Status.DRAFT
    talks.save()
    actor = world["actors"][3]  # the object of the second relationship
    actor.status = Status.IN_REVIEW
    actor.save()
    expected = {"topics": 2, "positions": 2, "relationships": 2, "milestones": 2}
    assert counted == {"topics": 3, "positions": 3, "relationships": 3, "milestones": 3}
    assert {e: client.get(api(e)).json()["count"] for e in lists} == expected


def test_a_filtered_list_is_the_unfiltered_one_less_what_the_filter_leaves_out(db, client):
    world = build_world(3)
    talks = world["talks"][1].pk
    unfiltered = client.get(api("statements")).json()["results"]
    filtered = client.get(api("statements"), {"talks": talks}).json()["results"]
    assert filtered == [record for record in unfiltered if record["talks"] == talks] != []


# Lists whose unfiltered count is worked out from their model's statuses (count_published).
COUNTED_BY_STATUS = [endpoint for endpoint in ENDPOINTS if VIEWSETS[endpoint].counts_published]


@pytest.mark.parametrize("endpoint", COUNTED_BY_STATUS)
def test_a_list_counted_by_status_is_its_models_public_records_and_nothing_more(endpoint):
    listed = VIEWSETS[endpoint]().get_queryset().order_by().values("pk")
    public = listed.model.objects.public().order_by().values("pk")
    # The same conditions and joins: the list asks nothing of any related record.
    assert str(listed.query) == str(public.query)


@pytest.mark.parametrize("endpoint", COUNTED_BY_STATUS)
def test_counting_by_status_finds_as_many_as_counting_the_public_records(db, client, endpoint):
    for status in (Status.PUBLISHED, Status.DRAFT, Status.PUBLISHED, Status.IN_REVIEW):
        MAKERS[endpoint](status=status)
    model = MAKERS[endpoint](status=Status.RETRACTED)._meta.model
    assert count_published(model) == model.objects.public().count() == 2
    assert client.get(api(endpoint)).json()["count"] == 2


def test_a_filtered_list_is_counted_over_its_records(db, client):
    speaker = make_actor()
    make_statement(speaker=speaker)
    make_statement()
    make_statement(speaker=speaker, status=Status.DRAFT)
    assert client.get(api("statements"), {"actor": speaker.pk}).json()["count"] == 1
    assert client.get(api("statements")).json()["count"] == 2


def test_a_page_past_the_last_is_a_json_404(db, client):
    make_actor()
    response = client.get(api("actors"), {"page": 999999})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Invalid page: past the last page."}


def test_an_empty_list_still_has_a_first_page(db, client):
    response = client.get(api("events"), {"page": 1})
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_page_size_defaults_to_fifty_and_stops_at_a_hundred(db, client):
    for _ in range(51):
        make_source()
    assert len(client.get(api("sources")).json()["results"]) == 50
    assert len(client.get(api("sources"), {"page_size": 100}).json()["results"]) == 51
    too_big = client.get(api("sources"), {"page_size": 101})
    assert too_big.status_code == 400
    assert too_big.json() == {"page_size": ["Enter a whole number from 1 to 100."]}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_nothing_can_be_changed_through_the_api(db, client, endpoint, method):
    record = MAKERS[endpoint]()
    for url in (api(endpoint), api(endpoint, record.pk)):
        response = getattr(client, method)(url, {"id": 1}, content_type="application/json")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert "detail" in response.json()
    assert type(record).objects.get(pk=record.pk).status == Status.PUBLISHED


def test_head_and_options_are_allowed(db, client):
    make_actor()
    head = client.head(api("actors"))
    assert head.status_code == 200
    assert head.content == b""
    options = client.options(api("actors"))
    assert options.status_code == 200
    assert options.json()["name"] == "Actor List"


def test_api_answers_touch_no_session_and_set_no_cookie(db, client):
    make_actor()
    response = client.get(api("actors"))
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/api/v1/nothing-here/", "Not found."),
        ("/api/v1/talks/abc/", "Not found."),
        ("/api/v1/talks/-1/", "Not found."),
        ("/api/v1/statements/1/extra/", "Not found."),
        ("/api/v1/talks/99999999999999999999999999/", "No public record with that id."),
    ],
)
def test_unknown_addresses_under_the_api_are_json_404s(db, client, path, detail):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": detail}


def test_the_api_root_lists_every_endpoint(db, client):
    root = client.get("/api/v1/").json()
    assert sorted(root) == sorted(ENDPOINTS)
    assert root["talks"] == "http://testserver/api/v1/talks/"


def test_citations_list_the_oldest_source_first_and_undated_sources_last(db, client):
    statement = make_statement()
    cite(statement, make_source(outlet="Undated wire", published_on=None))
    cite(statement, make_source(outlet="March paper", published_on=datetime.date(2024, 3, 1)))
    cite(statement, make_source(outlet="January paper", published_on=datetime.date(2024, 1, 9)))
    for url in (api("statements", statement.pk), api("statements")):
        body = client.get(url).json()
        record = body if "citations" in body else body["results"][0]
        outlets = [citation["outlet"] for citation in record["citations"]]
        assert outlets == ["January paper", "March paper", "Undated wire"]


def test_relationships_paged_subject_by_subject_are_the_list_in_its_order(db, client):
    # Two subjects share a name: each one's links stay together, in the order of their ids.
    subjects = [make_actor(name=name) for name in ("Zeta", "Alpha", "Mu", "Alpha")]
    subjects.append(make_actor(name="Beta", status=Status.DRAFT))
    objects = [make_actor(name=name) for name in ("Omega", "Delta")]
    for n, subject in enumerate(subjects):
        for kind in ("backed_by", "hostile_to")[: 1 + n % 2]:
            for other in objects:
                make_relationship(subject, other, kind=kind)
    make_relationship(subjects[0], objects[0], status=Status.DRAFT)
    listed = list(views.RelationshipViewSet().get_queryset().values_list("pk", flat=True))
    assert len(listed) == 2 * (1 + 2 + 1 + 2)
    for size in range(1, 8):
        assert every_page(client, "relationships", size, len(listed)) == listed
