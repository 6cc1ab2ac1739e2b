"""Writes of people, organizations and their contact points. Each function is
one transaction and one audit entry; views, the API, imports and tasks call
these and never save the models themselves.

Errors are Django `ValidationError`s keyed by field name, so forms and the API
can show each next to the field it is about."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connexion.accounts.actors import Actor, acting_user
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change, record_changes
from connexion.lib.phone import InvalidPhoneNumber, national_format, to_e164
from connexion.people.erased import refuse_if_erased
from connexion.people.models import (
    EmailAddress,
    LifecycleChange,
    Organization,
    OrganizationRole,
    Person,
    PhoneNumber,
    PostalAddress,
    Relationship,
    SocialAccount,
    Source,
    Tag,
)
from connexion.people.validators import normalize_thai_id

ContactPointModel = EmailAddress | PhoneNumber | SocialAccount | PostalAddress
Owner = Person | Organization
UI = AuditEvent.Channel.UI


@dataclass
class ContactDetails:
    """Contact points given together with a new person or organization."""

    emails: list[str] = field(default_factory=list)
    # (kind, number as typed); the first of each kind becomes primary.
    phones: list[tuple[str, str]] = field(default_factory=list)
    # (platform, handle, platform user id)
    socials: list[tuple[str, str, str]] = field(default_factory=list)
    addresses: list[dict[str, str]] = field(default_factory=list)


# --- provenance -------------------------------------------------------------


def create_source(
    actor: Actor,
    *,
    kind: str,
    channel: str,
    related_person: Person | None = None,
    partner: Organization | None = None,
    agreement_reference: str = "",
    note: str = "",
    collected_at: datetime | None = None,
) -> Source:
    """Records where data came from. Policy 4.1-4.3: never optional."""
    errors: dict[str, list[str]] = {}
    if kind == Source.Kind.RELATED_PERSON and related_person is None:
        errors["related_person"] = [_("Name the person who gave this data.")]
    if kind == Source.Kind.PARTNER:
        if partner is None:
            errors["partner"] = [_("Name the partner organization that gave this data.")]
        elif partner.kind != Organization.Kind.PARTNER:
            errors["partner"] = [_("This organization is not marked as a business partner.")]
        if not agreement_reference.strip():
            errors["agreement_reference"] = [_("Give the reference of the data agreement.")]
    if collected_at and collected_at > timezone.now():
        errors["collected_at"] = [_("The collection time cannot be in the future.")]
    source = Source(
        kind=kind,
        channel=channel,
        related_person=related_person if kind == Source.Kind.RELATED_PERSON else None,
        partner=partner if kind == Source.Kind.PARTNER else None,
        agreement_reference=agreement_reference.strip(),
        note=note,
        collected_at=collected_at or timezone.now(),
        collected_by=acting_user(actor),
    )
    try:
        source.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    # Check-constraint messages repeat, without a field, what is said above.
    errors.pop("__all__", None)
    if errors:
        raise ValidationError(errors)
    source.save()
    return source


# --- search text ------------------------------------------------------------


def _phone_search_forms(e164: str) -> list[str]:
    digits = national_format(e164).replace(" ", "").replace("-", "")
    return [e164, e164.lstrip("+"), digits]


def person_search_text(
    person: Person, emails: list[str], numbers: list[str], handles: list[str]
) -> str:
    """Names, nicknames, emails, phone numbers in every form people type them,
    and social handles, lower-cased in one string for substring search."""
    parts = [
        person.first_name_th,
        person.middle_name_th,
        person.last_name_th,
        person.nickname_th,
        person.first_name_en,
        person.middle_name_en,
        person.last_name_en,
        person.nickname_en,
        person.employer_name,
        *emails,
        *handles,
    ]
    for number in numbers:
        parts += _phone_search_forms(number)
    return " ".join(part for part in parts if part).lower()


def refresh_person_search_text(person: Person) -> None:
    text = person_search_text(
        person,
        list(person.emailaddresss.values_list("email", flat=True)),
        list(person.phonenumbers.values_list("number", flat=True)),
        list(person.socialaccounts.values_list("handle", flat=True)),
    )
    if text != person.search_text:
        Person.objects.filter(pk=person.pk).update(search_text=text)
        person.search_text = text


def refresh_organization_search_text(organization: Organization) -> None:
    parts = [organization.name_th, organization.name_en, organization.industry]
    parts += list(organization.emailaddresss.values_list("email", flat=True))
    text = " ".join(part for part in parts if part).lower()
    if text != organization.search_text:
        Organization.objects.filter(pk=organization.pk).update(search_text=text)
        organization.search_text = text


def _refresh_search_text(owner: Owner) -> None:
    if isinstance(owner, Person):
        refresh_person_search_text(owner)
    else:
        refresh_organization_search_text(owner)


# --- helpers ----------------------------------------------------------------


def _display(value: Any) -> Any:
    """What the audit log keeps of a value."""
    if isinstance(value, models.Model):
        return f"#{value.pk} {value}"
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _diff(instance: models.Model, changes: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [_display(getattr(instance, name)), _display(value)]
        for name, value in changes.items()
        if getattr(instance, name) != value
    }


def _clean_identity_numbers(fields: dict[str, Any]) -> None:
    for name in ("national_id", "tax_id"):
        if fields.get(name):
            fields[name] = normalize_thai_id(str(fields[name]))
    if fields.get("passport_number"):
        fields["passport_number"] = str(fields["passport_number"]).strip().upper()


def _owner_kwargs(owner: Owner) -> dict[str, Any]:
    return {"person": owner} if isinstance(owner, Person) else {"organization": owner}


# --- contact points ---------------------------------------------------------


def _primary_scope(contact: ContactPointModel) -> models.QuerySet[Any]:
    siblings = type(contact).objects.filter(**_owner_kwargs(contact.owner))
    if isinstance(contact, PhoneNumber):
        siblings = siblings.filter(kind=contact.kind)
    elif isinstance(contact, SocialAccount):
        siblings = siblings.filter(platform=contact.platform)
    return siblings.exclude(pk=contact.pk)


def _save_contact_point(contact: ContactPointModel, make_primary: bool | None) -> None:
    scope = _primary_scope(contact)
    if make_primary is None:
        # The first of its kind is primary unless told otherwise.
        make_primary = not scope.filter(is_primary=True).exists()
    contact.is_primary = make_primary
    if make_primary:
        # Inside the caller's transaction: undone if the new one is invalid.
        scope.filter(is_primary=True).update(is_primary=False)
    contact.full_clean()
    contact.save()


def _build_phone(owner_kwargs: dict[str, Any], kind: str, raw_number: str, **extra: Any):
    try:
        number = to_e164(raw_number)
    except InvalidPhoneNumber:
        raise ValidationError(
            {"number": [_("“%(value)s” is not a valid phone number.") % {"value": raw_number}]}
        ) from None
    return PhoneNumber(**owner_kwargs, kind=kind, number=number, **extra)


def _build_address(owner_kwargs: dict[str, Any], values: dict[str, str], **extra: Any):
    address = PostalAddress(**owner_kwargs, **values, **extra)
    errors: dict[str, list[str]] = {}
    if address.country == "TH":
        if not address.province:
            errors["province"] = [_("Choose the province.")]
        if not address.postcode:
            errors["postcode"] = [_("Enter a postcode of 5 digits.")]
    elif not address.foreign_address.strip():
        errors["foreign_address"] = [_("Write the address as it is used in that country.")]
    if errors:
        raise ValidationError(errors)
    return address


@transaction.atomic
def add_contact_point(
    actor: Actor,
    owner: Owner,
    kind: str,
    values: dict[str, Any],
    *,
    source: Source,
    is_primary: bool | None = None,
    channel: str = UI,
    refresh_search: bool = True,
) -> ContactPointModel:
    """Adds an email, phone, social account or address. `kind` is `email`,
    `phone` (values: kind, number), `social` or `address`."""
    refuse_if_erased(owner)
    common = {**_owner_kwargs(owner), "source": source, "label": values.get("label", "")}
    contact: ContactPointModel
    if kind == "email":
        contact = EmailAddress(**common, email=str(values.get("email", "")).strip().lower())
    elif kind == "phone":
        contact = _build_phone(
            common, values.get("kind") or PhoneNumber.Kind.MOBILE, str(values.get("number", ""))
        )
    elif kind == "social":
        contact = SocialAccount(
            **common,
            platform=values.get("platform", ""),
            handle=str(values.get("handle", "")).strip().lstrip("@"),
            platform_user_id=str(values.get("platform_user_id", "")).strip(),
        )
        if not contact.handle and not contact.platform_user_id:
            raise ValidationError({"handle": [_("Give the handle or the platform's user ID.")]})
    elif kind == "address":
        address_values = {k: v for k, v in values.items() if k != "label"}
        contact = _build_address(common, address_values)
    else:
        raise ValueError(kind)
    _save_contact_point(contact, is_primary)
    if refresh_search:
        _refresh_search_text(owner)
    record_change(
        actor,
        f"people.add_{kind}",
        owner,
        {f"{kind}:{contact.pk}": [None, str(contact)]},
        channel=channel,
    )
    return contact


@transaction.atomic
def make_primary(actor: Actor, contact: ContactPointModel, *, channel: str = UI) -> None:
    if contact.is_primary:
        return
    _save_contact_point(contact, True)
    record_change(
        actor,
        "people.make_primary",
        contact.owner,
        {f"{contact._meta.model_name}:{contact.pk}": ["", "primary"]},
        channel=channel,
    )


@transaction.atomic
def remove_contact_point(actor: Actor, contact: ContactPointModel, *, channel: str = UI) -> None:
    owner = contact.owner
    description = str(contact)
    key = f"{contact._meta.model_name}:{contact.pk}"
    was_primary = contact.is_primary
    scope = _primary_scope(contact)
    contact.delete()
    if was_primary:
        # Another of the same kind takes over as primary.
        successor = scope.order_by("id").first()
        if successor is not None:
            successor.is_primary = True
            successor.save(update_fields=["is_primary"])
    _refresh_search_text(owner)
    record_change(
        actor, "people.remove_contact_point", owner, {key: [description, None]}, channel=channel
    )


def _contact_values(contacts: ContactDetails) -> list[tuple[str, dict[str, Any]]]:
    """The contact points of `contacts` as (kind, values) for add_contact_point."""
    return [
        *(("email", {"email": email}) for email in contacts.emails),
        *(("phone", {"kind": kind, "number": number}) for kind, number in contacts.phones),
        *(
            ("social", {"platform": platform, "handle": handle, "platform_user_id": user_id})
            for platform, handle, user_id in contacts.socials
        ),
        *(("address", address) for address in contacts.addresses),
    ]


def _add_contacts(
    actor: Actor, owner: Owner, contacts: ContactDetails, source: Source, channel: str
) -> None:
    # The caller refreshes the search text once, after all of them.
    for kind, values in _contact_values(contacts):
        add_contact_point(
            actor, owner, kind, values, source=source, channel=channel, refresh_search=False
        )


# --- people -----------------------------------------------------------------

PERSON_FIELDS = {
    "title",
    "first_name_th",
    "middle_name_th",
    "last_name_th",
    "nickname_th",
    "first_name_en",
    "middle_name_en",
    "last_name_en",
    "nickname_en",
    "gender",
    "date_of_birth",
    "national_id",
    "passport_number",
    "passport_country",
    "occupation",
    "employer",
    "employer_name",
    "position",
    "lifecycle_stage",
    "owner",
}


def _check_person(person: Person, *, in_python_only: bool = False) -> None:
    """The model's validation and the rules below. `in_python_only` skips the
    checks that query the database (foreign keys, constraints), for a batch
    whose references the caller already holds."""
    errors: dict[str, list[str]] = {}
    try:
        if in_python_only:
            person.full_clean(
                exclude=["source", "employer", "owner"],
                validate_unique=False,
                validate_constraints=False,
            )
        else:
            person.full_clean(exclude=["source"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not (
        person.first_name_th or person.last_name_th or person.first_name_en or person.last_name_en
    ):
        errors.setdefault("first_name_th", []).append(
            _("Give a first or last name, in Thai or Latin script.")
        )
    if person.passport_number and not person.passport_country:
        errors.setdefault("passport_country", []).append(
            _("Give the country that issued the passport.")
        )
    # `__all__` holds the check-constraint messages already put to a field above.
    errors.pop("__all__", None)
    if errors:
        raise ValidationError(errors)


def _set_tags(instance: Person | Organization, names: list[str]) -> None:
    names = [name.strip() for name in names if name.strip()]
    if any(len(name) > Tag._meta.get_field("name").max_length for name in names):
        # Before any tag is written; the callers' transaction undoes the rest.
        raise ValidationError({"tags": _("A tag is too long: at most 60 characters.")})
    instance.tags.set([Tag.objects.get_or_create(name=name)[0] for name in names])


@transaction.atomic
def create_person(
    actor: Actor,
    *,
    source: Source,
    contacts: ContactDetails | None = None,
    tags: list[str] | None = None,
    channel: str = UI,
    **fields: Any,
) -> Person:
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"not person fields: {sorted(unknown)}")
    _clean_identity_numbers(fields)
    person = Person(source=source, **fields)
    _check_person(person)
    person.save()
    LifecycleChange.objects.create(
        person=person,
        stage=person.lifecycle_stage,
        changed_by=acting_user(actor),
    )
    if tags:
        _set_tags(person, tags)
    _add_contacts(actor, person, contacts or ContactDetails(), source, channel)
    refresh_person_search_text(person)
    record_change(
        actor,
        "people.create_person",
        person,
        {
            name: [None, _display(value)]
            for name, value in fields.items()
            if value not in ("", None)
        },
        channel=channel,
    )
    return person


@transaction.atomic
def update_person(
    actor: Actor,
    person: Person,
    *,
    tags: list[str] | None = None,
    channel: str = UI,
    **changes: Any,
) -> Person:
    unknown = set(changes) - PERSON_FIELDS
    refuse_if_erased(person)
    if unknown:
        raise TypeError(f"not person fields: {sorted(unknown)}")
    if getattr(person, "identity_masked", False):
        # A selector masked this copy for display; saving it would store the mask.
        raise ValueError("update_person was given a masked copy of the person")
    _clean_identity_numbers(changes)
    diff = _diff(person, changes)
    for name, value in changes.items():
        setattr(person, name, value)
    _check_person(person)
    if diff:
        person.save()
    if "lifecycle_stage" in diff:
        LifecycleChange.objects.create(
            person=person,
            stage=person.lifecycle_stage,
            changed_by=acting_user(actor),
        )
    if tags is not None:
        before = sorted(person.tags.values_list("name", flat=True))
        _set_tags(person, tags)
        after = sorted(person.tags.values_list("name", flat=True))
        if before != after:
            diff["tags"] = [before, after]
    refresh_person_search_text(person)
    if diff:
        record_change(actor, "people.update_person", person, diff, channel=channel)
    return person


@dataclass
class PersonDraft:
    """One person to create in a batch."""

    fields: dict[str, Any]
    contacts: ContactDetails = field(default_factory=ContactDetails)
    tags: list[str] = field(default_factory=list)


def _draft_contact_points(contacts: ContactDetails) -> list[ContactPointModel]:
    """Builds and checks a draft's contact points without touching the database."""
    built: list[ContactPointModel] = []
    for kind, values in _contact_values(contacts):
        if kind == "email":
            contact: ContactPointModel = EmailAddress(email=values["email"].strip().lower())
        elif kind == "phone":
            contact = _build_phone({}, values["kind"], values["number"])
        elif kind == "address":
            contact = _build_address({}, values)
        else:
            contact = SocialAccount(**values)
        contact.full_clean(
            exclude=["person", "organization", "source"],
            validate_unique=False,
            validate_constraints=False,
        )
        built.append(contact)
    return built


def _primary_key(contact: ContactPointModel) -> tuple[str, str]:
    if isinstance(contact, PhoneNumber):
        return ("phone", contact.kind)
    if isinstance(contact, SocialAccount):
        return ("social", contact.platform)
    return (type(contact).__name__, "")


@transaction.atomic
def create_people(
    actor: Actor, drafts: list[PersonDraft], *, source: Source, channel: str = UI
) -> list[Person | ValidationError]:
    """Creates many people at once (imports): the checks of `create_person`,
    made in Python, then one insert per table for the whole batch instead of
    dozens of queries per person. Returns, in order, each new person or the
    error that refused its draft; refused drafts write nothing."""
    results: list[Person | ValidationError] = []
    accepted: list[tuple[Person, list[ContactPointModel], list[str], dict[str, Any]]] = []
    for draft in drafts:
        fields = dict(draft.fields)
        unknown = set(fields) - PERSON_FIELDS
        if unknown:
            raise TypeError(f"not person fields: {sorted(unknown)}")
        _clean_identity_numbers(fields)
        person = Person(source=source, **fields)
        try:
            _check_person(person, in_python_only=True)
            contacts = _draft_contact_points(draft.contacts)
        except ValidationError as error:
            results.append(error)
            continue
        person.search_text = person_search_text(
            person,
            [c.email for c in contacts if isinstance(c, EmailAddress)],
            [c.number for c in contacts if isinstance(c, PhoneNumber)],
            [c.handle for c in contacts if isinstance(c, SocialAccount)],
        )
        results.append(person)
        accepted.append((person, contacts, [t.strip() for t in draft.tags if t.strip()], fields))

    people = Person.objects.bulk_create([person for person, *_rest in accepted], batch_size=500)
    acting = acting_user(actor)
    actor_id = acting.pk if acting else None
    LifecycleChange.objects.bulk_create(
        [
            LifecycleChange(person=p, stage=p.lifecycle_stage, changed_by_id=actor_id)
            for p in people
        ],
        batch_size=1000,
    )
    by_model: dict[type[Any], list[ContactPointModel]] = {}
    for person, contacts, _tags, _fields in accepted:
        seen: set[tuple[str, str]] = set()
        for contact in contacts:
            contact.person = person
            contact.source = source
            contact.is_primary = _primary_key(contact) not in seen
            seen.add(_primary_key(contact))
            by_model.setdefault(type(contact), []).append(contact)
    for model, contacts in by_model.items():
        model.objects.bulk_create(contacts, batch_size=1000)

    names = {name for _person, _contacts, tags, _fields in accepted for name in tags}
    if names:
        Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
        tag_ids = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
        Person.tags.through.objects.bulk_create(
            [
                Person.tags.through(person_id=person.pk, tag_id=tag_ids[name])
                for person, _contacts, tags, _fields in accepted
                for name in dict.fromkeys(tags)
            ],
            batch_size=1000,
        )
    record_changes(
        actor,
        "people.create_person",
        [
            (person, {n: [None, _display(v)] for n, v in fields.items() if v not in ("", None)})
            for person, _contacts, _tags, fields in accepted
        ],
        channel=channel,
    )
    return results


@transaction.atomic
def delete_person(actor: Actor, person: Person, *, channel: str = UI) -> None:
    person_id = person.pk
    record_change(
        actor, "people.delete_person", person, {"person": [str(person_id), None]}, channel=channel
    )
    person.delete()


# --- organizations ----------------------------------------------------------

ORGANIZATION_FIELDS = {"kind", "name_th", "name_en", "tax_id", "branch", "industry", "website"}


def _check_organization(organization: Organization) -> None:
    errors: dict[str, list[str]] = {}
    try:
        organization.full_clean(exclude=["source"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not (organization.name_th or organization.name_en):
        errors.setdefault("name_th", []).append(_("Give the legal name in Thai or English."))
    errors.pop("__all__", None)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_organization(
    actor: Actor,
    *,
    source: Source,
    contacts: ContactDetails | None = None,
    tags: list[str] | None = None,
    channel: str = UI,
    **fields: Any,
) -> Organization:
    unknown = set(fields) - ORGANIZATION_FIELDS
    if unknown:
        raise TypeError(f"not organization fields: {sorted(unknown)}")
    _clean_identity_numbers(fields)
    organization = Organization(source=source, **fields)
    _check_organization(organization)
    organization.save()
    if tags:
        _set_tags(organization, tags)
    _add_contacts(actor, organization, contacts or ContactDetails(), source, channel)
    refresh_organization_search_text(organization)
    record_change(
        actor,
        "people.create_organization",
        organization,
        {
            name: [None, _display(value)]
            for name, value in fields.items()
            if value not in ("", None)
        },
        channel=channel,
    )
    return organization


@transaction.atomic
def update_organization(
    actor: Actor,
    organization: Organization,
    *,
    tags: list[str] | None = None,
    channel: str = UI,
    **changes: Any,
) -> Organization:
    unknown = set(changes) - ORGANIZATION_FIELDS
    if unknown:
        raise TypeError(f"not organization fields: {sorted(unknown)}")
    _clean_identity_numbers(changes)
    diff = _diff(organization, changes)
    for name, value in changes.items():
        setattr(organization, name, value)
    _check_organization(organization)
    if diff:
        organization.save()
    if tags is not None:
        _set_tags(organization, tags)
    refresh_organization_search_text(organization)
    if diff:
        record_change(actor, "people.update_organization", organization, diff, channel=channel)
    return organization


@transaction.atomic
def delete_organization(actor: Actor, organization: Organization, *, channel: str = UI) -> None:
    record_change(
        actor,
        "people.delete_organization",
        organization,
        {"organization": [str(organization.pk), None]},
        channel=channel,
    )
    organization.delete()


# --- roles and relationships ------------------------------------------------


@transaction.atomic
def add_organization_role(
    actor: Actor,
    person: Person,
    organization: Organization,
    role: str,
    *,
    share_percent: Any = None,
    start_date: Any = None,
    end_date: Any = None,
    channel: str = UI,
) -> OrganizationRole:
    refuse_if_erased(person)
    if role != OrganizationRole.Role.SHAREHOLDER and share_percent is not None:
        raise ValidationError({"share_percent": [_("Only a shareholder has a share.")]})
    membership = OrganizationRole(
        person=person,
        organization=organization,
        role=role,
        share_percent=share_percent,
        start_date=start_date,
        end_date=end_date,
    )
    if start_date and end_date and end_date < start_date:
        raise ValidationError({"end_date": [_("The end date is before the start date.")]})
    membership.full_clean()
    membership.save()
    record_change(
        actor,
        "people.add_organization_role",
        person,
        {f"role:{membership.pk}": [None, f"{role} @ {organization.pk}"]},
        channel=channel,
    )
    return membership


@transaction.atomic
def end_organization_role(
    actor: Actor, membership: OrganizationRole, end_date: Any, *, channel: str = UI
) -> None:
    if membership.start_date and end_date < membership.start_date:
        raise ValidationError({"end_date": [_("The end date is before the start date.")]})
    before = _display(membership.end_date)
    membership.end_date = end_date
    membership.save(update_fields=["end_date"])
    record_change(
        actor,
        "people.end_organization_role",
        membership.person,
        {f"role:{membership.pk}.end_date": [before, _display(end_date)]},
        channel=channel,
    )


@transaction.atomic
def add_relationship(
    actor: Actor, person: Person, other: Person, kind: str, *, note: str = "", channel: str = UI
) -> Relationship:
    if person.pk == other.pk:
        raise ValidationError({"other": [_("A person cannot be related to themselves.")]})
    refuse_if_erased(person)
    refuse_if_erased(other, "other")
    relationship = Relationship(person=person, other=other, kind=kind, note=note)
    relationship.full_clean()
    relationship.save()
    record_change(
        actor,
        "people.add_relationship",
        person,
        {f"relationship:{relationship.pk}": [None, f"{kind} {other.pk}"]},
        channel=channel,
    )
    return relationship
