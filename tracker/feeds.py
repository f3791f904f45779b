"""Atom feeds: the latest statements, the milestones, the corrections, and one per talks.

Every feed starts from the public querysets (``public_records``), links each
entry to its record's page, and dates entries from the records themselves:
``published`` is when Parley published the record, ``updated`` its last change.
"""

import datetime

from django.contrib.syndication.views import Feed
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.views.decorators.http import require_safe

from tracker.models import Correction, Event, Milestone, Negotiation, Statement
from tracker.search import plain
from tracker.views.common import public_records

FEED_LENGTH = 50


def _shorten(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class RecordFeed(Feed):
    """What the feeds share: Atom, record links and the records' own dates."""

    feed_type = Atom1Feed
    author_name = "Parley"

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """Answer GET and HEAD only, as every public page does."""
        return require_safe(super().__call__)(request, *args, **kwargs)

    def item_link(self, item: Model) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Model):
        return item.published_at or item.updated_at

    def item_updateddate(self, item: Model):
        return item.updated_at

    def item_title(self, item: Model) -> str:
        if isinstance(item, Statement):
            return f"{item.attribution}: {_shorten(item.text)}"
        if isinstance(item, Milestone):
            return f"{item.title} ({item.get_state_display().lower()}, {item.date_display})"
        return str(item)

    def item_description(self, item: Model) -> str:
        """The entry's summary, escaped: Atom marks it type="html", and it is plain text."""
        return linebreaks(self.item_text(item), autoescape=True)

    def item_text(self, item: Model) -> str:
        if isinstance(item, Statement):
            form = "Quote" if item.is_quote else "Paraphrase"
            when = item.stated_on_display or "date unknown"
            return (
                f"{item.text}\n\n{form}, {when}, {item.get_channel_display()}. "
                f"Attribution as reported: {item.attribution}. "
                f"Verification: {item.get_verification_display().lower()}."
            )
        if isinstance(item, Milestone):
            state = item.get_state_display().lower()
            when = f"{item.get_kind_display()}, {state}: {item.date_display}."
            return f"{when} {plain(item.outcome)}".strip()
        if isinstance(item, Event):
            where = item.place_display()
            when = item.occurred_on_display or "date unknown"
            return f"{item.get_kind_display()}, {when}{', ' + where if where else ''}. " + plain(
                item.summary
            )
        return str(item)


class StatementFeed(RecordFeed):
    """/feeds/statements/: the latest published statements, newest first."""

    title = "Parley: latest statements"
    subtitle = "What the parties to the talks Parley follows have said, with attribution."

    def link(self) -> str:
        return reverse("tracker:home")

    def items(self):
        return public_records("statement")[:FEED_LENGTH]


class MilestoneFeed(RecordFeed):
    """/feeds/milestones/: the steps of every public talks, latest date first."""

    title = "Parley: milestones"
    subtitle = "Rounds, announcements, deadlines, agreements and votes in the talks Parley follows."

    def link(self) -> str:
        return reverse("tracker:home")

    def items(self):
        milestones = public_records("milestone")
        latest_first = milestones.order_by("-held_on", "-planned_on", "-id")
        return latest_first[:FEED_LENGTH]


class ChangesFeed(RecordFeed):
    """/feeds/changes/: published corrections of records the public can see (or saw)."""

    title = "Parley: corrections"
    subtitle = "Every correction, clarification and retraction Parley has published."

    def link(self) -> str:
        return reverse("tracker:changes")

    def items(self) -> list[Correction]:
        corrections = list(
            Correction.objects.public().select_related("content_type")[: FEED_LENGTH * 2]
        )
        wanted: dict[type, set[int]] = {}
        for correction in corrections:
            model = correction.content_type.model_class()
            if model is not None and hasattr(model.objects, "on_record"):
                wanted.setdefault(model, set()).add(correction.object_id)
        found = {}
        for model, pks in wanted.items():
            for record in model.objects.on_record().filter(pk__in=pks):
                found[(model, record.pk)] = record
        shown = []
        for correction in corrections:
            record = found.get((correction.content_type.model_class(), correction.object_id))
            if record is not None:  # a correction of a draft stays off the feed
                correction.target = record
                shown.append(correction)
        return shown[:FEED_LENGTH]

    def item_title(self, item: Correction) -> str:
        return f"{item.get_kind_display()}: {item.target}"

    def item_text(self, item: Correction) -> str:
        return f"{item.date:%d %b %Y}. {plain(item.text)}"

    def item_link(self, item: Correction) -> str:
        return f"{item.target.get_absolute_url()}#correction-{item.pk}"


class NegotiationFeed(RecordFeed):
    """/talks/<slug>/feed/: statements, events and milestones of one talks, newest first."""

    @staticmethod
    def _newest_first(record: Model) -> tuple:
        """Most recently published first; among those, the latest record date."""
        when = getattr(record, "stated_on", None) or getattr(record, "occurred_on", None)
        when = when or getattr(record, "held_on", None) or getattr(record, "planned_on", None)
        return (record.published_at or record.updated_at, when or datetime.date.min, record.pk)

    def get_object(self, request: HttpRequest, slug: str) -> Negotiation:
        talks = public_records("negotiation").filter(slug=slug).first()
        if talks is None:
            raise Http404("No such talks.")
        return talks

    def title(self, talks: Negotiation) -> str:
        return f"Parley: {talks.title}"

    def subtitle(self, talks: Negotiation) -> str:
        return f"New statements, events and milestones in the talks: {talks.title}."

    def link(self, talks: Negotiation) -> str:
        return talks.get_absolute_url()

    def items(self, talks: Negotiation) -> list[Model]:
        topics = public_records("topic").filter(negotiation=talks)
        # Its own statements and those on its topics in two queries that each read
        # an index newest first and stop at FEED_LENGTH; one query with OR could not
        # use either index and read every statement of older talks.
        on_topic = Statement.topics.through.objects.filter(topic__in=topics).values("statement")
        own = public_records("statement").filter(negotiation=talks)[:FEED_LENGTH]
        others = (
            public_records("statement")
            .filter(pk__in=on_topic)
            .exclude(negotiation=talks)[:FEED_LENGTH]
        )
        statements = [*own, *others]
        events = public_records("event").filter(negotiation=talks)[:FEED_LENGTH]
        milestones = public_records("milestone").filter(negotiation=talks)[:FEED_LENGTH]
        records = [*statements, *events, *milestones]
        records.sort(key=self._newest_first, reverse=True)
        return records[:FEED_LENGTH]
