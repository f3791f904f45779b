"""The public site in a real browser: a reader's path, accessibility, and screenshots.

Chromium is the system one (/usr/bin/chromium), driven headless by Playwright
against pytest-django's live server with the seed data. Screenshots of every
main page kind, at phone and desktop widths, go to screenshots/ (or
$SCREENSHOT_DIR) for people to look at.
"""

import os
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from tests.browser.support import (
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    SEED_TALKS,
    RequestLog,
    chromium_or_skip,
    main_pages,
    png_size,
    screenshot_dir,
)

pytestmark = pytest.mark.browser
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def browser():
    """Headless system Chromium for this module's tests."""
    executable = chromium_or_skip()
    # Playwright's sync API keeps an event loop running in this thread, which
    # Django would otherwise take for async code and refuse database access.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def reader(browser, live_server):
    """A fresh browser tab on the live server, and the log of what it requested."""
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    log = RequestLog(live_server.url)
    log.watch(page)
    yield page, log
    context.close()


def test_a_reader_follows_the_evidence_looks_back_in_time_and_searches(reader, seed):
    page, log = reader
    talks_path = f"/talks/{SEED_TALKS}/"

    page.goto("/")
    page.locator(f"main a[href='{talks_path}']").first.click()
    expect(page).to_have_url(re.compile(re.escape(talks_path) + "$"))
    matrix = page.locator("table.matrix")
    expect(matrix).to_be_visible()
    stances_today = matrix.locator("td a").count()

    cell = matrix.locator("td a").first
    evidence = cell.get_attribute("href")
    cell.click()
    expect(page).to_have_url(re.compile(r"/statements/\d+/$"))
    assert page.url.endswith(evidence)

    page.locator("main a[href^='/sources/']:not([href='/sources/'])").first.click()
    expect(page).to_have_url(re.compile(r"/sources/\d+/$"))
    expect(page.locator(f"main a[href='{evidence}']").first).to_be_visible()

    page.goto(talks_path)
    page.locator("input[name=as_of]").fill("2024-02-01")
    page.locator("form:has(input[name=as_of]) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?as_of=2024-02-01$"))
    expect(page.locator("table.matrix")).to_be_visible()
    stances_then = page.locator("table.matrix td a").count()
    assert 0 < stances_then < stances_today

    search_box = page.locator("input[name=q]").first
    search_box.fill("Hezbollah")
    search_box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=Hezbollah$"))
    militia = page.locator("main a[href='/actors/kataib-hezbollah/']").first
    expect(militia.locator("mark")).to_have_text("Hezbollah")
    militia.click()
    expect(page.locator("h1")).to_contain_text("Hezbollah")

    assert log.external == [], "pages must load nothing from other sites"
    assert log.errors == []


def test_axe_finds_no_serious_or_critical_violation_on_any_main_page(reader, seed):
    page, log = reader
    axe = Axe()
    found = {}
    for kind, path in main_pages().items():
        response = page.goto(path)
        assert response.status == 200, path
        violations = axe.run(page).response["violations"]
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']}; e.g. {v['nodes'][0]['target']}"
            for v in violations
            if v["impact"] in SERIOUS
        ]
        if serious:
            found[kind] = serious
    assert found == {}
    assert log.external == []


def test_every_main_page_kind_is_photographed_at_phone_and_desktop_widths(reader, seed):
    page, log = reader
    folder = screenshot_dir()
    pages = main_pages()
    too_wide = {}
    for width, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        for kind, path in pages.items():
            assert page.goto(path).status == 200, path
            shot = folder / f"{kind}-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
            shot_width, shot_height = png_size(shot)
            assert shot_height >= viewport["height"] // 2
            if shot_width > viewport["width"]:
                too_wide[f"{kind} at {width} width"] = shot_width
    assert too_wide == {}, "no page may scroll sideways"
    assert log.errors == []
    assert len(list(folder.glob("*-phone.png"))) >= len(pages)


def test_the_pages_read_without_javascript(browser, live_server, seed):
    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    try:
        for path in main_pages().values():
            assert page.goto(path).status == 200, path
            expect(page.locator("main h1")).to_be_visible()
    finally:
        context.close()
