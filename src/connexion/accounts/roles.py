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
# Which permission opens each data category of the policy (3.1-3.7); selectors
# leave out what the viewer's roles do not open (accounts.visibility).
CATEGORY_PERMISSIONS = {
    "3.1": "accounts.access_people",
    "3.2": "accounts.access_people",
    "3.3": "people.view_identity_numbers",
    "3.4": "accounts.access_people",
    "3.5": "accounts.view_service_usage",
    "3.6": "accounts.view_payment_data",
    "3.7": "accounts.view_communications",
}
_USAGE = ["accounts.view_service_usage"]
_PAYMENT = ["accounts.view_payment_data"]
_COMMUNICATIONS = ["accounts.view_communications"]
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
        *_USAGE,
        *_PAYMENT,
        *_COMMUNICATIONS,
    ],
    # Sales: 3.1, 3.2, 3.4 and their conversations (3.7); no identity documents
    # (3.3), no service usage (3.5), no payment data (3.6).
    SALES: [*_PEOPLE, "accounts.access_deals", "accounts.access_inbox", *_COMMUNICATIONS],
    SUPPORT: [*_PEOPLE, "accounts.access_inbox", *_USAGE, *_COMMUNICATIONS],
    BILLING: [*_PEOPLE, "accounts.access_billing", *_PAYMENT],
    PRIVACY_OFFICER: [
        *_PEOPLE,
        "accounts.access_privacy",
        "people.view_identity_numbers",
        *_IDENTITY_DOCUMENTS,
        "privacy.erase_person",  # irreversible: this role only, not even admin
        # A use on a legal obligation passes restrictions and objections: this role only.
        "privacy.use_for_legal_obligation",
        "audit.view_auditevent",
        *_USAGE,
        *_PAYMENT,
        *_COMMUNICATIONS,
    ],
}

# Records each role sees at first (accounts.visibility); admins change this under
# Settings, and a later migrate keeps their choice.
ROLE_SCOPES = {
    ADMIN: "all",
    SALES: "team",
    SUPPORT: "all",
    BILLING: "all",
    PRIVACY_OFFICER: "all",
}


_DEFAULT_ACTIONS = {
    "view": _("See %(things)s"),
    "add": _("Add %(things)s"),
    "change": _("Change %(things)s"),
    "delete": _("Delete %(things)s"),
}


def permission_label(name: str) -> str:
    """A permission ("app.codename") in the reader's language: the label the
    model declares, or Django's default ones spelled out."""
    from django.apps import apps

    app_label, codename = name.split(".", 1)
    for model in apps.get_app_config(app_label).get_models():
        for code, label in model._meta.permissions:
            if code == codename:
                return str(label)
        action, _sep, model_name = codename.partition("_")
        if model_name == model._meta.model_name and action in _DEFAULT_ACTIONS:
            return str(_DEFAULT_ACTIONS[action] % {"things": model._meta.verbose_name_plural})
    return name


def sync_roles(using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: creates missing roles and sets their permissions."""
    # Our receiver may run before auth's own, which makes these permissions.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from connexion.accounts.models import RoleVisibility

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
        RoleVisibility.objects.using(using).get_or_create(
            role=group, defaults={"scope": ROLE_SCOPES[role]}
        )


def members_to_tell(role: str) -> list[Any]:
    """The active members of a role who have an email address, in a stable order:
    whom a warning to that role (a deadline, a breach clock) is sent to."""
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(groups__name=role, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
