"""generate_data: a large, realistic dataset that is the same every time it is asked for."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import make_statement
from tracker import generate, search
from tracker.dates import Precision, period_start
from tracker.models import (
    Actor,
    Citation,
    Event,
    KeyFigure,
    Milestone,
    Negotiation,
    Position,
    Relationship,
    SearchDocument,
    SearchTerms,
    Source,
    Statement,
    Status,
    Topic,
)

SMALL = 600
DATED = [
    (Statement, "stated_on"),
    (Source, "published_on"),
    (Event, "occurred_on"),
    (Negotiation, "start_on"),
    (Negotiation, "end_on"),
    (Milestone, "planned_on"),
    (Milestone, "held_on"),
    (KeyFigure, "as_of"),
    (Position, "as_of"),
    (Relationship, "start_on"),
    (Relationship, "end_on"),
]


def quiet(line: str) -> None:
    pass


def snapshot() -> dict:
    models = [Actor, Negotiation, Topic, Source, Event, Statement, Position, Milestone, Citation]
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    rows["topics"] = list(Statement.topics.through.objects.values_list("statement", "topic"))
    rows["evidence"] = list(Position.evidence.through.objects.values_list("position", "statement"))
    return rows


def index_rows() -> set:
    documents = SearchDocument.objects.prefetch_related("negotiations")
    # On PostgreSQL, what a search matches and ranks by (none on SQLite).
    terms = {
        (t.kind, t.document.object_id): (t.kind, t.date_start, t.date_end, t.vector)
        for t in SearchTerms.objects.select_related("document")
    }
    return {
        (
            d.kind,
            d.object_id,
            d.title,
            d.body,
            d.detail,
            d.url,
            d.date_label,
            d.date_start,
            d.date_end,
            tuple(sorted(n.pk for n in d.negotiations.all())),
            terms.get((d.kind, d.object_id)),
        )
        for d in documents
    }


@pytest.fixture
def generated(db):
    generate.generate(SMALL, seed=3, log=quiet)


def test_the_same_arguments_give_the_same_rows(db):
    generate.generate(SMALL, seed=5, log=quiet)
    first = snapshot()
    generate.flush()
    assert not Statement.objects.exists()
    generate.generate(SMALL, seed=5, log=quiet)
    assert snapshot() == first
    generate.flush()
    generate.generate(SMALL, seed=6, log=quiet)
    assert snapshot()["Statement"] != first["Statement"]


def test_every_kind_of_record_is_generated_in_proportion(generated):
    plan = generate.Plan.for_statements(SMALL)
    assert Statement.objects.count() == SMALL
    assert Negotiation.objects.count() == plan.talks
    assert Actor.objects.count() == plan.actors
    assert Topic.objects.count() == plan.talks * plan.topics_per_talks
    assert Event.objects.count() == plan.events
    assert Source.objects.count() == plan.sources
    assert Milestone.objects.count() == plan.talks * plan.milestones_per_talks
    assert Relationship.objects.count() == plan.relationships
    assert Position.objects.count() > plan.talks * plan.topics_per_talks
    assert SMALL < Citation.objects.count() < 2 * SMALL
    assert Statement.topics.through.objects.count() > SMALL / 2
    assert Statement.objects.filter(event__isnull=False).exists()
    for related in ("participations", "key_figures", "milestones", "topics"):
        assert not Negotiation.objects.filter(**{f"{related}__isnull": True}).exists(), related


def test_two_hundred_thousand_statements_give_the_documented_counts():
    plan = generate.Plan.for_statements(200_000)
    assert (plan.talks, plan.actors, plan.talks * plan.topics_per_talks) == (50, 2000, 500)


def test_most_records_are_published_and_a_realistic_share_are_not(generated):
    statements = Statement.objects.count()
    published = Statement.objects.public().count()
    assert 0.9 * statements < published < 0.99 * statements
    assert Statement.objects.filter(status=Status.DRAFT).exists()
    assert Statement.objects.filter(status=Status.IN_REVIEW).exists()
    assert Source.objects.exclude(status=Status.PUBLISHED).exists()
    assert Position.objects.exclude(status=Status.PUBLISHED).exists()


def test_every_date_is_stored_at_the_start_of_its_period(generated):
    for model, name in DATED:
        rows = model.objects.exclude(**{f"{name}__isnull": True}).values_list(
            name, f"{name}_precision", f"{name}_part_of_day"
        )
        assert rows, (model, name)
        for value, precision, part in rows:
            assert value == period_start(value, precision), (model, name, value, precision)
            assert not part or precision == Precision.DAY
    precisions = set(Statement.objects.values_list("stated_on_precision", flat=True))
    assert {Precision.DAY, Precision.MONTH} <= precisions


def test_published_positions_rest_on_evidence(generated):
    assert not Position.objects.public().filter(evidence__isnull=True).exists()


def test_the_search_index_is_what_a_rebuild_would_write(generated):
    written = index_rows()
    assert len(written) > SMALL
    # On PostgreSQL every document has the terms a search finds it by; on SQLite, none.
    with_terms = {row for row in written if row[-1] is not None}
    assert with_terms == (written if connection.vendor == "postgresql" else set())
    search.rebuild()
    assert index_rows() == written


def planner_row_count(table: str) -> int | None:
    """How many rows the query planner's statistics say ``table`` holds (None: no statistics)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone():
                return None
            cursor.execute(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = %s AND idx IS NOT NULL", [table]
            )
            row = cursor.fetchone()
            return int(row[0].split()[0]) if row else None
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        (rows,) = cursor.fetchone()
        return None if rows < 0 else int(rows)


def test_generation_leaves_the_query_planner_statistics_current(generated):
    # Without them SQLite read every statement to build one event page at scale.
    assert planner_row_count("tracker_statement") == Statement.objects.count()
    assert planner_row_count("tracker_actor") == Actor.objects.count()


def test_generated_records_have_no_history_rows(generated):
    assert not Statement.history.exists()
    assert not Actor.history.exists()


def test_generated_pages_answer(client, generated):
    statement = Statement.objects.public().first()
    assert client.get(statement.get_absolute_url()).status_code == 200
    talks = Negotiation.objects.public().first()
    assert client.get(talks.get_absolute_url()).status_code == 200
    found = client.get("/search/", {"q": statement.text.split()[3]})
    assert found.status_code == 200


def test_the_command_leaves_existing_records_alone_unless_told_to_flush(db):
    make_statement(text="An editor's record.")
    with pytest.raises(CommandError, match="--flush"):
        call_command("generate_data", statements=50, verbosity=0)
    assert Statement.objects.get().text == "An editor's record."
    call_command("generate_data", statements=50, flush=True, verbosity=0)
    assert Statement.objects.count() == 50
    assert not Statement.objects.filter(text="An editor's record.").exists()
