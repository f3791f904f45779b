"""Shared fixtures: readers, editors and the seed data."""

import pytest
from django.core.management import call_command


@pytest.fixture
def seed(db):
    """The seed data: the 2024 US–Iraq talks as one NPR report tells them."""
    call_command("load_seed", verbosity=0)


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "pw-admin-123")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client
