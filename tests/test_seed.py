"""The seed data tells the 2024 Iraq–US talks as NPR's report does, with every fact cited."""

import datetime

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from tracker.models import (
    Actor,
    Citation,
    Event,
    KeyFigure,
    Milestone,
    Negotiation,
    Position,
    Publishable,
    Relationship,
    Source,
    Statement,
    Status,
    Topic,
)

pytestmark = pytest.mark.django_db

TALKS = "iraq-us-coalition-talks-2024"


def publishable_models():
    return [
        model
        for model in apps.get_app_config("tracker").get_models()
        if issubclass(model, Publishable)
    ]


def snapshot() -> str:
    """Every row of every Parley table, as JSON."""
    rows = []
    for model in apps.get_app_config("tracker").get_models():
        rows.extend(model.objects.order_by("pk"))
    return serializers.serialize("json", rows)


def test_the_seed_cites_the_npr_report_with_its_authors_and_date(seed):
    source = Source.objects.get()
    assert source.outlet == "NPR"
    assert source.title == "U.S. drone strike kills a leader of an Iran-backed militia in Iraq"
    assert source.author_list() == ["Jane Arraf", "James Hider"]
    assert source.contributor_list() == ["Tom Bowman"]
    assert source.published_on == datetime.date(2024, 2, 8)


def test_every_seed_record_is_published_and_cites_the_report(seed):
    source = Source.objects.get()
    for model in publishable_models():
        for record in model.objects.all():
            assert record.status == Status.PUBLISHED, record
            if model is not Source:
                assert record.citations.filter(source=source).exists(), record
    assert not Citation.objects.exclude(source=source).exists()


def test_loading_the_seed_twice_changes_nothing(seed):
    before = snapshot()
    history_before = sum(model.history.count() for model in publishable_models())
    call_command("load_seed", verbosity=0)
    assert snapshot() == before
    assert sum(model.history.count() for model in publishable_models()) == history_before


def test_the_talks_have_two_parties_and_the_troop_figure(seed):
    talks = Negotiation.objects.get(slug=TALKS)
    parties = talks.participations.filter(role="party").values_list("actor__slug", flat=True)
    assert set(parties) == {"united-states-government", "government-of-iraq"}
    figure = KeyFigure.objects.get(negotiation=talks)
    assert figure.display_value() == "roughly 2,500 US troops"


def test_the_topics_on_the_table(seed):
    questions = set(Topic.objects.values_list("question", flat=True))
    assert "Should US forces stay in Iraq?" in questions
    assert any("smaller" in question for question in questions)
    assert any("ISIS" in question and "Iran" in question for question in questions)


def test_every_position_rests_on_published_evidence(seed):
    assert Position.objects.count() >= 5
    for position in Position.objects.all():
        assert position.evidence.public().exists(), position


def test_the_us_wants_to_stay_and_iraqi_mps_want_it_gone(seed):
    stay = Topic.objects.get(slug="us-forces-stay")
    stances = dict(
        Position.objects.as_of(datetime.date(2024, 2, 8))
        .filter(topic=stay)
        .values_list("actor__slug", "stance")
    )
    assert stances["united-states-government"] == "supports"
    assert stances["iraqi-members-of-parliament"] == "opposes"


def test_statements_keep_attribution_form_channel_and_honest_dates(seed):
    centcom = Statement.objects.get(speaker__slug="us-central-command")
    assert centcom.channel == "x"
    assert centcom.is_quote
    assert centcom.attribution_kind == "official_channel"

    former = Statement.objects.get(attribution__startswith="A former senior U.S. military official")
    assert former.speaker is None
    assert former.attribution_kind == "anonymous"
    assert not former.is_quote

    mps = Statement.objects.get(attribution="Some Iraqi members of parliament")
    assert mps.attribution_kind == "collective"
    assert str(mps.stated_on_display) == "on or before 8 Feb 2024"

    telegram = Statement.objects.get(channel="telegram")
    assert "Telegram channel" in telegram.attribution

    pledge = Statement.objects.get(kind="pledge")
    assert str(pledge.stated_on_display) == "week of 29 Jan 2024"
    assert Statement.objects.count() == 12


def test_the_strike_keeps_its_conflicting_accounts_side_by_side(seed):
    strike = Event.objects.get(slug="us-drone-strike-al-mashtal-2024")
    assert str(strike.occurred_on_display) == "7 Feb 2024, night"
    assert strike.place_display() == "al-Mashtal, east Baghdad, Baghdad"
    accounts = {s.speaker.slug if s.speaker else None: s for s in strike.accounts.all()}
    us = accounts["us-military"]
    iraq = accounts["iraqi-military-command"]
    assert us.text.startswith("There are no indications of collateral damage")
    assert us.verification == "disputed"
    assert "civilian car" in iraq.text
    roles = set(strike.roles.values_list("actor__slug", "role"))
    assert ("kataib-hezbollah", "target") in roles
    assert ("iraqi-military-command", "investigator") in roles


def test_the_earlier_strikes_and_the_blocked_streets_are_events(seed):
    earlier = Event.objects.get(slug="us-strikes-militia-sites-iraq-syria-2024")
    assert str(earlier.occurred_on_display) == "week of 29 Jan 2024"
    assert Event.objects.filter(kind="security_measure", title__contains="Embassy").exists()


def test_kataib_hezbollah_has_its_arabic_name_aliases_and_iranian_backing(seed):
    kh = Actor.objects.get(slug="kataib-hezbollah")
    assert kh.native_name == "كتائب حزب الله"
    assert kh.native_direction == "rtl"
    assert {"Kataib Hezbollah", "KH"} <= set(kh.alias_list())
    assert Relationship.objects.filter(subject=kh, kind="backed_by", object__slug="iran").exists()


def test_the_actors_the_report_names_are_all_there(seed):
    slugs = set(Actor.objects.values_list("slug", flat=True))
    assert {
        "united-states-government",
        "us-central-command",
        "pentagon",
        "government-of-iraq",
        "iraqi-military-command",
        "iraqi-interior-ministry",
        "kataib-hezbollah",
        "iraqi-militias-in-government-forces",
        "iran",
        "islamic-state",
        "iraqi-members-of-parliament",
        "iraqi-militia-and-political-leaders",
    } <= slugs


def test_the_negotiations_have_begun_on_or_before_the_report(seed):
    milestone = Milestone.objects.get()
    assert milestone.state == "held"
    assert str(milestone.held_on_display) == "on or before 8 Feb 2024"
