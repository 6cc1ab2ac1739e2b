"""The staff roles. Each role is a Django group, named by the role's code, that
holds a set of permissions; `sync_roles` makes the groups match this file after
every migrate (and after a test flush)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

ADMIN = "admin"
SALES = "sales"
SUPPORT = "support"
BILLING = "billing"
PRIVACY_OFFICER = "privacy_officer"

ROLE_LABELS = {
    ADMIN: _("Administrator"),
    SALES: _("Sales"),
    SUPPORT: _("Support"),
    BILLING: _("Billing"),
    PRIVACY_OFFICER: _("Privacy officer"),
}
ROLE_CODES = tuple(ROLE_LABELS)
# Roles that see everything, or manage staff: a stolen password alone must not
# open them (two-step sign-in, accounts.mfa).
MFA_REQUIRED_ROLES = (ADMIN, PRIVACY_OFFICER)

_PEOPLE = ["accounts.access_people"]
# Category 3.3 identity documents (ID cards, passports, powers of attorney).
_IDENTITY_DOCUMENTS = [
    "documents.view_identitydocument",
    "documents.add_identitydocument",
    "documents.delete_identitydocument",
]
ROLE_PERMISSIONS = {
    ADMIN: [
        *_PEOPLE,
        "accounts.access_deals",
        "sales.manage_pipelines",
        "accounts.access_inbox",
        "accounts.access_privacy",
        "accounts.access_billing",
        "accounts.manage_staff",
        "people.view_identity_numbers",
        *_IDENTITY_DOCUMENTS,
        "audit.view_auditevent",
    ],
    SALES: [*_PEOPLE, "accounts.access_deals", "accounts.access_inbox"],
    SUPPORT: [*_PEOPLE, "accounts.access_inbox"],
    BILLING: [*_PEOPLE, "accounts.access_billing"],
    PRIVACY_OFFICER: [
        *_PEOPLE,
        "accounts.access_privacy",
        "people.view_identity_numbers",
        *_IDENTITY_DOCUMENTS,
        "privacy.erase_person",  # irreversible: this role only, not even admin
        "audit.view_auditevent",
    ],
}


def sync_roles(using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: creates missing roles and sets their permissions."""
    # Our receiver may run before auth's own, which makes these permissions.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    labels = {name.split(".")[0] for names in ROLE_PERMISSIONS.values() for name in names}
    for label in sorted(labels):
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)

    for role, permissions in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        wanted = set()
        for name in permissions:
            app_label, codename = name.split(".", 1)
            wanted.add(
                Permission.objects.using(using).get(
                    content_type__app_label=app_label, codename=codename
                )
            )
        if set(group.permissions.all()) != wanted:
            group.permissions.set(wanted)
