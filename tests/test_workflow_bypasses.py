"""Two ways round the workflow, closed: the history page's revert, and the admin's import.

An editor changes drafts and records in review, and their links; a record on
file (published or retracted), and its citations, participations and event
roles, change only by someone who may publish it. Reverting a record to an old
version from its history page is a change like any other, and so is every row
of an imported file.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.admin_forms import form_data, messages_of
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
from tracker.admin_import import SESSION_KEY
from tracker.models import Citation, EventRole, Participation, Statement, Status

pytestmark = pytest.mark.django_db

ON_FILE = pytest.mark.parametrize("status", [Status.PUBLISHED, Status.RETRACTED])


@pytest.fixture(autouse=True)
def _content_types_known():
    """Know every record type, as a running site soon does (ContentType's own cache).

    Otherwise an admin save's lookups of different types read to django-zeal as
    an N+1 pattern (see tests/test_admin_links.py).
    """
    from django.apps import apps

    ContentType.objects.get_for_models(*apps.get_app_config("tracker").get_models())


def rows(model) -> list[tuple]:
    """Every row of ``model``, every column: to show that nothing changed."""
    return sorted(model._base_manager.values_list(), key=lambda row: row[0])


def history_rows(model) -> list[tuple]:
    history = model.history.model
    return sorted(history.objects.values_list(), key=lambda row: row[0])


# Reverting from the history page ----------------------------------------------------


def statement_saved_twice(status: Status) -> tuple[Statement, str]:
    """A statement first saved as a draft, then as ``status`` with new words; and the
    address of the history page's revert form for its first version (the draft)."""
    statement = make_statement(status=Status.DRAFT, text="The draft's words")
    statement.text, statement.status = "The words on file", status
    statement.save()  # by a publisher, say
    first = statement.history.order_by("history_id").first()
    url = reverse("admin:tracker_statement_simple_history", args=[statement.pk, first.history_id])
    return statement, url


@ON_FILE
def test_an_editor_cannot_revert_a_record_on_file_to_an_old_version(
    editor_client, admin_client, status
):
    statement, url = statement_saved_twice(status)
    data = form_data(admin_client.get(url))  # the revert form as a superuser posts it
    before, history_before = rows(Statement), history_rows(Statement)

    response = editor_client.post(url, data)

    assert rows(Statement) == before
    assert history_rows(Statement) == history_before
    assert response.status_code == 302 and response.url == url  # the same version, to read
    label = Status(status).label.lower()
    assert messages_of(response) == [
        f"Nothing was reverted: the statement “{statement}” is {label}, "
        "and only someone who may publish it can change it."
    ]
    assert Statement.objects.get(pk=statement.pk).text == "The words on file"


def test_an_editor_sees_no_revert_button_on_an_old_version_of_a_published_record(
    editor_client,
):
    """The old version was a draft; what counts is the record as it stands now."""
    _, url = statement_saved_twice(Status.PUBLISHED)
    page = editor_client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert page.context["revert_disabled"]


def test_an_editor_still_reverts_a_draft(editor_client):
    statement, url = statement_saved_twice(Status.DRAFT)
    page = editor_client.get(url)
    assert 'name="_save"' in page.text
    response = editor_client.post(url, form_data(page))
    assert response.status_code == 302
    reverted = Statement.objects.get(pk=statement.pk)
    assert reverted.text == "The draft's words"
    assert reverted.status == Status.DRAFT


def test_an_editor_still_reverts_a_record_in_review(editor_client):
    statement, url = statement_saved_twice(Status.IN_REVIEW)
    response = editor_client.post(url, form_data(editor_client.get(url)))
    assert response.status_code == 302
    reverted = Statement.objects.get(pk=statement.pk)
    assert reverted.text == "The draft's words"
    assert reverted.status == Status.IN_REVIEW


def test_a_publisher_still_reverts_a_published_record(publisher_client):
    statement, url = statement_saved_twice(Status.PUBLISHED)
    page = publisher_client.get(url)
    assert 'name="_save"' in page.text
    response = publisher_client.post(url, form_data(page))
    assert response.status_code == 302
    reverted = Statement.objects.get(pk=statement.pk)
    assert reverted.text == "The draft's words"
    assert reverted.status == Status.PUBLISHED  # the revert changes words, never the status


# Importing links ----------------------------------------------------------------------


def upload(client, url, text: str):
    return client.post(url, {"file": SimpleUploadedFile("links.csv", text.encode("utf-8"))})


def confirm(client, url):
    token = client.session[SESSION_KEY]["token"]
    return client.post(url, {"token": token, "confirm": "1"})


def try_to_import(client, url, text: str):
    """Upload ``text`` and confirm it, if the preview lets anything wait to be confirmed.

    Returns the preview.
    """
    preview = upload(client, url, text)
    if SESSION_KEY in client.session:
        confirm(client, url)
    return preview


@dataclass
class Link:
    """One kind of link and how an import file writes it."""

    model: type
    make_parent: Callable  # (status) -> record
    make_link: Callable  # (parent) -> link
    header: str
    row: Callable  # (parent) -> one CSV row adding a link on parent
    column: str  # the column an import's refusal names
    changed: Callable  # (link) -> one CSV row changing link, on the same record

    @property
    def url(self) -> str:
        return reverse(f"admin:tracker_{self.model._meta.model_name}_import")

    def moved(self, link, parent) -> str:
        """One CSV row moving ``link`` onto ``parent``."""
        return f"{link.pk}," + self.row(parent)


def _citation_row(parent) -> str:
    return f"{make_source().pk},statement,{parent.pk},paragraph 9"


CITATION = Link(
    model=Citation,
    make_parent=lambda status: make_statement(status=status),
    make_link=lambda parent: cite(parent, locator="paragraph 1"),
    header="source_id,record_type,record_id,locator",
    row=_citation_row,
    column="record_id",
    changed=lambda link: f"{link.pk},{link.source_id},statement,{link.object_id},paragraph 2",
)
PARTICIPATION = Link(
    model=Participation,
    make_parent=lambda status: make_negotiation(status=status),
    make_link=lambda parent: make_participation(negotiation=parent),
    header="negotiation_id,actor_id,role",
    row=lambda parent: f"{parent.pk},{make_actor().pk},mediator",
    column="negotiation_id",
    changed=lambda link: f"{link.pk},{link.negotiation_id},{link.actor_id},observer",
)
EVENT_ROLE = Link(
    model=EventRole,
    make_parent=lambda status: make_event(status=status),
    make_link=lambda parent: make_event_role(event=parent),
    header="event_id,actor_id,role",
    row=lambda parent: f"{parent.pk},{make_actor().pk},target",
    column="event_id",
    changed=lambda link: f"{link.pk},{link.event_id},{link.actor_id},claimant",
)
LINKS = pytest.mark.parametrize(
    "link", [CITATION, PARTICIPATION, EVENT_ROLE], ids=["citation", "participation", "event role"]
)


def refusal(parent, status) -> str:
    """The reason an import gives, as the preview page shows it (HTML-escaped quotes: none)."""
    return (
        f"The {parent._meta.verbose_name} “{parent}” is {Status(status).label.lower()}, "
        "and only someone who may publish it can change what it links to."
    )


def assert_refused(response, row: int, column: str, reason: str) -> None:
    assert response.status_code == 200
    page = response.text
    assert f"<td>{row}</td><td><code>{column}</code></td><td>{reason}</td>" in page, page[:4000]
    assert 'name="confirm"' not in page


@LINKS
@ON_FILE
def test_an_editor_cannot_import_a_link_onto_a_record_on_file(editor_client, link, status):
    draft, on_file = link.make_parent(Status.DRAFT), link.make_parent(status)
    # Row 2 alone would import; row 3 stops the whole file.
    text = f"{link.header}\n{link.row(draft)}\n{link.row(on_file)}\n"
    before = rows(link.model)

    response = try_to_import(editor_client, link.url, text)

    assert rows(link.model) == before
    assert_refused(response, 3, link.column, refusal(on_file, status))
    assert "Rejected: <strong>1</strong>" in response.text
    assert SESSION_KEY not in editor_client.session  # nothing waits to be confirmed


@LINKS
def test_a_publisher_imports_the_same_file(publisher_client, link):
    draft, published = link.make_parent(Status.DRAFT), link.make_parent(Status.PUBLISHED)
    text = f"{link.header}\n{link.row(draft)}\n{link.row(published)}\n"

    response = upload(publisher_client, link.url, text)
    assert "To create: <strong>2</strong>" in response.text
    assert confirm(publisher_client, link.url).status_code == 302

    assert link.model.objects.count() == 2


@LINKS
def test_an_editor_imports_links_onto_drafts(editor_client, link):
    draft = link.make_parent(Status.DRAFT)
    upload(editor_client, link.url, f"{link.header}\n{link.row(draft)}\n")
    assert confirm(editor_client, link.url).status_code == 302
    assert link.model.objects.count() == 1


@LINKS
def test_an_editor_cannot_change_a_link_of_a_published_record_by_import(editor_client, link):
    published = link.make_parent(Status.PUBLISHED)
    record = link.make_link(published)
    before = rows(link.model)
    response = try_to_import(editor_client, link.url, f"id,{link.header}\n{link.changed(record)}\n")
    assert rows(link.model) == before
    assert_refused(response, 2, link.column, refusal(published, Status.PUBLISHED))


@LINKS
def test_an_editor_cannot_move_a_link_off_a_published_record_by_import(editor_client, link):
    published = link.make_parent(Status.PUBLISHED)
    record = link.make_link(published)
    draft = link.make_parent(Status.DRAFT)
    before = rows(link.model)
    text = f"id,{link.header}\n{link.moved(record, draft)}\n"
    response = try_to_import(editor_client, link.url, text)
    assert rows(link.model) == before
    assert_refused(response, 2, link.column, refusal(published, Status.PUBLISHED))


@LINKS
def test_an_editor_cannot_move_a_link_onto_a_published_record_by_import(editor_client, link):
    record = link.make_link(link.make_parent(Status.DRAFT))
    published = link.make_parent(Status.PUBLISHED)
    before = rows(link.model)
    text = f"id,{link.header}\n{link.moved(record, published)}\n"
    response = try_to_import(editor_client, link.url, text)
    assert rows(link.model) == before
    assert_refused(response, 2, link.column, refusal(published, Status.PUBLISHED))


@LINKS
def test_confirming_after_the_record_was_published_imports_nothing(editor_client, link):
    parent = link.make_parent(Status.DRAFT)
    upload(editor_client, link.url, f"{link.header}\n{link.row(parent)}\n")
    type(parent).objects.filter(pk=parent.pk).update(status=Status.PUBLISHED)  # meanwhile
    before = rows(link.model)

    response = confirm(editor_client, link.url)

    assert rows(link.model) == before
    parent.refresh_from_db()
    assert_refused(response, 2, link.column, refusal(parent, Status.PUBLISHED))
    assert "The data changed since the preview" in response.text


def test_unchanged_links_of_a_published_record_do_not_stop_an_editors_file(editor_client):
    """A downloaded file, edited where the editor may: the rows left as they were pass."""
    published = make_negotiation(status=Status.PUBLISHED)
    kept = make_participation(negotiation=published, role="party")
    draft = make_negotiation(status=Status.DRAFT)
    url = PARTICIPATION.url
    text = (
        "id,negotiation_id,actor_id,role\n"
        f"{kept.pk},{published.pk},{kept.actor_id},party\n"
        f",{draft.pk},{make_actor().pk},observer\n"
    )
    response = upload(editor_client, url, text)
    assert "Unchanged: <strong>1</strong>" in response.text
    assert "To create: <strong>1</strong>" in response.text
    assert confirm(editor_client, url).status_code == 302
    assert Participation.objects.filter(negotiation=draft).count() == 1


def test_an_editor_cannot_add_sources_to_a_published_record_by_import(editor_client):
    """A record's own import adds citations too (``source_ids``): refused as a change."""
    statement = make_statement(status=Status.PUBLISHED)
    before = rows(Citation)
    url = reverse("admin:tracker_statement_import")
    text = f"id,source_ids\n{statement.pk},{make_source().pk}\n"
    response = try_to_import(editor_client, url, text)
    assert rows(Citation) == before
    assert response.status_code == 200
    assert "only someone who may publish can change it" in response.text
    assert 'name="confirm"' not in response.text


def test_the_backup_import_command_keeps_links_on_records_on_file(tmp_path):
    """``manage.py import_data`` has no user: it reads back the backup whole."""
    from django.core.management import call_command

    statement = make_statement(status=Status.PUBLISHED)
    citation = cite(statement)
    path = tmp_path / "backup.json"
    call_command("export_data", output=str(path), verbosity=0)
    citation.delete()
    call_command("import_data", str(path), merge=True, verbosity=0)
    assert Citation.objects.get().object_id == statement.pk
    assert Statement.objects.get(pk=statement.pk).status == Status.PUBLISHED
