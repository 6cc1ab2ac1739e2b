"""Carrying each kind of request out through the services that own the data: restriction,
objection, consent withdrawal, complaint escalation, and access, portability and erasure through
the engines in `privacy.engines`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connexion.accounts.actors import acting_user
from connexion.accounts.roles import PRIVACY_OFFICER
from connexion.privacy.ledger import services as privacy
from connexion.privacy.models import (
    Purpose,
    RequestEvent,
    SubjectRequest,
)
from connexion.privacy.subject_requests.messages import local_date, tell
from connexion.privacy.subject_requests.rules import (
    CONSENT_CHANNELS,
    ERASE_PERMISSION,
    UI,
    Kind,
    Status,
    audit,
    lock,
    record_event,
    require_in_progress,
    require_open,
    require_person,
    set_status,
)


def _action(
    request: SubjectRequest, actor: Any, action: str, text: str, **details: Any
) -> RequestEvent:
    return record_event(
        request, RequestEvent.Kind.ACTION, actor, text=text, details={"action": action, **details}
    )


def _require_kind(request: SubjectRequest, *kinds: str) -> None:
    if request.kind not in kinds:
        raise ValidationError(
            {
                "kind": [
                    _("This is not what a %(kind)s request asks for.")
                    % {"kind": request.get_kind_display()}
                ]
            }
        )


@transaction.atomic
def carry_out_restriction(
    actor: Any, request: SubjectRequest, *, audit_channel: str = UI, **restriction: Any
) -> RequestEvent:
    """Records the restriction the person asked for (privacy.ledger.services.restrict)."""
    lock(request)
    _require_kind(request, Kind.RESTRICTION)
    require_in_progress(request)
    person = require_person(request)
    if not str(restriction.get("reason") or "").strip():
        restriction["reason"] = _("Request %(reference)s") % {"reference": request.reference}
    done = privacy.restrict(actor, person, audit_channel=audit_channel, **restriction)
    return _action(
        request,
        actor,
        "restriction",
        _("Restriction recorded: %(scope)s.") % {"scope": done.get_scope_display()},
        restriction=done.pk,
    )


@transaction.atomic
def carry_out_objection(
    actor: Any,
    request: SubjectRequest,
    purpose: Purpose,
    *,
    grounds: str = "",
    audit_channel: str = UI,
) -> RequestEvent:
    lock(request)
    _require_kind(request, Kind.OBJECTION)
    require_in_progress(request)
    person = require_person(request)
    objection = privacy.record_objection(
        actor,
        person,
        purpose,
        grounds=grounds or request.description,
        received_at=request.received_at,
        audit_channel=audit_channel,
    )
    return _action(
        request,
        actor,
        "objection",
        _("Objection to “%(purpose)s” recorded: %(status)s.")
        % {"purpose": purpose, "status": objection.get_status_display()},
        objection=objection.pk,
    )


@transaction.atomic
def carry_out_withdrawal(
    actor: Any, request: SubjectRequest, purpose: Purpose, *, audit_channel: str = UI
) -> RequestEvent:
    """Withdraws the consent from now on; the ledger keeps the history (s.19)."""
    lock(request)
    _require_kind(request, Kind.WITHDRAWAL)
    require_in_progress(request)
    person = require_person(request)
    event = privacy.withdraw_consent(
        actor,
        person,
        purpose,
        channel=CONSENT_CHANNELS[request.channel],
        audit_channel=audit_channel,
    )
    return _action(
        request,
        actor,
        "withdrawal",
        _("Consent to “%(purpose)s” withdrawn.") % {"purpose": purpose},
        consent_event=event.pk,
    )


@transaction.atomic
def escalate_complaint(
    actor: Any, request: SubjectRequest, *, regulator_reference: str, audit_channel: str = UI
) -> SubjectRequest:
    """The complaint went to the regulator (the PDPC): its reference is kept."""
    lock(request)
    _require_kind(request, Kind.COMPLAINT)
    require_open(request)
    if not regulator_reference.strip():
        raise ValidationError({"regulator_reference": [_("Give the PDPC's reference.")]})
    before = request.regulator_reference
    request.regulator_reference = regulator_reference.strip()
    request.save(update_fields=["regulator_reference"])
    _action(
        request,
        actor,
        "escalation",
        _("Escalated to the PDPC, reference %(reference)s.")
        % {"reference": request.regulator_reference},
    )
    audit(
        actor,
        "escalate",
        request,
        {"regulator_reference": [before or None, request.regulator_reference]},
        audit_channel,
    )
    return request


@dataclass(frozen=True)
class Delivery:
    event: RequestEvent
    # The single-use link, to show once to the member of staff (never stored).
    link: str = ""


@transaction.atomic
def deliver_export(
    actor: Any,
    request: SubjectRequest,
    *,
    to_controller: bool = False,
    base_url: str = "",
    audit_channel: str = UI,
) -> Delivery:
    """Builds the person's bundle and sends the person an expiring, single-use
    link to it, or (portability) sends it to the other controller. `base_url`
    (scheme and host, e.g. https://crm.example.co.th) makes the emailed link
    absolute."""
    from connexion.privacy.engines import export

    lock(request)
    _require_kind(request, Kind.ACCESS, Kind.PORTABILITY)
    require_in_progress(request)
    person = require_person(request)
    if to_controller and not request.recipient_email:
        raise ValidationError(
            {"recipient_email": [_("The request names no other controller to send the data to.")]}
        )
    if to_controller and request.kind != Kind.PORTABILITY:
        raise ValidationError(
            {"recipient_email": [_("Only a portability request sends data to another controller.")]}
        )
    bundle = export.build_export(
        person, language=request.language, actor=actor, request=request, audit_channel=audit_channel
    )
    if to_controller:
        export.send_to_controller(
            bundle,
            request.recipient_email,
            actor,
            base_url=base_url,
            audit_channel=audit_channel,
        )
        event = record_event(
            request,
            RequestEvent.Kind.DELIVERY,
            actor,
            text=_("Data sent to %(controller)s.")
            % {"controller": request.recipient_controller or request.recipient_email},
            details={"export": bundle.pk, "to": "controller"},
        )
        link = ""
    else:
        path = export.issue_download_link(bundle, actor=actor, audit_channel=audit_channel)
        link = f"{base_url.rstrip('/')}{path}"
        bundle.refresh_from_db()
        event = record_event(
            request,
            RequestEvent.Kind.DELIVERY,
            actor,
            text=_("Download link issued, valid until %(until)s.")
            % {"until": timezone.localtime(bundle.expires_at).strftime("%Y-%m-%d %H:%M")},
            details={"export": bundle.pk, "to": "requester"},
        )
        tell(
            request,
            "export_ready",
            actor,
            hide=link,
            link=link,
            until=local_date(bundle.expires_at, request.language),
        )
    audit(actor, "deliver", request, {"export": [None, bundle.pk]}, audit_channel)
    return Delivery(event=event, link=link)


def may_erase(user: Any) -> bool:
    """The privacy officer role only. Administrators are superusers, whom Django
    grants every permission: the role itself is checked as well."""
    return bool(
        acting_user(user) is not None
        and user.is_active
        and user.has_perm(ERASE_PERMISSION)
        and user.groups.filter(name=PRIVACY_OFFICER).exists()
    )


@transaction.atomic
def carry_out_erasure(
    actor: Any, request: SubjectRequest, *, confirmation: str, audit_channel: str = UI
) -> SubjectRequest:
    """Erases the person (the erasure engine: delete, anonymize, keep what a
    legal hold requires) and completes the request. Irreversible: the privacy
    officer only, who types the request's reference to confirm."""
    from connexion.privacy.engines import erasure

    if not may_erase(actor):
        raise ValidationError(
            {"confirmation": [_("Only a privacy officer may erase a person's data.")]}
        )
    lock(request)
    _require_kind(request, Kind.ERASURE)
    require_in_progress(request)
    if confirmation.strip().upper() != request.reference:
        raise ValidationError(
            {
                "confirmation": [
                    _("Type the request's reference, %(reference)s, to confirm the erasure.")
                    % {"reference": request.reference}
                ]
            }
        )
    person = require_person(request)
    # Read before the erasure, which may blank the request's copy of them.
    address = request.requester_email
    try:
        record = erasure.erase_person(person, actor=actor, request=request, channel=audit_channel)
    except erasure.ErasureRefused as exc:  # names the legal hold in force
        raise ValidationError({"person": [str(exc)]}) from None
    request.refresh_from_db()
    _action(
        request,
        actor,
        "erasure",
        _("Personal data erased (erasure record #%(id)s).") % {"id": record.pk},
        erasure_record=record.pk,
    )
    audit(actor, "erase", request, {"erasure_record": [None, record.pk]}, audit_channel)
    before = request.status
    set_status(request, Status.COMPLETED, actor)
    audit(actor, "status", request, {"status": [before, Status.COMPLETED]}, audit_channel)
    tell(request, "erased", actor, to=address)
    return request
