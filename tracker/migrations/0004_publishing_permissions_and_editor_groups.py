"""Publish and retract permissions on every publishable model; the Editor and Publisher groups.

Editor: adds, changes, views and deletes (drafts only: records on file are
never deleted) every record, and submits drafts for review; reads corrections.
Publisher: everything an Editor does, plus publish_<model> and retract_<model>
on every publishable model, and writes corrections.

The group definitions are frozen here, as a migration must be; a model added
later gets its permissions into the groups by a migration of its own.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PUBLISHABLE = [
    "actor",
    "correction",
    "event",
    "keyfigure",
    "milestone",
    "negotiation",
    "position",
    "relationship",
    "source",
    "statement",
    "topic",
]
LINKS = ["participation", "eventrole", "citation"]
EDITING = ["add", "change", "delete", "view"]


def editor_codenames() -> set[str]:
    codenames = {
        f"{action}_{model}"
        for model in PUBLISHABLE + LINKS
        if model != "correction"
        for action in EDITING
    }
    return codenames | {"view_correction"}


def publisher_codenames() -> set[str]:
    codenames = editor_codenames()
    codenames |= {f"{action}_correction" for action in EDITING}
    codenames |= {f"{action}_{model}" for model in PUBLISHABLE for action in ("publish", "retract")}
    return codenames


def make_groups(apps, schema_editor):
    # Permissions are normally made after all migrations have run; make them
    # now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Editor", editor_codenames()), ("Publisher", publisher_codenames())):
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="tracker", codename__in=codenames
        )
        missing = codenames - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions missing for the {name} group: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Publisher"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("tracker", "0003_history_and_coordinates"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="actor",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish", "retract"),
                "ordering": ["name"],
                "verbose_name": "actor",
                "verbose_name_plural": "actors",
            },
        ),
        migrations.AlterModelOptions(
            name="correction",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish", "retract"),
                "ordering": ["-date", "-id"],
                "verbose_name": "correction",
                "verbose_name_plural": "corrections",
            },
        ),
        migrations.AlterModelOptions(
            name="event",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish", "retract"),
                "ordering": ["-occurred_on", "title"],
                "verbose_name": "event",
                "verbose_name_plural": "events",
            },
        ),
        migrations.AlterModelOptions(
            name="keyfigure",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish", "retract"),
                "ordering": ["negotiation", "label", "-as_of"],
                "verbose_name": "key figure",
                "verbose_name_plural": "key figures",
            },
        ),
        migrations.AlterModelOptions(
            name="milestone",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish", "retract"),
                "ordering": ["negotiation", "held_on", "planned_on", "title"],
                "verbose_name": "milestone",
                "verbose_name_plural": "milestones",
            },
        ),
        migrations.AlterModelOptions(
            name="negotiation",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish", "retract"),
                "ordering": ["-start_on", "title"],
                "verbose_name": "talks",
                "verbose_name_plural": "talks",
            },
        ),
        migrations.AlterModelOptions(
            name="position",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish", "retract"),
                "ordering": ["topic", "actor__name", "-as_of"],
                "verbose_name": "position",
                "verbose_name_plural": "positions",
            },
        ),
        migrations.AlterModelOptions(
            name="relationship",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish", "retract"),
                "ordering": ["subject__name", "kind", "object__name"],
                "verbose_name": "relationship",
                "verbose_name_plural": "relationships",
            },
        ),
        migrations.AlterModelOptions(
            name="source",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish", "retract"),
                "ordering": ["-published_on", "outlet", "title"],
                "verbose_name": "source",
                "verbose_name_plural": "sources",
            },
        ),
        migrations.AlterModelOptions(
            name="statement",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish", "retract"),
                "ordering": ["-stated_on", "-id"],
                "verbose_name": "statement",
                "verbose_name_plural": "statements",
            },
        ),
        migrations.AlterModelOptions(
            name="topic",
            options={
                "default_permissions": ("add", "change", "delete", "view", "publish", "retract"),
                "ordering": ["negotiation", "order", "title"],
                "verbose_name": "topic",
                "verbose_name_plural": "topics",
            },
        ),
        migrations.RunPython(make_groups, remove_groups),
    ]
