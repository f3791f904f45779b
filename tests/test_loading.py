"""Records loaded from query rows (``QuickLoading.from_db``) are the records Django would load."""

import pytest
from django.db.models import Model
from django.db.models.signals import post_init

from tests.factories import make_position, make_statement
from tracker.models import Position, Statement

pytestmark = pytest.mark.django_db


def _as_django_loads(model, **lookup):
    """The record as Django's own ``Model.from_db`` builds it, through ``__init__``."""
    model.from_db = Model.__dict__["from_db"]
    try:
        return model.objects.get(**lookup)
    finally:
        del model.from_db


def _columns(record) -> dict:
    return {name: value for name, value in vars(record).items() if name != "_state"}


def test_a_loaded_record_holds_the_same_values_and_state_as_djangos_own_loading():
    statement = make_statement(text="We will talk again.")

    quick = Statement.objects.get(pk=statement.pk)
    django = _as_django_loads(Statement, pk=statement.pk)

    assert _columns(quick) == _columns(django)
    assert quick._state.adding is False
    assert quick._state.db == "default"
    assert quick == statement


def test_a_loaded_record_saves_as_an_update_not_a_new_row():
    statement = make_statement()
    loaded = Statement.objects.get(pk=statement.pk)

    loaded.attribution = "A spokesperson"
    loaded.save()

    assert Statement.objects.count() == 1
    assert Statement.objects.get(pk=statement.pk).attribution == "A spokesperson"


def test_deferred_columns_stay_deferred_and_load_on_access():
    statement = make_statement(text="Withdrawal will be gradual.")

    loaded = Statement.objects.only("attribution").get(pk=statement.pk)

    assert "text" in loaded.get_deferred_fields()
    assert loaded.text == "Withdrawal will be gradual."


def test_related_records_joined_in_the_same_query_load_the_same_way():
    position = make_position()

    loaded = Position.objects.select_related("actor", "topic").get(pk=position.pk)

    assert _columns(loaded.actor) == _columns(
        position.actor.__class__.objects.get(pk=position.actor_id)
    )
    assert loaded.actor._state.adding is False
    assert loaded.topic.pk == position.topic_id


def test_a_post_init_receiver_still_hears_every_loaded_record():
    statement = make_statement()
    heard = []

    def receiver(sender, instance, **kwargs):
        heard.append(instance.pk)

    post_init.connect(receiver, sender=Statement)
    try:
        Statement.objects.get(pk=statement.pk)
    finally:
        post_init.disconnect(receiver, sender=Statement)

    assert heard == [statement.pk]
