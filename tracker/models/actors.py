"""Who takes part: actors, and the dated, cited links between them."""

from django.db import models
from django.db.models import F, Q

from tracker.dates import precise_date_constraints, precise_date_fields
from tracker.links import page_url
from tracker.models.base import (
    PUBLISHING_PERMISSIONS,
    Publishable,
    Status,
    choices_constraint,
    status_constraint,
)


class ActorKind(models.TextChoices):
    STATE = "state", "State"
    GOVERNMENT = "government", "Government"
    GOVERNMENT_BODY = "government_body", "Government body"
    MILITARY_COMMAND = "military_command", "Military command"
    ARMED_GROUP = "armed_group", "Armed group"
    PARTY = "party", "Political party"
    PARLIAMENT_BLOC = "parliament_bloc", "Parliament or bloc"
    INTERNATIONAL_ORGANISATION = "international_organisation", "International organisation"
    COALITION = "coalition", "Coalition"
    PERSON = "person", "Person"
    GROUP = "group", "Group of people"


class RelationshipKind(models.TextChoices):
    MEMBER_OF = "member_of", "member of"
    PART_OF = "part_of", "part of"
    BACKED_BY = "backed_by", "backed by"
    ALLIED_WITH = "allied_with", "allied with"
    HOSTILE_TO = "hostile_to", "hostile to"


class Actor(Publishable):
    """A state, body, command, armed group, party, bloc, organisation or person."""

    Kind = ActorKind

    slug = models.SlugField("slug", max_length=120, unique=True, help_text="Used in the URL.")
    kind = models.CharField("kind", max_length=30, choices=ActorKind.choices)
    name = models.CharField("name", max_length=200, help_text="The usual English name.")
    short_name = models.CharField(
        "short name", max_length=60, blank=True, help_text="For tight spaces such as the matrix."
    )
    native_name = models.CharField(
        "native name", max_length=200, blank=True, help_text="The name in its own script."
    )
    native_language = models.CharField(
        "native name language",
        max_length=12,
        blank=True,
        help_text="BCP 47 tag of the native name, e.g. ar; Arabic is shown right to left.",
    )
    aliases = models.TextField(
        "aliases",
        blank=True,
        help_text="Other names and spellings found in sources, one per line.",
    )
    country = models.CharField(
        "country",
        max_length=2,
        blank=True,
        help_text="ISO 3166-1 alpha-2 code (IQ, US, IR), where the actor belongs to one.",
    )
    wikidata_id = models.CharField(
        "Wikidata id", max_length=20, blank=True, help_text="e.g. Q30 for the United States."
    )
    description = models.TextField("description", blank=True, help_text="Markdown.")

    class Meta:
        default_permissions = PUBLISHING_PERMISSIONS
        ordering = ["name"]
        verbose_name = "actor"
        verbose_name_plural = "actors"
        constraints = [
            status_constraint(),
            choices_constraint("kind", ActorKind),
            models.CheckConstraint(
                condition=Q(wikidata_id="") | Q(wikidata_id__regex=r"^Q[1-9][0-9]*$"),
                name="tracker_actor_wikidata_id_format",
            ),
            models.CheckConstraint(
                condition=Q(country="") | Q(country__regex=r"^[A-Z]{2}$"),
                name="tracker_actor_country_iso_3166",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="tracker_actor_has_name"),
        ]
        indexes = [
            # Public actors by name, as the API lists them: paged from the index alone.
            models.Index(fields=["status", "name", "id"], name="tracker_actor_list"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return page_url("tracker:actor", self.slug)

    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def label(self) -> str:
        return self.short_name or self.name

    @property
    def native_direction(self) -> str:
        """Text direction of the native name, for the ``dir`` attribute."""
        rtl = {"ar", "fa", "he", "ku-arab", "ckb", "ur", "ps"}
        return "rtl" if self.native_language.lower() in rtl else "ltr"


class RelationshipQuerySet(models.QuerySet):
    def public(self):
        """Published relationships between two published actors."""
        return self.filter(
            status=Status.PUBLISHED,
            subject__status=Status.PUBLISHED,
            object__status=Status.PUBLISHED,
        )

    def on_record(self):
        return self.filter(status__in=[Status.PUBLISHED, Status.RETRACTED])


class Relationship(
    Publishable,
    precise_date_fields("start_on", "start"),
    precise_date_fields("end_on", "end"),
):
    """A typed, dated link: Kata'ib Hezbollah, backed by, Iran."""

    Kind = RelationshipKind

    subject = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="relationships_from", verbose_name="actor"
    )
    kind = models.CharField("relationship", max_length=12, choices=RelationshipKind.choices)
    object = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="relationships_to", verbose_name="other actor"
    )
    description = models.TextField("description", blank=True, help_text="Markdown.")

    objects = RelationshipQuerySet.as_manager()

    class Meta:
        default_permissions = PUBLISHING_PERMISSIONS
        ordering = ["subject__name", "kind", "object__name"]
        verbose_name = "relationship"
        verbose_name_plural = "relationships"
        constraints = [
            status_constraint(),
            choices_constraint("kind", RelationshipKind),
            *precise_date_constraints("start_on"),
            *precise_date_constraints("end_on"),
            models.CheckConstraint(
                condition=~Q(subject=F("object")), name="tracker_relationship_not_reflexive"
            ),
            models.CheckConstraint(
                condition=Q(start_on__isnull=True)
                | Q(end_on__isnull=True)
                | Q(end_on__gte=F("start_on")),
                name="tracker_relationship_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["subject", "kind", "object", "start_on"],
                name="tracker_relationship_unique",
            ),
        ]
        indexes = [
            # The API's list of relationships: counted and paged from the index alone.
            models.Index(
                fields=["status", "subject", "kind", "object", "id"],
                name="tracker_relationship_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} — {self.get_kind_display()} — {self.object}"

    def get_absolute_url(self) -> str:
        return f"{self.subject.get_absolute_url()}#relationship-{self.pk}"
