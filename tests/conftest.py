"""Shared fixtures: readers, editors and the seed data."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session", autouse=True)
def _zeal_installed(django_test_environment):
    """Teach the ORM to report N+1 queries (django-zeal), once per run."""
    from zeal.constants import initialize_app_registry
    from zeal.patch import patch

    initialize_app_registry()
    patch()


@pytest.fixture(autouse=True)
def _no_n_plus_one(settings):
    """Every request a test makes fails on an N+1 query pattern (django-zeal raises)."""
    settings.ZEAL_RAISE = True
    settings.MIDDLEWARE = ["zeal.middleware.zeal_middleware", *settings.MIDDLEWARE]


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


def _restore_groups() -> None:
    """Make the Editor and Publisher groups again, exactly as migration 0004 defines them."""
    from importlib import import_module

    from django.contrib.auth.models import Group, Permission

    definitions = import_module("tracker.migrations.0004_publishing_permissions_and_editor_groups")
    for name, codenames in (
        ("Editor", definitions.editor_codenames()),
        ("Publisher", definitions.publisher_codenames()),
    ):
        group, created = Group.objects.get_or_create(name=name)
        if created:
            group.permissions.set(
                Permission.objects.filter(content_type__app_label="tracker", codename__in=codenames)
            )


@pytest.fixture(autouse=True)
def _groups_outlive_flushes(request, django_db_blocker):
    """Tests that empty the database (a live server's, a flush) take the groups with them.

    Autouse, so it runs before the database fixtures: a database test always starts
    with the groups the migration made.
    """
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        request.getfixturevalue("django_db_setup")
        with django_db_blocker.unblock():
            _restore_groups()
    yield


def _staff_in_group(django_user_model, username: str, group: str):
    """A staff user in one of the groups migration 0004 creates (Editor, Publisher)."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username, f"{username}@example.org", "pw-123")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db, django_user_model):
    """An editor: writes drafts and submits them for review; cannot publish."""
    return _staff_in_group(django_user_model, "editor", "Editor")


@pytest.fixture
def publisher(db, django_user_model):
    """A publisher: also publishes, retracts and writes corrections."""
    return _staff_in_group(django_user_model, "publisher", "Publisher")


@pytest.fixture
def editor_client(editor):
    from django.test import Client

    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def publisher_client(publisher):
    from django.test import Client

    client = Client()
    client.force_login(publisher)
    return client
