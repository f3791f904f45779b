"""Every change is kept (who, when, what) and shown in the admin as a diff."""

import pytest
from django.urls import reverse

from tests.admin_forms import change_url, form_data, run_action
from tests.factories import cite, make_position, make_source, make_statement
from tracker import publishing
from tracker.models import Citation, Statement, Status

pytestmark = pytest.mark.django_db


def history_url(record) -> str:
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[record.pk])


def test_an_admin_edit_is_kept_with_who_made_it_and_what_changed(editor_client, editor):
    draft = make_statement(status=Status.DRAFT, text="Before the edit")
    data = form_data(editor_client.get(change_url(draft)))
    editor_client.post(change_url(draft), {**data, "text": "After the edit"})
    latest, previous = Statement.history.filter(id=draft.pk).order_by("-history_id")[:2]
    assert latest.history_user == editor
    assert latest.history_type == "~"
    delta = latest.diff_against(previous, excluded_fields=["updated_at", "version"])
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("text", "Before the edit", "After the edit")
    ]


def test_the_history_page_shows_the_changed_field_as_a_diff(editor_client):
    draft = make_statement(status=Status.DRAFT, text="Wednesday night", attribution="An official")
    data = form_data(editor_client.get(change_url(draft)))
    editor_client.post(change_url(draft), {**data, "text": "Thursday morning"})
    page = editor_client.get(history_url(draft))
    assert page.status_code == 200
    text = page.text
    assert "<strong>Text:</strong>" in text
    assert "Wednesday night" in text and "Thursday morning" in text
    assert "<strong>Attribution as reported:</strong>" not in text  # unchanged fields stay out
    assert "<strong>Updated at:</strong>" not in text  # and so does the noise of every save
    assert "editor" in text


def test_each_workflow_step_is_kept_with_its_reason_and_user(publisher, editor):
    statement = make_statement(status=Status.DRAFT)
    cite(statement)
    publishing.submit_for_review(statement, editor)
    publishing.publish(statement, publisher)
    correction = publishing.retract(statement, publisher, "Withdrawn by the outlet.")
    steps = [
        (entry.status, entry.history_change_reason, entry.history_user)
        for entry in statement.history.order_by("history_id")
    ]
    assert steps == [
        (Status.DRAFT, None, None),
        (Status.IN_REVIEW, "Submitted for review", editor),
        (Status.PUBLISHED, "Published", publisher),
        (Status.RETRACTED, "Retracted", publisher),
    ]
    assert correction.history.get().history_user == publisher


def test_bulk_actions_keep_a_history_entry_for_every_record(editor_client, editor):
    drafts = [make_statement(status=Status.DRAFT) for _ in range(3)]
    run_action(editor_client, Statement, "submit_for_review", drafts)
    for draft in drafts:
        latest = draft.history.first()
        assert latest.status == Status.IN_REVIEW
        assert latest.history_user == editor
        assert latest.history_change_reason == "Submitted for review"


def test_citations_added_in_the_admin_are_kept_in_history(editor_client, editor):
    draft = make_statement(status=Status.DRAFT)
    source = make_source()
    data = form_data(editor_client.get(change_url(draft)))
    prefix = "tracker-citation-content_type-object_id"
    data.update({f"{prefix}-0-source": source.pk, f"{prefix}-0-locator": "paragraph 4"})
    response = editor_client.post(change_url(draft), data)
    assert response.status_code == 302
    citation = Citation.objects.get()
    assert citation.history.get().history_user == editor
    assert citation.history.get().locator == "paragraph 4"


def test_deleting_a_draft_is_kept_in_history(editor_client):
    draft = make_statement(status=Status.DRAFT, text="Deleted draft")
    run_action(editor_client, Statement, "delete_selected", [draft], post="yes")
    assert not Statement.objects.filter(pk=draft.pk).exists()
    deleted = Statement.history.filter(id=draft.pk).first()
    assert deleted.history_type == "-"
    assert deleted.text == "Deleted draft"


def test_the_history_page_lists_status_and_version(publisher_client, publisher):
    statement = make_statement(status=Status.IN_REVIEW)
    cite(statement)
    publishing.publish(statement, publisher)
    page = publisher_client.get(history_url(statement))
    assert "<strong>Status:</strong>" in page.text
    assert "In review" in page.text and "Published" in page.text


def test_a_change_of_evidence_is_kept_and_shown_in_the_history_diff(publisher_client):
    first, second = make_statement(text="First evidence"), make_statement(text="Second evidence")
    position = make_position(status=Status.DRAFT, evidence=[first])
    data = form_data(publisher_client.get(change_url(position)))
    data["evidence"] = [str(first.pk), str(second.pk)]
    response = publisher_client.post(change_url(position), data)
    assert response.status_code == 302
    latest = position.history.first()
    assert {row.statement_id for row in latest.evidence.all()} == {first.pk, second.pk}
    page = publisher_client.get(history_url(position))
    assert "<strong>Evidence:</strong>" in page.text
    assert "Second evidence" in page.text


def test_a_bulk_update_counts_versions_and_keeps_history_for_every_record():
    statements = [make_statement(status=Status.DRAFT, verification="reported") for _ in range(3)]
    updated = Statement.objects.filter(pk__in=[s.pk for s in statements]).update(
        verification="disputed"
    )
    assert updated == 3
    for statement in statements:
        latest = statement.history.first()
        assert latest.verification == "disputed"
        assert latest.version == 2
        assert latest.history_type == "~"
        assert latest.history_change_reason == "Bulk update"
    assert set(Statement.objects.values_list("version", flat=True)) == {2}
