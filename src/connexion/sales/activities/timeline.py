"""One timeline per person, organization and deal: activities, notes, tasks,
deal stage changes, lifecycle changes, consent events, emails sent and
data-subject request events, newest first.

Each kind is read by its own indexed query, newest first and at most one page
long, and the pages are merged here. Paging is by keyset on (time, kind rank,
id), so page 100 costs what page 1 costs, and the number of queries per page
is fixed by the number of kinds, never by the number of items (no N+1)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import CharField, F, Model, Q, QuerySet, Value, prefetch_related_objects
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from connexion.accounts.visibility import can_see_category
from connexion.audit.services import record_access
from connexion.comms.models import OutgoingEmail
from connexion.lib.http import parse_id
from connexion.people.models import LifecycleChange, Organization, Person
from connexion.privacy.models import ConsentEvent, RequestEvent, SubjectRequest
from connexion.sales.models import Activity, Deal, Note, StageChange, Task

PAGE_SIZE = 20

# kind -> label; the order is the order of the filter chips.
KINDS: dict[str, str | Promise] = {
    "activity": _("Activities"),
    "note": _("Notes"),
    "task": _("Tasks"),
    "email": _("Emails"),
    "stage": _("Deal stages"),
    "lifecycle": _("Lifecycle"),
    "consent": _("Consent"),
    "request": _("Requests"),
}
# Ties on the same instant are broken by kind, then by id.
RANK = {kind: rank for rank, kind in enumerate(KINDS)}
# Request events a timeline shows; internal notes stay in the privacy area.
REQUEST_EVENT_KINDS = [
    RequestEvent.Kind.STATUS,
    RequestEvent.Kind.VERIFIED,
    RequestEvent.Kind.DELIVERY,
    RequestEvent.Kind.ACTION,
]


@dataclass
class Source:
    kind: str
    time_field: str
    queryset: Callable[[], QuerySet[Any]]


@dataclass
class Entry:
    kind: str
    at: datetime
    pk: int
    item: Any

    @property
    def key(self) -> tuple[datetime, int, int]:
        return (self.at, RANK[self.kind], self.pk)

    @property
    def template(self) -> str:
        return f"sales/activities/entry_{self.kind}.html"


@dataclass
class TimelinePage:
    subject_type: str
    subject: Any
    kinds: list[str]  # available on this subject
    selected: list[str]  # shown now (all when empty)
    entries: list[Entry]
    next_cursor: str | None


# --- cursors ----------------------------------------------------------------


def encode_cursor(entry: Entry) -> str:
    raw = json.dumps([entry.at.isoformat(), RANK[entry.kind], entry.pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, int, int] | None:
    """A cursor that does not parse starts from the top rather than failing."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, rank, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        moment = parse_datetime(at)
    except (ValueError, TypeError):
        return None
    if moment is None or timezone.is_naive(moment) or not isinstance(rank, int):
        return None
    if not isinstance(pk, int) or parse_id(pk) is None or abs(rank) > len(RANK):
        return None
    return moment, rank, pk


def _after(source: Source, position: tuple[datetime, int, int]) -> Q:
    """Rows that come after `position` in (time, rank, id) descending order."""
    at, rank, pk = position
    field = source.time_field
    own = RANK[source.kind]
    if own < rank:
        return Q(**{f"{field}__lte": at})
    if own > rank:
        return Q(**{f"{field}__lt": at})
    return Q(**{f"{field}__lt": at}) | Q(**{field: at, "pk__lt": pk})


# --- what each subject's timeline reads -------------------------------------

# What each kind's entry shows besides its own row (the subject is known).
RELATED: dict[str, tuple[type[Model], tuple[str, ...]]] = {
    "activity": (Activity, ("created_by", "deal")),
    "note": (Note, ("author",)),
    "task": (Task, ("assignee",)),
    "email": (OutgoingEmail, ("sent_by", "purpose")),
    "stage": (StageChange, ("deal", "from_stage", "to_stage", "changed_by")),
    "lifecycle": (LifecycleChange, ("changed_by",)),
    "consent": (ConsentEvent, ("purpose", "recorded_by", "notice")),
    "request": (RequestEvent, ("request", "actor")),
}


def _rows(kind: str, **where: Any) -> Callable[[], QuerySet[Any]]:
    model = RELATED[kind][0]
    return lambda: model.objects.filter(**where)


def person_sources(person: Person) -> list[Source]:
    return [
        Source("activity", "occurred_at", _rows("activity", person=person)),
        # Activities the person took part in without being their subject.
        Source(
            "activity",
            "occurred_at",
            lambda: Activity.objects.filter(participants=person).exclude(person=person),
        ),
        Source("note", "created_at", _rows("note", person=person)),
        Source("task", "created_at", _rows("task", person=person)),
        Source("email", "sent_at", _rows("email", person=person)),
        Source("stage", "changed_at", _rows("stage", deal__person=person)),
        Source("lifecycle", "changed_at", _rows("lifecycle", person=person)),
        Source("consent", "occurred_at", _rows("consent", person=person)),
        Source(
            "request",
            "occurred_at",
            _rows("request", request__person=person, kind__in=REQUEST_EVENT_KINDS),
        ),
    ]


def organization_sources(organization: Organization) -> list[Source]:
    return [
        Source("activity", "occurred_at", _rows("activity", organization=organization)),
        Source("note", "created_at", _rows("note", organization=organization)),
        Source("task", "created_at", _rows("task", organization=organization)),
        Source("stage", "changed_at", _rows("stage", deal__organization=organization)),
    ]


def deal_sources(deal: Deal) -> list[Source]:
    return [
        Source("activity", "occurred_at", _rows("activity", deal=deal)),
        Source("note", "created_at", _rows("note", deal=deal)),
        Source("task", "created_at", _rows("task", deal=deal)),
        Source("stage", "changed_at", _rows("stage", deal=deal)),
    ]


# Kinds of entry that belong to a data category not every role sees.
KIND_CATEGORIES = {"email": "3.7"}

SUBJECTS: dict[str, tuple[type[Model], Callable[[Any], list[Source]], str]] = {
    "person": (Person, person_sources, "people.person"),
    "organization": (Organization, organization_sources, "people.organization"),
    "deal": (Deal, deal_sources, "sales.deal"),
}


# --- reading ----------------------------------------------------------------


def _keys(source: Source, position: tuple[datetime, int, int] | None, limit: int) -> QuerySet[Any]:
    """(kind, time, id) of the source's newest rows after `position`."""
    queryset = source.queryset()
    if position is not None:
        queryset = queryset.filter(_after(source, position))
    return (
        queryset.annotate(
            timeline_kind=Value(source.kind, output_field=CharField()),
            timeline_at=F(source.time_field),
        )
        .values_list("timeline_kind", "timeline_at", "pk")
        .order_by(f"-{source.time_field}", "-pk")[:limit]
    )


def _read_keys(
    sources: list[Source], position: tuple[datetime, int, int] | None, limit: int
) -> list[tuple[str, datetime, int]]:
    """Every source's candidates: one UNION ALL where the database takes a
    LIMIT inside each part (PostgreSQL), else one query per source."""
    parts = [_keys(source, position, limit) for source in sources]
    if connection.features.supports_slicing_ordering_in_compound and len(parts) > 1:
        return list(parts[0].union(*parts[1:], all=True))
    return [row for part in parts for row in part]


def _load(keys: list[tuple[str, datetime, int]]) -> list[Entry]:
    """The rows of the page, one query per kind on it, with what they show."""
    wanted: dict[str, list[int]] = {}
    for kind, _at, pk in keys:
        wanted.setdefault(kind, []).append(pk)
    rows: dict[str, dict[int, Any]] = {}
    for kind, pks in wanted.items():
        model, related = RELATED[kind]
        rows[kind] = model.objects.select_related(*related).in_bulk(pks)
    # A row deleted between the two reads is left out.
    return [
        Entry(kind, at, pk, rows[kind][pk]) for kind, at, pk in keys if pk in rows.get(kind, {})
    ]


def timeline_page(
    viewer: Any,
    subject_type: str,
    subject: Any,
    *,
    kinds: Iterable[str] = (),
    cursor: str | None = None,
    page_size: int = PAGE_SIZE,
) -> TimelinePage:
    """One page of a subject's timeline, newest first, and the access logged."""
    _model, make_sources, object_type = SUBJECTS[subject_type]
    sources = [
        source
        for source in make_sources(subject)
        if source.kind not in KIND_CATEGORIES
        or can_see_category(viewer, KIND_CATEGORIES[source.kind])
    ]
    available = [kind for kind in KINDS if any(source.kind == kind for source in sources)]
    selected = [kind for kind in kinds if kind in available]
    if selected:
        sources = [source for source in sources if source.kind in selected]
    position = decode_cursor(cursor)
    # Keys first, deduplicated (subject and participant of one activity) and
    # merged newest first; then only the page's rows are read in full.
    keys = sorted(
        set(_read_keys(sources, position, page_size + 1)),
        key=lambda key: (key[1], RANK[key[0]], key[2]),
        reverse=True,
    )
    entries = _load(keys[:page_size])
    next_cursor = encode_cursor(entries[-1]) if len(keys) > page_size and entries else None

    statuses = dict(SubjectRequest.Status.choices)
    for entry in entries:
        if entry.kind == "request":
            entry.item.status_label = statuses.get(entry.item.to_status, entry.item.to_status)
    activities = [entry.item for entry in entries if entry.kind == "activity"]
    if activities:
        # Two queries for all the page's participants, however many rows.
        prefetch_related_objects(activities, "participants", "staff_participants")
    record_access(
        viewer,
        "sales.view_timeline",
        object_type,
        [str(subject.pk)],
    )
    return TimelinePage(subject_type, subject, available, selected, entries, next_cursor)
