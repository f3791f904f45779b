"""What every public page shares: landmarks, headings, cacheability, methods, error pages."""

from html.parser import HTMLParser

import pytest
from django.core.exceptions import BadRequest
from django.test import RequestFactory
from django.urls import reverse

from tracker import views
from tracker.models import Actor, Event, Milestone, Negotiation, Source, Statement, Topic

pytestmark = pytest.mark.django_db


class _Outline(HTMLParser):
    """Collects headings, landmark elements and anything inline that a strict CSP would block."""

    def __init__(self):
        super().__init__()
        self.headings: list[int] = []
        self.tags: set[str] = set()
        self.inline: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.add(tag)
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))
        if tag == "style" or (tag == "script" and "src" not in attributes):
            self.inline.append(tag)
        if "style" in attributes or any(name.startswith("on") for name in attributes):
            self.inline.append(f"{tag} attribute")
        if "id" in attributes:
            self.ids.append(attributes["id"])


def _outline(html: str) -> _Outline:
    parser = _Outline()
    parser.feed(html)
    return parser


@pytest.fixture
def page_urls(seed):
    """One URL of every public page kind, from the seed data."""
    negotiation = Negotiation.objects.public().get()
    topic = Topic.objects.public().first()
    return [
        reverse("tracker:home"),
        negotiation.get_absolute_url(),
        negotiation.get_absolute_url() + "?as_of=2024-02-01",
        negotiation.get_absolute_url() + "?compare=2024-01-01&to=2024-02-09",
        reverse("tracker:topic", args=[negotiation.slug, topic.slug]),
        Actor.objects.public().get(slug="kataib-hezbollah").get_absolute_url(),
        Statement.objects.public().first().get_absolute_url(),
        Event.objects.public().first().get_absolute_url(),
        Milestone.objects.public().first().get_absolute_url(),
        reverse("tracker:sources"),
        Source.objects.public().first().get_absolute_url(),
        reverse("tracker:changes"),
        "/no-such-page/",
        negotiation.get_absolute_url() + "?as_of=2024-02-30",
    ]


def test_every_page_has_landmarks_one_h1_a_sound_heading_order_and_a_skip_link(client, page_urls):
    for url in page_urls:
        html = client.get(url).content.decode()
        outline = _outline(html)
        assert {"header", "nav", "main", "footer"} <= outline.tags, url
        assert outline.headings.count(1) == 1 and outline.headings[0] == 1, url
        for before, after in zip(outline.headings, outline.headings[1:], strict=False):
            assert after <= before + 1, f"{url}: h{before} followed by h{after}"
        assert '<a class="skip-link" href="#main">' in html and 'id="main"' in html, url
        assert len(outline.ids) == len(set(outline.ids)), f"{url}: duplicate ids"


def test_no_page_carries_inline_script_or_style(client, page_urls):
    for url in page_urls:
        outline = _outline(client.get(url).content.decode())
        assert outline.inline == [], url


def test_pages_set_no_cookie_touch_no_session_and_render_no_csrf_token(client, page_urls):
    for url in page_urls:
        response = client.get(url)
        assert response.cookies == {}, url
        assert "Cookie" not in response.get("Vary", ""), url
        assert b"csrfmiddlewaretoken" not in response.content, url


def test_pages_answer_get_and_head_but_refuse_writes(client, page_urls):
    for url in page_urls[:12]:
        assert client.head(url).status_code == 200, url
        assert client.post(url).status_code == 405, url
        assert client.delete(url).status_code == 405, url


def test_header_has_a_search_form_and_dates_are_machine_readable(client, page_urls):
    html = client.get(page_urls[1]).content.decode()
    assert '<form class="site-search" role="search" action="/search/" method="get">' in html
    assert 'name="q"' in html
    assert '<time datetime="2024-02-07"' in html


def test_the_stylesheets_are_served_by_the_app_with_a_print_stylesheet(client, page_urls):
    html = client.get(page_urls[0]).content.decode()
    assert 'href="/static/tracker/parley.css"' in html
    assert 'href="/static/tracker/print.css" media="print"' in html
    assert "//cdn" not in html and "googleapis" not in html


def test_bad_request_page_explains_the_problem_in_the_sites_design(db):
    request = RequestFactory().get("/talks/x/?as_of=2024-02-30")
    response = views.bad_request(request, BadRequest("“2024-02-30” is not a date in the calendar."))
    assert response.status_code == 400
    assert "is not a date in the calendar" in response.content.decode()
    assert b"parley.css" in response.content


def test_server_error_page_is_in_the_sites_design_and_needs_no_database(client):
    request = RequestFactory().get("/")
    response = views.server_error(request)
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"parley.css" in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/talks/%E2%80%AE/",
        "/statements/abc/",
        "/statements/99999999999999999999999/",
        "/sources/?page=%00",
        "/changes/?page=99999999",
        "/talks/x/topics/y/",
    ],
)
def test_garbage_urls_get_a_4xx_page_never_a_500(client, db, url):
    response = client.get(url)
    assert 400 <= response.status_code < 500
