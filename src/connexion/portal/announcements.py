"""Policy-change notices (policy 5.5): when a privacy-notice version is
published, the privacy officer announces it to everyone it concerns, each by
the channel the use door allows for the purpose of clause 5.5; every recipient's
delivery is recorded, at most once per version. People whose consent the new
version asks to renew get a single-use link to the privacy center.

The sending runs in the background (`portal.tasks`), person by person, each in
its own transaction: a stopped run is simply started again."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from connexion.accounts.actors import Actor, acting_user
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change
from connexion.lib import sms
from connexion.lib.thai import format_date
from connexion.people.models import EmailAddress, Person, PhoneNumber
from connexion.portal import links
from connexion.portal.models import NoticeAnnouncement, NoticeDelivery, PortalLink
from connexion.portal.services import normal_origin, privacy_contact
from connexion.privacy.ledger import uses
from connexion.privacy.ledger.decisions import latest_consent
from connexion.privacy.models import ConsentEvent, DataUse, PrivacyNotice, Purpose
from connexion.privacy.subject_requests.rules import mask_email, mask_phone

logger = logging.getLogger(__name__)

# The purpose of policy clause 5.5 (privacy.seed): notices of terms or policy changes.
NOTICE_PURPOSE_CODE = "policy-notices"
NOTICE_PURPOSE_CLAUSE = "5.5"
BATCH_SIZE = 500
SMTP_TIMEOUT = 20


def notice_purpose() -> Purpose | None:
    return (
        Purpose.objects.filter(code=NOTICE_PURPOSE_CODE).first()
        or Purpose.objects.filter(policy_clause=NOTICE_PURPOSE_CLAUSE).order_by("id").first()
    )


def people_concerned() -> QuerySet[Person]:
    """Everyone whose data we hold: merged and erased records are nobody now."""
    return Person.objects.filter(merged_into__isnull=True, anonymized_at__isnull=True)


@dataclass
class Preview:
    people: int
    already_told: int

    @property
    def to_tell(self) -> int:
        return self.people - self.already_told


def preview(notice: PrivacyNotice) -> Preview:
    return Preview(
        people=people_concerned().count(),
        already_told=NoticeDelivery.objects.filter(
            notice=notice, person__in=people_concerned()
        ).count(),
    )


def renewals_for(person: Person, notice: PrivacyNotice, at: datetime) -> list[Purpose]:
    """The purposes this version asks to renew that the person consented to
    under an earlier version (s.19: consent counts for the notice it was given under)."""
    wanted = []
    for purpose in notice.renew_consent_for.filter(is_active=True).order_by("id"):
        latest = latest_consent(person, purpose, at)
        if (
            latest is not None
            and latest.action == ConsentEvent.Action.GIVEN
            and latest.notice.effective_at < notice.effective_at
        ):
            wanted.append(purpose)
    return wanted


@transaction.atomic
def start_announcement(actor: Actor, notice: PrivacyNotice, *, base_url: str) -> NoticeAnnouncement:
    """Records the announcement and queues its sending."""
    from connexion.portal.tasks import send_notice_announcement

    errors: dict[str, list[str]] = {}
    if notice_purpose() is None:
        errors["notice"] = [
            _("The purpose of policy clause 5.5 (notices of policy changes) is missing.")
        ]
    if normal_origin(base_url.rstrip("/")) is None:
        errors["base_url"] = [_("The address of the privacy center is not a website origin.")]
    running = NoticeAnnouncement.objects.select_for_update().filter(
        notice=notice, finished_at__isnull=True
    )
    if running.exists():
        errors["notice"] = [_("This version is being announced already: wait for it to finish.")]
    if errors:
        raise ValidationError(errors)
    announcement = NoticeAnnouncement.objects.create(
        notice=notice,
        started_by=acting_user(actor),
        started_at=timezone.now(),
        base_url=base_url.rstrip("/"),
    )
    record_change(
        actor,
        "portal.announce_notice",
        notice,
        {"announcement": [None, announcement.pk]},
    )
    transaction.on_commit(lambda: send_notice_announcement.enqueue(announcement.pk))
    return announcement


def legal_reference(notice: PrivacyNotice) -> str:
    """The law behind telling people of a new notice (PDPA s.23), and which notice."""
    return f"PDPA s.23; privacy notice v{notice.version}"


def _channel_for(
    person: Person, purpose: Purpose, actor: Any, reference: str
) -> tuple[str, Any, list[str]]:
    """The first contact point the use door allows for clause 5.5: emails
    (primary first), then mobile phones. Else no channel, with the reasons."""
    reasons: list[str] = []
    ask = {"actor": actor, "reference": reference}
    for email in EmailAddress.objects.filter(person=person).order_by("-is_primary", "id"):
        decision = uses.decide(person, purpose, contact_point=email, **ask)
        if decision:
            return NoticeDelivery.Channel.EMAIL, email, []
        reasons += decision.reasons
    phones = PhoneNumber.objects.filter(person=person, kind=PhoneNumber.Kind.MOBILE)
    for phone in phones.order_by("-is_primary", "id"):
        decision = uses.decide(person, purpose, contact_point=phone, **ask)
        if decision:
            return NoticeDelivery.Channel.SMS, phone, []
        reasons += decision.reasons
    if not reasons:
        reasons = [_("No email address or mobile phone on record.")]
    return NoticeDelivery.Channel.NONE, None, list(dict.fromkeys(reasons))


def _context(announcement: NoticeAnnouncement, renew: list[Purpose], token: str) -> dict[str, Any]:
    notice = announcement.notice
    base = announcement.base_url
    return {
        "notice": notice,
        "contact": privacy_contact(),
        "notice_url": base + reverse("portal:notice", args=[notice.pk]),
        "center_url": base + reverse("portal:home"),
        "renew": renew,
        "renew_url": base + reverse("portal:link", args=[token]) if token else "",
        "renew_days": links.RENEW_LINK_DAYS,
    }


def _render(template: str, language: str, context: dict[str, Any]) -> str:
    with translation.override(language):
        effective = format_date(timezone.localtime(context["notice"].effective_at).date(), language)
        return render_to_string(template, {**context, "effective": effective}).strip()


def compose_email(
    announcement: NoticeAnnouncement, renew: list[Purpose], token: str
) -> tuple[str, str]:
    """Subject and body, in Thai and then English (the record holds no language)."""
    context = _context(announcement, renew, token)
    parts = [_render("portal/email/notice_change.txt", lang, context) for lang in ("th", "en")]
    subjects, bodies = zip(*(part.partition("\n")[::2] for part in parts), strict=True)
    subject = " / ".join(s.strip() for s in subjects)
    return subject, "\n\n————————\n\n".join(b.strip() for b in bodies) + "\n"


def compose_sms(announcement: NoticeAnnouncement, renew: list[Purpose], token: str) -> str:
    from django.conf import settings

    context = _context(announcement, renew, token)
    return " ".join(
        _render("portal/email/notice_change_sms.txt", settings.LANGUAGE_CODE, context).split()
    )


def _send(
    announcement: NoticeAnnouncement, person: Person, purpose: Purpose, connection: Any
) -> NoticeDelivery | None:
    notice = announcement.notice
    actor = announcement.started_by
    with transaction.atomic():
        # One worker at a time per person: nobody gets the same notice twice.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if NoticeDelivery.objects.filter(notice=notice, person=person).exists():
            return None
        now = timezone.now()
        reference = legal_reference(notice)
        channel, contact, reasons = _channel_for(person, purpose, actor, reference)
        if channel != NoticeDelivery.Channel.NONE:
            try:
                uses.use(
                    actor,
                    person,
                    purpose,
                    action=DataUse.Action.ANNOUNCEMENT,
                    contact_point=contact,
                    reference=reference,
                    audit_channel=AuditEvent.Channel.TASK,
                )
            except uses.UseRefused as refused:  # changed since the question: nothing goes
                channel, contact, reasons = (
                    NoticeDelivery.Channel.NONE,
                    None,
                    refused.decision.reasons,
                )
        delivery = NoticeDelivery(
            announcement=announcement,
            notice=notice,
            person=person,
            channel=channel,
            sent_at=now,
        )
        if channel == NoticeDelivery.Channel.NONE:
            delivery.status = NoticeDelivery.Status.NO_CHANNEL
            delivery.reason = "\n".join(reasons)
        else:
            renew = renewals_for(person, notice, now)
            token = links.issue_link(person, PortalLink.Use.RENEW_CONSENTS) if renew else ""
            delivery.renewal_purposes = [purpose.code for purpose in renew]
            try:
                if channel == NoticeDelivery.Channel.EMAIL:
                    delivery.sent_to = mask_email(contact.email)
                    subject, body = compose_email(announcement, renew, token)
                    EmailMessage(subject, body, to=[contact.email], connection=connection).send()
                else:
                    delivery.sent_to = mask_phone(contact.number)
                    sms.send_sms(contact.number, compose_sms(announcement, renew, token))
            except Exception as exc:  # the relay or gateway refused: recorded, not fatal
                logger.warning("notice %s to person %s failed: %s", notice.pk, person.pk, exc)
                delivery.status = NoticeDelivery.Status.FAILED
                delivery.reason = f"{exc.__class__.__name__}: {exc}"[:2000]
            else:
                delivery.status = NoticeDelivery.Status.SENT
        delivery.save()
        record_change(
            actor,
            "portal.notice_delivery",
            person,
            {f"notice:{notice.version}": [None, f"{delivery.channel} {delivery.status}"]},
            channel=AuditEvent.Channel.TASK,
        )
    return delivery


def deliver_announcement(announcement_id: int) -> dict[str, int]:
    """Tells everyone concerned not told yet of this version; returns the counts."""
    announcement = NoticeAnnouncement.objects.select_related("notice", "started_by").get(
        pk=announcement_id
    )
    purpose = notice_purpose()
    try:
        if purpose is None:
            raise ValidationError(_("The purpose of policy clause 5.5 is missing."))
        told = NoticeDelivery.objects.filter(notice=announcement.notice).values("person_id")
        pending = people_concerned().exclude(pk__in=told).order_by("pk")
        connection = get_connection(fail_silently=False, timeout=SMTP_TIMEOUT)
        last = 0
        while True:
            batch = list(pending.filter(pk__gt=last)[:BATCH_SIZE])
            if not batch:
                break
            for person in batch:
                try:
                    _send(announcement, person, purpose, connection)
                except IntegrityError:
                    continue  # told by another run meanwhile
            last = batch[-1].pk
    except Exception as exc:
        NoticeAnnouncement.objects.filter(pk=announcement.pk).update(
            error=f"{exc.__class__.__name__}: {exc}"[:2000]
        )
        raise
    counts = dict(
        NoticeDelivery.objects.filter(announcement=announcement)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    counts["renewal"] = (
        NoticeDelivery.objects.filter(announcement=announcement, status=NoticeDelivery.Status.SENT)
        .exclude(renewal_purposes=[])
        .count()
    )
    NoticeAnnouncement.objects.filter(pk=announcement.pk).update(
        counts=counts, finished_at=timezone.now(), error=""
    )
    return counts
