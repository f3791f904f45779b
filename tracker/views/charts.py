"""Server-rendered SVG: each actor's stance on a topic over time.

The view computes the geometry here; the ``stance_chart`` template tag draws
it. Stances sit on a fixed vertical scale (supports at the top, opposes at the
bottom, "unclear" in a band of its own), time runs left to right, and each
actor's line steps from one dated position to the next.
"""

import datetime
import functools
from dataclasses import dataclass, field

from tracker.models import STANCE_SCORES, Stance

WIDTH = 720
HEIGHT = 320
LEFT = 170
RIGHT = 24
TOP = 20
BOTTOM = 44
SERIES_CLASSES = 8
# Lines at one stance are drawn apart: 3 px between neighbours, spread over at most this
# many pixels either side of the row's centre (rows are 39 px apart), closer together
# past nine actors.
SPREAD = 12
# Rows top to bottom: the five scored stances, then "unclear" below a gap.
_ROWS = [Stance.SUPPORTS, Stance.LEANS_SUPPORT, Stance.MIXED, Stance.LEANS_OPPOSE, Stance.OPPOSES]
# How the description words each stance ("leans support"): get_stance_display(),
# lower-cased, looked up once rather than for every point.
_STANCE_WORDS = {value: label.lower() for value, label in Stance.choices}


@functools.lru_cache(maxsize=4096)
def _day_label(date) -> str:
    """A position's date as the description words it, built once per date."""
    return date.label()


@dataclass
class Point:
    x: float
    y: float
    position: object


@dataclass
class Series:
    """One actor's line: its points and the SVG path through them."""

    actor: object
    css_class: str
    offset: float = 0.0  # from the centre of a stance's row
    points: list = field(default_factory=list)
    path: str = ""


@dataclass
class Chart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    rows: list
    ticks: list
    series: list
    title: str
    description: str
    start: datetime.date
    end: datetime.date


def _row_y(stance: str) -> float:
    """Vertical centre of a stance's row."""
    step = (HEIGHT - TOP - BOTTOM) / 6.5
    if stance == Stance.UNCLEAR:
        return TOP + step * 6
    return TOP + step * (2 - STANCE_SCORES[stance]) + step / 2


def _ticks(start: datetime.date, end: datetime.date, x) -> list[tuple[float, str]]:
    """At most 8 tick marks: Mondays for a span of a few months, else firsts of months.

    Only the ticks kept are labelled: a span of years has dozens of months to thin out.
    """
    if (end - start).days <= 100:
        days = [start + datetime.timedelta(days=(7 - start.weekday()) % 7)]
        while days[-1] + datetime.timedelta(days=7) <= end:
            days.append(days[-1] + datetime.timedelta(days=7))
        label = "{0.day} {0:%b}".format
    else:
        # First days of months, from the first on or after ``start``.
        year, month = (start.year, start.month) if start.day == 1 else _next_month(start)
        days = []
        while (day := datetime.date(year, month, 1)) <= end:
            days.append(day)
            year, month = _next_month(day)
        label = "{0:%b %Y}".format
    if len(days) > 8:
        days = days[:: -(-len(days) // 8)]
    return [(x(day), label(day)) for day in days]


def _next_month(day: datetime.date) -> tuple[int, int]:
    return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)


def _offsets(actors: int) -> list[float]:
    """How far each actor's line sits from a row's centre: a different height for each,
    so that no two lines at one stance are drawn over each other, however many."""
    if actors < 2:
        return [0.0] * actors
    half = min(SPREAD, 3 * (actors - 1) / 2)
    return [round(-half + 2 * half * n / (actors - 1), 2) for n in range(actors)]


def _series_class(n: int) -> str:
    """The CSS classes of the ``n``th actor's line: one of eight colours, then, for the
    ninth actor on, dashed and, from the seventeenth, dotted lines in those colours (no
    two alike up to 24 actors)."""
    css = f"series-{n % SERIES_CLASSES}"
    cycle = n // SERIES_CLASSES
    return f"{css} series-{('dashed', 'dotted')[min(cycle, 2) - 1]}" if cycle else css


def stance_chart(topic, positions: list, today: datetime.date | None = None) -> Chart | None:
    """The chart of ``positions`` (all on ``topic``, ordered by actor then date), or None.

    The time axis ends a little after the latest position; ``today`` is
    accepted so callers written for an axis that ran to today keep working.
    """
    if not positions:
        return None
    # The axis spans the recorded positions with a margin on the right, where
    # every line runs on to the edge: the last stance still holds.
    start = min(p.as_of for p in positions)
    last = max(p.as_of for p in positions)
    end = max(
        last + datetime.timedelta(days=max(14, (last - start).days // 5)),
        start + datetime.timedelta(days=30),
    )
    span = (end - start).days
    right = WIDTH - RIGHT

    def x(day: datetime.date) -> float:
        return round(LEFT + (right - LEFT) * (day - start).days / span, 1)

    offsets = _offsets(len({p.actor_id for p in positions}))
    by_actor: dict[int, Series] = {}
    for position in positions:
        series = by_actor.get(position.actor_id)
        if series is None:
            n = len(by_actor)
            series = by_actor[position.actor_id] = Series(
                actor=position.actor, css_class=_series_class(n), offset=offsets[n]
            )
        y = _row_y(position.stance) + series.offset
        series.points.append(Point(x(position.as_of), y, position))
    descriptions = []
    for series in by_actor.values():
        steps = [f"M{series.points[0].x} {series.points[0].y}"]
        steps += [f"H{point.x} V{point.y}" for point in series.points[1:]]
        steps.append(f"H{right}")
        series.path = " ".join(steps)
        history = "; ".join(
            f"{_STANCE_WORDS.get(p.position.stance) or str(p.position.stance).lower()} from "
            f"{_day_label(p.position.as_of_display)}"
            for p in series.points
        )
        descriptions.append(f"{series.actor.name}: {history}.")
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=right,
        plot_top=TOP,
        plot_bottom=HEIGHT - BOTTOM,
        rows=[(Stance(s).label, _row_y(s)) for s in [*_ROWS, Stance.UNCLEAR]],
        ticks=_ticks(start, end, x),
        series=list(by_actor.values()),
        title=f"Stances over time: {topic.question}",
        description=" ".join(descriptions),
        start=start,
        end=end,
    )
