"""The record of processing activities (PDPA s.39): generated from the registries,
shown to the privacy area, downloadable as CSV and XLSX."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from connexion.audit.models import AuditEvent
from connexion.lib.thai import format_date
from connexion.people.models import Person
from connexion.people.services import (
    add_organization_role,
    create_organization,
    create_person,
    create_source,
)
from connexion.privacy import registry
from connexion.privacy.ledger.services import (
    decide_objection,
    give_consent,
    record_breach,
    record_breach_notification,
    record_disclosure,
    record_objection,
    withdraw_consent,
)
from connexion.privacy.models import Purpose, RetentionRule
from connexion.privacy.processing.record import build_record, one_year_before
from connexion.privacy.seed import PURPOSES

pytestmark = pytest.mark.django_db

URL = "/data-protection/record-of-processing/"
CSV_URL = URL + "export.csv"
XLSX_URL = URL + "export.xlsx"
REJECTION = "ยังมีสัญญาบริการที่ต้องติดต่อตามกฎหมาย"
WORDING = "ยินยอมรับข่าวสารและข้อเสนอพิเศษทางอีเมล"


@pytest.fixture
def officer(client: Client, make_user) -> Client:
    client.force_login(make_user("dpo", roles=("privacy_officer",), language="th"))
    return client


@pytest.fixture
def officer_en(client: Client, make_user) -> Client:
    client.force_login(make_user("dpo_en", roles=("privacy_officer",), language="en"))
    return client


def new_person(first_name: str, stage: str = "customer", source=None) -> Person:
    source = source or create_source(None, kind="direct", channel="web_form")
    return create_person(
        None, source=source, first_name_th=first_name, last_name_th="ทดสอบ", lifecycle_stage=stage
    )


def purpose_record(record, code: str):
    return next(p for p in record.purposes if p.code == code)


# --- the record as data -------------------------------------------------------


def test_every_seeded_purpose_appears_with_its_lawful_basis():
    record = build_record("en")
    assert {p.code: p.lawful_basis for p in record.purposes} == {
        values["code"]: values["lawful_basis"] for values in PURPOSES
    }
    legal = purpose_record(record, "legal-contact")
    assert legal.policy_clause == "5.6"
    assert legal.name == "Contact for legal reasons"
    assert legal.lawful_basis_label == "legal obligation"
    assert [c.code for c in legal.categories] == ["3.1", "3.2", "3.3"]
    assert purpose_record(build_record("th"), "legal-contact").name == "ติดต่อด้วยเหตุผลทางด้านกฎหมาย"


def test_categories_and_their_fields_come_from_the_registry(monkeypatch):
    record = build_record("en")
    legal = purpose_record(record, "legal-contact")
    identity = next(c for c in legal.categories if c.code == "3.3")
    assert identity.label == "3.3 identity verification"
    labels = {held.label: held for held in identity.fields}
    # Named by the models' verbose names, with the registry's sensitivity.
    assert labels["national ID"].restricted and labels["passport number"].restricted
    assert not labels["passport country"].restricted
    expected = {
        (label, name)
        for label, fields in registry.PERSONAL_FIELDS.items()
        for name, personal in fields.items()
        if personal.category == registry.Category.IDENTITY
    }
    assert {(held.model_label, held.name) for held in identity.fields} == expected
    # Billing uses 3.6, and no field of that category is held yet.
    billing = purpose_record(record, "billing")
    assert next(c for c in billing.categories if c.code == "3.6").fields == []

    person_fields = {
        **registry.PERSONAL_FIELDS["people.person"],
        "lifecycle_stage": registry.PersonalField(registry.Category.IDENTITY),
    }
    monkeypatch.setitem(registry.PERSONAL_FIELDS, "people.person", person_fields)
    legal = purpose_record(build_record("en"), "legal-contact")
    identity = next(c for c in legal.categories if c.code == "3.3")
    assert "lifecycle stage" in {held.label for held in identity.fields}


def test_data_subjects_are_the_kinds_present_with_their_counts():
    new_person("สมชาย", "customer")
    new_person("สมหญิง", "customer")
    visitor = new_person("มานี", "visitor")
    assert {f.code: f.count for f in build_record("en").data_subjects} == {
        "customer": 2,
        "visitor": 1,
    }
    company = create_organization(
        None,
        source=create_source(None, kind="direct", channel="email"),
        kind="customer",
        name_th="บริษัท ทดสอบ จำกัด",
    )
    add_organization_role(None, visitor, company, "director")
    subjects = {f.code: (f.label, f.count) for f in build_record("en").data_subjects}
    assert subjects["corporate_customer_contact"] == ("people at corporate customers", 1)
    assert subjects["visitor"] == ("website visitors", 1)
    assert "prospect" not in subjects and "former_customer" not in subjects


def test_sources_are_counted_by_kind():
    referrer = new_person("สมชาย")
    related = create_source(None, kind="related_person", channel="phone", related_person=referrer)
    new_person("สมศรี", "prospect", source=related)
    new_person("สมปอง", "prospect", source=related)
    sources = {f.code: (f.count, f.people) for f in build_record("en").sources}
    assert sources == {"direct": (1, 1), "related_person": (1, 2), "partner": (0, 0)}


def test_consent_figures_follow_each_persons_latest_decision(marketing):
    staying, leaving = new_person("สมชาย"), new_person("สมหญิง")
    give_consent(None, staying, marketing, wording=WORDING, channel="web_form")
    give_consent(None, leaving, marketing, wording=WORDING, channel="web_form")
    withdraw_consent(None, leaving, marketing, channel="privacy_center")
    record = build_record("en")
    consent = purpose_record(record, "direct-marketing").consent
    assert (consent.given, consent.withdrawn) == (1, 1)
    # Purposes that do not rest on consent have no consent figures.
    assert purpose_record(record, "service").consent is None


def test_a_rejected_objection_is_recorded_with_its_reason(
    person, product_contact, marketing, make_user
):
    officer = make_user("dpo", roles=("privacy_officer",))
    objection = record_objection(None, person, product_contact, grounds="ไม่ต้องการให้ติดต่อ")
    decide_objection(officer, objection, accept=False, reason=REJECTION)
    other = new_person("สมหญิง")
    record_objection(None, other, product_contact)
    # An objection to direct marketing is honoured at once.
    record_objection(None, person, marketing)

    record = build_record("th")
    objections = purpose_record(record, "product-contact").objections
    assert (objections.accepted, objections.rejected, objections.pending) == (0, 1, 1)
    assert [r.reason for r in objections.rejections] == [REJECTION]
    assert objections.rejections[0].decided_at is not None
    assert purpose_record(record, "direct-marketing").objections.accepted == 1
    assert record.rejection_ids == [objection.pk]


def test_a_refused_data_subject_request_is_recorded_with_its_lawful_reason(officer_en, make_user):
    from connexion.privacy.subject_requests.workflow import reject_request
    from tests.privacy.request_support import open_by_api

    staff = make_user("dpo", roles=("privacy_officer",))
    refused = open_by_api(staff, kind="erasure")
    reject_request(staff, refused, reason="ต้องเก็บไว้ตามประมวลรัษฎากร มาตรา 87/3")
    open_by_api(staff, kind="access", email="other@example.co.th")  # still open: not listed

    record = build_record("en")
    assert [(r.reference, r.kind, r.reason) for r in record.refused_requests] == [
        (refused.reference, "erasure or anonymization", "ต้องเก็บไว้ตามประมวลรัษฎากร มาตรา 87/3")
    ]
    html = officer_en.get(URL).content.decode()
    assert refused.reference in html and "มาตรา 87/3" in html
    workbook = load_workbook(io.BytesIO(officer_en.get(XLSX_URL).content))
    rows = list(workbook["Refused requests"].iter_rows(values_only=True))
    assert rows[1][:2] == (refused.reference, "erasure or anonymization")
    # Showing the reasons is a read of data about people: logged with the request ids.
    assert AuditEvent.objects.filter(
        object_type="privacy.subjectrequest",
        object_id=str(refused.pk),
        action="privacy.record_of_processing.page",
    ).exists()


def test_the_controller_and_its_dpo_come_from_the_privacy_contact(officer_en):
    from connexion.portal.services import save_privacy_contact

    html = officer_en.get(URL).content.decode()
    assert "privacy contact are not set yet" in html
    save_privacy_contact(
        None,
        controller_name_th="บริษัท คอนเน็กซ์ จำกัด",
        controller_name_en="Connex Co., Ltd.",
        dpo_name="สมชาย รักษ์ข้อมูล",
        email="dpo@connex.co.th",
    )
    html = officer_en.get(URL).content.decode()
    assert "Connex Co., Ltd." in html and "dpo@connex.co.th" in html
    assert build_record("th").controller.name == "บริษัท คอนเน็กซ์ จำกัด"
    workbook = load_workbook(io.BytesIO(officer_en.get(XLSX_URL).content))
    rows = list(workbook["Controller"].iter_rows(values_only=True))
    assert rows[0] == ("Controller", "Connex Co., Ltd.")
    assert rows[1] == ("Data protection officer", "สมชาย รักษ์ข้อมูล")


def test_disclosures_are_counted_per_basis_over_the_last_12_months(person, marketing):
    now = timezone.now()
    for days_ago in (3, 40):
        record_disclosure(
            None,
            person,
            basis="legal_obligation",
            categories=["3.1", "3.3"],
            recipient_name="สำนักงานตำรวจแห่งชาติ",
            legal_reference=f"หมายเรียก {days_ago}/2569",
            reason="หมายเรียกพยานเอกสาร",
            disclosed_at=now - timedelta(days=days_ago),
        )
    record_disclosure(
        None,
        person,
        basis="legal_obligation",
        categories=["3.1"],
        recipient_name="สำนักงานตำรวจแห่งชาติ",
        legal_reference="หมายเรียก 1/2567",
        reason="หมายเรียกเก่า",
        disclosed_at=now - timedelta(days=400),
    )
    give_consent(None, person, marketing, wording=WORDING, channel="web_form")
    record_disclosure(
        None,
        person,
        basis="consent",
        purpose=marketing,
        categories=["3.2"],
        recipient_name="Agency Co., Ltd.",
        reason="ส่งข่าวสารตามที่ยินยอม",
    )

    record = build_record("en")
    by_basis = {basis.code: basis for basis in record.disclosures}
    assert {code: basis.count for code, basis in by_basis.items()} == {
        "consent": 1,
        "partner": 0,
        "legal_obligation": 2,
    }
    police = by_basis["legal_obligation"].recipients
    assert [(r.name, r.count, r.categories) for r in police] == [
        ("สำนักงานตำรวจแห่งชาติ", 2, ["3.1", "3.3"])
    ]
    # Under consent, the disclosure is linked to its purpose.
    agency = by_basis["consent"].recipients[0]
    assert (agency.purpose_code, agency.purpose) == ("direct-marketing", marketing.name_en)
    assert purpose_record(record, "direct-marketing").recipients == [agency]
    assert purpose_record(record, "service").recipients == []


def test_breaches_of_the_last_12_months_with_their_notification():
    now = timezone.now()
    recent = record_breach(
        None,
        title="อีเมลส่งผิดผู้รับ",
        description="ส่งรายชื่อลูกค้าไปยังผู้รับผิดคน",
        occurred_at=now - timedelta(days=10),
        aware_at=now - timedelta(days=9),
        categories=["3.1", "3.2"],
        people_affected=12,
        risk="risk",
        risk_reasoning="อีเมลและชื่อ",
    )
    record_breach_notification(
        None, recent, regulator_notified_at=now - timedelta(days=8), regulator_reference="PDPC-1"
    )
    record_breach(
        None,
        title="Old laptop lost",
        description="",
        occurred_at=now - timedelta(days=500),
        aware_at=now - timedelta(days=499),
        categories=["3.1"],
        people_affected=1,
        risk="none",
        risk_reasoning="encrypted disk",
    )
    breaches = build_record("en").breaches
    assert [b.title for b in breaches] == ["อีเมลส่งผิดผู้รับ"]
    assert breaches[0].regulator_reference == "PDPC-1" and not breaches[0].notified_late
    assert breaches[0].note == ""


# --- the page and the downloads ---------------------------------------------


def test_the_urls_are_named_under_processing():
    assert reverse("processing:record_of_processing") == URL
    assert reverse("processing:record_of_processing_csv") == CSV_URL
    assert reverse("processing:record_of_processing_xlsx") == XLSX_URL


def test_the_page_in_thai_shows_every_purpose_rejection_and_buddhist_era_dates(
    officer, person, product_contact
):
    objection = record_objection(None, person, product_contact)
    decide_objection(None, objection, accept=False, reason=REJECTION)
    response = officer.get(URL)
    assert response.status_code == 200
    assert response["Content-Language"] == "th"
    assert "privacy/record_of_processing.html" in [t.name for t in response.templates]
    html = response.content.decode()
    for values in PURPOSES:
        assert values["name_th"] in html
    assert "3.3 ข้อมูลยืนยันตัวตน" in html and "เลขประจำตัวประชาชน" in html
    assert REJECTION in html
    today = timezone.localdate()
    assert format_date(today, "th") in html and str(today.year + 543) in html
    assert f'href="{CSV_URL}?lang=th"' in html and f'href="{XLSX_URL}?lang=th"' in html
    assert 'class="page-head"' in html and "@media print" in html
    # Reading the reasons of rejections is on the audit log.
    event = AuditEvent.objects.filter(kind="access").latest("id")
    assert event.action == "privacy.record_of_processing.page"
    assert event.object_type == "privacy.objection" and event.object_id == str(objection.pk)


def test_the_english_version_shows_english_names(officer_en):
    html = officer_en.get(URL).content.decode()
    english = Purpose.objects.get(code="billing")
    assert english.name_en in html and english.name_th not in html
    assert "Legitimate interest" in html and "3.3 identity verification" in html
    assert str(timezone.localdate().year) in html
    assert str(timezone.localdate().year + 543) not in html


def test_a_thai_reader_can_ask_for_the_english_version(officer):
    response = officer.get(URL, {"lang": "en"})
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert "Contact for legal reasons" in html and "ติดต่อด้วยเหตุผลทางด้านกฎหมาย" not in html


def test_the_csv_has_a_bom_and_one_row_per_purpose_and_category(officer, person, product_contact):
    objection = record_objection(None, person, product_contact)
    decide_objection(None, objection, accept=False, reason=REJECTION)
    response = officer.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    body = rows[1:]
    assert len(body) == sum(len(values["data_categories"]) for values in PURPOSES)
    assert {row[0] for row in body} == {values["code"] for values in PURPOSES}
    legal = [row for row in body if row[0] == "legal-contact"]
    assert [row[2] for row in legal] == ["ติดต่อด้วยเหตุผลทางด้านกฎหมาย"] * 3
    identity = next(row for row in legal if row[6] == "3.3 ข้อมูลยืนยันตัวตน")
    assert "เลขประจำตัวประชาชน" in identity[7]
    contact = [row for row in body if row[0] == "product-contact"]
    assert all(REJECTION in row[-1] for row in contact)
    assert len(set(map(len, rows))) == 1


def test_the_csv_in_english_on_request(officer):
    response = officer.get(CSV_URL, {"lang": "en"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Code"
    names = {row[2] for row in rows[1:]}
    assert "Contact for legal reasons" in names and "ติดต่อด้วยเหตุผลทางด้านกฎหมาย" not in names


def test_the_xlsx_has_a_sheet_per_section_with_thai_text(officer, person, product_contact):
    now = timezone.now()
    objection = record_objection(None, person, product_contact)
    decide_objection(None, objection, accept=False, reason="=HYPERLINK(1)")
    record_disclosure(
        None,
        person,
        basis="legal_obligation",
        categories=["3.1"],
        recipient_name="กรมสรรพากร",
        legal_reference="ภ.ง.ด. 2569/1",
        reason="คำสั่งเรียกข้อมูล",
    )
    record_breach(
        None,
        title="แฟ้มเอกสารสูญหาย",
        description="",
        occurred_at=now - timedelta(days=2),
        aware_at=now - timedelta(days=1),
        categories=["3.1"],
        people_affected=3,
        risk="high",
        risk_reasoning="มีเลขบัตรประชาชน",
    )
    response = officer.get(XLSX_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 6
    purposes, objections, disclosures, breaches, _refused, _controller = (
        workbook[name] for name in workbook.sheetnames
    )

    def cells(sheet):
        return [value for row in sheet.iter_rows(values_only=True) for value in row if value]

    assert purposes.max_row == 1 + sum(len(values["data_categories"]) for values in PURPOSES)
    assert "ติดต่อด้วยเหตุผลทางด้านกฎหมาย" in cells(purposes)
    # Text typed by staff stays text, never a formula.
    assert "'=HYPERLINK(1)" in cells(objections)
    assert "กรมสรรพากร" in cells(disclosures)
    assert "แฟ้มเอกสารสูญหาย" in cells(breaches)
    assert format_date(timezone.localdate(now - timedelta(days=1)), "th") in cells(breaches)


def test_the_xlsx_in_english(officer_en):
    workbook = load_workbook(io.BytesIO(officer_en.get(XLSX_URL).content))
    assert workbook.sheetnames == [
        "Purposes",
        "Objections",
        "Disclosures",
        "Breaches",
        "Refused requests",
        "Controller",
    ]
    names = [row[2] for row in workbook["Purposes"].iter_rows(min_row=2, values_only=True)]
    assert "Billing, only as authorized" in names


@pytest.mark.parametrize("url", [URL, CSV_URL, XLSX_URL])
def test_a_sales_user_is_refused(client, make_user, url):
    client.force_login(make_user("sales1", roles=("sales",)))
    assert client.get(url).status_code == 403


def test_the_record_needs_a_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "next=" in response["Location"]


def test_the_last_12_months_start_a_year_before_even_from_29_february():
    assert one_year_before(datetime(2028, 2, 29, 10)) == datetime(2027, 2, 28, 10)
    assert one_year_before(datetime(2026, 11, 26)) == datetime(2025, 11, 26)


def test_the_retention_column_comes_from_the_rules_in_force(officer_en):
    """Not typed by hand: each purpose lists the rules in force that reach its
    data (its own, or those of a category it uses), and a rule switched off
    leaves the record."""
    record = build_record("en")
    by_code = {purpose.code: purpose for purpose in record.purposes}
    contact = by_code["product-contact"]
    assert any("Former customers: contact details" in rule for rule in contact.retention)
    assert all(" months" in rule and "→" in rule for rule in contact.retention)
    RetentionRule.objects.update(is_active=False)
    assert build_record("en").purposes[0].retention == []
    page = officer_en.get(URL).content.decode()
    assert "no retention rule in force" in page
