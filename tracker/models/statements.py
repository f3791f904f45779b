"""What was said and what happened: statements, events, and the actors' roles in them."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from tracker.dates import precise_date_constraints, precise_date_fields
from tracker.links import page_url
from tracker.models.actors import Actor
from tracker.models.base import (
    PUBLISHING_PERMISSIONS,
    Publishable,
    QuickLoading,
    Status,
    choices_constraint,
    status_constraint,
)
from tracker.models.talks import Negotiation, Topic


class StatementKind(models.TextChoices):
    ACCOUNT = "account", "Account of events"
    DEMAND = "demand", "Demand"
    PLEDGE = "pledge", "Pledge"
    CLAIM_OF_RESPONSIBILITY = "claim", "Claim of responsibility"
    DENIAL = "denial", "Denial"
    ANNOUNCEMENT = "announcement", "Announcement"
    ASSESSMENT = "assessment", "Assessment"


class AttributionKind(models.TextChoices):
    NAMED = "named", "Named"
    OFFICIAL_CHANNEL = "official_channel", "Official channel"
    SPOKESPERSON = "spokesperson", "Spokesperson"
    ANONYMOUS = "anonymous", "Anonymous"
    COLLECTIVE = "collective", "Collective"


class Form(models.TextChoices):
    QUOTE = "quote", "Direct quote"
    PARAPHRASE = "paraphrase", "Paraphrase"


class Channel(models.TextChoices):
    X = "x", "X (formerly Twitter)"
    TELEGRAM = "telegram", "Telegram"
    PRESS_RELEASE = "press_release", "Press release"
    PRESS_CONFERENCE = "press_conference", "Press conference"
    INTERVIEW = "interview", "Interview"
    PARLIAMENT = "parliament", "Parliament"
    NEWS_REPORT = "news_report", "News report"
    OTHER = "other", "Other"


class Verification(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    REPORTED = "reported", "Reported"
    UNVERIFIED = "unverified", "Unverified"
    DISPUTED = "disputed", "Disputed"


class EventKind(models.TextChoices):
    STRIKE = "strike", "Strike"
    ATTACK = "attack", "Attack"
    PROTEST = "protest", "Protest"
    ROUND_OF_TALKS = "round_of_talks", "Round of talks"
    ANNOUNCEMENT = "announcement", "Announcement"
    SECURITY_MEASURE = "security_measure", "Security measure"
    OTHER = "other", "Other"


class EventRoleKind(models.TextChoices):
    PERPETRATOR = "perpetrator", "Perpetrator"
    TARGET = "target", "Target"
    CLAIMANT = "claimant", "Claimant"
    RESPONDER = "responder", "Responder"
    INVESTIGATOR = "investigator", "Investigator"


class Event(Publishable, precise_date_fields("occurred_on", "occurred on")):
    """Something that happened, with every account of it, which may conflict."""

    Kind = EventKind

    negotiation = models.ForeignKey(
        Negotiation,
        on_delete=models.PROTECT,
        related_name="events",
        null=True,
        blank=True,
        verbose_name="talks",
        help_text="The talks whose timeline shows this event.",
    )
    slug = models.SlugField("slug", max_length=120, unique=True, help_text="Used in the URL.")
    title = models.CharField("title", max_length=300)
    kind = models.CharField("kind", max_length=16, choices=EventKind.choices)
    summary = models.TextField("summary", blank=True, help_text="In our own words. Markdown.")
    place_name = models.CharField(
        "place", max_length=200, blank=True, help_text='As reported, e.g. "al-Mashtal".'
    )
    district = models.CharField("district", max_length=200, blank=True)
    city = models.CharField("city", max_length=200, blank=True)
    country = models.CharField(
        "country", max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code."
    )
    latitude = models.DecimalField(
        "latitude", max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        "longitude", max_digits=8, decimal_places=5, null=True, blank=True
    )
    actors = models.ManyToManyField(
        Actor, through="EventRole", related_name="events", verbose_name="actors"
    )

    class Meta:
        default_permissions = PUBLISHING_PERMISSIONS
        ordering = ["-occurred_on", "title"]
        verbose_name = "event"
        verbose_name_plural = "events"
        # A talks timeline.
        indexes = [
            models.Index(
                fields=["negotiation", "status", "-occurred_on"], name="tracker_event_talks"
            ),
            # The API's list of events, in its order.
            models.Index(
                fields=["status", "-occurred_on", "title", "id"], name="tracker_event_list"
            ),
        ]
        constraints = [
            status_constraint(),
            choices_constraint("kind", EventKind),
            *precise_date_constraints("occurred_on"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="tracker_event_coordinates_valid",
            ),
            models.CheckConstraint(
                condition=Q(country="") | Q(country__regex=r"^[A-Z]{2}$"),
                name="tracker_event_country_iso_3166",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return page_url("tracker:event", self.slug)

    def place_display(self) -> str:
        """The place from most to least specific: "al-Mashtal, east Baghdad, Baghdad"."""
        parts = [self.place_name, self.district, self.city]
        seen: list[str] = []
        for part in parts:
            if part and part not in seen:
                seen.append(part)
        return ", ".join(seen)


class EventRoleQuerySet(models.QuerySet):
    def public(self):
        """Roles in published events held by published actors."""
        return self.filter(actor__status=Status.PUBLISHED, event__status=Status.PUBLISHED)


class EventRole(QuickLoading):
    """An actor's role in an event: perpetrator, target, claimant, responder, investigator."""

    Role = EventRoleKind

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="roles", verbose_name="event"
    )
    actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="event_roles", verbose_name="actor"
    )
    role = models.CharField("role", max_length=12, choices=EventRoleKind.choices)
    note = models.CharField(
        "note", max_length=300, blank=True, help_text="e.g. as the source puts it."
    )
    history = HistoricalRecords()

    objects = EventRoleQuerySet.as_manager()

    class Meta:
        ordering = ["event", "role", "actor__name"]
        verbose_name = "actor's role in an event"
        verbose_name_plural = "actors' roles in events"
        constraints = [
            choices_constraint("role", EventRoleKind),
            models.UniqueConstraint(
                fields=["event", "actor", "role"], name="tracker_eventrole_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor}, {self.get_role_display().lower()} of {self.event}"

    def get_absolute_url(self) -> str:
        return self.event.get_absolute_url()


class Statement(Publishable, precise_date_fields("stated_on", "stated on")):
    """Something said or written, attributed exactly as the source reports it."""

    Kind = StatementKind
    AttributionKind = AttributionKind
    Form = Form
    Channel = Channel
    Verification = Verification

    negotiation = models.ForeignKey(
        Negotiation,
        on_delete=models.PROTECT,
        related_name="statements",
        null=True,
        blank=True,
        verbose_name="talks",
        help_text="The talks whose timeline shows this statement.",
    )
    kind = models.CharField("kind", max_length=12, choices=StatementKind.choices)
    speaker = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="statements",
        null=True,
        blank=True,
        verbose_name="speaker",
        help_text="The actor who spoke, when known; the attribution says how it was reported.",
    )
    attribution = models.CharField(
        "attribution as reported",
        max_length=300,
        help_text='As the source words it, e.g. "a former senior U.S. military official".',
    )
    attribution_kind = models.CharField(
        "attribution kind", max_length=16, choices=AttributionKind.choices
    )
    form = models.CharField(
        "quote or paraphrase",
        max_length=10,
        choices=Form.choices,
        help_text="A direct quote is the speaker's words; a paraphrase is the source's.",
    )
    text = models.TextField(
        "text", help_text="The quote, or the paraphrase as the source gives it."
    )
    original_text = models.TextField(
        "original-language text", blank=True, help_text="The words in the language they were said."
    )
    original_language = models.CharField(
        "original language", max_length=12, blank=True, help_text="BCP 47 tag, e.g. ar."
    )
    channel = models.CharField(
        "channel", max_length=16, choices=Channel.choices, help_text="Where it was said or posted."
    )
    verification = models.CharField(
        "verification",
        max_length=10,
        choices=Verification.choices,
        default=Verification.REPORTED,
        help_text="Confirmed independently, reported by a source, unverified, or disputed.",
    )
    verification_note = models.CharField(
        "verification note",
        max_length=500,
        blank=True,
        help_text="How it was verified, or who disputes it.",
    )
    topics = models.ManyToManyField(
        Topic, related_name="statements", blank=True, verbose_name="topics"
    )
    # History keeps the topics too (django-simple-history).
    _history_m2m_fields = ["topics"]
    event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        related_name="accounts",
        null=True,
        blank=True,
        verbose_name="event",
        help_text="The event this statement gives an account of, or responds to.",
    )

    class Meta:
        default_permissions = PUBLISHING_PERMISSIONS
        ordering = ["-stated_on", "-id"]
        verbose_name = "statement"
        verbose_name_plural = "statements"
        constraints = [
            status_constraint(),
            choices_constraint("kind", StatementKind),
            choices_constraint("attribution_kind", AttributionKind),
            choices_constraint("form", Form),
            choices_constraint("channel", Channel),
            choices_constraint("verification", Verification),
            *precise_date_constraints("stated_on"),
            models.CheckConstraint(condition=~Q(text=""), name="tracker_statement_has_text"),
            models.CheckConstraint(
                condition=~Q(attribution=""), name="tracker_statement_has_attribution"
            ),
        ]
        indexes = [
            # The latest statements, and the API's list of statements in its order.
            models.Index(fields=["status", "-stated_on", "-id"], name="tracker_statement_latest"),
            # A talks timeline and feed, and an actor's latest statements.
            models.Index(
                fields=["negotiation", "status", "-stated_on"], name="tracker_statement_talks"
            ),
            models.Index(
                fields=["speaker", "status", "-stated_on"], name="tracker_statement_speaker"
            ),
            # An event's accounts, read for a page of events without touching the table.
            models.Index(fields=["event", "status"], name="tracker_statement_event"),
        ]

    def __str__(self) -> str:
        text = self.text if len(self.text) <= 80 else self.text[:79] + "…"
        return f"{self.attribution}: {text}"

    def get_absolute_url(self) -> str:
        return page_url("tracker:statement", self.pk)

    @property
    def is_quote(self) -> bool:
        return self.form == Form.QUOTE
