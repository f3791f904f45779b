"""The API's filters, ?as_of= on positions, and 400s that name the bad parameter."""

import datetime

import pytest

from tests.factories import (
    make_actor,
    make_event,
    make_event_role,
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
from tracker.models import Status

FEB = datetime.date(2024, 2, 1)


def day(n: int) -> datetime.date:
    """The n-th of February 2024."""
    return FEB.replace(day=n)


def listed(client, endpoint: str, **params) -> list[int]:
    response = client.get(f"/api/v1/{endpoint}/", params)
    assert response.status_code == 200, response.content
    return [record["id"] for record in response.json()["results"]]


def test_statements_filter_by_talks_actor_topic_and_event(db, client):
    talks, other_talks = make_negotiation(), make_negotiation()
    speaker = make_actor()
    topic = make_topic(talks)
    event = make_event()
    match = make_statement(negotiation=talks, speaker=speaker, event=event)
    match.topics.set([topic])
    make_statement(negotiation=other_talks, speaker=make_actor())
    assert listed(client, "statements", talks=talks.pk) == [match.pk]
    assert listed(client, "statements", actor=speaker.pk) == [match.pk]
    assert listed(client, "statements", topic=topic.pk) == [match.pk]
    assert listed(client, "statements", event=event.pk) == [match.pk]
    assert listed(client, "statements", talks=talks.pk, actor=speaker.pk) == [match.pk]
    assert listed(client, "statements", talks=other_talks.pk, actor=speaker.pk) == []


def test_filtering_by_an_unpublished_record_matches_nothing(db, client):
    hidden_speaker = make_actor(status=Status.DRAFT)
    hidden_talks = make_negotiation(status=Status.IN_REVIEW)
    hidden_topic = make_topic(make_negotiation(status=Status.DRAFT))
    statement = make_statement(speaker=hidden_speaker, negotiation=hidden_talks)
    statement.topics.set([hidden_topic])
    assert listed(client, "statements") == [statement.pk]
    assert listed(client, "statements", actor=hidden_speaker.pk) == []
    assert listed(client, "statements", talks=hidden_talks.pk) == []
    assert listed(client, "statements", topic=hidden_topic.pk) == []


def test_statements_filter_by_verification_attribution_kind_and_date_range(db, client):
    confirmed = make_statement(verification="confirmed", stated_on=day(2))
    anonymous = make_statement(attribution_kind="anonymous", stated_on=day(7))
    late = make_statement(stated_on=day(20))
    assert listed(client, "statements", verification="confirmed") == [confirmed.pk]
    assert listed(client, "statements", attribution_kind="anonymous") == [anonymous.pk]
    assert listed(client, "statements", date_from="2024-02-07") == [late.pk, anonymous.pk]
    assert listed(client, "statements", date_to="2024-02-07") == [anonymous.pk, confirmed.pk]
    assert listed(client, "statements", date_from="2024-02-03", date_to="2024-02-19") == [
        anonymous.pk
    ]


def test_search_finds_every_word_in_any_searched_field(db, client):
    quote = make_statement(text="No indications of collateral damage", attribution="CENTCOM")
    make_statement(text="Collateral is mentioned here alone")
    assert listed(client, "statements", search="collateral DAMAGE") == [quote.pk]
    assert listed(client, "statements", search="centcom collateral") == [quote.pk]
    assert listed(client, "statements", search="  ") == listed(client, "statements")
    assert listed(client, "statements", search="absent\x00") == []


def test_actors_filter_by_talks_kind_country_and_alias(db, client):
    talks = make_negotiation()
    iraq = make_actor(kind="state", country="IQ")
    kh = make_actor(kind="armed_group", name="Kata'ib Hezbollah", aliases="KH\nKataib Hezbollah")
    make_participation(talks, iraq)
    make_participation(talks, make_actor(status=Status.DRAFT))
    assert listed(client, "actors", talks=talks.pk) == [iraq.pk]
    assert listed(client, "actors", kind="armed_group") == [kh.pk]
    assert listed(client, "actors", country="IQ") == [iraq.pk]
    assert listed(client, "actors", search="kataib") == [kh.pk]


def test_talks_filter_by_actor_taking_part_state_and_start_date(db, client):
    actor = make_actor()
    joined = make_negotiation(start_on=day(1), state="paused")
    make_participation(joined, actor)
    later = make_negotiation(start_on=day(20))
    assert listed(client, "talks", actor=actor.pk) == [joined.pk]
    assert listed(client, "talks", state="paused") == [joined.pk]
    assert listed(client, "talks", date_from="2024-02-10") == [later.pk]


def test_relationships_filter_by_actor_on_either_side_and_kind(db, client):
    iran = make_actor(name="Iran")
    backed = make_relationship(make_actor(), iran, kind="backed_by")
    hostile = make_relationship(iran, make_actor(), kind="hostile_to")
    make_relationship(make_actor(), make_actor())
    assert sorted(listed(client, "relationships", actor=iran.pk)) == sorted([backed.pk, hostile.pk])
    assert listed(client, "relationships", actor=iran.pk, kind="hostile_to") == [hostile.pk]
    assert listed(client, "relationships", search="iran", kind="backed_by") == [backed.pk]


def test_topics_filter_by_talks(db, client):
    talks = make_negotiation()
    topic = make_topic(talks)
    make_topic()
    assert listed(client, "topics", talks=talks.pk) == [topic.pk]


def test_events_filter_by_actor_with_a_role_talks_kind_and_date(db, client):
    talks = make_negotiation()
    perpetrator = make_actor()
    strike = make_event(negotiation=talks, kind="strike", occurred_on=day(7))
    make_event_role(strike, perpetrator, role="perpetrator")
    make_event_role(strike, perpetrator, role="claimant")
    protest = make_event(kind="protest", occurred_on=day(9))
    assert listed(client, "events", actor=perpetrator.pk) == [strike.pk]
    assert listed(client, "events", talks=talks.pk) == [strike.pk]
    assert listed(client, "events", kind="protest") == [protest.pk]
    assert listed(client, "events", date_to="2024-02-08") == [strike.pk]


def test_milestones_filter_on_the_day_held_or_else_planned(db, client):
    held = make_milestone(planned_on=day(1), held_on=day(15), state="held")
    planned = make_milestone(planned_on=day(10))
    assert listed(client, "milestones", date_from="2024-02-12") == [held.pk]
    assert listed(client, "milestones", date_to="2024-02-12") == [planned.pk]
    assert listed(client, "milestones", state="held") == [held.pk]


def test_sources_filter_by_outlet_kind_and_publication_date(db, client):
    npr = make_source(outlet="NPR", published_on=day(8))
    post = make_source(kind="social_media_post", published_on=day(1))
    assert listed(client, "sources", outlet="NPR") == [npr.pk]
    assert listed(client, "sources", kind="social_media_post") == [post.pk]
    assert listed(client, "sources", date_from="2024-02-05") == [npr.pk]
    assert listed(client, "sources", search="npr") == [npr.pk]


class TestPositionsAsOf:
    """Each actor's position on each topic as it stood on a given day."""

    @pytest.fixture
    def history(self, db):
        actor, topic = make_actor(), make_topic()
        return {
            "early": make_position(actor, topic, as_of=day(1), stance="supports"),
            "later": make_position(actor, topic, as_of=day(10), stance="opposes"),
            "draft": make_position(actor, topic, as_of=day(15), status=Status.DRAFT),
            "other": make_position(make_actor(), topic, as_of=day(5), stance="mixed"),
        }

    def test_without_as_of_the_whole_published_history_is_listed(self, client, history):
        expected = {history["early"].pk, history["later"].pk, history["other"].pk}
        assert set(listed(client, "positions")) == expected

    def test_as_of_a_day_gives_the_latest_position_taken_by_then(self, client, history):
        assert set(listed(client, "positions", as_of="2024-02-06")) == {
            history["early"].pk,
            history["other"].pk,
        }

    def test_a_draft_never_supersedes_a_published_position(self, client, history):
        assert set(listed(client, "positions", as_of="2024-02-20")) == {
            history["later"].pk,
            history["other"].pk,
        }

    def test_before_any_position_there_is_none(self, client, history):
        assert listed(client, "positions", as_of="2024-01-31") == []

    def test_as_of_combines_with_other_filters(self, client, history):
        actor = history["early"].actor
        assert listed(client, "positions", as_of="2024-02-12", actor=actor.pk) == [
            history["later"].pk
        ]
        assert listed(client, "positions", as_of="2024-02-12", stance="supports") == []


def test_positions_filter_by_talks_topic_and_stance(db, client):
    topic = make_topic()
    match = make_position(topic=topic, stance="leans_oppose")
    make_position(stance="supports")
    assert listed(client, "positions", talks=topic.negotiation_id) == [match.pk]
    assert listed(client, "positions", topic=topic.pk) == [match.pk]
    assert listed(client, "positions", stance="leans_oppose") == [match.pk]


@pytest.mark.parametrize(
    ("endpoint", "parameter", "value"),
    [
        ("positions", "as_of", "2024-02-30"),
        ("positions", "as_of", "yesterday"),
        ("positions", "as_of", ""),
        ("positions", "as_of", "08/02/2024"),
        ("statements", "date_from", "2024-13-01"),
        ("statements", "date_to", "2024-2-1"),
        ("events", "date_from", "0000-01-01"),
        ("milestones", "date_to", "2024-02-08T00:00"),
        ("statements", "actor", "abc"),
        ("statements", "actor", "0"),
        ("statements", "talks", "-1"),
        ("statements", "topic", "1.5"),
        ("positions", "actor", "99999999999999999999"),
        ("statements", "verification", "maybe"),
        ("statements", "attribution_kind", ""),
        ("statements", "kind", "DEMAND"),
        ("actors", "kind", "country"),
        ("talks", "state", "over"),
        ("sources", "page", "abc"),
        ("sources", "page", "0"),
        ("sources", "page_size", "-5"),
        ("sources", "page_size", "many"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(db, client, endpoint, parameter, value):
    response = client.get(f"/api/v1/{endpoint}/", {parameter: value})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == [parameter]
    assert all(isinstance(message, str) and message for message in body[parameter])


def test_every_bad_parameter_is_named_at_once(db, client):
    response = client.get(
        "/api/v1/statements/", {"date_from": "soon", "verification": "maybe", "actor": "x"}
    )
    assert response.status_code == 400
    assert sorted(response.json()) == ["actor", "date_from", "verification"]


def test_unknown_parameters_are_ignored(db, client):
    statement = make_statement()
    assert listed(client, "statements", colour="blue", ordering="-id") == [statement.pk]


def test_details_ignore_list_filters(db, client):
    statement = make_statement(verification="confirmed")
    response = client.get(f"/api/v1/statements/{statement.pk}/", {"verification": "disputed"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "viewset",
    [
        views.TalksViewSet,
        views.ActorViewSet,
        views.RelationshipViewSet,
        views.TopicViewSet,
        views.PositionViewSet,
        views.StatementViewSet,
        views.EventViewSet,
        views.MilestoneViewSet,
        views.SourceViewSet,
    ],
)
def test_a_list_asked_for_no_filter_is_what_its_filters_would_pass_through(db, viewset):
    # The lists skip their FilterSet when no filter parameter is given; this holds them to it.
    queryset = viewset().get_queryset()
    filterset = viewset.filterset_class(data={}, queryset=queryset)
    assert filterset.is_valid()
    assert str(filterset.qs.query) == str(queryset.query)
