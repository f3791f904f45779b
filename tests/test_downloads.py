"""Bulk downloads: JSON, a CSV zip with a data dictionary, Popolo; public data only."""

import csv
import datetime
import gc
import html
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date

from tests.factories import (
    cite,
    make_actor,
    make_correction,
    make_event,
    make_event_role,
    make_milestone,
    make_negotiation,
    make_participation,
    make_position,
    make_relationship,
    make_source,
    make_statement,
    make_topic,
)
from tracker import serving
from tracker.exports import PublicData, csv_cell, json_chunks, neutralise
from tracker.models import Actor, Relationship, Statement, Status

pytestmark = pytest.mark.django_db


def talks_with_records():
    """One published talks with a little of everything, plus drafts that must stay hidden."""
    talks = make_negotiation(slug="iraq-us", title="Iraq–US talks")
    iraq = make_actor(slug="iraq", name="Iraq", native_name="العراق", native_language="ar")
    sudani = make_actor(slug="sudani", name="Mohammed Shia al-Sudani", kind=Actor.Kind.PERSON)
    secret = make_actor(slug="secret", name="Secret actor", status=Status.DRAFT)
    make_participation(talks, iraq, role="party")
    make_participation(talks, secret, role="mediator")
    make_relationship(sudani, iraq, kind=Relationship.Kind.MEMBER_OF)
    topic = make_topic(talks, slug="troops", title="Troops")
    source = make_source(title="US drone strike in Baghdad", outlet="NPR")
    draft_source = make_source(title="Unchecked rumour", status=Status.DRAFT)
    statement = make_statement(
        negotiation=talks,
        speaker=secret,
        text="We want the coalition to leave.",
        stated_on=datetime.date(2024, 2, 7),
        stated_on_precision="week",
    )
    statement.topics.set([topic])
    cite(statement, source, locator="paragraph 4")
    cite(statement, draft_source)
    make_statement(negotiation=talks, text="A draft nobody may see.", status=Status.DRAFT)
    make_statement(negotiation=talks, text="A retracted claim.", status=Status.RETRACTED)
    make_position(iraq, topic, evidence=[statement])
    event = make_event(negotiation=talks, slug="strike")
    make_event_role(event, iraq)
    make_milestone(talks, slug="first-round")
    make_correction(statement, text="The date was wrong.")
    make_correction(statement, text="Draft correction.", status=Status.DRAFT)
    return talks


def other_talks():
    talks = make_negotiation(slug="elsewhere", title="Other talks")
    make_statement(negotiation=talks, text="Said in other talks.")
    return talks


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def get_json(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return json.loads(content(response))


def read_zip(client, url) -> dict[str, list[dict]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(content(response)))
    assert archive.testzip() is None
    tables = {}
    for name in archive.namelist():
        if name.endswith(".csv"):
            text = archive.read(name).decode("utf-8-sig")
            tables[name] = list(csv.DictReader(io.StringIO(text, newline="")))
    return tables


ALL_JSON = "/downloads/parley.json"
ALL_CSV = "/downloads/parley-csv.zip"
ALL_POPOLO = "/downloads/parley-popolo.json"


def test_the_download_urls_have_names_for_the_talks_page():
    assert reverse("tracker:downloads") == "/downloads/"
    assert reverse("tracker:negotiation_downloads", args=["iraq-us"]) == "/talks/iraq-us/downloads/"
    assert reverse("tracker:download", args=["parley.json"]) == ALL_JSON


def test_the_downloads_page_links_every_format_and_describes_every_column(client):
    talks_with_records()
    response = client.get("/downloads/")
    assert response.status_code == 200
    page = response.content.decode()
    for filename in ("parley.json", "parley-csv.zip", "parley-popolo.json"):
        assert f'href="/downloads/{filename}"' in page
    assert "<code>attribution_kind</code>" in page
    assert "As the source words it" in page  # help text, straight from the model
    assert "csrftoken" not in response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_the_pages_dictionary_is_every_row_of_the_csv_dictionary_whatever_the_data(client):
    empty = client.get("/downloads/").content.decode()
    talks_with_records()
    pages = [
        client.get(url).content.decode() for url in ("/downloads/", "/talks/iraq-us/downloads/")
    ]
    dictionaries = {page.split('id="dictionary-heading"')[1] for page in [empty, *pages]}
    assert len(dictionaries) == 1
    tables = read_zip(client, ALL_CSV)
    rows = tables["data_dictionary.csv"]
    dictionary = dictionaries.pop()
    assert dictionary.count('<tr><th scope="row">') == len(rows)
    for row in rows:
        described = (
            f'<tr><th scope="row"><code>{html.escape(row["column"])}</code></th>'
            f"<td>{html.escape(row['type'])}</td><td>{html.escape(row['description'])}</td></tr>"
        )
        assert described in dictionary


def test_the_talks_downloads_page_links_that_talks_files(client):
    talks_with_records()
    response = client.get("/talks/iraq-us/downloads/")
    assert response.status_code == 200
    assert 'href="/talks/iraq-us/downloads/parley-csv.zip"' in response.content.decode()


def test_the_json_download_holds_every_public_record_with_its_citations(client):
    talks_with_records()
    data = get_json(client, ALL_JSON)
    texts = [statement["text"] for statement in data["statements"]]
    assert texts == ["We want the coalition to leave."]
    statement = data["statements"][0]
    assert statement["stated_on"] == {
        "date": "2024-02-05",
        "precision": "week",
        "part_of_day": "",
        "on_or_before": False,
        "earliest": "2024-02-05",
        "latest": "2024-02-11",
        "label": "week of 5 Feb 2024",
    }
    assert statement["citations"] == [
        {
            "source_id": statement["citations"][0]["source_id"],
            "title": "US drone strike in Baghdad",
            "outlet": "NPR",
            "published_on": statement["citations"][0]["published_on"],
            "url": statement["citations"][0]["url"],
            "locator": "paragraph 4",
        }
    ]
    assert statement["page_url"] == f"http://testserver/statements/{statement['id']}/"
    assert len(statement["topic_ids"]) == 1
    assert [c["text"] for c in data["corrections"]] == ["The date was wrong."]
    assert [s["title"] for s in data["sources"]] == ["US drone strike in Baghdad"]
    assert {a["slug"] for a in data["actors"]} == {"iraq", "sudani"}


def test_drafts_never_appear_in_any_download(client):
    talks_with_records()
    for url in (ALL_JSON, ALL_CSV, ALL_POPOLO, "/talks/iraq-us/downloads/parley-csv.zip"):
        body = content(client.get(url))
        if url.endswith(".zip"):
            archive = zipfile.ZipFile(io.BytesIO(body))
            body = b"".join(archive.read(name) for name in archive.namelist())
        text = body.decode("utf-8")
        for hidden in (
            "A draft nobody may see",
            "A retracted claim",
            "Secret actor",
            "Unchecked rumour",
            "Draft correction",
            "secret",
        ):
            assert hidden not in text, (url, hidden)


def test_a_reference_to_a_record_that_is_not_public_is_left_empty(client):
    talks_with_records()
    data = get_json(client, ALL_JSON)
    assert data["statements"][0]["speaker_id"] is None
    tables = read_zip(client, ALL_CSV)
    assert tables["statements.csv"][0]["speaker_id"] == ""


def test_a_talks_download_holds_only_that_talks_records(client):
    talks_with_records()
    other_talks()
    data = get_json(client, "/talks/iraq-us/downloads/parley.json")
    assert [n["slug"] for n in data["negotiations"]] == ["iraq-us"]
    assert "Said in other talks." not in [s["text"] for s in data["statements"]]
    assert data["about"]["scope"] == "iraq-us"
    everything = get_json(client, ALL_JSON)
    assert "Said in other talks." in [s["text"] for s in everything["statements"]]


def test_the_csv_zip_has_one_file_per_table_and_a_dictionary_of_every_column(client):
    talks_with_records()
    tables = read_zip(client, ALL_CSV)
    dictionary = tables.pop("data_dictionary.csv")
    described = {(row["file"], row["column"]) for row in dictionary}
    assert all(row["description"] for row in dictionary)
    response = client.get(ALL_CSV)
    archive = zipfile.ZipFile(io.BytesIO(content(response)))
    for name in tables:
        header = archive.read(name).decode("utf-8-sig").splitlines()[0].split(",")
        for column in header:
            assert (name, column) in described, (name, column)
    assert {
        "statements.csv",
        "actors.csv",
        "citations.csv",
        "statement_topics.csv",
        "position_evidence.csv",
        "corrections.csv",
        "sources.csv",
    } <= set(tables)
    assert len(tables["citations.csv"]) == 1  # the draft source's citation is left out
    assert len(tables["statement_topics.csv"]) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '=HYPERLINK("https://evil.example","click")',
            '\'=HYPERLINK("https://evil.example","click")',
        ),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Harmless words", "Harmless words"),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(client, text, expected):
    make_statement(text=text, attribution=text)
    tables = read_zip(client, ALL_CSV)
    row = tables["statements.csv"][0]
    assert row["text"] == expected
    assert row["attribution"] == row["text"]


def test_neutralising_leaves_numbers_as_numbers_and_quotes_text():
    assert csv_cell("-44.36100") == "-44.36100"
    assert csv_cell("-44.36100", text=True) == "'-44.36100"
    assert neutralise("=1") == "'=1"
    assert csv_cell(None) == ""
    assert csv_cell(True) == "true"


def test_negative_coordinates_stay_numbers_in_the_csv(client):
    make_event(latitude="33.31234", longitude="-44.36100")
    tables = read_zip(client, ALL_CSV)
    assert tables["events.csv"][0]["longitude"] == "-44.36100"


def test_the_popolo_download_lists_persons_organizations_and_memberships(client):
    talks_with_records()
    data = get_json(client, ALL_POPOLO)
    assert [p["id"] for p in data["persons"]] == ["actor/sudani"]
    organizations = {o["id"]: o for o in data["organizations"]}
    assert organizations["actor/iraq"]["classification"] == "state"
    assert organizations["actor/iraq"]["other_names"][0] == {"name": "العراق", "note": "ar"}
    assert organizations["talks/iraq-us"]["classification"] == "talks"
    assert "actor/secret" not in organizations
    memberships = data["memberships"]
    assert {"person_id": "actor/sudani", "organization_id": "actor/iraq"}.items() <= memberships[
        0
    ].items()
    participation = [m for m in memberships if m["organization_id"] == "talks/iraq-us"]
    assert participation == [
        {
            "id": participation[0]["id"],
            "organization_id": "talks/iraq-us",
            "role": "party",
            "member": {"@type": "Organization", "id": "actor/iraq"},
        }
    ]


@pytest.mark.parametrize("url", [ALL_JSON, ALL_CSV, "/talks/iraq-us/downloads/parley.json"])
def test_large_downloads_stream(client, url):
    talks_with_records()
    response = client.get(url)
    assert response.streaming
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("url", [ALL_JSON, ALL_CSV, ALL_POPOLO])
def test_downloads_answer_304_to_a_matching_etag_or_date(client, url):
    talks_with_records()
    response = client.get(url)
    etag, modified = response["ETag"], response["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    earlier = http_date(datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC).timestamp())
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


def test_the_etag_changes_when_public_data_changes(client):
    talks_with_records()
    before = client.get(ALL_JSON)["ETag"]
    statement = Statement.objects.public().get()
    statement.text = "Reworded."
    statement.save()
    assert client.get(ALL_JSON)["ETag"] != before
    before = client.get(ALL_JSON)["ETag"]
    cite(statement)  # a citation has no timestamp of its own
    after = client.get(ALL_JSON)
    assert after["ETag"] != before
    assert client.get(ALL_JSON, HTTP_IF_NONE_MATCH=before).status_code == 200


def test_editing_a_citations_locator_changes_the_etag(client):
    talks_with_records()
    citation = cite(Statement.objects.public().get(), locator="paragraph 1")
    before = client.get(ALL_JSON)["ETag"]
    citation.locator = "paragraph 2"
    citation.save()
    assert client.get(ALL_JSON, HTTP_IF_NONE_MATCH=before).status_code == 200


def test_etags_differ_between_formats_and_talks(client):
    talks_with_records()
    etags = {
        client.get(url)["ETag"]
        for url in (ALL_JSON, ALL_CSV, "/talks/iraq-us/downloads/parley.json")
    }
    assert len(etags) == 3


@pytest.mark.parametrize(
    "url",
    [
        "/downloads/parley.exe",
        "/downloads/..%2Fsettings.py",
        "/talks/nowhere/downloads/",
        "/talks/nowhere/downloads/parley.json",
        "/talks/hidden/downloads/parley.json",
        "/talks/hidden/downloads/",
    ],
)
def test_unknown_files_and_unpublished_talks_get_404(client, url):
    make_negotiation(slug="hidden", status=Status.DRAFT)
    assert client.get(url).status_code == 404


def test_downloads_are_read_only(client):
    assert client.post(ALL_JSON).status_code == 405
    assert client.post("/downloads/").status_code == 405


def test_a_head_request_gets_the_headers_without_the_body(client):
    talks_with_records()
    response = client.head(ALL_CSV)
    assert response.status_code == 200
    assert response["ETag"]
    assert content(response) == b""


def test_the_json_download_costs_the_same_queries_however_much_data(client):
    talks_with_records()
    with CaptureQueriesContext(connection) as few:
        content(client.get(ALL_JSON))
    for n in range(5):
        statement = make_statement(text=f"More {n}")
        statement.topics.set([make_topic()])
        cite(statement)
    with CaptureQueriesContext(connection) as many:
        content(client.get(ALL_JSON))
    assert len(many) == len(few)


def test_each_record_in_the_json_download_has_its_own_citations_by_source(client):
    # The JSON reads each table's citations beside its records, both in order of id:
    # records with none, several, or only a draft source's lie between one another.
    talks = make_negotiation(slug="iraq-us")
    first, second = make_source(title="First"), make_source(title="Second")
    draft = make_source(title="Draft", status=Status.DRAFT)
    statements = [make_statement(negotiation=talks, text=f"S{n}") for n in range(5)]
    hidden = make_statement(negotiation=talks, text="Hidden", status=Status.DRAFT)
    cite(statements[1], second, locator="b")
    cite(statements[1], first, locator="a")
    cite(statements[3], draft)
    cite(hidden, first)
    cite(statements[4], second)
    actor = make_actor(slug="iraq")
    make_participation(talks, actor)
    cite(actor, first, locator="on the actor")
    for url in (ALL_JSON, "/talks/iraq-us/downloads/parley.json"):
        data = get_json(client, url)
        cited = {
            s["text"]: [(c["title"], c["locator"]) for c in s["citations"]]
            for s in data["statements"]
        }
        assert cited == {
            "S0": [],
            "S1": [("First", "a"), ("Second", "b")],
            "S2": [],
            "S3": [],
            "S4": [("Second", "")],
        }
        assert [c["locator"] for c in data["actors"][0]["citations"]] == ["on the actor"]
        assert data["negotiations"][0]["citations"] == []


def test_the_downloads_of_all_talks_stream_their_citations_rather_than_hold_them(
    client, monkeypatch
):
    # All talks' citations (260,000 at 200,000 statements) held in a list for the whole
    # download took a worker from 62 to 361 MB for the JSON and 232 MB for the CSV.
    talks_with_records()
    original = PublicData.citations

    def every_citation_at_once(data):
        assert data.negotiation is not None, "all talks' citations read into one list"
        return original(data)

    monkeypatch.setattr(PublicData, "citations", every_citation_at_once)
    data = get_json(client, ALL_JSON)
    assert [c["locator"] for c in data["statements"][0]["citations"]] == ["paragraph 4"]
    tables = read_zip(client, ALL_CSV)
    assert [row["locator"] for row in tables["citations.csv"]] == ["paragraph 4"]


def cyclic_garbage_of_the_json_of_all_talks() -> int:
    """How many objects writing the JSON of all talks leaves for the garbage collector."""
    gc.collect()
    gc.disable()
    try:
        for _chunk in json_chunks(PublicData(), {}):
            pass
        return gc.collect()
    finally:
        gc.enable()


def test_writing_the_json_leaves_no_more_garbage_cycles_for_more_rows():
    # A gunicorn worker collects cycles seldom (gunicorn.conf.py): the JSON of all talks
    # made one for each row with links (prefetch_related), 110 MB of a worker's memory.
    talks = talks_with_records()
    topic = make_topic(talks)
    few = cyclic_garbage_of_the_json_of_all_talks()
    for n in range(20):
        statement = make_statement(negotiation=talks, text=f"More {n}")
        statement.topics.set([topic])
        make_position(make_actor(), topic, evidence=[statement])
    assert cyclic_garbage_of_the_json_of_all_talks() == few


def test_a_download_reports_that_its_worker_is_alive_as_it_streams(client, monkeypatch):
    # gunicorn restarts a synchronous worker that has not reported for GUNICORN_TIMEOUT
    # seconds; the JSON of all talks takes longer than that at scale.
    talks_with_records()
    reports = []
    monkeypatch.setattr(serving, "report_alive", lambda: reports.append(1))
    monkeypatch.setattr(serving, "REPORT_EVERY", 0)
    chunks = list(client.get(ALL_JSON).streaming_content)
    assert len(reports) == len(chunks) > 1


def test_the_seed_downloads_are_complete_and_public(seed, client):
    data = get_json(client, ALL_JSON)
    assert data["negotiations"]
    assert data["statements"]
    assert all(s["citations"] for s in data["statements"])
    slug = data["negotiations"][0]["slug"]
    tables = read_zip(client, f"/talks/{slug}/downloads/parley-csv.zip")
    assert len(tables["statements.csv"]) == len(data["statements"])
    popolo = get_json(client, ALL_POPOLO)
    assert popolo["organizations"]


def test_a_sources_own_address_and_its_page_on_parley_are_separate_columns(client):
    source = make_source(url="https://npr.example/strike")
    data = get_json(client, ALL_JSON)
    assert data["sources"][0]["url"] == "https://npr.example/strike"
    assert data["sources"][0]["page_url"] == f"http://testserver/sources/{source.pk}/"


def test_the_talks_page_links_to_its_downloads(client):
    talks_with_records()
    page = client.get("/talks/iraq-us/").content.decode()
    assert 'href="/talks/iraq-us/downloads/"' in page


def test_the_popolo_download_reads_only_the_citations_it_shows_in_few_queries(client):
    talks_with_records()
    actor = Actor.objects.get(slug="iraq")
    cite(actor)
    with CaptureQueriesContext(connection) as queries:
        data = get_json(client, "/talks/iraq-us/downloads/parley-popolo.json")
    iraq = next(o for o in data["organizations"] if o["id"] == "actor/iraq")
    assert [s["note"] for s in iraq["sources"]] == [actor.citations.get().source.title]
    # The stamp, the talks, the ids of its actors, relationships and talks, their
    # citations and sources, then actors, relationships, talks and participations.
    assert len(queries) == 11
