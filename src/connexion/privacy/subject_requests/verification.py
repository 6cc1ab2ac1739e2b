"""Identity verification of a request: one-time codes by email or SMS (three tries), an identity
document seen by staff, or a representative's authority."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connexion.accounts.actors import acting_user
from connexion.lib import sms
from connexion.people.models import Person
from connexion.privacy.models import (
    OneTimeCode,
    RequestEvent,
    SubjectRequest,
)
from connexion.privacy.subject_requests.messages import render_text, tell
from connexion.privacy.subject_requests.rules import (
    CODES_PER_HOUR,
    UI,
    Status,
    audit,
    is_verified,
    lock,
    mask_email,
    mask_phone,
    record_event,
    require_open,
    set_status,
    sha256_hex,
)


def _target_hash(channel: str, target: str) -> str:
    return sha256_hex(target.strip().lower() if channel == "email" else target.strip())


def _code_hash(target_hash: str, code: str) -> str:
    # Keyed: a copy of the table alone does not let anyone try the million codes.
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, f"{target_hash}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_one_time_code(
    use: str, channel: str, target: str, *, request: SubjectRequest | None = None
) -> tuple[OneTimeCode, str]:
    """A new 6-digit code for `target` (an email, or an E.164 phone); earlier
    live codes for the same use and target stop working. Returns the record and
    the code, which is to be sent and then forgotten."""
    if channel not in {"email", "phone"}:
        raise ValidationError({"channel": [_("Choose email or phone.")]})
    now = timezone.now()
    target_hash = _target_hash(channel, target)
    earlier = OneTimeCode.objects.filter(use=use, target_hash=target_hash, request=request)
    if earlier.filter(created_at__gt=now - timedelta(hours=1)).count() >= CODES_PER_HOUR:
        raise ValidationError(
            {"channel": [_("Too many codes were sent in the last hour: try again later.")]}
        )
    earlier.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    code = f"{secrets.randbelow(10**6):06d}"
    record = OneTimeCode.objects.create(
        use=use,
        request=request,
        target_hash=target_hash,
        channel=channel,
        code_hash=_code_hash(target_hash, code),
        expires_at=now + timedelta(minutes=OneTimeCode.LIFETIME_MINUTES),
    )
    return record, code


def redeem_one_time_code(
    code_record: OneTimeCode | None, code: str, now: datetime | None = None
) -> str:
    """Checks `code` against the latest code sent; "" when right (the code is
    then used up), else the reason it was refused. A wrong try counts."""
    now = now or timezone.now()
    if code_record is None:
        return _("No code was sent for this: ask for one.")
    if code_record.used_at is not None:
        return _("This code was already used: ask for a new one.")
    if code_record.attempts >= OneTimeCode.MAX_ATTEMPTS:
        return _("This code was entered wrongly 3 times and no longer works: ask for a new one.")
    if code_record.expires_at <= now:
        return _("This code has expired: ask for a new one.")
    given = re.sub(r"\s", "", code or "")
    if hmac.compare_digest(code_record.code_hash, _code_hash(code_record.target_hash, given)):
        code_record.used_at = now
        code_record.save(update_fields=["used_at"])
        return ""
    code_record.attempts += 1
    code_record.save(update_fields=["attempts"])
    left = OneTimeCode.MAX_ATTEMPTS - code_record.attempts
    if left <= 0:
        return _("Wrong code, 3 times: it no longer works. Ask for a new one.")
    return _("Wrong code: %(left)s tries left.") % {"left": left}


def _check_verifiable(request: SubjectRequest) -> None:
    require_open(request)
    if is_verified(request):
        raise ValidationError({"verification": [_("The identity is already verified.")]})
    if request.by_representative and not request.authority_document:
        raise ValidationError(
            {
                "authority_document": [
                    _(
                        "The request was made by a representative: record the document "
                        "giving them authority first."
                    )
                ]
            }
        )


@transaction.atomic
def send_verification_code(
    actor: Any, request: SubjectRequest, *, channel: str, audit_channel: str = UI
) -> OneTimeCode:
    """Sends a one-time code to the requester's email or phone (10 minutes,
    3 tries); the request waits in "verifying identity"."""
    lock(request)
    _check_verifiable(request)
    if channel == "email":
        target = request.requester_email
        missing = _("This request has no email address to send a code to.")
    elif channel == "phone":
        target = request.requester_phone
        missing = _("This request has no phone number to send a code to.")
    else:
        raise ValidationError({"channel": [_("Choose email or phone.")]})
    if not target:
        raise ValidationError({"channel": [missing]})
    record, code = issue_one_time_code(OneTimeCode.Use.REQUEST, channel, target, request=request)
    if request.status == Status.RECEIVED:
        set_status(request, Status.VERIFYING, actor)
    minutes = OneTimeCode.LIFETIME_MINUTES
    if channel == "email":
        tell(request, "code", actor, hide=code, code=code, minutes=minutes)
    else:
        body = render_text(request, "code_sms", code=code, minutes=minutes)
        sms.send_sms(target, body)
        record_event(
            request,
            RequestEvent.Kind.MESSAGE,
            actor,
            text=body.replace(code, "[…]"),
            details={"step": "code", "channel": "sms", "to": mask_phone(target)},
        )
    audit(actor, "send_code", request, {"code": [None, channel]}, audit_channel)
    return record


def check_verification_code(
    actor: Any, request: SubjectRequest, code: str, *, audit_channel: str = UI
) -> SubjectRequest:
    """The code the requester received: right, and their identity is verified
    and the request goes in progress; wrong, and the try is counted (kept
    even though an error is raised)."""
    with transaction.atomic():
        lock(request)
        _check_verifiable(request)
        latest = (
            OneTimeCode.objects.select_for_update()
            .filter(request=request, use=OneTimeCode.Use.REQUEST)
            .order_by("-created_at", "-id")
            .first()
        )
        problem = redeem_one_time_code(latest, code)
        if not problem:
            assert latest is not None
            target = (
                request.requester_email if latest.channel == "email" else request.requester_phone
            )
            shown = mask_email(target) if latest.channel == "email" else mask_phone(target)
            method = (
                SubjectRequest.Verification.EMAIL_CODE
                if latest.channel == "email"
                else SubjectRequest.Verification.PHONE_CODE
            )
            who = (
                _("entered by the requester")
                if acting_user(actor) is None
                else _("read out to staff")
            )
            if request.person_id and not code_target_on_record(request, request.person):
                # The code proves control of an address that is not on the matched
                # person's record: it says nothing about being that person. The
                # requester sees the same as anyone; staff see why the link went.
                _unlink_unproven(actor, request, shown)
            _verified(
                actor,
                request,
                method,
                _("One-time code sent to %(target)s, %(who)s.") % {"target": shown, "who": who},
                audit_channel,
            )
            return request
    # Outside the transaction: the counted try stays.
    raise ValidationError({"code": [problem]})


def code_target_on_record(request: SubjectRequest, person: Person | None) -> bool:
    """Whether the address the request's code was confirmed at is one of the
    person's own contact points."""
    used = (
        OneTimeCode.objects.filter(request=request, used_at__isnull=False)
        .order_by("-used_at")
        .first()
    )
    if used is None or person is None:
        return False
    if used.channel == "email":
        targets = person.emailaddresss.values_list("email", flat=True)
    else:
        targets = person.phonenumbers.values_list("number", flat=True)
    return any(_target_hash(used.channel, target) == used.target_hash for target in targets)


def _unlink_unproven(actor: Any, request: SubjectRequest, shown: str) -> None:
    before = request.person_id
    request.person = None
    request.save(update_fields=["person"])
    record_event(
        request,
        RequestEvent.Kind.NOTE,
        actor,
        text=_(
            "The code was confirmed at %(target)s, which is not on the record of the "
            "matched person #%(id)s: the request is no longer linked to that person. "
            "Check the identity against a document before linking it again."
        )
        % {"target": shown, "id": before},
        details={"person": [before, None]},
    )


def _verified(
    actor: Any, request: SubjectRequest, method: str, note: str, audit_channel: str
) -> None:
    request.verification = method
    request.verified_at = timezone.now()
    request.verified_by = acting_user(actor)
    request.verification_note = note
    request.save(update_fields=["verification", "verified_at", "verified_by", "verification_note"])
    record_event(request, RequestEvent.Kind.VERIFIED, actor, text=note, details={"method": method})
    if request.status in {Status.RECEIVED, Status.VERIFYING}:
        set_status(request, Status.IN_PROGRESS, actor)
    audit(actor, "verify", request, {"verification": ["", method]}, audit_channel)
    tell(request, "verified", actor)


IDENTITY_DOCUMENTS = {
    "id_card": gettext_lazy("Thai national ID card"),
    "passport": gettext_lazy("passport"),
    "driving_licence": gettext_lazy("driving licence"),
    "other": gettext_lazy("other official document"),
}


@transaction.atomic
def verify_by_document(
    actor: Any, request: SubjectRequest, *, document: str, note: str, audit_channel: str = UI
) -> SubjectRequest:
    """A member of staff checked an identity document: who, which document and
    what was checked are recorded."""
    if acting_user(actor) is None:
        raise ValidationError({"document": [_("Only a member of staff can check a document.")]})
    lock(request)
    _check_verifiable(request)
    errors: dict[str, list[str]] = {}
    if document not in IDENTITY_DOCUMENTS:
        errors["document"] = [_("Choose the document checked.")]
    if not note.strip():
        errors["note"] = [_("Say what was checked (e.g. name and photo match, last 4 digits).")]
    if errors:
        raise ValidationError(errors)
    text = f"{IDENTITY_DOCUMENTS[document]}: {note.strip()}"
    _verified(actor, request, SubjectRequest.Verification.DOCUMENT, text, audit_channel)
    return request


@transaction.atomic
def record_representative(
    actor: Any,
    request: SubjectRequest,
    *,
    name: str,
    authority_document: File,
    audit_channel: str = UI,
) -> SubjectRequest:
    """The request is made on the person's behalf: the representative and the
    document giving them authority (power of attorney, guardianship)."""
    lock(request)
    require_open(request)
    if is_verified(request):
        raise ValidationError({"representative_name": [_("The identity is already verified.")]})
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["representative_name"] = [_("Give the representative's name.")]
    if authority_document is None:
        errors["authority_document"] = [_("Attach the document giving authority.")]
    if errors:
        raise ValidationError(errors)
    request.by_representative = True
    request.representative_name = name.strip()
    request.authority_document.save(
        authority_document.name or "authority", authority_document, save=False
    )
    request.save(update_fields=["by_representative", "representative_name", "authority_document"])
    record_event(
        request,
        RequestEvent.Kind.NOTE,
        actor,
        text=_("Representative recorded: %(name)s, with the document giving authority.")
        % {"name": request.representative_name},
    )
    audit(actor, "representative", request, {"by_representative": [False, True]}, audit_channel)
    return request
