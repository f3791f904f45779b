"""Load the seed data idempotently: a record is saved only when something in it differs."""

from collections import Counter

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

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
from tracker.seed import us_iraq_2024 as seed


def _date(name: str, spec: dict | None) -> dict:
    """Spread a seed date spec over a model's precise-date columns."""
    if spec is None:
        return {name: None}
    return {
        name: spec["date"],
        f"{name}_precision": spec.get("precision", "day"),
        f"{name}_part_of_day": spec.get("part_of_day", ""),
        f"{name}_on_or_before": spec.get("on_or_before", False),
    }


class SeedLoader:
    """Creates or updates each seed record, counting what changed."""

    def __init__(self):
        self.created: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()
        self.source: Source | None = None

    def upsert(self, model: type[models.Model], lookup: dict, values: dict) -> models.Model:
        """Return the record matching ``lookup``, saving it only if ``values`` differ."""
        record = model.objects.filter(**lookup).first()
        name = model._meta.verbose_name_plural
        if record is None:
            record = model(**lookup, **values)
            if hasattr(record, "published_at") and record.status == Status.PUBLISHED:
                record.published_at = timezone.now()
            record.save()
            self.created[name] += 1
            return record
        changed = [field for field, value in values.items() if getattr(record, field) != value]
        if changed:
            for field in changed:
                setattr(record, field, values[field])
            record.save()
            self.updated[name] += 1
        return record

    def set_m2m(self, manager, records) -> None:
        wanted = {record.pk for record in records}
        if set(manager.values_list("pk", flat=True)) != wanted:
            manager.set(wanted)

    def cite(self, record: models.Model, locator: str) -> None:
        content_type = ContentType.objects.get_for_model(record)
        _, created = Citation.objects.get_or_create(
            source=self.source, content_type=content_type, object_id=record.pk, locator=locator
        )
        if created:
            self.created["citations"] += 1

    def load(self) -> None:
        published = {"status": Status.PUBLISHED}
        spec = dict(seed.SOURCE)
        self.source = self.upsert(
            Source,
            {"outlet": spec.pop("outlet"), "title": spec.pop("title")},
            {**_date("published_on", spec.pop("published_on")), **spec, **published},
        )

        actors = {}
        for spec in seed.ACTORS:
            spec = dict(spec)
            locator = spec.pop("cite")
            spec.setdefault("wikidata_id", "")
            spec.setdefault("native_name", "")
            spec.setdefault("native_language", "")
            actor = self.upsert(Actor, {"slug": spec.pop("slug")}, {**spec, **published})
            self.cite(actor, locator)
            actors[actor.slug] = actor

        for subject, kind, obj, locator, description in seed.RELATIONSHIPS:
            relationship = self.upsert(
                Relationship,
                {"subject": actors[subject], "kind": kind, "object": actors[obj]},
                {"description": description, **published},
            )
            self.cite(relationship, locator)

        spec = dict(seed.NEGOTIATION)
        locator = spec.pop("cite")
        participants = spec.pop("participants")
        talks = self.upsert(
            Negotiation,
            {"slug": spec.pop("slug")},
            {**_date("start_on", spec.pop("start_on")), **spec, **published},
        )
        self.cite(talks, locator)
        for order, (slug, role, note) in enumerate(participants):
            self.upsert(
                Participation,
                {"negotiation": talks, "actor": actors[slug]},
                {"role": role, "note": note, "order": order},
            )

        for spec in seed.KEY_FIGURES:
            spec = dict(spec)
            locator = spec.pop("cite")
            figure = self.upsert(
                KeyFigure,
                {"negotiation": talks, "label": spec.pop("label")},
                {**_date("as_of", spec.pop("as_of")), **spec, **published},
            )
            self.cite(figure, locator)

        topics = {}
        for spec in seed.TOPICS:
            spec = dict(spec)
            locator = spec.pop("cite")
            topic = self.upsert(
                Topic, {"negotiation": talks, "slug": spec.pop("slug")}, {**spec, **published}
            )
            self.cite(topic, locator)
            topics[topic.slug] = topic

        events = {}
        for spec in seed.EVENTS:
            spec = dict(spec)
            locator = spec.pop("cite")
            roles = spec.pop("roles")
            event = self.upsert(
                Event,
                {"slug": spec.pop("slug")},
                {
                    **_date("occurred_on", spec.pop("occurred_on")),
                    **spec,
                    "negotiation": talks,
                    **published,
                },
            )
            self.cite(event, locator)
            for slug, role, note in roles:
                self.upsert(
                    EventRole, {"event": event, "actor": actors[slug], "role": role}, {"note": note}
                )
            events[event.slug] = event

        statements = {}
        for spec in seed.STATEMENTS:
            spec = dict(spec)
            key = spec.pop("key")
            locator = spec.pop("cite")
            topic_slugs = spec.pop("topics")
            event_slug = spec.pop("event")
            speaker = spec.pop("speaker")
            statement = self.upsert(
                Statement,
                {"attribution": spec.pop("attribution"), "text": spec.pop("text")},
                {
                    **_date("stated_on", spec.pop("stated_on")),
                    **spec,
                    "speaker": actors[speaker] if speaker else None,
                    "event": events[event_slug] if event_slug else None,
                    "negotiation": talks,
                    **published,
                },
            )
            self.set_m2m(statement.topics, [topics[slug] for slug in topic_slugs])
            self.cite(statement, locator)
            statements[key] = statement

        for spec in seed.POSITIONS:
            spec = dict(spec)
            locator = spec.pop("cite")
            evidence = spec.pop("evidence")
            as_of = _date("as_of", spec.pop("as_of"))
            position = self.upsert(
                Position,
                {
                    "actor": actors[spec.pop("actor")],
                    "topic": topics[spec.pop("topic")],
                    "as_of": as_of.pop("as_of"),
                },
                {**as_of, **spec, **published},
            )
            self.set_m2m(position.evidence, [statements[key] for key in evidence])
            self.cite(position, locator)

        for spec in seed.MILESTONES:
            spec = dict(spec)
            locator = spec.pop("cite")
            linked_statements = spec.pop("statements")
            linked_events = spec.pop("events")
            milestone = self.upsert(
                Milestone,
                {"slug": spec.pop("slug")},
                {
                    **_date("held_on", spec.pop("held_on")),
                    **spec,
                    "negotiation": talks,
                    **published,
                },
            )
            self.set_m2m(milestone.statements, [statements[key] for key in linked_statements])
            self.set_m2m(milestone.events, [events[slug] for slug in linked_events])
            self.cite(milestone, locator)


def load_seed() -> SeedLoader:
    """Load or refresh the seed data in one transaction; return what changed."""
    loader = SeedLoader()
    with transaction.atomic():
        loader.load()
    return loader
