"""The privacy API: the purpose registry, the consent ledger, restrictions,
objections, disclosures, and `may-use`, the decision integrators ask before they
use a person's data.

Thin handlers, as in `api/people.py`: check the permission, parse, call
`privacy.ledger.services` (with the API as audit channel) or `privacy.ledger.decisions`, shape
the answer. A service's `ValidationError` is re-keyed to the names the client
sent and placed where it sent them (body, path or query); `api/errors.py` turns
it into the usual 422. Reads of a person's privacy record are recorded in the
audit log as accesses; a `may-use` that says no is logged as a refused use."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_ipv46_address
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestValidationError

from connexion.accounts.models import User
from connexion.accounts.visibility import owned_by_visible
from connexion.api.auth import BearerToken
from connexion.api.people import API, CONTACT_MODELS, PEOPLE_PERMISSION, PersonId
from connexion.api.people_schemas import ErrorDetailOut, FieldErrorsOut
from connexion.api.privacy_schemas import (
    ConsentEventOut,
    ConsentGive,
    ConsentStateOut,
    ConsentWithdraw,
    DecisionOut,
    DisclosureIn,
    DisclosureListQuery,
    DisclosureOut,
    DisclosurePageOut,
    HistoryQuery,
    MayUseQuery,
    ObjectionDecisionIn,
    ObjectionIn,
    ObjectionOut,
    PurposeOut,
    RestrictionIn,
    RestrictionOut,
)
from connexion.audit.services import record_access
from connexion.lib.cursors import decode_cursor, encode_cursor
from connexion.lib.http import client_ip
from connexion.people.models import Organization, Person
from connexion.privacy.ledger import services
from connexion.privacy.ledger.decisions import latest_consent, may_use, renewal_notices
from connexion.privacy.models import (
    CONSENT_BASES,
    ConsentEvent,
    Disclosure,
    Objection,
    PrivacyNotice,
    Purpose,
    Restriction,
)
from connexion.sales.models import Product

PRIVACY_PERMISSION = "accounts.access_privacy"

PurposeCode = Annotated[str, Path(description="Code of the purpose (e.g. `direct-marketing`).")]
RestrictionId = Annotated[int, Path(description="ID of the restriction.")]
ObjectionId = Annotated[int, Path(description="ID of the objection.")]

# Token scope: area "privacy" (read for GET, write otherwise; categories 3.5, 3.7).
privacy_router = Router(tags=["privacy"], auth=BearerToken("privacy"))


def _answers(status: int, schema: Any, *errors: int) -> dict[int, Any]:
    """The documented responses of an operation: its own, 401, 403 and `errors`."""
    answers = {status: schema, 401: ErrorDetailOut, 403: ErrorDetailOut}
    for code in errors:
        answers[code] = FieldErrorsOut if code == 422 else ErrorDetailOut
    return answers


# --- access -----------------------------------------------------------------


def _people_user(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not user.has_perm(PEOPLE_PERMISSION):
        raise HttpError(403, _("Your role does not give access to people and organizations."))
    return user


def _privacy_user(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not user.has_perm(PRIVACY_PERMISSION):
        raise HttpError(403, _("Your role does not give access to the privacy area."))
    return user


def _person(viewer: User, person_id: int) -> Person:
    """A merged record is still found: `may-use` then says why it may not be used."""
    person = Person.objects.filter(owned_by_visible(viewer), pk=person_id).first()
    if person is None:
        raise HttpError(404, _("No person has the ID %(id)s.") % {"id": person_id})
    return person


def _read(viewer: User, action: str, person: Person) -> None:
    """Who was shown a person's privacy record. `privacy.ledger.selectors` reads the
    whole panel for the UI; the API reads one part at a time and records it here."""
    record_access(viewer, action, "people.person", [str(person.pk)], channel=API)


# --- errors -----------------------------------------------------------------


def _invalid(where: str, field: str, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": (where, field), "type": "privacy", "msg": message}])


@contextmanager
def _fields(
    names: dict[str, str] | None = None, where: dict[str, str] | None = None
) -> Iterator[None]:
    """Re-keys a service's `ValidationError` to the fields the client sent
    (`names`: `product` -> `product_id`) and where it sent them (`where`:
    `purpose` -> `path`; the body otherwise)."""
    try:
        yield
    except ValidationError as exc:
        items = exc.message_dict.items() if hasattr(exc, "error_dict") else []
        if not items:
            items = [(NON_FIELD_ERRORS, exc.messages)]  # type: ignore[list-item]
        errors = []
        for name, messages in items:
            field = "body" if name == NON_FIELD_ERRORS else (names or {}).get(name, name)
            location = (where or {}).get(field, "body")
            for message in messages:
                errors.append({"loc": (location, field), "type": "privacy", "msg": message})
        raise RequestValidationError(errors) from None


def _purpose(code: str, where: str = "body") -> Purpose:
    purpose = Purpose.objects.filter(code=code).first()
    if purpose is None:
        raise _invalid(where, "purpose", _("No purpose has the code %(code)s.") % {"code": code})
    return purpose


def _aware(value: datetime | None) -> datetime | None:
    """A time without offset is Bangkok time; every time is answered in UTC, as
    when it is read back from the database."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(UTC)


def _client_address(request: HttpRequest, given: str | None) -> str | None:
    if given is None:
        return client_ip(request)
    try:
        validate_ipv46_address(given)
    except ValidationError as exc:
        raise _invalid("body", "ip_address", exc.messages[0]) from None
    return given


def _client_agent(request: HttpRequest, given: str | None) -> str:
    return given if given is not None else request.headers.get("User-Agent", "")


# --- shaping ----------------------------------------------------------------


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


def _purpose_out(purpose: Purpose) -> dict[str, Any]:
    names = (
        "code",
        "policy_clause",
        "name_th",
        "name_en",
        "description_th",
        "description_en",
        "lawful_basis",
        "needs_consent",
        "data_categories",
        "is_direct_marketing",
        "retention_rule",
        "is_active",
    )
    out = {name: getattr(purpose, name) for name in names}
    out["lawful_basis_label"] = purpose.get_lawful_basis_display()
    return out


def _consent_event_out(event: ConsentEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "purpose": event.purpose.code,
        "action": event.action,
        "notice": event.notice.version,
        "wording": event.wording,
        "wording_hash": event.wording_hash,
        "channel": event.channel,
        "occurred_at": event.occurred_at,
        "recorded_by": _username(event.recorded_by),
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "has_evidence": bool(event.evidence),
    }


def _restriction_out(restriction: Restriction, now: datetime) -> dict[str, Any]:
    active = (
        restriction.lifted_at is None
        and restriction.starts_at <= now
        and (restriction.ends_at is None or restriction.ends_at > now)
    )
    return {
        "id": restriction.pk,
        "scope": restriction.scope,
        "contact_kind": restriction.contact_kind,
        "contact_id": restriction.contact_id,
        "category": restriction.category,
        "reason": restriction.reason,
        "starts_at": restriction.starts_at,
        "ends_at": restriction.ends_at,
        "lifted_at": restriction.lifted_at,
        "active": active,
        "created_by": _username(restriction.created_by),
        "lifted_by": _username(restriction.lifted_by),
    }


def _objection_out(objection: Objection) -> dict[str, Any]:
    return {
        "id": objection.pk,
        "person_id": objection.person_id,
        "purpose": objection.purpose.code,
        "status": objection.status,
        "received_at": objection.received_at,
        "grounds": objection.grounds,
        "decided_at": objection.decided_at,
        "decided_by": _username(objection.decided_by),
        "decision_reason": objection.decision_reason,
        "recorded_by": _username(objection.recorded_by),
    }


def _disclosure_out(disclosure: Disclosure) -> dict[str, Any]:
    recipient = disclosure.recipient
    return {
        "id": disclosure.pk,
        "person_id": disclosure.person_id,
        "basis": disclosure.basis,
        "recipient": (
            {"id": recipient.pk, "name_th": recipient.name_th, "name_en": recipient.name_en}
            if recipient is not None
            else None
        ),
        "recipient_name": disclosure.recipient_name,
        "categories": disclosure.categories,
        "fields": disclosure.fields,
        "purpose": disclosure.purpose.code if disclosure.purpose else None,
        "product_id": disclosure.product_id,
        "legal_reference": disclosure.legal_reference,
        "reason": disclosure.reason,
        "disclosed_at": disclosure.disclosed_at,
        "recorded_by": _username(disclosure.recorded_by),
    }


# --- purposes ---------------------------------------------------------------


@privacy_router.get(
    "/purposes",
    response=_answers(200, list[PurposeOut]),
    summary="List the purposes",
    tags=["purposes"],
)
def list_purposes(request: HttpRequest) -> list[dict[str, Any]]:
    """The purpose registry: every purpose personal data is used for, with its
    lawful basis and data categories, in the order of the privacy policy.
    Open to roles with access to people or to the privacy area."""
    user: User = request.auth  # type: ignore[attr-defined]
    if not (user.has_perm(PEOPLE_PERMISSION) or user.has_perm(PRIVACY_PERMISSION)):
        raise HttpError(403, _("Your role does not give access to the privacy area."))
    return [_purpose_out(purpose) for purpose in Purpose.objects.all()]


# --- consents ---------------------------------------------------------------


@privacy_router.get(
    "/persons/{person_id}/consents",
    response=_answers(200, list[ConsentStateOut], 404),
    summary="Current consents of a person",
    tags=["consents"],
)
def list_consents(request: HttpRequest, person_id: PersonId) -> list[dict[str, Any]]:
    """The current state of consent for every purpose that rests on consent:
    given, withdrawn or never, since when and under which notice version."""
    viewer = _people_user(request)
    person = _person(viewer, person_id)
    now = timezone.now()
    purposes = list(Purpose.objects.filter(lawful_basis__in=CONSENT_BASES))
    renewals = renewal_notices(purposes, now)
    states = []
    for purpose in purposes:
        latest = latest_consent(person, purpose, now)
        renewal = renewals.get(purpose.pk)
        states.append(
            {
                "purpose": purpose.code,
                "purpose_active": purpose.is_active,
                "state": latest.action if latest is not None else "never",
                "since": latest.occurred_at if latest is not None else None,
                "notice": latest.notice.version if latest is not None else None,
                "channel": latest.channel if latest is not None else None,
                "renewal_needed": latest is not None
                and latest.action == ConsentEvent.Action.GIVEN
                and renewal is not None
                and latest.notice.effective_at < renewal.effective_at,
            }
        )
    _read(viewer, "privacy.consents", person)
    return states


@privacy_router.get(
    "/persons/{person_id}/consents/history",
    response=_answers(200, list[ConsentEventOut], 404, 422),
    summary="Consent ledger of a person",
    tags=["consents"],
)
def consent_history(
    request: HttpRequest, person_id: PersonId, filters: Query[HistoryQuery]
) -> list[dict[str, Any]]:
    """Every consent given or withdrawn, newest first, with the wording, the
    notice version and where it was recorded from. Entries are never changed."""
    viewer = _people_user(request)
    person = _person(viewer, person_id)
    events = ConsentEvent.objects.filter(person=person).select_related(
        "purpose", "notice", "recorded_by"
    )
    if filters.purpose is not None:
        events = events.filter(purpose=_purpose(filters.purpose, where="query"))
    out = [_consent_event_out(event) for event in events.order_by("-occurred_at", "-id")]
    _read(viewer, "privacy.consent_history", person)
    return out


@privacy_router.post(
    "/persons/{person_id}/consents",
    response=_answers(201, ConsentEventOut, 404, 422),
    summary="Record a consent",
    tags=["consents"],
)
def give_consent(
    request: HttpRequest, person_id: PersonId, payload: ConsentGive
) -> Status[dict[str, Any]]:
    """Records that the person gave consent for one purpose, with the exact
    wording shown and the notice version. The IP address and user agent default
    to those of this request."""
    viewer = _people_user(request)
    person = _person(viewer, person_id)
    purpose = _purpose(payload.purpose)
    notice = None
    if payload.notice is not None:
        notice = PrivacyNotice.objects.filter(version=payload.notice).first()
        if notice is None:
            raise _invalid(
                "body",
                "notice",
                _("No privacy notice has the version %(version)s.") % {"version": payload.notice},
            )
    ip_address = _client_address(request, payload.ip_address)
    with _fields():
        event = services.give_consent(
            viewer,
            person,
            purpose,
            wording=payload.wording,
            channel=payload.channel,
            notice=notice,
            ip_address=ip_address,
            user_agent=_client_agent(request, payload.user_agent),
            at=_aware(payload.occurred_at),
            audit_channel=API,
        )
    return Status(201, _consent_event_out(event))


@privacy_router.post(
    "/persons/{person_id}/consents/{purpose_code}/withdraw",
    response=_answers(201, ConsentEventOut, 404, 422),
    summary="Withdraw a consent",
    tags=["consents"],
)
def withdraw_consent(
    request: HttpRequest,
    person_id: PersonId,
    purpose_code: PurposeCode,
    payload: ConsentWithdraw | None = None,
) -> Status[dict[str, Any]]:
    """Withdraws the person's consent for one purpose, at once (s.19). The body
    is optional; the IP address and user agent default to those of this request."""
    viewer = _people_user(request)
    person = _person(viewer, person_id)
    purpose = _purpose(purpose_code, where="path")
    payload = payload or ConsentWithdraw()
    ip_address = _client_address(request, payload.ip_address)
    at = _aware(payload.occurred_at)
    if at is not None and at > timezone.now():
        raise _invalid("body", "occurred_at", _("The time cannot be in the future."))
    with _fields(where={"purpose": "path"}):
        event = services.withdraw_consent(
            viewer,
            person,
            purpose,
            channel=payload.channel,
            ip_address=ip_address,
            user_agent=_client_agent(request, payload.user_agent),
            at=at,
            audit_channel=API,
        )
    return Status(201, _consent_event_out(event))


# --- restrictions -----------------------------------------------------------


@privacy_router.get(
    "/persons/{person_id}/restrictions",
    response=_answers(200, list[RestrictionOut], 404),
    summary="Restrictions of a person",
    tags=["restrictions"],
)
def list_restrictions(request: HttpRequest, person_id: PersonId) -> list[dict[str, Any]]:
    """Every restriction of use, newest first, in force or not (see `active`)."""
    viewer = _people_user(request)
    person = _person(viewer, person_id)
    now = timezone.now()
    restrictions = Restriction.objects.filter(person=person).select_related(
        "created_by", "lifted_by"
    )
    out = [_restriction_out(r, now) for r in restrictions.order_by("-starts_at", "-id")]
    _read(viewer, "privacy.restrictions", person)
    return out


@privacy_router.post(
    "/persons/{person_id}/restrictions",
    response=_answers(201, RestrictionOut, 404, 422),
    summary="Restrict the use of a person's data",
    tags=["restrictions"],
)
def add_restriction(
    request: HttpRequest, person_id: PersonId, payload: RestrictionIn
) -> Status[dict[str, Any]]:
    """Suspends the use of one contact point, a data category, or the whole
    record, from now (PDPA s.34). Only what the law requires goes on."""
    viewer = _people_user(request)
    person = _person(viewer, person_id)
    contact_point = None
    if payload.scope == Restriction.Scope.CONTACT_POINT and (
        payload.contact_kind is not None and payload.contact_id is not None
    ):
        contact_point = (
            CONTACT_MODELS[payload.contact_kind].objects.filter(pk=payload.contact_id).first()
        )
        if contact_point is None:
            raise _invalid("body", "contact_point", _("No such contact point on this record."))
    with _fields():
        restriction = services.restrict(
            viewer,
            person,
            scope=payload.scope,
            reason=payload.reason,
            contact_point=contact_point,
            category=payload.category or "",
            ends_at=_aware(payload.ends_at),
            audit_channel=API,
        )
    return Status(201, _restriction_out(restriction, timezone.now()))


@privacy_router.post(
    "/persons/{person_id}/restrictions/{restriction_id}/lift",
    response=_answers(200, RestrictionOut, 404, 422),
    summary="Lift a restriction",
    tags=["restrictions"],
)
def lift_restriction(
    request: HttpRequest, person_id: PersonId, restriction_id: RestrictionId
) -> dict[str, Any]:
    """Ends a restriction now; the data may be used again as before."""
    viewer = _people_user(request)
    person = _person(viewer, person_id)
    restriction = Restriction.objects.filter(pk=restriction_id, person=person).first()
    if restriction is None:
        raise HttpError(
            404, _("This person has no restriction with the ID %(id)s.") % {"id": restriction_id}
        )
    with _fields():
        services.lift_restriction(viewer, restriction, audit_channel=API)
    return _restriction_out(restriction, timezone.now())


# --- objections -------------------------------------------------------------


@privacy_router.get(
    "/persons/{person_id}/objections",
    response=_answers(200, list[ObjectionOut], 404),
    summary="Objections of a person",
    tags=["objections"],
)
def list_objections(request: HttpRequest, person_id: PersonId) -> list[dict[str, Any]]:
    """Every objection of the person, newest first, with its decision."""
    viewer = _people_user(request)
    person = _person(viewer, person_id)
    objections = Objection.objects.filter(person=person).select_related(
        "purpose", "decided_by", "recorded_by"
    )
    out = [_objection_out(o) for o in objections.order_by("-received_at", "-id")]
    _read(viewer, "privacy.objections", person)
    return out


@privacy_router.post(
    "/persons/{person_id}/objections",
    response=_answers(201, ObjectionOut, 404, 422),
    summary="Record an objection",
    tags=["objections"],
)
def add_objection(
    request: HttpRequest, person_id: PersonId, payload: ObjectionIn
) -> Status[dict[str, Any]]:
    """Records the person's objection to a purpose (PDPA s.32). The use stops
    while it is pending; an objection to direct marketing is accepted at once."""
    viewer = _people_user(request)
    person = _person(viewer, person_id)
    purpose = _purpose(payload.purpose)
    with _fields():
        objection = services.record_objection(
            viewer, person, purpose, grounds=payload.grounds, audit_channel=API
        )
    return Status(201, _objection_out(objection))


@privacy_router.post(
    "/objections/{objection_id}/decision",
    response=_answers(200, ObjectionOut, 404, 422),
    summary="Decide an objection",
    tags=["objections"],
)
def decide_objection(
    request: HttpRequest, objection_id: ObjectionId, payload: ObjectionDecisionIn
) -> dict[str, Any]:
    """Accepts or rejects a pending objection, with the reason. Needs access to
    the privacy area."""
    viewer = _privacy_user(request)
    objection = (
        Objection.objects.select_related("person", "purpose", "recorded_by")
        .filter(pk=objection_id)
        .first()
    )
    if objection is None:
        raise HttpError(404, _("No objection has the ID %(id)s.") % {"id": objection_id})
    with _fields():
        objection = services.decide_objection(
            viewer, objection, accept=payload.accept, reason=payload.reason, audit_channel=API
        )
    return _objection_out(objection)


# --- disclosures ------------------------------------------------------------


@privacy_router.get(
    "/persons/{person_id}/disclosures",
    response=_answers(200, list[DisclosureOut], 404),
    summary="Disclosures of a person's data",
    tags=["disclosures"],
)
def list_person_disclosures(request: HttpRequest, person_id: PersonId) -> list[dict[str, Any]]:
    """Every disclosure of the person's data to an outside party, newest first."""
    viewer = _people_user(request)
    person = _person(viewer, person_id)
    disclosures = Disclosure.objects.filter(person=person).select_related(
        "recipient", "purpose", "recorded_by"
    )
    out = [_disclosure_out(d) for d in disclosures.order_by("-disclosed_at", "-id")]
    _read(viewer, "privacy.disclosures", person)
    return out


@privacy_router.post(
    "/persons/{person_id}/disclosures",
    response=_answers(201, DisclosureOut, 404, 422),
    summary="Record a disclosure",
    tags=["disclosures"],
)
def add_disclosure(
    request: HttpRequest, person_id: PersonId, payload: DisclosureIn
) -> Status[dict[str, Any]]:
    """Records a disclosure of the person's data to an outside party, after
    checking its ground (policy 6.1-6.3). Without a ground it is refused with the
    reasons, and the refusal is kept in the audit log."""
    viewer = _people_user(request)
    person = _person(viewer, person_id)
    errors: dict[str, list[str]] = {}
    recipient = None
    if payload.recipient_id is not None:
        recipient = Organization.objects.filter(pk=payload.recipient_id).first()
        if recipient is None:
            errors["recipient_id"] = [_("No organization has this ID.")]
    purpose = None
    if payload.purpose is not None:
        purpose = Purpose.objects.filter(code=payload.purpose).first()
        if purpose is None:
            errors["purpose"] = [_("No purpose has the code %(code)s.") % {"code": payload.purpose}]
    product = None
    if payload.product_id is not None:
        product = Product.objects.filter(pk=payload.product_id, partner__isnull=False).first()
        if product is None:
            errors["product_id"] = [_("No joint product has this ID.")]
    if errors:
        raise ValidationError(errors)
    with _fields(names={"recipient": "recipient_id", "product": "product_id"}):
        disclosure = services.record_disclosure(
            viewer,
            person,
            basis=payload.basis or "",
            categories=list(payload.categories),
            reason=payload.reason,
            recipient=recipient,
            recipient_name=payload.recipient_name,
            fields=payload.fields,
            purpose=purpose,
            product=product,
            legal_reference=payload.legal_reference,
            audit_channel=API,
        )
    return Status(201, _disclosure_out(disclosure))


def _position(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    position = decode_cursor(cursor)
    try:
        at = datetime.fromisoformat(position[0]) if position else None
    except (TypeError, ValueError):
        at = None
    if position is None or at is None or timezone.is_naive(at):
        raise _invalid(
            "query", "cursor", _("This cursor is not valid: pass the next_cursor of a page.")
        )
    return at, position[1]


@privacy_router.get(
    "/disclosures",
    response=_answers(200, DisclosurePageOut, 422),
    summary="The register of disclosures",
    tags=["disclosures"],
)
def list_disclosures(request: HttpRequest, filters: Query[DisclosureListQuery]) -> dict[str, Any]:
    """Every disclosure of personal data, newest first (policy 6, s.39). Pages
    with a cursor: pass `next_cursor` as `cursor` until it is null. Needs access
    to the privacy area."""
    viewer = _privacy_user(request)
    position = _position(filters.cursor)
    disclosures = Disclosure.objects.select_related("recipient", "purpose", "recorded_by")
    if filters.since is not None:
        disclosures = disclosures.filter(disclosed_at__gte=_aware(filters.since))
    if position is not None:
        at, pk = position
        disclosures = disclosures.filter(Q(disclosed_at__lt=at) | Q(disclosed_at=at, id__lt=pk))
    items = list(disclosures.order_by("-disclosed_at", "-id")[: filters.limit + 1])
    next_cursor = None
    if len(items) > filters.limit:
        items = items[: filters.limit]
        next_cursor = encode_cursor(items[-1].disclosed_at.isoformat(), items[-1].pk)
    record_access(
        viewer,
        "privacy.disclosure_list",
        "people.person",
        sorted({str(d.person_id) for d in items}),
        channel=API,
    )
    return {"items": [_disclosure_out(d) for d in items], "next_cursor": next_cursor}


# --- the decision -----------------------------------------------------------


@privacy_router.get(
    "/persons/{person_id}/may-use",
    response=_answers(200, DecisionOut, 404, 422),
    summary="May this person's data be used?",
    tags=["decisions"],
)
def decide_use(
    request: HttpRequest, person_id: PersonId, query: Query[MayUseQuery]
) -> dict[str, Any]:
    """Ask before every use: may the person's data be used now for this purpose,
    through this contact point? Weighs the lawful basis, consent, objections,
    restrictions and whether the person is a customer. The reasons are in the
    language of the request (Accept-Language). A no counts as an attempted use
    and is kept in the audit log."""
    viewer = _people_user(request)
    person = _person(viewer, person_id)
    purpose = _purpose(query.purpose, where="query")
    contact_point = None
    if query.contact_kind is None and query.contact_id is not None:
        raise _invalid("query", "contact_kind", _("Give the kind of the contact point too."))
    if query.contact_kind is not None and query.contact_id is None:
        raise _invalid("query", "contact_id", _("Give the ID of the contact point too."))
    if query.contact_kind is not None:
        model = CONTACT_MODELS[query.contact_kind]
        contact_point = model.objects.filter(pk=query.contact_id).first()
        if contact_point is None:
            raise _invalid("query", "contact_id", _("No such contact point on this record."))
    decision = may_use(person, purpose, contact_point)
    if decision.allowed:
        _read(viewer, "privacy.may_use", person)
    else:
        services.log_refusal(viewer, person, purpose, decision, use="api", audit_channel=API)
    return {"allowed": decision.allowed, "reasons": decision.reasons, "codes": decision.codes}
