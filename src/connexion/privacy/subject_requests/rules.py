"""The rules every step of a data-subject request shares: which kinds need an identity check, the
state machine's moves, what a rectification may correct, the 30-day clock, and the locked read,
history entry and audit entry each step writes."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connexion.accounts.actors import acting_user
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change
from connexion.people.models import Person, Source
from connexion.privacy.models import (
    OPEN_REQUEST_STATUSES,
    REQUEST_ANSWER_DAYS,
    ConsentEvent,
    RequestEvent,
    SubjectRequest,
)

UI = AuditEvent.Channel.UI


Kind = SubjectRequest.Kind


Status = SubjectRequest.Status


Channel = SubjectRequest.Channel


PRIVACY_PERMISSION = "accounts.access_privacy"


ERASE_PERMISSION = "privacy.erase_person"


REFERENCE_PREFIX = "DSR"


LANGUAGES = ("th", "en")


# A person may ask for a new code, but not flood a phone with them.
CODES_PER_HOUR = 5


# A complaint releases and changes nothing: no identity check is needed to
# record it or to escalate it to the regulator. Every other kind needs one.
NEEDS_VERIFICATION = set(Kind.values) - {Kind.COMPLAINT}


# The state machine. Rejected, withdrawn and completed are final.
TRANSITIONS: dict[str, set[str]] = {
    Status.RECEIVED: {Status.VERIFYING, Status.IN_PROGRESS, Status.REJECTED, Status.WITHDRAWN},
    Status.VERIFYING: {Status.IN_PROGRESS, Status.REJECTED, Status.WITHDRAWN},
    Status.IN_PROGRESS: {Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN},
}


# Where a consent withdrawal made through a request is recorded as coming from.
CONSENT_CHANNELS = {
    Channel.PRIVACY_CENTER: ConsentEvent.Channel.PRIVACY_CENTER,
    Channel.EMAIL: ConsentEvent.Channel.EMAIL,
    Channel.PAPER: ConsentEvent.Channel.PAPER,
    Channel.PHONE: ConsentEvent.Channel.STAFF,
    Channel.API: ConsentEvent.Channel.API,
}


# The provenance of a corrected email or phone number (policy 4.1).
SOURCE_CHANNELS = {
    Channel.PRIVACY_CENTER: Source.Channel.WEB_FORM,
    Channel.EMAIL: Source.Channel.EMAIL,
    Channel.PAPER: Source.Channel.IN_PERSON,
    Channel.PHONE: Source.Channel.PHONE,
    Channel.API: Source.Channel.WEB_FORM,
}


# What a rectification request may correct: the person's own details, and
# their primary email and mobile phone. Each goes through people.services.
PERSON_RECTIFIABLE = (
    "title",
    "first_name_th",
    "middle_name_th",
    "last_name_th",
    "nickname_th",
    "first_name_en",
    "middle_name_en",
    "last_name_en",
    "nickname_en",
    "gender",
    "date_of_birth",
    "national_id",
    "passport_number",
    "passport_country",
    "occupation",
    "employer_name",
    "position",
)


CONTACT_RECTIFIABLE = {
    "email": gettext_lazy("email (primary)"),
    "phone": gettext_lazy("mobile phone (primary)"),
}


RECTIFIABLE_FIELDS = (*PERSON_RECTIFIABLE, *CONTACT_RECTIFIABLE)


IDENTITY_FIELDS = {"national_id", "passport_number"}


def field_label(name: str) -> str:
    if name in CONTACT_RECTIFIABLE:
        return str(CONTACT_RECTIFIABLE[name])
    return str(Person._meta.get_field(name).verbose_name)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def mask_email(email: str) -> str:
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_phone(e164: str) -> str:
    return f"{e164[:3]}*****{e164[-3:]}" if len(e164) > 6 else "***"


def days_left(request: SubjectRequest, now: datetime | None = None) -> int:
    """Calendar days from today to the due date, in Bangkok: 0 on the due day,
    negative once overdue."""
    now = now or timezone.now()
    return (timezone.localdate(request.due_at) - timezone.localdate(now)).days


def is_overdue(request: SubjectRequest, now: datetime | None = None) -> bool:
    return request.status in OPEN_REQUEST_STATUSES and (now or timezone.now()) > request.due_at


def due_at_for(received_at: datetime) -> datetime:
    # PDPA s.30: answered within 30 days of receipt.
    return received_at + timedelta(days=REQUEST_ANSWER_DAYS)


def needs_verification(request: SubjectRequest) -> bool:
    return request.kind in NEEDS_VERIFICATION


def is_verified(request: SubjectRequest) -> bool:
    return request.verified_at is not None


def lock(request: SubjectRequest) -> SubjectRequest:
    """Serializes writes to one request; the caller's copy is read afresh."""
    SubjectRequest.objects.select_for_update().filter(pk=request.pk).first()
    request.refresh_from_db()
    return request


def record_event(
    request: SubjectRequest,
    kind: str,
    actor: Any,
    *,
    text: str = "",
    details: dict[str, Any] | None = None,
    from_status: str = "",
    to_status: str = "",
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        kind=kind,
        text=text,
        details=details or {},
        actor=acting_user(actor),
        from_status=from_status,
        to_status=to_status,
        occurred_at=timezone.now(),
    )


def audit(
    actor: Any, action: str, request: SubjectRequest, changes: dict[str, Any], channel: str
) -> None:
    record_change(actor, f"privacy.request_{action}", request, changes, channel=channel)


def require_open(request: SubjectRequest) -> None:
    if request.status not in OPEN_REQUEST_STATUSES:
        raise ValidationError(
            {
                "status": [
                    _("This request is %(status)s: it can no longer be changed.")
                    % {"status": request.get_status_display()}
                ]
            }
        )


def require_in_progress(request: SubjectRequest) -> None:
    require_open(request)
    if needs_verification(request) and not is_verified(request):
        raise ValidationError(
            {"status": [_("Verify the requester's identity before carrying the request out.")]}
        )
    if request.status != Status.IN_PROGRESS:
        raise ValidationError(
            {"status": [_("Start work on the request (status “in progress”) first.")]}
        )


def require_person(request: SubjectRequest) -> Person:
    if request.person_id is None:
        raise ValidationError({"person": [_("Link the request to the person it concerns first.")]})
    person = Person.objects.select_for_update().get(pk=request.person_id)
    if person.anonymized_at is not None:
        raise ValidationError({"person": [_("This person's data has already been erased.")]})
    return person


def set_status(request: SubjectRequest, to: str, actor: Any, text: str = "") -> None:
    before = request.status
    if to not in TRANSITIONS.get(before, set()):
        raise ValidationError(
            {
                "status": [
                    _("A request that is %(from)s cannot become %(to)s.")
                    % {"from": request.get_status_display(), "to": Status(to).label}
                ]
            }
        )
    request.status = to
    if to not in OPEN_REQUEST_STATUSES:
        request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at"])
    record_event(
        request, RequestEvent.Kind.STATUS, actor, from_status=before, to_status=to, text=text
    )
