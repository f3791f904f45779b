"""Prepared querysets: built and compiled once, they return what the queryset would."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Prefetch, Value

from tests.factories import (
    cite,
    make_actor,
    make_event,
    make_position,
    make_statement,
    make_topic,
)
from tracker.models import Position, Statement, Status
from tracker.prepared import prepared
from tracker.views.common import _citations, attach_citations

pytestmark = pytest.mark.django_db


def _statements_of(speaker_id: int, day: datetime.date):
    return (
        Statement.objects.public()
        .filter(speaker=speaker_id, stated_on__lte=day)
        .select_related("speaker")
        .order_by("stated_on", "id")
    )


@pytest.fixture
def said():
    first, second = make_actor(name="First"), make_actor(name="Second")
    for speaker in (first, second):
        for day in (1, 5, 9):
            make_statement(speaker=speaker, stated_on=datetime.date(2024, 3, day), text=f"{day}")
    make_statement(speaker=first, stated_on=datetime.date(2024, 3, 2), status=Status.DRAFT)
    return first, second


def test_prepared_query_returns_what_the_queryset_returns_for_each_call(
    said, django_assert_num_queries
):
    statements_of = prepared(_statements_of)
    for speaker in said:
        for day in (
            datetime.date(2024, 3, 1),
            datetime.date(2024, 3, 6),
            datetime.date(2025, 1, 1),
        ):
            expected = list(_statements_of(speaker.pk, day))
            with django_assert_num_queries(1):  # the speaker comes with each statement
                found = statements_of(speaker.pk, day)
                assert [s.speaker.name for s in found] == [s.speaker.name for s in expected]
            assert [(s.pk, s.text, s.stated_on) for s in found] == [
                (s.pk, s.text, s.stated_on) for s in expected
            ]
    assert len(statements_of.compiled) == 1  # one SQL served every call


def test_prepared_query_takes_strings_and_lists_of_ids_one_sql_per_list_length(said):
    @prepared
    def by_names(names: list[int], text: str):
        return Statement.objects.public().filter(speaker__in=names, text=text).order_by("id")

    first, second = said
    assert [s.speaker_id for s in by_names([first.pk], "5")] == [first.pk]
    assert [s.speaker_id for s in by_names([first.pk, second.pk], "9")] == [first.pk, second.pk]
    assert by_names([second.pk], "none") == []
    assert by_names([], "5") == []
    assert len(by_names.compiled) == 3


def test_prepared_query_runs_its_prefetches_and_value_lists():
    actor, topic = make_actor(), make_topic()
    evidence = [make_statement(text="one"), make_statement(text="two")]
    make_position(actor, topic, evidence)

    @prepared
    def positions_of(actor_id: int):
        texts = Statement.objects.order_by("text")
        return Position.objects.filter(actor=actor_id).prefetch_related(
            Prefetch("evidence", queryset=texts, to_attr="texts")
        )

    @prepared
    def ids_of(actor_id: int):
        return Position.objects.filter(actor=actor_id).values_list("topic_id", flat=True)

    (position,) = positions_of(actor.pk)
    assert [s.text for s in position.texts] == ["one", "two"]
    assert ids_of(actor.pk) == [topic.pk]
    assert ids_of(actor.pk + 1000) == []


def test_a_slice_pages_through_one_sql(said):
    @prepared
    def page(speaker_id: int, window: slice):
        return Statement.objects.public().filter(speaker=speaker_id).order_by("stated_on")[window]

    first, _ = said
    texts = [s.text for s in _statements_of(first.pk, datetime.date(2025, 1, 1))]
    assert [s.text for s in page(first.pk, slice(0, 2))] == texts[0:2]
    assert [s.text for s in page(first.pk, slice(1, 3))] == texts[1:3]
    assert [s.text for s in page(first.pk, slice(2, 50))] == texts[2:]
    assert page(first.pk, slice(2, 2)) == [] and page(first.pk, slice(9, 20)) == []
    assert len(page.compiled) == 1
    with pytest.raises(TypeError, match="slices with a start and a stop"):
        page(first.pk, slice(None, 2))


def test_an_id_too_large_for_the_database_finds_nothing_rather_than_failing(said):
    find = prepared(lambda pk: Statement.objects.filter(pk=pk))
    assert find(said[0].statements.first().pk)
    assert find(10**30) == [] and find(-(10**30)) == []


def test_an_argument_that_is_not_a_query_parameter_is_refused_on_the_first_call(said):
    @prepared
    def newest(n: int):
        return Statement.objects.order_by("-id")[:n]

    @prepared
    def containing(text: str):
        return Statement.objects.filter(text__icontains=text)

    @prepared
    def newest_per_talks(window: slice):
        newest = Statement.objects.order_by("-id").values("pk")[window]
        return Statement.objects.filter(pk__in=newest)

    with pytest.raises(ImproperlyConfigured, match="must be a parameter"):
        newest(2)
    with pytest.raises(ImproperlyConfigured, match="slice must end the query"):
        newest_per_talks(slice(0, 2))
    with pytest.raises(ImproperlyConfigured, match="must be a parameter"):
        containing("5")
    with pytest.raises(TypeError, match="changes the SQL"):
        prepared(_statements_of)(True, datetime.date(2024, 1, 1))


def test_none_and_keyword_arguments_each_have_their_own_sql(said):
    @prepared
    def said_by(speaker_id: int | None, before: datetime.date | None, *, newest: int):
        statements = Statement.objects.public().order_by("-stated_on", "-id")
        if speaker_id is not None:
            statements = statements.filter(speaker=speaker_id)
        if before is not None:
            statements = statements.filter(stated_on__lt=before)
        return statements[:newest]

    first, second = said
    march_6 = datetime.date(2024, 3, 6)
    assert [s.text for s in said_by(first.pk, None, newest=2)] == ["9", "5"]
    assert [s.text for s in said_by(second.pk, march_6, newest=2)] == ["5", "1"]
    assert [s.text for s in said_by(None, march_6, newest=3)] == ["5", "5", "1"]
    assert [s.text for s in said_by(None, None, newest=1)] == ["9"]
    assert [s.text for s in said_by(first.pk, None, newest=1)] == ["9"]
    assert len(said_by.compiled) == 5


def test_rows_of_a_value_list_are_the_values_django_gives_converted_alike(said):
    @prepared
    def said_by(speaker_id: int, day: datetime.date):
        return (
            Statement.objects.public()
            .filter(speaker=speaker_id, stated_on__lte=day)
            .order_by("-stated_on", "id")
            .values_list("id", "stated_on", "stated_on_on_or_before", "speaker__name", "text")
        )

    first, second = said
    days = (datetime.date(2024, 3, 1), datetime.date(2024, 3, 6), datetime.date(2030, 1, 1))
    for speaker in (first, second):
        for day in days:
            rows = said_by.rows(speaker.pk, day)
            assert rows == [tuple(row) for row in said_by(speaker.pk, day)]
            assert all(type(row[1]) is datetime.date and type(row[2]) is bool for row in rows)
    assert [row[4] for row in said_by.rows(first.pk, datetime.date(2030, 1, 1))] == ["9", "5", "1"]
    assert said_by.rows(first.pk + 1000, datetime.date(2030, 1, 1)) == []
    assert len(said_by.compiled) == 1
    text_of = prepared(lambda pk: Statement.objects.filter(pk=pk).values_list("text"))
    assert text_of.rows(first.statements.order_by("stated_on").first().pk) == [("1",)]
    assert text_of.rows(10**30) == []


def _loaded(record) -> dict:
    """A record as Django loaded it: its attributes, and the related records it carries."""
    loaded = {name: value for name, value in vars(record).items() if name != "_state"}
    loaded["_db"], loaded["_adding"] = record._state.db, record._state.adding
    loaded["_related"] = {
        name: _loaded(related) if related is not None else None
        for name, related in record._state.fields_cache.items()
    }
    return loaded


def test_records_are_loaded_as_django_loads_them(said):
    """Records come with the same columns, deferred fields, related records and
    annotations as Django's own iterable gives them."""
    actor = make_actor(name="Third")
    make_position(actor, make_topic(), [make_statement(text="evidence")])

    def positions(actor_id: int):
        return (
            Position.objects.filter(actor=actor_id)
            .select_related("actor", "topic__negotiation")
            .only("stance", "as_of", "actor__name", "topic__title", "topic__negotiation__slug")
            .annotate(said=F("evidence__text"), first=Value(1))
        )

    def statements(speaker_id: int):
        return Statement.objects.filter(speaker=speaker_id).order_by("stated_on", "id")

    for build, pk in ((positions, actor.pk), (statements, said[0].pk)):
        expected = [_loaded(record) for record in build(pk)]
        assert expected
        assert [_loaded(record) for record in prepared(build)(pk)] == expected
        deferred = prepared(build)(pk)[0].get_deferred_fields()
        assert deferred == build(pk)[0].get_deferred_fields()


def test_values_are_read_as_django_reads_them(said):
    def values(speaker_id: int):
        return (
            Statement.objects.filter(speaker=speaker_id)
            .order_by("-stated_on", "id")
            .values_list("stated_on", "speaker__name", "stated_on_on_or_before")
        )

    def days(speaker_id: int):
        return values(speaker_id).values_list("stated_on", flat=True)

    def named(speaker_id: int):
        return values(speaker_id).values_list("text", "stated_on", named=True)

    for build in (values, days, named, lambda pk: values(pk).values("text", "stated_on")):
        expected = list(build(said[0].pk))
        assert len(expected) == 4
        found = prepared(build)(said[0].pk)
        assert found == expected
        assert [type(value) for value in found] == [type(value) for value in expected]


def test_citations_of_any_mix_of_records_take_one_sql_per_number_of_kinds():
    """A page's records are padded to one length across kinds, so pages with other
    numbers of statements and events share the SQL of their citations."""
    statements = [make_statement(text=f"{n}") for n in range(3)]
    events = [make_event(title=f"Event {n}") for n in range(3)]
    for record in (*statements, *events):
        cite(record)
    mixes = [(statements, events[:1]), (statements[:1], events), (statements[:2], events)]
    _citations.compiled.clear()  # what earlier tests compiled; it compiles again on use
    for some_statements, some_events in mixes:
        attach_citations(some_statements, some_events)
        assert all(len(r.public_citations) == 1 for r in (*some_statements, *some_events))
    assert len(_citations.compiled) == 1
