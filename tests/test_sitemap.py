"""sitemap.xml (an index with one section per public record kind) and robots.txt."""

import datetime
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from django.contrib.sitemaps import views as sitemap_views
from django.urls import reverse

from tests.factories import (
    make_actor,
    make_event,
    make_milestone,
    make_negotiation,
    make_source,
    make_statement,
    make_topic,
)
from tracker import sitemaps
from tracker.models import Statement, Status
from tracker.sitemaps import SITEMAPS, RecordSitemap, sitemap_index

pytestmark = pytest.mark.django_db
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SECTIONS = ["pages", "talks", "topics", "actors", "statements", "events", "milestones", "sources"]


def locations(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [loc.text.removeprefix("http://testserver") for loc in root.iter(f"{NS}loc")]


def section(client, name: str) -> list[str]:
    return locations(client, reverse("tracker:sitemap_section", args=[name]))


def one_of_each(status: str) -> list:
    talks = make_negotiation(status=status)
    public_talks = make_negotiation()
    return [
        talks,
        make_topic(negotiation=public_talks, status=status),
        make_actor(status=status),
        make_statement(status=status),
        make_event(status=status),
        make_milestone(negotiation=public_talks, status=status),
        make_source(status=status),
    ]


def test_sitemap_index_lists_one_section_per_public_record_kind(client):
    found = locations(client, reverse("tracker:sitemap"))
    assert found == [f"/sitemap-{name}.xml" for name in SECTIONS]


def test_sitemap_sections_list_every_public_record(client):
    records = one_of_each(Status.PUBLISHED)
    found = [url for name in SECTIONS[1:] for url in section(client, name)]
    for record in records:
        assert record.get_absolute_url() in found
    assert section(client, "pages") == ["/", "/sources/", "/changes/"]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.RETRACTED])
def test_sitemap_never_lists_what_the_public_cannot_read(client, status):
    hidden = one_of_each(status)
    hidden.append(make_topic(negotiation=make_negotiation(status=Status.DRAFT)))
    found = [url for name in SECTIONS for url in section(client, name)]
    for record in hidden:
        assert record.get_absolute_url() not in found


def test_sitemap_lastmod_is_the_records_last_change(client):
    statement = make_statement()
    changed = datetime.datetime(2024, 2, 9, 8, 0, tzinfo=datetime.UTC)
    Statement.objects.filter(pk=statement.pk).update(updated_at=changed)
    root = ET.fromstring(client.get("/sitemap-statements.xml").content)
    assert root.findtext(f"{NS}url/{NS}lastmod") == "2024-02-09"
    index = ET.fromstring(client.get("/sitemap.xml").content)
    lastmods = {
        entry.findtext(f"{NS}loc"): entry.findtext(f"{NS}lastmod")
        for entry in index.iter(f"{NS}sitemap")
    }
    assert lastmods["http://testserver/sitemap-statements.xml"].startswith("2024-02-09T08:00:00")


@pytest.mark.parametrize(
    "url",
    [
        "/sitemap-nonsense.xml",
        "/sitemap-statements.xml?p=abc",
        "/sitemap-talks.xml?p=99",
        "/sitemap-talks.xml?p=0",
        "/sitemap-talks.xml?p=2",
    ],
)
def test_unknown_sitemap_sections_and_pages_are_404(client, url):
    make_negotiation()
    assert client.get(url).status_code == 404


def test_sitemaps_answer_get_and_head_only(client):
    assert client.head("/sitemap.xml").status_code == 200
    assert client.post("/sitemap.xml").status_code == 405
    assert client.post("/sitemap-talks.xml").status_code == 405


@pytest.mark.parametrize("scale", [1, 10])
def test_sitemap_runs_a_fixed_number_of_queries(client, django_assert_num_queries, scale):
    for _ in range(scale):
        one_of_each(Status.PUBLISHED)
    # The publication stamp (conditional GET), then every record kind's count
    # and latest change, in one query.
    with django_assert_num_queries(2):
        client.get("/sitemap.xml")
    for name in SECTIONS[1:]:
        with django_assert_num_queries(2):  # the stamp, the page
            client.get(f"/sitemap-{name}.xml")


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_the_seed_is_in_the_sitemap(client, seed):
    assert "/talks/iraq-us-coalition-talks-2024/" in section(client, "talks")
    assert "/actors/kataib-hezbollah/" in section(client, "actors")


@pytest.mark.parametrize("records", [0, 1, 2, 3])
def test_the_index_has_as_many_pages_of_a_section_as_djangos_paginator(monkeypatch, records):
    for _ in range(records):
        one_of_each(Status.PUBLISHED)
    monkeypatch.setattr(RecordSitemap, "limit", 2)
    for name, factory in SITEMAPS.items():
        if name != "pages":
            sitemap = factory()
            assert sitemap.num_pages == sitemap.paginator.num_pages, name


@pytest.mark.parametrize("with_pages", [True, False])
def test_the_sitemap_index_is_written_as_djangos_index_view_writes_it(rf, monkeypatch, with_pages):
    for _ in range(3):
        one_of_each(Status.PUBLISHED)
    monkeypatch.setattr(RecordSitemap, "limit", 2)  # several pages per section
    if not with_pages:  # every section has a latest change: a Last-Modified header
        sections = {name: factory for name, factory in SITEMAPS.items() if name != "pages"}
        monkeypatch.setattr("tracker.sitemaps.SITEMAPS", sections)
    request = rf.get("/sitemap.xml")
    ours = sitemap_index(request)
    theirs = sitemap_views.index(
        request, sitemaps=sitemaps.SITEMAPS, sitemap_url_name="tracker:sitemap_section"
    ).render()
    assert ours.content == theirs.content
    assert ours.content.count(b"?p=") >= 6
    for header in ("Content-Type", "Last-Modified", "X-Robots-Tag"):
        assert ours.get(header) == theirs.get(header)
    assert ("Last-Modified" in ours) is not with_pages


def test_each_section_counts_its_public_records_whatever_the_other_statuses(client):
    for status in (Status.DRAFT, Status.PUBLISHED, Status.IN_REVIEW, Status.PUBLISHED):
        one_of_each(status)
    one_of_each(Status.RETRACTED)
    for name, factory in SITEMAPS.items():
        if name == "pages":
            continue
        sitemap = factory()
        assert sitemap._totals["count"] == sitemap.items().count(), name


@pytest.mark.parametrize("kind", sorted(sitemaps._STATUS_ALONE))
def test_a_section_counted_by_status_lists_its_models_public_records_and_nothing_more(kind):
    listed = RecordSitemap(kind).items().order_by().values("pk")
    public = listed.model.objects.public().order_by().values("pk")
    # The same conditions and joins: the section asks nothing of any related record.
    assert str(listed.query) == str(public.query)


@pytest.mark.parametrize("name", SECTIONS)
def test_each_page_of_a_section_lists_what_djangos_sitemap_gives(client, monkeypatch, name):
    for _ in range(2):
        one_of_each(Status.PUBLISHED)
    # Slugs the slug converter would not match are still quoted as reverse() quotes them.
    talks = make_negotiation(slug="café-talks")
    make_topic(negotiation=talks, slug="topic&1")
    make_actor(slug="a<b>")
    make_event(slug="ev ent")
    monkeypatch.setattr(RecordSitemap, "limit", 2)
    sitemap = SITEMAPS[name]()
    site = SimpleNamespace(domain="testserver")
    for page in range(1, sitemap.paginator.num_pages + 1):
        response = client.get(f"/sitemap-{name}.xml?p={page}")
        root = ET.fromstring(response.content)
        ours = [
            (entry.findtext(f"{NS}loc"), entry.findtext(f"{NS}lastmod"))
            for entry in root.iter(f"{NS}url")
        ]
        theirs = [
            (url["location"], url["lastmod"] and url["lastmod"].isoformat())
            for url in sitemap.get_urls(page=page, protocol="http", site=site)
        ]
        assert ours == theirs
    assert client.get(f"/sitemap-{name}.xml?p={page + 1}").status_code == 404


@pytest.mark.parametrize("name", ["statements", "topics"])
def test_pages_read_in_any_order_and_after_a_change_list_what_djangos_sitemap_gives(
    client, monkeypatch, name
):
    # Where each page starts is kept for the state of the data: pages read out of
    # turn, and again after a change moved every page's start, are still Django's.
    for _ in range(4):
        one_of_each(Status.PUBLISHED)
    monkeypatch.setattr(RecordSitemap, "limit", 1)
    site = SimpleNamespace(domain="testserver")

    def ours(page: int) -> list[str]:
        response = client.get(f"/sitemap-{name}.xml?p={page}")
        assert response.status_code == 200
        return [loc.text for loc in ET.fromstring(response.content).iter(f"{NS}loc")]

    def theirs(page: int) -> list[str]:
        urls = SITEMAPS[name]().get_urls(page=page, protocol="http", site=site)
        return [url["location"] for url in urls]

    for page in (3, 1, 2, 4, 2, 3):
        assert ours(page) == theirs(page)
    first = SITEMAPS[name]().items().model.objects.public().order_by("pk").first()
    first.status = Status.RETRACTED
    first.save()
    for page in (3, 2, 1):
        assert ours(page) == theirs(page)
    assert client.get(f"/sitemap-{name}.xml?p=4").status_code == 404


def test_the_sitemap_index_is_counted_again_after_each_change_and_only_then(
    client, django_assert_num_queries
):
    one_of_each(Status.PUBLISHED)
    before = client.get("/sitemap.xml").content
    with django_assert_num_queries(1):  # the stamp: the counts are kept for it
        assert client.get("/sitemap.xml").content == before
    for _ in range(3):
        one_of_each(Status.PUBLISHED)
    with django_assert_num_queries(2):  # the stamp, the counts
        after = client.get("/sitemap.xml").content
    assert after != before
