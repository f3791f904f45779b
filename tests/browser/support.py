"""What the browser tests share: launching the system Chromium, the pages to visit, checks.

The tests drive Debian's Chromium at /usr/bin/chromium through Playwright and
never download a browser. Without it they skip locally and fail in CI
(``CI=true``), where .ci/run installs it.
"""

import os
import struct
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "screenshots"
SEED_TALKS = "iraq-us-coalition-talks-2024"
SEED_STRIKE = "us-drone-strike-al-mashtal-2024"


def chromium_or_skip() -> Path:
    """The system Chromium; skip without it, except in CI, where its absence fails."""
    if CHROMIUM.exists():
        return CHROMIUM
    message = f"{CHROMIUM} is missing: install the Debian package chromium."
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def screenshot_dir() -> Path:
    """Where screenshots go: $SCREENSHOT_DIR, else screenshots/ at the top of the project."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or SCREENSHOT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def main_pages() -> dict[str, str]:
    """One path for each main page kind, taken from the seed data through the public querysets."""
    from tracker.models import Event, Milestone, Source, Statement, Topic

    statement = Statement.objects.public().filter(sources_cited_exists()).first()
    return {
        "home": "/",
        "talks": f"/talks/{SEED_TALKS}/",
        "topic": Topic.objects.public().filter(negotiation__slug=SEED_TALKS)[0].get_absolute_url(),
        "actor": "/actors/kataib-hezbollah/",
        "statement": statement.get_absolute_url(),
        # The strike: two accounts of it conflict, which its page must show side by side.
        "event": Event.objects.public().get(slug=SEED_STRIKE).get_absolute_url(),
        "milestone": Milestone.objects.public().first().get_absolute_url(),
        "source": Source.objects.public().first().get_absolute_url(),
        "search": "/search/?q=Hezbollah",
        "changes": "/changes/",
    }


def sources_cited_exists():
    """A filter for statements that cite at least one source."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Exists, OuterRef

    from tracker.models import Citation, Statement

    return Exists(
        Citation.objects.filter(
            content_type=ContentType.objects.get_for_model(Statement), object_id=OuterRef("pk")
        )
    )


class RequestLog:
    """What went wrong while a page loaded, and any request that left the live server.

    No request should leave it (no CDN); no subresource should fail and no
    script error or CSP violation should reach the console. Browsers ask for
    /favicon.ico on their own, so its absence is not counted here.
    """

    def __init__(self, base_url: str):
        self.origin = urlsplit(base_url).netloc
        self.external: list[str] = []
        self.errors: list[str] = []

    def watch(self, page) -> None:
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https"} and parts.netloc != self.origin:
            self.external.append(request.url)

    def _response(self, response) -> None:
        failed = response.status >= 400 and urlsplit(response.url).path != "/favicon.ico"
        if failed and response.request.resource_type != "document":  # the tests check pages
            self.errors.append(f"{response.status} for {response.url}")

    def _console(self, message) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"console: {message.text}")


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file, from its IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])
