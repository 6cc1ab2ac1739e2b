"""Request and response shapes of `/activities`, `/tasks` and `/notes`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from connexion.api.schemas import RecordId, TextInput

MAX_PAGE_SIZE = 200

ActivityKind = Literal["call", "meeting", "email", "chat", "visit", "note"]
TaskPriority = Literal["low", "normal", "high"]
TaskStatus = Literal["open", "overdue", "today", "upcoming", "done", "all"]


class _Input(TextInput):
    model_config = ConfigDict(extra="forbid")


class _Links(Schema):
    person_id: int | None = Field(None, description="The person it is about.")
    organization_id: int | None = Field(None, description="The organization it is about.")
    lead_id: int | None = Field(None, description="The lead it is about.")
    deal_id: int | None = Field(
        None, description="The deal it is about (its person and organization are added)."
    )


class _PageQuery(Schema):
    person: RecordId | None = Field(None, description="Only those about this person (ID).")
    organization: RecordId | None = Field(None, description="Only those about this organization.")
    lead: RecordId | None = Field(None, description="Only those about this lead (ID).")
    deal: RecordId | None = Field(None, description="Only those about this deal (ID).")
    cursor: str | None = Field(
        None, max_length=500, description="`next_cursor` of the previous page."
    )
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Items per page, at most 200.")


# --- activities -------------------------------------------------------------


class ActivityOut(_Links):
    id: int
    kind: ActivityKind  # type: ignore[valid-type]
    subject: str
    body: str
    occurred_at: datetime
    duration_minutes: int | None
    outcome: str
    participant_ids: list[int] = Field(description="People who took part (IDs).")
    staff_participant_ids: list[int] = Field(description="Staff who took part (user IDs).")
    created_by_id: int | None = Field(description="Who recorded it (user ID).")
    created_at: datetime


class ActivityPageOut(Schema):
    items: list[ActivityOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class ActivityListQuery(_PageQuery):
    kind: ActivityKind | None = Field(None, description="Only this kind.")  # type: ignore[valid-type]
    staff: RecordId | None = Field(None, description="Only those recorded by this user (ID).")
    since: date | None = Field(None, description="Only from this day on (YYYY-MM-DD).")
    until: date | None = Field(None, description="Only up to this day (YYYY-MM-DD).")


class ActivityCreate(_Input, _Links):
    kind: ActivityKind = Field(description="call, meeting, email, chat, visit or note.")  # type: ignore[valid-type]
    subject: str = Field(max_length=200, description="What it was about, in a few words.")
    body: str = Field("", max_length=20_000, description="Details.")
    occurred_at: datetime = Field(description="When (ISO 8601 with a time zone).")
    duration_minutes: int | None = Field(None, description="Minutes; not negative.")
    outcome: str = Field("", max_length=200, description="How it ended.")
    participant_ids: list[RecordId] = Field(
        default_factory=list, description="Other people present."
    )
    staff_participant_ids: list[RecordId] = Field(
        default_factory=list, description="Staff present."
    )


class ActivityUpdate(_Input):
    kind: ActivityKind | None = None  # type: ignore[valid-type]
    subject: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=20_000)
    occurred_at: datetime | None = None
    duration_minutes: int | None = None
    outcome: str | None = Field(None, max_length=200)
    participant_ids: list[RecordId] | None = None
    staff_participant_ids: list[RecordId] | None = None


# --- tasks ------------------------------------------------------------------


class TaskOut(_Links):
    id: int
    title: str
    description: str
    due_at: datetime | None
    assignee_id: int | None
    priority: TaskPriority  # type: ignore[valid-type]
    remind_at: datetime | None
    reminder_sent_at: datetime | None
    done: bool
    done_at: datetime | None
    created_by_id: int | None
    created_at: datetime


class TaskPageOut(Schema):
    items: list[TaskOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class TaskListQuery(_PageQuery):
    status: TaskStatus = Field(  # type: ignore[valid-type]
        "open", description="open, overdue, today (due today), upcoming, done or all."
    )
    assignee: RecordId | None = Field(None, description="Only tasks of this user (ID).")
    priority: TaskPriority | None = None  # type: ignore[valid-type]


class TaskCreate(_Input, _Links):
    title: str = Field(max_length=200, description="What is to be done.")
    description: str = Field("", max_length=20_000)
    due_at: datetime | None = Field(None, description="When it is due.")
    assignee_id: int | None = Field(None, description="An active staff user (ID).")
    priority: TaskPriority = "normal"  # type: ignore[valid-type]
    remind_at: datetime | None = Field(
        None, description="When to remind the assignee (in the application and by email)."
    )


class TaskUpdate(_Input):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    due_at: datetime | None = None
    assignee_id: int | None = None
    priority: TaskPriority | None = None  # type: ignore[valid-type]
    remind_at: datetime | None = None
    done: bool | None = Field(None, description="Tick the task done (true) or open it again.")


# --- notes ------------------------------------------------------------------


class NoteOut(_Links):
    id: int
    body_html: str = Field(description="Sanitized HTML: p, br, strong, em, lists, links.")
    author_id: int | None
    created_at: datetime
    updated_at: datetime
    removed: list[str] = Field(
        default_factory=list, description="What the sanitizer took out of the text sent."
    )


class NotePageOut(Schema):
    items: list[NoteOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class NoteListQuery(_PageQuery):
    """Notes about a person, organization, lead or deal, newest first."""


class NoteCreate(_Input, _Links):
    body: str = Field(
        max_length=20_000,
        description="Plain text, or HTML of which only p, br, strong, em, ul, ol, li and "
        "http/https/mailto links are kept.",
    )


class NoteUpdate(_Input):
    body: str = Field(max_length=20_000)
