"""The talks: who takes part, what is on the table, where each party stands, and the steps."""

import datetime
import functools
from collections.abc import Callable

from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from simple_history.models import HistoricalRecords

from tracker.dates import (
    date_columns,
    precise_date_constraints,
    precise_date_fields,
    stored_date,
)
from tracker.links import page_url
from tracker.models.actors import Actor
from tracker.models.base import (
    PUBLISHING_PERMISSIONS,
    Publishable,
    PublishableQuerySet,
    QuickLoading,
    Status,
    choices_constraint,
    status_constraint,
)
from tracker.prepared import padded, prepared


class NegotiationState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ONGOING = "ongoing", "Ongoing"
    PAUSED = "paused", "Paused"
    CONCLUDED = "concluded", "Concluded"
    COLLAPSED = "collapsed", "Collapsed"


class ParticipationRole(models.TextChoices):
    PARTY = "party", "Party"
    MEDIATOR = "mediator", "Mediator"
    OBSERVER = "observer", "Observer"
    STAKEHOLDER = "stakeholder", "Stakeholder"


class Stance(models.TextChoices):
    """The fixed scale every position is placed on, from support to opposition."""

    SUPPORTS = "supports", "Supports"
    LEANS_SUPPORT = "leans_support", "Leans support"
    MIXED = "mixed", "Mixed or conditional"
    LEANS_OPPOSE = "leans_oppose", "Leans oppose"
    OPPOSES = "opposes", "Opposes"
    UNCLEAR = "unclear", "Unclear"


# Where each stance sits on a chart's axis; "unclear" has no place on it.
STANCE_SCORES = {
    Stance.SUPPORTS: 2,
    Stance.LEANS_SUPPORT: 1,
    Stance.MIXED: 0,
    Stance.LEANS_OPPOSE: -1,
    Stance.OPPOSES: -2,
    Stance.UNCLEAR: None,
}


class PositionBasis(models.TextChoices):
    STATED = "stated", "Stated outright"
    INFERRED = "inferred", "Inferred by editors"


class MilestoneKind(models.TextChoices):
    ROUND = "round", "Round of talks"
    ANNOUNCEMENT = "announcement", "Announcement"
    DEADLINE = "deadline", "Deadline"
    AGREEMENT = "agreement", "Agreement"
    VOTE = "vote", "Vote"
    DRAWDOWN_STEP = "drawdown_step", "Drawdown step"


class MilestoneState(models.TextChoices):
    EXPECTED = "expected", "Expected"
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    POSTPONED = "postponed", "Postponed"
    CANCELLED = "cancelled", "Cancelled"
    MISSED = "missed", "Missed"


class Negotiation(
    Publishable,
    precise_date_fields("start_on", "start"),
    precise_date_fields("end_on", "end"),
):
    """One negotiation process ("talks"), e.g. Iraq and the US on the coalition's future."""

    State = NegotiationState

    title = models.CharField("title", max_length=300)
    slug = models.SlugField("slug", max_length=120, unique=True, help_text="Used in the URL.")
    summary = models.TextField("summary", blank=True, help_text="Markdown; in our own words.")
    state = models.CharField(
        "state of the talks",
        max_length=10,
        choices=NegotiationState.choices,
        default=NegotiationState.ONGOING,
        help_text="Where the talks stand, not whether this record is published.",
    )
    actors = models.ManyToManyField(
        Actor, through="Participation", related_name="negotiations", verbose_name="participants"
    )

    class Meta:
        default_permissions = PUBLISHING_PERMISSIONS
        ordering = ["-start_on", "title"]
        verbose_name = "talks"
        verbose_name_plural = "talks"
        constraints = [
            status_constraint(),
            choices_constraint("state", NegotiationState),
            *precise_date_constraints("start_on"),
            *precise_date_constraints("end_on"),
            models.CheckConstraint(
                condition=Q(start_on__isnull=True)
                | Q(end_on__isnull=True)
                | Q(end_on__gte=F("start_on")),
                name="tracker_negotiation_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return page_url("tracker:negotiation", self.slug)

    def timeline(
        self,
        as_of: datetime.date | None = None,
        since: datetime.date | None = None,
        latest: int | None = None,
    ):
        """Milestones, events and statements in the order they happened (see models.history)."""
        from tracker.models.history import timeline

        return timeline(self, as_of=as_of, since=since, latest=latest)

    def timeline_page(self, number: int, per_page: int, as_of=None, since=None):
        """One page of the whole timeline, oldest first (see models.history)."""
        from tracker.models.history import timeline_page

        return timeline_page(self, number, per_page, as_of=as_of, since=since)

    def position_matrix(self, participations, topics, day: datetime.date, current=None):
        """Actors × topics as they stood on ``day`` (see models.history)."""
        from tracker.models.history import position_matrix

        return position_matrix(self, participations, topics, day, current)


class ParticipationQuerySet(models.QuerySet):
    def public(self):
        """Participations whose actor and talks are both published."""
        return self.filter(actor__status=Status.PUBLISHED, negotiation__status=Status.PUBLISHED)


class Participation(QuickLoading):
    """An actor's part in one talks: party, mediator, observer or stakeholder."""

    Role = ParticipationRole

    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.CASCADE, related_name="participations", verbose_name="talks"
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="participations", verbose_name="actor"
    )
    role = models.CharField(
        "role", max_length=11, choices=ParticipationRole.choices, default=ParticipationRole.PARTY
    )
    note = models.CharField("note", max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(
        "order", default=0, help_text="Lower numbers are listed first."
    )
    history = HistoricalRecords()

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["order", "actor__name"]
        verbose_name = "participation"
        verbose_name_plural = "participations"
        constraints = [
            choices_constraint("role", ParticipationRole),
            models.UniqueConstraint(
                fields=["negotiation", "actor"], name="tracker_participation_one_per_actor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor} ({self.get_role_display().lower()}) in {self.negotiation}"

    def get_absolute_url(self) -> str:
        return self.negotiation.get_absolute_url()


class KeyFigure(Publishable, precise_date_fields("as_of", "as of", required=True)):
    """A number that frames the talks, e.g. "roughly 2,500 US troops", as of a date."""

    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.CASCADE, related_name="key_figures", verbose_name="talks"
    )
    label = models.CharField(
        "label", max_length=200, help_text='What is counted, e.g. "US troops in Iraq".'
    )
    value = models.DecimalField("value", max_digits=14, decimal_places=2)
    unit = models.CharField("unit", max_length=60, blank=True, help_text='e.g. "troops".')
    qualifier = models.CharField(
        "qualifier",
        max_length=30,
        blank=True,
        help_text='How exact the source is: "roughly", "at least", "up to".',
    )

    class Meta:
        default_permissions = PUBLISHING_PERMISSIONS
        ordering = ["negotiation", "label", "-as_of"]
        verbose_name = "key figure"
        verbose_name_plural = "key figures"
        constraints = [
            status_constraint(),
            *precise_date_constraints("as_of"),
            models.CheckConstraint(
                condition=Q(value__gte=0), name="tracker_keyfigure_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.display_value()}"

    def get_absolute_url(self) -> str:
        return f"{self.negotiation.get_absolute_url()}#key-figure-{self.pk}"

    def display_value(self) -> str:
        """The figure as reported: "roughly 2,500 troops"."""
        number = f"{self.value:,.2f}".rstrip("0").rstrip(".")
        return " ".join(part for part in (self.qualifier, number, self.unit) if part)


class Topic(Publishable):
    """An issue on the table, asked as a plain question."""

    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.CASCADE, related_name="topics", verbose_name="talks"
    )
    slug = models.SlugField(
        "slug", max_length=120, help_text="Used in the URL; unique within the talks."
    )
    title = models.CharField("short title", max_length=100, help_text="For the matrix header.")
    question = models.CharField(
        "question", max_length=300, help_text='e.g. "Should US forces stay in Iraq?"'
    )
    description = models.TextField("description", blank=True, help_text="Markdown.")
    order = models.PositiveSmallIntegerField("order", default=0)

    class Meta:
        default_permissions = PUBLISHING_PERMISSIONS
        ordering = ["negotiation", "order", "title"]
        verbose_name = "topic"
        verbose_name_plural = "topics"
        constraints = [
            status_constraint(),
            models.UniqueConstraint(
                fields=["negotiation", "slug"], name="tracker_topic_unique_slug"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return page_url("tracker:topic", self.negotiation.slug, self.slug)


class PositionQuerySet(PublishableQuerySet):
    def as_of(self, day: datetime.date):
        """Published positions that were each actor's current one on ``day``.

        A position holds from its ``as_of`` date until the actor's next
        published position on the same topic; drafts never supersede anything.
        """
        return self.public().filter(current_on(day))

    def current_on_any(self, *days: datetime.date):
        """Published positions current on at least one of ``days`` (see ``as_of``)."""
        condition = Q()
        for day in days:
            condition |= current_on(day)
        return self.public().filter(condition)


class Evidence:
    """A published statement a position rests on, as pages show it: its address, its
    attribution and when it was said. Read as values: a talks page shows a hundred
    or more, and a record each cost more than their query. A page's positions share
    one for each statement; ``html`` keeps its escaped address, attribution and date
    once a tag has made them (a comparison shows most evidence twice)."""

    __slots__ = ("attribution", "html", "pk", "stated_on_display")

    def __init__(self, pk: int, attribution: str, stated_on_display):
        self.pk = pk
        self.attribution = attribution
        self.stated_on_display = stated_on_display
        self.html = None

    def get_absolute_url(self) -> str:
        return page_url("tracker:statement", self.pk)


def attach_public_evidence(positions: list) -> list:
    """Give each of ``positions`` ``public_evidence``: its published statements, newest
    first, as ``Evidence`` (one for each statement, whichever positions rest on it).
    One query. Returns ``positions``."""
    begin_evidence(positions)()
    return positions


def begin_evidence(positions: list) -> Callable[[], None]:
    """``attach_public_evidence`` begun (see ``tracker.prepared.sent_together``); calling
    the result reads the evidence and gives it to the positions."""
    by_id = {position.pk: position for position in positions}
    for position in positions:
        position.public_evidence = []
    if not by_id:
        return lambda: None
    rows = _public_evidence.rows_later(padded(by_id))

    @functools.cache  # once: the evidence is appended
    def attach() -> None:
        shared: dict[int, Evidence] = {}
        for position_id, pk, attribution, *said in rows():
            evidence = shared.get(pk)
            if evidence is None:
                evidence = shared[pk] = Evidence(pk, attribution, stored_date(*said))
            by_id[position_id].public_evidence.append(evidence)

    return attach


@prepared
def _public_evidence(position_ids: list[int]):
    """Published statements that are evidence for ``position_ids``, as rows of the
    position's id, then the statement's id, attribution and date (a statement once
    per position)."""
    from tracker.models.statements import Statement

    return (
        Statement.objects.filter(positions__in=position_ids, status=Status.PUBLISHED)
        .order_by("-stated_on", "-id")
        .values_list("positions__id", "id", "attribution", *date_columns("stated_on"))
    )


def current_on(day: datetime.date) -> Q:
    """The condition for a published position to be its actor's current one on ``day``."""
    later = Position.objects.public().filter(
        actor=OuterRef("actor"),
        topic=OuterRef("topic"),
        as_of__gt=OuterRef("as_of"),
        as_of__lte=day,
    )
    return Q(as_of__lte=day) & ~Exists(later)


class Position(Publishable, precise_date_fields("as_of", "as of", required=True)):
    """An actor's stance on a topic from a date; the latest ``as_of`` is current."""

    Stance = Stance
    Basis = PositionBasis

    actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="positions", verbose_name="actor"
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="positions", verbose_name="topic"
    )
    stance = models.CharField(
        "stance", max_length=13, choices=Stance.choices, help_text="Where the actor stands."
    )
    summary = models.TextField(
        "summary", help_text="One paragraph, in our words, with the reasoning. Markdown."
    )
    basis = models.CharField(
        "basis",
        max_length=8,
        choices=PositionBasis.choices,
        default=PositionBasis.STATED,
        help_text="Stated outright by the actor, or inferred by editors from what it said.",
    )
    evidence = models.ManyToManyField(
        "tracker.Statement",
        related_name="positions",
        blank=True,
        verbose_name="evidence",
        help_text="The statements this position rests on. A published position needs at least one.",
    )
    # History keeps the evidence too (django-simple-history).
    _history_m2m_fields = ["evidence"]

    objects = PositionQuerySet.as_manager()

    class Meta:
        default_permissions = PUBLISHING_PERMISSIONS
        ordering = ["topic", "actor__name", "-as_of"]
        verbose_name = "position"
        verbose_name_plural = "positions"
        constraints = [
            status_constraint(),
            choices_constraint("stance", Stance),
            choices_constraint("basis", PositionBasis),
            *precise_date_constraints("as_of"),
            models.UniqueConstraint(
                fields=["actor", "topic", "as_of"], name="tracker_position_one_per_day"
            ),
        ]
        indexes = [
            models.Index(fields=["topic", "actor", "as_of"], name="tracker_position_history"),
            # The API's list of positions: counted and paged from the index alone.
            models.Index(
                fields=["topic", "status", "actor", "-as_of", "id"], name="tracker_position_list"
            ),
        ]

    def __str__(self) -> str:
        stance = self.get_stance_display()
        return f"{self.actor}: {stance} on “{self.topic}” (as of {self.as_of_display})"

    def get_absolute_url(self) -> str:
        return f"{self.topic.get_absolute_url()}#position-{self.pk}"

    @property
    def score(self) -> int | None:
        return STANCE_SCORES[self.stance]


class Milestone(
    Publishable,
    precise_date_fields("planned_on", "planned for"),
    precise_date_fields("held_on", "held on"),
):
    """A step of the talks: a round, an announcement, a deadline, an agreement."""

    Kind = MilestoneKind
    State = MilestoneState

    negotiation = models.ForeignKey(
        Negotiation, on_delete=models.CASCADE, related_name="milestones", verbose_name="talks"
    )
    slug = models.SlugField("slug", max_length=120, unique=True, help_text="Used in the URL.")
    title = models.CharField("title", max_length=300)
    kind = models.CharField("kind", max_length=13, choices=MilestoneKind.choices)
    state = models.CharField(
        "state",
        max_length=9,
        choices=MilestoneState.choices,
        default=MilestoneState.EXPECTED,
        help_text="Whether the step was held, is still to come, or fell through.",
    )
    outcome = models.TextField("outcome", blank=True, help_text="What came of it. Markdown.")
    statements = models.ManyToManyField(
        "tracker.Statement", related_name="milestones", blank=True, verbose_name="statements"
    )
    events = models.ManyToManyField(
        "tracker.Event", related_name="milestones", blank=True, verbose_name="events"
    )
    # History keeps the linked statements and events too (django-simple-history).
    _history_m2m_fields = ["statements", "events"]

    class Meta:
        default_permissions = PUBLISHING_PERMISSIONS
        ordering = ["negotiation", "held_on", "planned_on", "title"]
        verbose_name = "milestone"
        verbose_name_plural = "milestones"
        constraints = [
            status_constraint(),
            choices_constraint("kind", MilestoneKind),
            choices_constraint("state", MilestoneState),
            *precise_date_constraints("planned_on"),
            *precise_date_constraints("held_on"),
            models.CheckConstraint(
                condition=~Q(state=MilestoneState.HELD) | Q(held_on__isnull=False),
                name="tracker_milestone_held_has_date",
            ),
            models.CheckConstraint(
                condition=Q(planned_on__isnull=False) | Q(held_on__isnull=False),
                name="tracker_milestone_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return page_url("tracker:milestone", self.slug)

    @property
    def date_display(self):
        """The date that matters to a reader: when it was held, else when it is planned."""
        return self.held_on_display or self.planned_on_display
