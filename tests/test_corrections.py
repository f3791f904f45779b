"""Corrections in public, retractions that keep their URL, and records on file never deleted."""

import pytest
from django.urls import reverse

from tests.admin_forms import change_url, messages_of, run_action
from tests.factories import (
    cite,
    make_actor,
    make_correction,
    make_event,
    make_key_figure,
    make_milestone,
    make_negotiation,
    make_position,
    make_relationship,
    make_source,
    make_statement,
    make_topic,
)
from tracker import publishing
from tracker.models import Actor, Correction, Negotiation, Source, Statement, Status, Topic
from tracker.models.base import RecordOnFileError

pytestmark = pytest.mark.django_db


# Corrections on pages, in the log and the feed ----------------------------------


def test_a_published_correction_appears_on_its_records_page_at_its_anchor(client):
    statement = make_statement()
    correction = make_correction(statement, text="An earlier version gave the wrong day.")
    response = client.get(statement.get_absolute_url())
    assert response.status_code == 200
    assert f'id="correction-{correction.pk}"' in response.text
    assert "An earlier version gave the wrong day." in response.text
    assert correction.get_absolute_url() == (
        f"{statement.get_absolute_url()}#correction-{correction.pk}"
    )


@pytest.mark.parametrize(
    "maker",
    [
        make_actor,
        make_event,
        make_negotiation,
        make_source,
        make_topic,
        make_milestone,
        make_position,
        make_relationship,
        make_key_figure,
    ],
)
def test_corrections_appear_on_every_kind_of_page(client, maker):
    """Records without a page of their own show theirs on the page they live on."""
    record = maker()
    correction = make_correction(record, text="Corrected on every kind of page.")
    response = client.get(correction.get_absolute_url())
    assert response.status_code == 200
    assert f'id="correction-{correction.pk}"' in response.text
    assert "Corrected on every kind of page." in response.text


def test_a_draft_correction_appears_nowhere(client):
    statement = make_statement()
    make_correction(statement, text="Draft correction words", status=Status.DRAFT)
    for url in [statement.get_absolute_url(), "/changes/", "/feeds/changes/"]:
        assert "Draft correction words" not in client.get(url).text, url


def test_the_changes_log_and_its_feed_list_the_correction_with_a_link(client):
    statement = make_statement()
    correction = make_correction(statement, text="The quote was shortened.")
    anchor = f"{statement.get_absolute_url()}#correction-{correction.pk}"
    log = client.get("/changes/")
    assert log.status_code == 200
    assert "The quote was shortened." in log.text
    assert f'href="{anchor}"' in log.text
    feed = client.get("/feeds/changes/")
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "The quote was shortened." in feed.text
    assert anchor in feed.text


# Retracting keeps the URL, which answers 410 with the note -----------------------


def test_retracting_makes_the_url_answer_410_with_the_correction_note(client, publisher):
    statement = make_statement(text="A claim later withdrawn")
    url = statement.get_absolute_url()
    assert client.get(url).status_code == 200
    correction = publishing.retract(
        statement, publisher, "The source withdrew the report this quote came from."
    )
    response = client.get(url)
    assert response.status_code == 410
    assert "The source withdrew the report this quote came from." in response.text
    assert f'id="correction-{correction.pk}"' in response.text
    assert correction.kind == Correction.Kind.RETRACTION
    assert correction.status == Status.PUBLISHED
    log = client.get("/changes/")
    assert "The source withdrew the report this quote came from." in log.text
    assert "Retracted" in log.text


def test_a_publisher_retracts_from_the_admin_with_a_note(publisher_client, client):
    event = make_event()
    cite(event)
    url = reverse("admin:tracker_event_retract", args=[event.pk])
    form = publisher_client.get(url)
    assert form.status_code == 200
    assert "410 Gone" in form.text
    refused = publisher_client.post(url, {"kind": "retraction", "note": "   "})
    assert refused.status_code == 200  # the page again, asking for the note
    assert event.__class__.objects.get(pk=event.pk).status == Status.PUBLISHED
    done = publisher_client.post(url, {"kind": "retraction", "note": "No such strike happened."})
    assert done.status_code == 302
    assert done["Location"] == change_url(event)
    gone = client.get(event.get_absolute_url())
    assert gone.status_code == 410
    assert "No such strike happened." in gone.text


def test_the_retract_action_asks_for_the_note_then_retracts_each(publisher_client):
    statements = [make_statement() for _ in range(2)]
    asked = run_action(publisher_client, Statement, "retract_selected", statements)
    assert asked.status_code == 200
    assert "correction note" in asked.text
    assert {s.status for s in Statement.objects.all()} == {Status.PUBLISHED}
    done = run_action(
        publisher_client,
        Statement,
        "retract_selected",
        statements,
        confirm_retract="yes",
        kind="retraction",
        note="Both quotes were misattributed.",
    )
    assert done.status_code == 302
    assert "2 statements retracted." in messages_of(done)
    assert {s.status for s in Statement.objects.all()} == {Status.RETRACTED}
    assert Correction.objects.public().count() == 2


def test_a_draft_cannot_be_retracted(publisher):
    draft = make_statement(status=Status.DRAFT)
    with pytest.raises(publishing.WorkflowError, match="it is draft, not published"):
        publishing.retract(draft, publisher, "note")


# Records on file are never deleted ------------------------------------------------


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.RETRACTED])
def test_a_record_on_file_cannot_be_deleted_through_the_orm(status):
    statement = make_statement(status=status)
    with pytest.raises(RecordOnFileError):
        statement.delete()
    with pytest.raises(RecordOnFileError):
        Statement.objects.filter(pk=statement.pk).delete()
    with pytest.raises(RecordOnFileError):
        Statement.objects.all().delete()
    assert Statement.objects.filter(pk=statement.pk).exists()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW])
def test_drafts_and_records_in_review_may_be_deleted(status):
    make_statement(status=status).delete()
    make_statement(status=status)
    Statement.objects.all().delete()
    assert not Statement.objects.exists()


def test_deleting_a_draft_cannot_take_a_published_record_with_it():
    talks = make_negotiation(status=Status.DRAFT)
    topic = make_topic(negotiation=talks)  # published, though its talks are not
    with pytest.raises(RecordOnFileError) as refusal:
        talks.delete()
    assert refusal.value.protected_objects == {topic}
    assert Topic.objects.filter(pk=topic.pk).exists()
    assert Negotiation.objects.filter(pk=talks.pk).exists()


def test_the_admin_refuses_to_delete_a_published_record(publisher_client):
    actor = make_actor()
    url = reverse("admin:tracker_actor_delete", args=[actor.pk])
    assert publisher_client.get(url).status_code == 403
    assert publisher_client.post(url, {"post": "yes"}).status_code == 403
    assert f'href="{url}"' not in publisher_client.get(change_url(actor)).text
    refused = run_action(publisher_client, Actor, "delete_selected", [actor], post="yes")
    assert refused.status_code == 200
    assert "never deleted (retract it instead)" in refused.text
    assert Actor.objects.filter(pk=actor.pk).exists()


def test_the_admin_deletes_a_draft(editor_client):
    draft = make_actor(status=Status.DRAFT)
    response = run_action(editor_client, Actor, "delete_selected", [draft], post="yes")
    assert response.status_code == 302
    assert not Actor.objects.filter(pk=draft.pk).exists()


def test_the_admin_explains_why_a_cited_draft_source_cannot_be_deleted(editor_client):
    source = make_source(status=Status.DRAFT, title="A draft source still cited")
    cite(make_statement(status=Status.DRAFT), source)
    url = reverse("admin:tracker_source_delete", args=[source.pk])
    response = editor_client.get(url)
    assert response.status_code == 200
    assert "Cannot delete source" in response.text
    assert editor_client.post(url, {"post": "yes"}).status_code == 200
    assert Source.objects.filter(pk=source.pk).exists()
