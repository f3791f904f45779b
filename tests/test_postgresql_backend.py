"""Parley's PostgreSQL backend: Django's own, with prepared queries prepared on the server.

The suite runs on SQLite unless DATABASE_URL names PostgreSQL (CI runs both); on
SQLite these tests check that prepared queries go through Django's cursors instead.
"""

import datetime
import time

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    make_actor,
    make_event,
    make_milestone,
    make_negotiation,
    make_position,
    make_statement,
    make_topic,
)
from tests.test_settings import backend_in, production_env
from tracker.models import Statement, Status
from tracker.postgresql.base import _readable
from tracker.prepared import PreparedSQL, prepared, sent_together


def test_settings_select_parleys_backend_for_a_postgresql_database(tmp_path):
    env = production_env(tmp_path, DATABASE_URL="postgres://parley@db.example/parley")
    assert backend_in(env) == ["tracker.postgresql", "postgresql"]


def _server_statements() -> list[str]:
    """The texts of the statements prepared on this connection's server session."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [text for (text,) in cursor.fetchall()]


def _said_by(speaker_id: int):
    return Statement.objects.public().filter(speaker=speaker_id).order_by("id")


@pytest.mark.django_db
def test_a_prepared_query_is_prepared_on_the_server_once_whatever_its_numbers():
    said_by = prepared(_said_by)
    planned = prepared(_said_by, plan_per_call=True)
    actors = [make_actor(), make_actor()]
    for actor in actors:
        make_statement(speaker=actor)
    # Numbers past 32,767 and 2,147,483,647 are other integer types to psycopg; as
    # bigints they run the same statement.
    ids = [actor.pk for actor in actors] + [40_000, 3_000_000_000]
    with CaptureQueriesContext(connection) as queries:
        for pk in ids:
            assert [s.speaker_id for s in said_by(pk)] == ([pk] if pk < 40_000 else [])
            assert [s.speaker_id for s in planned(pk)] == ([pk] if pk < 40_000 else [])
    assert len(queries) == 2 * len(ids)  # counted as Django counts its own
    by_speaker = [text for text in _server_statements() if '"speaker_id" = $' in text]
    if connection.vendor == "postgresql":
        assert len(by_speaker) == 1  # once, its number a bigint; the other never
    else:
        assert by_speaker == []


@pytest.mark.django_db
def test_a_query_planned_per_call_is_not_prepared_on_the_server():
    @prepared(plan_per_call=True)
    def said_since(day: datetime.date):
        return Statement.objects.public().filter(stated_on__gte=day).order_by("id")

    statement = make_statement(stated_on=datetime.date(2024, 3, 1))
    assert said_since(datetime.date(2024, 2, 1)) == [statement]
    assert said_since(datetime.date(2024, 4, 1)) == []
    assert not any("stated_on" in text for text in _server_statements())


def _server_plans() -> dict[str, tuple[int, int]]:
    """Each statement prepared on this connection's server session: its generic and
    custom plans so far."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE NOT from_sql"
        )
        return {text: (generic, custom) for text, generic, custom in cursor.fetchall()}


@pytest.mark.django_db
def test_a_prepared_querys_constants_are_written_into_its_text_and_its_arguments_stay_parameters():
    @prepared
    def quoting(speaker_id: int):
        # Two constants (the status and the pattern, with a percent sign) and an argument.
        return Statement.objects.public().filter(speaker=speaker_id, text__contains="50%")

    actor = make_actor()
    found = make_statement(speaker=actor, text="A rise of 50% was agreed.")
    make_statement(speaker=actor, text="A rise of 50 points was agreed.")
    make_statement(speaker=actor, text="A rise of 50% was refused.", status=Status.DRAFT)
    for _ in range(3):
        assert quoting(actor.pk) == [found]
    assert quoting(actor.pk + 1000) == []
    if connection.vendor == "postgresql":
        [(text, (generic, custom))] = [
            (text, plans) for text, plans in _server_plans().items() if "50" in text
        ]
        # The pattern as an escaped literal, its percent signs as they are.
        assert "= 'published'" in text and "LIKE  E'%50\\\\%%'" in text
        assert '"speaker_id" = $1' in text and "$2" not in text
        # Planned once, for any speaker, from the first call.
        assert (generic, custom) == (4, 0)


@pytest.mark.django_db
def test_a_prepared_query_with_many_ids_and_a_window_runs_with_postgresqls_own_placeholders():
    @prepared
    def said_by_any(speaker_ids: list[int], window: slice):
        return Statement.objects.public().filter(speaker__in=speaker_ids).order_by("id")[window]

    actors = [make_actor() for _ in range(3)]
    said = [make_statement(speaker=actor) for actor in actors for _ in range(2)]
    # A hundred ids: psycopg would read such a text for its placeholders on every run.
    ids = [actor.pk for actor in actors] + list(range(10**6, 10**6 + 97))
    assert said_by_any(ids, slice(0, 10)) == said
    assert said_by_any(ids, slice(1, 3)) == said[1:3]
    assert said_by_any(ids[1:], slice(2, 10)) == said[4:]
    if connection.vendor == "postgresql":
        texts = [text for text in _server_statements() if "speaker_id" in text]
        assert len(texts) == 2  # one per number of ids
        assert all("= 'published'" in text and "%s" not in text for text in texts)
        assert sorted(text[-22:] for text in texts) == [
            "LIMIT $100 OFFSET $101",
            "LIMIT $101 OFFSET $102",
        ]


def _end_on_the_server() -> None:
    """End this connection's session from another one, as a restart or an idle timeout
    would, and wait until the server has said so."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid]
            )
    finally:
        other.close()
    deadline = time.monotonic() + 10
    while not _readable(connection.connection.fileno()):
        assert time.monotonic() < deadline, "the server did not end the session"
        time.sleep(0.01)


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_ended_is_replaced_before_the_next_requests_first_query():
    actor = make_actor(name="Still here")
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        _end_on_the_server()
    connection.close_if_unusable_or_obsolete()  # what each request's start does
    response = Client().get(actor.get_absolute_url())
    assert response.status_code == 200
    assert "Still here" in response.text


@pytest.mark.django_db(transaction=True)
def test_the_health_check_of_a_connection_the_server_has_not_spoken_on_asks_it_nothing(
    monkeypatch,
):
    database = connections[DEFAULT_DB_ALIAS]
    asked = []
    monkeypatch.setattr(type(database), "is_usable", lambda self: asked.append(self) or True)
    database.ensure_connection()
    database.close_if_unusable_or_obsolete()
    with database.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert database.health_check_done
    # On PostgreSQL Django would have asked the server ``SELECT 1`` here.
    assert asked == ([] if database.vendor == "postgresql" else [database])


@pytest.mark.django_db
def test_sql_written_by_hand_runs_prepared_with_each_calls_arguments():
    speaker = -(2**40)  # the marker of the argument
    said = PreparedSQL(
        "SELECT id FROM tracker_statement WHERE speaker_id = %s AND status = %s ORDER BY id",
        [speaker, Status.PUBLISHED],
        [speaker],
    )
    actors = [make_actor(), make_actor(), make_actor()]
    found = [make_statement(speaker=actor) for actor in actors[:2]]
    make_statement(speaker=actors[0], status=Status.DRAFT)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(2):
            assert [said.rows(actor.pk) for actor in actors] == [[(s.pk,)] for s in found] + [[]]
    assert len(queries) == 6
    if connection.vendor == "postgresql":
        [text] = [text for text in _server_statements() if "FROM tracker_statement" in text]
        assert "WHERE speaker_id = $1 AND status = 'published' ORDER BY id" in text


def _noting_what_is_sent(sent: list):
    """An execute wrapper appending, for each query, whether it went to the server without
    waiting for its answer (in a pipeline: no result yet when ``execute`` returns)."""

    def note(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        sent.append(connection.vendor == "postgresql" and context["cursor"].cursor.pgresult is None)
        return result

    return note


def _matching(pattern: str):
    return Statement.objects.filter(text__regex=pattern).order_by("id")


@pytest.mark.django_db
def test_queries_begun_together_give_what_each_gives_alone_and_are_sent_together():
    said_by = prepared(_said_by)
    actors = [make_actor(), make_actor()]
    said = {actor.pk: [make_statement(speaker=actor).pk] for actor in actors}
    sent = []
    with connection.execute_wrapper(_noting_what_is_sent(sent)), sent_together():
        records = [said_by.later(actor.pk) for actor in actors]
        ids = prepared(lambda pk: _said_by(pk).values_list("id")).rows_later(actors[0].pk)
    assert [[s.pk for s in read()] for read in records] == list(said.values())
    assert ids() == [(said[actors[0].pk][0],)]
    assert [[s.pk for s in read()] for read in records] == list(said.values())  # read again
    # On PostgreSQL the three went to the server without waiting for each answer; elsewhere
    # each ran when begun.
    assert sent == [connection.vendor == "postgresql"] * 3
    assert not getattr(connection, "sending_together", False)


@pytest.mark.django_db
def test_a_query_that_fails_among_those_sent_together_raises_djangos_error_and_changes_nothing():
    matching = prepared(_matching)
    statement = make_statement(text="Talks resume in Baghdad")
    with pytest.raises(DatabaseError), transaction.atomic(), sent_together():
        matching.later("(unclosed")()
    assert not getattr(connection, "sending_together", False)
    assert [s.pk for s in matching("Baghdad")] == [statement.pk]


@pytest.mark.django_db(transaction=True)
def test_after_a_query_sent_together_fails_outside_a_transaction_the_next_request_is_served():
    # As in production: autocommit, no transaction around the request.
    matching = prepared(_matching)
    statement = make_statement(text="Talks resume in Baghdad")
    with pytest.raises(DatabaseError), sent_together():
        matching.later("Baghdad")
        matching.later("(unclosed")
    if connection.vendor == "postgresql":
        assert connection.connection.pgconn.pipeline_status == psycopg.pq.PipelineStatus.OFF
    assert not getattr(connection, "sending_together", False)
    assert [s.pk for s in matching("Baghdad")] == [statement.pk]
    client = Client()
    assert client.get(statement.get_absolute_url()).status_code == 200


# For each page: how many of its queries go one by one (the publication stamp, the
# record), then how many go together, in one or two pipelines, on PostgreSQL.
SENT_TOGETHER = {
    # participants, topics, key figures, positions, the timeline's three kinds; then the
    # positions' evidence, the citations and the corrections
    "talks": (2, 10),
    "talks ?as_of": (2, 10),
    "talks ?compare": (2, 10),
    # positions; statements, planned per call; then evidence, citations, corrections
    "topic": (4, 3),
    # relationships, participations, positions, statements, events; then evidence,
    # citations, corrections
    "actor": (2, 8),
    # the talks, their parties, the latest statements, upcoming and recent milestones;
    # then the statements' citations, alone
    "home": (1, 5, 1),
    # the entries counted, their days; then the milestones and the events and statements
    # of those days; then their citations, alone
    "timeline": (4, 3, 1),
    # the talks, their newest entries; then the statements, events and milestones
    "feed": (3, 3),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", SENT_TOGETHER)
def test_a_page_sends_what_needs_only_its_record_together_then_what_needs_that(page):
    negotiation = make_negotiation()
    topic = make_topic(negotiation)
    actor = make_actor()
    make_position(actor, topic, [make_statement(negotiation=negotiation, speaker=actor)])
    make_event(negotiation=negotiation)
    make_milestone(negotiation)
    url = {
        "talks": negotiation.get_absolute_url(),
        "talks ?as_of": negotiation.get_absolute_url() + "?as_of=2024-06-01",
        "talks ?compare": negotiation.get_absolute_url() + "?compare=2024-01-01&to=2024-06-01",
        "topic": topic.get_absolute_url(),
        "actor": actor.get_absolute_url(),
        "home": "/",
        "timeline": negotiation.get_absolute_url() + "timeline/",
        "feed": negotiation.get_absolute_url() + "feed/",
    }[page]
    client = Client()
    client.get(url)
    sent = []
    with connection.execute_wrapper(_noting_what_is_sent(sent)):
        assert client.get(url).status_code == 200
    together = connection.vendor == "postgresql"
    expected = []
    for n, count in enumerate(SENT_TOGETHER[page]):
        expected += [together and n % 2 == 1] * count
    assert sent == expected
