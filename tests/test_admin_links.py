"""The links on a record (citations, participations, event roles) follow the record's workflow.

An editor adds, changes and removes the links of drafts and records in review;
the links of a published or retracted record change only by a publisher, as
the record itself does, whether on the link's own admin pages or in the
inlines of the record's page.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.admin_forms import change_url, changelist_url, form_data, run_action
from tests.factories import (
    cite,
    make_actor,
    make_event,
    make_event_role,
    make_negotiation,
    make_participation,
    make_source,
    make_statement,
)
from tracker.models import Citation, EventRole, Participation, Statement, Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _content_types_known():
    """Know every record type, as a running site soon does (ContentType's own cache).

    Otherwise an admin save's two lookups of different types (the form's, the
    admin log's) read to django-zeal as an N+1 pattern.
    """
    from django.apps import apps

    ContentType.objects.get_for_models(*apps.get_app_config("tracker").get_models())


@dataclass
class Link:
    """One kind of link, and how its admin pages and its parent's inline post it."""

    model: type
    make_parent: Callable
    make_link: Callable  # (parent) -> link
    fields: Callable  # (parent) -> the standalone form's fields for a new link on parent
    changed: dict  # a harmless change to a link's fields
    inline_prefix: str
    inline_fields: Callable  # (parent) -> one new inline row, without the prefix


def _citation_fields(parent) -> dict:
    return {
        "source": make_source().pk,
        "content_type": ContentType.objects.get_for_model(parent).pk,
        "object_id": parent.pk,
        "locator": "paragraph 9",
    }


CITATION = Link(
    model=Citation,
    make_parent=lambda status: make_statement(status=status),
    make_link=lambda parent: cite(parent, locator="paragraph 1"),
    fields=_citation_fields,
    changed={"locator": "paragraph 2"},
    inline_prefix="tracker-citation-content_type-object_id",
    inline_fields=lambda parent: {"source": make_source().pk, "locator": "paragraph 9"},
)
PARTICIPATION = Link(
    model=Participation,
    make_parent=lambda status: make_negotiation(status=status),
    make_link=lambda parent: make_participation(negotiation=parent, note="as first reported"),
    fields=lambda parent: {
        "negotiation": parent.pk,
        "actor": make_actor().pk,
        "role": "mediator",
        "note": "",
        "order": 0,
    },
    changed={"role": "observer"},
    inline_prefix="participations",
    inline_fields=lambda parent: {
        "actor": make_actor().pk,
        "role": "mediator",
        "note": "",
        "order": 0,
    },
)
EVENT_ROLE = Link(
    model=EventRole,
    make_parent=lambda status: make_event(status=status),
    make_link=lambda parent: make_event_role(event=parent),
    fields=lambda parent: {"event": parent.pk, "actor": make_actor().pk, "role": "target"},
    changed={"role": "claimant"},
    inline_prefix="roles",
    inline_fields=lambda parent: {"actor": make_actor().pk, "role": "target", "note": ""},
)
LINKS = pytest.mark.parametrize(
    "link", [CITATION, PARTICIPATION, EVENT_ROLE], ids=["citation", "participation", "event role"]
)
ON_FILE = pytest.mark.parametrize("status", [Status.PUBLISHED, Status.RETRACTED])


def rows(model) -> list[tuple]:
    """Every row of ``model``, every column: to show that nothing changed."""
    return sorted(model._base_manager.values_list(), key=lambda row: row[0])


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:tracker_{model._meta.model_name}_{view}", args=args)


def standalone_form(client, link_record) -> dict:
    """What the link's own change form posts unchanged (as a publisher or superuser sees it)."""
    return form_data(client.get(change_url(link_record)))


# An editor and the links of records on file -------------------------------------


@LINKS
@ON_FILE
def test_an_editor_cannot_add_a_link_to_a_record_on_file(editor_client, link, status):
    parent = link.make_parent(status)
    before = rows(link.model)
    response = editor_client.post(admin_url(link.model, "add"), link.fields(parent))
    assert response.status_code == 200  # the form again, with the reason
    assert "only someone who may publish it can change what it links to" in response.text
    assert rows(link.model) == before


@LINKS
@ON_FILE
def test_an_editor_cannot_change_a_link_of_a_record_on_file(
    editor_client, admin_client, link, status
):
    parent = link.make_parent(status)
    record = link.make_link(parent)
    data = {**standalone_form(admin_client, record), **link.changed}
    before = rows(link.model)
    page = editor_client.get(change_url(record))
    assert page.status_code == 200  # read, not edited
    assert not page.context["has_change_permission"]
    assert editor_client.post(change_url(record), data).status_code == 403
    assert rows(link.model) == before


@LINKS
@ON_FILE
def test_an_editor_cannot_delete_a_link_of_a_record_on_file(editor_client, link, status):
    record = link.make_link(link.make_parent(status))
    before = rows(link.model)
    url = admin_url(link.model, "delete", record.pk)
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert rows(link.model) == before


@LINKS
def test_an_editor_cannot_delete_links_of_a_published_record_in_bulk(editor_client, link):
    published = link.make_parent(Status.PUBLISHED)
    draft = link.make_parent(Status.DRAFT)
    records = [link.make_link(published), link.make_link(draft)]
    before = rows(link.model)
    response = run_action(editor_client, link.model, "delete_selected", records, post="yes")
    assert response.status_code == 200  # the confirmation page, saying why not
    assert "only someone who may publish it can change what it links to" in response.text
    assert rows(link.model) == before


@LINKS
def test_an_editor_cannot_move_a_link_onto_a_published_record(editor_client, link):
    record = link.make_link(link.make_parent(Status.DRAFT))
    published = link.make_parent(Status.PUBLISHED)
    data = {**form_data(editor_client.get(change_url(record))), **link.fields(published)}
    before = rows(link.model)
    response = editor_client.post(change_url(record), data)
    assert response.status_code == 200
    assert "only someone who may publish it can change what it links to" in response.text
    assert rows(link.model) == before


@LINKS
def test_an_editor_cannot_move_a_link_off_a_published_record(editor_client, admin_client, link):
    record = link.make_link(link.make_parent(Status.PUBLISHED))
    draft = link.make_parent(Status.DRAFT)
    data = {**standalone_form(admin_client, record), **link.fields(draft)}
    before = rows(link.model)
    assert editor_client.post(change_url(record), data).status_code == 403
    assert rows(link.model) == before


@LINKS
def test_an_editor_cannot_revert_a_link_of_a_published_record_from_its_history(
    editor_client, admin_client, link
):
    parent = link.make_parent(Status.PUBLISHED)
    record = link.make_link(parent)
    old_version = record.history.get()
    for name, value in link.changed.items():
        setattr(record, name, value)
    record.save()  # by a publisher, say
    url = admin_url(link.model, "simple_history", record.pk, old_version.history_id)
    data = form_data(admin_client.get(url))
    before = rows(link.model)
    response = editor_client.post(url, data)
    assert response.status_code == 200  # the revert form again, with the reason
    assert "only someone who may publish it can change what it links to" in response.text
    assert rows(link.model) == before


# An editor and the inlines of a record on file -----------------------------------


def inline_adding(client, link, parent) -> dict:
    """The parent's change form posted with one new link in the inline's empty row.

    The form is read as ``client`` sees it: an editable page, for a superuser.
    Only one row of the inline is filled: django-zeal would take two rows'
    lookups for an N+1 pattern.
    """
    data = form_data(client.get(change_url(parent)))
    new = link.inline_fields(parent)
    data.update({f"{link.inline_prefix}-0-{name}": value for name, value in new.items()})
    return data


def inline_deleting(client, link, parent) -> dict:
    """The parent's change form posted with its one link ticked for deletion."""
    data = form_data(client.get(change_url(parent)))
    data[f"{link.inline_prefix}-0-DELETE"] = "on"
    return data


@LINKS
def test_an_editor_cannot_add_a_link_in_a_published_records_inline(
    editor_client, admin_client, link
):
    parent = link.make_parent(Status.PUBLISHED)
    data = inline_adding(admin_client, link, parent)
    assert editor_client.post(change_url(parent), data).status_code == 403
    assert not link.model.objects.exists()


@LINKS
def test_an_editor_cannot_remove_a_link_in_a_published_records_inline(
    editor_client, admin_client, link
):
    parent = link.make_parent(Status.PUBLISHED)
    link.make_link(parent)
    data = inline_deleting(admin_client, link, parent)
    before = rows(link.model)
    assert editor_client.post(change_url(parent), data).status_code == 403
    assert rows(link.model) == before


@LINKS
def test_the_inline_of_a_published_record_offers_an_editor_nothing_to_edit(
    rf, editor, publisher, link
):
    from django.contrib import admin

    parent = link.make_parent(Status.PUBLISHED)
    parent_admin = admin.site.get_model_admin(type(parent))
    request = rf.get(change_url(parent))
    request.user = editor
    inline = next(
        i for i in parent_admin.get_inline_instances(request, parent) if i.model is link.model
    )
    assert not inline.has_add_permission(request, parent)
    assert not inline.has_change_permission(request, parent)
    assert not inline.has_delete_permission(request, parent)
    assert inline.has_view_permission(request, parent)
    request.user = publisher
    assert inline.has_add_permission(request, parent)
    assert inline.has_change_permission(request, parent)
    assert inline.has_delete_permission(request, parent)


# Drafts for editors, everything for publishers -----------------------------------


@LINKS
@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW])
def test_an_editor_adds_changes_and_deletes_links_of_a_draft(editor_client, link, status):
    parent = link.make_parent(status)
    response = editor_client.post(admin_url(link.model, "add"), link.fields(parent))
    assert response.status_code == 302, response.context and response.context["errors"]
    record = link.model.objects.latest("pk")

    data = {**form_data(editor_client.get(change_url(record))), **link.changed}
    assert editor_client.post(change_url(record), data).status_code == 302
    record.refresh_from_db()
    assert all(getattr(record, name) == value for name, value in link.changed.items())

    url = admin_url(link.model, "delete", record.pk)
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert not link.model.objects.filter(pk=record.pk).exists()


@LINKS
def test_an_editor_adds_and_removes_links_in_a_drafts_inline(editor_client, link):
    parent = link.make_parent(Status.DRAFT)
    response = editor_client.post(change_url(parent), inline_adding(editor_client, link, parent))
    assert response.status_code == 302, response.context and response.context["errors"]
    assert link.model.objects.count() == 1

    response = editor_client.post(change_url(parent), inline_deleting(editor_client, link, parent))
    assert response.status_code == 302, response.context and response.context["errors"]
    assert not link.model.objects.exists()


@LINKS
@ON_FILE
def test_a_publisher_adds_changes_and_deletes_links_of_a_record_on_file(
    publisher_client, link, status
):
    parent = link.make_parent(status)
    response = publisher_client.post(admin_url(link.model, "add"), link.fields(parent))
    assert response.status_code == 302, response.context and response.context["errors"]
    record = link.model.objects.latest("pk")

    data = {**form_data(publisher_client.get(change_url(record))), **link.changed}
    assert publisher_client.post(change_url(record), data).status_code == 302
    record.refresh_from_db()
    assert all(getattr(record, name) == value for name, value in link.changed.items())

    url = admin_url(link.model, "delete", record.pk)
    assert publisher_client.post(url, {"post": "yes"}).status_code == 302
    assert not link.model.objects.filter(pk=record.pk).exists()


@LINKS
def test_a_publisher_adds_and_removes_links_in_a_published_records_inline(publisher_client, link):
    parent = link.make_parent(Status.PUBLISHED)
    data = inline_adding(publisher_client, link, parent)
    response = publisher_client.post(change_url(parent), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert link.model.objects.count() == 1

    data = inline_deleting(publisher_client, link, parent)
    response = publisher_client.post(change_url(parent), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert not link.model.objects.exists()


def test_a_publisher_deletes_links_of_a_published_record_in_bulk(publisher_client):
    parent = make_statement()
    records = [cite(parent), cite(parent)]
    response = run_action(publisher_client, Citation, "delete_selected", records, post="yes")
    assert response.status_code == 302
    assert not Citation.objects.exists()


# Bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "record_type, record_id, message",
    [
        ("statement", 999999, "There is no statement with id 999999"),
        ("user", None, "Select a valid choice"),
        ("nonsense", None, "Select a valid choice"),
    ],
)
def test_a_citation_must_hang_on_a_record_that_exists(
    editor_client, editor, record_type, record_id, message
):
    if record_type == "nonsense":
        content_type = "x"
    else:
        app = "auth" if record_type == "user" else "tracker"
        content_type = ContentType.objects.get(app_label=app, model=record_type).pk
    data = {
        "source": make_source().pk,
        "content_type": content_type,
        "object_id": record_id or editor.pk,
        "locator": "",
    }
    response = editor_client.post(admin_url(Citation, "add"), data)
    assert response.status_code == 200
    assert message in response.text
    assert not Citation.objects.exists()


def test_the_citation_form_offers_only_parley_records_to_cite_on(editor_client):
    page = editor_client.get(admin_url(Citation, "add"))
    choices = page.context["adminform"].form.fields["content_type"].queryset
    assert {ct.app_label for ct in choices} == {"tracker"}
    assert ContentType.objects.get_for_model(Statement) in choices
    assert ContentType.objects.get_for_model(Citation) not in choices


def test_the_changelist_of_citations_still_lists_them_all_for_an_editor(editor_client):
    cite(make_statement())
    cite(make_statement(status=Status.DRAFT))
    response = editor_client.get(changelist_url(Citation))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
