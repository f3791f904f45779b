"""The API's JSON renderer writes exactly what DRF's does."""

import datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers

from tracker.api.renderers import JSONRenderer

DATA = [
    {"count": 2, "results": [{"title": "Ceasefire\u2028talks\u2029", "note": 'نص \x00\n\t"'}]},
    {"latitude": Decimal("33.31528"), "longitude": Decimal("-0.00001"), "ids": [1, 2, 3]},
    {"empty": [], "nothing": None, "yes": True, "text": "plain"},
    [],
]


@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("accepted", [None, "application/json", "application/json; indent=2"])
def test_json_renderer_writes_what_drf_writes(data, accepted):
    ours = JSONRenderer().render(data, accepted, {})
    assert ours == renderers.JSONRenderer().render(data, accepted, {})
    assert b"\\u2028" in ours or "\u2028" not in str(data)


def test_json_renderer_writes_nothing_for_no_data():
    assert JSONRenderer().render(None) == b""


def test_json_renderer_writes_dates_times_lazy_text_and_long_integers_as_drf_does():
    moment = datetime.datetime(2024, 2, 7, 9, 30, 15, 123456, tzinfo=datetime.UTC)
    data = {
        "day": datetime.date(2024, 2, 7),
        "moment": moment,
        "local": moment.replace(tzinfo=None),
        "hour": datetime.time(9, 30),
        "label": gettext_lazy("Statement"),
        "large": 2**70,
    }
    assert JSONRenderer().render(data) == renderers.JSONRenderer().render(data)
