"""Data-subject requests (PDPA s.30-s.36, policy 8.1-8.7), from receipt to the
answer: one queue for every channel, identity verification, the state machine
with its recorded history, the messages to the person, the 30-day clock and
carrying each kind of request out through the services that own the data.

Every function here is one transaction with its audit entry, and refuses bad
input with a `ValidationError` keyed by field, writing nothing then. The one
exception is a wrong verification code: the failed try is kept (that is what
makes three tries the limit) and the error raised after it is saved.

The public privacy center (no staff user) uses `submit_request`,
`follow_request`, `send_verification_code`, `check_verification_code` and
`withdraw_request` with `actor=None`."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connexion.accounts.roles import PRIVACY_OFFICER
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change
from connexion.lib import sms
from connexion.lib.phone import InvalidPhoneNumber, to_e164
from connexion.lib.thai import format_date
from connexion.people import services as people
from connexion.people.models import EmailAddress, Person, PhoneNumber, Source
from connexion.people.validators import normalize_thai_id, validate_thai_id
from connexion.privacy.ledger import services as privacy
from connexion.privacy.models import (
    OPEN_REQUEST_STATUSES,
    REQUEST_ANSWER_DAYS,
    REQUEST_WARNING_DAYS,
    ConsentEvent,
    OneTimeCode,
    Purpose,
    RequestEvent,
    SubjectRequest,
)

logger = logging.getLogger(__name__)

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


# --- small helpers ------------------------------------------------------------


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _sha256(value: str) -> str:
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


def _lock(request: SubjectRequest) -> SubjectRequest:
    """Serializes writes to one request; the caller's copy is read afresh."""
    SubjectRequest.objects.select_for_update().filter(pk=request.pk).first()
    request.refresh_from_db()
    return request


def _event(
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
        actor=_actor(actor),
        from_status=from_status,
        to_status=to_status,
        occurred_at=timezone.now(),
    )


def _audit(
    actor: Any, action: str, request: SubjectRequest, changes: dict[str, Any], channel: str
) -> None:
    record_change(actor, f"privacy.request_{action}", request, changes, channel=channel)


def _require_open(request: SubjectRequest) -> None:
    if request.status not in OPEN_REQUEST_STATUSES:
        raise ValidationError(
            {
                "status": [
                    _("This request is %(status)s: it can no longer be changed.")
                    % {"status": request.get_status_display()}
                ]
            }
        )


def _require_in_progress(request: SubjectRequest) -> None:
    _require_open(request)
    if needs_verification(request) and not is_verified(request):
        raise ValidationError(
            {"status": [_("Verify the requester's identity before carrying the request out.")]}
        )
    if request.status != Status.IN_PROGRESS:
        raise ValidationError(
            {"status": [_("Start work on the request (status “in progress”) first.")]}
        )


def _require_person(request: SubjectRequest) -> Person:
    if request.person_id is None:
        raise ValidationError({"person": [_("Link the request to the person it concerns first.")]})
    person = Person.objects.select_for_update().get(pk=request.person_id)
    if person.anonymized_at is not None:
        raise ValidationError({"person": [_("This person's data has already been erased.")]})
    return person


# --- messages to the person -----------------------------------------------------


def _local_date(value: datetime, language: str) -> str:
    return format_date(timezone.localtime(value).date(), language)


def render_text(request: SubjectRequest, step: str, **context: Any) -> str:
    """The text of `step` from the Thai or English template, whichever language
    the person wrote in."""
    language = request.language if request.language in LANGUAGES else "th"
    with translation.override(language):
        return render_to_string(
            f"privacy/requests/messages/{step}.{language}.txt",
            {
                "request": request,
                "kind": request.get_kind_display(),
                "received": _local_date(request.received_at, language),
                "due": _local_date(request.due_at, language),
                **context,
            },
        ).strip()


def render_message(request: SubjectRequest, step: str, **context: Any) -> tuple[str, str]:
    """An email's subject (the template's first line) and body."""
    subject, _sep, body = render_text(request, step, **context).partition("\n")
    return subject.strip(), body.strip() + "\n"


def _tell(
    request: SubjectRequest,
    step: str,
    actor: Any,
    *,
    hide: str = "",
    to: str = "",
    **context: Any,
) -> RequestEvent:
    """Sends the person the message of `step` by email and records it. Without
    an email address the message is recorded for staff to pass on by phone or
    post. `hide` (a download link, a code) is sent but never recorded."""
    subject, body = render_message(request, step, **context)
    address = to or request.requester_email
    if address:
        EmailMessage(subject, body, to=[address]).send()
        details = {"step": step, "channel": "email", "to": mask_email(address)}
    else:
        details = {"step": step, "channel": "none"}
    recorded = body.replace(hide, "[…]") if hide else body
    return _event(
        request, RequestEvent.Kind.MESSAGE, actor, text=f"{subject}\n\n{recorded}", details=details
    )


# --- opening a request ------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    """A new request and the secret that lets the requester follow it. Only a
    hash of the secret is kept: show or send it once."""

    request: SubjectRequest
    secret: str


def _clean_phone(raw: str) -> str:
    return to_e164(raw) if raw.strip() else ""


def clean_proposed_changes(changes: Any) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The corrections asked for, as {field: value}; errors keyed
    `proposed_changes.<field>`."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    if not isinstance(changes, dict) or not changes:
        return {}, {"proposed_changes": [_("Say which details to correct, and to what.")]}
    for name, raw in changes.items():
        key = f"proposed_changes.{name}"
        if name not in RECTIFIABLE_FIELDS:
            errors[key] = [_("This detail cannot be corrected through a request.")]
            continue
        value = "" if raw is None else str(raw).strip()
        problem = _value_problem(name, value)
        if problem:
            errors[key] = [problem]
        else:
            cleaned[name] = _normal_value(name, value)
    return cleaned, errors


def _value_problem(name: str, value: str) -> str:
    if name in CONTACT_RECTIFIABLE:
        if not value:
            return _("Give the new value.")
        if name == "email":
            try:
                validate_email(value)
            except ValidationError:
                return _("Enter a valid email address.")
        else:
            try:
                to_e164(value)
            except InvalidPhoneNumber:
                return _("“%(value)s” is not a valid phone number.") % {"value": value}
        return ""
    field = Person._meta.get_field(name)
    if name == "date_of_birth":
        if not value:
            return ""
        try:
            born = date.fromisoformat(value)
        except ValueError:
            return _("Enter the date as YYYY-MM-DD.")
        return _("A date of birth cannot be in the future.") if born > date.today() else ""
    if name == "gender" and value and value not in Person.Gender.values:
        return _("Choose one of: %(expected)s.") % {"expected": ", ".join(Person.Gender.values)}
    if name == "national_id" and value:
        try:
            validate_thai_id(normalize_thai_id(value))
        except ValidationError as exc:
            return exc.messages[0]
    max_length = getattr(field, "max_length", None)
    if max_length and len(_normal_value(name, value)) > max_length:
        return _("Enter at most %(max_length)s characters.") % {"max_length": max_length}
    return ""


def _normal_value(name: str, value: str) -> str:
    if name == "email":
        return value.lower()
    if name == "phone":
        return to_e164(value)
    if name == "national_id":
        return normalize_thai_id(value)
    return value


def match_person(email: str, phone: str) -> Person | None:
    """The one living person with this email or phone, else nobody. The same
    look-ups run whether or not anyone matches, and the caller says nothing
    about the result to the requester: no way to probe who is a customer."""
    living = Q(
        person__isnull=False,
        person__merged_into__isnull=True,
        person__anonymized_at__isnull=True,
    )
    # A value never stored: an empty email or number matches nobody.
    emails = EmailAddress.objects.filter(living, email__iexact=email.strip()).exclude(email="")
    phones = PhoneNumber.objects.filter(living, number=phone.strip()).exclude(number="")
    found = set(emails.values_list("person_id", flat=True))
    found |= set(phones.values_list("person_id", flat=True))
    return Person.objects.get(pk=found.pop()) if len(found) == 1 else None


def next_reference(at: datetime) -> str:
    """`DSR-2569-00042`: Buddhist Era year of receipt, then a number per year."""
    prefix = f"{REFERENCE_PREFIX}-{timezone.localtime(at).year + 543}-"
    last = (
        SubjectRequest.objects.filter(reference__startswith=prefix)
        .annotate(length=Length("reference"))
        .order_by("-length", "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:05d}"


def _check_request_fields(
    *,
    kind: str,
    channel: str,
    requester_name: str,
    description: str,
    language: str,
    email: str,
    phone: str,
    received_at: datetime,
    recipient_controller: str,
    recipient_email: str,
    by_representative: bool,
    representative_name: str,
) -> tuple[dict[str, list[str]], str]:
    errors: dict[str, list[str]] = {}
    if kind not in Kind.values:
        errors["kind"] = [_("Choose the kind of request.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Choose how the request arrived.")]
    if not requester_name.strip():
        errors["requester_name"] = [_("Give the requester's name.")]
    if not description.strip():
        errors["description"] = [_("Write down the request in the person's words.")]
    if language not in LANGUAGES:
        errors["language"] = [_("Choose Thai or English for the answers.")]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["requester_email"] = [_("Enter a valid email address.")]
    e164 = ""
    try:
        e164 = _clean_phone(phone)
    except InvalidPhoneNumber:
        errors["requester_phone"] = [
            _("“%(value)s” is not a valid phone number.") % {"value": phone}
        ]
    if not email and not phone.strip():
        errors["requester_email"] = [
            _("Give an email address or a phone number, so that the person can be answered.")
        ]
    if received_at > timezone.now():
        errors["received_at"] = [_("The time cannot be in the future.")]
    if recipient_email:
        try:
            validate_email(recipient_email)
        except ValidationError:
            errors["recipient_email"] = [_("Enter a valid email address.")]
    if recipient_controller.strip() and not recipient_email:
        errors["recipient_email"] = [_("Give the other controller's email address.")]
    if by_representative and not representative_name.strip():
        errors["representative_name"] = [_("Give the representative's name.")]
    return errors, e164


def open_request(
    actor: Any,
    *,
    kind: str,
    channel: str,
    requester_name: str,
    description: str,
    language: str,
    email: str = "",
    phone: str = "",
    person: Person | None = None,
    proposed_changes: dict[str, Any] | None = None,
    recipient_controller: str = "",
    recipient_email: str = "",
    by_representative: bool = False,
    representative_name: str = "",
    authority_document: File | None = None,
    attachment: File | None = None,
    received_at: datetime | None = None,
    assigned_to: Any = None,
    audit_channel: str = UI,
) -> Submitted:
    """Puts a request into the queue, from any channel, and acknowledges it to
    the person. Without `person`, the person is matched by the email or phone
    given (silently: see `match_person`)."""
    received_at = received_at or timezone.now()
    email = email.strip().lower()
    recipient_email = recipient_email.strip().lower()
    errors, e164 = _check_request_fields(
        kind=kind,
        channel=channel,
        requester_name=requester_name,
        description=description,
        language=language,
        email=email,
        phone=phone,
        received_at=received_at,
        recipient_controller=recipient_controller,
        recipient_email=recipient_email,
        by_representative=by_representative,
        representative_name=representative_name,
    )
    changes: dict[str, str] = {}
    if kind == Kind.RECTIFICATION:
        changes, change_errors = clean_proposed_changes(proposed_changes)
        errors.update(change_errors)
    elif proposed_changes:
        errors["proposed_changes"] = [_("Only a rectification request proposes corrections.")]
    if channel in {Channel.EMAIL, Channel.PAPER} and actor is not None and attachment is None:
        # Staff entry: the message received or the scan is the evidence of the request.
        errors["attachment"] = [_("Attach the email received or the scan of the letter.")]
    if person is not None and (person.merged_into_id or person.anonymized_at):
        errors["person"] = [_("This record was merged or erased: choose the record in use.")]
    if assigned_to is not None and not assigned_to.has_perm(PRIVACY_PERMISSION):
        errors["assigned_to"] = [_("This staff member has no access to the privacy area.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        matched = person if person is not None else match_person(email, e164)
        secret = secrets.token_urlsafe(24)
        request = SubjectRequest(
            kind=kind,
            channel=channel,
            person=matched,
            requester_name=requester_name.strip(),
            requester_email=email,
            requester_phone=e164,
            language=language,
            description=description.strip(),
            proposed_changes=changes,
            recipient_controller=recipient_controller.strip(),
            recipient_email=recipient_email,
            by_representative=by_representative,
            representative_name=representative_name.strip() if by_representative else "",
            received_at=received_at,
            due_at=due_at_for(received_at),
            assigned_to=_actor(assigned_to),
            status_token_hash=_sha256(secret),
            created_by=_actor(actor),
        )
        if attachment is not None:
            request.attachment.save(attachment.name or "request", attachment, save=False)
        if authority_document is not None and by_representative:
            request.authority_document.save(
                authority_document.name or "authority", authority_document, save=False
            )
        _save_with_reference(request)
        _event(
            request,
            RequestEvent.Kind.STATUS,
            actor,
            to_status=Status.RECEIVED,
            details={"channel": channel},
        )
        if request.assigned_to_id:
            _event(request, RequestEvent.Kind.ASSIGNED, actor, details={"to": assigned_to.pk})
        _audit(
            actor,
            "open",
            request,
            {
                "kind": [None, kind],
                "channel": [None, channel],
                "reference": [None, request.reference],
            },
            audit_channel,
        )
        _tell(request, "received", actor)
    return Submitted(request=request, secret=secret)


def _save_with_reference(request: SubjectRequest) -> None:
    """Numbers are given in order; two requests saved at once both get one."""
    for _attempt in range(5):
        request.reference = next_reference(request.received_at)
        try:
            with transaction.atomic():
                request.save()
            return
        except IntegrityError:
            if SubjectRequest.objects.filter(reference=request.reference).exists():
                continue
            raise
    raise IntegrityError("could not give the request a unique reference")


def submit_request(
    *,
    kind: str,
    requester_name: str,
    description: str,
    language: str,
    email: str = "",
    phone: str = "",
    proposed_changes: dict[str, Any] | None = None,
    recipient_controller: str = "",
    recipient_email: str = "",
    by_representative: bool = False,
    representative_name: str = "",
    authority_document: File | None = None,
) -> Submitted:
    """A request from the public privacy center, without a staff user. The
    outcome is the same whether or not the email or phone belongs to someone
    we hold data about: a reference, the follow-up secret and an
    acknowledgement to the address given."""
    return open_request(
        None,
        kind=kind,
        channel=Channel.PRIVACY_CENTER,
        requester_name=requester_name,
        description=description,
        language=language,
        email=email,
        phone=phone,
        proposed_changes=proposed_changes,
        recipient_controller=recipient_controller,
        recipient_email=recipient_email,
        by_representative=by_representative,
        representative_name=representative_name,
        authority_document=authority_document,
        audit_channel=AuditEvent.Channel.UI,
    )


def follow_request(reference: str, secret: str) -> SubjectRequest | None:
    """The request this reference and secret open, else None (whichever is wrong)."""
    request = SubjectRequest.objects.filter(reference=reference.strip().upper()).first()
    expected = request.status_token_hash if request is not None else _sha256("")
    given = _sha256(secret or "")
    if request is None or not hmac.compare_digest(expected, given) or not secret:
        return None
    return request


# --- one-time codes ---------------------------------------------------------------


def _target_hash(channel: str, target: str) -> str:
    return _sha256(target.strip().lower() if channel == "email" else target.strip())


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


# --- identity verification --------------------------------------------------------


def _check_verifiable(request: SubjectRequest) -> None:
    _require_open(request)
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


def _set_status(request: SubjectRequest, to: str, actor: Any, text: str = "") -> None:
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
    _event(request, RequestEvent.Kind.STATUS, actor, from_status=before, to_status=to, text=text)


@transaction.atomic
def send_verification_code(
    actor: Any, request: SubjectRequest, *, channel: str, audit_channel: str = UI
) -> OneTimeCode:
    """Sends a one-time code to the requester's email or phone (10 minutes,
    3 tries); the request waits in "verifying identity"."""
    _lock(request)
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
        _set_status(request, Status.VERIFYING, actor)
    minutes = OneTimeCode.LIFETIME_MINUTES
    if channel == "email":
        _tell(request, "code", actor, hide=code, code=code, minutes=minutes)
    else:
        body = render_text(request, "code_sms", code=code, minutes=minutes)
        sms.send_sms(target, body)
        _event(
            request,
            RequestEvent.Kind.MESSAGE,
            actor,
            text=body.replace(code, "[…]"),
            details={"step": "code", "channel": "sms", "to": mask_phone(target)},
        )
    _audit(actor, "send_code", request, {"code": [None, channel]}, audit_channel)
    return record


def check_verification_code(
    actor: Any, request: SubjectRequest, code: str, *, audit_channel: str = UI
) -> SubjectRequest:
    """The code the requester received: right, and their identity is verified
    and the request goes in progress; wrong, and the try is counted (kept
    even though an error is raised)."""
    with transaction.atomic():
        _lock(request)
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
            who = _("entered by the requester") if _actor(actor) is None else _("read out to staff")
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
    _event(
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
    request.verified_by = _actor(actor)
    request.verification_note = note
    request.save(update_fields=["verification", "verified_at", "verified_by", "verification_note"])
    _event(request, RequestEvent.Kind.VERIFIED, actor, text=note, details={"method": method})
    if request.status in {Status.RECEIVED, Status.VERIFYING}:
        _set_status(request, Status.IN_PROGRESS, actor)
    _audit(actor, "verify", request, {"verification": ["", method]}, audit_channel)
    _tell(request, "verified", actor)


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
    if _actor(actor) is None:
        raise ValidationError({"document": [_("Only a member of staff can check a document.")]})
    _lock(request)
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
    _lock(request)
    _require_open(request)
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
    _event(
        request,
        RequestEvent.Kind.NOTE,
        actor,
        text=_("Representative recorded: %(name)s, with the document giving authority.")
        % {"name": request.representative_name},
    )
    _audit(actor, "representative", request, {"by_representative": [False, True]}, audit_channel)
    return request


# --- the queue's housekeeping ------------------------------------------------------


@transaction.atomic
def assign(
    actor: Any, request: SubjectRequest, assignee: Any, *, audit_channel: str = UI
) -> SubjectRequest:
    _lock(request)
    _require_open(request)
    if assignee is not None and not (assignee.is_active and assignee.has_perm(PRIVACY_PERMISSION)):
        raise ValidationError(
            {"assigned_to": [_("This staff member has no access to the privacy area.")]}
        )
    before = request.assigned_to
    if (before.pk if before else None) == (assignee.pk if assignee else None):
        return request
    request.assigned_to = assignee
    request.save(update_fields=["assigned_to"])
    _event(
        request,
        RequestEvent.Kind.ASSIGNED,
        actor,
        text=assignee.display_name() if assignee else _("nobody"),
        details={"to": assignee.pk if assignee else None},
    )
    _audit(
        actor,
        "assign",
        request,
        {
            "assigned_to": [
                before.username if before else None,
                assignee.username if assignee else None,
            ]
        },
        audit_channel,
    )
    return request


@transaction.atomic
def add_note(
    actor: Any, request: SubjectRequest, text: str, *, audit_channel: str = UI
) -> RequestEvent:
    """An internal note: never sent to the person."""
    if not text.strip():
        raise ValidationError({"text": [_("Write the note.")]})
    _lock(request)
    event = _event(request, RequestEvent.Kind.NOTE, actor, text=text.strip())
    _audit(actor, "note", request, {"note": [None, event.pk]}, audit_channel)
    return event


@transaction.atomic
def link_person(
    actor: Any, request: SubjectRequest, person: Person | None, *, audit_channel: str = UI
) -> SubjectRequest:
    """Names the person the request concerns (or none: nobody matches)."""
    _lock(request)
    _require_open(request)
    if person is not None and (person.merged_into_id or person.anonymized_at):
        raise ValidationError(
            {"person": [_("This record was merged or erased: choose the record in use.")]}
        )
    before = request.person_id
    if before == (person.pk if person else None):
        return request
    code_methods = {
        SubjectRequest.Verification.EMAIL_CODE,
        SubjectRequest.Verification.PHONE_CODE,
    }
    if (
        person is not None
        and request.verification in code_methods
        and not code_target_on_record(request, person)
    ):
        raise ValidationError(
            {
                "person": [
                    _(
                        "The identity was verified with a code sent to an address that is "
                        "not on this person's record: it does not prove the requester is "
                        "this person."
                    )
                ]
            }
        )
    request.person = person
    request.save(update_fields=["person"])
    text = (
        _("Linked to person #%(id)s.") % {"id": person.pk}
        if person
        else _("Linked to no person: nobody matches.")
    )
    _event(
        request,
        RequestEvent.Kind.NOTE,
        actor,
        text=text,
        details={"person": [before, request.person_id]},
    )
    _audit(actor, "link_person", request, {"person": [before, request.person_id]}, audit_channel)
    return request


# --- the state machine ---------------------------------------------------------------


@transaction.atomic
def start_verification(
    actor: Any, request: SubjectRequest, *, audit_channel: str = UI
) -> SubjectRequest:
    _lock(request)
    _set_status(request, Status.VERIFYING, actor)
    _audit(actor, "status", request, {"status": [Status.RECEIVED, Status.VERIFYING]}, audit_channel)
    return request


@transaction.atomic
def start_work(actor: Any, request: SubjectRequest, *, audit_channel: str = UI) -> SubjectRequest:
    """In progress: only once the identity is verified (a complaint needs none)."""
    _lock(request)
    _require_open(request)
    if needs_verification(request) and not is_verified(request):
        raise ValidationError(
            {"status": [_("Verify the requester's identity before starting work on the request.")]}
        )
    before = request.status
    _set_status(request, Status.IN_PROGRESS, actor)
    _audit(actor, "status", request, {"status": [before, Status.IN_PROGRESS]}, audit_channel)
    return request


@transaction.atomic
def reject_request(
    actor: Any, request: SubjectRequest, *, reason: str, audit_channel: str = UI
) -> SubjectRequest:
    """Refused with its lawful reason (kept for the record of processing, s.39);
    the person is told the reason and their right to complain to the PDPC."""
    _lock(request)
    _require_open(request)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the lawful reason for rejecting the request.")]})
    before = request.status
    request.rejection_reason = reason.strip()
    request.save(update_fields=["rejection_reason"])
    _set_status(request, Status.REJECTED, actor, text=request.rejection_reason)
    _audit(actor, "status", request, {"status": [before, Status.REJECTED]}, audit_channel)
    _tell(request, "rejected", actor, reason=request.rejection_reason)
    return request


@transaction.atomic
def withdraw_request(
    actor: Any, request: SubjectRequest, *, note: str = "", audit_channel: str = UI
) -> SubjectRequest:
    """The person withdrew the request (staff record it, or the person does it
    from the privacy center with `actor=None`)."""
    _lock(request)
    _require_open(request)
    before = request.status
    _set_status(request, Status.WITHDRAWN, actor, text=note.strip())
    _audit(actor, "status", request, {"status": [before, Status.WITHDRAWN]}, audit_channel)
    _tell(request, "withdrawn", actor)
    return request


def _actions(request: SubjectRequest, action: str | None = None) -> list[RequestEvent]:
    events = request.events.filter(kind=RequestEvent.Kind.ACTION)
    if action:
        events = events.filter(details__action=action)
    return list(events.order_by("occurred_at", "id"))


def _deliveries(request: SubjectRequest) -> list[RequestEvent]:
    return list(request.events.filter(kind=RequestEvent.Kind.DELIVERY).order_by("occurred_at"))


def field_decisions(request: SubjectRequest) -> dict[str, RequestEvent]:
    return {
        event.details.get("field"): event
        for event in request.events.filter(kind=RequestEvent.Kind.FIELD_DECISION).order_by(
            "occurred_at", "id"
        )
    }


def pending_fields(request: SubjectRequest) -> list[str]:
    decided = field_decisions(request)
    return [name for name in request.proposed_changes if name not in decided]


def completion_problem(request: SubjectRequest) -> str:
    """Why the request cannot be completed yet ("" when it can)."""
    if request.status not in OPEN_REQUEST_STATUSES:
        return _("This request is %(status)s: it can no longer be changed.") % {
            "status": request.get_status_display()
        }
    if needs_verification(request) and not is_verified(request):
        return _(
            "The requester's identity is not verified: a request cannot be completed before it is."
        )
    if request.status != Status.IN_PROGRESS:
        return _("Start work on the request (status “in progress”) first.")
    nobody = request.person_id is None
    if request.kind in {Kind.ACCESS, Kind.PORTABILITY} and not nobody and not _deliveries(request):
        return _("Deliver the data to the person (or to the other controller) first.")
    if request.kind == Kind.RECTIFICATION and pending_fields(request):
        return _("Accept or reject every requested correction first.")
    if request.kind == Kind.ERASURE and not nobody and not _actions(request, "erasure"):
        return _("Erase the person's data first.")
    if (
        request.kind in {Kind.RESTRICTION, Kind.OBJECTION, Kind.WITHDRAWAL}
        and not nobody
        and not _actions(request)
    ):
        return _("Carry the request out first (record the restriction, objection or withdrawal).")
    return ""


@transaction.atomic
def complete_request(
    actor: Any, request: SubjectRequest, *, note: str = "", audit_channel: str = UI
) -> SubjectRequest:
    """Answered: the person is told what was done."""
    _lock(request)
    problem = completion_problem(request)
    if problem:
        raise ValidationError({"status": [problem]})
    before = request.status
    _set_status(request, Status.COMPLETED, actor, text=note.strip())
    _audit(actor, "status", request, {"status": [before, Status.COMPLETED]}, audit_channel)
    decisions = [
        {
            "label": event.details.get("label", event.details.get("field")),
            "accepted": event.details.get("accepted"),
            "value": request.proposed_changes.get(event.details.get("field"), ""),
            "reason": event.text,
        }
        for event in field_decisions(request).values()
    ]
    _tell(
        request,
        "completed",
        actor,
        decisions=decisions,
        no_data=request.person_id is None,
        actions=[event.text for event in _actions(request)],
        note=note.strip(),
    )
    return request


def transition(
    actor: Any,
    request: SubjectRequest,
    to: str,
    *,
    reason: str = "",
    note: str = "",
    audit_channel: str = UI,
) -> SubjectRequest:
    """One entry point for a change of status (the API uses it)."""
    if to == Status.VERIFYING:
        return start_verification(actor, request, audit_channel=audit_channel)
    if to == Status.IN_PROGRESS:
        return start_work(actor, request, audit_channel=audit_channel)
    if to == Status.COMPLETED:
        return complete_request(actor, request, note=note, audit_channel=audit_channel)
    if to == Status.REJECTED:
        return reject_request(actor, request, reason=reason, audit_channel=audit_channel)
    if to == Status.WITHDRAWN:
        return withdraw_request(actor, request, note=note, audit_channel=audit_channel)
    raise ValidationError({"status": [_("Choose the status to move the request to.")]})


# --- rectification ------------------------------------------------------------------


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
    _lock(request)
    if request.kind != Kind.RECTIFICATION:
        raise ValidationError({"field": [_("Only a rectification request has corrections.")]})
    _require_in_progress(request)
    if field not in request.proposed_changes:
        raise ValidationError({"field": [_("The person did not ask to correct this detail.")]})
    if field in field_decisions(request):
        raise ValidationError({field: [_("This correction was already decided.")]})
    if not accept and not reason.strip():
        raise ValidationError({"reason": [_("Say why the correction is rejected.")]})
    value = request.proposed_changes[field]
    details: dict[str, Any] = {"field": field, "label": field_label(field), "accepted": accept}
    if accept:
        person = _require_person(request)
        before = current_value(person, field)
        _apply_correction(actor, request, person, field, value, audit_channel)
        # Identity numbers are not copied into the request's history.
        if field not in IDENTITY_FIELDS:
            details["before"] = before
    event = _event(
        request, RequestEvent.Kind.FIELD_DECISION, actor, text=reason.strip(), details=details
    )
    _audit(
        actor,
        "correction",
        request,
        {f"correction:{field}": [None, "accepted" if accept else "rejected"]},
        audit_channel,
    )
    return event


# --- carrying out the other kinds ---------------------------------------------------


def _action(
    request: SubjectRequest, actor: Any, action: str, text: str, **details: Any
) -> RequestEvent:
    return _event(
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
    """Records the restriction the person asked for (privacy.services.restrict)."""
    _lock(request)
    _require_kind(request, Kind.RESTRICTION)
    _require_in_progress(request)
    person = _require_person(request)
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
    _lock(request)
    _require_kind(request, Kind.OBJECTION)
    _require_in_progress(request)
    person = _require_person(request)
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
    _lock(request)
    _require_kind(request, Kind.WITHDRAWAL)
    _require_in_progress(request)
    person = _require_person(request)
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
    _lock(request)
    _require_kind(request, Kind.COMPLAINT)
    _require_open(request)
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
    _audit(
        actor,
        "escalate",
        request,
        {"regulator_reference": [before or None, request.regulator_reference]},
        audit_channel,
    )
    return request


# --- access, portability and erasure (the engines in export.py and erasure.py) ----


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

    _lock(request)
    _require_kind(request, Kind.ACCESS, Kind.PORTABILITY)
    _require_in_progress(request)
    person = _require_person(request)
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
            bundle, request.recipient_email, actor, audit_channel=audit_channel
        )
        event = _event(
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
        event = _event(
            request,
            RequestEvent.Kind.DELIVERY,
            actor,
            text=_("Download link issued, valid until %(until)s.")
            % {"until": timezone.localtime(bundle.expires_at).strftime("%Y-%m-%d %H:%M")},
            details={"export": bundle.pk, "to": "requester"},
        )
        _tell(
            request,
            "export_ready",
            actor,
            hide=link,
            link=link,
            until=_local_date(bundle.expires_at, request.language),
        )
    _audit(actor, "deliver", request, {"export": [None, bundle.pk]}, audit_channel)
    return Delivery(event=event, link=link)


def may_erase(user: Any) -> bool:
    """The privacy officer role only. Administrators are superusers, whom Django
    grants every permission: the role itself is checked as well."""
    return bool(
        _actor(user) is not None
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
    _lock(request)
    _require_kind(request, Kind.ERASURE)
    _require_in_progress(request)
    if confirmation.strip().upper() != request.reference:
        raise ValidationError(
            {
                "confirmation": [
                    _("Type the request's reference, %(reference)s, to confirm the erasure.")
                    % {"reference": request.reference}
                ]
            }
        )
    person = _require_person(request)
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
    _audit(actor, "erase", request, {"erasure_record": [None, record.pk]}, audit_channel)
    before = request.status
    _set_status(request, Status.COMPLETED, actor)
    _audit(actor, "status", request, {"status": [before, Status.COMPLETED]}, audit_channel)
    _tell(request, "erased", actor, to=address)
    return request


# --- the clock: warnings before the deadline -----------------------------------------


def privacy_officers() -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(groups__name=PRIVACY_OFFICER, is_active=True)
        .exclude(email="")
        .distinct()
    )


def _warn_staff(request: SubjectRequest, left: int, recipients: list[Any]) -> list[str]:
    sent = []
    path = reverse("privacy:request_detail", args=[request.pk])
    for user in recipients:
        language = user.language if user.language in LANGUAGES else settings.LANGUAGE_CODE
        with translation.override(language):
            text = render_to_string(
                f"privacy/requests/messages/warning.{language}.txt",
                {
                    "request": request,
                    "kind": request.get_kind_display(),
                    "days_left": left,
                    "overdue_days": -left,
                    "due": _local_date(request.due_at, language),
                    "path": path,
                    "user": user,
                },
            )
        subject, _sep, body = text.strip().partition("\n")
        EmailMessage(subject.strip(), body.strip() + "\n", to=[user.email]).send()
        sent.append(user.username)
    return sent


def send_deadline_warnings(now: datetime | None = None) -> int:
    """Warns the assignee and every privacy officer when an open request
    reaches 7, 3 and 1 days left; each warning once (`warnings_sent`). A
    request entered late gets only the most urgent warning it has reached.
    Returns the number of warnings sent."""
    now = now or timezone.now()
    horizon = now + timedelta(days=max(REQUEST_WARNING_DAYS) + 1)
    candidates = SubjectRequest.objects.filter(
        status__in=OPEN_REQUEST_STATUSES, due_at__lte=horizon
    ).values_list("pk", flat=True)
    officers = privacy_officers()
    count = 0
    for pk in candidates:
        try:
            count += _warn_about(pk, now, officers)
        except OSError:
            # The mail relay failed: nothing was marked as sent, the next run tries again.
            logger.exception("deadline warning for request %s could not be sent", pk)
    return count


@transaction.atomic
def _warn_about(pk: int, now: datetime, officers: list[Any]) -> int:
    request = (
        SubjectRequest.objects.select_for_update(of=("self",))
        .select_related("assigned_to")
        .filter(pk=pk, status__in=OPEN_REQUEST_STATUSES)
        .first()
    )
    if request is None:
        return 0
    left = days_left(request, now)
    reached = {days for days in REQUEST_WARNING_DAYS if left <= days}
    already = set(request.warnings_sent or [])
    new = reached - already
    if not new:
        return 0
    recipients = {user.pk: user for user in officers}
    assignee = request.assigned_to
    if assignee is not None and assignee.is_active and assignee.email:
        recipients[assignee.pk] = assignee
    warned = _warn_staff(request, left, list(recipients.values()))
    request.warnings_sent = sorted(already | reached, reverse=True)
    request.save(update_fields=["warnings_sent"])
    text = (
        _("%(days)s days left.") % {"days": left}
        if left >= 0
        else _("Overdue by %(days)s days.") % {"days": -left}
    )
    _event(
        request,
        RequestEvent.Kind.WARNING,
        None,
        text=text,
        details={"threshold": min(new), "days_left": left, "to": warned},
    )
    return 1


CODE_KEEP_DAYS = 1


def purge_one_time_codes(now: datetime | None = None) -> int:
    """Deletes the hashes of codes that can no longer matter: expired for a day
    and not tied to an open request (whose link to a person checks the code it
    was verified with). Returns how many were deleted."""
    now = now or timezone.now()
    deleted, _by_model = (
        OneTimeCode.objects.filter(expires_at__lt=now - timedelta(days=CODE_KEEP_DAYS))
        .exclude(request__status__in=OPEN_REQUEST_STATUSES)
        .delete()
    )
    return deleted
