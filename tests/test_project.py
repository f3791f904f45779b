"""The project's own checks: Django's system check, migrations in step, a clean lint."""

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def test_the_system_check_finds_no_problem():
    call_command("check", fail_level="WARNING", stdout=StringIO())


@pytest.mark.django_db
def test_models_and_migrations_are_in_step():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_ruff_finds_nothing_to_fix():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(ruff), "check", str(ROOT)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
