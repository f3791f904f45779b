"""The API's JSON renderer writes exactly what DRF's does."""

from decimal import Decimal

import pytest
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
