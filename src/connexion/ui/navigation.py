"""The main navigation: each area with the permission that opens it."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Area:
    url_name: str
    label: str | Promise
    permission: str
    # What the area will hold, shown while it is not yet available.
    summary: str | Promise = ""
    available: bool = True


AREAS = (
    Area("people:person_list", _("People"), "accounts.access_people"),
    Area("people:organization_list", _("Organizations"), "accounts.access_people"),
    Area("sales:deal_list", _("Deals"), "accounts.access_deals"),
    Area(
        "ui:inbox",
        _("Inbox"),
        "accounts.access_inbox",
        _("Email, LINE, Facebook and web chat conversations with each person."),
        available=False,
    ),
    Area(
        "privacy:dashboard",
        _("Privacy"),
        "accounts.access_privacy",
        _("Purposes, consents, data-subject requests and their 30-day clock, breaches."),
    ),
    Area(
        "ui:billing",
        _("Billing"),
        "accounts.access_billing",
        _("Plans, subscriptions, invoices, payments and payment authorizations."),
        available=False,
    ),
    Area("staff:user_list", _("Settings"), "accounts.manage_staff"),
)


def area_for(url_name: str) -> Area:
    return next(area for area in AREAS if area.url_name == url_name)
