"""Writes of people and organizations. Every write is one transaction and one
audit entry; callers never save these models themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change
from connexion.lib.phone import to_e164
from connexion.people.models import EmailAddress, Organization, Person, PhoneNumber, PostalAddress


@dataclass
class ContactDetails:
    emails: list[str] = field(default_factory=list)
    # (kind, number as typed) pairs; the first of each kind becomes primary.
    phones: list[tuple[str, str]] = field(default_factory=list)
    addresses: list[dict[str, str]] = field(default_factory=list)


def _add_contact_points(owner: dict[str, Any], contacts: ContactDetails) -> None:
    for index, email in enumerate(contacts.emails):
        contact = EmailAddress(**owner, email=email.strip().lower(), is_primary=index == 0)
        contact.full_clean()
        contact.save()
    primary_kinds: set[str] = set()
    for kind, raw_number in contacts.phones:
        contact = PhoneNumber(
            **owner, kind=kind, number=to_e164(raw_number), is_primary=kind not in primary_kinds
        )
        primary_kinds.add(kind)
        contact.full_clean()
        contact.save()
    for index, address in enumerate(contacts.addresses):
        contact = PostalAddress(**owner, **address, is_primary=index == 0)
        contact.full_clean()
        contact.save()


def _audited_fields(instance: Any, names: list[str]) -> dict[str, list[Any]]:
    return {name: [None, str(getattr(instance, name))] for name in names}


@transaction.atomic
def create_organization(
    actor: Any,
    *,
    contacts: ContactDetails | None = None,
    channel: str = AuditEvent.Channel.UI,
    **fields: Any,
) -> Organization:
    organization = Organization(**fields)
    organization.full_clean()
    organization.save()
    _add_contact_points({"organization": organization}, contacts or ContactDetails())
    record_change(
        actor,
        "people.create_organization",
        organization,
        _audited_fields(organization, list(fields)),
        channel=channel,
    )
    return organization


@transaction.atomic
def create_person(
    actor: Any,
    *,
    contacts: ContactDetails | None = None,
    channel: str = AuditEvent.Channel.UI,
    **fields: Any,
) -> Person:
    person = Person(**fields)
    person.full_clean()
    person.save()
    _add_contact_points({"person": person}, contacts or ContactDetails())
    record_change(
        actor,
        "people.create_person",
        person,
        _audited_fields(person, [name for name in fields if name not in {"owner", "employer"}]),
        channel=channel,
    )
    return person
