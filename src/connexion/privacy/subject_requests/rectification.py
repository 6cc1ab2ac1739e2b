"""Rectification (PDPA s.35): each proposed correction decided field by field, applied through the
people services with its provenance."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from connexion.people import services as people
from connexion.people.models import Person, PhoneNumber, Source
from connexion.privacy.models import (
    RequestEvent,
    SubjectRequest,
)
from connexion.privacy.subject_requests.rules import (
    CONTACT_RECTIFIABLE,
    IDENTITY_FIELDS,
    SOURCE_CHANNELS,
    UI,
    Kind,
    audit,
    field_label,
    lock,
    record_event,
    require_in_progress,
    require_person,
)
from connexion.privacy.subject_requests.workflow import field_decisions


def current_value(person: Person | None, name: str) -> str:
    """What the record holds now for a rectifiable field."""
    if person is None:
        return ""
    if name == "email":
        point = person.emailaddresss.filter(is_primary=True).first()
        return point.email if point else ""
    if name == "phone":
        phone = person.phonenumbers.filter(kind=PhoneNumber.Kind.MOBILE, is_primary=True).first()
        return phone.number if phone else ""
    value = getattr(person, name)
    if isinstance(value, date):
        return value.isoformat()
    return str(value or "")


def _apply_correction(
    actor: Any, request: SubjectRequest, person: Person, name: str, value: str, channel: str
) -> None:
    """Through the people services, which keep the history."""
    try:
        if name in CONTACT_RECTIFIABLE:
            source = people.create_source(
                actor,
                kind=Source.Kind.DIRECT,
                channel=SOURCE_CHANNELS[request.channel],
                note=request.reference,
            )
            if name == "email":
                old = person.emailaddresss.filter(is_primary=True).first()
                values: dict[str, Any] = {"email": value}
            else:
                old = person.phonenumbers.filter(
                    kind=PhoneNumber.Kind.MOBILE, is_primary=True
                ).first()
                values = {"kind": PhoneNumber.Kind.MOBILE, "number": value}
            if old is not None:
                people.remove_contact_point(actor, old, channel=channel)
            people.add_contact_point(
                actor, person, name, values, source=source, is_primary=True, channel=channel
            )
        else:
            typed: Any = value
            if name == "date_of_birth":
                typed = date.fromisoformat(value) if value else None
            people.update_person(actor, person, channel=channel, **{name: typed})
    except ValidationError as exc:
        messages = (
            [m for ms in exc.message_dict.values() for m in ms]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        raise ValidationError({name: messages}) from None


@transaction.atomic
def decide_correction(
    actor: Any,
    request: SubjectRequest,
    field: str,
    *,
    accept: bool,
    reason: str = "",
    audit_channel: str = UI,
) -> RequestEvent:
    """Accepts one requested correction (applied at once through the people
    services, history kept) or rejects it with the reason the person is given."""
    lock(request)
    if request.kind != Kind.RECTIFICATION:
        raise ValidationError({"field": [_("Only a rectification request has corrections.")]})
    require_in_progress(request)
    if field not in request.proposed_changes:
        raise ValidationError({"field": [_("The person did not ask to correct this detail.")]})
    if field in field_decisions(request):
        raise ValidationError({field: [_("This correction was already decided.")]})
    if not accept and not reason.strip():
        raise ValidationError({"reason": [_("Say why the correction is rejected.")]})
    value = request.proposed_changes[field]
    details: dict[str, Any] = {"field": field, "label": field_label(field), "accepted": accept}
    if accept:
        person = require_person(request)
        before = current_value(person, field)
        _apply_correction(actor, request, person, field, value, audit_channel)
        # Identity numbers are not copied into the request's history.
        if field not in IDENTITY_FIELDS:
            details["before"] = before
    event = record_event(
        request, RequestEvent.Kind.FIELD_DECISION, actor, text=reason.strip(), details=details
    )
    audit(
        actor,
        "correction",
        request,
        {f"correction:{field}": [None, "accepted" if accept else "rejected"]},
        audit_channel,
    )
    return event
