"""Opening a data-subject request, from any channel: the fields checked, the person matched, the
reference given; and the requester following it with its reference and secret.

The public privacy center (no staff user) uses `submit_request` and `follow_request` with
`actor=None`."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from connexion.accounts.actors import acting_user
from connexion.audit.models import AuditEvent
from connexion.lib.phone import InvalidPhoneNumber, to_e164
from connexion.people.models import EmailAddress, Person, PhoneNumber
from connexion.people.validators import normalize_thai_id, validate_thai_id
from connexion.privacy.models import (
    RequestEvent,
    SubjectRequest,
)
from connexion.privacy.subject_requests.messages import tell
from connexion.privacy.subject_requests.rules import (
    CONTACT_RECTIFIABLE,
    LANGUAGES,
    PRIVACY_PERMISSION,
    RECTIFIABLE_FIELDS,
    REFERENCE_PREFIX,
    UI,
    Channel,
    Kind,
    Status,
    audit,
    due_at_for,
    record_event,
    sha256_hex,
)


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
            assigned_to=acting_user(assigned_to),
            status_token_hash=sha256_hex(secret),
            created_by=acting_user(actor),
        )
        if attachment is not None:
            request.attachment.save(attachment.name or "request", attachment, save=False)
        if authority_document is not None and by_representative:
            request.authority_document.save(
                authority_document.name or "authority", authority_document, save=False
            )
        _save_with_reference(request)
        record_event(
            request,
            RequestEvent.Kind.STATUS,
            actor,
            to_status=Status.RECEIVED,
            details={"channel": channel},
        )
        if request.assigned_to_id:
            record_event(request, RequestEvent.Kind.ASSIGNED, actor, details={"to": assigned_to.pk})
        audit(
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
        tell(request, "received", actor)
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
    expected = request.status_token_hash if request is not None else sha256_hex("")
    given = sha256_hex(secret or "")
    if request is None or not hmac.compare_digest(expected, given) or not secret:
        return None
    return request
