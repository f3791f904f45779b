"""Production settings: refuse to start half-configured, HTTPS on by default, deploy check clean.

Each test starts a fresh Python process with its own environment, because settings
are read once at start-up and the test run itself uses development settings.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

# Prints the settings these tests look at, as JSON.
SHOW_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
names = [
    "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER", "CONTENT_SECURITY_POLICY", "AXES_IPWARE_META_PRECEDENCE_ORDER",
    "AXES_IPWARE_PROXY_COUNT", "AXES_FAILURE_LIMIT", "STORAGES",
]
print(json.dumps({name: getattr(settings, name) for name in names}, default=str))
"""


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """A production environment: no DJANGO_* variable from the test run leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tracker.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="parley.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def settings_in(env: dict[str, str]) -> dict:
    result = run(["-c", SHOW_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def backend_in(env: dict[str, str]) -> list[str]:
    """The database backend (ENGINE) and vendor a production process sets up."""
    show = (
        "import json, django; from django.db import connection; django.setup(); "
        "print(json.dumps([connection.settings_dict['ENGINE'], connection.vendor]))"
    )
    result = run(["-c", show], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def without(env: dict[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in env.items() if k != name}


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run(["manage.py", "check"], without(production_env(tmp_path), "DJANGO_SECRET_KEY"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "key",
    ["short-key", "parley-development-key-never-use-in-production", "   "],
    ids=["too-short", "the-development-key", "blank"],
)
def test_production_refuses_a_secret_key_that_is_not_random_and_long(tmp_path, key):
    result = run(["manage.py", "check"], production_env(tmp_path, DJANGO_SECRET_KEY=key))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("hosts", [None, "", " , "], ids=["unset", "empty", "only-commas"])
def test_production_refuses_to_start_without_allowed_hosts(tmp_path, hosts):
    env = production_env(tmp_path)
    env = without(env, "DJANGO_ALLOWED_HOSTS") if hosts is None else env
    if hosts is not None:
        env["DJANGO_ALLOWED_HOSTS"] = hosts
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_a_real_key_and_hosts(tmp_path):
    result = run(["manage.py", "check"], production_env(tmp_path))
    assert result.returncode == 0, result.stderr


def test_deploy_check_passes_at_warning_level_with_production_settings(tmp_path):
    args = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    result = run(args, production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_when_https_is_turned_off(tmp_path):
    """The deploy check is not vacuous: plain HTTP is exactly what it warns about."""
    args = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    result = run(args, production_env(tmp_path, DJANGO_HTTPS="0"))
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout  # SECURE_SSL_REDIRECT


def test_https_only_settings_are_on_by_default_in_production(tmp_path):
    values = settings_in(production_env(tmp_path))
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["upgrade-insecure-requests"] is True


@pytest.mark.parametrize("off", ["0", "false", "no", "off"])
def test_django_https_0_turns_the_https_only_settings_off(tmp_path, off):
    values = settings_in(production_env(tmp_path, DJANGO_HTTPS=off))
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["upgrade-insecure-requests"] is False


def test_a_misspelt_https_switch_is_refused_instead_of_guessed(tmp_path):
    result = run(["manage.py", "check"], production_env(tmp_path, DJANGO_HTTPS="maybe"))
    assert result.returncode != 0
    assert "DJANGO_HTTPS" in result.stderr


def test_production_serves_static_files_from_the_whitenoise_manifest(tmp_path):
    values = settings_in(production_env(tmp_path))
    backend = values["STORAGES"]["staticfiles"]["BACKEND"]
    assert backend == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_without_a_proxy_the_login_lockout_trusts_only_the_socket_address(tmp_path):
    values = settings_in(production_env(tmp_path))
    assert values["AXES_IPWARE_META_PRECEDENCE_ORDER"] == ["REMOTE_ADDR"]
    assert values["AXES_IPWARE_PROXY_COUNT"] is None


def test_trusted_proxy_count_makes_the_lockout_read_x_forwarded_for(tmp_path):
    values = settings_in(production_env(tmp_path, DJANGO_TRUSTED_PROXY_COUNT="2"))
    assert values["AXES_IPWARE_META_PRECEDENCE_ORDER"][0] == "HTTP_X_FORWARDED_FOR"
    # django-ipware counts the proxies listed in the header: all but the last one.
    assert values["AXES_IPWARE_PROXY_COUNT"] == 1


@pytest.mark.parametrize("bad", ["one", "-1", "1.5"])
def test_a_bad_trusted_proxy_count_is_refused(tmp_path, bad):
    result = run(["manage.py", "check"], production_env(tmp_path, DJANGO_TRUSTED_PROXY_COUNT=bad))
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXY_COUNT" in result.stderr


def test_development_mode_needs_no_secret_key_and_keeps_plain_http(tmp_path):
    env = without(without(production_env(tmp_path), "DJANGO_SECRET_KEY"), "DJANGO_ALLOWED_HOSTS")
    values = settings_in({**env, "DJANGO_DEBUG": "1"})
    assert values["DEBUG"] is True
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is False
