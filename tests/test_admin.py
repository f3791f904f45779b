"""Editors can reach every admin list, add and change page."""

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.factories import make_correction
from tracker.models import Actor, Citation, Source, Statement

pytestmark = pytest.mark.django_db


def registered_models():
    return [model for model in admin.site._registry if model._meta.app_label == "tracker"]


def test_every_parley_model_is_registered():
    names = {model.__name__ for model in registered_models()}
    assert names >= {
        "Actor",
        "Relationship",
        "Negotiation",
        "Participation",
        "Topic",
        "Position",
        "Statement",
        "Event",
        "EventRole",
        "Milestone",
        "Source",
        "Citation",
        "Correction",
        "KeyFigure",
    }


@pytest.mark.parametrize("page", ["changelist", "add"])
def test_every_list_and_add_page_answers_200_for_a_superuser(admin_client, seed, page):
    for model in registered_models():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}")
        response = admin_client.get(url)
        assert response.status_code == 200, url


def test_every_change_and_history_page_answers_200_for_a_superuser(admin_client, seed):
    make_correction(Source.objects.get())  # the seed has no correction to open
    for model in registered_models():
        record = model.objects.order_by("pk").first()
        assert record is not None, f"the seed has no {model.__name__}"
        for page in ("change", "history"):
            url = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=[record.pk]
            )
            response = admin_client.get(url)
            assert response.status_code == 200, url


def test_the_changelists_search_and_filter(admin_client, seed):
    url = reverse("admin:tracker_actor_changelist")
    response = admin_client.get(url, {"q": "Kataib"})
    assert "Kata&#x27;ib Hezbollah" in response.text
    url = reverse("admin:tracker_statement_changelist")
    response = admin_client.get(url, {"verification__exact": "disputed"})
    assert response.context["cl"].result_count == 2


def test_an_editor_can_enter_a_source_and_a_cited_statement_by_hand(admin_client, seed):
    """The whole article can be entered in the admin: a source, then a statement citing it."""
    response = admin_client.post(
        reverse("admin:tracker_source_add"),
        {
            "kind": "news_report",
            "outlet": "Example Wire",
            "title": "A second report",
            "authors": "A. Writer",
            "contributors": "",
            "language": "en",
            "published_on": "2024-02-09",
            "published_on_precision": "day",
            "published_on_part_of_day": "",
            "url": "",
            "archive_url": "",
            "notes": "",
            "status": "draft",
            "tracker-correction-content_type-object_id-TOTAL_FORMS": "0",
            "tracker-correction-content_type-object_id-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    source = Source.objects.get(title="A second report")

    speaker = Actor.objects.get(slug="kataib-hezbollah")
    prefix = "tracker-citation-content_type-object_id"
    response = admin_client.post(
        reverse("admin:tracker_statement_add"),
        {
            "negotiation": "",
            "kind": "pledge",
            "form": "quote",
            "text": "We will respond.",
            "speaker": speaker.pk,
            "attribution": "A spokesman for the group",
            "attribution_kind": "spokesperson",
            "channel": "telegram",
            "stated_on": "2024-02-09",
            "stated_on_precision": "day",
            "stated_on_part_of_day": "morning",
            "original_text": "",
            "original_language": "",
            "verification": "unverified",
            "verification_note": "",
            "event": "",
            "status": "draft",
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-source": source.pk,
            f"{prefix}-0-locator": "paragraph 3",
            "tracker-correction-content_type-object_id-TOTAL_FORMS": "0",
            "tracker-correction-content_type-object_id-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    statement = Statement.objects.get(text="We will respond.")
    assert str(statement.stated_on_display) == "9 Feb 2024, morning"
    assert (
        Citation.objects.get(
            content_type=ContentType.objects.get_for_model(Statement), object_id=statement.pk
        ).source
        == source
    )


def test_autocomplete_finds_actors_for_editors(admin_client, seed):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Hezbollah",
            "app_label": "tracker",
            "model_name": "statement",
            "field_name": "speaker",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Kata'ib Hezbollah"]
