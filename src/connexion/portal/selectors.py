"""Reads of the privacy center. A person's own consents are read for them
(recorded as an access without staff author); the staff lists of cookie
choices, web-form submissions and notice deliveries record who saw them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from connexion.accounts.actors import Actor
from connexion.audit.services import record_access
from connexion.people.models import Person
from connexion.portal.models import (
    CookieConsent,
    NoticeAnnouncement,
    NoticeDelivery,
    WebForm,
    WebFormSubmission,
)
from connexion.privacy.ledger.decisions import latest_consent, renewal_notices
from connexion.privacy.ledger.selectors import consent_purposes
from connexion.privacy.models import CONSENT_BASES, ConsentEvent, PrivacyNotice, Purpose

PAGE_SIZE = 50


# --- the notice and its versions -------------------------------------------------


@dataclass
class NoticeVersions:
    current: PrivacyNotice | None
    earlier: list[PrivacyNotice]
    upcoming: list[PrivacyNotice]


def notice_versions(at: datetime | None = None) -> NoticeVersions:
    at = at or timezone.now()
    notices = list(PrivacyNotice.objects.order_by("-effective_at", "-id"))
    in_effect = [n for n in notices if n.effective_at <= at]
    return NoticeVersions(
        current=in_effect[0] if in_effect else None,
        earlier=in_effect[1:],
        upcoming=sorted((n for n in notices if n.effective_at > at), key=lambda n: n.effective_at),
    )


# --- the person's own consents ---------------------------------------------------


@dataclass
class ConsentRow:
    purpose: Purpose
    state: str  # given, outdated, withdrawn, never
    event: ConsentEvent | None = None
    renewal: PrivacyNotice | None = None

    @property
    def may_give(self) -> bool:
        return self.state != "given"

    @property
    def may_withdraw(self) -> bool:
        return self.state in {"given", "outdated"}


def _row(
    person: Person, purpose: Purpose, at: datetime, renewal: PrivacyNotice | None
) -> ConsentRow:
    event = latest_consent(person, purpose, at)
    if event is None:
        state = "never"
    elif event.action == ConsentEvent.Action.WITHDRAWN:
        state = "withdrawn"
    elif renewal is not None and event.notice.effective_at < renewal.effective_at:
        state = "outdated"
    else:
        state = "given"
    return ConsentRow(purpose, state, event, renewal)


def my_consents(actor: Actor, person: Person) -> list[ConsentRow]:
    """Each purpose that rests on consent, with the person's current choice."""
    at = timezone.now()
    purposes = list(consent_purposes())
    renewals = renewal_notices(purposes, at)
    rows = [_row(person, purpose, at, renewals.get(purpose.pk)) for purpose in purposes]
    record_access(actor, "portal.my_consents", "people.person", [str(person.pk)])
    return rows


def consent_row(person: Person, purpose: Purpose) -> ConsentRow:
    at = timezone.now()
    return _row(person, purpose, at, renewal_notices([purpose], at).get(purpose.pk))


def purposes_without_consent() -> QuerySet[Purpose]:
    """What we use data for on another basis: open to objection, not to withdrawal."""
    return Purpose.objects.filter(is_active=True).exclude(lawful_basis__in=CONSENT_BASES)


# --- the staff's lists -------------------------------------------------------------


def _page(queryset: QuerySet[Any], number: Any) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(number)


def _record(viewer: Any, action: str, person_ids: list[int | None]) -> None:
    ids = [str(pk) for pk in dict.fromkeys(person_ids) if pk]
    if ids:
        record_access(viewer, action, "people.person", ids)


def cookie_consents_page(viewer: Any, page: Any = None, *, visitor: str = "") -> Page:
    consents = CookieConsent.objects.select_related("person")
    if visitor:
        consents = consents.filter(visitor_id=visitor.strip().lower())
    result = _page(consents.order_by("-occurred_at", "-id"), page)
    _record(viewer, "portal.cookie_consents", [c.person_id for c in result.object_list])
    return result


def cookie_figures() -> dict[str, int]:
    """Counts only: how visitors chose, per category, for the current policy."""
    from connexion.portal.services import cookie_policy_version

    version = cookie_policy_version()
    current = CookieConsent.objects.filter(policy_version=version)
    figures = current.aggregate(
        total=Count("id"),
        rejected_all=Count("id", filter=Q(action=CookieConsent.Action.REJECT_ALL)),
        accepted_all=Count("id", filter=Q(action=CookieConsent.Action.ACCEPT_ALL)),
        analytics=Count("id", filter=Q(analytics=True)),
        marketing=Count("id", filter=Q(marketing=True)),
    )
    return {"version": version, **figures}


def web_forms() -> QuerySet[WebForm]:
    return WebForm.objects.annotate(submission_count=Count("submissions")).order_by(
        "-is_active", "name_en", "id"
    )


def submissions_page(viewer: Any, form: WebForm, page: Any = None) -> Page:
    submissions = WebFormSubmission.objects.filter(form=form).select_related("person")
    result = _page(submissions.order_by("-submitted_at", "-id"), page)
    _record(viewer, "portal.web_form_submissions", [s.person_id for s in result.object_list])
    return result


def announcements(notice: PrivacyNotice | None = None) -> QuerySet[NoticeAnnouncement]:
    found = NoticeAnnouncement.objects.select_related("notice", "started_by")
    if notice is not None:
        found = found.filter(notice=notice)
    return found.order_by("-started_at", "-id")


DELIVERY_STATUSES = tuple(NoticeDelivery.Status.values)


def deliveries_page(
    viewer: Any, announcement: NoticeAnnouncement, status: str = "", page: Any = None
) -> Page:
    deliveries = NoticeDelivery.objects.filter(announcement=announcement).select_related("person")
    if status in DELIVERY_STATUSES:
        deliveries = deliveries.filter(status=status)
    result = _page(deliveries.order_by("-sent_at", "-id"), page)
    _record(viewer, "portal.notice_deliveries", [d.person_id for d in result.object_list])
    return result


def delivery_counts(announcement: NoticeAnnouncement) -> dict[str, int]:
    counts = dict(
        NoticeDelivery.objects.filter(announcement=announcement)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in DELIVERY_STATUSES}
