"""Dates display exactly as precisely as the source gives them."""

import datetime

import pytest

from tests.factories import make_event, make_negotiation, make_statement
from tracker.dates import PreciseDate
from tracker.models import Statement


def test_a_day_displays_day_month_and_year():
    assert PreciseDate(datetime.date(2024, 2, 7)).label() == "7 Feb 2024"


def test_a_day_with_a_part_of_day_displays_it():
    date = PreciseDate(datetime.date(2024, 2, 7), "day", "night")
    assert date.label() == "7 Feb 2024, night"


def test_a_week_displays_as_the_week_of_its_monday():
    date = PreciseDate(datetime.date(2024, 2, 1), "week")
    assert date.label() == "week of 29 Jan 2024"
    assert (date.start, date.end) == (datetime.date(2024, 1, 29), datetime.date(2024, 2, 4))


def test_a_month_and_a_year_display_no_day():
    assert PreciseDate(datetime.date(2024, 2, 17), "month").label() == "Feb 2024"
    assert PreciseDate(datetime.date(2024, 2, 17), "year").label() == "2024"


def test_a_month_ends_on_its_last_day_in_a_leap_year():
    assert PreciseDate(datetime.date(2024, 2, 17), "month").end == datetime.date(2024, 2, 29)


def test_on_or_before_is_said_in_words():
    date = PreciseDate(datetime.date(2024, 2, 8), "day", on_or_before=True)
    assert date.label() == "on or before 8 Feb 2024"


@pytest.mark.parametrize(
    ("precision", "machine"),
    [("day", "2024-02-07"), ("week", "2024-W06"), ("month", "2024-02"), ("year", "2024")],
)
def test_the_machine_readable_date_has_the_same_precision(precision, machine):
    assert PreciseDate(datetime.date(2024, 2, 7), precision).machine() == machine


def test_the_published_dictionary_gives_the_earliest_and_latest_day():
    data = PreciseDate(datetime.date(2024, 2, 7), "week").as_dict()
    assert data == {
        "date": "2024-02-05",
        "precision": "week",
        "part_of_day": "",
        "on_or_before": False,
        "earliest": "2024-02-05",
        "latest": "2024-02-11",
        "label": "week of 5 Feb 2024",
    }


@pytest.mark.django_db
def test_saving_moves_a_date_to_the_start_of_its_period():
    talks = make_negotiation(start_on=datetime.date(2024, 2, 8), start_on_precision="month")
    talks.refresh_from_db()
    assert talks.start_on == datetime.date(2024, 2, 1)
    assert str(talks.start_on_display) == "Feb 2024"


@pytest.mark.django_db
def test_saving_drops_a_part_of_day_from_a_date_less_precise_than_a_day():
    statement = make_statement(
        stated_on=datetime.date(2024, 2, 7),
        stated_on_precision="week",
        stated_on_part_of_day="night",
    )
    statement.refresh_from_db()
    assert statement.stated_on_part_of_day == ""


@pytest.mark.django_db
def test_a_missing_date_displays_as_none():
    event = make_event(occurred_on=None)
    assert event.occurred_on_display is None


def test_a_records_date_is_its_own_columns_whichever_record_was_read_first():
    """Records storing the same date share one value, but never take another's types:
    an ``on_or_before`` of 0 set on one record is no answer for another's ``False``."""
    day = datetime.date(2024, 2, 7)
    first = Statement(stated_on=day, stated_on_part_of_day="", stated_on_on_or_before=0)
    second = Statement(stated_on=day, stated_on_part_of_day="", stated_on_on_or_before=False)
    assert first.stated_on_display.on_or_before == 0
    assert second.stated_on_display.on_or_before is False
    assert second.stated_on_display == PreciseDate(day)
    second.stated_on_precision = "month"
    assert str(second.stated_on_display) == "Feb 2024"
