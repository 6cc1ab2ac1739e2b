"""The activities API: `/activities`, `/tasks` and `/notes` — list with filters,
create, read, change and delete.

Thin handlers: check the permission, parse, call `sales.activities` (writes)
or read with the access recorded, shape the answer. A service's
`ValidationError` is re-keyed to the names the client sent (`person` ->
`person_id`) and `api/errors.py` turns it into the usual 422."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestValidationError

from connexion.accounts.visibility import visible
from connexion.api.activity_schemas import (
    ActivityCreate,
    ActivityListQuery,
    ActivityOut,
    ActivityPageOut,
    ActivityUpdate,
    NoteCreate,
    NoteListQuery,
    NoteOut,
    NotePageOut,
    NoteUpdate,
    TaskCreate,
    TaskListQuery,
    TaskOut,
    TaskPageOut,
    TaskUpdate,
)
from connexion.api.auth import BearerToken
from connexion.api.people_schemas import ErrorDetailOut, FieldErrorsOut
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_access
from connexion.people.models import Organization, Person
from connexion.sales.activities import services as activity_services
from connexion.sales.activities.dashboards import activities_filtered, tasks_filtered
from connexion.sales.models import Activity, Deal, Lead, Note, Task

API = AuditEvent.Channel.API
PEOPLE_PERMISSION = "accounts.access_people"
User = get_user_model()

ItemId = Annotated[int, Path(description="ID of the item.")]

# Token scope: area "activities" (read for GET, write otherwise).
activities_router = Router(tags=["activities"], auth=BearerToken("activities"))
tasks_router = Router(tags=["tasks"], auth=BearerToken("activities"))
notes_router = Router(tags=["notes"], auth=BearerToken("activities"))

LINK_MODELS: dict[str, type[Model]] = {
    "person": Person,
    "organization": Organization,
    "lead": Lead,
    "deal": Deal,
}
NAMES = {
    "person": "person_id",
    "organization": "organization_id",
    "lead": "lead_id",
    "deal": "deal_id",
    "assignee": "assignee_id",
    "participants": "participant_ids",
    "staff_participants": "staff_participant_ids",
}


def _answers(status: int, schema: Any, *errors: int) -> dict[int, Any]:
    answers = {status: schema, 401: ErrorDetailOut, 403: ErrorDetailOut}
    for code in errors:
        answers[code] = FieldErrorsOut if code == 422 else ErrorDetailOut
    return answers


def _viewer(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm(PEOPLE_PERMISSION):
        raise HttpError(403, _("Your role does not give access to people and organizations."))
    return user


@contextmanager
def _fields() -> Iterator[None]:
    """Re-keys a service's `ValidationError` to the request's field names."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise ValidationError({NON_FIELD_ERRORS: exc.messages}) from None
        errors: dict[str, list[str]] = {}
        for name, messages in exc.message_dict.items():
            errors.setdefault(NAMES.get(name, name), []).extend(messages)
        raise ValidationError(errors) from None


def _links(viewer: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """`person_id` … -> the records; an unknown ID is an error naming the field."""
    links = {}
    for name, model in LINK_MODELS.items():
        pk = data.pop(f"{name}_id", None)
        if pk is None:
            continue
        # A record out of the viewer's reach is answered like a missing one.
        record = visible(viewer, model).filter(pk=pk).first()
        if record is None:
            errors[f"{name}_id"] = [_("No record with this ID.")]
        links[name] = record
    return links


def _records(
    viewer: Any, model: type[Model], ids: list[int] | None, field: str, errors: dict[str, list[str]]
):  # type: ignore[no-untyped-def]
    if ids is None:
        return None
    found = list(visible(viewer, model).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        missing = sorted(set(ids) - {record.pk for record in found})
        errors[field] = [_("No record with the IDs %(ids)s.") % {"ids": missing}]
    return found


def _assignee(pk: int | None, errors: dict[str, list[str]]) -> Any:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None:
        errors["assignee_id"] = [_("No staff user with this ID.")]
    return user


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


# --- cursors ------------------------------------------------------------------


def _encode(value: Any, pk: int) -> str:
    raw = json.dumps([value.isoformat() if isinstance(value, datetime) else value, pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(pk, int):
            raise TypeError
    except (ValueError, TypeError):
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "cursor"),
                    "type": "cursor",
                    "msg": _("This cursor is not valid: pass the next_cursor of a page."),
                }
            ]
        ) from None
    return value, pk


def _page(
    queryset: QuerySet[Any], cursor: str | None, limit: int, field: str | None
) -> tuple[list[Any], str | None]:
    """Newest first by (`field`, id), or by id alone."""
    if cursor:
        value, pk = _decode(cursor)
        if field is None:
            queryset = queryset.filter(pk__lt=pk)
        else:
            try:
                moment = parse_datetime(value) if isinstance(value, str) else None
            except ValueError:  # well-formed, but no such day or time
                moment = None
            if moment is None or timezone.is_naive(moment):  # we write the offset
                _decode("")  # the same 422 as any broken cursor
            queryset = queryset.filter(
                Q(**{f"{field}__lt": moment}) | Q(**{field: moment, "pk__lt": pk})
            )
    order = [f"-{field}", "-pk"] if field else ["-pk"]
    rows = list(queryset.order_by(*order)[: limit + 1])
    items = rows[:limit]
    more = len(rows) > limit
    last = items[-1] if items else None
    next_cursor = (
        _encode(getattr(last, field) if field else None, last.pk) if more and last else None
    )
    return items, next_cursor


def _about(queryset: QuerySet[Any], filters: Any) -> QuerySet[Any]:
    for name in LINK_MODELS:
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{f"{name}_id": value})
    return queryset


def _logged(viewer: Any, action: str, object_type: str, items: list[Any]) -> None:
    if items:
        record_access(viewer, action, object_type, [str(item.pk) for item in items], channel=API)


# --- shaping ------------------------------------------------------------------


def _link_ids(item: Any) -> dict[str, Any]:
    return {f"{name}_id": getattr(item, f"{name}_id") for name in LINK_MODELS}


def _activity_out(activity: Activity) -> dict[str, Any]:
    return {
        "id": activity.pk,
        "kind": activity.kind,
        "subject": activity.subject,
        "body": activity.body,
        "occurred_at": activity.occurred_at,
        "duration_minutes": activity.duration_minutes,
        "outcome": activity.outcome,
        "participant_ids": sorted(person.pk for person in activity.participants.all()),
        "staff_participant_ids": sorted(user.pk for user in activity.staff_participants.all()),
        "created_by_id": activity.created_by_id,
        "created_at": activity.created_at,
        **_link_ids(activity),
    }


def _task_out(task: Task) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": task.title,
        "description": task.description,
        "due_at": task.due_at,
        "assignee_id": task.assignee_id,
        "priority": task.priority,
        "remind_at": task.remind_at,
        "reminder_sent_at": task.reminder_sent_at,
        "done": task.done_at is not None,
        "done_at": task.done_at,
        "created_by_id": task.created_by_id,
        "created_at": task.created_at,
        **_link_ids(task),
    }


def _note_out(note: Note) -> dict[str, Any]:
    return {
        "id": note.pk,
        "body_html": note.body_html,
        "author_id": note.author_id,
        "created_at": note.created_at,
        "updated_at": note.updated_at,
        "removed": getattr(note, "removed", []),
        **_link_ids(note),
    }


# --- activities -----------------------------------------------------------------


@activities_router.get("", response=_answers(200, ActivityPageOut, 422), summary="List activities")
def list_activities(request: HttpRequest, filters: Query[ActivityListQuery]) -> dict[str, Any]:
    """Activities matching the filters, newest first. Pages with a cursor."""
    viewer = _viewer(request)
    staff = User.objects.filter(pk=filters.staff).first() if filters.staff else None
    if filters.staff and staff is None:
        return {"items": [], "next_cursor": None}
    queryset = activities_filtered(
        staff=staff, kind=filters.kind or "", since=filters.since, until=filters.until
    ).prefetch_related("participants", "staff_participants")
    items, next_cursor = _page(
        _about(queryset, filters), filters.cursor, filters.limit, "occurred_at"
    )
    _logged(viewer, "sales.activity_list", "sales.activity", items)
    return {"items": [_activity_out(item) for item in items], "next_cursor": next_cursor}


@activities_router.post("", response=_answers(201, ActivityOut, 422), summary="Log an activity")
def create_activity(request: HttpRequest, payload: ActivityCreate) -> Status[dict[str, Any]]:
    viewer = _viewer(request)
    data = payload.model_dump()
    errors: dict[str, list[str]] = {}
    links = _links(viewer, data, errors)
    people = _records(viewer, Person, data.pop("participant_ids"), "participant_ids", errors)
    staff = _records(
        viewer, User, data.pop("staff_participant_ids"), "staff_participant_ids", errors
    )
    _raise(errors)
    with _fields():
        activity = activity_services.log_activity(
            viewer,
            participants=people,
            staff_participants=staff,
            audit_channel=API,
            **data,
            **links,
        )
    return Status(201, _activity_out(activity))


def _activity(pk: int) -> Activity:
    return get_object_or_404(
        Activity.objects.prefetch_related("participants", "staff_participants"), pk=pk
    )


@activities_router.get(
    "/{item_id}", response=_answers(200, ActivityOut, 404), summary="Read an activity"
)
def read_activity(request: HttpRequest, item_id: ItemId) -> dict[str, Any]:
    viewer = _viewer(request)
    activity = _activity(item_id)
    _logged(viewer, "sales.read_activity", "sales.activity", [activity])
    return _activity_out(activity)


@activities_router.patch(
    "/{item_id}", response=_answers(200, ActivityOut, 404, 422), summary="Change an activity"
)
def update_activity(
    request: HttpRequest, item_id: ItemId, payload: ActivityUpdate
) -> dict[str, Any]:
    viewer = _viewer(request)
    activity = _activity(item_id)
    data = payload.model_dump(exclude_unset=True)
    errors: dict[str, list[str]] = {}
    people = _records(viewer, Person, data.pop("participant_ids", None), "participant_ids", errors)
    staff = _records(
        viewer, User, data.pop("staff_participant_ids", None), "staff_participant_ids", errors
    )
    _raise(errors)
    with _fields():
        activity_services.update_activity(
            viewer,
            activity,
            participants=people,
            staff_participants=staff,
            audit_channel=API,
            **data,
        )
    return _activity_out(_activity(item_id))


@activities_router.delete(
    "/{item_id}", response=_answers(204, None, 404), summary="Delete an activity"
)
def delete_activity(request: HttpRequest, item_id: ItemId) -> Status[None]:
    viewer = _viewer(request)
    activity_services.delete_activity(viewer, _activity(item_id), audit_channel=API)
    return Status(204, None)


# --- tasks ----------------------------------------------------------------------


@tasks_router.get("", response=_answers(200, TaskPageOut, 422), summary="List tasks")
def list_tasks(request: HttpRequest, filters: Query[TaskListQuery]) -> dict[str, Any]:
    """Tasks matching the filters, newest first. Pages with a cursor."""
    viewer = _viewer(request)
    queryset = tasks_filtered(
        status=filters.status,
        assignee=filters.assignee,
        priority=filters.priority or "",
    )
    items, next_cursor = _page(_about(queryset, filters), filters.cursor, filters.limit, None)
    _logged(viewer, "sales.task_list", "sales.task", items)
    return {"items": [_task_out(item) for item in items], "next_cursor": next_cursor}


@tasks_router.post("", response=_answers(201, TaskOut, 422), summary="Create a task")
def create_task(request: HttpRequest, payload: TaskCreate) -> Status[dict[str, Any]]:
    viewer = _viewer(request)
    data = payload.model_dump()
    errors: dict[str, list[str]] = {}
    links = _links(viewer, data, errors)
    data["assignee"] = _assignee(data.pop("assignee_id"), errors)
    _raise(errors)
    with _fields():
        task = activity_services.create_task(viewer, audit_channel=API, **data, **links)
    return Status(201, _task_out(task))


@tasks_router.get("/{item_id}", response=_answers(200, TaskOut, 404), summary="Read a task")
def read_task(request: HttpRequest, item_id: ItemId) -> dict[str, Any]:
    viewer = _viewer(request)
    task = get_object_or_404(Task, pk=item_id)
    _logged(viewer, "sales.read_task", "sales.task", [task])
    return _task_out(task)


@tasks_router.patch(
    "/{item_id}", response=_answers(200, TaskOut, 404, 422), summary="Change a task"
)
def update_task(request: HttpRequest, item_id: ItemId, payload: TaskUpdate) -> dict[str, Any]:
    """Changes fields; `done` ticks the task done or opens it again."""
    viewer = _viewer(request)
    task = get_object_or_404(Task, pk=item_id)
    data = payload.model_dump(exclude_unset=True)
    done = data.pop("done", None)
    errors: dict[str, list[str]] = {}
    if "assignee_id" in data:
        data["assignee"] = _assignee(data.pop("assignee_id"), errors)
    _raise(errors)
    with _fields():
        if data:
            activity_services.update_task(viewer, task, audit_channel=API, **data)
        if done is not None:
            activity_services.set_task_done(viewer, task, done, audit_channel=API)
    task.refresh_from_db()
    return _task_out(task)


@tasks_router.delete("/{item_id}", response=_answers(204, None, 404), summary="Delete a task")
def delete_task(request: HttpRequest, item_id: ItemId) -> Status[None]:
    viewer = _viewer(request)
    activity_services.delete_task(viewer, get_object_or_404(Task, pk=item_id), audit_channel=API)
    return Status(204, None)


# --- notes ----------------------------------------------------------------------


@notes_router.get("", response=_answers(200, NotePageOut, 422), summary="List notes")
def list_notes(request: HttpRequest, filters: Query[NoteListQuery]) -> dict[str, Any]:
    viewer = _viewer(request)
    items, next_cursor = _page(
        _about(Note.objects.all(), filters), filters.cursor, filters.limit, None
    )
    _logged(viewer, "sales.note_list", "sales.note", items)
    return {"items": [_note_out(item) for item in items], "next_cursor": next_cursor}


@notes_router.post("", response=_answers(201, NoteOut, 422), summary="Add a note")
def create_note(request: HttpRequest, payload: NoteCreate) -> Status[dict[str, Any]]:
    """Stores the note sanitized; `removed` says what was taken out."""
    viewer = _viewer(request)
    data = payload.model_dump()
    errors: dict[str, list[str]] = {}
    links = _links(viewer, data, errors)
    _raise(errors)
    with _fields():
        note = activity_services.add_note(viewer, body=data["body"], audit_channel=API, **links)
    return Status(201, _note_out(note))


@notes_router.get("/{item_id}", response=_answers(200, NoteOut, 404), summary="Read a note")
def read_note(request: HttpRequest, item_id: ItemId) -> dict[str, Any]:
    viewer = _viewer(request)
    note = get_object_or_404(Note, pk=item_id)
    _logged(viewer, "sales.read_note", "sales.note", [note])
    return _note_out(note)


@notes_router.patch(
    "/{item_id}", response=_answers(200, NoteOut, 404, 422), summary="Change a note"
)
def update_note(request: HttpRequest, item_id: ItemId, payload: NoteUpdate) -> dict[str, Any]:
    viewer = _viewer(request)
    note = get_object_or_404(Note, pk=item_id)
    with _fields():
        note = activity_services.update_note(viewer, note, body=payload.body, audit_channel=API)
    return _note_out(note)


@notes_router.delete("/{item_id}", response=_answers(204, None, 404), summary="Delete a note")
def delete_note(request: HttpRequest, item_id: ItemId) -> Status[None]:
    viewer = _viewer(request)
    activity_services.delete_note(viewer, get_object_or_404(Note, pk=item_id), audit_channel=API)
    return Status(204, None)
