"""Request and response bodies of the people and organizations API.

Request bodies forbid unknown fields, so a misspelt name is a 422 naming it
rather than silently ignored. Choices come from the models' own choices, so
the OpenAPI document lists the values the database accepts."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field

from connexion.api.schemas import RecordId, TextInput
from connexion.lib.thai import PROVINCES
from connexion.people.models import (
    Organization,
    OrganizationRole,
    Person,
    PhoneNumber,
    SocialAccount,
    Source,
)
from connexion.people.selectors import ORGANIZATION_SORTS, PERSON_SORTS


def _one_of(values: list[str] | tuple[str, ...]) -> Any:
    """A `Literal` of the given values: an `enum` in the OpenAPI document."""
    return Literal[tuple(values)]  # type: ignore[valid-type]


SourceKind = _one_of(Source.Kind.values)
SourceChannel = _one_of(Source.Channel.values)
Gender = _one_of(Person.Gender.values)
LifecycleStage = _one_of(Person.Lifecycle.values)
PhoneKind = _one_of(PhoneNumber.Kind.values)
Platform = _one_of(SocialAccount.Platform.values)
OrganizationKind = _one_of(Organization.Kind.values)
Role = _one_of(OrganizationRole.Role.values)
Province = _one_of([thai for thai, _english in PROVINCES])
PersonSort = _one_of(list(PERSON_SORTS))
OrganizationSort = _one_of(list(ORGANIZATION_SORTS))
ContactKind = Literal["email", "phone", "social", "address"]
OrganizationContactKind = Literal["email", "phone", "address"]

MAX_PAGE_SIZE = 200


class _Input(TextInput):
    model_config = ConfigDict(extra="forbid")


# --- errors -----------------------------------------------------------------


class ErrorDetailOut(Schema):
    detail: str = Field(description="What went wrong, in the language of the request.")


def _name_in(schema: dict[str, Any]) -> None:
    """`in` is a Python keyword: the attribute is `in_`, the JSON key `in`."""
    schema["properties"] = {
        ("in" if name == "in_" else name): value for name, value in schema["properties"].items()
    }
    schema["required"] = ["in" if name == "in_" else name for name in schema["required"]]


class FieldErrorOut(Schema):
    model_config = ConfigDict(json_schema_extra=_name_in)

    field: str = Field(
        description="The field at fault, dotted for nested ones (`phones.0.number`)."
    )
    in_: str = Field(alias="in", description="Where the field was sent: `body`, `query` or `path`.")
    message: str = Field(description="What is wrong with it, in the language of the request.")


class FieldErrorsOut(Schema):
    detail: str = Field(description="A summary: the request has invalid fields.")
    errors: list[FieldErrorOut] = Field(description="One entry per problem, naming the field.")


# --- provenance -------------------------------------------------------------


class SourceIn(_Input):
    """Where the data came from (policy 4.1-4.3). Required for every new record
    and every contact point added later."""

    kind: SourceKind = Field(  # type: ignore[valid-type]
        description="Who gave the data: the person directly, a related person or a partner."
    )
    channel: SourceChannel = Field(  # type: ignore[valid-type]
        description="How the data reached the business."
    )
    related_person_id: int | None = Field(
        None, description="The person who gave the data; required when kind is related_person."
    )
    partner_id: int | None = Field(
        None,
        description="The partner organization that gave the data; required when kind is "
        "partner. The organization must be of kind partner.",
    )
    agreement_reference: str = Field(
        "",
        max_length=100,
        description="Reference of the data-sharing agreement; required when kind is partner.",
    )
    note: str = Field("", max_length=200, description="A free note on the collection.")
    collected_at: datetime | None = Field(
        None,
        description="When the data was collected (ISO 8601); now when omitted. Not in the "
        "future. A time without offset is read as Bangkok time.",
    )


class SourceOut(Schema):
    id: int = Field(description="ID of the collection event.")
    kind: str = Field(description="direct, related_person or partner.")
    channel: str = Field(description="web_form, email, chat, phone, in_person or import.")
    related_person_id: int | None = Field(description="The person who gave the data, if any.")
    partner_id: int | None = Field(description="The partner organization that gave the data.")
    agreement_reference: str = Field(description="Reference of the data-sharing agreement.")
    note: str = Field(description="A free note on the collection.")
    collected_at: datetime = Field(description="When the data was collected.")
    collected_by: str | None = Field(
        description="Username of the staff member who recorded it; null for imports or "
        "deleted users."
    )


# --- contact points ---------------------------------------------------------


class _ContactIn(_Input):
    label: str = Field("", max_length=40, description="A label such as `work` or `home`.")
    is_primary: bool | None = Field(
        None,
        description="Make this the primary one of its kind. Omitted: primary only if there "
        "is no primary one yet.",
    )


class EmailIn(_ContactIn):
    email: str = Field(max_length=254, description="The email address.")


def _email_object(value: Any) -> Any:
    return {"email": value} if isinstance(value, str) else value


# A plain string is accepted as shorthand for `{"email": "..."}`.
EmailItem = Annotated[EmailIn, BeforeValidator(_email_object, json_schema_input_type=EmailIn | str)]


class PhoneIn(_ContactIn):
    kind: PhoneKind = Field(  # type: ignore[valid-type]
        "mobile", description="mobile, landline or fax."
    )
    number: str = Field(
        max_length=30,
        description="In any usual format: `081-234-5678`, `0812345678` or `+66812345678`. "
        "Stored as E.164.",
    )


class SocialIn(_ContactIn):
    platform: Platform = Field(description="The platform.")  # type: ignore[valid-type]
    handle: str = Field("", max_length=100, description="The handle; a leading @ is dropped.")
    platform_user_id: str = Field(
        "", max_length=100, description="The platform's user ID; give it or the handle."
    )


class AddressIn(_ContactIn):
    country: str = Field(
        "TH", min_length=2, max_length=2, description="ISO 3166 two-letter country code."
    )
    house_number: str = Field("", max_length=30, description="House number (บ้านเลขที่).")
    moo: str = Field("", max_length=10, description="Village number (หมู่ที่).")
    building: str = Field("", max_length=120, description="Village or building name.")
    soi: str = Field("", max_length=80, description="Lane (ซอย), without the word ซอย.")
    road: str = Field("", max_length=80, description="Road (ถนน), without the word ถนน.")
    subdistrict: str = Field("", max_length=80, description="Subdistrict (ตำบล/แขวง).")
    district: str = Field("", max_length=80, description="District (อำเภอ/เขต).")
    province: Province | None = Field(  # type: ignore[valid-type]
        None, description="Province, in Thai; required for a Thai address."
    )
    postcode: str = Field(
        "", max_length=10, description="Postcode of 5 digits; required for a Thai address."
    )
    foreign_address: str = Field(
        "", max_length=1000, description="The whole address, for an address outside Thailand."
    )


class EmailAdd(EmailIn):
    source: SourceIn = Field(description="Where this email address came from.")


class PhoneAdd(PhoneIn):
    source: SourceIn = Field(description="Where this phone number came from.")


class SocialAdd(SocialIn):
    source: SourceIn = Field(description="Where this account came from.")


class AddressAdd(AddressIn):
    source: SourceIn = Field(description="Where this address came from.")


class _ContactOut(Schema):
    id: int = Field(description="ID of the contact point, unique within its kind.")
    label: str = Field(description="A label such as `work` or `home`.")
    is_primary: bool = Field(description="Whether it is the primary one of its kind.")
    source: SourceOut = Field(description="Where it came from.")
    created_at: datetime = Field(description="When it was recorded.")


class EmailOut(_ContactOut):
    email: str = Field(description="The email address, in lower case.")


class PhoneOut(_ContactOut):
    kind: str = Field(description="mobile, landline or fax.")
    number: str = Field(description="The number in E.164 (`+66812345678`).")


class SocialOut(_ContactOut):
    platform: str = Field(description="line, facebook, instagram, x, tiktok or other.")
    handle: str = Field(description="The handle, without @.")
    platform_user_id: str = Field(description="The platform's user ID.")


class AddressOut(_ContactOut):
    country: str = Field(description="ISO 3166 two-letter country code.")
    house_number: str = Field(description="House number.")
    moo: str = Field(description="Village number.")
    building: str = Field(description="Village or building name.")
    soi: str = Field(description="Lane.")
    road: str = Field(description="Road.")
    subdistrict: str = Field(description="Subdistrict.")
    district: str = Field(description="District.")
    province: str = Field(description="Province, in Thai.")
    postcode: str = Field(description="Postcode.")
    foreign_address: str = Field(description="The address outside Thailand.")
    formatted: str = Field(description="The whole address on one line, as written in Thai.")


# --- references -------------------------------------------------------------


class UserRefOut(Schema):
    id: int = Field(description="ID of the staff user.")
    username: str = Field(description="Username of the staff user.")


class OrganizationRefOut(Schema):
    id: int = Field(description="ID of the organization.")
    name_th: str = Field(description="Legal name in Thai.")
    name_en: str = Field(description="Legal name in English.")


class PersonRefOut(Schema):
    id: int = Field(description="ID of the person.")
    name_th: str = Field(description="Full name in Thai script.")
    name_en: str = Field(description="Full name in Latin script.")


# --- roles ------------------------------------------------------------------


class RoleIn(_Input):
    organization_id: int = Field(description="The organization.")
    role: Role = Field(description="The role at the organization.")  # type: ignore[valid-type]
    share_percent: Decimal | None = Field(
        None,
        ge=0,
        le=100,
        max_digits=5,
        decimal_places=2,
        description="Share in percent; only for a shareholder.",
    )
    start_date: date | None = Field(None, description="Since when (YYYY-MM-DD).")
    end_date: date | None = Field(None, description="Until when (YYYY-MM-DD); not before start.")


class RoleOut(Schema):
    id: int = Field(description="ID of the role.")
    organization: OrganizationRefOut = Field(description="The organization.")
    role: str = Field(description="The role at the organization.")
    share_percent: Decimal | None = Field(description="Share in percent, for a shareholder.")
    start_date: date | None = Field(description="Since when.")
    end_date: date | None = Field(description="Until when.")


class MemberOut(Schema):
    id: int = Field(description="ID of the role.")
    person: PersonRefOut = Field(description="The person holding the role.")
    role: str = Field(description="The role at the organization.")
    share_percent: Decimal | None = Field(description="Share in percent, for a shareholder.")
    start_date: date | None = Field(description="Since when.")
    end_date: date | None = Field(description="Until when.")


# --- people -----------------------------------------------------------------


class PersonListQuery(Schema):
    q: str = Field(
        "",
        max_length=200,
        description="Search by name (Thai or Latin, any part), nickname, email, phone in any "
        "format, or the exact national ID or passport number (only for roles that may see "
        "them).",
    )
    lifecycle_stage: LifecycleStage | None = Field(  # type: ignore[valid-type]
        None, description="Only people at this lifecycle stage."
    )
    tag: str | None = Field(None, max_length=60, description="Only people with this tag (name).")
    owner: RecordId | None = Field(None, description="Only people owned by this staff user (ID).")
    province: Province | None = Field(  # type: ignore[valid-type]
        None, description="Only people with an address in this province (Thai name)."
    )
    organization: RecordId | None = Field(
        None, description="Only people employed by, or with a role at, this organization (ID)."
    )
    source_kind: SourceKind | None = Field(  # type: ignore[valid-type]
        None, description="Only people whose record came from this kind of source."
    )
    sort: PersonSort = Field(  # type: ignore[valid-type]
        "newest", description="Order of the list. Keep it the same while paging."
    )
    cursor: str | None = Field(
        None, max_length=500, description="`next_cursor` of the previous page."
    )
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Items per page, at most 200.")


class _PersonFields(_Input):
    title: str = Field("", max_length=30, description="Title, e.g. นาย, นาง, Mr.")
    first_name_th: str = Field("", max_length=100, description="First name in Thai script.")
    middle_name_th: str = Field("", max_length=100, description="Middle name in Thai script.")
    last_name_th: str = Field("", max_length=100, description="Last name in Thai script.")
    nickname_th: str = Field("", max_length=60, description="Nickname in Thai script.")
    first_name_en: str = Field("", max_length=100, description="First name in Latin script.")
    middle_name_en: str = Field("", max_length=100, description="Middle name in Latin script.")
    last_name_en: str = Field("", max_length=100, description="Last name in Latin script.")
    nickname_en: str = Field("", max_length=60, description="Nickname in Latin script.")
    gender: Gender | None = Field(  # type: ignore[valid-type]
        None, description="Gender, if the person gave it."
    )
    date_of_birth: date | None = Field(
        None, description="Date of birth (YYYY-MM-DD, Gregorian); not in the future."
    )
    national_id: str = Field(
        "",
        max_length=20,
        description="Thai national ID: 13 digits with a valid check digit; dashes and spaces "
        "are ignored.",
    )
    passport_number: str = Field("", max_length=20, description="Passport number.")
    passport_country: str = Field(
        "",
        max_length=2,
        description="ISO 3166 two-letter code of the issuing country; required with a "
        "passport number.",
    )
    occupation: str = Field("", max_length=100, description="Occupation.")
    employer_id: int | None = Field(None, description="The employer, an organization (ID).")
    employer_name: str = Field(
        "", max_length=200, description="The employer's name when it is not in the CRM."
    )
    position: str = Field("", max_length=100, description="Position at the employer.")
    lifecycle_stage: LifecycleStage = Field(  # type: ignore[valid-type]
        "prospect", description="Stage in the customer lifecycle."
    )
    owner_id: int | None = Field(None, description="The staff user responsible (ID).")
    tags: list[str] = Field([], description="Tag names; created when new.")


class PersonCreate(_PersonFields):
    """A new person. Give a first or last name in Thai or Latin script."""

    source: SourceIn = Field(
        description="Where the data came from (policy 4.1-4.3). Required; also the source "
        "of the contact points given here."
    )
    emails: list[EmailItem] = Field(
        [],
        description="Email addresses; a plain string is accepted. The first becomes primary.",
    )
    phones: list[PhoneIn] = Field(
        [], description="Phone numbers; the first of each kind becomes primary."
    )
    socials: list[SocialIn] = Field([], description="Social-media accounts.")
    addresses: list[AddressIn] = Field([], description="Postal addresses.")


class PersonUpdate(_Input):
    """Only the fields sent are changed; null clears a field. Identity numbers
    can be changed only by roles that may see them."""

    title: str | None = Field(None, max_length=30, description="Title.")
    first_name_th: str | None = Field(None, max_length=100, description="First name (Thai).")
    middle_name_th: str | None = Field(None, max_length=100, description="Middle name (Thai).")
    last_name_th: str | None = Field(None, max_length=100, description="Last name (Thai).")
    nickname_th: str | None = Field(None, max_length=60, description="Nickname (Thai).")
    first_name_en: str | None = Field(None, max_length=100, description="First name (Latin).")
    middle_name_en: str | None = Field(None, max_length=100, description="Middle name (Latin).")
    last_name_en: str | None = Field(None, max_length=100, description="Last name (Latin).")
    nickname_en: str | None = Field(None, max_length=60, description="Nickname (Latin).")
    gender: Gender | None = Field(None, description="Gender.")  # type: ignore[valid-type]
    date_of_birth: date | None = Field(None, description="Date of birth; not in the future.")
    national_id: str | None = Field(
        None, max_length=20, description="Thai national ID, 13 digits with a valid check digit."
    )
    passport_number: str | None = Field(None, max_length=20, description="Passport number.")
    passport_country: str | None = Field(
        None, max_length=2, description="Two-letter code of the issuing country."
    )
    occupation: str | None = Field(None, max_length=100, description="Occupation.")
    employer_id: int | None = Field(None, description="The employer, an organization (ID).")
    employer_name: str | None = Field(
        None, max_length=200, description="The employer's name when it is not in the CRM."
    )
    position: str | None = Field(None, max_length=100, description="Position at the employer.")
    lifecycle_stage: LifecycleStage | None = Field(  # type: ignore[valid-type]
        None, description="Stage in the customer lifecycle; cannot be cleared."
    )
    owner_id: int | None = Field(None, description="The staff user responsible (ID).")
    tags: list[str] | None = Field(None, description="Tag names; replaces all tags.")


class PersonSummaryOut(Schema):
    id: int = Field(description="ID of the person.")
    title: str = Field(description="Title.")
    first_name_th: str = Field(description="First name in Thai script.")
    middle_name_th: str = Field(description="Middle name in Thai script.")
    last_name_th: str = Field(description="Last name in Thai script.")
    nickname_th: str = Field(description="Nickname in Thai script.")
    first_name_en: str = Field(description="First name in Latin script.")
    middle_name_en: str = Field(description="Middle name in Latin script.")
    last_name_en: str = Field(description="Last name in Latin script.")
    nickname_en: str = Field(description="Nickname in Latin script.")
    name_th: str = Field(description="Full name in Thai script.")
    name_en: str = Field(description="Full name in Latin script.")
    gender: str = Field(description="female, male, other or empty.")
    date_of_birth: date | None = Field(description="Date of birth.")
    age: int | None = Field(description="Age today in whole years, derived from the birth date.")
    national_id: str = Field(
        description="National ID; masked (`x-xxxx-xxxxx-70-8`) unless the user's role may see "
        "identity numbers."
    )
    passport_number: str = Field(
        description="Passport number; masked but for the last three characters unless the "
        "user's role may see identity numbers."
    )
    passport_country: str = Field(description="Two-letter code of the issuing country.")
    occupation: str = Field(description="Occupation.")
    employer: OrganizationRefOut | None = Field(description="The employer, if in the CRM.")
    employer_name: str = Field(description="The employer's name when it is not in the CRM.")
    position: str = Field(description="Position at the employer.")
    lifecycle_stage: str = Field(description="Stage in the customer lifecycle.")
    owner: UserRefOut | None = Field(description="The staff user responsible.")
    tags: list[str] = Field(description="Tag names.")
    primary_email: str | None = Field(description="The primary email address.")
    primary_phone: str | None = Field(description="The primary mobile number, in E.164.")
    merged_into_id: int | None = Field(
        description="Set when this record was merged into another person."
    )
    created_at: datetime = Field(description="When the record was created.")
    updated_at: datetime = Field(description="When the record was last changed.")


class PersonOut(PersonSummaryOut):
    source: SourceOut = Field(description="Where the record came from.")
    emails: list[EmailOut] = Field(description="Email addresses, primary first.")
    phones: list[PhoneOut] = Field(description="Phone numbers, by kind, primary first.")
    socials: list[SocialOut] = Field(description="Social-media accounts.")
    addresses: list[AddressOut] = Field(description="Postal addresses, primary first.")
    roles: list[RoleOut] = Field(description="Roles at organizations.")


class PersonPageOut(Schema):
    items: list[PersonSummaryOut] = Field(description="The people on this page.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


# --- organizations ----------------------------------------------------------


class OrganizationListQuery(Schema):
    q: str = Field(
        "",
        max_length=200,
        description="Search by name (Thai or English, any part), industry, email, or exact tax ID.",
    )
    kind: OrganizationKind | None = Field(  # type: ignore[valid-type]
        None, description="Only organizations of this kind."
    )
    sort: OrganizationSort = Field(  # type: ignore[valid-type]
        "newest", description="Order of the list. Keep it the same while paging."
    )
    cursor: str | None = Field(
        None, max_length=500, description="`next_cursor` of the previous page."
    )
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Items per page, at most 200.")


class _OrganizationFields(_Input):
    kind: OrganizationKind = Field(  # type: ignore[valid-type]
        "customer", description="customer, partner or other."
    )
    name_th: str = Field("", max_length=200, description="Legal name in Thai.")
    name_en: str = Field("", max_length=200, description="Legal name in English.")
    tax_id: str = Field(
        "",
        max_length=20,
        description="Tax ID: 13 digits with a valid check digit; dashes and spaces are ignored.",
    )
    branch: str = Field(
        "", max_length=5, description="Branch number of 5 digits; empty for the head office."
    )
    industry: str = Field("", max_length=100, description="Industry.")
    website: str = Field("", max_length=200, description="Website URL.")
    tags: list[str] = Field([], description="Tag names; created when new.")


class OrganizationCreate(_OrganizationFields):
    """A new organization. Give the legal name in Thai or English."""

    source: SourceIn = Field(
        description="Where the data came from (policy 4.1-4.3). Required; also the source "
        "of the contact points given here."
    )
    emails: list[EmailItem] = Field(
        [],
        description="Email addresses; a plain string is accepted. The first becomes primary.",
    )
    phones: list[PhoneIn] = Field(
        [], description="Phone numbers; the first of each kind becomes primary."
    )
    addresses: list[AddressIn] = Field([], description="Postal addresses.")


class OrganizationUpdate(_Input):
    """Only the fields sent are changed; null clears a field."""

    kind: OrganizationKind | None = Field(  # type: ignore[valid-type]
        None, description="customer, partner or other; cannot be cleared."
    )
    name_th: str | None = Field(None, max_length=200, description="Legal name in Thai.")
    name_en: str | None = Field(None, max_length=200, description="Legal name in English.")
    tax_id: str | None = Field(
        None, max_length=20, description="Tax ID, 13 digits with a valid check digit."
    )
    branch: str | None = Field(
        None, max_length=5, description="Branch number of 5 digits; empty for the head office."
    )
    industry: str | None = Field(None, max_length=100, description="Industry.")
    website: str | None = Field(None, max_length=200, description="Website URL.")
    tags: list[str] | None = Field(None, description="Tag names; replaces all tags.")


class OrganizationSummaryOut(Schema):
    id: int = Field(description="ID of the organization.")
    kind: str = Field(description="customer, partner or other.")
    name_th: str = Field(description="Legal name in Thai.")
    name_en: str = Field(description="Legal name in English.")
    tax_id: str = Field(description="Tax ID.")
    branch: str = Field(description="Branch number; empty for the head office.")
    is_head_office: bool = Field(description="Whether this is the head office.")
    industry: str = Field(description="Industry.")
    website: str = Field(description="Website URL.")
    tags: list[str] = Field(description="Tag names.")
    created_at: datetime = Field(description="When the record was created.")
    updated_at: datetime = Field(description="When the record was last changed.")


class OrganizationOut(OrganizationSummaryOut):
    source: SourceOut = Field(description="Where the record came from.")
    emails: list[EmailOut] = Field(description="Email addresses, primary first.")
    phones: list[PhoneOut] = Field(description="Phone numbers, by kind, primary first.")
    addresses: list[AddressOut] = Field(description="Postal addresses, primary first.")
    members: list[MemberOut] = Field(description="People with a role at the organization.")
    employees: list[PersonRefOut] = Field(description="People employed here (at most 200).")


class OrganizationPageOut(Schema):
    items: list[OrganizationSummaryOut] = Field(description="The organizations on this page.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )
