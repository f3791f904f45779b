"""Search: /search/ finds every kind of public record, and never anything else."""

import datetime
import html

import markdown
import nh3
import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.urls import reverse

from tests.factories import (
    cite,
    make_actor,
    make_event,
    make_milestone,
    make_negotiation,
    make_participation,
    make_position,
    make_source,
    make_statement,
    make_topic,
)
from tracker import generate, search_views
from tracker import search as search_module
from tracker.dates import Precision
from tracker.models import SearchDocument, Statement, Status
from tracker.search import KIND_BLOCK, document_id, kind_ids, parse_query, plain

pytestmark = pytest.mark.django_db
SEARCH = reverse("tracker:search")


def result_urls(response) -> list[str]:
    """The addresses of the results on a search page, in order."""
    page = response.context["results"]
    return [hit.document.url for hit in page.object_list]


def search(client, **params):
    response = client.get(SEARCH, params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


def one_of_each_kind(word: str, status: str = Status.PUBLISHED, n: int = 0) -> dict:
    """One record of every searchable kind, each with ``word`` in its text."""
    talks = make_negotiation(title=f"Talks on {word}", status=status)
    public_talks = make_negotiation()
    actor = make_actor(name=f"{word} Brigade", status=status)
    topic = make_topic(negotiation=public_talks, question=f"Should {word} stay?", status=status)
    statement = make_statement(text=f"We reject {word}.", status=status)
    position = make_position(
        topic=make_topic(negotiation=public_talks),
        summary=f"Opposes {word}.",
        evidence=[statement],
        status=status,
    )
    event = make_event(title=f"Strike near {word}", status=status)
    milestone = make_milestone(negotiation=public_talks, title=f"{word} round", status=status)
    source = make_source(title=f"Inside {word} {n}", status=status)
    return {
        "talks": talks,
        "actor": actor,
        "topic": topic,
        "position": position,
        "statement": statement,
        "event": event,
        "milestone": milestone,
        "source": source,
    }


def test_hezbollah_finds_the_militia_kataib_hezbollah(client, seed):
    response = search(client, q="Hezbollah")
    urls = result_urls(response)
    assert reverse("tracker:actor", args=["kataib-hezbollah"]) in urls
    assert "Kata&#x27;ib <mark>Hezbollah</mark>" in response.content.decode()


def test_every_public_record_kind_is_found(client):
    records = one_of_each_kind("Zanzibar")
    response = search(client, q="zanzibar")
    assert sorted(result_urls(response)) == sorted(r.get_absolute_url() for r in records.values())
    assert set(response.context["results"].paginator.object_list.facets) == set(records)


def test_actors_are_found_by_alias_and_by_native_name(client):
    actor = make_actor(
        name="Kata'ib Hezbollah",
        aliases="Kataib Hezbollah\nHezbollah Brigades\nKH",
        native_name="كتائب حزب الله",
        native_language="ar",
    )
    for query in ("Brigades", "KH", "كتائب", "Kataib"):
        assert result_urls(search(client, q=query)) == [actor.get_absolute_url()], query


def test_statements_are_found_by_attribution_and_events_by_place(client):
    statement = make_statement(attribution="a former senior U.S. military official")
    event = make_event(place_name="al-Mashtal", district="east Baghdad", city="Baghdad")
    assert result_urls(search(client, q="former official")) == [statement.get_absolute_url()]
    assert result_urls(search(client, q="Mashtal")) == [event.get_absolute_url()]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.RETRACTED])
def test_drafts_never_appear_in_search(client, status):
    one_of_each_kind("Zanzibar", status=status)
    response = search(client, q="zanzibar")
    assert result_urls(response) == []
    assert "Zanzibar" not in response.content.decode().replace("“zanzibar”", "")
    assert not SearchDocument.objects.filter(title__icontains="zanzibar").exists()


def test_records_of_unpublished_talks_never_appear_in_search(client):
    talks = make_negotiation(status=Status.DRAFT)
    make_topic(negotiation=talks, title="Zanzibar question")
    make_milestone(negotiation=talks, title="Zanzibar round")
    make_position(topic=make_topic(negotiation=talks), summary="On Zanzibar.")
    assert result_urls(search(client, q="zanzibar")) == []


def test_publishing_a_draft_adds_it_to_search(client):
    statement = make_statement(text="Zanzibar is on the table.", status=Status.DRAFT)
    assert result_urls(search(client, q="zanzibar")) == []
    statement.status = Status.PUBLISHED
    statement.save()
    assert result_urls(search(client, q="zanzibar")) == [statement.get_absolute_url()]


def test_retraction_removes_a_record_from_search(client):
    records = one_of_each_kind("Zanzibar")
    for record in records.values():
        record.status = Status.RETRACTED
        record.save()
    assert result_urls(search(client, q="zanzibar")) == []


def test_editing_a_record_updates_search(client):
    event = make_event(title="Strike on Zanzibar")
    event.title = "Strike on Pemba"
    event.save()
    assert result_urls(search(client, q="zanzibar")) == []
    assert result_urls(search(client, q="pemba")) == [event.get_absolute_url()]


def test_editing_a_record_keeps_its_place_among_equal_matches(client):
    first = make_statement(text="Zanzibar said so.")
    second = make_statement(text="Zanzibar said so.")
    first.channel = Statement.Channel.TELEGRAM
    first.save()
    urls = result_urls(search(client, q="zanzibar"))
    assert urls == [first.get_absolute_url(), second.get_absolute_url()]


def test_each_kind_of_document_takes_its_own_block_of_ids(client):
    records = one_of_each_kind("Zanzibar")
    documents = SearchDocument.objects.all()
    ids = {(d.kind, d.object_id): d.pk for d in documents}
    for kind, record in records.items():
        assert ids[kind, record.pk] == document_id(kind, record.pk)
    for document in documents:
        first, last = kind_ids(document.kind)
        assert first < document.pk <= last
    with pytest.raises(ValueError):
        document_id("statement", KIND_BLOCK)


def test_the_generator_numbers_documents_as_search_does(db):
    generate.generate(300, seed=3, log=lambda line: None)
    documents = SearchDocument.objects.values_list("pk", "kind", "object_id")
    assert documents.count() > 300
    assert all(pk == document_id(kind, object_id) for pk, kind, object_id in documents)


def test_unpublishing_talks_takes_their_topics_out_of_search(client):
    talks = make_negotiation()
    topic = make_topic(negotiation=talks, title="Zanzibar question")
    assert result_urls(search(client, q="zanzibar")) == [topic.get_absolute_url()]
    talks.status = Status.DRAFT
    talks.save()
    assert result_urls(search(client, q="zanzibar")) == []


def test_renaming_an_actor_updates_its_positions_in_search(client):
    actor = make_actor(name="Zanzibar Front")
    position = make_position(actor=actor)
    actor.name = "Pemba Front"
    actor.save()
    assert result_urls(search(client, q="pemba", kind="position")) == [position.get_absolute_url()]


def test_highlighting_escapes_everything_but_the_marks(client):
    make_statement(
        attribution='<img src=x onerror="alert(1)"> Hezbollah',
        text='<script>alert("x")</script> Hezbollah & friends \ue000said\ue001',
    )
    content = search(client, q="Hezbollah").content.decode()
    assert "<mark>Hezbollah</mark>" in content
    assert "<script>alert" not in content
    assert "<img src=x" not in content
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>Hezbollah</mark>" in content
    assert "<mark>said</mark>" not in content


def test_kind_filter_keeps_only_the_chosen_kinds_and_links_count_every_kind(client):
    records = one_of_each_kind("Zanzibar")
    response = search(client, q="zanzibar", kind=["event", "source"])
    assert sorted(result_urls(response)) == sorted(
        [records["event"].get_absolute_url(), records["source"].get_absolute_url()]
    )
    links = {link["kind"]: link["count"] for link in response.context["kind_links"]}
    assert links == dict.fromkeys(records, 1)
    assert response.context["total"] == 2


def test_talks_filter_keeps_only_records_of_those_talks(client):
    talks, other = make_negotiation(), make_negotiation()
    actor = make_actor(name="Zanzibar Front")
    make_participation(negotiation=talks, actor=actor)
    topic = make_topic(negotiation=talks, title="Zanzibar")
    statement = make_statement(text="Zanzibar now.", negotiation=talks)
    by_topic = make_statement(text="Zanzibar too.")
    by_topic.topics.add(topic)
    source = make_source(title="Zanzibar report")
    cite(statement, source)
    make_statement(text="Zanzibar elsewhere.", negotiation=other)
    make_milestone(negotiation=other, title="Zanzibar round")
    response = search(client, q="zanzibar", talks=talks.slug)
    expected = [actor, topic, statement, by_topic, source]
    assert sorted(result_urls(response)) == sorted(r.get_absolute_url() for r in expected)


def test_date_range_keeps_records_whose_dates_overlap_it(client):
    in_week = make_statement(
        text="Zanzibar", stated_on=datetime.date(2024, 2, 7), stated_on_precision=Precision.WEEK
    )
    in_month = make_event(
        title="Zanzibar", occurred_on=datetime.date(2024, 1, 1), occurred_on_precision="month"
    )
    make_statement(text="Zanzibar", stated_on=datetime.date(2024, 3, 1))
    make_actor(name="Zanzibar Front")  # no date: drops out once a range is set
    response = search(client, q="zanzibar", **{"from": "2024-01-31", "to": "2024-02-05"})
    assert sorted(result_urls(response)) == sorted(
        [in_week.get_absolute_url(), in_month.get_absolute_url()]
    )
    assert "week of 5 Feb 2024" in response.content.decode()


def test_results_are_paginated(client):
    for n in range(25):
        make_statement(text=f"Zanzibar number {n}")
    first = search(client, q="zanzibar")
    second = search(client, q="zanzibar", page=2)
    assert len(result_urls(first)) == 20
    assert len(result_urls(second)) == 5
    assert not set(result_urls(first)) & set(result_urls(second))
    assert 'rel="next"' in first.content.decode()
    assert client.get(SEARCH, {"q": "zanzibar", "page": 3}).status_code == 404


@pytest.mark.parametrize("ranked", [128, 1])
def test_equal_matches_run_latest_first_then_oldest_record_across_pages(
    client, monkeypatch, ranked
):
    # With one match kept past the page, the matches ranked equal to its last run
    # past those kept, and the page is read again from every match.
    monkeypatch.setattr("tracker.search._RANKED", ranked)
    # The same words in every statement rank them alike; a title match outranks them.
    days = [datetime.date(2024, 1, 1 + n % 4) for n in range(23)]
    statements = [make_statement(text="Zanzibar said so.", stated_on=day) for day in days]
    undated = make_statement(text="Zanzibar said so.", stated_on=None)
    titled = make_statement(attribution="Zanzibar office", text="Zanzibar said so.")
    latest_first = sorted(
        statements, key=lambda statement: (-statement.stated_on.toordinal(), statement.pk)
    )
    expected = [titled, *latest_first, undated]
    urls = result_urls(search(client, q="zanzibar")) + result_urls(
        search(client, q="zanzibar", page=2)
    )
    assert urls == [statement.get_absolute_url() for statement in expected]


def test_quoted_phrases_must_match_whole_and_minus_excludes_a_word(client):
    together = make_statement(text="The Zanzibar Pemba agreement.")
    apart = make_statement(text="Pemba said Zanzibar.")
    assert result_urls(search(client, q='"zanzibar pemba"')) == [together.get_absolute_url()]
    assert result_urls(search(client, q="zanzibar -agreement")) == [apart.get_absolute_url()]


def test_query_words_are_never_read_as_operators():
    query = parse_query('NOT OR AND near( "a" * ^x')
    assert query.required == ("NOT", "OR", "AND", "near(", "a", "^x")
    assert query.fts5() == '"NOT" AND "OR" AND "AND" AND "near(" AND "a" AND "^x"'


@pytest.mark.parametrize(
    "query", ["NOT OR AND", 'near( "a" * ^x', '"unclosed', "' ; DROP TABLE x; --", "a:b {c}"]
)
def test_query_syntax_of_any_kind_never_fails(client, query):
    make_statement(text="AND OR near a")
    search(client, q=query)


def test_a_query_without_letters_or_digits_shows_the_form(client):
    response = search(client, q="!!! ---")
    assert response.context.get("results") is None
    assert "Enter a word" in response.content.decode()


def test_the_search_page_without_a_query_shows_the_form(client):
    response = search(client)
    assert 'name="q"' in response.content.decode()
    assert response.context.get("results") is None


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x", "kind": "nonsense"},
        {"q": "x", "from": "2024-02-30"},
        {"q": "x", "from": "yesterday"},
        {"q": "x", "to": "0001-01-01"},
        {"q": "x", "from": "2024-03-01", "to": "2024-02-01"},
        {"q": "x", "page": "abc"},
        {"q": "x", "page": "0"},
        {"q": "x", "page": "99999999999999999999"},
        {"q": "x", "talks": "no-such-talks"},
        {"q": "x", "talks": "not a slug"},
        {"q": "x", "talks": "nul\x00"},
        {"q": "x" * 201},
        {"q": "null\x00byte"},
    ],
)
def test_garbage_parameters_get_a_400_page(client, params):
    response = client.get(SEARCH, params)
    assert response.status_code == 400
    assert "This search could not be run" in response.content.decode()


def test_a_page_past_the_last_gets_a_404(client):
    make_statement(text="Zanzibar")
    assert client.get(SEARCH, {"q": "zanzibar", "page": 5000}).status_code == 404


def test_search_answers_get_and_head_only(client):
    assert client.head(SEARCH, {"q": "x"}).status_code == 200
    assert client.post(SEARCH, {"q": "x"}).status_code == 405


def test_search_sets_no_cookie(client):
    response = search(client, q="zanzibar")
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def rendered_as_text(text: str) -> str:
    """What ``plain`` means: the Markdown rendered, its tags dropped, entities read."""
    html_text = nh3.clean(markdown.markdown(text), tags=set())
    return " ".join(html.unescape(html_text).split())


@pytest.mark.parametrize(
    "text",
    [
        "The parties agreed to keep talking.",
        "“We will stay,” he said. Talks resume on 3 March (in Doha)!\n\nA second paragraph.",
        "Q: what? A: 50% / $3 – or €4 — at most… 'maybe'",
        "1. First\n2. Second",
        "Before\n  - a list",
        "Title\n---\nBody",
        "Title\n===",
        "    indented code -- kept",
        "*stress* and **more**, `code`, <b>tag</b> & [a link](https://example.com)",
        "AT&amp;T and 5 &lt; 6",
        "snake_case_name",
        "line one  \nline two\r\nline three",
        "non\u00a0breaking \u2028 separators",
    ],
)
def test_plain_text_is_what_rendering_the_markdown_leaves(text):
    assert plain(text) == rendered_as_text(text)


@pytest.mark.parametrize("scale", [1, 10])
def test_search_runs_a_fixed_number_of_queries_whatever_the_data(
    client, django_assert_num_queries, scale
):
    talks = make_negotiation()
    for n in range(scale):
        records = one_of_each_kind("Zanzibar", n=n)
        records["statement"].topics.add(make_topic(negotiation=talks))
        make_statement(text=f"Zanzibar {n}", negotiation=talks)
    # The publication stamp (conditional GET), the talks for the filter, the
    # count per kind, and the page of results with its highlighting: one query
    # for both on PostgreSQL, which ranks every match to count them.
    searching = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(2 + searching):
        search(client, q="zanzibar", talks=talks.slug, kind=["statement", "topic"])
    # The talks are read once per state of the data, as the stamp gives it.
    with django_assert_num_queries(1 + searching):
        search(client, q="zanzibar", kind=["statement", "topic"])
    with django_assert_num_queries(1 + searching):
        search(client, q="zanzibar")
    with django_assert_num_queries(2):  # a page past the last: counted, not read
        assert client.get(SEARCH, {"q": "zanzibar", "page": 99}).status_code == 404


def test_the_talks_filter_follows_every_change_to_the_talks(client):
    talks = make_negotiation(title="Talks on Zanzibar")
    assert f'value="{talks.slug}"' in search(client, q="zanzibar").content.decode()
    talks.title = "Talks on Pemba"
    talks.save()
    page = search(client, q="zanzibar").content.decode()
    assert ">Talks on Pemba</option>" in page
    assert "Talks on Zanzibar" not in page
    talks.status = Status.DRAFT
    talks.save()
    assert f'value="{talks.slug}"' not in search(client, q="zanzibar").content.decode()
    other = make_negotiation(title="Talks on Mafia")
    chosen = search(client, q="zanzibar", talks=other.slug)
    assert chosen.status_code == 200
    assert f'<option value="{other.slug}" selected>' in chosen.content.decode()


def test_rebuild_search_index_restores_the_index(client, seed):
    expected = sorted(result_urls(search(client, q="Hezbollah")))
    SearchDocument.objects.all().delete()
    assert result_urls(search(client, q="Hezbollah")) == []
    call_command("rebuild_search_index", verbosity=0)
    call_command("rebuild_search_index", verbosity=0)
    assert sorted(result_urls(search(client, q="Hezbollah"))) == expected


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=x",
        "q=a+b&kind=event&kind=source&page=3",
        "page=2&q=%C3%A9%26%3C&talks=t&from=2024-01-01",
    ],
)
def test_kind_links_add_the_kind_as_the_query_string_would(query):
    params = QueryDict(query)
    all_kinds_url = search_views._url(params, kind=None, page=None)
    links = search_views._kind_links(all_kinds_url, {"actor": 2, "event": 1}, ["event"])
    assert [link["url"] for link in links] == [
        search_views._url(params, kind=kind, page=None) for kind in ("actor", "event")
    ]
    assert [link["chosen"] for link in links] == [False, True]


def test_the_talks_and_kinds_chosen_stay_chosen_in_the_form(client):
    talks = make_negotiation(title="Talks on A & B <1>")
    make_negotiation()
    content = search(client, q="zanzibar", talks=talks.slug, kind=["event", "actor"]).content
    content = content.decode()
    assert f'<option value="{talks.slug}" selected>Talks on A &amp; B &lt;1&gt;</option>' in content
    assert content.count(" selected>") == 1
    assert 'value="event" checked> Event' in content
    assert 'value="actor" checked> Actor' in content
    assert content.count(" checked>") == 2


@pytest.mark.parametrize("excluded", ["", " -pemba"])
def test_a_page_read_with_the_count_is_the_page_read_after_it(excluded):
    # On PostgreSQL the page a Paginator is going to ask for is read with the
    # count; any other page is read when asked for. Both give the same rows.
    talks = make_negotiation()
    for n in range(7):
        make_statement(text=f"Zanzibar harbour {n}" + " zanzibar" * (n % 3), negotiation=talks)
    make_statement(text="Zanzibar and Pemba", negotiation=talks)
    make_statement(text="Zanzibar harbour elsewhere")
    text = f"zanzibar harbour{excluded}"

    def found(results, window: slice) -> list[tuple]:
        return [(hit.document.id, str(hit.title), str(hit.snippet)) for hit in results[window]]

    def run(**filters):
        return search_module.search(text, talks=talks, kinds=["statement"], **filters)

    whole = found(run(), slice(0, 20))
    assert len(whole) == 7
    to = datetime.date.today()
    for start in range(0, 8, 3):
        window = slice(start, min(start + 3, 7))
        expected = run()
        expected.expect(slice(start, start + 3))
        assert expected.count() == 7
        assert expected.facets == {"statement": 7}
        assert found(expected, window) == whole[window]
        unexpected = run(date_to=to)
        assert found(unexpected, window) == whole[window]
        assert unexpected.count() == 7


@pytest.mark.django_db(transaction=True)
def test_migrating_moves_each_documents_vector_to_its_terms_and_back(client):
    """Migration 0017 moves PostgreSQL's vectors from the documents to their own table,
    and back when reversed; search finds the same records on both sides (on SQLite,
    where FTS5 searches, its tables change and the FTS triggers stay)."""
    from django.db.migrations.executor import MigrationExecutor

    statement = make_statement(text="Zanzibar is on the table.")
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("tracker")
    executor.migrate([("tracker", "0016_statements_by_talks_latest")])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tracker_searchdocument WHERE vector @@ 'zanzibar'")
            assert cursor.fetchone() == (1,)
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    assert result_urls(search(client, q="zanzibar")) == [statement.get_absolute_url()]
    statement.text = "Pemba is on the table."
    statement.save()
    assert result_urls(search(client, q="zanzibar")) == []
    assert result_urls(search(client, q="pemba")) == [statement.get_absolute_url()]
