"""Request and response bodies of the data-subject request API (`/requests`).

As elsewhere, request bodies forbid unknown fields and choices come from the
models' own choices, so the OpenAPI document lists what is accepted."""

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from connexion.api.people_schemas import MAX_PAGE_SIZE
from connexion.api.schemas import TextInput
from connexion.privacy.models import RequestEvent, SubjectRequest


def _one_of(values: list[str] | tuple[str, ...]) -> Any:
    return Literal[tuple(values)]  # type: ignore[valid-type]


RequestKind = _one_of(SubjectRequest.Kind.values)
RequestStatus = _one_of(SubjectRequest.Status.values)
RequestChannel = _one_of(SubjectRequest.Channel.values)
EventKind = _one_of(RequestEvent.Kind.values)
Language = Literal["th", "en"]
# Every status a request can be moved to (`received` is where each one starts).
TargetStatus = Literal["verifying", "in_progress", "completed", "rejected", "withdrawn"]


class _Input(TextInput):
    model_config = ConfigDict(extra="forbid")


class RequestCreate(_Input):
    kind: RequestKind = Field(  # type: ignore[valid-type]
        description="What the person asks for (PDPA s.30-s.36, policy 8.1-8.7)."
    )
    requester_name: str = Field(min_length=1, max_length=200, description="Who asks.")
    requester_email: str | None = Field(
        None, max_length=254, description="Where to answer; an email or a phone is required."
    )
    requester_phone: str | None = Field(
        None, max_length=30, description="Phone number as given (Thai numbers without +66 too)."
    )
    language: Language = Field(description="Language of the answers: as the person wrote.")
    description: str = Field(
        min_length=1, max_length=10000, description="The request in the person's words."
    )
    person_id: int | None = Field(
        None,
        description="The person the request concerns. Without it, the person is matched by "
        "the email or phone given, when exactly one person has it.",
    )
    proposed_changes: dict[str, str] | None = Field(
        None,
        description="Rectification only: `{field: requested value}`. Fields: the person's "
        "names, title, gender, date_of_birth (YYYY-MM-DD), national_id, passport_number, "
        "passport_country, occupation, employer_name, position, and `email` / `phone` (the "
        "primary ones).",
    )
    recipient_controller: str = Field(
        "", max_length=200, description="Portability: the other controller's name."
    )
    recipient_email: str | None = Field(
        None, max_length=254, description="Portability: where to send the data."
    )
    by_representative: bool = Field(False, description="Made on the person's behalf.")
    representative_name: str = Field("", max_length=200, description="The representative.")
    received_at: datetime | None = Field(
        None,
        description="When the request was received (the 30 days run from it); default now. "
        "A time without offset is read as Bangkok time.",
    )
    assigned_to: str | None = Field(
        None, max_length=150, description="Username of the staff member to handle it."
    )


class TransitionIn(_Input):
    to: TargetStatus = Field(description="The status to move the request to.")
    reason: str = Field(
        "",
        max_length=5000,
        description="Required to reject: the lawful reason, sent to the person and kept for "
        "the record of processing (s.39).",
    )
    note: str = Field("", max_length=5000, description="A note to the person, when completing.")


class NoteIn(_Input):
    text: str = Field(min_length=1, max_length=5000, description="An internal note.")


class AssignmentIn(_Input):
    assigned_to: str | None = Field(
        max_length=150, description="Username of a staff member with privacy access, or null."
    )


class RequestListQuery(Schema):
    status: Literal["open", "all", *SubjectRequest.Status.values] = Field(  # type: ignore[misc]
        "open", description="`open` (the default), `all`, or one status."
    )
    kind: RequestKind | None = Field(None, description="Only this kind.")  # type: ignore[valid-type]
    channel: RequestChannel | None = Field(None, description="Only this channel.")  # type: ignore[valid-type]
    assigned_to: str | None = Field(
        None, max_length=150, description="Username, or `none` for unassigned requests."
    )
    overdue: bool = Field(False, description="Only open requests past their due date.")
    page: int = Field(1, ge=1, description="Page number, from 1.")
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Items per page, at most 200.")


class RequestEventOut(Schema):
    kind: EventKind = Field(description="What happened.")  # type: ignore[valid-type]
    from_status: str = Field(description="For a status change: the status before.")
    to_status: str = Field(description="For a status change: the status after.")
    text: str = Field(description="The note, message or reason.")
    details: dict[str, Any] = Field(description="Particulars (message channel, decision …).")
    actor: str | None = Field(description="Username of who did it; null: the person or the system.")
    occurred_at: datetime


class RequestOut(Schema):
    id: int
    reference: str = Field(description="`DSR-<Buddhist Era year>-<number>`, e.g. DSR-2569-00042.")
    kind: RequestKind  # type: ignore[valid-type]
    channel: RequestChannel  # type: ignore[valid-type]
    status: RequestStatus  # type: ignore[valid-type]
    person_id: int | None = Field(description="The person concerned, once linked.")
    requester_name: str
    requester_email: str
    requester_phone: str = Field(description="E.164.")
    language: Language
    description: str
    proposed_changes: dict[str, str]
    recipient_controller: str
    recipient_email: str
    regulator_reference: str = Field(description="Complaints escalated to the PDPC.")
    by_representative: bool
    representative_name: str
    has_attachment: bool = Field(description="The email or scan received is on file.")
    has_authority_document: bool
    verification: str = Field(description="How identity was verified; empty: not yet.")
    verified_at: datetime | None
    verified_by: str | None
    received_at: datetime
    due_at: datetime = Field(description="Received + 30 days (PDPA s.30).")
    days_left: int = Field(description="Calendar days to the due date in Bangkok; < 0 overdue.")
    overdue: bool
    assigned_to: str | None
    closed_at: datetime | None
    rejection_reason: str


class RequestCreatedOut(RequestOut):
    status_secret: str = Field(
        description="Lets the requester follow the request with its reference. Only its hash "
        "is kept: this is the one time it is shown."
    )


class RequestDetailOut(RequestOut):
    events: list[RequestEventOut] = Field(description="The history, newest first.")


class RequestPageOut(Schema):
    items: list[RequestOut] = Field(description="Open ones first, by days left.")
    count: int = Field(description="Requests matching the filters.")
    next_page: int | None = Field(description="The next page's number; null on the last page.")
