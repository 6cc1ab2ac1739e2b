"""The staff roles. Each role is a Django group holding a set of permissions;
the group's name is the role's code, its label is translated here."""

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


def role_label(code: str) -> str:
    return str(ROLE_LABELS.get(code, code))
