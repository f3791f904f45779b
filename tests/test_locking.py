"""No lost edits: the second of two concurrent saves is refused, showing what changed."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.admin_forms import change_url, form_data
from tests.factories import make_position, make_statement
from tracker.models import Position, Statement, Status
from tracker.models.base import StaleRecordError

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_editor(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("second-editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client = Client()
    client.force_login(user)
    return client


def test_the_second_of_two_admin_sessions_is_refused_and_nothing_is_lost(
    editor_client, second_editor
):
    draft = make_statement(
        status=Status.DRAFT, text="The original words", attribution="A spokesman"
    )
    url = change_url(draft)
    first_form = form_data(editor_client.get(url))
    second_form = form_data(second_editor.get(url))
    assert first_form["loaded_version"] == second_form["loaded_version"] == "1"

    first = editor_client.post(url, {**first_form, "text": "The first editor's words"})
    assert first.status_code == 302

    second = second_editor.post(url, {**second_form, "attribution": "The second editor's view"})
    assert second.status_code == 200  # the form again, not a redirect
    page = second.text
    assert "Someone else saved this statement while you were editing it" in page
    assert "you started from version 1, and version 2 is now saved" in page
    assert "saved by editor" in page
    assert "Text: “The original words” → “The first editor&#x27;s words”" in page
    # The second editor's edit is still in the form, ready to save again.
    assert "The second editor&#x27;s view" in page
    saved = Statement.objects.get(pk=draft.pk)
    assert saved.text == "The first editor's words"
    assert saved.attribution == "A spokesman"
    assert saved.version == 2

    # Having seen what changed, the second editor saves again, deliberately.
    again = form_data(second)
    assert again["loaded_version"] == "2"
    assert again["attribution"] == "The second editor's view"
    resaved = second_editor.post(url, {**again, "text": "The first editor's words"})
    assert resaved.status_code == 302
    saved = Statement.objects.get(pk=draft.pk)
    assert (saved.text, saved.attribution, saved.version) == (
        "The first editor's words",
        "The second editor's view",
        3,
    )


def test_a_form_without_its_version_saves_nothing(editor_client):
    draft = make_statement(status=Status.DRAFT, text="Kept")
    data = form_data(editor_client.get(change_url(draft)))
    del data["loaded_version"]
    response = editor_client.post(change_url(draft), {**data, "text": "Overwritten blind"})
    assert response.status_code == 200
    assert "did not say which version" in response.text
    assert Statement.objects.get(pk=draft.pk).text == "Kept"


def test_every_save_counts_the_version():
    statement = make_statement()
    assert statement.version == 1
    statement.text = "Second"
    statement.save()
    statement.verification = "disputed"
    statement.save(update_fields=["verification"])
    assert Statement.objects.get(pk=statement.pk).version == 3
    assert statement.version == 3


def test_a_stale_copy_cannot_overwrite_through_the_orm():
    statement = make_statement(text="Original")
    first = Statement.objects.get(pk=statement.pk)
    second = Statement.objects.get(pk=statement.pk)
    first.text = "First"
    first.save()
    second.text = "Second"
    with pytest.raises(StaleRecordError) as refusal:
        second.save()
    assert refusal.value.loaded_version == 1
    assert refusal.value.current_version == 2
    assert Statement.objects.get(pk=statement.pk).text == "First"


def test_reverting_from_the_history_page_keeps_the_status_and_counts_a_version(publisher_client):
    statement = make_statement(text="Version one")
    statement.text = "Version two"
    statement.save()
    oldest = statement.history.order_by("history_id").first()
    url = reverse("admin:tracker_statement_simple_history", args=[statement.pk, oldest.history_id])
    page = publisher_client.get(url)
    assert page.status_code == 200
    response = publisher_client.post(url, form_data(page))
    assert response.status_code == 302
    reverted = Statement.objects.get(pk=statement.pk)
    assert reverted.text == "Version one"
    assert reverted.status == Status.PUBLISHED
    assert reverted.version == 3


def test_the_refusal_names_links_changed_in_between(editor_client, second_editor):
    first, second = make_statement(text="Old evidence"), make_statement(text="New evidence")
    position = make_position(status=Status.DRAFT, evidence=[first], summary="Summary")
    url = change_url(position)
    first_form = form_data(editor_client.get(url))
    second_form = form_data(second_editor.get(url))
    editor_client.post(url, {**first_form, "evidence": [str(second.pk)]})
    refused = second_editor.post(url, {**second_form, "summary": "Another summary"})
    assert refused.status_code == 200
    assert "Version 2, saved by editor" in refused.text
    assert "Evidence:" in refused.text and "New evidence" in refused.text
    assert "Version 3" not in refused.text
    assert Position.objects.get(pk=position.pk).summary == "Summary"
