"""The request queue's housekeeping (assign, notes, link a person) and the state machine with its
recorded history: start, reject, withdraw, complete."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from connexion.people.models import Person
from connexion.privacy.models import (
    OPEN_REQUEST_STATUSES,
    RequestEvent,
    SubjectRequest,
)
from connexion.privacy.subject_requests.messages import tell
from connexion.privacy.subject_requests.rules import (
    PRIVACY_PERMISSION,
    UI,
    Kind,
    Status,
    audit,
    is_verified,
    lock,
    needs_verification,
    record_event,
    require_open,
    set_status,
)
from connexion.privacy.subject_requests.verification import code_target_on_record


@transaction.atomic
def assign(
    actor: Any, request: SubjectRequest, assignee: Any, *, audit_channel: str = UI
) -> SubjectRequest:
    lock(request)
    require_open(request)
    if assignee is not None and not (assignee.is_active and assignee.has_perm(PRIVACY_PERMISSION)):
        raise ValidationError(
            {"assigned_to": [_("This staff member has no access to the privacy area.")]}
        )
    before = request.assigned_to
    if (before.pk if before else None) == (assignee.pk if assignee else None):
        return request
    request.assigned_to = assignee
    request.save(update_fields=["assigned_to"])
    record_event(
        request,
        RequestEvent.Kind.ASSIGNED,
        actor,
        text=assignee.display_name() if assignee else _("nobody"),
        details={"to": assignee.pk if assignee else None},
    )
    audit(
        actor,
        "assign",
        request,
        {
            "assigned_to": [
                before.username if before else None,
                assignee.username if assignee else None,
            ]
        },
        audit_channel,
    )
    return request


@transaction.atomic
def add_note(
    actor: Any, request: SubjectRequest, text: str, *, audit_channel: str = UI
) -> RequestEvent:
    """An internal note: never sent to the person."""
    if not text.strip():
        raise ValidationError({"text": [_("Write the note.")]})
    lock(request)
    event = record_event(request, RequestEvent.Kind.NOTE, actor, text=text.strip())
    audit(actor, "note", request, {"note": [None, event.pk]}, audit_channel)
    return event


@transaction.atomic
def link_person(
    actor: Any, request: SubjectRequest, person: Person | None, *, audit_channel: str = UI
) -> SubjectRequest:
    """Names the person the request concerns (or none: nobody matches)."""
    lock(request)
    require_open(request)
    if person is not None and (person.merged_into_id or person.anonymized_at):
        raise ValidationError(
            {"person": [_("This record was merged or erased: choose the record in use.")]}
        )
    before = request.person_id
    if before == (person.pk if person else None):
        return request
    code_methods = {
        SubjectRequest.Verification.EMAIL_CODE,
        SubjectRequest.Verification.PHONE_CODE,
    }
    if (
        person is not None
        and request.verification in code_methods
        and not code_target_on_record(request, person)
    ):
        raise ValidationError(
            {
                "person": [
                    _(
                        "The identity was verified with a code sent to an address that is "
                        "not on this person's record: it does not prove the requester is "
                        "this person."
                    )
                ]
            }
        )
    request.person = person
    request.save(update_fields=["person"])
    text = (
        _("Linked to person #%(id)s.") % {"id": person.pk}
        if person
        else _("Linked to no person: nobody matches.")
    )
    record_event(
        request,
        RequestEvent.Kind.NOTE,
        actor,
        text=text,
        details={"person": [before, request.person_id]},
    )
    audit(actor, "link_person", request, {"person": [before, request.person_id]}, audit_channel)
    return request


@transaction.atomic
def start_verification(
    actor: Any, request: SubjectRequest, *, audit_channel: str = UI
) -> SubjectRequest:
    lock(request)
    set_status(request, Status.VERIFYING, actor)
    audit(actor, "status", request, {"status": [Status.RECEIVED, Status.VERIFYING]}, audit_channel)
    return request


@transaction.atomic
def start_work(actor: Any, request: SubjectRequest, *, audit_channel: str = UI) -> SubjectRequest:
    """In progress: only once the identity is verified (a complaint needs none)."""
    lock(request)
    require_open(request)
    if needs_verification(request) and not is_verified(request):
        raise ValidationError(
            {"status": [_("Verify the requester's identity before starting work on the request.")]}
        )
    before = request.status
    set_status(request, Status.IN_PROGRESS, actor)
    audit(actor, "status", request, {"status": [before, Status.IN_PROGRESS]}, audit_channel)
    return request


@transaction.atomic
def reject_request(
    actor: Any, request: SubjectRequest, *, reason: str, audit_channel: str = UI
) -> SubjectRequest:
    """Refused with its lawful reason (kept for the record of processing, s.39);
    the person is told the reason and their right to complain to the PDPC."""
    lock(request)
    require_open(request)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the lawful reason for rejecting the request.")]})
    before = request.status
    request.rejection_reason = reason.strip()
    request.save(update_fields=["rejection_reason"])
    set_status(request, Status.REJECTED, actor, text=request.rejection_reason)
    audit(actor, "status", request, {"status": [before, Status.REJECTED]}, audit_channel)
    tell(request, "rejected", actor, reason=request.rejection_reason)
    return request


@transaction.atomic
def withdraw_request(
    actor: Any, request: SubjectRequest, *, note: str = "", audit_channel: str = UI
) -> SubjectRequest:
    """The person withdrew the request (staff record it, or the person does it
    from the privacy center with `actor=None`)."""
    lock(request)
    require_open(request)
    before = request.status
    set_status(request, Status.WITHDRAWN, actor, text=note.strip())
    audit(actor, "status", request, {"status": [before, Status.WITHDRAWN]}, audit_channel)
    tell(request, "withdrawn", actor)
    return request


def _actions(request: SubjectRequest, action: str | None = None) -> list[RequestEvent]:
    events = request.events.filter(kind=RequestEvent.Kind.ACTION)
    if action:
        events = events.filter(details__action=action)
    return list(events.order_by("occurred_at", "id"))


def _deliveries(request: SubjectRequest) -> list[RequestEvent]:
    return list(request.events.filter(kind=RequestEvent.Kind.DELIVERY).order_by("occurred_at"))


def field_decisions(request: SubjectRequest) -> dict[str, RequestEvent]:
    return {
        event.details.get("field"): event
        for event in request.events.filter(kind=RequestEvent.Kind.FIELD_DECISION).order_by(
            "occurred_at", "id"
        )
    }


def pending_fields(request: SubjectRequest) -> list[str]:
    decided = field_decisions(request)
    return [name for name in request.proposed_changes if name not in decided]


def completion_problem(request: SubjectRequest) -> str:
    """Why the request cannot be completed yet ("" when it can)."""
    if request.status not in OPEN_REQUEST_STATUSES:
        return _("This request is %(status)s: it can no longer be changed.") % {
            "status": request.get_status_display()
        }
    if needs_verification(request) and not is_verified(request):
        return _(
            "The requester's identity is not verified: a request cannot be completed before it is."
        )
    if request.status != Status.IN_PROGRESS:
        return _("Start work on the request (status “in progress”) first.")
    nobody = request.person_id is None
    if request.kind in {Kind.ACCESS, Kind.PORTABILITY} and not nobody and not _deliveries(request):
        return _("Deliver the data to the person (or to the other controller) first.")
    if request.kind == Kind.RECTIFICATION and pending_fields(request):
        return _("Accept or reject every requested correction first.")
    if request.kind == Kind.ERASURE and not nobody and not _actions(request, "erasure"):
        return _("Erase the person's data first.")
    if (
        request.kind in {Kind.RESTRICTION, Kind.OBJECTION, Kind.WITHDRAWAL}
        and not nobody
        and not _actions(request)
    ):
        return _("Carry the request out first (record the restriction, objection or withdrawal).")
    return ""


@transaction.atomic
def complete_request(
    actor: Any, request: SubjectRequest, *, note: str = "", audit_channel: str = UI
) -> SubjectRequest:
    """Answered: the person is told what was done."""
    lock(request)
    problem = completion_problem(request)
    if problem:
        raise ValidationError({"status": [problem]})
    before = request.status
    set_status(request, Status.COMPLETED, actor, text=note.strip())
    audit(actor, "status", request, {"status": [before, Status.COMPLETED]}, audit_channel)
    decisions = [
        {
            "label": event.details.get("label", event.details.get("field")),
            "accepted": event.details.get("accepted"),
            "value": request.proposed_changes.get(event.details.get("field"), ""),
            "reason": event.text,
        }
        for event in field_decisions(request).values()
    ]
    tell(
        request,
        "completed",
        actor,
        decisions=decisions,
        no_data=request.person_id is None,
        actions=[event.text for event in _actions(request)],
        note=note.strip(),
    )
    return request


def transition(
    actor: Any,
    request: SubjectRequest,
    to: str,
    *,
    reason: str = "",
    note: str = "",
    audit_channel: str = UI,
) -> SubjectRequest:
    """One entry point for a change of status (the API uses it)."""
    if to == Status.VERIFYING:
        return start_verification(actor, request, audit_channel=audit_channel)
    if to == Status.IN_PROGRESS:
        return start_work(actor, request, audit_channel=audit_channel)
    if to == Status.COMPLETED:
        return complete_request(actor, request, note=note, audit_channel=audit_channel)
    if to == Status.REJECTED:
        return reject_request(actor, request, reason=reason, audit_channel=audit_channel)
    if to == Status.WITHDRAWN:
        return withdraw_request(actor, request, note=note, audit_channel=audit_channel)
    raise ValidationError({"status": [_("Choose the status to move the request to.")]})
