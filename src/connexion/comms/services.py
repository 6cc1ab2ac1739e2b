"""Writes of the comms app: email templates, and sending an email to a person.

Sending asks the use door first (`privacy.ledger.uses`, with the template's
purpose and the address): a refusal sends nothing, is recorded, and says why. A message that is
tried is always stored, sent or failed with the server's error."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connexion.accounts.actors import Actor, acting_user
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change
from connexion.comms.models import EmailTemplate, OutgoingEmail
from connexion.comms.rendering import PLACEHOLDERS, RenderedEmail, person_values, render
from connexion.comms.rendering import unknown_placeholders as _unknown
from connexion.people.models import EmailAddress, Person
from connexion.privacy.ledger import uses
from connexion.privacy.ledger.decisions import Decision
from connexion.privacy.models import DataUse, Purpose

logger = logging.getLogger(__name__)

UI = AuditEvent.Channel.UI
TEMPLATE_FIELDS = ("name", "purpose", "subject_th", "body_th", "subject_en", "body_en", "is_active")
SMTP_TIMEOUT = 20  # seconds: a stuck relay must not hold the page forever


class SendRefused(ValidationError):
    """The use door said no; `decision.reasons` are the translated reasons."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.reasons)
        self.decision = decision


# --- templates --------------------------------------------------------------


def _template_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    known = ", ".join("{{ %s }}" % name for name in PLACEHOLDERS)  # noqa: UP031
    for name in ("subject_th", "body_th", "subject_en", "body_en"):
        problems = _unknown(values.get(name) or "")
        if problems:
            errors[name] = [
                _("Unknown placeholder %(names)s. Use only: %(known)s.")
                % {"names": ", ".join(problems), "known": known}
            ]
    for language, label in (("th", _("Thai")), ("en", _("English"))):
        subject = (values.get(f"subject_{language}") or "").strip()
        body = (values.get(f"body_{language}") or "").strip()
        if subject and not body:
            errors.setdefault(f"body_{language}", []).append(
                _("Write the %(language)s body, or leave the subject empty.") % {"language": label}
            )
        if body and not subject:
            errors.setdefault(f"subject_{language}", []).append(
                _("Write the %(language)s subject, or leave the body empty.") % {"language": label}
            )
    if (
        not (values.get("subject_th") or "").strip()
        and not (values.get("subject_en") or "").strip()
    ):
        errors.setdefault("subject_th", []).append(
            _("Write the message in Thai, in English, or both.")
        )
    purpose = values.get("purpose")
    if purpose is not None and not purpose.is_active:
        errors["purpose"] = [_("This purpose is no longer in use.")]
    return errors


@transaction.atomic
def save_template(
    actor: Actor, template: EmailTemplate | None = None, **values: Any
) -> EmailTemplate:
    """Creates a template, or changes `template`; refuses unknown placeholders."""
    unknown = set(values) - set(TEMPLATE_FIELDS)
    if unknown:
        raise TypeError(f"not template fields: {sorted(unknown)}")
    creating = template is None
    template = template or EmailTemplate(created_by=acting_user(actor))
    current = {name: getattr(template, name, None) for name in TEMPLATE_FIELDS}
    merged = {**current, **values}
    for name in ("subject_th", "subject_en", "name"):
        if merged.get(name) is not None:
            merged[name] = " ".join(str(merged[name]).split())
    errors = _template_errors(merged)
    changes = {}
    for name in TEMPLATE_FIELDS:
        if name in values or creating:
            before, after = current[name], merged[name]
            if before != after:
                changes[name] = [str(before) if before is not None else None, str(after)]
            setattr(template, name, after)
    try:
        template.full_clean(exclude=[name for name in errors] or None)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    template.save()
    action = "comms.create_template" if creating else "comms.update_template"
    record_change(actor, action, template, changes)
    return template


# --- sending ----------------------------------------------------------------


def decide(
    actor: Any,
    person: Person,
    purpose: Purpose,
    email_address: EmailAddress | None,
    reference: str = "",
) -> Decision:
    """The use door's answer for this email, recording nothing (for the preview)."""
    return uses.decide(
        person, purpose, actor=actor, contact_point=email_address, reference=reference
    )


def compose(
    person: Person, template: EmailTemplate, language: str, sender: Any = None
) -> RenderedEmail:
    if language not in template.languages:
        language = template.languages[0]
    return render(
        getattr(template, f"subject_{language}"),
        getattr(template, f"body_{language}"),
        person_values(person, language, sender),
    )


def _send_errors(
    person: Person,
    template: EmailTemplate | None,
    email_address: EmailAddress | None,
    language: str,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if template is None:
        errors["template"] = [_("Choose a template.")]
    elif not template.is_active:
        errors["template"] = [_("This template is no longer in use.")]
    elif language not in template.languages:
        errors["language"] = [_("This template has no text in that language.")]
    if email_address is None:
        errors["email_address"] = [_("Choose one of the person's email addresses.")]
    elif email_address.person_id != person.pk:
        errors["email_address"] = [_("This email address is not the person's.")]
    return errors


def send_email(
    actor: Actor,
    person: Person,
    *,
    template: EmailTemplate | None,
    email_address: EmailAddress | None,
    language: str,
    reference: str = "",
    audit_channel: str = UI,
) -> OutgoingEmail:
    """Sends one templated email through Django's email backend (SMTP when
    configured). Raises `SendRefused` when the use door says no and
    `ValidationError` for bad input; a server error gives a FAILED record.
    `reference`: the order or law, for a template on a legal obligation."""
    errors = _send_errors(person, template, email_address, language)
    if errors:
        raise ValidationError(errors)
    assert template is not None and email_address is not None  # for the type checker
    # The purpose is the template's, never the sender's choice: a marketing
    # template cannot be sent as a "legal contact" past an objection.
    purpose = template.purpose
    try:
        uses.use(
            actor,
            person,
            purpose,
            action=DataUse.Action.EMAIL,
            contact_point=email_address,
            reference=reference,
            audit_channel=audit_channel,
        )
    except uses.UseRefused as refused:
        raise SendRefused(refused.decision) from None

    sender = acting_user(actor)
    rendered = compose(person, template, language, sender)
    message_id = make_msgid(domain="connexion.local")
    # Stored before the server is called: a crash mid-send leaves a visible
    # "sending" record instead of a message that left without a trace.
    with transaction.atomic():
        outgoing = OutgoingEmail.objects.create(
            person=person,
            email_address=email_address,
            to_address=email_address.email,
            template=template,
            purpose=purpose,
            language=language,
            subject=rendered.subject,
            body=rendered.body,
            sent_by=sender,
            sent_at=timezone.now(),
            status=OutgoingEmail.Status.SENDING,
            message_id=message_id,
        )
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email_address.email],
        reply_to=[sender.email] if sender is not None and sender.email else None,
        headers={"Message-ID": message_id},
        connection=get_connection(fail_silently=False, timeout=SMTP_TIMEOUT),
    )
    message.attach_alternative(rendered.html, "text/html")
    try:
        message.send()
    except Exception as exc:  # any failure of the relay: record it, tell the sender
        logger.warning("email %s to person %s failed: %s", outgoing.pk, person.pk, exc)
        outgoing.status = OutgoingEmail.Status.FAILED
        outgoing.error = f"{exc.__class__.__name__}: {exc}"[:2000]
    else:
        outgoing.status = OutgoingEmail.Status.SENT
    with transaction.atomic():
        outgoing.save(update_fields=["status", "error"])
        record_change(
            actor,
            "comms.send_email",
            person,
            {
                f"email:{outgoing.pk}": [
                    None,
                    f"{outgoing.get_status_display()}: {outgoing.subject}",
                ]
            },
            channel=audit_channel,
        )
    return outgoing
