"""Importing records in the admin: upload, preview what would happen, confirm all or nothing."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import make_actor, make_source, make_statement, make_topic
from tracker.admin_import import SESSION_KEY
from tracker.imports import MAX_IMPORT_BYTES, can_publish
from tracker.models import Citation, Source, Statement, Status

pytestmark = pytest.mark.django_db

SOURCES_URL = reverse("admin:tracker_source_import")
STATEMENTS_URL = reverse("admin:tracker_statement_import")


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_user("editor", password="pw-editor-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return client


@pytest.fixture
def publisher_client(client, django_user_model):
    user = django_user_model.objects.create_user("pub", password="pw-pub-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Publisher"))
    client.force_login(user)
    return client


def upload(client, url, content, name="data.csv"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def confirm(client, url):
    token = client.session[SESSION_KEY]["token"]
    return client.post(url, {"token": token, "confirm": "1"})


SOURCES_CSV = (
    "outlet,title,published_on,published_on_precision,url,status\n"
    "NPR,US drone strike kills militia commander,2024-02-08,day,https://npr.example/1,published\n"
    "Reuters,Iraq and US begin talks,2024-01-01,month,,published\n"
)


def test_the_change_list_has_an_import_button(admin_client):
    page = admin_client.get(reverse("admin:tracker_statement_changelist")).content.decode()
    assert f'href="{STATEMENTS_URL}"' in page


def test_the_import_page_lists_every_column_and_which_are_required(admin_client):
    response = admin_client.get(STATEMENTS_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<code>attribution_kind</code>" in page
    assert "<code>source_ids</code>" in page


def test_a_preview_writes_nothing_and_confirming_creates_every_row(admin_client):
    response = upload(admin_client, SOURCES_URL, SOURCES_CSV)
    assert response.status_code == 200
    page = response.content.decode()
    assert "To create: <strong>2</strong>" in page
    assert "NPR: US drone strike kills militia commander" in page
    assert not Source.objects.exists()

    response = confirm(admin_client, SOURCES_URL)
    assert response.status_code == 302
    assert Source.objects.count() == 2
    npr = Source.objects.get(outlet="NPR")
    assert npr.status == Status.PUBLISHED and npr.published_at is not None
    assert Source.objects.get(outlet="Reuters").published_on_display.label() == "Jan 2024"
    assert SESSION_KEY not in admin_client.session


def test_statements_import_with_speaker_by_slug_topics_and_the_sources_they_cite(
    admin_client,
):
    make_actor(slug="kataib-hezbollah", name="Kata'ib Hezbollah")
    topic = make_topic()
    source = make_source()
    csv_text = (
        "kind,speaker_id,attribution,attribution_kind,form,text,channel,stated_on,"
        "stated_on_part_of_day,topics,source_ids\n"
        "claim,kataib-hezbollah,Kata'ib Hezbollah,official_channel,paraphrase,"
        f'"Claimed the strike, on Telegram.",telegram,2024-02-07,night,{topic.pk},{source.pk}\n'
    )
    upload(admin_client, STATEMENTS_URL, csv_text)
    confirm(admin_client, STATEMENTS_URL)
    statement = Statement.objects.get()
    assert statement.speaker.slug == "kataib-hezbollah"
    assert list(statement.topics.all()) == [topic]
    assert statement.stated_on_display.label() == "7 Feb 2024, night"
    assert Citation.objects.get().source == source
    assert statement.status == Status.DRAFT  # no status column: a draft


def test_an_editor_who_may_not_publish_imports_drafts_whatever_the_file_says(editor_client):
    response = upload(editor_client, SOURCES_URL, SOURCES_CSV)
    assert "Arrives as draft, not published: you may not publish." in response.content.decode()
    confirm(editor_client, SOURCES_URL)
    assert set(Source.objects.values_list("status", flat=True)) == {Status.DRAFT}
    assert not Source.objects.exclude(published_at=None).exists()


def test_a_publisher_keeps_the_status_in_the_file(publisher_client):
    upload(publisher_client, SOURCES_URL, SOURCES_CSV)
    confirm(publisher_client, SOURCES_URL)
    assert set(Source.objects.values_list("status", flat=True)) == {Status.PUBLISHED}


def test_can_publish_follows_the_publish_permission(django_user_model):
    editor = django_user_model.objects.create_user("e", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    publisher = django_user_model.objects.create_user("p", is_staff=True)
    publisher.groups.add(Group.objects.get(name="Publisher"))
    assert not can_publish(editor, Statement)
    assert can_publish(publisher, Statement)


def test_an_editor_cannot_change_a_published_record_by_import(editor_client):
    source = make_source(title="Original")
    response = upload(editor_client, SOURCES_URL, f"id,outlet,title\n{source.pk},NPR,Changed\n")
    page = response.content.decode()
    assert "only someone who may publish can change it" in page
    assert 'name="confirm"' not in page
    source.refresh_from_db()
    assert source.title == "Original"


def test_changing_a_record_shows_each_field_before_and_after(admin_client):
    statement = make_statement(text="Old words", verification="reported")
    response = upload(
        admin_client,
        STATEMENTS_URL,
        f"id,text,verification\n{statement.pk},New words,disputed\n",
    )
    page = response.content.decode()
    assert "To change: <strong>1</strong>" in page
    assert "text: “Old words” → “New words”" in page
    assert "verification: “reported” → “disputed”" in page
    statement.refresh_from_db()
    assert statement.text == "Old words"

    confirm(admin_client, STATEMENTS_URL)
    statement.refresh_from_db()
    assert (statement.text, statement.verification, statement.version) == (
        "New words",
        "disputed",
        2,
    )
    assert statement.history.first().history_user.username == "admin"


def test_a_row_that_matches_the_record_is_unchanged(admin_client):
    source = make_source(outlet="NPR", title="Same")
    response = upload(admin_client, SOURCES_URL, f"id,outlet,title\n{source.pk},NPR,Same\n")
    assert "Unchanged: <strong>1</strong>" in response.content.decode()


def test_a_downloaded_json_file_can_be_imported_back(admin_client, client):
    make_source(title="Round trip")
    download = b"".join(client.get("/downloads/parley.json").streaming_content)
    response = upload(admin_client, SOURCES_URL, download, name="parley.json")
    page = response.content.decode()
    assert "Unchanged: <strong>1</strong>" in page
    assert "Rejected: <strong>0</strong>" in page


def test_json_rows_are_imported_like_csv_rows(admin_client):
    rows = [{"outlet": "Al Jazeera", "title": "Strike in Baghdad", "language": "en"}]
    upload(admin_client, SOURCES_URL, json.dumps(rows), name="sources.json")
    confirm(admin_client, SOURCES_URL)
    assert Source.objects.get().outlet == "Al Jazeera"


def assert_refused(response, message):
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page, page[:3000]
    assert 'name="confirm"' not in page
    assert not Source.objects.exists()
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("outlet,title\nLe Monde,Frappe à Bagdad\n".encode("latin-1"), "s.csv", "not UTF-8"),
        (b"", "s.csv", "empty"),
        (b'[{"outlet": "NPR",', "s.json", "not valid JSON"),
        (b'{"something": 1}', "s.json", "needs a list of rows"),
        (b"[1, 2]", "s.json", "list of objects"),
        (b"outlet,outlet\nNPR,NPR\n", "s.csv", "names a column twice"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "s.csv", "not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_gets_a_clear_message_and_changes_nothing(
    admin_client, content, name, message
):
    assert_refused(upload(admin_client, SOURCES_URL, content, name=name), message)


def test_a_file_over_the_size_limit_is_refused(admin_client):
    big = b"outlet,title\n" + b"NPR,x\n" * (MAX_IMPORT_BYTES // 6 + 1)
    assert_refused(upload(admin_client, SOURCES_URL, big), "limited to 5 MB")


def test_a_file_without_a_required_column_is_refused(admin_client):
    response = upload(admin_client, SOURCES_URL, "outlet,url\nNPR,https://npr.example\n")
    assert_refused(response, "lacks required columns")
    assert "<code>title</code>" in response.content.decode()


def test_unknown_references_are_rejected_with_row_field_and_reason(admin_client):
    csv_text = (
        "kind,speaker_id,attribution,attribution_kind,form,text,channel,source_ids\n"
        "claim,nobody,Someone,named,quote,Words,x,\n"
        "claim,,Someone,named,quote,Words,x,424242\n"
        "shout,,Someone,named,quote,Words,x,\n"
    )
    response = upload(admin_client, STATEMENTS_URL, csv_text)
    assert_refused(response, "There is no actor “nobody”.")
    page = response.content.decode()
    assert "<td>2</td><td><code>speaker_id</code></td>" in page
    assert "<td>3</td><td><code>source_ids</code></td>" in page
    assert "<td>4</td><td><code>kind</code></td>" in page
    assert "Rejected: <strong>3</strong>" in page


def test_duplicate_rows_within_one_file_are_rejected(admin_client):
    csv_text = (
        "outlet,title,published_on\n"
        "NPR,Same story,2024-02-08\n"
        "NPR,Other story,2024-02-08\n"
        "NPR,Same story,2024-02-08\n"
    )
    assert_refused(upload(admin_client, SOURCES_URL, csv_text), "Duplicate of row 2")


def test_one_bad_row_means_nothing_is_imported(admin_client):
    csv_text = "outlet,title,url\nNPR,Good,https://npr.example\nNPR,Bad,not a url\n"
    assert_refused(upload(admin_client, SOURCES_URL, csv_text), "Enter a valid URL.")


def test_confirming_after_the_data_changed_imports_nothing(admin_client):
    source = make_source(outlet="NPR", title="Original", status=Status.DRAFT)
    upload(admin_client, SOURCES_URL, f"id,title\n{source.pk},Changed\n")
    source.delete()  # gone between preview and confirm
    response = confirm(admin_client, SOURCES_URL)
    assert response.status_code == 200
    assert "The data changed since the preview" in response.content.decode()
    assert not Source.objects.exists()


def test_confirming_needs_the_token_of_the_pending_import(admin_client):
    upload(admin_client, SOURCES_URL, SOURCES_CSV)
    response = admin_client.post(SOURCES_URL, {"token": "forged", "confirm": "1"}, follow=True)
    assert "no longer waiting" in response.content.decode()
    assert not Source.objects.exists()


def test_a_pending_import_cannot_be_confirmed_twice(admin_client):
    upload(admin_client, SOURCES_URL, SOURCES_CSV)
    token = admin_client.session[SESSION_KEY]["token"]
    admin_client.post(SOURCES_URL, {"token": token, "confirm": "1"})
    admin_client.post(SOURCES_URL, {"token": token, "confirm": "1"})
    assert Source.objects.count() == 2


def test_a_pending_import_belongs_to_its_table(admin_client):
    upload(admin_client, SOURCES_URL, SOURCES_CSV)
    token = admin_client.session[SESSION_KEY]["token"]
    admin_client.post(STATEMENTS_URL, {"token": token, "confirm": "1"})
    assert not Source.objects.exists()
    assert not Statement.objects.exists()


def test_cancelling_forgets_the_pending_import(admin_client):
    upload(admin_client, SOURCES_URL, SOURCES_CSV)
    admin_client.post(SOURCES_URL, {"cancel": "1"})
    assert SESSION_KEY not in admin_client.session
    assert not Source.objects.exists()


def test_people_without_permission_to_add_cannot_import(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw-view-123", is_staff=True)
    client.force_login(user)
    assert client.get(SOURCES_URL).status_code == 403
    assert upload(client, SOURCES_URL, SOURCES_CSV).status_code == 403


def test_the_public_cannot_reach_the_import(client):
    response = client.get(SOURCES_URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


STATEMENT_HEADER = "kind,attribution,attribution_kind,form,text,channel,status,source_ids\n"


def test_an_import_publishes_nothing_the_publishing_checks_would_refuse(publisher_client):
    response = upload(
        publisher_client,
        STATEMENTS_URL,
        STATEMENT_HEADER + "claim,Someone,named,quote,Unsourced words,x,published,\n",
    )
    page = response.content.decode()
    assert "Cannot be published: it needs at least one source" in page
    assert 'name="confirm"' not in page
    assert not Statement.objects.exists()


def test_a_publisher_imports_published_statements_that_cite_a_published_source(
    publisher_client,
):
    source = make_source()
    upload(
        publisher_client,
        STATEMENTS_URL,
        STATEMENT_HEADER + f"claim,Someone,named,quote,Sourced words,x,published,{source.pk}\n",
    )
    confirm(publisher_client, STATEMENTS_URL)
    statement = Statement.objects.get()
    assert statement.status == Status.PUBLISHED
    assert statement.published_at is not None
    assert statement.citations.get().source == source


def test_an_import_never_unpublishes_or_retracts(publisher_client):
    source = make_source(title="On file")
    draft = make_source(title="A draft", status=Status.DRAFT)
    csv_text = f"id,status\n{source.pk},draft\n{draft.pk},retracted\n"
    response = upload(publisher_client, SOURCES_URL, csv_text)
    page = response.content.decode()
    assert "a record on file is only ever retracted" in page
    assert "Retract records in the admin, with a correction note." in page
    source.refresh_from_db()
    assert source.status == Status.PUBLISHED


def test_a_csv_file_with_semicolons_is_read_too(admin_client):
    upload(admin_client, SOURCES_URL, "outlet;title\nLe Monde;Frappe à Bagdad, la nuit\n")
    confirm(admin_client, SOURCES_URL)
    assert Source.objects.get().title == "Frappe à Bagdad, la nuit"


def test_downloaded_positions_import_back_with_their_evidence(admin_client, client):
    from tests.factories import make_position

    evidence = make_statement()
    make_position(evidence=[evidence])
    download = b"".join(client.get("/downloads/parley.json").streaming_content)
    response = upload(
        admin_client, reverse("admin:tracker_position_import"), download, name="parley.json"
    )
    page = response.content.decode()
    assert "Unchanged: <strong>1</strong>" in page
    assert "evidence_ids" not in page  # read, not ignored


def test_many_rows_with_references_import_without_a_query_per_lookup(publisher_client):
    """django-zeal fails the request on a repeated lookup; every reference is read in bulk."""
    actors = [make_actor() for _ in range(3)]
    topics = [make_topic() for _ in range(3)]
    sources = [make_source() for _ in range(3)]
    header = (
        "kind,speaker_id,attribution,attribution_kind,form,text,channel,topics,source_ids,status\n"
    )
    rows = "".join(
        f"claim,{actors[n].slug},Speaker,named,quote,Words {n},x,{topics[n].pk};{topics[0].pk},"
        f"{sources[n].pk},published\n"
        for n in range(3)
    )
    response = upload(publisher_client, STATEMENTS_URL, header + rows)
    assert "To create: <strong>3</strong>" in response.content.decode()
    confirm(publisher_client, STATEMENTS_URL)
    assert Statement.objects.public().count() == 3
    assert Citation.objects.count() == 3
    existing = Statement.objects.order_by("pk")
    change = "id,speaker_id,topics\n" + "".join(
        f"{statement.pk},{actors[0].slug},{topics[1].pk}\n" for statement in existing
    )
    response = upload(publisher_client, STATEMENTS_URL, change)
    assert "To change: <strong>3</strong>" in response.content.decode()
    confirm(publisher_client, STATEMENTS_URL)
    assert {s.speaker_id for s in Statement.objects.all()} == {actors[0].pk}
