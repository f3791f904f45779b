"""The hardened public surface: security headers and CSP, read-only public views that
set no cookies, an admin that works under the CSP, and the admin login lockout."""

import os
import re

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.test import Client
from django.urls import resolve, reverse

from tests.crawl import crawl, unsafe_markup

EDITOR_PASSWORD = "correct horse battery staple"
ATTACKER = "203.0.113.66"
EDITOR_ADDRESS = "198.51.100.10"
PROXY = "127.0.0.1"


def csp_directives(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.fixture
def public_pages(client, seed):
    """Every page of the seeded public site, fetched once."""
    pages = crawl(client)
    assert len(pages) > 20, "the crawl should reach the whole seeded site"
    return pages


# Headers and CSP -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/no-such-page/"])
def test_every_response_carries_a_strict_content_security_policy(db, client, path):
    response = client.get(path)
    policy = csp_directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/no-such-page/"])
def test_every_response_carries_the_security_headers(db, client, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_every_public_page_is_under_the_strict_policy_and_sets_no_cookie(public_pages):
    """Strict CSP with nothing inline to need loosening; no session or CSRF cookie, and no
    ``Vary: Cookie``, so a shared cache or CDN can keep every public page."""
    problems = {}
    for page in public_pages:
        issues = unsafe_markup(page.text) if page.kind == "html" else []
        policy = page.headers.get("Content-Security-Policy", "")
        if "default-src 'self'" not in policy or "unsafe-inline" in policy:
            issues.append(f"policy: {policy!r}")
        if page.headers.get("X-Content-Type-Options") != "nosniff":
            issues.append("no nosniff")
        if page.cookies:
            issues.append(f"sets cookies {page.cookies}")
        if "cookie" in page.headers.get("Vary", "").lower():
            issues.append("Vary: Cookie")
        if issues:
            problems[page.url] = issues
    assert problems == {}
    assert {page.kind for page in public_pages} >= {"html", "xml"}


def test_public_pages_set_no_cookie_even_for_a_signed_in_editor(client, seed, superuser):
    """An editor reading the public site gets the same cacheable page as anyone."""
    client.force_login(superuser)
    response = client.get(reverse("tracker:home"))
    assert response.status_code == 200
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_public_views_answer_get_and_head_and_refuse_every_other_method(public_pages):
    # One URL per route is enough: the method check belongs to the view, not the record.
    client = Client(raise_request_exception=False)  # a 500 is an answer to report too
    by_route = {}
    for page in public_pages:
        if page.status == 200:
            by_route.setdefault(resolve(page.url.split("?")[0]).route, page)
    assert len(by_route) >= 8
    wrong = {}
    for page in by_route.values():
        head = client.head(page.url)
        if (head.status_code, head.content) != (200, b""):
            wrong[f"HEAD {page.url}"] = head.status_code
        for method in ["post", "put", "patch", "delete", "options", "trace"]:
            response = getattr(client, method)(page.url)
            refused = response.status_code == 405 and "GET" in response.get("Allow", "")
            # The API describes itself in answer to OPTIONS (DRF's metadata, read-only);
            # see tests/test_api.py. Anywhere else OPTIONS is refused like any other method.
            described = (
                method == "options"
                and page.url.startswith("/api/")
                and (response.status_code == 200)
            )
            if not (refused or described):
                wrong[f"{method.upper()} {page.url}"] = response.status_code
    assert wrong == {}, "\n".join(f"{request}: {status}" for request, status in wrong.items())


# The admin works under the CSP ---------------------------------------------------------


def admin_pages() -> list[str]:
    paths = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        meta = model._meta
        paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    return paths


def test_the_admin_needs_no_inline_script_or_event_handlers(admin_client, seed):
    """The admin's JavaScript comes from static files, so the strict CSP does not break it."""
    pages = admin_pages()
    assert len(pages) > 10
    broken = {}
    for path in pages:
        response = admin_client.get(path)
        if response.status_code == 403 and path.endswith("/add/"):
            continue  # a read-only log, such as django-axes' attempts
        assert response.status_code == 200, path
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        script_issues = [
            issue
            for issue in unsafe_markup(response.content.decode())
            if "inline <script>" in issue or "event handler" in issue or "javascript:" in issue
        ]
        if script_issues:
            broken[path] = script_issues
    assert broken == {}


def test_a_record_change_page_in_the_admin_needs_no_inline_script(admin_client, seed):
    from tracker.models import Statement

    statement = Statement.objects.first()
    response = admin_client.get(reverse("admin:tracker_statement_change", args=[statement.pk]))
    assert response.status_code == 200
    issues = unsafe_markup(response.content.decode())
    assert [i for i in issues if "inline <script>" in i or "event handler" in i] == []


# Admin login lockout -------------------------------------------------------------------


@pytest.fixture
def editors(db, django_user_model, settings):
    # A fast hasher: these tests log in dozens of times; what they test is the counting.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return [
        django_user_model.objects.create_user(name, password=EDITOR_PASSWORD, is_staff=True)
        for name in ("amal", "ben")
    ]


def log_in(client, username, password=EDITOR_PASSWORD, **meta):
    """Post the admin login form as a browser at the given address would."""
    client.cookies.clear()
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        **meta,
    )


def fail_until_locked(client, settings, username, **meta):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, username, "wrong password", **meta)


def test_repeated_failures_lock_that_editor_out_from_that_address(client, settings, editors):
    fail_until_locked(client, settings, "amal", REMOTE_ADDR=ATTACKER)
    response = log_in(client, "amal", REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_fewer_failures_than_the_limit_do_not_lock_anyone_out(client, settings, editors):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "amal", "wrong", REMOTE_ADDR=ATTACKER).status_code == 200
    response = log_in(client, "amal", REMOTE_ADDR=ATTACKER)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_locked_out_editor_can_still_log_in_from_another_address(client, settings, editors):
    fail_until_locked(client, settings, "amal", REMOTE_ADDR=ATTACKER)
    assert log_in(client, "amal", REMOTE_ADDR=EDITOR_ADDRESS).status_code == 302


def test_another_editor_can_still_log_in_from_the_locked_out_address(client, settings, editors):
    """One attacker cannot lock out every editor by failing at every name in turn."""
    fail_until_locked(client, settings, "amal", REMOTE_ADDR=ATTACKER)
    assert log_in(client, "ben", REMOTE_ADDR=ATTACKER).status_code == 302


def test_without_a_trusted_proxy_a_spoofed_forwarded_header_is_ignored(client, settings, editors):
    """A client talking to Parley directly cannot choose the address it is counted under."""
    fail_until_locked(
        client, settings, "amal", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=EDITOR_ADDRESS
    )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # The attacker is locked out whatever header it sends next ...
    response = log_in(client, "amal", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert response.status_code == 429
    # ... and the editor whose address it claimed is not.
    assert log_in(client, "amal", REMOTE_ADDR=EDITOR_ADDRESS).status_code == 302


@pytest.fixture
def behind_one_proxy(settings):
    """Settings as DJANGO_TRUSTED_PROXY_COUNT=1 makes them (see tests/test_settings.py)."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_COUNT = 0
    return settings


def test_behind_the_proxy_each_client_is_counted_under_its_own_address(
    client, behind_one_proxy, editors
):
    fail_until_locked(
        client, behind_one_proxy, "amal", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER
    )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    locked = log_in(client, "amal", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert locked.status_code == 429
    # The editor reaches Parley through the same proxy, and is not locked out.
    response = log_in(client, "amal", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=EDITOR_ADDRESS)
    assert response.status_code == 302


def test_behind_the_proxy_entries_a_client_adds_to_the_header_are_ignored(
    client, behind_one_proxy, editors
):
    """The proxy appends the address it saw; whatever the client wrote before it is not used."""
    spoofed = f"{EDITOR_ADDRESS}, {ATTACKER}"  # the client claimed the editor's address
    fail_until_locked(
        client, behind_one_proxy, "amal", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=spoofed
    )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    response = log_in(
        client, "amal", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {ATTACKER}"
    )
    assert response.status_code == 429
    response = log_in(client, "amal", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=EDITOR_ADDRESS)
    assert response.status_code == 302


def test_a_successful_login_clears_earlier_failures(client, settings, editors):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "amal", "wrong", REMOTE_ADDR=EDITOR_ADDRESS)
    assert log_in(client, "amal", REMOTE_ADDR=EDITOR_ADDRESS).status_code == 302
    assert log_in(client, "amal", "wrong", REMOTE_ADDR=EDITOR_ADDRESS).status_code == 200
    assert log_in(client, "amal", REMOTE_ADDR=EDITOR_ADDRESS).status_code == 302


# The admin and the API docs in a real browser, under the real policy ------------------


@pytest.fixture
def chromium_tab(live_server):
    """A headless system Chromium tab on the live server, and its log of console errors
    (CSP violations among them) and failed requests."""
    from playwright.sync_api import sync_playwright

    from tests.browser.support import CHROMIUM_ARGS, RequestLog, chromium_or_skip

    executable = chromium_or_skip()
    # Playwright's sync API keeps an event loop in this thread; Django would otherwise
    # take the live server's database access for async code and refuse it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(base_url=live_server.url)
            page.set_default_timeout(30_000)
            log = RequestLog(live_server.url)
            log.watch(page)
            yield page, log
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.mark.browser
def test_the_admin_and_the_api_docs_run_their_scripts_under_the_strict_policy(
    chromium_tab, seed, django_user_model
):
    from playwright.sync_api import expect

    from tracker.models import Statement

    page, log = chromium_tab
    violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and violations.append(f"{page.url}: {message.text[:120]}")
        ),
    )
    django_user_model.objects.create_superuser("chief", "chief@example.org", EDITOR_PASSWORD)
    statement = Statement.objects.public().first()

    page.goto(reverse("admin:login"))
    page.fill("#id_username", "chief")
    page.fill("#id_password", EDITOR_PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(re.compile(re.escape(reverse("admin:index")) + "$"))

    # The admin's own scripts ran: the date shortcuts and the action checkboxes they add.
    page.goto(reverse("admin:tracker_statement_add"))
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
    page.goto(reverse("admin:tracker_statement_changelist"))
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("selected")
    page.goto(reverse("admin:tracker_statement_change", args=[statement.pk]))
    expect(page.locator("#statement_form")).to_be_visible()
    page.goto(reverse("admin:tracker_statement_history", args=[statement.pk]))
    expect(page.locator("#content")).to_be_visible()

    # Swagger UI fetched the schema and drew the operations.
    page.goto("/api/v1/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()

    assert violations == []
    assert log.errors == []
    assert log.external == []


def test_no_template_of_ours_holds_inline_script_style_or_event_handlers():
    """Caught here even for a branch no crawl reaches: the CSP would block it in browsers."""
    from django.conf import settings as django_settings

    templates = sorted((django_settings.BASE_DIR / "tracker" / "templates").rglob("*.html"))
    assert len(templates) > 10
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.I
    )
    found = {
        str(path.relative_to(django_settings.BASE_DIR)): inline.findall(path.read_text())
        for path in templates
    }
    assert {path: hits for path, hits in found.items() if hits} == {}
