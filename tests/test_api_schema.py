"""The API's OpenAPI schema, its docs page, and answers that keep to the schema."""

import json
import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from tests.factories import make_statement
from tracker.dates import PreciseDate
from tracker.models import (
    Actor,
    Event,
    Milestone,
    Negotiation,
    Position,
    Relationship,
    Source,
    Statement,
    Topic,
)

ENDPOINT_MODELS = {
    "talks": Negotiation,
    "actors": Actor,
    "relationships": Relationship,
    "topics": Topic,
    "positions": Position,
    "statements": Statement,
    "events": Event,
    "milestones": Milestone,
    "sources": Source,
}


@pytest.fixture
def schema(db, client) -> dict:
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_is_valid_openapi_and_generates_without_warnings(db, tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "api.yaml")
    assert (tmp_path / "api.yaml").read_text().startswith("openapi: 3.0.3")


def test_the_schema_is_served_as_yaml_and_with_format_json_as_json(db, client):
    yaml = client.get("/api/v1/schema/")
    assert yaml.status_code == 200
    assert yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.content.startswith(b"openapi: 3.0.3")
    as_json = client.get("/api/v1/schema/?format=json")
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert json.loads(as_json.content)["info"]["title"] == "Parley API"


def test_the_schema_offers_every_endpoint_for_reading_only(schema):
    expected = {f"/api/v1/{name}/" for name in ENDPOINT_MODELS}
    expected |= {f"/api/v1/{name}/{{id}}/" for name in ENDPOINT_MODELS}
    assert set(schema["paths"]) == expected
    for path, operations in schema["paths"].items():
        assert set(operations) == {"get"}, path
        statuses = set(operations["get"]["responses"])
        assert statuses == ({"200", "404"} if "{id}" in path else {"200", "400", "404"}), path


def test_the_schema_describes_dates_exactly_as_they_are_published(schema):
    precise_date = schema["components"]["schemas"]["PreciseDate"]
    published = PreciseDate(value=make_statement().stated_on).as_dict()
    assert set(precise_date["properties"]) == set(published)
    assert set(precise_date["required"]) == set(published)
    statement = schema["components"]["schemas"]["Statement"]["properties"]["stated_on"]
    assert statement["nullable"] is True
    assert statement["allOf"] == [{"$ref": "#/components/schemas/PreciseDate"}]


def test_the_schema_describes_errors(schema):
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["detail"]
    assert components["ValidationError"]["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
    }
    positions = schema["paths"]["/api/v1/positions/"]["get"]
    assert {p["name"] for p in positions["parameters"]} >= {"as_of", "date_from", "date_to"}


@pytest.fixture
def wsgi_app(db):
    """Parley's WSGI application, kept on the test's database connection.

    As Django's test client does, requests must not close "old" connections:
    inside the test's transaction that would close the connection itself.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_answer_on_the_seed_data_keeps_to_the_schema(seed, wsgi_app):
    """Each list, each record, a 400 and a 404 per endpoint, checked by schemathesis."""
    api = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    checked = 0
    for name in ENDPOINT_MODELS:
        listing = api[f"/api/v1/{name}/"]["GET"]
        detail = api[f"/api/v1/{name}/{{id}}/"]["GET"]
        for query, status in (({"page": 999}, 404), ({"page_size": 0}, 400)):
            response = listing.Case(query=query).call_and_validate()
            assert response.status_code == status
        response = listing.Case(query={"page_size": 100}).call_and_validate()
        assert response.status_code == 200
        records = response.json()["results"]
        assert records, name
        for record in records:
            response = detail.Case(path_parameters={"id": record["id"]}).call_and_validate()
            assert response.status_code == 200
            checked += 1
        response = detail.Case(path_parameters={"id": 987654321}).call_and_validate()
        assert response.status_code == 404
    assert checked > 40


def test_the_docs_page_comes_from_the_apps_own_static_files(db, client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html
    assert 'style="' not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "no inline script"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 4
    for asset in assets:
        if asset.startswith("/api/v1/docs/"):
            continue
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset


def test_the_docs_page_widens_the_content_security_policy_only_for_its_icons(db, client):
    docs = client.get("/api/v1/docs/")["Content-Security-Policy"]
    assert "img-src 'self' data:" in docs
    assert "unsafe-inline" not in docs
    assert "script-src 'self';" in docs + ";"
    assert "data:" not in client.get("/api/v1/talks/")["Content-Security-Policy"]


def test_the_docs_set_no_cookie_and_answer_only_get_and_head(db, client):
    for query in ({}, {"script": ""}):
        response = client.get("/api/v1/docs/", query)
        assert response.status_code == 200
        assert not response.cookies
        assert "Cookie" not in response.get("Vary", "")
    assert client.head("/api/v1/docs/").status_code == 200
    for method in ("options", "post", "delete"):
        refused = getattr(client, method)("/api/v1/docs/")
        assert refused.status_code == 405
        assert refused["Allow"] == "GET, HEAD"


def test_the_docs_script_points_at_the_schema(db, client):
    response = client.get("/api/v1/docs/", {"script": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in response.content.decode()
