"""Reads of the data-subject request queue: the queue with its filters and
clock, one request with its history, a person's requests and the dashboard's
figures. Reads that show requesters' or people's data record the access."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import QueryDict
from django.utils import timezone

from connexion.audit.models import AuditEvent
from connexion.audit.services import record_access
from connexion.lib.http import parse_id
from connexion.people.models import Person
from connexion.people.selectors import can_see_identity_numbers, mask_passport, mask_thai_id
from connexion.privacy.models import (
    OPEN_REQUEST_STATUSES,
    REQUEST_WARNING_DAYS,
    OneTimeCode,
    RequestEvent,
    SubjectRequest,
)
from connexion.privacy.subject_requests import rectification, rules, workflow

PAGE_SIZE = 50
UI = AuditEvent.Channel.UI
SOON_DAYS = max(REQUEST_WARNING_DAYS)  # from the first warning on, the clock shows amber
MEDIAN_WINDOW_DAYS = 365
STATUS_FILTERS = ("open", "all", *SubjectRequest.Status.values)


# --- the clock ----------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """Where a request stands against its 30 days (PDPA s.30)."""

    state: str  # "closed", "overdue", "today", "soon", "running"
    days_left: int
    due_at: datetime

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"

    @property
    def overdue_days(self) -> int:
        return max(-self.days_left, 0)


def clock(request: SubjectRequest, now: datetime | None = None) -> Clock:
    now = now or timezone.now()
    left = rules.days_left(request, now)
    if request.status not in OPEN_REQUEST_STATUSES:
        state = "closed"
    elif now > request.due_at:
        state = "overdue"
    elif left == 0:
        state = "today"
    elif left <= SOON_DAYS:
        state = "soon"
    else:
        state = "running"
    return Clock(state, left, request.due_at)


def _with_clocks(requests: list[SubjectRequest], now: datetime) -> list[SubjectRequest]:
    for request in requests:
        request.clock = clock(request, now)  # type: ignore[attr-defined]
    return requests


# --- the queue ----------------------------------------------------------------------


def privacy_staff() -> QuerySet[Any]:
    """Who may be given requests: active staff with access to the privacy area."""
    access = Q(
        groups__permissions__codename="access_privacy",
        groups__permissions__content_type__app_label="accounts",
    ) | Q(
        user_permissions__codename="access_privacy",
        user_permissions__content_type__app_label="accounts",
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(access | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "username")
    )


@dataclass
class QueueFilters:
    status: str = "open"
    kind: str = ""
    channel: str = ""
    assignee: str = ""  # "", "none", or a user id
    overdue: bool = False

    @classmethod
    def from_query(cls, query: QueryDict | dict[str, Any]) -> QueueFilters:
        """Unknown values fall back to "no filter" rather than failing the page."""
        status = query.get("status") or "open"
        kind = query.get("kind") or ""
        channel = query.get("channel") or ""
        assignee = query.get("assignee") or ""
        return cls(
            status=status if status in STATUS_FILTERS else "open",
            kind=kind if kind in SubjectRequest.Kind.values else "",
            channel=channel if channel in SubjectRequest.Channel.values else "",
            assignee=assignee if assignee == "none" or parse_id(assignee) is not None else "",
            overdue=query.get("overdue") in {"1", "true", "on", True},
        )

    def apply(self, requests: QuerySet[SubjectRequest], now: datetime) -> QuerySet[SubjectRequest]:
        if self.status == "open" or self.overdue:
            requests = requests.filter(status__in=OPEN_REQUEST_STATUSES)
        if self.status not in {"open", "all"}:
            requests = requests.filter(status=self.status)
        if self.kind:
            requests = requests.filter(kind=self.kind)
        if self.channel:
            requests = requests.filter(channel=self.channel)
        if self.assignee == "none":
            requests = requests.filter(assigned_to__isnull=True)
        elif self.assignee:
            requests = requests.filter(assigned_to_id=int(self.assignee))
        if self.overdue:
            requests = requests.filter(due_at__lt=now)
        return requests


def ordered(requests: QuerySet[SubjectRequest]) -> QuerySet[SubjectRequest]:
    """Open requests first, by days left (the overdue first); then the closed."""
    closed = Case(
        When(status__in=OPEN_REQUEST_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return requests.annotate(closed=closed).order_by("closed", "due_at", "id")


def queue(
    viewer: Any, filters: QueueFilters, page: Any = None, now: datetime | None = None
) -> Page:
    now = now or timezone.now()
    requests = filters.apply(SubjectRequest.objects.select_related("assigned_to", "person"), now)
    result = Paginator(ordered(requests), PAGE_SIZE).get_page(page)
    _with_clocks(list(result.object_list), now)
    record_access(
        viewer,
        "privacy.request_queue",
        "privacy.subjectrequest",
        [str(request.pk) for request in result.object_list],
    )
    return result


# --- one request --------------------------------------------------------------------


@dataclass
class Correction:
    field: str
    label: str
    current: str
    proposed: str
    decision: RequestEvent | None = None


@dataclass
class CodeState:
    channel: str
    sent_at: datetime
    expires_at: datetime
    tries_left: int
    used: bool

    @property
    def live(self) -> bool:
        return not self.used and self.tries_left > 0 and self.expires_at > timezone.now()


@dataclass
class RequestDetail:
    request: SubjectRequest
    clock: Clock
    events: list[RequestEvent]
    corrections: list[Correction] = field(default_factory=list)
    completion_problem: str = ""
    code: CodeState | None = None


def _shown(viewer: Any, name: str, value: str) -> str:
    """Identity numbers are masked for roles that may not see them."""
    if value and not can_see_identity_numbers(viewer):
        if name == "national_id":
            return mask_thai_id(value)
        if name == "passport_number":
            return mask_passport(value)
    return value


def corrections(viewer: Any, request: SubjectRequest) -> list[Correction]:
    decisions = workflow.field_decisions(request)
    person = request.person
    return [
        Correction(
            field=name,
            label=rules.field_label(name) if name in rules.RECTIFIABLE_FIELDS else name,
            current=_shown(viewer, name, rectification.current_value(person, name)),
            proposed=_shown(viewer, name, str(value)),
            decision=decisions.get(name),
        )
        for name, value in request.proposed_changes.items()
    ]


def _code_state(request: SubjectRequest) -> CodeState | None:
    latest = (
        OneTimeCode.objects.filter(request=request, use=OneTimeCode.Use.REQUEST)
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is None:
        return None
    return CodeState(
        channel=latest.channel,
        sent_at=latest.created_at,
        expires_at=latest.expires_at,
        tries_left=max(OneTimeCode.MAX_ATTEMPTS - latest.attempts, 0),
        used=latest.used_at is not None,
    )


def request_detail(viewer: Any, request_id: int, *, channel: str = UI) -> RequestDetail | None:
    request = (
        SubjectRequest.objects.select_related("person", "assigned_to", "verified_by", "created_by")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return None
    events = list(request.events.select_related("actor").order_by("-occurred_at", "-id"))
    labels = dict(SubjectRequest.Status.choices)
    for event in events:
        event.from_label = labels.get(event.from_status, "")  # type: ignore[attr-defined]
        event.to_label = labels.get(event.to_status, "")  # type: ignore[attr-defined]
    detail = RequestDetail(
        request=request,
        clock=clock(request),
        events=events,
        corrections=corrections(viewer, request) if request.proposed_changes else [],
        completion_problem=workflow.completion_problem(request) if request.is_open else "",
        code=_code_state(request),
    )
    record_access(
        viewer,
        "privacy.request_detail",
        "privacy.subjectrequest",
        [str(request.pk)],
        channel=channel,
    )
    if request.person_id and request.proposed_changes:
        # The person's current values are shown next to the requested ones.
        record_access(
            viewer,
            "privacy.request_corrections",
            "people.person",
            [str(request.person_id)],
            channel=channel,
        )
    return detail


def person_requests(person: Person, now: datetime | None = None) -> list[SubjectRequest]:
    """The person's requests, for their privacy panel (whose read is recorded)."""
    now = now or timezone.now()
    requests = list(
        ordered(SubjectRequest.objects.filter(person=person).select_related("assigned_to"))
    )
    return _with_clocks(requests, now)


# --- the dashboard --------------------------------------------------------------------


@dataclass(frozen=True)
class RequestFigures:
    open: int
    overdue: int
    due_soon: int
    median_days: float | None
    completed: int
    soon_days: int = SOON_DAYS
    window_days: int = MEDIAN_WINDOW_DAYS
    nearest: list[SubjectRequest] = field(default_factory=list)


def request_figures(now: datetime | None = None, nearest: int = 10) -> RequestFigures:
    """Counts, the median time to complete over the last year, and the open
    requests nearest their deadline (references only: nothing to log)."""
    now = now or timezone.now()
    open_requests = SubjectRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES)
    durations = [
        (closed - received).total_seconds() / 86400
        for received, closed in SubjectRequest.objects.filter(
            status=SubjectRequest.Status.COMPLETED,
            closed_at__gte=now - timedelta(days=MEDIAN_WINDOW_DAYS),
        ).values_list("received_at", "closed_at")
    ]
    soon = timezone.localdate(now) + timedelta(days=SOON_DAYS)
    return RequestFigures(
        open=open_requests.count(),
        overdue=open_requests.filter(due_at__lt=now).count(),
        due_soon=open_requests.filter(due_at__gte=now, due_at__date__lte=soon).count(),
        median_days=round(statistics.median(durations), 1) if durations else None,
        completed=len(durations),
        nearest=_with_clocks(list(open_requests.order_by("due_at", "id")[:nearest]), now),
    )
