"""The clock: warnings to staff before a request's deadline (PDPA s.30: 30 days), and the
purge of spent one-time codes."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from connexion.accounts.roles import PRIVACY_OFFICER, members_to_tell
from connexion.privacy.models import (
    OPEN_REQUEST_STATUSES,
    REQUEST_WARNING_DAYS,
    OneTimeCode,
    RequestEvent,
    SubjectRequest,
)
from connexion.privacy.subject_requests.messages import local_date
from connexion.privacy.subject_requests.rules import LANGUAGES, days_left, record_event

logger = logging.getLogger(__name__)


def privacy_officers() -> list[Any]:
    return members_to_tell(PRIVACY_OFFICER)


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
                    "due": local_date(request.due_at, language),
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
    record_event(
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
