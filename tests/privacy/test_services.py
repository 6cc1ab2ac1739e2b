from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from connexion.audit.models import AuditEvent
from connexion.people.models import Organization
from connexion.people.services import ContactDetails, create_organization, create_person
from connexion.people.services import create_source as new_source
from connexion.privacy.ledger.decisions import may_use
from connexion.privacy.ledger.services import (
    close_breach,
    give_consent,
    publish_notice,
    record_breach,
    record_breach_notification,
    record_disclosure,
    record_objection,
    restrict,
    withdraw_consent,
    wording_hash,
)
from connexion.privacy.models import (
    Breach,
    ConsentEvent,
    Disclosure,
    PrivacyNotice,
    Restriction,
)
from connexion.sales.services.interests import record_product_interest
from connexion.sales.services.products import create_product

pytestmark = pytest.mark.django_db
WORDING = "ยินยอมรับข่าวสารทางอีเมล"


def fields_of(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


def test_consent_ledger_keeps_every_entry_with_its_evidence(person, marketing):
    given = give_consent(
        None,
        person,
        marketing,
        wording=WORDING,
        channel="web_form",
        ip_address="203.0.113.9",
        user_agent="Firefox",
    )
    assert given.wording_hash == wording_hash(WORDING)
    assert given.notice.version == "1" and given.ip_address == "203.0.113.9"
    withdrawn = withdraw_consent(None, person, marketing, channel="privacy_center")
    assert withdrawn.notice == given.notice
    assert list(ConsentEvent.objects.values_list("action", flat=True)) == ["withdrawn", "given"]
    assert not may_use(person, marketing)


def test_withdrawing_a_consent_never_given_is_refused(person, marketing):
    with pytest.raises(ValidationError) as excinfo:
        withdraw_consent(None, person, marketing, channel="staff")
    assert fields_of(excinfo) == {"purpose"}
    assert not ConsentEvent.objects.exists()


def test_consent_only_for_consent_purposes_with_wording(person, service, marketing):
    with pytest.raises(ValidationError) as excinfo:
        give_consent(None, person, service, wording=WORDING, channel="staff")
    assert "purpose" in fields_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        give_consent(None, person, marketing, wording=" ", channel="carrier pigeon")
    assert fields_of(excinfo) == {"wording", "channel"}
    assert not ConsentEvent.objects.exists()


def test_a_notice_version_not_yet_in_effect_is_refused(person, marketing):
    future = PrivacyNotice.objects.create(
        version="9", text_th="ก", text_en="a", effective_at=timezone.now() + timedelta(days=3)
    )
    with pytest.raises(ValidationError) as excinfo:
        give_consent(None, person, marketing, wording=WORDING, channel="staff", notice=future)
    assert fields_of(excinfo) == {"notice"}


def test_a_new_notice_can_require_consent_again(person, marketing):
    give_consent(None, person, marketing, wording=WORDING, channel="staff")
    assert may_use(person, marketing)
    notice = publish_notice(
        None, version="2", text_th="ฉบับใหม่", text_en="New", renew_consent_for=[marketing]
    )
    decision = may_use(person, marketing)
    assert decision.codes == ["consent_outdated"]
    give_consent(None, person, marketing, wording=WORDING, channel="privacy_center")
    assert ConsentEvent.objects.latest("id").notice == notice
    assert may_use(person, marketing)


def test_publishing_refuses_a_duplicate_version_and_non_consent_renewal(service):
    with pytest.raises(ValidationError) as excinfo:
        publish_notice(None, version="1", text_th="ก", text_en="a", renew_consent_for=[service])
    assert fields_of(excinfo) == {"version", "renew_consent_for"}


def test_restricting_a_contact_point_of_another_person_is_refused(person, marketing):
    other = create_person(
        None,
        source=new_source(None, kind="direct", channel="phone"),
        first_name_en="Other",
        contacts=ContactDetails(phones=[("mobile", "0899999999")]),
    )
    with pytest.raises(ValidationError) as excinfo:
        restrict(
            None, person, scope="contact_point", contact_point=other.phonenumbers.get(), reason="x"
        )
    assert fields_of(excinfo) == {"contact_point"}
    with pytest.raises(ValidationError) as excinfo:
        restrict(None, person, scope="category", category="9.9", reason="")
    assert fields_of(excinfo) == {"category", "reason"}
    assert not Restriction.objects.exists()


def test_objection_to_direct_marketing_is_accepted_at_once(person, marketing):
    objection = record_objection(None, person, marketing, grounds="ไม่ต้องการโฆษณา")
    assert objection.status == "accepted"
    assert may_use(person, marketing).codes == ["objected", "no_consent"]


def test_a_contract_purpose_is_not_open_to_objection(person, service):
    with pytest.raises(ValidationError) as excinfo:
        record_objection(None, person, service)
    assert fields_of(excinfo) == {"purpose"}


@pytest.fixture
def partner(person):
    source = new_source(None, kind="direct", channel="email")
    return create_organization(
        None, source=source, kind=Organization.Kind.PARTNER, name_th="บริษัท พันธมิตร จำกัด"
    )


def test_partner_disclosure_needs_an_interest_in_that_partners_product(person, partner):
    product = create_product(
        None, code="INS", partner=partner, name_th="ประกัน", name_en="Insurance", price=0
    )
    arguments = dict(
        basis="partner",
        recipient=partner,
        product=product,
        categories=["3.1", "3.2"],
        reason="ส่งต่อผู้สนใจ",
    )
    with pytest.raises(ValidationError) as excinfo:
        record_disclosure(None, person, **arguments)
    assert fields_of(excinfo) == {"product"}
    assert AuditEvent.objects.filter(action="privacy.disclosure_refused").exists()
    record_product_interest(None, person, product, "interested")
    disclosure = record_disclosure(None, person, **arguments)
    assert disclosure.basis == "partner" and disclosure.categories == ["3.1", "3.2"]


def test_partner_basis_to_a_non_partner_is_refused(person):
    customer = create_organization(
        None, source=new_source(None, kind="direct", channel="email"), name_th="บริษัท ลูกค้า จำกัด"
    )
    with pytest.raises(ValidationError) as excinfo:
        record_disclosure(
            None, person, basis="partner", recipient=customer, categories=["3.1"], reason="x"
        )
    assert "recipient" in fields_of(excinfo)
    assert not Disclosure.objects.exists()


def test_disclosure_without_a_basis_is_refused(person):
    with pytest.raises(ValidationError) as excinfo:
        record_disclosure(
            None, person, basis="", recipient_name="ใครก็ได้", categories=["3.1"], reason="x"
        )
    assert fields_of(excinfo) == {"basis"}


def test_consent_and_legal_disclosures(person, marketing):
    with pytest.raises(ValidationError) as excinfo:
        record_disclosure(
            None,
            person,
            basis="consent",
            purpose=marketing,
            recipient_name="Agency",
            categories=["3.2"],
            reason="x",
        )
    assert "basis" in fields_of(excinfo)
    give_consent(None, person, marketing, wording=WORDING, channel="staff")
    record_disclosure(
        None,
        person,
        basis="consent",
        purpose=marketing,
        recipient_name="Agency",
        categories=["3.2"],
        reason="x",
    )
    with pytest.raises(ValidationError) as excinfo:
        record_disclosure(
            None,
            person,
            basis="legal_obligation",
            recipient_name="ศาลแพ่ง",
            categories=["3.1"],
            reason="หมายศาล",
        )
    assert fields_of(excinfo) == {"legal_reference"}
    restrict(None, person, scope="record", reason="โต้แย้ง")
    legal = record_disclosure(
        None,
        person,
        basis="legal_obligation",
        recipient_name="ศาลแพ่ง",
        legal_reference="คำสั่งศาลที่ 123/2569",
        categories=["3.1"],
        reason="หมายศาล",
    )
    assert legal.legal_reference == "คำสั่งศาลที่ 123/2569"


def breach_arguments(**overrides):
    now = timezone.now()
    return {
        "title": "แล็ปท็อปหาย",
        "description": "เครื่องของพนักงานขายหาย",
        "occurred_at": now - timedelta(days=2),
        "aware_at": now - timedelta(days=1),
        "categories": ["3.1", "3.2"],
        "people_affected": 120,
        "risk": "risk",
        "risk_reasoning": "ไม่ได้เข้ารหัสดิสก์",
        **overrides,
    }


def test_breach_awareness_before_occurrence_is_refused():
    now = timezone.now()
    with pytest.raises(ValidationError) as excinfo:
        record_breach(
            None,
            **breach_arguments(
                occurred_at=now - timedelta(hours=1), aware_at=now - timedelta(hours=2)
            ),
        )
    assert fields_of(excinfo) == {"aware_at"}
    assert not Breach.objects.exists()


def test_no_risk_is_still_recorded_with_its_reasoning():
    with pytest.raises(ValidationError) as excinfo:
        record_breach(None, **breach_arguments(risk="none", risk_reasoning=""))
    assert fields_of(excinfo) == {"risk_reasoning"}
    breach = record_breach(None, **breach_arguments(risk="none", risk_reasoning="เข้ารหัสแล้ว"))
    assert not breach.needs_regulator_notice


def test_the_72_hour_clock_and_late_notice():
    now = timezone.now()
    breach = record_breach(
        None,
        **breach_arguments(occurred_at=now - timedelta(days=4), aware_at=now - timedelta(hours=80)),
    )
    assert breach.notify_by == breach.aware_at + timedelta(hours=72)
    late = timezone.now() - timedelta(hours=1)
    with pytest.raises(ValidationError) as excinfo:
        record_breach_notification(None, breach, regulator_notified_at=late)
    assert fields_of(excinfo) == {"late_reason"}
    record_breach_notification(
        None,
        breach,
        regulator_notified_at=late,
        regulator_reference="PDPC-2569-001",
        late_reason="รอผลการตรวจสอบทางนิติวิทยาศาสตร์",
    )
    breach.refresh_from_db()
    assert breach.regulator_reference == "PDPC-2569-001"


def test_a_breach_closes_only_when_its_notifications_are_done():
    now = timezone.now()
    breach = record_breach(None, **breach_arguments(risk="high"))
    with pytest.raises(ValidationError) as excinfo:
        close_breach(None, breach)
    assert fields_of(excinfo) == {"regulator_notified_at"}
    record_breach_notification(None, breach, regulator_notified_at=now - timedelta(minutes=5))
    with pytest.raises(ValidationError) as excinfo:
        close_breach(None, breach)
    assert fields_of(excinfo) == {"people_notified_at"}
    record_breach_notification(None, breach, people_notified_at=now - timedelta(minutes=1))
    assert close_breach(None, breach).closed_at is not None


def test_joint_products_only_for_partners(person, partner):
    customer = create_organization(
        None, source=new_source(None, kind="direct", channel="email"), name_th="บริษัท ข จำกัด"
    )
    with pytest.raises(ValidationError) as excinfo:
        create_product(None, code="J1", partner=customer, name_th="", name_en="", price=0)
    assert fields_of(excinfo) == {"partner", "name_th"}
    product = create_product(
        None, code="J1", partner=partner, name_th="บริการคลาวด์", name_en="Cloud", price=0
    )
    assert product.partner == partner


def test_partners_page_adds_a_joint_product(client, make_user, partner):
    client.force_login(make_user("dpo", roles=("privacy_officer",), language="en"))
    response = client.post(
        "/data-protection/partners/",
        {"partner": partner.pk, "code": "INS", "name_th": "ประกัน", "name_en": "Insurance"},
    )
    assert response.status_code == 302
    # Catalog names follow the interface language (English here).
    assert "Insurance" in client.get("/data-protection/partners/").content.decode()
    assert client.post("/data-protection/partners/", {"partner": partner.pk}).status_code == 422
