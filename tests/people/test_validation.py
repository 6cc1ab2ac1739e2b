from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from connexion.people.models import Organization, Person, PhoneNumber, Source
from connexion.people.services import (
    ContactDetails,
    add_contact_point,
    create_organization,
    create_person,
    create_source,
    update_person,
)
from tests.people.conftest import NATIONAL_ID, TAX_ID

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_a_person_needs_a_name(source):
    with pytest.raises(ValidationError) as excinfo:
        create_person(None, source=source, nickname_th="แนน")
    assert "first_name_th" in errors_of(excinfo)
    assert not Person.objects.exists()


def test_national_id_with_a_wrong_check_digit_names_the_field(source):
    with pytest.raises(ValidationError) as excinfo:
        create_person(None, source=source, first_name_th="สมศรี", national_id="1101700230705")
    assert "check digit is wrong" in errors_of(excinfo)["national_id"][0]


def test_national_id_may_be_typed_with_dashes(source):
    person = create_person(
        None, source=source, first_name_th="สมศรี", national_id="1-1017-00230-70-8"
    )
    assert person.national_id == NATIONAL_ID


@pytest.mark.parametrize("bad", ["12345", "110170023070X", "๑๑๐๑๗๐๐๒๓๐๗๐๘"])
def test_national_id_must_be_13_ascii_digits(source, bad):
    with pytest.raises(ValidationError) as excinfo:
        create_person(None, source=source, first_name_th="สมศรี", national_id=bad)
    assert "national_id" in errors_of(excinfo)


def test_birth_date_in_the_future_is_refused(source):
    with pytest.raises(ValidationError) as excinfo:
        create_person(
            None, source=source, first_name_en="Ann", date_of_birth=date.today() + timedelta(days=1)
        )
    assert "date_of_birth" in errors_of(excinfo)


def test_age_is_derived_not_stored(source):
    person = create_person(None, source=source, first_name_en="Ann", date_of_birth=date(1990, 3, 1))
    assert person.age(on=date(2026, 2, 28)) == 35
    assert person.age(on=date(2026, 3, 1)) == 36
    assert "age" not in {field.name for field in Person._meta.get_fields()}


def test_passport_needs_its_country(source):
    with pytest.raises(ValidationError) as excinfo:
        create_person(None, source=source, first_name_en="Ann", passport_number="aa1234567")
    assert "passport_country" in errors_of(excinfo)


@pytest.mark.parametrize(
    ("kind", "values", "field"),
    [
        ("email", {"email": "no-domain@"}, "email"),
        ("phone", {"number": "not a number"}, "number"),
        ("phone", {"number": "0812"}, "number"),
        ("address", {"province": "Atlantis", "postcode": "10110"}, "province"),
        ("address", {"province": "กรุงเทพมหานคร", "postcode": "1011"}, "postcode"),
        ("address", {"country": "JP"}, "foreign_address"),
        ("social", {"platform": "line"}, "handle"),
    ],
)
def test_bad_contact_points_name_their_field_and_store_nothing(
    somchai, source, kind, values, field
):
    before = (
        somchai.emailaddresss.count(),
        somchai.phonenumbers.count(),
        somchai.postaladdresss.count(),
    )
    with pytest.raises(ValidationError) as excinfo:
        add_contact_point(None, somchai, kind, values, source=source)
    assert field in errors_of(excinfo)
    after = (
        somchai.emailaddresss.count(),
        somchai.phonenumbers.count(),
        somchai.postaladdresss.count(),
    )
    assert before == after


def test_phone_numbers_are_stored_e164(somchai):
    assert somchai.phonenumbers.get().number == "+66812345678"


def test_one_primary_per_kind(somchai, source):
    second = add_contact_point(None, somchai, "phone", {"number": "0899999999"}, source=source)
    fax = add_contact_point(
        None, somchai, "phone", {"kind": "fax", "number": "02-123-4567"}, source=source
    )
    assert not second.is_primary and fax.is_primary
    add_contact_point(
        None, somchai, "phone", {"number": "0861111111"}, source=source, is_primary=True
    )
    primaries = PhoneNumber.objects.filter(person=somchai, is_primary=True, kind="mobile")
    assert [p.number for p in primaries] == ["+66861111111"]


def test_a_failing_contact_leaves_no_half_written_person(source):
    with pytest.raises(ValidationError):
        create_person(
            None,
            source=source,
            first_name_th="มาลี",
            contacts=ContactDetails(emails=["ok@example.co.th"], phones=[("mobile", "nonsense")]),
        )
    assert not Person.objects.exists()


def test_provenance_is_required_for_related_person_and_partner():
    with pytest.raises(ValidationError) as excinfo:
        create_source(None, kind=Source.Kind.RELATED_PERSON, channel="phone")
    assert "related_person" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        create_source(None, kind=Source.Kind.PARTNER, channel="email")
    assert {"partner", "agreement_reference"} <= set(errors_of(excinfo))


def test_partner_source_must_be_a_partner_organization(source):
    customer = create_organization(None, source=source, name_th="บริษัท ลูกค้า จำกัด")
    with pytest.raises(ValidationError) as excinfo:
        create_source(
            None, kind="partner", channel="email", partner=customer, agreement_reference="DPA-1"
        )
    assert "partner" in errors_of(excinfo)
    customer.kind = Organization.Kind.PARTNER
    customer.save()
    partner_source = create_source(
        None, kind="partner", channel="email", partner=customer, agreement_reference="DPA-1"
    )
    assert partner_source.partner == customer


def test_tax_id_checksum_and_branch(source):
    with pytest.raises(ValidationError) as excinfo:
        create_organization(None, source=source, name_th="บริษัท ก จำกัด", tax_id="0105536000310")
    assert "tax_id" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        create_organization(None, source=source, name_th="บริษัท ก จำกัด", tax_id=TAX_ID, branch="12")
    assert "branch" in errors_of(excinfo)
    organization = create_organization(
        None, source=source, name_th="บริษัท ก จำกัด", tax_id=TAX_ID, branch="00001"
    )
    assert not organization.is_head_office


def test_lifecycle_changes_are_kept_with_their_dates(somchai):
    update_person(None, somchai, lifecycle_stage="customer")
    update_person(None, somchai, lifecycle_stage="former_customer")
    stages = list(somchai.lifecycle_changes.order_by("id").values_list("stage", flat=True))
    assert stages == ["prospect", "customer", "former_customer"]
