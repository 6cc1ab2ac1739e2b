"""Reads of the audit log, for the privacy officer's search and a record's
"who viewed it" list. Reading the log is itself logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone

from connexion.audit.models import AuditEvent
from connexion.audit.services import record_access

PAGE_SIZE = 50
VIEW_PERMISSION = "audit.view_auditevent"


def can_read_audit_log(viewer: Any) -> bool:
    return bool(viewer and viewer.has_perm(VIEW_PERMISSION))


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    person_id: int | None = None
    kind: str = ""
    channel: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None


@dataclass
class AuditPage:
    events: list[AuditEvent]
    next_before: int | None  # the id to continue from, newest first


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(criteria: AuditFilter) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor")
    if criteria.actor_id:
        events = events.filter(actor_id=criteria.actor_id)
    if criteria.person_id:
        events = events.filter(object_type="people.person", object_id=str(criteria.person_id))
    if criteria.kind:
        events = events.filter(kind=criteria.kind)
    if criteria.channel:
        events = events.filter(channel=criteria.channel)
    if criteria.action:
        events = events.filter(action__icontains=criteria.action)
    if criteria.since:
        events = events.filter(occurred_at__gte=_start_of(criteria.since))
    if criteria.until:
        events = events.filter(occurred_at__lt=_start_of(criteria.until + timedelta(days=1)))
    return events


def _with_change_rows(events: list[AuditEvent], viewer: Any) -> None:
    """Changes show field by field, masked as the record's own history is."""
    from connexion.people.selectors import history_rows

    by_model: dict[str, list[AuditEvent]] = {}
    for event in events:
        event.rows = []  # type: ignore[attr-defined]
        if event.kind == AuditEvent.Kind.CHANGE and event.object_type:
            by_model.setdefault(event.object_type, []).append(event)
    for label, group in by_model.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue  # a model that no longer exists: its entries show without rows
        history_rows(group, model, viewer)


def search_audit_log(viewer: Any, criteria: AuditFilter, *, before: int | None = None) -> AuditPage:
    events = _filtered(criteria)
    if before:
        events = events.filter(id__lt=before)
    rows = list(events.order_by("-id")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    _with_change_rows(rows, viewer)
    record_access(viewer, "audit.search", "audit.auditevent", [str(event.pk) for event in rows])
    return AuditPage(rows, rows[-1].pk if more and rows else None)


def person_viewers(viewer: Any, person_id: int, *, limit: int = 100) -> list[AuditEvent]:
    """Who in the company was shown this person's record, newest first."""
    events = list(
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.ACCESS, object_type="people.person", object_id=str(person_id)
        )
        .select_related("actor")
        .order_by("-id")[:limit]
    )
    record_access(viewer, "audit.person_viewers", "people.person", [str(person_id)])
    return events
