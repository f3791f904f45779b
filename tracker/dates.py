"""Dates as precise as the source allows, and no more.

Reports say "Wednesday night", "last week" or "early 2024". Parley stores such
a date as the first day of the period it names plus a precision (day, week,
month or year), an optional part of the day, and an "on or before" flag for a
date that is only known as a latest bound ("have begun negotiations", said in
an article of 8 February). ``PreciseDate`` is the value every page, feed, API
response and export displays; ``precise_date_fields`` is the one way a model
stores it.
"""

import calendar
import datetime
import functools
from dataclasses import dataclass

from django.db import models
from django.db.models import Q


class Precision(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class PartOfDay(models.TextChoices):
    MORNING = "morning", "Morning"
    AFTERNOON = "afternoon", "Afternoon"
    EVENING = "evening", "Evening"
    NIGHT = "night", "Night"


# The precisions as plain strings: a page reads hundreds of dates, and each look-up of
# an enum member on its class costs more than the comparison.
_WEEK, _MONTH, _YEAR = Precision.WEEK.value, Precision.MONTH.value, Precision.YEAR.value
# Month names as ``%B`` and ``%b`` write them (Parley runs in the C locale), by number,
# without ``strftime`` for each date.
MONTH_NAMES = (None, *(datetime.date(2000, month, 1).strftime("%B") for month in range(1, 13)))
MONTH_ABBREVIATIONS = (None, *(name[:3] for name in MONTH_NAMES[1:]))
_PARTS_OF_DAY = {part.value: part.label.lower() for part in PartOfDay}


def period_start(value: datetime.date, precision: str) -> datetime.date:
    """Return the first day of the period of ``precision`` that holds ``value``."""
    if precision == _WEEK:
        return value - datetime.timedelta(days=value.weekday())
    if precision == _MONTH:
        return value.replace(day=1)
    if precision == _YEAR:
        return value.replace(month=1, day=1)
    return value


@dataclass(frozen=True)
class PreciseDate:
    """A date known to a given precision; displays exactly what is known."""

    value: datetime.date
    precision: str = Precision.DAY
    part_of_day: str = ""
    on_or_before: bool = False

    @property
    def start(self) -> datetime.date:
        """The first day the date may stand for."""
        return period_start(self.value, self.precision)

    @property
    def end(self) -> datetime.date:
        """The last day the date may stand for."""
        start = self.start
        if self.precision == Precision.WEEK:
            return start + datetime.timedelta(days=6)
        if self.precision == Precision.MONTH:
            return start.replace(day=calendar.monthrange(start.year, start.month)[1])
        if self.precision == Precision.YEAR:
            return start.replace(month=12, day=31)
        return start

    def label(self) -> str:
        """The date as a reader should see it, e.g. "7 Feb 2024, night"."""
        precision = self.precision
        start = period_start(self.value, precision)
        if precision == _YEAR:
            text = str(start.year)
        elif precision == _MONTH:
            text = f"{MONTH_ABBREVIATIONS[start.month]} {start.year}"
        elif precision == _WEEK:
            text = f"week of {start.day} {MONTH_ABBREVIATIONS[start.month]} {start.year}"
        else:
            text = f"{start.day} {MONTH_ABBREVIATIONS[start.month]} {start.year}"
            if self.part_of_day:
                text += f", {_PARTS_OF_DAY[self.part_of_day]}"
        return f"on or before {text}" if self.on_or_before else text

    def machine(self) -> str:
        """A valid HTML ``datetime`` value of the same precision (2024-02, 2024-W05)."""
        precision = self.precision
        start = period_start(self.value, precision)
        if precision == _YEAR:
            return f"{start.year:04d}"
        if precision == _MONTH:
            return f"{start.year:04d}-{start.month:02d}"
        if precision == _WEEK:
            year, week, _ = start.isocalendar()
            return f"{year:04d}-W{week:02d}"
        return start.isoformat()

    def as_dict(self) -> dict:
        """The date as the API and the downloads publish it."""
        return {
            "date": self.start.isoformat(),
            "precision": self.precision,
            "part_of_day": self.part_of_day,
            "on_or_before": self.on_or_before,
            "earliest": self.start.isoformat(),
            "latest": self.end.isoformat(),
            "label": self.label(),
        }

    def __str__(self) -> str:
        return self.label()


# How many distinct dates a process keeps (here, and their HTML and label in the
# template tags): the generated 200,000 statements alone have some 22,000 (days, parts of
# days, weeks, months), and a cold page read past the kept ones costs a few µs a date.
# Some 300 bytes each per cache.
DATES_KEPT = 32_768

# A page reads a few hundred dates, many of them the same: being immutable, one
# ``PreciseDate`` serves every record that stores it. Typed, so that a record's
# ``False`` is never answered with another's ``0``, nor a plain string with a choice.
_interned_date = functools.lru_cache(maxsize=DATES_KEPT, typed=True)(PreciseDate)


def stored_date(value, precision, part_of_day, on_or_before) -> PreciseDate | None:
    """The ``PreciseDate`` of a record's four stored columns read as values (None when
    it has no date), the one its ``…_display`` attribute gives."""
    if value is None:
        return None
    return _interned_date(value, precision, part_of_day, on_or_before)


class PreciseDateDescriptor:
    """Reads a model's four stored columns as one ``PreciseDate`` (or None)."""

    def __init__(self, name: str):
        self.name = name
        self.columns = date_columns(name)[1:]

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = getattr(instance, self.name)
        if value is None:
            return None
        precision, part_of_day, on_or_before = self.columns
        return _interned_date(
            value,
            getattr(instance, precision),
            getattr(instance, part_of_day),
            getattr(instance, on_or_before),
        )


def precise_date_fields(
    name: str, verbose_name: str, *, required: bool = False, help_text: str = ""
):
    """Return an abstract model that stores the date ``name`` with its precision.

    The model gains ``name`` (the first day of the period), ``name_precision``,
    ``name_part_of_day`` and ``name_on_or_before``, plus ``name_display``, a
    ``PreciseDate``. Saving moves the date to the start of its period, so
    "week of" dates always start on a Monday. Pass the result's ``constraints``
    into the concrete model's ``Meta.constraints``.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        normalise_precise_date(self, name)
        super(model, self).save(*args, **kwargs)

    attrs = {
        "__module__": "tracker.models",
        "__qualname__": f"PreciseDate_{name}",
        "Meta": Meta,
        name: models.DateField(
            verbose_name,
            null=not required,
            blank=not required,
            db_index=True,
            help_text=help_text
            or "For a week, month or year, any day in it; it is stored as the period's first day.",
        ),
        f"{name}_precision": models.CharField(
            f"{verbose_name}: precision",
            max_length=5,
            choices=Precision.choices,
            default=Precision.DAY,
            help_text="How precisely the source gives this date; never more precise.",
        ),
        f"{name}_part_of_day": models.CharField(
            f"{verbose_name}: part of day",
            max_length=9,
            choices=PartOfDay.choices,
            blank=True,
            help_text='Only for a date known to the day, e.g. "Wednesday night".',
        ),
        f"{name}_on_or_before": models.BooleanField(
            f"{verbose_name}: on or before",
            default=False,
            help_text="Tick when the source only says it had happened by this date.",
        ),
        f"{name}_display": PreciseDateDescriptor(name),
        "save": save,
    }
    model = type(f"PreciseDate_{name}", (models.Model,), attrs)
    return model


def date_columns(name: str) -> tuple[str, ...]:
    """The columns behind the precise date ``name``, for ``QuerySet.only()``."""
    return (name, f"{name}_precision", f"{name}_part_of_day", f"{name}_on_or_before")


def normalise_precise_date(instance, name: str) -> None:
    """Move a stored date to the start of its period and drop a stray part of day."""
    value = getattr(instance, name)
    precision = getattr(instance, f"{name}_precision")
    if value is not None:
        setattr(instance, name, period_start(value, precision))
    if precision != Precision.DAY:
        setattr(instance, f"{name}_part_of_day", "")


def precise_date_constraints(name: str) -> list[models.CheckConstraint]:
    """Database rules every stored precise date obeys."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{name}_precision__in": Precision.values}),
            name=f"%(app_label)s_%(class)s_{name}_precision_valid",
        ),
        models.CheckConstraint(
            condition=Q(**{f"{name}_part_of_day": ""})
            | Q(
                **{
                    f"{name}_precision": Precision.DAY,
                    f"{name}_part_of_day__in": PartOfDay.values,
                }
            ),
            name=f"%(app_label)s_%(class)s_{name}_part_of_day_only_for_days",
        ),
    ]
