"""Query parameters of the API's lists, one FilterSet per endpoint.

Parameters are strict: a value that is present but malformed (an empty
string, a date that is not YYYY-MM-DD, an unknown choice) is a 400 naming the
parameter, never silently ignored, so a typo cannot pass for "no filter".
A filter on a related record (talks, actor, topic, event) only ever matches
through that record's ``.public()`` queryset.
"""

import datetime
import re
from collections.abc import Callable

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from tracker.models import (
    Actor,
    ActorKind,
    AttributionKind,
    Channel,
    Event,
    EventKind,
    EventRole,
    Form,
    MilestoneKind,
    MilestoneState,
    Negotiation,
    NegotiationState,
    Participation,
    PositionBasis,
    RelationshipKind,
    SourceKind,
    Stance,
    StatementKind,
    Status,
    Topic,
    Verification,
)

# The largest id a 64-bit primary key can hold.
MAX_ID = 2**63 - 1


def public_topics() -> QuerySet:
    """Published topics of published talks: the only topics the public may see."""
    return Topic.objects.public().filter(negotiation__status=Status.PUBLISHED)


class IdField(forms.Field):
    """A record id: ASCII digits only, from 1 to ``MAX_ID``."""

    default_error_messages = {"invalid": "Enter a record id: a whole number from 1 upwards."}

    def to_python(self, value: str | None) -> int | None:
        if value is None:
            return None
        if not re.fullmatch(r"[0-9]{1,19}", value) or not 1 <= int(value) <= MAX_ID:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(value)


class IsoDateField(forms.Field):
    """A calendar date written YYYY-MM-DD, and no other way."""

    default_error_messages = {"invalid": "Enter a date as YYYY-MM-DD, e.g. 2024-02-08."}

    def to_python(self, value: str | None) -> datetime.date | None:
        if value is None:
            return None
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class EnumField(forms.Field):
    """One of a fixed set of codes; an empty value is an error, not "any"."""

    def __init__(self, *, choices, **kwargs):
        self.codes = [code for code, _ in choices]
        super().__init__(**kwargs)

    def to_python(self, value: str | None) -> str | None:
        if value is None:
            return None
        if value not in self.codes:
            raise forms.ValidationError(
                "Choose one of: %(codes)s.",
                code="invalid_choice",
                params={"codes": ", ".join(self.codes)},
            )
        return value


class TextField(forms.CharField):
    """Free text. NUL characters are dropped: PostgreSQL cannot compare text holding them."""

    def to_python(self, value: str | None) -> str:
        return super().to_python(value.replace("\x00", "") if value else value)


class IdFilter(filters.Filter):
    field_class = IdField


class IsoDateFilter(filters.Filter):
    field_class = IsoDateField


class EnumFilter(filters.Filter):
    field_class = EnumField


class TextFilter(filters.Filter):
    field_class = TextField


class SearchFilter(filters.Filter):
    """Records holding every word of ``?search=`` in one of ``search_fields``."""

    field_class = TextField

    def __init__(self, search_fields: list[str], **kwargs):
        self.search_fields = search_fields
        super().__init__(**kwargs)

    def filter(self, queryset: QuerySet, value: str) -> QuerySet:
        for word in value.split():
            matches = Q()
            for field in self.search_fields:
                matches |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(matches)
        return queryset


def _documented(filter_: filters.Filter, schema: dict) -> filters.Filter:
    """Give ``filter_`` its exact OpenAPI schema, described by its label."""
    return extend_schema_field({**schema, "description": filter_.label})(filter_)


def id_filter(label: str, **kwargs) -> IdFilter:
    schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    return _documented(IdFilter(label=label, **kwargs), schema)


def date_filter(label: str, **kwargs) -> IsoDateFilter:
    return _documented(IsoDateFilter(label=label, **kwargs), {"type": "string", "format": "date"})


def enum_filter(label: str, choices, **kwargs) -> EnumFilter:
    schema = {"type": "string", "enum": [code for code, _ in choices]}
    return _documented(EnumFilter(label=label, choices=choices, **kwargs), schema)


def search_filter(*fields: str) -> SearchFilter:
    label = "Only records holding every word given, in any of: " + ", ".join(
        field.replace("__", " ").replace("_", " ") for field in fields
    )
    return _documented(SearchFilter(list(fields), label=label), {"type": "string"})


def text_filter(label: str, **kwargs) -> TextFilter:
    return _documented(TextFilter(label=label, **kwargs), {"type": "string"})


def date_range(field: str, what: str) -> tuple[IsoDateFilter, IsoDateFilter]:
    """``date_from`` and ``date_to`` on the first day of ``field``'s period."""
    return (
        date_filter(
            f"Only records whose {what} is on or after this day.",
            field_name=field,
            lookup_expr="gte",
        ),
        date_filter(
            f"Only records whose {what} is on or before this day.",
            field_name=field,
            lookup_expr="lte",
        ),
    )


def _public(model) -> Callable[[QuerySet, str, int], QuerySet]:
    """A filter method matching ``field`` against public records of ``model`` only."""

    def method(queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(**{f"{name}__in": model.objects.public().filter(pk=value)})

    return method


class TalksFilter(filters.FilterSet):
    actor = id_filter("Only talks this actor takes part in (actor id).", method="filter_actor")
    state = enum_filter("Only talks in this state.", NegotiationState.choices)
    date_from, date_to = date_range("start_on", "start date")
    search = search_filter("title", "summary")

    def filter_actor(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        taking_part = Participation.objects.public().filter(
            negotiation=OuterRef("pk"), actor_id=value
        )
        return queryset.filter(Exists(taking_part))


class ActorFilter(filters.FilterSet):
    talks = id_filter("Only actors taking part in these talks (talks id).", method="filter_talks")
    kind = enum_filter("Only actors of this kind.", ActorKind.choices)
    country = text_filter("Only actors of this country (ISO 3166-1 alpha-2 code, e.g. IQ).")
    search = search_filter("name", "short_name", "native_name", "aliases")

    def filter_talks(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        taking_part = Participation.objects.public().filter(
            actor=OuterRef("pk"), negotiation_id=value
        )
        return queryset.filter(Exists(taking_part))


class RelationshipFilter(filters.FilterSet):
    actor = id_filter(
        "Only links with this actor on either side (actor id).", method="filter_actor"
    )
    kind = enum_filter("Only links of this kind.", RelationshipKind.choices)
    date_from, date_to = date_range("start_on", "start date")
    search = search_filter("subject__name", "object__name", "description")

    def filter_actor(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(Q(subject_id=value) | Q(object_id=value))


class TopicFilter(filters.FilterSet):
    talks = id_filter("Only topics of these talks (talks id).", field_name="negotiation_id")
    search = search_filter("title", "question", "description")


class PositionFilter(filters.FilterSet):
    talks = id_filter(
        "Only positions in these talks (talks id).", field_name="topic__negotiation_id"
    )
    actor = id_filter("Only positions of this actor (actor id).", field_name="actor_id")
    topic = id_filter("Only positions on this topic (topic id).", field_name="topic_id")
    stance = enum_filter("Only positions with this stance.", Stance.choices)
    basis = enum_filter("Only positions on this basis.", PositionBasis.choices)
    as_of = date_filter(
        "Each actor's position on each topic as it stood on this day: the latest published "
        "one taken on or before it.",
        method="filter_as_of",
    )
    date_from, date_to = date_range("as_of", "as-of date")
    search = search_filter("summary")

    def filter_as_of(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset.as_of(value)


class StatementFilter(filters.FilterSet):
    talks = id_filter(
        "Only statements in these talks (talks id).",
        field_name="negotiation",
        method=_public(Negotiation),
    )
    actor = id_filter(
        "Only statements by this speaker (actor id).", field_name="speaker", method=_public(Actor)
    )
    topic = id_filter("Only statements on this topic (topic id).", method="filter_topic")
    event = id_filter(
        "Only accounts of this event (event id).", field_name="event", method=_public(Event)
    )
    kind = enum_filter("Only statements of this kind.", StatementKind.choices)
    verification = enum_filter("Only statements so verified.", Verification.choices)
    attribution_kind = enum_filter("Only statements attributed this way.", AttributionKind.choices)
    form = enum_filter("Only direct quotes, or only paraphrases.", Form.choices)
    channel = enum_filter("Only statements made through this channel.", Channel.choices)
    date_from, date_to = date_range("stated_on", "date")
    search = search_filter("text", "original_text", "attribution", "verification_note")

    def filter_topic(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        # A statement holds each topic once, so the join cannot repeat a row.
        return queryset.filter(topics__in=public_topics().filter(pk=value))


class EventFilter(filters.FilterSet):
    talks = id_filter(
        "Only events in these talks (talks id).",
        field_name="negotiation",
        method=_public(Negotiation),
    )
    actor = id_filter("Only events this actor had a role in (actor id).", method="filter_actor")
    kind = enum_filter("Only events of this kind.", EventKind.choices)
    date_from, date_to = date_range("occurred_on", "date")
    search = search_filter("title", "summary", "place_name", "district", "city")

    def filter_actor(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        roles = EventRole.objects.public().filter(event=OuterRef("pk"), actor_id=value)
        return queryset.filter(Exists(roles))


class MilestoneFilter(filters.FilterSet):
    talks = id_filter("Only steps of these talks (talks id).", field_name="negotiation_id")
    kind = enum_filter("Only steps of this kind.", MilestoneKind.choices)
    state = enum_filter("Only steps in this state.", MilestoneState.choices)
    date_from, date_to = date_range("date", "date (held on, else planned for)")
    search = search_filter("title", "outcome")


class SourceFilter(filters.FilterSet):
    kind = enum_filter("Only sources of this kind.", SourceKind.choices)
    outlet = text_filter('Only sources from this outlet, e.g. "NPR".')
    language = text_filter("Only sources in this language (BCP 47 tag, e.g. en).")
    date_from, date_to = date_range("published_on", "publication date")
    search = search_filter("title", "outlet", "authors", "contributors")
