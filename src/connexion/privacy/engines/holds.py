"""Legal holds: a person's data kept past an erasure or a retention rule while a claim, an
investigation or a law requires it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change
from connexion.people.models import Person
from connexion.privacy.models import (
    LegalHold,
)

UI = AuditEvent.Channel.UI


def holds_in_force(at: datetime | None = None) -> QuerySet[LegalHold]:
    at = at or timezone.now()
    return LegalHold.objects.filter(lifted_at__isnull=True, starts_at__lte=at).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=at)
    )


def hold_refusal(hold: LegalHold) -> str:
    from connexion.ui.templatetags.connexion import localdate

    return _(
        "The person's data is under a legal hold (%(reference)s, since %(date)s): it cannot "
        "be erased while the hold is in force. Reason: %(reason)s"
    ) % {
        "reference": hold.legal_reference,
        "date": localdate(hold.starts_at),
        "reason": hold.reason,
    }


def _live_person_for_hold(person: Person) -> Person:
    locked = Person.objects.select_for_update().filter(pk=person.pk).first()
    if locked is None:
        raise ValidationError({"person": [_("This person no longer exists.")]})
    if locked.anonymized_at is not None:
        raise ValidationError({"person": [_("This person's data was already erased.")]})
    return locked


@transaction.atomic
def place_hold(
    actor: Any,
    person: Person,
    *,
    reason: str,
    legal_reference: str,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    audit_channel: str = UI,
) -> LegalHold:
    """Stops erasure and retention for the person while a law or an order
    requires their data. Locks the person, so it serializes with an erasure."""
    person = _live_person_for_hold(person)
    starts_at = starts_at or timezone.now()
    errors: dict[str, list[str]] = {}
    if not legal_reference.strip():
        errors["legal_reference"] = [_("Name the law, regulation or order that requires it.")]
    if not reason.strip():
        errors["reason"] = [_("Say what the data is kept for.")]
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = [_("The end must come after the start.")]
    if errors:
        raise ValidationError(errors)
    hold = LegalHold.objects.create(
        person=person,
        reason=reason.strip(),
        legal_reference=legal_reference.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        placed_by=actor if getattr(actor, "pk", None) else None,
    )
    record_change(
        actor,
        "privacy.place_hold",
        person,
        {f"legal_hold:{hold.pk}": [None, hold.legal_reference]},
        channel=audit_channel,
    )
    return hold


@transaction.atomic
def lift_hold(actor: Any, hold: LegalHold, *, audit_channel: str = UI) -> LegalHold:
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at is not None:
        raise ValidationError({"hold": [_("This legal hold was already lifted.")]})
    hold.lifted_at = timezone.now()
    hold.lifted_by = actor if getattr(actor, "pk", None) else None
    hold.save(update_fields=["lifted_at", "lifted_by"])
    record_change(
        actor,
        "privacy.lift_hold",
        hold.person,
        {f"legal_hold:{hold.pk}": ["in force", "lifted"]},
        channel=audit_channel,
    )
    return hold
