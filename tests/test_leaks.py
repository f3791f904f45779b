"""Drafts and records in review never reach the public, in any form.

With the seed data published, every kind of record gets a draft and an
in-review copy whose every text field carries a marker, and which is linked to
published records wherever a link is possible (a draft statement on a public
topic, a draft actor in public talks, a draft source cited by a public
statement). A crawl of every public page, feed, sitemap, search, API endpoint
and download then never meets the marker, and the copies' own URLs answer 404.
"""

import datetime

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models

from tests.crawl import crawl
from tracker.models import (
    Actor,
    Citation,
    Event,
    EventRole,
    Milestone,
    Negotiation,
    Participation,
    Position,
    Publishable,
    Source,
    Statement,
    Status,
    Topic,
)

pytestmark = pytest.mark.django_db

MARKER = "zqxleak"
# Coded fields that must hold a code, not prose.
CODED = {"country", "wikidata_id", "native_language", "language", "original_language"}
HIDDEN = [Status.DRAFT, Status.IN_REVIEW]


def _marked_copy(record: models.Model, status: str, n: int) -> models.Model:
    """Save a copy of ``record`` with ``status`` and the marker in every text field."""
    model = type(record)
    copy = model.objects.get(pk=record.pk)
    copy.pk = copy.id = None
    copy._state.adding = True
    copy.status = status
    copy.published_at = None
    for field in model._meta.concrete_fields:
        if field.choices or field.name in CODED or field.name == "status":
            continue
        if isinstance(field, models.SlugField):
            setattr(copy, field.name, f"{MARKER}-{model._meta.model_name}-{n}")
        elif isinstance(field, models.URLField):
            setattr(copy, field.name, f"https://{MARKER}.example/{n}")
        elif isinstance(field, models.CharField | models.TextField):
            value = f"{MARKER} {field.name} {n}"
            setattr(copy, field.name, value[: field.max_length or None])
    # Dates that take part in unique constraints move out of the way.
    for name in ("as_of", "start_on"):
        if hasattr(copy, name):
            setattr(copy, name, datetime.date(2023, 1, 1) + datetime.timedelta(days=n))
    copy.save()
    return copy


@pytest.fixture
def hidden_copies(seed):
    """A draft and an in-review copy of every publishable record kind, tied to public ones."""
    public_statement = Statement.objects.public().first()
    content_type = ContentType.objects.get_for_model(Statement)
    from tests.factories import make_correction

    make_correction(public_statement)
    copies = []
    publishable = [
        model
        for model in apps.get_app_config("tracker").get_models()
        if issubclass(model, Publishable)
    ]
    n = 0
    for model in publishable:
        original = model.objects.public().first()
        assert original is not None, f"no published {model.__name__} to copy"
        for status in HIDDEN:
            n += 1
            copies.append(_marked_copy(original, status, n))

    talks = Negotiation.objects.public().get()
    topic = Topic.objects.public().first()
    event = Event.objects.public().get(slug="us-drone-strike-al-mashtal-2024")
    for copy in copies:
        if isinstance(copy, Statement):
            copy.topics.add(topic)
            Position.objects.public().first().evidence.add(copy)
            Milestone.objects.public().first().statements.add(copy)
        elif isinstance(copy, Actor):
            Participation.objects.create(negotiation=talks, actor=copy, role="stakeholder")
            EventRole.objects.create(event=event, actor=copy, role="target")
        elif isinstance(copy, Source):
            Citation.objects.create(
                source=copy,
                content_type=content_type,
                object_id=public_statement.pk,
                locator=f"{MARKER} locator",
            )
        elif isinstance(copy, Event):
            Milestone.objects.public().first().events.add(copy)
    return copies


def test_no_draft_or_record_in_review_reaches_any_public_surface(client, hidden_copies):
    searches = [
        f"/search/?q={MARKER}",
        *(
            f"/api/v1/{endpoint}/?search={MARKER}"
            for endpoint in ("talks", "actors", "topics", "statements", "events", "sources")
        ),
        "/api/v1/positions/?as_of=2030-01-01",
    ]
    pages = crawl(client, extra=searches)
    kinds = {page.content_type.split(";")[0] for page in pages if page.status == 200}
    # The crawl reached pages, feeds, the sitemap, the API and the downloads.
    assert {"text/html", "application/atom+xml", "application/json", "application/zip"} <= kinds
    assert len(pages) > 50
    leaks = [
        page.url
        for page in pages
        if MARKER.encode() in page.body.lower() and not _only_echoes_the_query(client, page)
    ]
    assert leaks == []


def _only_echoes_the_query(client, page) -> bool:
    """True when a page searching for the marker is the page for a term nothing matches.

    A search page repeats its query; that echo is the reader's own text, not a leak.
    """
    if MARKER not in page.url:
        return False
    nothing = "yqnonex"  # as long as the marker, so the pages line up byte for byte
    other = client.get(page.url.replace(MARKER, nothing))
    return other.content.replace(nothing.encode(), MARKER.encode()) == page.body


def test_the_own_urls_of_drafts_and_records_in_review_answer_404(client, hidden_copies):
    checked = 0
    for copy in hidden_copies:
        url = copy.get_absolute_url()
        if "#" in url:
            # Read on a published parent's page, which the crawl above covers.
            continue
        assert client.get(url).status_code == 404, url
        checked += 1
    assert checked >= 12
