"""How each public record reads in the API.

Every record carries ``url`` (its public page, absolute), ``citations`` (the
published sources behind it) and its dates as precise-date objects
(``PreciseDate.as_dict()``). References to other records are ids, and a
reference to a record the public cannot see reads as ``null``; lists of ids and
nested links hold only what the view prefetched through ``.public()``.
"""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import build_array_type, build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracker.dates import PartOfDay, PreciseDate, Precision
from tracker.models import (
    Actor,
    Citation,
    Event,
    EventRole,
    KeyFigure,
    Milestone,
    Negotiation,
    Participation,
    Position,
    Relationship,
    Source,
    Statement,
    Topic,
)


class PreciseDateSerializer(serializers.Serializer):
    """A date as precise as its source allows: "week of 29 Jan 2024", "7 Feb 2024, night"."""

    date = serializers.DateField(help_text="First day of the period the date stands for.")
    precision = serializers.ChoiceField(
        choices=Precision.choices, help_text="How precisely the source gives the date."
    )
    part_of_day = serializers.ChoiceField(
        choices=PartOfDay.choices,
        allow_blank=True,
        help_text="Part of the day, for a date known to the day; empty when not known.",
    )
    on_or_before = serializers.BooleanField(
        help_text="True when the source only says it had happened by this date."
    )
    earliest = serializers.DateField(help_text="The first day the date may stand for.")
    latest = serializers.DateField(help_text="The last day the date may stand for.")
    label = serializers.CharField(help_text='The date as a reader sees it, e.g. "Feb 2024".')

    def to_representation(self, instance: PreciseDate) -> dict:
        return instance.as_dict()


def precise_date(source: str, help_text: str = "") -> PreciseDateSerializer:
    """A nullable precise date read from the model's ``<source>_display`` descriptor."""
    return PreciseDateSerializer(
        source=f"{source}_display", read_only=True, allow_null=True, help_text=help_text
    )


@extend_schema_field(OpenApiTypes.URI)
class PublicUrlField(serializers.Field):
    """The record's page on the public site, as an absolute URL."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, record) -> str:
        return self.context_origin() + record.get_absolute_url()

    def context_origin(self) -> str:
        """``https://host`` of the request, worked out once per response, not once per record."""
        context = self.context
        origin = context.get("_origin")
        if origin is None:
            request = context.get("request")
            origin = request.build_absolute_uri("/").removesuffix("/") if request else ""
            context["_origin"] = origin
        return origin


@extend_schema_field(OpenApiTypes.INT)
class PublicReferenceField(serializers.Field):
    """The id of a related record, or null when there is none or it is not public.

    The view selects the related record, so reading its status costs no query.
    """

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, allow_null=True)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        related = super().get_attribute(instance)
        if related is None or not related.is_public:
            return None
        return related.pk

    def to_representation(self, value: int) -> int:
        return value


def public_ids(help_text: str) -> serializers.ManyRelatedField:
    """Ids from a relation of the same name that the view prefetched through ``.public()``."""
    return serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text=help_text)


class CitationSerializer(serializers.ModelSerializer):
    """A published source behind a record."""

    source = serializers.IntegerField(source="source_id", read_only=True)
    title = serializers.CharField(source="source.title", read_only=True)
    outlet = serializers.CharField(source="source.outlet", read_only=True)
    date = PreciseDateSerializer(
        source="source.published_on_display",
        read_only=True,
        allow_null=True,
        help_text="When the source was published.",
    )
    url = PublicUrlField(help_text="The source's page on Parley.")

    class Meta:
        model = Citation
        fields = ["source", "title", "outlet", "date", "locator", "url"]
        read_only_fields = fields


class RecordSerializer(serializers.ModelSerializer):
    """What every public record carries: id, public URL, citations and publishing dates."""

    url = PublicUrlField(help_text="The record's page on Parley.")
    citations = CitationSerializer(many=True, read_only=True)

    common_fields = ["id", "url", "published_at", "updated_at", "citations"]


class ParticipantSerializer(serializers.ModelSerializer):
    """An actor's part in the talks."""

    actor = serializers.IntegerField(source="actor_id", read_only=True)

    class Meta:
        model = Participation
        fields = ["actor", "role", "note"]
        read_only_fields = fields


class KeyFigureSerializer(serializers.ModelSerializer):
    """A number that frames the talks, e.g. "roughly 2,500 troops", as of a date."""

    value = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=False, read_only=True
    )
    as_of = precise_date("as_of", "The day the figure holds for.")
    display = serializers.CharField(source="display_value", read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta:
        model = KeyFigure
        fields = ["id", "label", "value", "unit", "qualifier", "display", "as_of", "citations"]
        read_only_fields = fields


class NegotiationSerializer(RecordSerializer):
    """One negotiation process ("talks"), with its participants and key figures."""

    start_on = precise_date("start_on", "When the talks began.")
    end_on = precise_date("end_on", "When the talks ended, if they have.")
    participants = ParticipantSerializer(source="participations", many=True, read_only=True)
    key_figures = KeyFigureSerializer(many=True, read_only=True)

    class Meta:
        model = Negotiation
        fields = [
            *RecordSerializer.common_fields,
            "slug",
            "title",
            "summary",
            "state",
            "start_on",
            "end_on",
            "participants",
            "key_figures",
        ]
        read_only_fields = fields


class ActorSerializer(RecordSerializer):
    """A state, body, command, armed group, party, bloc, organisation or person."""

    aliases = serializers.ListField(
        source="alias_list", child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = Actor
        fields = [
            *RecordSerializer.common_fields,
            "slug",
            "kind",
            "name",
            "short_name",
            "native_name",
            "native_language",
            "aliases",
            "country",
            "wikidata_id",
            "description",
        ]
        read_only_fields = fields


class RelationshipSerializer(RecordSerializer):
    """A typed, dated link between two actors: subject, kind, object."""

    subject = serializers.IntegerField(source="subject_id", read_only=True)
    object = serializers.IntegerField(source="object_id", read_only=True)
    start_on = precise_date("start_on", "When the link began, if known.")
    end_on = precise_date("end_on", "When the link ended, if it has.")

    class Meta:
        model = Relationship
        fields = [
            *RecordSerializer.common_fields,
            "subject",
            "kind",
            "object",
            "start_on",
            "end_on",
            "description",
        ]
        read_only_fields = fields


class TopicSerializer(RecordSerializer):
    """An issue on the table of one talks, asked as a plain question."""

    talks = serializers.IntegerField(source="negotiation_id", read_only=True)

    class Meta:
        model = Topic
        fields = [
            *RecordSerializer.common_fields,
            "talks",
            "slug",
            "title",
            "question",
            "description",
            "order",
        ]
        read_only_fields = fields


class PositionSerializer(RecordSerializer):
    """An actor's stance on a topic from a date; the latest as_of is current."""

    actor = serializers.IntegerField(source="actor_id", read_only=True)
    topic = serializers.IntegerField(source="topic_id", read_only=True)
    talks = serializers.IntegerField(source="topic.negotiation_id", read_only=True)
    score = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The stance on a scale from 2 (supports) to -2 (opposes); null when unclear.",
    )
    as_of = precise_date("as_of", "The day from which the position holds.")
    evidence = public_ids("Ids of the statements the position rests on.")

    class Meta:
        model = Position
        fields = [
            *RecordSerializer.common_fields,
            "actor",
            "topic",
            "talks",
            "stance",
            "score",
            "summary",
            "basis",
            "as_of",
            "evidence",
        ]
        read_only_fields = fields


class StatementSerializer(RecordSerializer):
    """Something said or written, attributed exactly as the source reports it."""

    talks = PublicReferenceField(source="negotiation", help_text="Id of the talks, if any.")
    speaker = PublicReferenceField(help_text="Id of the actor who spoke, when known.")
    event = PublicReferenceField(help_text="Id of the event the statement is an account of.")
    stated_on = precise_date("stated_on", "When it was said or written.")
    topics = public_ids("Ids of the topics the statement bears on.")

    class Meta:
        model = Statement
        fields = [
            *RecordSerializer.common_fields,
            "talks",
            "kind",
            "speaker",
            "attribution",
            "attribution_kind",
            "form",
            "text",
            "original_text",
            "original_language",
            "channel",
            "verification",
            "verification_note",
            "stated_on",
            "topics",
            "event",
        ]
        read_only_fields = fields


class EventRoleSerializer(serializers.ModelSerializer):
    """An actor's role in an event."""

    actor = serializers.IntegerField(source="actor_id", read_only=True)

    class Meta:
        model = EventRole
        fields = ["actor", "role", "note"]
        read_only_fields = fields


class EventSerializer(RecordSerializer):
    """Something that happened, with the actors' roles and every account of it."""

    talks = PublicReferenceField(source="negotiation", help_text="Id of the talks, if any.")
    occurred_on = precise_date("occurred_on", "When it happened.")
    latitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, coerce_to_string=False, read_only=True, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, coerce_to_string=False, read_only=True, allow_null=True
    )
    actors = EventRoleSerializer(source="roles", many=True, read_only=True)
    accounts = public_ids("Ids of the statements that give an account of it.")

    class Meta:
        model = Event
        fields = [
            *RecordSerializer.common_fields,
            "talks",
            "slug",
            "title",
            "kind",
            "summary",
            "occurred_on",
            "place_name",
            "district",
            "city",
            "country",
            "latitude",
            "longitude",
            "actors",
            "accounts",
        ]
        read_only_fields = fields


class MilestoneSerializer(RecordSerializer):
    """A step of the talks: a round, an announcement, a deadline, an agreement."""

    talks = serializers.IntegerField(source="negotiation_id", read_only=True)
    planned_on = precise_date("planned_on", "When it was planned for.")
    held_on = precise_date("held_on", "When it was held.")
    statements = public_ids("Ids of the statements linked to it.")
    events = public_ids("Ids of the events linked to it.")

    class Meta:
        model = Milestone
        fields = [
            *RecordSerializer.common_fields,
            "talks",
            "slug",
            "title",
            "kind",
            "state",
            "planned_on",
            "held_on",
            "outcome",
            "statements",
            "events",
        ]
        read_only_fields = fields


class SourceSerializer(RecordSerializer):
    """A published document that records cite."""

    published_on = precise_date("published_on", "When the source was published.")
    authors = serializers.ListField(
        source="author_list", child=serializers.CharField(), read_only=True
    )
    contributors = serializers.ListField(
        source="contributor_list", child=serializers.CharField(), read_only=True
    )
    # Plain strings, not URL fields: an unknown address is an empty string, not a URI.
    original_url = serializers.CharField(
        source="url", read_only=True, help_text="The source itself; empty when not known."
    )
    archive_url = serializers.CharField(
        read_only=True, help_text="A permanent archived copy; empty when there is none."
    )

    class Meta:
        model = Source
        fields = [
            *RecordSerializer.common_fields,
            "kind",
            "outlet",
            "title",
            "authors",
            "contributors",
            "published_on",
            "original_url",
            "archive_url",
            "language",
            "notes",
        ]
        read_only_fields = fields


class ErrorSerializer(serializers.Serializer):
    """The body of a 404: ``{"detail": "Not found."}``."""

    detail = serializers.CharField(read_only=True)


class ValidationErrorSerializer(serializers.Serializer):
    """The body of a 400: each rejected query parameter, with what is wrong with it."""


class ValidationErrorSchema(OpenApiSerializerExtension):
    """Describes a 400 body, ``{"date_from": ["Enter a valid date."]}``, exactly."""

    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema, direction):
        schema = build_object_type(
            additionalProperties=build_array_type(build_basic_type(OpenApiTypes.STR)),
            description="Keys are the rejected query parameters; values say what is wrong.",
        )
        schema["minProperties"] = 1
        return schema
