"""The backup: ``export_data`` writes everything, ``import_data`` reads it back losslessly."""

import datetime
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    cite,
    make_actor,
    make_correction,
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
from tracker.exports import BACKUP_MODELS
from tracker.models import Actor, Citation, Position, Statement, Status

pytestmark = pytest.mark.django_db


def build_everything():
    """A little of every table, in every status, with links, citations and corrections."""
    talks = make_negotiation(summary="Iraq and the US on the coalition's future.")
    draft_talks = make_negotiation(status=Status.DRAFT)
    iraq = make_actor(name="Iraq", native_name="العراق", native_language="ar", country="IQ")
    kh = make_actor(
        name="Kata'ib Hezbollah",
        kind=Actor.Kind.ARMED_GROUP,
        aliases="Kataib Hezbollah\nKH",
        status=Status.IN_REVIEW,
    )
    iran = make_actor(name="Iran", wikidata_id="Q794")
    relationship = make_relationship(
        kh, iran, start_on=datetime.date(2024, 1, 1), start_on_precision="month"
    )
    make_participation(talks, iraq, role="party", note="Host")
    make_participation(draft_talks, kh, role="stakeholder")
    make_key_figure(talks, value=Decimal("2500.50"))
    topic = make_topic(talks, title="Troops")
    other_topic = make_topic(talks, status=Status.DRAFT)
    event = make_event(
        negotiation=talks,
        latitude=Decimal("33.31234"),
        longitude=Decimal("-44.36100"),
        occurred_on_part_of_day="night",
    )
    make_event_role(event, kh)
    statement = make_statement(
        negotiation=talks,
        speaker=iraq,
        event=event,
        text='=HYPERLINK("x")',
        status=Status.RETRACTED,
    )
    statement.topics.set([other_topic, topic])
    quiet = make_statement(status=Status.DRAFT, stated_on_precision="week")
    position = make_position(iraq, topic, evidence=[quiet, statement])
    milestone = make_milestone(talks, held_on=datetime.date(2024, 2, 10), state="held")
    milestone.statements.set([statement])
    milestone.events.set([event])
    source = make_source(status=Status.PUBLISHED)
    make_source(status=Status.DRAFT)
    cite(statement, source, locator="paragraph 3")
    cite(position, source)
    cite(relationship, source)
    make_correction(statement, kind="retraction")
    make_correction(iraq, status=Status.DRAFT)
    return talks


def flush_parley():
    """Empty every table of Parley's data, children first."""
    for model in reversed(BACKUP_MODELS):
        model._base_manager.all().delete()


def export_text(tmp_path, name="export.json"):
    path = tmp_path / name
    call_command("export_data", output=str(path), verbosity=0)
    return path.read_bytes()


def test_every_table_of_parleys_data_is_in_the_backup():
    ours = {
        model
        for model in apps.get_app_config("tracker").get_models()
        # simple_history's audit tables, the links' (evidence, topics…) too
        if not hasattr(model, "instance_type")
        and not model._meta.model_name.startswith("historical")
        # Derived state, not data: the search index (rebuilt after an import) and
        # the publication stamp (bumped by the import's own saves).
        and model._meta.model_name not in {"searchdocument", "searchterms", "publicationstamp"}
    }
    assert ours == set(BACKUP_MODELS)


def test_the_export_holds_every_status_link_and_citation_with_primary_keys(tmp_path):
    build_everything()
    document = json.loads(export_text(tmp_path))
    tables = document["tables"]
    assert document["format"] == "parley-export"
    statuses = {row["fields"]["status"] for row in tables["tracker.statement"]}
    assert statuses == {"retracted", "draft"}
    assert {row["fields"]["status"] for row in tables["tracker.negotiation"]} == {
        "published",
        "draft",
    }
    assert len(tables["tracker.participation"]) == 2
    assert len(tables["tracker.eventrole"]) == 1
    assert len(tables["tracker.citation"]) == 3
    assert len(tables["tracker.correction"]) == 2
    statement = next(r for r in tables["tracker.statement"] if r["fields"]["status"] == "retracted")
    assert statement["pk"] == Statement.objects.get(status="retracted").pk
    assert statement["fields"]["topics"] == sorted(statement["fields"]["topics"])
    assert len(statement["fields"]["topics"]) == 2
    citation = tables["tracker.citation"][0]
    assert citation["fields"]["content_type"][0] == "tracker"
    assert tables["tracker.keyfigure"][0]["fields"]["value"] == "2500.50"


def test_export_then_import_into_an_empty_database_then_export_again_is_byte_identical(
    tmp_path,
):
    build_everything()
    # Timestamps in the past, with microseconds, must survive auto_now.
    Statement.objects.update(
        updated_at=datetime.datetime(2024, 2, 9, 10, 11, 12, 345678, tzinfo=datetime.UTC),
        version=7,
    )
    first = export_text(tmp_path, "first.json")
    flush_parley()
    assert not Statement.objects.exists()

    call_command("import_data", str(tmp_path / "first.json"), verbosity=0)

    second = export_text(tmp_path, "second.json")
    assert first == second
    assert Statement.objects.get(status="retracted").version == 7
    assert Position.objects.get().evidence.count() == 2


def test_the_seed_round_trips_byte_for_byte(seed, tmp_path):
    first = export_text(tmp_path, "first.json")
    flush_parley()
    call_command("import_data", str(tmp_path / "first.json"), verbosity=0)
    assert export_text(tmp_path, "second.json") == first


def test_two_exports_of_the_same_data_are_identical(tmp_path):
    build_everything()
    assert export_text(tmp_path, "a.json") == export_text(tmp_path, "b.json")


def test_new_records_after_an_import_get_fresh_ids(tmp_path):
    build_everything()
    export_text(tmp_path)
    highest = max(Statement.objects.values_list("pk", flat=True))
    flush_parley()
    call_command("import_data", str(tmp_path / "export.json"), verbosity=0)
    assert make_statement().pk > highest


def test_import_refuses_a_database_that_already_holds_data_unless_merging(tmp_path):
    build_everything()
    export_text(tmp_path)
    statements = Statement.objects.count()
    with pytest.raises(CommandError, match="already holds Parley data"):
        call_command("import_data", str(tmp_path / "export.json"), verbosity=0)
    call_command("import_data", str(tmp_path / "export.json"), merge=True, verbosity=0)
    assert Statement.objects.count() == statements


def test_a_broken_file_changes_nothing(tmp_path):
    build_everything()
    document = json.loads(export_text(tmp_path))
    flush_parley()
    # The last citation points at a source that does not exist.
    document["tables"]["tracker.citation"][-1]["fields"]["source"] = 999999
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_data", str(path), verbosity=0)
    assert not Statement.objects.exists()
    assert not Citation.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"format": "something-else"}', "not a Parley export"),
        (b'{"format": "parley-export", "version": 99, "tables": {}}', "version 99"),
        (b'{"format": "parley-export", "version": 1, "tables": {"auth.user": []}}', "unknown"),
        (b'{"format": "parley-export", "version": 1, "tables": {"tracker.actor": [1]}}', "pk"),
        ("é".encode("latin-1"), "not UTF-8"),
    ],
)
def test_import_explains_what_is_wrong_with_a_bad_file(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_data", str(path), verbosity=0)


def test_import_of_a_missing_file_says_so(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_data", str(tmp_path / "nowhere.json"))


def test_the_export_needs_a_fixed_number_of_queries_per_table(tmp_path):
    build_everything()
    with CaptureQueriesContext(connection) as few:
        export_text(tmp_path, "few.json")
    for _ in range(5):
        build_everything()
    with CaptureQueriesContext(connection) as many:
        export_text(tmp_path, "many.json")
    assert len(many) == len(few)


@pytest.mark.parametrize("command", ["export_data", "import_data"])
def test_both_commands_explain_every_argument(command, capsys):
    with pytest.raises(SystemExit):
        call_command(command, "--help")
    text = capsys.readouterr().out
    assert "every" in text.lower()
    assert "--output" in text if command == "export_data" else "--merge" in text
