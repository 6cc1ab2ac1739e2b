"""Template tags of the privacy area: the person's privacy panel, the call and
email actions that ask `may_use` first, and the breach clock."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from connexion.people.models import EmailAddress, Person, PhoneNumber
from connexion.privacy.ledger.decisions import Decision, Refusal, may_use
from connexion.privacy.ledger.forms import (
    ObjectionForm,
    ProductInterestForm,
    RestrictionForm,
    staff_wording,
)
from connexion.privacy.ledger.selectors import PersonPanel, breach_clock, person_panel
from connexion.privacy.models import ConsentEvent, Purpose

register = template.Library()

# The purpose a call or an email to a person serves (policy 5.1).
CONTACT_PURPOSE = "product-contact"


def panel_forms(panel: PersonPanel, context: Any = None) -> dict[str, Any]:
    """The panel's forms: the bound ones of a failed submission, else empty ones."""
    context = context or {}
    return {
        "restriction": context.get("restriction_form")
        or RestrictionForm(contact_points=panel.contact_points, prefix="restriction"),
        "objection": context.get("objection_form") or ObjectionForm(prefix="objection"),
        "interest": context.get("interest_form") or ProductInterestForm(prefix="interest"),
    }


@register.simple_tag(takes_context=True)
def privacy_panel(context: template.Context, person: Person) -> PersonPanel:
    """`{% privacy_panel person as panel %}`: reads the panel (and records the access)."""
    request = context.get("request")
    panel = person_panel(getattr(request, "user", None), person)
    panel.forms = panel_forms(panel, context)  # type: ignore[attr-defined]
    panel.channels = ConsentEvent.Channel.choices  # type: ignore[attr-defined]
    for row in panel.consents:
        row.wording = staff_wording(row.purpose, panel.notice) if panel.notice else ""  # type: ignore[attr-defined]
    return panel


def _contact_purpose(person: Person) -> Purpose | None:
    # One look-up per page, however many contact points the person has.
    if not hasattr(person, "_contact_purpose"):
        person._contact_purpose = Purpose.objects.filter(code=CONTACT_PURPOSE).first()  # type: ignore[attr-defined]
    return person._contact_purpose  # type: ignore[attr-defined]


def contact_decision(person: Person, contact: Any) -> Decision:
    purpose = _contact_purpose(person)
    if purpose is None:
        message = _("The purpose “%(code)s” is missing from the registry.") % {
            "code": CONTACT_PURPOSE
        }
        return Decision(False, [Refusal("no_purpose", message)])
    return may_use(person, purpose, contact)


@register.inclusion_tag("privacy/contact_action.html")
def contact_action(person: Person, contact: Any, oob: bool = False) -> dict[str, Any]:
    """A Call or Email action when `may_use` allows contact about products (5.1);
    otherwise the same action, disabled, with the reasons. Displaying logs nothing."""
    if isinstance(contact, PhoneNumber) and contact.kind != PhoneNumber.Kind.FAX:
        kind, label, href = "phone", _("Call"), f"tel:{contact.number}"
    elif isinstance(contact, EmailAddress):
        kind, label, href = "email", _("Email"), f"mailto:{contact.email}"
    else:
        return {"show": False}
    return {
        "show": True,
        "kind": kind,
        "contact": contact,
        "label": label,
        "href": href,
        "decision": contact_decision(person, contact),
        "oob": oob,
    }


@register.inclusion_tag("privacy/breach_clock.html")
def show_breach_clock(breach: Any) -> dict[str, Any]:
    clock = getattr(breach, "clock", None) or breach_clock(breach)
    return {"breach": breach, "clock": clock}


@register.inclusion_tag("privacy/_breach_alerts.html", takes_context=True)
def breach_alerts(context: template.Context) -> dict[str, Any]:
    """The top bar's breach alerts, for staff of the privacy area only."""
    from connexion.privacy.ledger.breach_alerts import alerts_in_force

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("accounts.access_privacy"):
        return {"alerts": []}
    return {"alerts": alerts_in_force()}
