"""The messages to the person who made a request, in their language, by email or SMS."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from connexion.lib.thai import format_date
from connexion.privacy.models import (
    RequestEvent,
    SubjectRequest,
)
from connexion.privacy.subject_requests.rules import LANGUAGES, mask_email, record_event


def local_date(value: datetime, language: str) -> str:
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
                "received": local_date(request.received_at, language),
                "due": local_date(request.due_at, language),
                **context,
            },
        ).strip()


def render_message(request: SubjectRequest, step: str, **context: Any) -> tuple[str, str]:
    """An email's subject (the template's first line) and body."""
    subject, _sep, body = render_text(request, step, **context).partition("\n")
    return subject.strip(), body.strip() + "\n"


def tell(
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
    return record_event(
        request, RequestEvent.Kind.MESSAGE, actor, text=f"{subject}\n\n{recorded}", details=details
    )
