"""The people and organizations API: `/persons` and `/organizations`.

Thin handlers: check the permission, parse, call a service or a selector, shape
the answer. Writes go through `people.services`; everything returned about a
person comes from `people.selectors`, which mask identity numbers for roles that
may not see them and record who was shown what. Both get the API channel, so the
audit log tells API calls from clicks.

A service's `ValidationError` is re-keyed here to the names the client sent
(`source.partner_id`, `phones.1.number`), and `api/errors.py` turns it into the
usual 422."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Field, ProtectedError, RestrictedError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestValidationError

from connexion.accounts.models import User
from connexion.accounts.visibility import owned_by_visible
from connexion.api.auth import BearerToken
from connexion.api.people_schemas import (
    AddressAdd,
    AddressIn,
    AddressOut,
    ContactKind,
    EmailAdd,
    EmailIn,
    EmailOut,
    ErrorDetailOut,
    FieldErrorsOut,
    OrganizationContactKind,
    OrganizationCreate,
    OrganizationListQuery,
    OrganizationOut,
    OrganizationPageOut,
    OrganizationUpdate,
    PersonCreate,
    PersonListQuery,
    PersonOut,
    PersonPageOut,
    PersonUpdate,
    PhoneAdd,
    PhoneIn,
    PhoneOut,
    RoleIn,
    RoleOut,
    SocialAdd,
    SocialIn,
    SocialOut,
    SourceIn,
)
from connexion.audit.models import AuditEvent
from connexion.lib.cursors import decode_cursor, sort_field
from connexion.people import services
from connexion.people.models import (
    EmailAddress,
    Organization,
    OrganizationRole,
    Person,
    PhoneNumber,
    PostalAddress,
    SocialAccount,
    Source,
)
from connexion.people.selectors import (
    ORGANIZATION_SORTS,
    PERSON_SORTS,
    PersonDetail,
    PersonFilters,
    can_see_identity_numbers,
    organization_detail,
    organizations_page,
    people_page,
    person_detail,
    person_or_404,
)

API = AuditEvent.Channel.API
PEOPLE_PERMISSION = "accounts.access_people"
# A role that may not see identity numbers does not get to change them (as in the UI).
IDENTITY_FIELDS = ("national_id", "passport_number", "passport_country")

CONTACT_MODELS: dict[str, type[services.ContactPointModel]] = {
    "email": EmailAddress,
    "phone": PhoneNumber,
    "social": SocialAccount,
    "address": PostalAddress,
}

PersonId = Annotated[int, Path(description="ID of the person.")]
OrganizationId = Annotated[int, Path(description="ID of the organization.")]
ContactId = Annotated[int, Path(description="ID of the contact point, unique within its kind.")]
ContactKindPath = Annotated[ContactKind, Path(description="Kind of contact point.")]
OrganizationContactKindPath = Annotated[
    OrganizationContactKind, Path(description="Kind of contact point.")
]

# Token scope: area "people" (read for GET, write otherwise; categories 3.1, 3.2, 3.4).
persons_router = Router(tags=["persons"], auth=BearerToken("people"))
organizations_router = Router(tags=["organizations"], auth=BearerToken("people"))


def _answers(status: int, schema: Any, *errors: int) -> dict[int, Any]:
    """The documented responses of an operation: its own, 401, 403 and `errors`."""
    answers = {status: schema, 401: ErrorDetailOut, 403: ErrorDetailOut}
    for code in errors:
        answers[code] = FieldErrorsOut if code == 422 else ErrorDetailOut
    return answers


def _viewer(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not user.has_perm(PEOPLE_PERMISSION):
        raise HttpError(403, _("Your role does not give access to people and organizations."))
    return user


# --- errors -----------------------------------------------------------------


@contextmanager
def _fields_under(prefix: str = "", names: dict[str, str] | None = None) -> Iterator[None]:
    """Re-keys a service's `ValidationError` to the fields of the request body:
    `names` renames (`partner` -> `partner_id`), `prefix` nests (`phones.0.`)."""
    try:
        yield
    except ValidationError as exc:
        whole = prefix.rstrip(".") or NON_FIELD_ERRORS
        if not hasattr(exc, "error_dict"):
            raise ValidationError({whole: exc.messages}) from None
        errors: dict[str, list[str]] = {}
        for name, messages in exc.message_dict.items():
            key = whole if name == NON_FIELD_ERRORS else prefix + (names or {}).get(name, name)
            errors.setdefault(key, []).extend(messages)
        raise ValidationError(errors) from None


@contextmanager
def _without_constraint_echo() -> Iterator[None]:
    """`create_source` also reports the check constraint behind a field error
    ("Constraint … is violated"), which tells the client nothing more."""
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and set(exc.error_dict) - {NON_FIELD_ERRORS}:
            errors = exc.message_dict
            errors.pop(NON_FIELD_ERRORS, None)
            raise ValidationError(errors) from None
        raise


def _not_found(message: str) -> HttpError:
    return HttpError(404, message)


def _person_not_found(person_id: int) -> HttpError:
    return _not_found(_("No person has the ID %(id)s.") % {"id": person_id})


def _organization_not_found(organization_id: int) -> HttpError:
    return _not_found(_("No organization has the ID %(id)s.") % {"id": organization_id})


def _person_to_change(viewer: User, person_id: int) -> Person:
    """The person a service will change, if the viewer may see them. Never shaped
    into a response: its identity numbers are not masked."""
    try:
        return person_or_404(viewer, person_id)
    except Http404:
        raise _person_not_found(person_id) from None


def _organization_to_change(organization_id: int) -> Organization:
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise _organization_not_found(organization_id)
    return organization


# --- parsing ----------------------------------------------------------------


def _create_source(viewer: User, data: SourceIn, prefix: str = "source.") -> Source:
    errors: dict[str, list[str]] = {}
    related_person = None
    if data.related_person_id is not None:
        # Only the key: this code never needs the person's data.
        related_person = (
            Person.objects.only("pk")
            .filter(owned_by_visible(viewer), pk=data.related_person_id)
            .first()
        )
        if related_person is None:
            errors[f"{prefix}related_person_id"] = [_("No person has this ID.")]
    partner = None
    if data.partner_id is not None:
        partner = Organization.objects.filter(pk=data.partner_id).first()
        if partner is None:
            errors[f"{prefix}partner_id"] = [_("No organization has this ID.")]
    if errors:
        raise ValidationError(errors)
    collected_at = data.collected_at
    if collected_at is not None and timezone.is_naive(collected_at):
        collected_at = timezone.make_aware(collected_at)
    with (
        _fields_under(prefix, {"related_person": "related_person_id", "partner": "partner_id"}),
        _without_constraint_echo(),
    ):
        return services.create_source(
            viewer,
            kind=data.kind,
            channel=data.channel,
            related_person=related_person,
            partner=partner,
            agreement_reference=data.agreement_reference,
            note=data.note,
            collected_at=collected_at,
        )


_PERSON_NAMES = {"employer": "employer_id", "owner": "owner_id"}
_NULLABLE = {"date_of_birth", "employer", "owner"}


def _model_values(data: dict[str, Any]) -> dict[str, Any]:
    """Request fields -> service keyword arguments: IDs become objects, null an
    empty text (the models keep text fields not null)."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        if name == "employer_id":
            employer = None
            if value is not None:
                employer = Organization.objects.filter(pk=value).first()
                if employer is None:
                    errors[name] = [_("No organization has this ID.")]
            values["employer"] = employer
        elif name == "owner_id":
            owner = None
            if value is not None:
                owner = User.objects.filter(pk=value, is_active=True).first()
                if owner is None:
                    errors[name] = [_("No active staff user has this ID.")]
            values["owner"] = owner
        elif value is None and name not in _NULLABLE:
            values[name] = ""
        elif name == "passport_country":
            values[name] = value.upper()
        else:
            values[name] = value
    if errors:
        raise ValidationError(errors)
    return values


def _add_contact(
    viewer: User,
    owner: Person | Organization,
    kind: str,
    item: EmailIn | PhoneIn | SocialIn | AddressIn,
    source: Source,
    prefix: str = "",
) -> services.ContactPointModel:
    values = item.model_dump(exclude={"is_primary", "source"})
    if kind == "address":
        values["province"] = values["province"] or ""
        values["country"] = values["country"].upper()
    with _fields_under(prefix):
        return services.add_contact_point(
            viewer, owner, kind, values, source=source, is_primary=item.is_primary, channel=API
        )


def _add_contacts(
    viewer: User,
    owner: Person | Organization,
    payload: PersonCreate | OrganizationCreate,
    source: Source,
) -> None:
    """Each contact point of a new record, so that an error names its place
    in the list (`phones.1.number`)."""
    groups: list[tuple[str, str, list[Any]]] = [
        ("email", "emails", payload.emails),
        ("phone", "phones", payload.phones),
        ("social", "socials", getattr(payload, "socials", [])),
        ("address", "addresses", payload.addresses),
    ]
    for kind, field, items in groups:
        for index, item in enumerate(items):
            _add_contact(viewer, owner, kind, item, source, prefix=f"{field}.{index}.")


# --- shaping ----------------------------------------------------------------


def _source_out(source: Source) -> dict[str, Any]:
    return {
        "id": source.pk,
        "kind": source.kind,
        "channel": source.channel,
        "related_person_id": source.related_person_id,
        "partner_id": source.partner_id,
        "agreement_reference": source.agreement_reference,
        "note": source.note,
        "collected_at": source.collected_at,
        "collected_by": source.collected_by.username if source.collected_by else None,
    }


_CONTACT_FIELDS = {
    EmailAddress: ("email",),
    PhoneNumber: ("kind", "number"),
    SocialAccount: ("platform", "handle", "platform_user_id"),
    PostalAddress: (
        "country",
        "house_number",
        "moo",
        "building",
        "soi",
        "road",
        "subdistrict",
        "district",
        "province",
        "postcode",
        "foreign_address",
    ),
}


def _contact_out(contact: services.ContactPointModel) -> dict[str, Any]:
    out = {
        "id": contact.pk,
        "label": contact.label,
        "is_primary": contact.is_primary,
        "source": _source_out(contact.source),
        "created_at": contact.created_at,
    }
    for name in _CONTACT_FIELDS[type(contact)]:
        out[name] = getattr(contact, name)
    if isinstance(contact, PostalAddress):
        out["formatted"] = str(contact)
    return out


def _organization_ref(organization: Organization | None) -> dict[str, Any] | None:
    if organization is None:
        return None
    return {"id": organization.pk, "name_th": organization.name_th, "name_en": organization.name_en}


def _person_ref(person: Person) -> dict[str, Any]:
    return {"id": person.pk, "name_th": person.name_th, "name_en": person.name_en}


_PERSON_TEXT = (
    "title",
    "first_name_th",
    "middle_name_th",
    "last_name_th",
    "nickname_th",
    "first_name_en",
    "middle_name_en",
    "last_name_en",
    "nickname_en",
    "name_th",
    "name_en",
    "gender",
    "date_of_birth",
    "national_id",
    "passport_number",
    "passport_country",
    "occupation",
    "employer_name",
    "position",
    "lifecycle_stage",
    "merged_into_id",
    "created_at",
    "updated_at",
)


def _person_summary(
    person: Person, primary_email: EmailAddress | None, primary_phone: PhoneNumber | None
) -> dict[str, Any]:
    """`person` must come from a selector: its identity numbers are masked there."""
    out = {name: getattr(person, name) for name in _PERSON_TEXT}
    out.update(
        id=person.pk,
        age=person.age(),
        employer=_organization_ref(person.employer),
        owner={"id": person.owner.pk, "username": person.owner.username} if person.owner else None,
        tags=[tag.name for tag in person.tags.all()],
        primary_email=primary_email.email if primary_email else None,
        primary_phone=primary_phone.number if primary_phone else None,
    )
    return out


def _role_out(role: OrganizationRole) -> dict[str, Any]:
    return {
        "id": role.pk,
        "organization": _organization_ref(role.organization),
        "role": role.role,
        "share_percent": role.share_percent,
        "start_date": role.start_date,
        "end_date": role.end_date,
    }


def _person_out(detail: PersonDetail) -> dict[str, Any]:
    primary_email = next((e for e in detail.emails if e.is_primary), None)
    primary_phone = next(
        (p for p in detail.phones if p.is_primary and p.kind == PhoneNumber.Kind.MOBILE), None
    )
    out = _person_summary(detail.person, primary_email, primary_phone)
    out.update(
        source=_source_out(detail.person.source),
        emails=[_contact_out(c) for c in detail.emails],
        phones=[_contact_out(c) for c in detail.phones],
        socials=[_contact_out(c) for c in detail.socials],
        addresses=[_contact_out(c) for c in detail.addresses],
        roles=[_role_out(role) for role in detail.roles],
    )
    return out


def _read_person(viewer: User, person_id: int) -> dict[str, Any]:
    try:
        detail = person_detail(viewer, person_id, channel=API)
    except Http404:
        raise _person_not_found(person_id) from None
    return _person_out(detail)


def _organization_summary(organization: Organization) -> dict[str, Any]:
    names = (
        "kind",
        "name_th",
        "name_en",
        "tax_id",
        "branch",
        "is_head_office",
        "industry",
        "website",
        "created_at",
        "updated_at",
    )
    out = {name: getattr(organization, name) for name in names}
    out.update(id=organization.pk, tags=[tag.name for tag in organization.tags.all()])
    return out


def _read_organization(viewer: User, organization_id: int) -> dict[str, Any]:
    try:
        detail = organization_detail(viewer, organization_id, channel=API)
    except Http404:
        raise _organization_not_found(organization_id) from None
    out = _organization_summary(detail.organization)
    out.update(
        source=_source_out(detail.organization.source),
        emails=[_contact_out(c) for c in detail.emails],
        phones=[_contact_out(c) for c in detail.phones],
        addresses=[_contact_out(c) for c in detail.addresses],
        members=[
            {
                "id": role.pk,
                "person": _person_ref(role.person),
                "role": role.role,
                "share_percent": role.share_percent,
                "start_date": role.start_date,
                "end_date": role.end_date,
            }
            for role in detail.people
        ],
        employees=[_person_ref(person) for person in detail.employees],
    )
    return out


def _check_cursor(cursor: str | None, field: Field) -> None:
    """A cursor that does not parse, or whose value the sort `field` cannot hold."""
    if cursor and decode_cursor(cursor, field) is None:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "cursor"),
                    "type": "cursor",
                    "msg": _("This cursor is not valid: pass the next_cursor of a page."),
                }
            ]
        )


# --- persons ----------------------------------------------------------------


@persons_router.get("", response=_answers(200, PersonPageOut, 422), summary="List people")
def list_persons(request: HttpRequest, filters: Query[PersonListQuery]) -> dict[str, Any]:
    """People matching the search and filters, newest first unless sorted otherwise.
    Pages with a cursor: pass `next_cursor` as `cursor` until it is null."""
    viewer = _viewer(request)
    _check_cursor(filters.cursor, sort_field(Person, PERSON_SORTS, filters.sort))
    page = people_page(
        viewer,
        PersonFilters(
            query=filters.q,
            lifecycle_stage=filters.lifecycle_stage or "",
            tag=filters.tag or "",
            owner=filters.owner,
            province=filters.province or "",
            organization=filters.organization,
            source_kind=filters.source_kind or "",
            sort=filters.sort,
        ),
        filters.cursor,
        channel=API,
        page_size=filters.limit,
    )
    items = [
        # The list's query fetches only the primary email and primary mobile.
        _person_summary(
            person,
            next(iter(person.emailaddresss.all()), None),
            next(iter(person.phonenumbers.all()), None),
        )
        for person in page.items
    ]
    return {"items": items, "next_cursor": page.next_cursor}


@persons_router.post("", response=_answers(201, PersonOut, 422), summary="Create a person")
def create_person(request: HttpRequest, payload: PersonCreate) -> Status[dict[str, Any]]:
    """A new person with contact points, all from the one `source` given."""
    viewer = _viewer(request)
    fields = payload.model_dump(
        exclude={"source", "tags", "emails", "phones", "socials", "addresses"}
    )
    with transaction.atomic():
        source = _create_source(viewer, payload.source)
        with _fields_under(names=_PERSON_NAMES):
            person = services.create_person(
                viewer, source=source, tags=payload.tags, channel=API, **_model_values(fields)
            )
        _add_contacts(viewer, person, payload, source)
    return Status(201, _read_person(viewer, person.pk))


@persons_router.get("/{person_id}", response=_answers(200, PersonOut, 404), summary="Get a person")
def read_person(request: HttpRequest, person_id: PersonId) -> dict[str, Any]:
    """One person with all contact points, each with its source, and roles."""
    return _read_person(_viewer(request), person_id)


@persons_router.patch(
    "/{person_id}", response=_answers(200, PersonOut, 404, 422), summary="Change a person"
)
def update_person(
    request: HttpRequest, person_id: PersonId, payload: PersonUpdate
) -> dict[str, Any]:
    """Changes the fields sent and nothing else."""
    viewer = _viewer(request)
    changes = payload.model_dump(exclude_unset=True)
    person = _person_to_change(viewer, person_id)
    refused = [name for name in IDENTITY_FIELDS if name in changes]
    if refused and not can_see_identity_numbers(viewer):
        raise HttpError(
            403,
            _("Your role may not change identity numbers: %(fields)s.")
            % {"fields": ", ".join(refused)},
        )
    tags = changes.pop("tags", None)
    with _fields_under(names=_PERSON_NAMES):
        services.update_person(viewer, person, tags=tags, channel=API, **_model_values(changes))
    return _read_person(viewer, person_id)


@persons_router.delete(
    "/{person_id}", response=_answers(204, None, 404, 409), summary="Delete a person"
)
def delete_person(request: HttpRequest, person_id: PersonId) -> Status[None]:
    """Deletes the person with contact points, roles and relationships."""
    viewer = _viewer(request)
    person = _person_to_change(viewer, person_id)
    try:
        services.delete_person(viewer, person, channel=API)
    except (ProtectedError, RestrictedError):
        raise HttpError(
            409, _("Other records name this person as their source; it cannot be deleted.")
        ) from None
    return Status(204, None)


def _add_person_contact(
    request: HttpRequest,
    person_id: int,
    kind: str,
    payload: EmailAdd | PhoneAdd | SocialAdd | AddressAdd,
) -> Status[dict[str, Any]]:
    viewer = _viewer(request)
    person = _person_to_change(viewer, person_id)
    with transaction.atomic():
        source = _create_source(viewer, payload.source)
        contact = _add_contact(viewer, person, kind, payload, source)
    return Status(201, _contact_out(contact))


@persons_router.post(
    "/{person_id}/contacts/email",
    response=_answers(201, EmailOut, 404, 422),
    summary="Add an email address to a person",
)
def add_person_email(
    request: HttpRequest, person_id: PersonId, payload: EmailAdd
) -> Status[dict[str, Any]]:
    """Adds an email address with its own source. The first becomes primary."""
    return _add_person_contact(request, person_id, "email", payload)


@persons_router.post(
    "/{person_id}/contacts/phone",
    response=_answers(201, PhoneOut, 404, 422),
    summary="Add a phone number to a person",
)
def add_person_phone(
    request: HttpRequest, person_id: PersonId, payload: PhoneAdd
) -> Status[dict[str, Any]]:
    """Adds a phone number with its own source. The first of its kind becomes primary."""
    return _add_person_contact(request, person_id, "phone", payload)


@persons_router.post(
    "/{person_id}/contacts/social",
    response=_answers(201, SocialOut, 404, 422),
    summary="Add a social-media account to a person",
)
def add_person_social(
    request: HttpRequest, person_id: PersonId, payload: SocialAdd
) -> Status[dict[str, Any]]:
    """Adds a social-media account with its own source."""
    return _add_person_contact(request, person_id, "social", payload)


@persons_router.post(
    "/{person_id}/contacts/address",
    response=_answers(201, AddressOut, 404, 422),
    summary="Add a postal address to a person",
)
def add_person_address(
    request: HttpRequest, person_id: PersonId, payload: AddressAdd
) -> Status[dict[str, Any]]:
    """Adds a postal address with its own source. A Thai address needs the
    province and the postcode; a foreign one the address as written there."""
    return _add_person_contact(request, person_id, "address", payload)


def _remove_contact(viewer: User, owner: Person | Organization, kind: str, contact_id: int) -> None:
    owner_field = "person" if isinstance(owner, Person) else "organization"
    contact = CONTACT_MODELS[kind].objects.filter(pk=contact_id, **{owner_field: owner}).first()
    if contact is None:
        raise _not_found(_("No such contact point on this record."))
    services.remove_contact_point(viewer, contact, channel=API)


@persons_router.delete(
    "/{person_id}/contacts/{kind}/{contact_id}",
    response=_answers(204, None, 404, 422),
    summary="Remove a contact point from a person",
)
def remove_person_contact(
    request: HttpRequest, person_id: PersonId, kind: ContactKindPath, contact_id: ContactId
) -> Status[None]:
    """Removes an email, phone, social account or address. When it was the
    primary one, the oldest other of its kind becomes primary."""
    viewer = _viewer(request)
    _remove_contact(viewer, _person_to_change(viewer, person_id), kind, contact_id)
    return Status(204, None)


@persons_router.post(
    "/{person_id}/roles",
    response=_answers(201, RoleOut, 404, 422),
    summary="Add a role at an organization",
)
def add_person_role(
    request: HttpRequest, person_id: PersonId, payload: RoleIn
) -> Status[dict[str, Any]]:
    """Records the person's role at an organization, over a period."""
    viewer = _viewer(request)
    person = _person_to_change(viewer, person_id)
    organization = Organization.objects.filter(pk=payload.organization_id).first()
    if organization is None:
        raise ValidationError({"organization_id": [_("No organization has this ID.")]})
    with _fields_under(names={"organization": "organization_id"}):
        role = services.add_organization_role(
            viewer,
            person,
            organization,
            payload.role,
            share_percent=payload.share_percent,
            start_date=payload.start_date,
            end_date=payload.end_date,
            channel=API,
        )
    return Status(201, _role_out(role))


# --- organizations ----------------------------------------------------------


@organizations_router.get(
    "", response=_answers(200, OrganizationPageOut, 422), summary="List organizations"
)
def list_organizations(
    request: HttpRequest, filters: Query[OrganizationListQuery]
) -> dict[str, Any]:
    """Organizations matching the search, newest first unless sorted otherwise.
    Pages with a cursor: pass `next_cursor` as `cursor` until it is null."""
    viewer = _viewer(request)
    _check_cursor(filters.cursor, sort_field(Organization, ORGANIZATION_SORTS, filters.sort))
    page = organizations_page(
        viewer,
        query=filters.q,
        kind=filters.kind or "",
        sort=filters.sort,
        cursor=filters.cursor,
        channel=API,
        page_size=filters.limit,
    )
    return {
        "items": [_organization_summary(organization) for organization in page.items],
        "next_cursor": page.next_cursor,
    }


@organizations_router.post(
    "", response=_answers(201, OrganizationOut, 422), summary="Create an organization"
)
def create_organization(
    request: HttpRequest, payload: OrganizationCreate
) -> Status[dict[str, Any]]:
    """A new organization with contact points, all from the one `source` given."""
    viewer = _viewer(request)
    fields = payload.model_dump(exclude={"source", "tags", "emails", "phones", "addresses"})
    with transaction.atomic():
        source = _create_source(viewer, payload.source)
        organization = services.create_organization(
            viewer, source=source, tags=payload.tags, channel=API, **fields
        )
        _add_contacts(viewer, organization, payload, source)
    return Status(201, _read_organization(viewer, organization.pk))


@organizations_router.get(
    "/{organization_id}",
    response=_answers(200, OrganizationOut, 404),
    summary="Get an organization",
)
def read_organization(request: HttpRequest, organization_id: OrganizationId) -> dict[str, Any]:
    """One organization with its contact points, the people with a role there
    and its employees."""
    return _read_organization(_viewer(request), organization_id)


@organizations_router.patch(
    "/{organization_id}",
    response=_answers(200, OrganizationOut, 404, 422),
    summary="Change an organization",
)
def update_organization(
    request: HttpRequest, organization_id: OrganizationId, payload: OrganizationUpdate
) -> dict[str, Any]:
    """Changes the fields sent and nothing else."""
    viewer = _viewer(request)
    organization = _organization_to_change(organization_id)
    changes = payload.model_dump(exclude_unset=True)
    tags = changes.pop("tags", None)
    services.update_organization(
        viewer, organization, tags=tags, channel=API, **_model_values(changes)
    )
    return _read_organization(viewer, organization_id)


@organizations_router.delete(
    "/{organization_id}",
    response=_answers(204, None, 404, 409),
    summary="Delete an organization",
)
def delete_organization(request: HttpRequest, organization_id: OrganizationId) -> Status[None]:
    """Deletes the organization with its contact points and roles; its
    employees are kept, without the employer."""
    viewer = _viewer(request)
    organization = _organization_to_change(organization_id)
    try:
        services.delete_organization(viewer, organization, channel=API)
    except (ProtectedError, RestrictedError):
        raise HttpError(
            409,
            _("Other records name this organization as their source; it cannot be deleted."),
        ) from None
    return Status(204, None)


def _add_organization_contact(
    request: HttpRequest,
    organization_id: int,
    kind: str,
    payload: EmailAdd | PhoneAdd | AddressAdd,
) -> Status[dict[str, Any]]:
    viewer = _viewer(request)
    organization = _organization_to_change(organization_id)
    with transaction.atomic():
        source = _create_source(viewer, payload.source)
        contact = _add_contact(viewer, organization, kind, payload, source)
    return Status(201, _contact_out(contact))


@organizations_router.post(
    "/{organization_id}/contacts/email",
    response=_answers(201, EmailOut, 404, 422),
    summary="Add an email address to an organization",
)
def add_organization_email(
    request: HttpRequest, organization_id: OrganizationId, payload: EmailAdd
) -> Status[dict[str, Any]]:
    """Adds an email address with its own source."""
    return _add_organization_contact(request, organization_id, "email", payload)


@organizations_router.post(
    "/{organization_id}/contacts/phone",
    response=_answers(201, PhoneOut, 404, 422),
    summary="Add a phone number to an organization",
)
def add_organization_phone(
    request: HttpRequest, organization_id: OrganizationId, payload: PhoneAdd
) -> Status[dict[str, Any]]:
    """Adds a phone number with its own source."""
    return _add_organization_contact(request, organization_id, "phone", payload)


@organizations_router.post(
    "/{organization_id}/contacts/address",
    response=_answers(201, AddressOut, 404, 422),
    summary="Add a postal address to an organization",
)
def add_organization_address(
    request: HttpRequest, organization_id: OrganizationId, payload: AddressAdd
) -> Status[dict[str, Any]]:
    """Adds a postal address with its own source."""
    return _add_organization_contact(request, organization_id, "address", payload)


@organizations_router.delete(
    "/{organization_id}/contacts/{kind}/{contact_id}",
    response=_answers(204, None, 404, 422),
    summary="Remove a contact point from an organization",
)
def remove_organization_contact(
    request: HttpRequest,
    organization_id: OrganizationId,
    kind: OrganizationContactKindPath,
    contact_id: ContactId,
) -> Status[None]:
    """Removes an email, phone or address of the organization."""
    viewer = _viewer(request)
    _remove_contact(viewer, _organization_to_change(organization_id), kind, contact_id)
    return Status(204, None)
