"""The publishing workflow: roles enforced on the server, publishing rules, staff preview."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.admin_forms import change_url, form_data, messages_of, run_action
from tests.factories import (
    cite,
    make_actor,
    make_correction,
    make_event,
    make_position,
    make_source,
    make_statement,
)
from tracker import publishing
from tracker.models import Correction, Event, Position, Statement, Status

pytestmark = pytest.mark.django_db


def reload(record):
    return type(record).objects.get(pk=record.pk)


# Groups and permissions ------------------------------------------------------


def test_the_migration_makes_an_editor_and_a_publisher_group():
    editor = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
    publisher = set(
        Group.objects.get(name="Publisher").permissions.values_list("codename", flat=True)
    )
    assert {"add_statement", "change_statement", "view_correction"} <= editor
    assert not {p for p in editor if p.startswith(("publish_", "retract_"))}
    assert "add_correction" not in editor
    assert editor < publisher
    for model in ["statement", "position", "event", "source", "actor", "correction"]:
        assert {f"publish_{model}", f"retract_{model}"} <= publisher
    assert {"add_correction", "change_correction"} <= publisher


def test_the_permission_names_imports_rely_on_belong_to_publishers_only(editor, publisher):
    assert publisher.has_perm("tracker.publish_statement")
    assert publisher.has_perm("tracker.publish_source")
    assert not editor.has_perm("tracker.publish_statement")
    assert not editor.has_perm("tracker.retract_statement")


# Editors cannot publish, however they try -------------------------------------


def test_an_editor_submits_a_draft_for_review_with_the_admin_action(editor_client):
    draft = make_statement(status=Status.DRAFT)
    response = run_action(editor_client, Statement, "submit_for_review", [draft])
    assert response.status_code == 302
    assert reload(draft).status == Status.IN_REVIEW
    assert "1 statement submitted for review." in messages_of(response)


def test_an_editor_posting_the_publish_action_publishes_nothing(editor_client):
    draft = make_statement(status=Status.IN_REVIEW)
    cite(draft)
    response = run_action(editor_client, Statement, "publish_selected", [draft])
    assert response.status_code == 302
    assert reload(draft).status == Status.IN_REVIEW
    assert "No action selected." in messages_of(response)


def test_an_editor_posting_the_retract_action_retracts_nothing(editor_client):
    statement = make_statement()
    response = run_action(
        editor_client,
        Statement,
        "retract_selected",
        [statement],
        confirm_retract="yes",
        note="Retracted by an editor",
        kind="retraction",
    )
    assert response.status_code == 302
    assert reload(statement).status == Status.PUBLISHED
    assert not Correction.objects.exists()


def test_an_editor_cannot_publish_by_posting_a_status_in_the_change_form(editor_client):
    draft = make_statement(status=Status.DRAFT, text="Draft text")
    cite(draft)
    data = form_data(editor_client.get(change_url(draft)))
    data.update(status="published", text="Edited text")
    response = editor_client.post(change_url(draft), data)
    assert response.status_code == 302
    saved = reload(draft)
    assert saved.text == "Edited text"
    assert saved.status == Status.DRAFT
    assert saved.published_at is None


def test_an_editor_pressing_a_publish_button_saves_the_edit_but_does_not_publish(editor_client):
    draft = make_statement(status=Status.IN_REVIEW)
    cite(draft)
    page = editor_client.get(change_url(draft))
    assert 'name="_publish"' not in page.text
    data = {**form_data(page), "_publish": "Save and publish", "text": "Checked text"}
    response = editor_client.post(change_url(draft), data)
    assert response.status_code == 302
    saved = reload(draft)
    assert saved.text == "Checked text"
    assert saved.status == Status.IN_REVIEW
    assert any("not published" in m and "may not publish" in m for m in messages_of(response))


def test_an_editor_cannot_open_the_retract_page(editor_client):
    statement = make_statement()
    url = reverse("admin:tracker_statement_retract", args=[statement.pk])
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"kind": "retraction", "note": "No"}).status_code == 403
    assert reload(statement).status == Status.PUBLISHED


def test_an_editor_reads_but_cannot_change_a_published_record(editor_client):
    statement = make_statement(text="As published")
    page = editor_client.get(change_url(statement))
    assert page.status_code == 200
    assert 'name="text"' not in page.text  # shown read-only
    response = editor_client.post(change_url(statement), {"text": "Rewritten"})
    assert response.status_code == 403
    assert reload(statement).text == "As published"


def test_an_editor_cannot_write_a_correction(editor_client):
    statement = make_statement()
    response = editor_client.post(
        reverse("admin:tracker_correction_add"),
        {
            "content_type": ContentType.objects.get_for_model(Statement).pk,
            "object_id": statement.pk,
            "kind": "correction",
            "date": "2024-03-01",
            "text": "An editor's correction",
        },
    )
    assert response.status_code == 403
    assert not Correction.objects.exists()


# Publishers publish, after the checks ------------------------------------------


def test_a_publisher_publishes_a_cited_statement_with_the_button(publisher_client, publisher):
    draft = make_statement(status=Status.IN_REVIEW)
    cite(draft)
    page = publisher_client.get(change_url(draft))
    assert 'name="_publish"' in page.text
    response = publisher_client.post(change_url(draft), {**form_data(page), "_publish": "1"})
    assert response.status_code == 302
    saved = reload(draft)
    assert saved.status == Status.PUBLISHED
    assert saved.published_at is not None
    latest = saved.history.first()
    assert latest.history_user == publisher
    assert latest.history_change_reason == "Published"
    assert publisher_client.get(saved.get_absolute_url()).status_code == 200


def test_a_statement_without_a_source_is_not_published_and_the_reason_is_shown(
    publisher_client,
):
    draft = make_statement(status=Status.IN_REVIEW, text="Unsourced claim")
    cite(draft, make_source(status=Status.DRAFT))  # a source not yet published does not count
    page = publisher_client.get(change_url(draft))
    assert "It needs at least one source" in page.text
    response = run_action(publisher_client, Statement, "publish_selected", [draft])
    assert reload(draft).status == Status.IN_REVIEW
    [message] = messages_of(response)
    assert message.startswith("Not published: statement “")
    assert "it needs at least one source" in message


def test_a_position_needs_evidence_statements_that_are_published(publisher):
    publisher_user = publisher
    none = make_position(status=Status.DRAFT)
    with pytest.raises(publishing.WorkflowError) as refusal:
        publishing.publish(none, publisher_user)
    assert refusal.value.reasons == ["it needs at least one evidence statement"]

    pending = make_statement(status=Status.IN_REVIEW, text="Said in review")
    position = make_position(status=Status.DRAFT, evidence=[make_statement(), pending])
    with pytest.raises(publishing.WorkflowError) as refusal:
        publishing.publish(position, publisher_user)
    [reason] = refusal.value.reasons
    assert reason.startswith("its evidence statements must be published first")
    assert "Said in review" in reason and "(in review)" in reason

    cite(pending)
    publishing.publish(pending, publisher_user)
    publishing.publish(reload(position), publisher_user)
    assert reload(position).status == Status.PUBLISHED


def test_an_event_needs_a_date_and_a_source(publisher):
    publisher_user = publisher
    event = make_event(status=Status.DRAFT, occurred_on=None)
    with pytest.raises(publishing.WorkflowError) as refusal:
        publishing.publish(event, publisher_user)
    assert len(refusal.value.reasons) == 2
    assert refusal.value.reasons[0] == "it needs a date: when did it happen?"
    assert refusal.value.reasons[1].startswith("it needs at least one source")
    event.occurred_on = datetime.date(2024, 2, 7)
    event.save()
    cite(event)
    publishing.publish(event, publisher_user)
    assert Event.objects.public().get() == event


def test_the_publish_action_publishes_the_valid_ones_and_lists_the_refused(publisher_client):
    good = [make_statement(status=Status.IN_REVIEW) for _ in range(2)]
    for statement in good:
        cite(statement)
    bad = make_statement(status=Status.IN_REVIEW, attribution="Unsourced speaker")
    response = run_action(publisher_client, Statement, "publish_selected", [*good, bad])
    assert {reload(s).status for s in good} == {Status.PUBLISHED}
    assert reload(bad).status == Status.IN_REVIEW
    shown = messages_of(response)
    assert "2 statements published." in shown
    assert [m for m in shown if m.startswith("Not published")] == [
        f"Not published: statement “{bad}”: it needs at least one source: cite a published "
        "source under “sources cited”."
    ]


def test_a_correction_of_a_draft_cannot_be_published(publisher):
    correction = make_correction(make_statement(status=Status.DRAFT), status=Status.DRAFT)
    with pytest.raises(publishing.WorkflowError) as refusal:
        publishing.publish(correction, publisher)
    assert "not published" in refusal.value.reasons[0]


def test_a_publisher_writes_a_correction(publisher_client):
    statement = make_statement()
    # As on a running site, where the content types are cached after the first requests.
    ContentType.objects.get_for_models(Statement, Correction)
    response = publisher_client.post(
        reverse("admin:tracker_correction_add"),
        {
            "content_type": ContentType.objects.get_for_model(Statement).pk,
            "object_id": statement.pk,
            "kind": "correction",
            "date": "2024-03-01",
            "text": "The date was wrong.",
            "_publish": "Save and publish",
            "tracker-citation-content_type-object_id-TOTAL_FORMS": 0,
            "tracker-citation-content_type-object_id-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content
    correction = Correction.objects.get()
    assert correction.status == Status.PUBLISHED
    assert correction.record == statement


def test_the_workflow_refuses_to_submit_what_is_not_a_draft(editor):
    statement = make_statement()
    with pytest.raises(publishing.WorkflowError, match="it is published, not a draft"):
        publishing.submit_for_review(statement, editor)


def test_an_editor_calling_the_workflow_directly_is_refused(editor):
    from django.core.exceptions import PermissionDenied

    draft = make_statement(status=Status.IN_REVIEW)
    cite(draft)
    with pytest.raises(PermissionDenied):
        publishing.publish(draft, editor)
    with pytest.raises(PermissionDenied):
        publishing.retract(make_statement(), editor, "note")
    assert reload(draft).status == Status.IN_REVIEW


# Staff preview -----------------------------------------------------------------


def test_staff_preview_a_draft_marked_as_such_and_never_cached(editor_client):
    draft = make_statement(status=Status.DRAFT, text="Not yet public words")
    url = reverse("tracker:preview", args=["statement", draft.pk])
    response = editor_client.get(url)
    assert response.status_code == 200
    assert "Preview — not published" in response.text
    assert "Not yet public words" in response.text
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert editor_client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("kind", ["actor", "event", "source", "negotiation", "position"])
def test_every_kind_of_draft_can_be_previewed(editor_client, kind):
    from tests import factories

    maker = {
        "actor": factories.make_actor,
        "event": factories.make_event,
        "source": factories.make_source,
        "negotiation": factories.make_negotiation,
        "position": factories.make_position,
    }[kind]
    record = maker(status=Status.DRAFT)
    response = editor_client.get(reverse("tracker:preview", args=[kind, record.pk]))
    assert response.status_code == 200
    assert "Preview — not published" in response.text


def test_the_preview_is_not_found_for_anyone_but_staff(client, django_user_model):
    draft = make_statement(status=Status.DRAFT, text="Secret draft words")
    url = reverse("tracker:preview", args=["statement", draft.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 404
    assert "Secret draft words" not in anonymous.text
    reader = django_user_model.objects.create_user("reader", password="pw-reader-1")
    client.force_login(reader)
    assert client.get(url).status_code == 404


def test_the_preview_answers_404_for_garbage(editor_client):
    assert editor_client.get("/preview/nonsense/1/").status_code == 404
    assert editor_client.get("/preview/citation/1/").status_code == 404
    assert editor_client.get("/preview/statement/999999/").status_code == 404
    assert editor_client.post("/preview/statement/1/").status_code == 405


def test_the_preview_of_a_published_record_redirects_to_its_page(editor_client):
    actor = make_actor()
    response = editor_client.get(reverse("tracker:preview", args=["actor", actor.pk]))
    assert response.status_code == 302
    assert response["Location"] == actor.get_absolute_url()


def test_the_admin_links_a_draft_to_its_preview(editor_client):
    draft = make_statement(status=Status.DRAFT)
    page = editor_client.get(change_url(draft))
    assert reverse("tracker:preview", args=["statement", draft.pk]) in page.text


def test_only_published_evidence_is_taken_into_account_for_a_position(publisher):
    """A position whose evidence is all published may be published."""
    position = make_position(status=Status.IN_REVIEW, evidence=[make_statement()])
    publishing.publish(position, publisher)
    assert Position.objects.public().get() == position
