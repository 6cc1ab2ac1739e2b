"""Reads of people and organizations. Each read that shows personal data
records what was shown to whom; identity numbers are masked here for viewers
without the permission, so no page, export or API response can forget it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.http import Http404

from connexion.accounts.visibility import can_see_category, owned_by_visible, visible_or_404
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_access
from connexion.lib.cursors import decode_cursor, encode_cursor
from connexion.lib.phone import InvalidPhoneNumber, to_e164
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
)
from connexion.people.validators import normalize_thai_id

PAGE_SIZE = 50
# What a contact point's provenance line shows.
SOURCED = ("source", "source__related_person", "source__partner", "source__collected_by")

# sort name -> (model field, descending)
PERSON_SORTS = {
    "newest": ("id", True),
    "oldest": ("id", False),
    "name_th": ("first_name_th", False),
    "name_en": ("first_name_en", False),
    "updated": ("updated_at", True),
}
ORGANIZATION_SORTS = {
    "newest": ("id", True),
    "name_th": ("name_th", False),
    "name_en": ("name_en", False),
}


@dataclass
class PersonFilters:
    query: str = ""
    lifecycle_stage: str = ""
    tag: str = ""
    owner: int | None = None
    province: str = ""
    organization: int | None = None
    source_kind: str = ""
    sort: str = "newest"


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None
    sort: str = "newest"
    extra: dict[str, Any] = field(default_factory=dict)


def can_see_identity_numbers(viewer: Any) -> bool:
    return viewer is not None and can_see_category(viewer, "3.3")


def mask_thai_id(number: str) -> str:
    """`x-xxxx-xxxxx-63-5`: the last three digits are enough to tell two apart."""
    if len(number) != 13:
        return "x" * len(number)
    return f"x-xxxx-xxxxx-{number[10:12]}-{number[12]}"


def mask_passport(number: str) -> str:
    return "x" * max(len(number) - 3, 0) + number[-3:]


RESTRICTED_HISTORY_FIELDS = {"national_id": mask_thai_id, "passport_number": mask_passport}


def history_rows(events: list[AuditEvent], model: type[Any], viewer: Any) -> None:
    """Gives each event `rows` of (field label, before, after) to show. The
    history must not give away what the masked fields hide."""
    reveal = can_see_identity_numbers(viewer)
    for event in events:
        event.rows = []  # type: ignore[attr-defined]
        for name, values in event.details.items():
            if not (isinstance(values, list) and len(values) == 2):
                # Bookkeeping for undoing a merge, not a change to show.
                continue
            before, after = values
            masker = RESTRICTED_HISTORY_FIELDS.get(name)
            if masker and not reveal:
                before, after = (masker(v) if v else v for v in (before, after))
            try:
                field = model._meta.get_field(name)
                # A reverse relation (e.g. rows moved by a merge) has no verbose name.
                label = str(getattr(field, "verbose_name", name))
            except FieldDoesNotExist:
                label = name  # e.g. "phone:12" for a contact point
            event.rows.append((label, before, after))  # type: ignore[attr-defined]


def _mask(people: list[Person], viewer: Any) -> None:
    if can_see_identity_numbers(viewer):
        return
    for person in people:
        person.identity_masked = True  # type: ignore[attr-defined]
        person.national_id = mask_thai_id(person.national_id) if person.national_id else ""
        if person.passport_number:
            person.passport_number = mask_passport(person.passport_number)


# --- cursors ----------------------------------------------------------------


def _keyset_page(
    queryset: QuerySet[Any],
    sorts: dict[str, tuple[str, bool]],
    sort: str,
    cursor: str | None,
    page_size: int = PAGE_SIZE,
) -> Page:
    """Keyset pagination on (sort field, id): as fast on page 500 as on page 1."""
    sort = sort if sort in sorts else "newest"
    name, descending = sorts[sort]
    direction = "-" if descending else ""
    if name == "id":
        queryset = queryset.order_by(f"{direction}id")
    else:
        queryset = queryset.order_by(f"{direction}{name}", f"{direction}id")
    position = decode_cursor(cursor, queryset.model._meta.get_field(name)) if cursor else None
    if position is not None:
        value, pk = position
        after = "lt" if descending else "gt"
        if name == "id":
            queryset = queryset.filter(**{f"id__{after}": pk})
        else:
            queryset = queryset.filter(
                Q(**{f"{name}__{after}": value}) | Q(**{name: value, f"id__{after}": pk})
            )
    items = list(queryset[: page_size + 1])
    has_more = len(items) > page_size
    items = items[:page_size]
    next_cursor = None
    if has_more:
        last = items[-1]
        next_cursor = encode_cursor(getattr(last, name), last.pk)
    return Page(items, next_cursor, sort)


# --- search -----------------------------------------------------------------

_DIGITS = re.compile(r"^[\d\s\-+()]+$")


def person_search_condition(query: str, viewer: Any) -> Q:
    """One text box finds a person by name (either script, any part), nickname,
    email, phone in any format, or exact national ID / passport number."""
    text = query.strip()
    if not text:
        return Q()
    condition = Q()
    # Contact points are looked up first and their people ORed in by id: an
    # EXISTS subquery ORed with the text match makes PostgreSQL test every row.
    if "@" in text:
        owners = EmailAddress.objects.filter(person__isnull=False, email=text.lower())
        condition |= Q(pk__in=list(owners.values_list("person_id", flat=True)))
    if _DIGITS.match(text):
        try:
            number = to_e164(text)
        except InvalidPhoneNumber:
            number = ""
        if number:
            owners = PhoneNumber.objects.filter(person__isnull=False, number=number)
            condition |= Q(pk__in=list(owners.values_list("person_id", flat=True)))
        identity = normalize_thai_id(text)
        if len(identity) == 13 and identity.isdigit() and can_see_identity_numbers(viewer):
            # Searching by a number the viewer may not see must find nothing.
            condition |= Q(national_id=identity)
    if can_see_identity_numbers(viewer) and re.fullmatch(r"[A-Za-z]{1,2}\d{6,9}", text):
        condition |= Q(passport_number=text.upper())
    words = Q()
    for word in text.lower().split():
        words &= Q(search_text__contains=word)
    return condition | words


def person_or_404(viewer: Any, person_id: int, queryset: QuerySet[Person] | None = None) -> Person:
    """The person, if the viewer may see them; a record out of reach is answered
    exactly like one that does not exist."""
    return visible_or_404(viewer, Person.objects.all() if queryset is None else queryset, person_id)


def _people_base(viewer: Any) -> QuerySet[Person]:
    return (
        # Erased people hold no data to list or export; their page still opens.
        Person.objects.filter(
            owned_by_visible(viewer), merged_into__isnull=True, anonymized_at__isnull=True
        )
        .select_related("employer", "owner")
        .prefetch_related(
            Prefetch("emailaddresss", queryset=EmailAddress.objects.filter(is_primary=True)),
            Prefetch(
                "phonenumbers",
                queryset=PhoneNumber.objects.filter(is_primary=True, kind="mobile"),
            ),
            "tags",
        )
    )


def filter_people(viewer: Any, filters: PersonFilters) -> QuerySet[Person]:
    people = _people_base(viewer)
    if filters.query.strip():
        people = people.filter(person_search_condition(filters.query, viewer))
    if filters.lifecycle_stage:
        people = people.filter(lifecycle_stage=filters.lifecycle_stage)
    if filters.tag:
        people = people.filter(tags__name=filters.tag)
    if filters.owner:
        people = people.filter(owner_id=filters.owner)
    if filters.province:
        people = people.filter(
            Exists(PostalAddress.objects.filter(person=OuterRef("pk"), province=filters.province))
        )
    if filters.organization:
        people = people.filter(
            Q(employer_id=filters.organization)
            | Q(
                Exists(
                    OrganizationRole.objects.filter(
                        person=OuterRef("pk"), organization=filters.organization
                    )
                )
            )
        )
    if filters.source_kind:
        people = people.filter(source__kind=filters.source_kind)
    return people


def people_page(
    viewer: Any,
    filters: PersonFilters,
    cursor: str | None = None,
    *,
    channel: str = AuditEvent.Channel.UI,
    page_size: int = PAGE_SIZE,
) -> Page:
    page = _keyset_page(
        filter_people(viewer, filters), PERSON_SORTS, filters.sort, cursor, page_size
    )
    _mask(page.items, viewer)
    record_access(
        viewer, "people.list", "people.person", [str(p.pk) for p in page.items], channel=channel
    )
    return page


def people_for_export(viewer: Any, filters: PersonFilters) -> list[Person]:
    people = list(filter_people(viewer, filters).order_by("id"))
    _mask(people, viewer)
    record_access(
        viewer,
        "people.export",
        "people.person",
        [str(p.pk) for p in people],
        channel=AuditEvent.Channel.UI,
    )
    return people


@dataclass
class PersonDetail:
    person: Person
    emails: list[EmailAddress]
    phones: list[PhoneNumber]
    socials: list[SocialAccount]
    addresses: list[PostalAddress]
    roles: list[OrganizationRole]
    relationships: list[Relationship]
    lifecycle: list[LifecycleChange]
    history: list[AuditEvent]


def person_detail(
    viewer: Any, person_id: int, *, channel: str = AuditEvent.Channel.UI
) -> PersonDetail:
    person = person_or_404(
        viewer,
        person_id,
        Person.objects.select_related(
            "employer",
            "owner",
            "source",
            "source__related_person",
            "source__partner",
            "source__collected_by",
            "merged_into",
        ).prefetch_related("tags"),
    )
    _mask([person], viewer)
    detail = PersonDetail(
        person=person,
        emails=list(person.emailaddresss.select_related(*SOURCED).order_by("-is_primary", "id")),
        phones=list(person.phonenumbers.select_related(*SOURCED).order_by("kind", "-is_primary")),
        socials=list(person.socialaccounts.select_related(*SOURCED).order_by("platform")),
        addresses=list(person.postaladdresss.select_related(*SOURCED).order_by("-is_primary")),
        roles=list(person.organization_roles.select_related("organization")),
        relationships=list(
            Relationship.objects.filter(Q(person=person) | Q(other=person))
            .filter(owned_by_visible(viewer, "person__owner"))
            .filter(owned_by_visible(viewer, "other__owner"))
            .select_related("person", "other")
        ),
        lifecycle=list(person.lifecycle_changes.select_related("changed_by")),
        history=list(
            AuditEvent.objects.filter(
                kind=AuditEvent.Kind.CHANGE, object_type="people.person", object_id=str(person.pk)
            ).select_related("actor")[:100]
        ),
    )
    history_rows(detail.history, Person, viewer)
    record_access(viewer, "people.detail", "people.person", [str(person.pk)], channel=channel)
    return detail


# --- organizations ----------------------------------------------------------


def organization_search_condition(query: str) -> Q:
    text = query.strip()
    if not text:
        return Q()
    condition = Q()
    identity = normalize_thai_id(text)
    if len(identity) == 13 and identity.isdigit():
        condition |= Q(tax_id=identity)
    words = Q()
    for word in text.lower().split():
        words &= Q(search_text__contains=word)
    return condition | words


def organizations_page(
    viewer: Any,
    *,
    query: str = "",
    kind: str = "",
    sort: str = "newest",
    cursor: str | None = None,
    channel: str = AuditEvent.Channel.UI,
    page_size: int = PAGE_SIZE,
) -> Page:
    organizations = Organization.objects.prefetch_related("tags")
    if query.strip():
        organizations = organizations.filter(organization_search_condition(query))
    if kind:
        organizations = organizations.filter(kind=kind)
    page = _keyset_page(organizations, ORGANIZATION_SORTS, sort, cursor, page_size)
    record_access(
        viewer,
        "people.organization_list",
        "people.organization",
        [str(o.pk) for o in page.items],
        channel=channel,
    )
    return page


@dataclass
class OrganizationDetail:
    organization: Organization
    emails: list[EmailAddress]
    phones: list[PhoneNumber]
    addresses: list[PostalAddress]
    people: list[OrganizationRole]
    employees: list[Person]
    history: list[AuditEvent]


def organization_detail(
    viewer: Any, organization_id: int, *, channel: str = AuditEvent.Channel.UI
) -> OrganizationDetail:
    organization = (
        Organization.objects.select_related("source")
        .prefetch_related("tags")
        .filter(pk=organization_id)
        .first()
    )
    if organization is None:
        raise Http404
    roles = list(
        organization.person_roles.filter(owned_by_visible(viewer, "person__owner"))
        .select_related("person")
        .order_by("role", "id")
    )
    employees = list(
        organization.employees.filter(owned_by_visible(viewer), merged_into__isnull=True).order_by(
            "id"
        )[:200]
    )
    _mask([role.person for role in roles] + employees, viewer)
    detail = OrganizationDetail(
        organization=organization,
        emails=list(
            organization.emailaddresss.select_related(*SOURCED).order_by("-is_primary", "id")
        ),
        phones=list(
            organization.phonenumbers.select_related(*SOURCED).order_by("kind", "-is_primary")
        ),
        addresses=list(
            organization.postaladdresss.select_related(*SOURCED).order_by("-is_primary")
        ),
        people=roles,
        employees=employees,
        history=list(
            AuditEvent.objects.filter(
                kind=AuditEvent.Kind.CHANGE,
                object_type="people.organization",
                object_id=str(organization.pk),
            ).select_related("actor")[:100]
        ),
    )
    history_rows(detail.history, Organization, viewer)
    record_access(
        viewer,
        "people.organization_detail",
        "people.organization",
        [str(organization.pk)],
        channel=channel,
    )
    return detail
