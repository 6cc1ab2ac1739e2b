"""Reads of people and organizations that show personal data; each records
what was shown to whom in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from connexion.audit.services import record_access
from connexion.lib.phone import InvalidPhoneNumber, to_e164
from connexion.people.models import EmailAddress, Organization, Person, PhoneNumber

PAGE_SIZE = 50


@dataclass
class Page:
    items: list[Any]
    next_after: int | None


def _phone_query(text: str, field: str) -> Q:
    try:
        return Q(**{field: to_e164(text)})
    except InvalidPhoneNumber:
        return Q()


def _search_people(query: str) -> Q:
    condition = Q()
    for term in query.split():
        condition &= (
            Q(first_name_th__icontains=term)
            | Q(last_name_th__icontains=term)
            | Q(first_name_en__icontains=term)
            | Q(last_name_en__icontains=term)
            | Q(nickname__icontains=term)
            | Q(emailaddresss__email__iexact=term)
        )
    phone = _phone_query(query, "phonenumbers__number")
    return condition | phone if phone else condition


def _people_queryset() -> QuerySet[Person]:
    return Person.objects.select_related("employer").prefetch_related(
        Prefetch("emailaddresss", queryset=EmailAddress.objects.filter(is_primary=True)),
        Prefetch("phonenumbers", queryset=PhoneNumber.objects.filter(is_primary=True)),
    )


def _keyset_page(queryset: QuerySet[Any], after: int | None) -> Page:
    """Keyset pagination on descending id: stays fast however deep the page."""
    if after:
        queryset = queryset.filter(id__lt=after)
    items = list(queryset[: PAGE_SIZE + 1])
    has_more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    return Page(items, items[-1].pk if has_more else None)


def people_page(viewer: Any, *, query: str = "", after: int | None = None) -> Page:
    """One page of people, newest id first after the keyset cursor `after`."""
    people = _people_queryset().order_by("-id")
    if query.strip():
        people = people.filter(_search_people(query.strip())).distinct()
    page = _keyset_page(people, after)
    record_access(viewer, "people.list", "people.person", [str(p.pk) for p in page.items])
    return page


def organizations_page(viewer: Any, *, query: str = "", after: int | None = None) -> Page:
    organizations = Organization.objects.order_by("-id")
    text = query.strip()
    if text:
        organizations = organizations.filter(
            Q(name_th__icontains=text) | Q(name_en__icontains=text) | Q(tax_id=text)
        )
    page = _keyset_page(organizations, after)
    record_access(
        viewer, "people.organization_list", "people.organization", [str(o.pk) for o in page.items]
    )
    return page
