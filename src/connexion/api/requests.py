"""The data-subject request API: `/requests`. Integrators put requests into
the one queue (channel `api`), read the queue and a request's history, and
move requests through their states.

Thin handlers, as in `api/privacy.py` (whose helpers are reused): check the
privacy permission, parse, call `privacy.subject_requests` with the API as audit
channel, shape the answer. A service's `ValidationError` is re-keyed to the
names the client sent (`person` -> `person_id`, `status` -> `to`)."""

from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestValidationError

from connexion.accounts.visibility import owned_by_visible
from connexion.api.auth import BearerToken
from connexion.api.people import API
from connexion.api.privacy import _answers, _aware, _fields, _privacy_user
from connexion.api.request_schemas import (
    AssignmentIn,
    NoteIn,
    RequestCreate,
    RequestCreatedOut,
    RequestDetailOut,
    RequestEventOut,
    RequestListQuery,
    RequestOut,
    RequestPageOut,
    TransitionIn,
)
from connexion.audit.services import record_access
from connexion.people.models import Person
from connexion.privacy.models import RequestEvent, SubjectRequest
from connexion.privacy.subject_requests import intake, rules, selectors, workflow

RequestId = Annotated[int, Path(description="ID of the request.")]

# Requests carry the requester's name (3.1), contact details (3.2) and their words (3.7).
requests_router = Router(
    tags=["data-subject requests"],
    auth=BearerToken("privacy", categories=("3.1", "3.2", "3.7")),
)


def _username(user: Any) -> str | None:
    return user.username if user is not None else None


def _request_out(request: SubjectRequest) -> dict[str, Any]:
    names = (
        "id",
        "reference",
        "kind",
        "channel",
        "status",
        "person_id",
        "requester_name",
        "requester_email",
        "requester_phone",
        "language",
        "description",
        "proposed_changes",
        "recipient_controller",
        "recipient_email",
        "regulator_reference",
        "by_representative",
        "representative_name",
        "verification",
        "verified_at",
        "received_at",
        "due_at",
        "closed_at",
        "rejection_reason",
    )
    out = {name: getattr(request, name) for name in names}
    out.update(
        has_attachment=bool(request.attachment),
        has_authority_document=bool(request.authority_document),
        verified_by=_username(request.verified_by),
        assigned_to=_username(request.assigned_to),
        days_left=rules.days_left(request),
        overdue=rules.is_overdue(request),
    )
    return out


def _event_out(event: RequestEvent) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "text": event.text,
        "details": event.details,
        "actor": _username(event.actor),
        "occurred_at": event.occurred_at,
    }


def _subject(request_id: int) -> SubjectRequest:
    found = (
        SubjectRequest.objects.select_related("assigned_to", "verified_by")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise HttpError(404, _("No request has the ID %(id)s.") % {"id": request_id})
    return found


def _staff(username: str | None, field: str = "assigned_to") -> Any:
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise RequestValidationError(
            [
                {
                    "loc": ("body", field),
                    "type": "privacy",
                    "msg": _("No staff user has the username %(name)s.") % {"name": username},
                }
            ]
        )
    return user


def _read(viewer: Any, action: str, ids: list[int]) -> None:
    record_access(viewer, action, "privacy.subjectrequest", [str(pk) for pk in ids], channel=API)


@requests_router.post(
    "",
    response=_answers(201, RequestCreatedOut, 422),
    summary="Put a request into the queue",
)
def create_request(request: HttpRequest, payload: RequestCreate) -> Status[dict[str, Any]]:
    """A data-subject request that reached the integrator (channel `api`). It is
    due 30 days after `received_at`, and the person is sent an acknowledgement
    (in `language`) with its reference. Needs access to the privacy area."""
    viewer = _privacy_user(request)
    person = None
    if payload.person_id is not None:
        person = Person.objects.filter(owned_by_visible(viewer), pk=payload.person_id).first()
        if person is None:
            raise RequestValidationError(
                [
                    {
                        "loc": ("body", "person_id"),
                        "type": "privacy",
                        "msg": _("No person has the ID %(id)s.") % {"id": payload.person_id},
                    }
                ]
            )
    assignee = _staff(payload.assigned_to)
    with _fields({"person": "person_id"}):
        submitted = intake.open_request(
            viewer,
            kind=payload.kind,
            channel=SubjectRequest.Channel.API,
            requester_name=payload.requester_name,
            description=payload.description,
            language=payload.language,
            email=payload.requester_email or "",
            phone=payload.requester_phone or "",
            person=person,
            proposed_changes=payload.proposed_changes,
            recipient_controller=payload.recipient_controller,
            recipient_email=payload.recipient_email or "",
            by_representative=payload.by_representative,
            representative_name=payload.representative_name,
            received_at=_aware(payload.received_at),
            assigned_to=assignee,
            audit_channel=API,
        )
    out = _request_out(submitted.request)
    out["status_secret"] = submitted.secret
    return Status(201, out)


@requests_router.get(
    "",
    response=_answers(200, RequestPageOut, 422),
    summary="The request queue",
)
def list_requests(request: HttpRequest, filters: Query[RequestListQuery]) -> dict[str, Any]:
    """Open requests first, by days left (the overdue first), then the closed
    ones. Needs access to the privacy area."""
    viewer = _privacy_user(request)
    assignee = ""
    if filters.assigned_to == "none":
        assignee = "none"
    elif filters.assigned_to:
        user = get_user_model().objects.filter(username=filters.assigned_to).first()
        if user is None:
            raise RequestValidationError(
                [
                    {
                        "loc": ("query", "assigned_to"),
                        "type": "privacy",
                        "msg": _("No staff user has the username %(name)s.")
                        % {"name": filters.assigned_to},
                    }
                ]
            )
        assignee = str(user.pk)
    chosen = selectors.QueueFilters(
        status=filters.status,
        kind=filters.kind or "",
        channel=filters.channel or "",
        assignee=assignee,
        overdue=filters.overdue,
    )
    now = timezone.now()
    queryset = chosen.apply(
        SubjectRequest.objects.select_related("assigned_to", "verified_by"), now
    )
    paginator = Paginator(selectors.ordered(queryset), filters.limit)
    page = paginator.get_page(filters.page)
    items = list(page.object_list) if filters.page <= paginator.num_pages else []
    _read(viewer, "privacy.request_queue", [item.pk for item in items])
    return {
        "items": [_request_out(item) for item in items],
        "count": paginator.count,
        "next_page": filters.page + 1 if filters.page < paginator.num_pages else None,
    }


@requests_router.get(
    "/{request_id}",
    response=_answers(200, RequestDetailOut, 404),
    summary="One request with its history",
)
def read_request(request: HttpRequest, request_id: RequestId) -> dict[str, Any]:
    viewer = _privacy_user(request)
    subject = _subject(request_id)
    out = _request_out(subject)
    out["events"] = [
        _event_out(event)
        for event in subject.events.select_related("actor").order_by("-occurred_at", "-id")
    ]
    _read(viewer, "privacy.request_detail", [subject.pk])
    return out


@requests_router.post(
    "/{request_id}/transitions",
    response=_answers(200, RequestOut, 404, 422),
    summary="Move a request to another status",
)
def move_request(
    request: HttpRequest, request_id: RequestId, payload: TransitionIn
) -> dict[str, Any]:
    """received → verifying → in_progress → completed, or rejected (with the
    lawful reason) or withdrawn from any open status. A request whose identity
    is not verified cannot go in progress or be completed (complaints need no
    verification); completing needs the request carried out first. Each
    change is recorded in the history and the person is told."""
    viewer = _privacy_user(request)
    subject = _subject(request_id)
    with _fields({"status": "to"}):
        workflow.transition(
            viewer,
            subject,
            payload.to,
            reason=payload.reason,
            note=payload.note,
            audit_channel=API,
        )
    return _request_out(subject)


@requests_router.post(
    "/{request_id}/notes",
    response=_answers(201, RequestEventOut, 404, 422),
    summary="Add an internal note",
)
def add_note(
    request: HttpRequest, request_id: RequestId, payload: NoteIn
) -> Status[dict[str, Any]]:
    viewer = _privacy_user(request)
    subject = _subject(request_id)
    with _fields():
        event = workflow.add_note(viewer, subject, payload.text, audit_channel=API)
    return Status(201, _event_out(event))


@requests_router.put(
    "/{request_id}/assignment",
    response=_answers(200, RequestOut, 404, 422),
    summary="Assign a request",
)
def assign_request(
    request: HttpRequest, request_id: RequestId, payload: AssignmentIn
) -> dict[str, Any]:
    """Gives the request to a staff member with access to the privacy area
    (null: to nobody). The assignee is warned with the privacy officers at 7,
    3 and 1 days left."""
    viewer = _privacy_user(request)
    subject = _subject(request_id)
    assignee = _staff(payload.assigned_to)
    with _fields():
        workflow.assign(viewer, subject, assignee, audit_channel=API)
    return _request_out(subject)
