"""Atom feeds: the latest statements, the milestones, the corrections, and one per talks.

Every feed starts from the public querysets (``public_records``), links each
entry to its record's page, and dates entries from the records themselves:
``published`` is when Parley published the record, ``updated`` its last change.
"""

import datetime
import functools
import html
import io
import re
from xml.sax.saxutils import escape, quoteattr

from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import Feed, add_domain
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import DateField, Exists, F, Model, OuterRef, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, SyndicationFeed, rfc3339_date
from django.utils.http import http_date
from django.utils.timezone import get_default_timezone, is_naive, make_aware
from django.utils.translation import get_language
from django.utils.xmlutils import UnserializableContentError
from django.views.decorators.http import require_safe

from tracker.dates import date_columns
from tracker.models import Correction, Event, Milestone, Negotiation, Statement
from tracker.prepared import PreparedSQL, padded, prepared, sent_together
from tracker.search import plain
from tracker.views.common import attach_targets, public_records

FEED_LENGTH = 50

# The columns an entry is written from, for ``QuerySet.only()``: a feed reads
# fifty records, and Django's cost per selected column and row adds up.
_DATES = ("published_at", "updated_at")
STATEMENT_COLUMNS = (
    *_DATES,
    *date_columns("stated_on"),
    "attribution",
    "text",
    "form",
    "channel",
    "verification",
)
EVENT_COLUMNS = (
    *_DATES,
    *date_columns("occurred_on"),
    "slug",
    "title",
    "kind",
    "summary",
    "place_name",
    "district",
    "city",
)
MILESTONE_COLUMNS = (
    *_DATES,
    *date_columns("held_on"),
    *date_columns("planned_on"),
    "slug",
    "title",
    "kind",
    "state",
    "outcome",
)
CORRECTION_COLUMNS = (
    *_DATES,
    "content_type__app_label",
    "content_type__model",
    "object_id",
    "kind",
    "date",
    "text",
)
# What a correction's entry reads of the record it corrects (its name and
# address), for the kinds most corrected; others are read whole.
TARGET_COLUMNS = {Statement: ("attribution", "text"), Event: ("slug", "title")}


class AtomFeed(Atom1Feed):
    """Django's Atom feed, its entries written as strings rather than through the XML writer.

    The same bytes (tests/test_feeds.py compares the two) for the entries
    ``RecordFeed.get_feed`` adds: a title, a link that is also the id, dates
    and an HTML summary. The XML writer's dozen calls per element were a
    fifth of a feed's time.
    """

    def write_items(self, handler) -> None:
        # Written as is, after whatever start tag the writer still holds open.
        handler.ignorableWhitespace("".join(map(self._entry, self.items)))

    @staticmethod
    def _entry(item: dict) -> str:
        parts = [
            "<entry>",
            _element("title", item["title"]),
            f'<link href={quoteattr(item["link"])} rel="alternate"/>',
        ]
        if item["pubdate"] is not None:
            parts.append(_element("published", rfc3339_date(item["pubdate"])))
        if item["updateddate"] is not None:
            parts.append(_element("updated", rfc3339_date(item["updateddate"])))
        parts.append(_element("id", item["unique_id"]))
        if item["description"] is not None:
            parts.append(_element("summary", item["description"], ' type="html"'))
        parts.append("</entry>")
        return "".join(parts)


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0B-\x0C\x0E-\x1F]")


def _element(name: str, text: str | None, attributes: str = "") -> str:
    """``<name>text</name>`` as Django's ``SimplerXMLGenerator.addQuickElement`` writes it."""
    if not text:
        return f"<{name}{attributes}/>"
    if _CONTROL_CHARACTERS.search(text):
        raise UnserializableContentError("Control characters are not supported in XML 1.0")
    return f"<{name}{attributes}>{escape(text)}</{name}>"


_PARAGRAPH_BREAK = re.compile("\n{2,}")


def _linebreaks(text: str) -> str:
    """``linebreaks(text, autoescape=True)``: paragraphs and line breaks of plain text.

    The same string as Django's filter, without its lazy-string wrappers
    around each of its steps, which cost more than the steps on fifty entries.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    escaped = (html.escape(paragraph) for paragraph in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in escaped)


@functools.cache
def _labels(model: type[Model], field: str) -> dict[str, str]:
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


def _label(record: Model, field: str) -> str:
    """``record.get_<field>_display()``, from a table built once per field, not per call."""
    value = getattr(record, field)
    return _labels(type(record), field).get(value, value)


def _shorten(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class RecordFeed(Feed):
    """What the feeds share: Atom, record links and the records' own dates."""

    feed_type = AtomFeed
    author_name = "Parley"

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """Answer GET and HEAD only, as every public page does."""
        return require_safe(self._respond)(request, *args, **kwargs)

    def _respond(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """Django's ``Feed.__call__``, writing the XML to a string, then the response once.

        The XML writer makes a thousand small writes; each one into the
        response costs an encoding and a list append.
        """
        try:
            obj = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist as error:
            raise Http404("Feed object does not exist.") from error
        feed = self.get_feed(obj, request)
        buffer = io.StringIO()
        feed.write(buffer, "utf-8")
        content = buffer.getvalue().encode("utf-8", "xmlcharrefreplace")
        response = HttpResponse(content, content_type=feed.content_type)
        response.headers["Last-Modified"] = http_date(feed.latest_post_date().timestamp())
        return response

    def get_feed(self, obj, request: HttpRequest) -> SyndicationFeed:
        """The feed Django's ``Feed.get_feed`` builds, from the attributes these feeds define.

        Django looks up some twenty optional attributes for every entry (by
        introspection, to tell methods from constants); these feeds define
        six, and the rest are left as Django leaves them when missing.
        """
        domain = get_current_site(request).domain
        secure = request.is_secure()
        feed = self.feed_type(
            title=self._get_dynamic_attr("title", obj),
            subtitle=self._get_dynamic_attr("subtitle", obj),
            link=add_domain(domain, self._get_dynamic_attr("link", obj), secure),
            description=None,
            language=self.language or get_language(),
            feed_url=add_domain(domain, request.path, secure),
            author_name=self.author_name,
        )
        timezone = get_default_timezone()
        for item in self._get_dynamic_attr("items", obj):
            link = add_domain(domain, self.item_link(item), secure)
            pubdate = self.item_pubdate(item)
            if pubdate and is_naive(pubdate):
                pubdate = make_aware(pubdate, timezone)
            updateddate = self.item_updateddate(item)
            if updateddate and is_naive(updateddate):
                updateddate = make_aware(updateddate, timezone)
            feed.add_item(
                title=self.item_title(item),
                link=link,
                description=self.item_description(item),
                unique_id=link,
                pubdate=pubdate,
                updateddate=updateddate,
            )
        return feed

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
            return f"{item.title} ({_label(item, 'state').lower()}, {item.date_display})"
        return str(item)

    def item_description(self, item: Model) -> str:
        """The entry's summary, escaped: Atom marks it type="html", and it is plain text."""
        return _linebreaks(self.item_text(item))

    def item_text(self, item: Model) -> str:
        if isinstance(item, Statement):
            form = "Quote" if item.is_quote else "Paraphrase"
            when = item.stated_on_display or "date unknown"
            return (
                f"{item.text}\n\n{form}, {when}, {_label(item, 'channel')}. "
                f"Attribution as reported: {item.attribution}. "
                f"Verification: {_label(item, 'verification').lower()}."
            )
        if isinstance(item, Milestone):
            state = _label(item, "state").lower()
            when = f"{_label(item, 'kind')}, {state}: {item.date_display}."
            return f"{when} {plain(item.outcome)}".strip()
        if isinstance(item, Event):
            where = item.place_display()
            when = item.occurred_on_display or "date unknown"
            return f"{_label(item, 'kind')}, {when}{', ' + where if where else ''}. " + plain(
                item.summary
            )
        return str(item)


class StatementFeed(RecordFeed):
    """/feeds/statements/: the latest published statements, newest first."""

    title = "Parley: latest statements"
    subtitle = "What the parties to the talks Parley follows have said, with attribution."

    def link(self) -> str:
        return reverse("tracker:home")

    @staticmethod
    @prepared
    def items():
        statements = public_records("statement").select_related(None).only(*STATEMENT_COLUMNS)
        return statements[:FEED_LENGTH]


class MilestoneFeed(RecordFeed):
    """/feeds/milestones/: the steps of every public talks, latest date first."""

    title = "Parley: milestones"
    subtitle = "Rounds, announcements, deadlines, agreements and votes in the talks Parley follows."

    def link(self) -> str:
        return reverse("tracker:home")

    @staticmethod
    @prepared
    def items():
        milestones = public_records("milestone").select_related(None).only(*MILESTONE_COLUMNS)
        latest_first = milestones.order_by("-held_on", "-planned_on", "-id")
        return latest_first[:FEED_LENGTH]


class ChangesFeed(RecordFeed):
    """/feeds/changes/: published corrections of records the public can see (or saw)."""

    title = "Parley: corrections"
    subtitle = "Every correction, clarification and retraction Parley has published."

    def link(self) -> str:
        return reverse("tracker:changes")

    def items(self) -> list[Correction]:
        """The first FEED_LENGTH of the latest 2 × FEED_LENGTH corrections whose records
        are on file (a correction of a draft stays off the feed).

        Those past the first ``_CORRECTIONS_READ`` are read only when the first
        leave the feed short: most corrections are of records on file.
        """
        shown = []
        for window in (
            slice(0, _CORRECTIONS_READ),
            slice(_CORRECTIONS_READ, FEED_LENGTH * 2),
        ):
            corrections = _latest_corrections(window)
            attach_targets(corrections, _targets)
            shown += [correction for correction in corrections if correction.target is not None]
            if len(shown) >= FEED_LENGTH or len(corrections) < window.stop - window.start:
                break
        return shown[:FEED_LENGTH]

    def item_title(self, item: Correction) -> str:
        return f"{_label(item, 'kind')}: {item.target}"

    def item_text(self, item: Correction) -> str:
        return f"{item.date:%d %b %Y}. {plain(item.text)}"

    def item_link(self, item: Correction) -> str:
        return f"{item.target.get_absolute_url()}#correction-{item.pk}"


class NegotiationFeed(RecordFeed):
    """/talks/<slug>/feed/: statements, events and milestones of one talks, newest first."""

    def get_object(self, request: HttpRequest, slug: str) -> Negotiation:
        found = _feed_talks(slug)
        if not found:
            raise Http404("No such talks.")
        return found[0]

    def title(self, talks: Negotiation) -> str:
        return f"Parley: {talks.title}"

    def subtitle(self, talks: Negotiation) -> str:
        return f"New statements, events and milestones in the talks: {talks.title}."

    def link(self, talks: Negotiation) -> str:
        return talks.get_absolute_url()

    def items(self, talks: Negotiation) -> list[Model]:
        """The newest entries (``_newest``), then only their records, read whole."""
        newest = [(_LISTS[n][0], pk) for n, pk in _newest(connection.vendor).rows(talks.pk)]
        reads = []
        with sent_together():  # one round trip for the three kinds (tracker.prepared)
            for model, read in _READERS.items():
                pks = [pk for kind, pk in newest if kind is model]
                if pks:
                    reads.append((model, read.later(padded(pks))))
        records = {}
        for model, read in reads:
            records.update(((model, record.pk), record) for record in read())
        return [records[entry] for entry in newest]


# The queries of the feeds, each built and compiled once (tracker.prepared).


# How many of the latest corrections the changes feed reads first.
_CORRECTIONS_READ = FEED_LENGTH + 10


@prepared
def _latest_corrections(window: slice):
    corrections = Correction.objects.public().select_related("content_type")
    return corrections.only(*CORRECTION_COLUMNS)[window]


@prepared
def _targets(pks: list[int], *, model: type[Model]):
    records = model.objects.on_record().filter(pk__in=pks)
    return records.only(*TARGET_COLUMNS[model]) if model in TARGET_COLUMNS else records


@prepared
def _feed_talks(slug: str):
    return public_records("negotiation").only("slug", "title").filter(slug=slug).order_by()[:1]


def _feed_statements():
    return public_records("statement").select_related(None).only(*STATEMENT_COLUMNS)


def _talks_statements(talks_id: int, vendor: str):
    return _feed_statements().filter(negotiation=talks_id)


def _topic_statements(talks_id: int, vendor: str):
    """The statements on the talks' topics that are not the talks' own.

    Its own statements and those on its topics are two lists that each read
    an index newest first and stop at FEED_LENGTH; one query with OR could not
    use either index and read every statement of older talks. The talks' own
    statements are left out of those on its topics by their ids, from an index,
    before any statement is read (most statements on its topics are its own).

    SQLite reads ``NOT IN`` the talks' own ids as one list of them. PostgreSQL
    cannot turn ``NOT IN`` into an anti-join (it must allow for a NULL): it
    tested each of the 190,000 links against that list; ``NOT EXISTS`` lets it
    join the links of the talks' topics with the own ids (both read from
    indexes alone, the latter from migration 0016's): 78 ms → 8 ms for a
    talks of 12,000 statements. Planned for each call's talks, the largest
    (35,000 links to its topics, the planner guessing 3,800) was a lookup of
    each link's statement (100 ms); the feed's query is planned once, as a
    hash of the own ids for any talks (27 ms for it, 1.5–2.3 ms for others).
    """
    topics = public_records("topic").filter(negotiation=talks_id)
    links = Statement.topics.through.objects.filter(topic__in=topics)
    if vendor == "postgresql":
        own = Statement.objects.filter(pk=OuterRef("statement"), negotiation=talks_id)
        links = links.filter(~Exists(own))
    else:
        own_ids = Statement.objects.filter(negotiation=talks_id).values("pk")
        links = links.exclude(statement__in=own_ids)
    return _feed_statements().filter(pk__in=links.values("statement"))


def _talks_events(talks_id: int, vendor: str):
    return public_records("event").only(*EVENT_COLUMNS).filter(negotiation=talks_id)


def _talks_milestones(talks_id: int, vendor: str):
    milestones = public_records("milestone").select_related(None).only(*MILESTONE_COLUMNS)
    return milestones.filter(negotiation=talks_id)


# The lists a talks' feed is made from: the first FEED_LENGTH of each, in its
# own order, with the day an entry is dated by after its publication. Each is
# built for a talks' id and the database's vendor.
_LISTS = [
    (Statement, _talks_statements, "stated_on"),
    (Statement, _topic_statements, "stated_on"),
    (Event, _talks_events, "occurred_on"),
    (Milestone, _talks_milestones, Coalesce("held_on", "planned_on")),
]
# Where the talks' id goes among the parameters of ``_newest`` (no record has it).
_TALKS = -(2**40)


@functools.cache
def _newest(vendor: str) -> PreparedSQL:
    """The newest entries of a talks' feed: each list's first FEED_LENGTH, merged.

    Most recently published first; among those, the latest record date (none
    counting as the earliest), then the highest id, then the lists' order. The
    rows are each entry's list and id: only the records that make the feed are
    then read whole (``_READERS``), not all four lists'. Built once per database.
    """
    parts, params = [], []
    for n, (_model, records, day) in enumerate(_LISTS):
        keys = records(_TALKS, vendor).values(
            record=F("pk"),
            published=Coalesce("published_at", "updated_at"),
            day=Coalesce(day, Value(datetime.date.min), output_field=DateField()),
        )
        sql, part_params = keys[:FEED_LENGTH].query.sql_with_params()
        parts.append(f"SELECT {n} AS list, record, published, day FROM ({sql}) AS list_{n}")
        params += part_params
    union = " UNION ALL ".join(parts)
    return PreparedSQL(
        f"SELECT list, record FROM ({union}) AS entries"
        f" ORDER BY published DESC, day DESC, record DESC, list LIMIT {FEED_LENGTH}",
        params,
        [_TALKS],
    )


@prepared
def _statements_by_id(pks: list[int]):
    return _feed_statements().filter(pk__in=pks)


@prepared
def _events_by_id(pks: list[int]):
    return public_records("event").only(*EVENT_COLUMNS).filter(pk__in=pks)


@prepared
def _milestones_by_id(pks: list[int]):
    milestones = public_records("milestone").select_related(None).only(*MILESTONE_COLUMNS)
    return milestones.filter(pk__in=pks)


_READERS = {Statement: _statements_by_id, Event: _events_by_id, Milestone: _milestones_by_id}
