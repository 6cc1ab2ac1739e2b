"""Creates the five staff roles with their permissions (first migration set)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PEOPLE = ["accounts.access_people"]
ROLE_PERMISSIONS = {
    "admin": [
        "accounts.access_people",
        "accounts.access_deals",
        "accounts.access_inbox",
        "accounts.access_privacy",
        "accounts.access_billing",
        "accounts.manage_staff",
    ],
    "sales": [*PEOPLE, "accounts.access_deals", "accounts.access_inbox"],
    "support": [*PEOPLE, "accounts.access_inbox"],
    "billing": [*PEOPLE, "accounts.access_billing"],
    "privacy_officer": [*PEOPLE, "accounts.access_privacy"],
}


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; the roles need them now.
    accounts = apps.get_app_config("accounts")
    accounts.models_module = True
    create_permissions(accounts, apps=apps, verbosity=0)
    accounts.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, permissions in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        codenames = [name.split(".", 1)[1] for name in permissions]
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="accounts", codename__in=codenames)
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
