"""The 72-hour breach clock's alerts (PDPA s.37(4)): the privacy officers are told
by email at 48 and 64 hours after the business became aware of a breach that the
regulator must hear of, and when the 72 hours run out; the same alerts show in the
application's top bar until the regulator is notified or the breach is closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from connexion.accounts.roles import PRIVACY_OFFICER, members_to_tell
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change
from connexion.lib.thai import format_datetime
from connexion.privacy.models import BREACH_NOTICE_HOURS, Breach, BreachAlert

# Hours after awareness at which the privacy officers are warned.
ALERT_HOURS = (48, 64, BREACH_NOTICE_HOURS)
LANGUAGES = ("th", "en")


def _running(at: datetime) -> list[Breach]:
    """Open breaches the regulator must hear of and has not yet."""
    return [
        breach
        for breach in Breach.objects.filter(
            closed_at__isnull=True,
            regulator_notified_at__isnull=True,
            aware_at__lte=at - timedelta(hours=min(ALERT_HOURS)),
        ).order_by("aware_at")
        if breach.needs_regulator_notice
    ]


def reached(breach: Breach, at: datetime) -> int | None:
    """The latest alert threshold the breach has reached, in hours."""
    passed = [hours for hours in ALERT_HOURS if at >= breach.aware_at + timedelta(hours=hours)]
    return passed[-1] if passed else None


def alert_text(breach: Breach, hours: int, language: str) -> tuple[str, str]:
    """Subject and body of one alert, in the reader's language and calendar."""
    with translation.override(language):
        deadline = format_datetime(timezone.localtime(breach.notify_by), language)
        if hours >= BREACH_NOTICE_HOURS:
            subject = _("Breach %(title)s: the 72 hours to notify the regulator have run out") % {
                "title": breach.title
            }
            lead = _(
                "The regulator had to be notified by %(deadline)s. Notify it now and record "
                "the reason for the delay."
            ) % {"deadline": deadline}
        else:
            subject = _("Breach %(title)s: %(left)s hours left to notify the regulator") % {
                "title": breach.title,
                "left": BREACH_NOTICE_HOURS - hours,
            }
            lead = _("The regulator must be notified by %(deadline)s (PDPA s.37(4)).") % {
                "deadline": deadline
            }
        link = f"{getattr(settings, 'CONNEXION_BASE_URL', '')}" + reverse(
            "privacy:breach_detail", args=[breach.pk]
        )
        body = f"{lead}\n\n{breach.title}\n{link}\n"
    return subject, body


def send_breach_alerts(now: datetime | None = None) -> int:
    """Sends each alert a running breach has reached and not yet had, once
    (a breach recorded late gets only its most urgent one). Returns how many
    alerts were sent."""
    now = now or timezone.now()
    officers = members_to_tell(PRIVACY_OFFICER)
    sent = 0
    for breach in _running(now):
        hours = reached(breach, now)
        if hours is None or BreachAlert.objects.filter(breach=breach, hours__gte=hours).exists():
            continue
        try:
            with transaction.atomic():
                alert = BreachAlert.objects.create(
                    breach=breach,
                    hours=hours,
                    sent_at=now,
                    recipients=[user.username for user in officers],
                )
                record_change(
                    None,
                    "privacy.breach_alert",
                    breach,
                    {"hours": hours, "recipients": alert.recipients},
                    channel=AuditEvent.Channel.TASK,
                )
        except IntegrityError:  # another worker sent it a moment ago
            continue
        for user in officers:
            language = user.language if user.language in LANGUAGES else settings.LANGUAGE_CODE
            subject, body = alert_text(breach, hours, language)
            EmailMessage(subject, body, to=[user.email]).send()
        sent += 1
    return sent


@dataclass
class ShownAlert:
    breach: Breach
    hours: int
    overdue: bool


def alerts_in_force(now: datetime | None = None) -> list[ShownAlert]:
    """The alerts the top bar shows privacy officers (incidents, not people)."""
    now = now or timezone.now()
    shown = []
    for breach in _running(now):
        hours = reached(breach, now)
        if hours is not None:
            shown.append(ShownAlert(breach, hours, hours >= BREACH_NOTICE_HOURS))
    return shown
