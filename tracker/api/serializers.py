"""How each public record reads in the API.

Every record carries ``url`` (its public page, absolute), ``citations`` (the
published sources behind it) and its dates as precise-date objects
(``PreciseDate.as_dict()``). References to other records are ids, and a
reference to a record the public cannot see reads as ``null``; lists of ids and
nested links hold only what the view read through ``.public()`` into
``public_<relation>`` (records prefetched, or plain values: see ``api.views.Linked``).

The declared fields describe each record for the OpenAPI schema and are the
reference for its output. Each serializer's ``to_representation`` then builds
the same dict directly: DRF's field-by-field path costs several milliseconds a
page of 50 records with their citations. tests/test_api_representation.py
holds the two to the same output.
"""

import functools
from decimal import Decimal

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import build_array_type, build_basic_type, build_object_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

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
    Status,
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


@functools.lru_cache(maxsize=4096)
def _date_as_dict(value, precision: str, part_of_day: str, on_or_before: bool) -> dict:
    return PreciseDate(value, precision, part_of_day, on_or_before).as_dict()


@functools.cache
def _date_columns(name: str) -> tuple[str, str, str]:
    """The columns beside ``name`` that make it a precise date (see ``tracker.dates``)."""
    return f"{name}_precision", f"{name}_part_of_day", f"{name}_on_or_before"


def date_of(record, name: str) -> dict | None:
    """``record.<name>_display.as_dict()``, or None; each distinct date is worked out once."""
    value = getattr(record, name)
    if value is None:
        return None
    precision, part_of_day, on_or_before = _date_columns(name)
    return _date_as_dict(
        value,
        getattr(record, precision),
        getattr(record, part_of_day),
        getattr(record, on_or_before),
    ).copy()


_DATETIME = serializers.DateTimeField()


def datetime_of(value, zone) -> str | None:
    """A timestamp exactly as a ``DateTimeField`` writes it: ISO 8601 in ``zone``, UTC as "Z".

    ``zone`` is ``response_zone(context)``. The common case, an aware timestamp
    in ISO format, is written here; the field looks the current time zone up
    for every value, which cost ~1 ms a page.
    """
    if zone is None or value is None or value.tzinfo is None:
        return _DATETIME.to_representation(value)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _iso_datetimes() -> bool:
    return (
        api_settings.DATETIME_FORMAT is not None
        and api_settings.DATETIME_FORMAT.lower() == ISO_8601
    )


def response_zone(context: dict):
    """The time zone timestamps are written in (the field's default), once per response;
    None when they are not written in ISO format, which ``datetime_of`` leaves to the field."""
    if "_zone" not in context:
        context["_zone"] = _DATETIME.default_timezone() if _iso_datetimes() else None
    return context["_zone"]


def request_origin(context: dict) -> str:
    """``https://host`` of the request, worked out once per response, not once per record."""
    origin = context.get("_origin")
    if origin is None:
        request = context.get("request")
        origin = request.build_absolute_uri("/").removesuffix("/") if request else ""
        context["_origin"] = origin
    return origin


def public_reference(record, relation: str) -> int | None:
    """The id of the record ``relation`` points to, or None when there is none or it is not public.

    The view reads that record's status into ``<relation>_status`` (see
    ``api.views.statuses``) rather than selecting the record itself.
    """
    if getattr(record, f"{relation}_status") != Status.PUBLISHED:
        return None
    return getattr(record, f"{relation}_id")


@extend_schema_field(OpenApiTypes.URI)
class PublicUrlField(serializers.Field):
    """The record's page on the public site, as an absolute URL."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, record) -> str:
        return request_origin(self.context) + record.get_absolute_url()


@extend_schema_field(OpenApiTypes.INT)
class PublicReferenceField(serializers.Field):
    """The id of a related record, or null when there is none or it is not public.

    The view reads the related record's status, so this costs no query.
    """

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, allow_null=True)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return public_reference(instance, self.source)

    def to_representation(self, value: int) -> int:
        return value


@extend_schema_field(build_array_type(build_basic_type(OpenApiTypes.INT)))
class PublicIdsField(serializers.Field):
    """A list of ids the view read through ``.public()`` (see ``api.views.Linked``)."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, ids: list[int]) -> list[int]:
        return list(ids)


def public_ids(relation: str, help_text: str) -> PublicIdsField:
    """The ids in ``public_<relation>``, read by the view through ``.public()``."""
    return PublicIdsField(source=f"public_{relation}", help_text=help_text)


def decimal_field(max_digits: int, decimal_places: int, **kwargs) -> serializers.DecimalField:
    """A number written as a JSON number, rounded to ``decimal_places``."""
    return serializers.DecimalField(
        max_digits=max_digits, decimal_places=decimal_places, coerce_to_string=False, **kwargs
    )


# What the hand-written representations round numbers with: the declared fields'
# own settings. (Building a serializer's declared fields costs ~1 ms a response,
# so to_representation never touches ``self.fields``.)
_FIGURE_VALUE = decimal_field(14, 2)
_COORDINATE = decimal_field(8, 5)


def coordinate(value: Decimal | None) -> Decimal | None:
    """What ``_COORDINATE`` writes for ``value``. A coordinate read from the database has
    its five places already, which the field's rounding keeps as they are: it is written
    as it is, without the field's new decimal context for each (~3 µs)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        _, digits, exponent = value.as_tuple()
        if exponent == -_COORDINATE.decimal_places and len(digits) <= _COORDINATE.max_digits:
            return value
    return _COORDINATE.to_representation(value)


def citation_data(citation, origin: str) -> dict:
    """What ``CitationSerializer`` writes for ``citation`` (an ``api.views.PublicCitation``)."""
    return {
        "source": citation.source_id,
        "title": citation.title,
        "outlet": citation.outlet,
        "date": date_of(citation, "published_on"),
        "locator": citation.locator,
        "url": origin + citation.get_absolute_url(),
    }


def citations_data(record, origin: str) -> list[dict]:
    """The citations the view read into ``record.public_citations``."""
    return [citation_data(citation, origin) for citation in record.public_citations]


class CitationSerializer(serializers.ModelSerializer):
    """A published source behind a record.

    It writes what the view read of each citation and its source into an
    ``api.views.PublicCitation``.
    """

    source = serializers.IntegerField(source="source_id", read_only=True)
    title = serializers.CharField(read_only=True)
    outlet = serializers.CharField(read_only=True)
    date = PreciseDateSerializer(
        source="published_on_display",
        read_only=True,
        allow_null=True,
        help_text="When the source was published.",
    )
    url = PublicUrlField(help_text="The source's page on Parley.")

    class Meta:
        model = Citation
        fields = ["source", "title", "outlet", "date", "locator", "url"]
        read_only_fields = fields

    def to_representation(self, citation) -> dict:
        return citation_data(citation, request_origin(self.context))


class RecordSerializer(serializers.ModelSerializer):
    """What every public record carries: id, public URL, citations and publishing dates.

    A subclass lists its own fields after ``common_fields`` and builds them in
    ``own_fields``.
    """

    url = PublicUrlField(help_text="The record's page on Parley.")
    citations = CitationSerializer(source="public_citations", many=True, read_only=True)

    common_fields = ["id", "url", "published_at", "updated_at", "citations"]

    def to_representation(self, record) -> dict:
        context = self.context
        origin, zone = request_origin(context), response_zone(context)
        data = {
            "id": record.pk,
            "url": origin + record.get_absolute_url(),
            "published_at": datetime_of(record.published_at, zone),
            "updated_at": datetime_of(record.updated_at, zone),
            "citations": citations_data(record, origin),
        }
        data.update(self.own_fields(record, origin))
        return data

    def own_fields(self, record, origin: str) -> dict:
        """The fields after ``common_fields``, in ``Meta.fields`` order."""
        raise NotImplementedError


class ParticipantSerializer(serializers.ModelSerializer):
    """An actor's part in the talks."""

    actor = serializers.IntegerField(source="actor_id", read_only=True)

    class Meta:
        model = Participation
        fields = ["actor", "role", "note"]
        read_only_fields = fields

    def to_representation(self, participation: Participation) -> dict:
        return participant_data(participation)


def participant_data(participation: Participation) -> dict:
    """What ``ParticipantSerializer`` writes."""
    return {"actor": participation.actor_id, "role": participation.role, "note": participation.note}


class KeyFigureSerializer(serializers.ModelSerializer):
    """A number that frames the talks, e.g. "roughly 2,500 troops", as of a date."""

    value = decimal_field(14, 2, read_only=True)
    as_of = precise_date("as_of", "The day the figure holds for.")
    display = serializers.CharField(source="display_value", read_only=True)
    citations = CitationSerializer(source="public_citations", many=True, read_only=True)

    class Meta:
        model = KeyFigure
        fields = ["id", "label", "value", "unit", "qualifier", "display", "as_of", "citations"]
        read_only_fields = fields

    def to_representation(self, figure: KeyFigure) -> dict:
        return key_figure_data(figure, request_origin(self.context))


def key_figure_data(figure: KeyFigure, origin: str) -> dict:
    """What ``KeyFigureSerializer`` writes."""
    return {
        "id": figure.pk,
        "label": figure.label,
        "value": _FIGURE_VALUE.to_representation(figure.value),
        "unit": figure.unit,
        "qualifier": figure.qualifier,
        "display": figure.display_value(),
        "as_of": date_of(figure, "as_of"),
        "citations": citations_data(figure, origin),
    }


class NegotiationSerializer(RecordSerializer):
    """One negotiation process ("talks"), with its participants and key figures."""

    start_on = precise_date("start_on", "When the talks began.")
    end_on = precise_date("end_on", "When the talks ended, if they have.")
    participants = ParticipantSerializer(source="public_participations", many=True, read_only=True)
    key_figures = KeyFigureSerializer(source="public_key_figures", many=True, read_only=True)

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

    def own_fields(self, talks: Negotiation, origin: str) -> dict:
        return {
            "slug": talks.slug,
            "title": talks.title,
            "summary": talks.summary,
            "state": talks.state,
            "start_on": date_of(talks, "start_on"),
            "end_on": date_of(talks, "end_on"),
            "participants": [participant_data(p) for p in talks.public_participations],
            "key_figures": [key_figure_data(f, origin) for f in talks.public_key_figures],
        }


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

    def own_fields(self, actor: Actor, origin: str) -> dict:
        return {
            "slug": actor.slug,
            "kind": actor.kind,
            "name": actor.name,
            "short_name": actor.short_name,
            "native_name": actor.native_name,
            "native_language": actor.native_language,
            "aliases": actor.alias_list(),
            "country": actor.country,
            "wikidata_id": actor.wikidata_id,
            "description": actor.description,
        }


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

    def own_fields(self, relationship: Relationship, origin: str) -> dict:
        return {
            "subject": relationship.subject_id,
            "kind": relationship.kind,
            "object": relationship.object_id,
            "start_on": date_of(relationship, "start_on"),
            "end_on": date_of(relationship, "end_on"),
            "description": relationship.description,
        }


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

    def own_fields(self, topic: Topic, origin: str) -> dict:
        return {
            "talks": topic.negotiation_id,
            "slug": topic.slug,
            "title": topic.title,
            "question": topic.question,
            "description": topic.description,
            "order": topic.order,
        }


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
    evidence = public_ids("evidence", "Ids of the statements the position rests on.")

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

    def own_fields(self, position: Position, origin: str) -> dict:
        return {
            "actor": position.actor_id,
            "topic": position.topic_id,
            "talks": position.topic.negotiation_id,
            "stance": position.stance,
            "score": position.score,
            "summary": position.summary,
            "basis": position.basis,
            "as_of": date_of(position, "as_of"),
            "evidence": position.public_evidence,
        }


class StatementSerializer(RecordSerializer):
    """Something said or written, attributed exactly as the source reports it."""

    talks = PublicReferenceField(source="negotiation", help_text="Id of the talks, if any.")
    speaker = PublicReferenceField(help_text="Id of the actor who spoke, when known.")
    event = PublicReferenceField(help_text="Id of the event the statement is an account of.")
    stated_on = precise_date("stated_on", "When it was said or written.")
    topics = public_ids("topics", "Ids of the topics the statement bears on.")

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

    def own_fields(self, statement: Statement, origin: str) -> dict:
        return {
            "talks": public_reference(statement, "negotiation"),
            "kind": statement.kind,
            "speaker": public_reference(statement, "speaker"),
            "attribution": statement.attribution,
            "attribution_kind": statement.attribution_kind,
            "form": statement.form,
            "text": statement.text,
            "original_text": statement.original_text,
            "original_language": statement.original_language,
            "channel": statement.channel,
            "verification": statement.verification,
            "verification_note": statement.verification_note,
            "stated_on": date_of(statement, "stated_on"),
            "topics": statement.public_topics,
            "event": public_reference(statement, "event"),
        }


class EventRoleSerializer(serializers.ModelSerializer):
    """An actor's role in an event."""

    actor = serializers.IntegerField(source="actor_id", read_only=True)

    class Meta:
        model = EventRole
        fields = ["actor", "role", "note"]
        read_only_fields = fields

    def to_representation(self, role: EventRole) -> dict:
        return event_role_data(role)


def event_role_data(role: EventRole) -> dict:
    """What ``EventRoleSerializer`` writes."""
    return {"actor": role.actor_id, "role": role.role, "note": role.note}


class EventSerializer(RecordSerializer):
    """Something that happened, with the actors' roles and every account of it."""

    talks = PublicReferenceField(source="negotiation", help_text="Id of the talks, if any.")
    occurred_on = precise_date("occurred_on", "When it happened.")
    latitude = decimal_field(8, 5, read_only=True, allow_null=True)
    longitude = decimal_field(8, 5, read_only=True, allow_null=True)
    actors = EventRoleSerializer(source="public_roles", many=True, read_only=True)
    accounts = public_ids("accounts", "Ids of the statements that give an account of it.")

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

    def own_fields(self, event: Event, origin: str) -> dict:
        return {
            "talks": public_reference(event, "negotiation"),
            "slug": event.slug,
            "title": event.title,
            "kind": event.kind,
            "summary": event.summary,
            "occurred_on": date_of(event, "occurred_on"),
            "place_name": event.place_name,
            "district": event.district,
            "city": event.city,
            "country": event.country,
            "latitude": coordinate(event.latitude),
            "longitude": coordinate(event.longitude),
            "actors": [event_role_data(role) for role in event.public_roles],
            "accounts": event.public_accounts,
        }


class MilestoneSerializer(RecordSerializer):
    """A step of the talks: a round, an announcement, a deadline, an agreement."""

    talks = serializers.IntegerField(source="negotiation_id", read_only=True)
    planned_on = precise_date("planned_on", "When it was planned for.")
    held_on = precise_date("held_on", "When it was held.")
    statements = public_ids("statements", "Ids of the statements linked to it.")
    events = public_ids("events", "Ids of the events linked to it.")

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

    def own_fields(self, milestone: Milestone, origin: str) -> dict:
        return {
            "talks": milestone.negotiation_id,
            "slug": milestone.slug,
            "title": milestone.title,
            "kind": milestone.kind,
            "state": milestone.state,
            "planned_on": date_of(milestone, "planned_on"),
            "held_on": date_of(milestone, "held_on"),
            "outcome": milestone.outcome,
            "statements": milestone.public_statements,
            "events": milestone.public_events,
        }


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

    def own_fields(self, source: Source, origin: str) -> dict:
        return {
            "kind": source.kind,
            "outlet": source.outlet,
            "title": source.title,
            "authors": source.author_list(),
            "contributors": source.contributor_list(),
            "published_on": date_of(source, "published_on"),
            "original_url": source.url,
            "archive_url": source.archive_url,
            "language": source.language,
            "notes": source.notes,
        }


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
