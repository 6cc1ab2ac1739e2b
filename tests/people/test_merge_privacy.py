"""A merge keeps what the person said about the use of their data: restrictions,
objections and consents move with the contact points they name."""

import pytest

from connexion.audit.models import AuditEvent
from connexion.people.merge import merge_people
from connexion.people.models import EmailAddress, Person
from connexion.people.services import ContactDetails, create_person, create_source
from connexion.privacy.ledger.decisions import may_use
from connexion.privacy.ledger.services import give_consent, record_objection, restrict
from connexion.privacy.models import Purpose, Restriction

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(db):
    return create_source(None, kind="direct", channel="phone")


@pytest.fixture
def kept(source):
    return create_person(
        None,
        source=source,
        first_name_th="สมชาย",
        last_name_th="ใจดี",
        lifecycle_stage="customer",
        contacts=ContactDetails(emails=["shared@example.com"]),
    )


@pytest.fixture
def other(source):
    return create_person(
        None,
        source=source,
        first_name_th="สมชาย",
        last_name_th="ใจดีย์",
        contacts=ContactDetails(emails=["Shared@Example.com", "own@example.com"]),
    )


@pytest.fixture
def admin(make_user):
    return make_user("admin1", roles=("admin",), language="en")


@pytest.fixture
def service() -> Purpose:
    return Purpose.objects.get(code="service")


@pytest.fixture
def marketing() -> Purpose:
    return Purpose.objects.get(code="direct-marketing")


def email(person: Person, address: str) -> EmailAddress:
    return EmailAddress.objects.get(person=person, email__iexact=address)


def fresh(person: Person) -> Person:
    return Person.objects.get(pk=person.pk)


def test_a_restriction_on_the_twin_address_survives_on_the_kept_address(
    admin, kept, other, service
):
    twin_id = email(other, "shared@example.com").pk
    restrict(
        admin,
        other,
        scope="contact_point",
        reason="Do not email me here",
        contact_point=email(other, "shared@example.com"),
    )
    assert may_use(kept, service, email(kept, "shared@example.com")).allowed

    merge_people(admin, kept, other)

    kept = fresh(kept)
    survivor = email(kept, "shared@example.com")
    decision = may_use(kept, service, survivor)
    assert not decision.allowed
    assert "contact_point_restricted" in decision.codes
    restriction = Restriction.objects.get(person=kept)
    assert restriction.contact_id == survivor.pk
    entry = AuditEvent.objects.get(action="people.merge")
    assert entry.details["repointed"]["privacy.restriction.contact_id"] == [
        {"id": restriction.pk, "contact_id": [twin_id, survivor.pk]}
    ]


def test_both_records_restrictions_on_the_same_address_are_kept(admin, kept, other, service):
    restrict(
        admin,
        kept,
        scope="contact_point",
        reason="Kept's own",
        contact_point=email(kept, "shared@example.com"),
    )
    restrict(
        admin,
        other,
        scope="contact_point",
        reason="Other's own",
        contact_point=email(other, "shared@example.com"),
    )
    merge_people(admin, kept, other)
    survivor = email(kept, "shared@example.com")
    reasons = set(
        Restriction.objects.filter(person=kept, contact_id=survivor.pk).values_list(
            "reason", flat=True
        )
    )
    assert reasons == {"Kept's own", "Other's own"}


def test_a_restriction_on_a_unique_address_moves_with_it(admin, kept, other, service):
    own = email(other, "own@example.com")
    restrict(admin, other, scope="contact_point", reason="Not here", contact_point=own)
    merge_people(admin, kept, other)
    kept = fresh(kept)
    moved = EmailAddress.objects.get(pk=own.pk)
    assert moved.person_id == kept.pk
    assert "contact_point_restricted" in may_use(kept, service, moved).codes


def test_a_person_wide_restriction_moves_to_the_kept_person(admin, kept, other, service):
    restrict(admin, other, scope="record", reason="Stop everything")
    assert may_use(kept, service).allowed
    merge_people(admin, kept, other)
    assert "record_restricted" in may_use(fresh(kept), service).codes


def test_an_objection_moves_to_the_kept_person(admin, kept, other, marketing):
    give_consent(admin, kept, marketing, wording="Yes", channel="staff")
    assert may_use(kept, marketing).allowed
    record_objection(admin, other, marketing, grounds="No marketing")
    merge_people(admin, kept, other)
    assert "objected" in may_use(fresh(kept), marketing).codes


def test_a_consent_moves_to_the_kept_person(admin, kept, other, marketing):
    give_consent(admin, other, marketing, wording="Yes", channel="staff")
    assert not may_use(kept, marketing).allowed
    merge_people(admin, kept, other)
    assert kept.consent_events.count() == 1
