"""The privacy area's pages and the privacy panel of a person's page."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from connexion.audit.models import AuditEvent
from connexion.people.models import Organization
from connexion.people.services import ContactDetails, create_organization, create_person
from connexion.people.services import create_source as new_source
from connexion.privacy.ledger.decisions import may_use
from connexion.privacy.ledger.forms import staff_wording
from connexion.privacy.ledger.services import (
    give_consent,
    publish_notice,
    record_breach,
    record_objection,
    restrict,
    withdraw_consent,
)
from connexion.privacy.models import (
    Breach,
    ConsentEvent,
    Disclosure,
    Objection,
    PrivacyNotice,
    Purpose,
    Restriction,
)
from connexion.sales.models import ProductInterest
from connexion.sales.services.products import create_product

pytestmark = pytest.mark.django_db
WORDING = "ยินยอมรับข่าวสารทางอีเมล"


@pytest.fixture
def officer(client: Client, make_user) -> Client:
    user = make_user("dpo", roles=("privacy_officer",), language="en")
    client.force_login(user)
    client.user = user  # type: ignore[attr-defined]
    return client


@pytest.fixture
def sales(client: Client, make_user) -> Client:
    user = make_user("sales1", roles=("sales",), language="en")
    client.force_login(user)
    client.user = user  # type: ignore[attr-defined]
    return client


def someone(name: str, phone: str | None = None):
    return create_person(
        None,
        source=new_source(None, kind="direct", channel="phone"),
        first_name_en=name,
        contacts=ContactDetails(phones=[("mobile", phone)] if phone else []),
    )


def panel_of(body: str) -> str:
    return body.split('id="privacy-panel"', 1)[1].split("</section>", 1)[0]


def field_html(response, name: str) -> str:
    """The form field `name` as shown: label, input, help and errors."""
    body = response.content.decode()
    return body.split(f'for="id_{name}"', 1)[1].split('<div class="field', 1)[0]


def consent_row(body: str, code: str) -> str:
    return panel_of(body).split(f'data-testid="consent-{code}"', 1)[1].split("</li>", 1)[0]


# --- the dashboard --------------------------------------------------------------


def test_dashboard_counts_consent_from_the_latest_entry_of_each_person(officer, person, marketing):
    given, withdrawn, renewed, outdated, _never = (
        someone(name) for name in ["Given", "Withdrawn", "Renewed", "Outdated", "Never"]
    )
    give_consent(None, given, marketing, wording=WORDING, channel="web_form")
    give_consent(None, withdrawn, marketing, wording=WORDING, channel="web_form")
    withdraw_consent(None, withdrawn, marketing, channel="email")
    give_consent(None, outdated, marketing, wording=WORDING, channel="web_form")
    give_consent(None, renewed, marketing, wording=WORDING, channel="web_form")
    withdraw_consent(None, renewed, marketing, channel="email")
    publish_notice(None, version="2", text_th="ใหม่", text_en="New", renew_consent_for=[marketing])
    give_consent(None, renewed, marketing, wording=WORDING, channel="web_form")

    response = officer.get("/data-protection/")
    assert response.status_code == 200
    coverage = {row.purpose.code: row for row in response.context["dashboard"].coverage}
    assert set(coverage) == {"direct-marketing"}  # the only purpose resting on consent
    row = coverage["direct-marketing"]
    # Six people: the fixture's person, and the five above.
    assert (row.total, row.given, row.outdated, row.withdrawn, row.never) == (6, 3, 2, 1, 2)

    body = response.content.decode()
    figures = body.split('data-testid="coverage-direct-marketing"', 1)[1].split("</tr>", 1)[0]
    link = "/data-protection/consents/?purpose=direct-marketing&amp;state="
    for state, figure in [("given", 3), ("outdated", 2), ("withdrawn", 1), ("never", 2)]:
        assert f'href="{link}{state}" data-testid="{state}">{figure}</a>' in figures, state

    listed = officer.get("/data-protection/consents/?purpose=direct-marketing&state=outdated")
    assert {p.first_name_en for p in listed.context["page"].object_list} == {"Given", "Outdated"}
    never = officer.get("/data-protection/consents/?purpose=direct-marketing&state=never")
    assert {p.first_name_en for p in never.context["page"].object_list} == {"", "Never"}
    event = AuditEvent.objects.filter(action="privacy.consent_list").latest("id")
    assert event.actor == officer.user and len(event.details["ids"]) == 2


def test_dashboard_figures_link_to_the_filtered_lists(officer, person, product_contact):
    restrict(None, person, scope="record", reason="ข้อมูลอยู่ระหว่างโต้แย้ง")
    record_objection(None, person, product_contact, grounds="ไม่ต้องการให้โทร")
    body = officer.get("/data-protection/").content.decode()
    for testid, href, figure in [
        ("active-restrictions", "/data-protection/restrictions/?status=active", 1),
        ("pending-objections", "/data-protection/objections/?status=pending", 1),
        ("recent-disclosures", "/data-protection/disclosures/?period=30", 0),
        ("open-breaches", "/data-protection/breaches/?status=open", 0),
    ]:
        card = re.search(rf'<a class="card[^"]*" href="([^"]+)" data-testid="{testid}">', body)
        assert card and card.group(1) == href, testid
        page = body.split(f'data-testid="{testid}">', 1)[1]
        assert page.startswith(f'<span class="figure">{figure}</span>'), testid
        assert officer.get(href).status_code == 200, href
    assert "/data-protection/record-of-processing/" in body
    restrictions = officer.get("/data-protection/restrictions/?status=active")
    assert [r.person for r in restrictions.context["page"].object_list] == [person]
    assert "the whole record" in restrictions.content.decode()
    access = AuditEvent.objects.filter(action="privacy.restriction_list").latest("id")
    assert access.object_id == str(person.pk)


def test_the_dashboard_costs_the_same_queries_for_many_people(officer, marketing):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert officer.get("/data-protection/").status_code == 200
        return len(captured)

    people = [someone(f"P{number}") for number in range(3)]
    give_consent(None, people[0], marketing, wording=WORDING, channel="web_form")
    few = queries()
    for number in range(3, 15):
        person = someone(f"P{number}")
        give_consent(None, person, marketing, wording=WORDING, channel="web_form")
        withdraw_consent(None, person, marketing, channel="email")
    assert queries() == few
    figures = officer.get("/data-protection/").context["dashboard"].coverage[0]
    assert (figures.given, figures.withdrawn, figures.never) == (1, 12, 2)


def test_sales_is_refused_the_privacy_area_but_sees_the_person_panel(sales, person):
    for path in [
        "/data-protection/",
        "/data-protection/purposes/",
        "/data-protection/notices/",
        "/data-protection/objections/",
        "/data-protection/disclosures/new/",
        "/data-protection/breaches/",
        "/data-protection/restrictions/",
    ]:
        assert sales.get(path).status_code == 403, path
    body = sales.get(f"/people/{person.pk}/").content.decode()
    assert 'id="privacy-panel"' in body and "Give consent" in body
    # Recording a disclosure belongs to the privacy area.
    assert "/data-protection/disclosures/new/" not in body
    nav = body.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert "/data-protection/" not in nav
    assert AuditEvent.objects.filter(action="privacy.person_panel", actor=sales.user).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, person):
    response = client.get("/data-protection/")
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/")
    response = client.post(f"/data-protection/people/{person.pk}/consent/")
    assert response.status_code == 302 and not ConsentEvent.objects.exists()


def test_the_privacy_officer_finds_the_area_in_the_navigation(officer):
    body = officer.get("/").content.decode()
    nav = body.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/data-protection/">Privacy</a>' in nav


# --- purposes -------------------------------------------------------------------


def purpose_form(purpose: Purpose, **changes):
    data = {
        "code": purpose.code,
        "policy_clause": purpose.policy_clause,
        "name_th": purpose.name_th,
        "name_en": purpose.name_en,
        "description_th": purpose.description_th,
        "description_en": purpose.description_en,
        "lawful_basis": purpose.lawful_basis,
        "data_categories": purpose.data_categories,
        "retention_rule": purpose.retention_rule,
        "is_active": "on" if purpose.is_active else "",
        **changes,
    }
    if purpose.is_direct_marketing:
        data.setdefault("is_direct_marketing", "on")
    return {name: value for name, value in data.items() if value != ""}


def test_editing_a_purpose_is_a_registry_change_in_the_audit_log(officer, product_contact):
    url = f"/data-protection/purposes/{product_contact.pk}/"
    assert "3.4" in officer.get(url).content.decode()
    response = officer.post(
        url,
        purpose_form(
            product_contact,
            data_categories=["3.2", "3.1"],
            retention_rule="2 ปีหลังการติดต่อครั้งสุดท้าย",
        ),
    )
    assert response.status_code == 302
    product_contact.refresh_from_db()
    assert product_contact.data_categories == ["3.1", "3.2"]
    event = AuditEvent.objects.get(action="privacy.update_purpose")
    assert event.actor == officer.user and event.object_id == str(product_contact.pk)
    assert event.details == {
        "data_categories": [["3.1", "3.2", "3.4"], ["3.1", "3.2"]],
        "retention_rule": ["", "2 ปีหลังการติดต่อครั้งสุดท้าย"],
    }
    listed = officer.get("/data-protection/purposes/").content.decode()
    assert "2 ปีหลังการติดต่อครั้งสุดท้าย" in listed


def test_a_bad_purpose_form_names_the_fields_and_changes_nothing(officer, product_contact):
    # The code is fixed once the purpose exists: what is posted for it is ignored.
    response = officer.post(
        f"/data-protection/purposes/{product_contact.pk}/",
        purpose_form(product_contact, code="direct-marketing", name_th="", lawful_basis="magic"),
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name_th", "lawful_basis"}
    product_contact.refresh_from_db()
    assert product_contact.code == "product-contact" and product_contact.name_th
    assert not AuditEvent.objects.filter(action="privacy.update_purpose").exists()


def test_a_new_purpose_can_be_added(officer):
    response = officer.post(
        "/data-protection/purposes/new/",
        {
            "code": "surveys",
            "name_th": "สำรวจความพึงพอใจ",
            "name_en": "Satisfaction surveys",
            "lawful_basis": "consent",
            "data_categories": ["3.1", "3.2"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    purpose = Purpose.objects.get(code="surveys")
    assert purpose.needs_consent and purpose.data_categories == ["3.1", "3.2"]
    assert AuditEvent.objects.filter(action="privacy.create_purpose").exists()


# --- notices --------------------------------------------------------------------


def test_publishing_a_notice_that_renews_consent_makes_it_outdated_on_the_panel(
    officer, person, marketing
):
    give_consent(None, person, marketing, wording=WORDING, channel="web_form")
    form = officer.get("/data-protection/notices/new/")
    assert form.context["form"].initial["text_th"]  # starts from the version in effect
    response = officer.post(
        "/data-protection/notices/new/",
        {
            "version": "2",
            "text_th": "ประกาศฉบับใหม่",
            "text_en": "The new notice",
            "renew_consent_for": [marketing.pk],
        },
    )
    notice = PrivacyNotice.objects.get(version="2")
    assert response["Location"] == f"/data-protection/notices/{notice.pk}/"
    assert list(notice.renew_consent_for.all()) == [marketing]
    assert notice.published_by == officer.user
    listed = officer.get("/data-protection/notices/").content.decode()
    assert "The new notice" not in listed and ">2</a>" in listed
    assert "The new notice" in officer.get(response["Location"]).content.decode()

    row = consent_row(officer.get(f"/people/{person.pk}/").content.decode(), "direct-marketing")
    assert "to renew" in row
    assert "under notice version 1; version 2 asks for it again" in row
    assert "Renew consent" in row and "Withdraw consent" in row
    assert may_use(person, marketing).codes == ["consent_outdated"]


def test_a_notice_with_a_taken_version_or_a_non_consent_renewal_is_refused(
    officer, service, marketing
):
    response = officer.post(
        "/data-protection/notices/new/",
        {"version": "2", "text_th": "ก", "text_en": "a", "renew_consent_for": [service.pk]},
    )
    assert set(response.context["form"].errors) == {"renew_consent_for"}
    response = officer.post(
        "/data-protection/notices/new/",
        {"version": " 1 ", "text_th": "ก", "text_en": "", "renew_consent_for": [marketing.pk]},
    )
    assert set(response.context["form"].errors) == {"text_en"}
    response = officer.post(
        "/data-protection/notices/new/",
        {"version": " 1 ", "text_th": "ก", "text_en": "a", "renew_consent_for": [marketing.pk]},
    )
    assert response.context["form"].errors["version"] == ["This version exists already."]
    assert PrivacyNotice.objects.count() == 1


# --- objections -----------------------------------------------------------------


def test_deciding_an_objection(officer, person, product_contact):
    objection = record_objection(None, person, product_contact, grounds="ไม่ต้องการให้โทร")
    listed = officer.get("/data-protection/objections/?status=pending")
    assert list(listed.context["page"].object_list) == [objection]
    accepted = officer.get("/data-protection/objections/?status=accepted").context["page"]
    assert list(accepted.object_list) == []
    url = f"/data-protection/objections/{objection.pk}/"
    page = officer.get(url).content.decode()
    assert "ไม่ต้องการให้โทร" in page and "Record the decision" in page

    response = officer.post(url, {"decision": "reject", "reason": "  "})
    assert "reason" in response.context["form"].errors
    objection.refresh_from_db()
    assert objection.status == Objection.Status.PENDING

    response = officer.post(url, {"decision": "accept", "reason": "ไม่มีเหตุอันชอบธรรมที่สำคัญกว่า"})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == Objection.Status.ACCEPTED
    assert objection.decided_by == officer.user
    assert AuditEvent.objects.filter(action="privacy.decide_objection").exists()
    assert may_use(person, product_contact).codes == ["objected"]
    # Decided once: the form is gone and a second decision is refused.
    assert "Record the decision" not in officer.get(url).content.decode()
    officer.post(url, {"decision": "reject", "reason": "เปลี่ยนใจ"})
    objection.refresh_from_db()
    assert objection.status == Objection.Status.ACCEPTED


# --- disclosures ----------------------------------------------------------------


@pytest.fixture
def partner(person):
    source = new_source(None, kind="direct", channel="email")
    return create_organization(
        None, source=source, kind=Organization.Kind.PARTNER, name_th="บริษัท พันธมิตร จำกัด"
    )


@pytest.fixture
def product(partner):
    return create_product(
        None, code="INS", partner=partner, name_th="ประกันภัย", name_en="Insurance", price=0
    )


def test_a_disclosure_without_basis_is_refused_with_the_reasons_next_to_the_fields(
    officer, person, marketing
):
    data = {
        "person": f"#{person.pk}",
        "recipient_name": "Agency",
        "categories": ["3.2"],
        "reason": "ส่งรายชื่อให้เอเจนซี",
    }
    response = officer.post("/data-protection/disclosures/new/", data)
    assert response.status_code == 422
    assert "Without a basis the data may not be disclosed." in field_html(response, "basis")

    response = officer.post(
        "/data-protection/disclosures/new/", {**data, "basis": "consent", "purpose": marketing.pk}
    )
    assert response.status_code == 422
    assert "The person has not given consent for this purpose." in field_html(response, "basis")
    assert not Disclosure.objects.exists()
    assert AuditEvent.objects.filter(action="privacy.disclosure_refused").count() == 2


def test_a_partner_disclosure_is_allowed_after_an_interest(officer, person, partner, product):
    data = {
        "person": f"#{person.pk}",
        "basis": "partner",
        "recipient": f"#{partner.pk}",
        "product": product.pk,
        "categories": ["3.1", "3.2"],
        "fields_disclosed": "name, mobile phone",
        "reason": "ลูกค้าสนใจประกันภัย",
    }
    refused = officer.post("/data-protection/disclosures/new/", data)
    assert "product" in refused.context["form"].errors
    assert not Disclosure.objects.exists()

    # Anyone at the counter can record the interest, on the person's page.
    response = officer.post(
        f"/data-protection/people/{person.pk}/interests/",
        {"interest-product": product.pk, "interest-kind": "interested"},
    )
    assert response.status_code == 302
    assert ProductInterest.objects.get().person == person

    response = officer.post("/data-protection/disclosures/new/", data)
    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient == partner and disclosure.fields == ["name", "mobile phone"]
    listed = officer.get("/data-protection/disclosures/?basis=partner&period=30")
    assert list(listed.context["page"].object_list) == [disclosure]
    consent = officer.get("/data-protection/disclosures/?basis=consent").context["page"]
    assert list(consent.object_list) == []
    panel = panel_of(officer.get(f"/people/{person.pk}/").content.decode())
    assert "บริษัท พันธมิตร จำกัด" in panel and "Insurance" in panel


def test_the_disclosure_form_starts_from_the_person_of_the_panel(officer, person):
    body = officer.get(f"/data-protection/disclosures/new/?person={person.pk}").content.decode()
    assert f'value="#{person.pk} สมศรี ใจดี"' in body


# --- breaches -------------------------------------------------------------------


def breach(**overrides):
    now = timezone.now()
    values = {
        "title": "แล็ปท็อปหาย",
        "description": "เครื่องของพนักงานขายหาย",
        "occurred_at": now - timedelta(days=4),
        "aware_at": now - timedelta(hours=80, minutes=5),
        "categories": ["3.1", "3.2"],
        "people_affected": 120,
        "risk": "high",
        "risk_reasoning": "ไม่ได้เข้ารหัสดิสก์",
        **overrides,
    }
    return record_breach(None, **values)


def test_an_overdue_breach_clock_is_shown_in_red(officer):
    overdue = breach()
    breach(title="อีเมลส่งผิดคน", aware_at=timezone.now() - timedelta(hours=10, minutes=30))
    breach(title="ไม่มีความเสี่ยง", risk="none", risk_reasoning="ข้อมูลเข้ารหัสแล้ว")
    dashboard = officer.get("/data-protection/").content.decode()
    assert dashboard.count('class="clock overdue"') == 1
    assert re.search(r'<span class="clock overdue"[^>]*>Overdue by 8 h [45] min</span>', dashboard)
    assert re.search(r'<span class="clock running"[^>]*>61 h (29|30) min left</span>', dashboard)
    assert "No notice to the regulator: assessed as no risk" in dashboard
    listed = officer.get("/data-protection/breaches/?status=open").content.decode()
    assert 'class="overdue-row"' in listed and "Overdue by 8 h" in listed
    detail = officer.get(f"/data-protection/breaches/{overdue.pk}/").content.decode()
    assert 'class="clock overdue"' in detail


def test_recording_a_breach_through_the_form(officer):
    now = timezone.localtime()
    response = officer.post(
        "/data-protection/breaches/new/",
        {
            "title": "ไฟล์ส่งออกรั่ว",
            "description": "ไฟล์ถูกแชร์สาธารณะ",
            "occurred_at": (now - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"),
            "aware_at": (now - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
            "categories": ["3.2"],
            "people_affected": "40",
            "risk": "risk",
            "risk_reasoning": "",
        },
    )
    assert response.status_code == 422
    assert {"aware_at", "risk_reasoning"} <= set(response.context["form"].errors)
    assert not Breach.objects.exists()
    response = officer.post(
        "/data-protection/breaches/new/",
        {
            "title": "ไฟล์ส่งออกรั่ว",
            "description": "ไฟล์ถูกแชร์สาธารณะ",
            "occurred_at": (now - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
            "aware_at": (now - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"),
            "categories": ["3.2"],
            "people_affected": "40",
            "risk": "risk",
            "risk_reasoning": "มีเบอร์โทรศัพท์",
        },
    )
    created = Breach.objects.get()
    assert response["Location"] == f"/data-protection/breaches/{created.pk}/"
    assert created.recorded_by == officer.user and created.categories == ["3.2"]


def test_breach_form_errors_are_in_the_language_of_the_user_next_to_each_field(client, make_user):
    client.force_login(make_user("anong", roles=("privacy_officer",), language="th"))
    response = client.post("/data-protection/breaches/new/", {"people_affected": "-3"})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert {"title", "occurred_at", "aware_at", "categories", "risk", "people_affected"} <= set(
        errors
    )
    assert "ต้องระบุฟิลด์นี้" in field_html(response, "title")  # "This field is required."
    assert not Breach.objects.exists()


def test_a_late_notification_needs_its_reason(officer):
    late = breach()
    url = f"/data-protection/breaches/{late.pk}/"
    notified = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = officer.post(url, {"regulator_notified_at": notified})
    assert response.status_code == 422
    assert "The regulator was notified after 72 hours" in field_html(response, "late_reason")
    late.refresh_from_db()
    assert late.regulator_notified_at is None
    response = officer.post(
        url,
        {
            "regulator_notified_at": notified,
            "regulator_reference": "PDPC-2569-001",
            "late_reason": "รอผลการตรวจสอบ",
        },
    )
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.regulator_reference == "PDPC-2569-001" and late.late_reason
    body = officer.get(url).content.decode()
    assert "Regulator notified" in body and "after 72 hours" in body
    assert 'class="clock overdue"' not in body


# --- the person's panel ---------------------------------------------------------


def test_give_then_withdraw_in_one_post_each_and_the_ledger_shows_both(sales, person, marketing):
    url = f"/data-protection/people/{person.pk}/consent/"
    notice = PrivacyNotice.objects.get()
    response = sales.post(
        url,
        {"purpose": marketing.pk, "action": "given", "notice": notice.pk, "channel": "paper"},
    )
    assert response["Location"] == f"/people/{person.pk}/#privacy"
    row = consent_row(sales.get(f"/people/{person.pk}/").content.decode(), "direct-marketing")
    assert "given" in row and "Withdraw consent" in row and "Give consent" not in row
    assert may_use(person, marketing)

    response = sales.post(url, {"purpose": marketing.pk, "action": "withdrawn", "channel": "staff"})
    assert response.status_code == 302
    body = sales.get(f"/people/{person.pk}/").content.decode()
    row = consent_row(body, "direct-marketing")
    assert "withdrawn" in row and "Give consent" in row
    ledger = body.split('data-testid="ledger"', 1)[1].split("</ol>", 1)[0]
    assert ledger.index(">withdrawn<") < ledger.index(">given<")  # newest first
    assert staff_wording(marketing, notice) in ledger

    given, withdrawn = ConsentEvent.objects.order_by("id")
    assert given.wording == staff_wording(marketing, notice) and given.channel == "paper"
    assert given.recorded_by == sales.user and withdrawn.channel == "staff"
    assert not may_use(person, marketing)


def test_the_panel_answers_htmx_with_itself_and_the_contact_actions(sales, person, marketing):
    phone = person.phonenumbers.get()
    response = sales.post(
        f"/data-protection/people/{person.pk}/consent/",
        {"purpose": marketing.pk, "action": "given", "channel": "web_form"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<section class="panel wide privacy-panel" id="privacy-panel"')
    assert "Consent recorded" in body
    assert f'id="contact-action-phone-{phone.pk}" hx-swap-oob="true"' in body
    # A refused withdrawal is said in the panel, and nothing is written.
    sales.post(
        f"/data-protection/people/{person.pk}/consent/",
        {"purpose": marketing.pk, "action": "withdrawn", "channel": "staff"},
        HTTP_HX_REQUEST="true",
    )
    response = sales.post(
        f"/data-protection/people/{person.pk}/consent/",
        {"purpose": marketing.pk, "action": "withdrawn", "channel": "staff"},
        HTTP_HX_REQUEST="true",
    )
    assert "Purpose: There is no consent to withdraw for this purpose." in response.content.decode()
    assert ConsentEvent.objects.count() == 2


def test_consent_for_a_purpose_not_resting_on_consent_is_refused(sales, person, service):
    response = sales.post(
        f"/data-protection/people/{person.pk}/consent/",
        {"purpose": service.pk, "action": "given", "channel": "paper"},
        follow=True,
    )
    assert "Purpose:" in response.content.decode()
    assert not ConsentEvent.objects.exists()


def test_a_restriction_on_the_phone_replaces_the_call_link_by_the_reason_in_thai(
    client, make_user, person
):
    client.force_login(make_user("somsri", roles=("sales",), language="th"))
    phone = person.phonenumbers.get()
    body = client.get(f"/people/{person.pk}/").content.decode()
    assert f'href="tel:{phone.number}"' in body
    response = client.post(
        f"/data-protection/people/{person.pk}/restrictions/",
        {
            "restriction-scope": "contact_point",
            "restriction-contact_point": f"phone:{phone.pk}",
            "restriction-reason": "ลูกค้าขอไม่ให้โทรหา",
        },
    )
    assert response.status_code == 302
    restriction = Restriction.objects.get()
    assert restriction.contact_kind == "phone" and restriction.contact_id == phone.pk

    body = client.get(f"/people/{person.pk}/").content.decode()
    assert "tel:" not in body
    assert (
        f'href="mailto:{person.emailaddresss.get().email}"' in body
    )  # the email is not restricted
    action = body.split(f'id="contact-action-phone-{phone.pk}"', 1)[1].split("</span>\n</span>")[0]
    assert "<button" in action and "disabled" in action
    with translation.override("th"):
        reasons = may_use(person, Purpose.objects.get(code="product-contact"), phone).reasons
    assert reasons and all(reason in action for reason in reasons)
    buddhist_year = str(timezone.localdate().year + 543)
    assert re.search(rf"\d{{1,2}} [ก-๛.]+ {buddhist_year}", action)  # a Thai date in the B.E.
    assert str(timezone.localdate().year) not in action.replace(buddhist_year, "")


def test_the_refusal_reason_reads_in_thai(client, make_user, person):
    client.force_login(make_user("somsri", roles=("sales",), language="th"))
    restrict(
        None, person, scope="contact_point", contact_point=person.phonenumbers.get(), reason="x"
    )
    body = client.get(f"/people/{person.pk}/").content.decode()
    assert "ขอไม่ให้ติดต่อทาง" in body


def test_a_restriction_needs_its_contact_point_and_writes_nothing_otherwise(sales, person):
    response = sales.post(
        f"/data-protection/people/{person.pk}/restrictions/",
        {"restriction-scope": "contact_point", "restriction-reason": ""},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "Contact detail: Choose the contact detail to restrict." in body
    assert "Reason: This field is required." in body
    assert "<details open>" in body  # the form stays open with its errors
    assert not Restriction.objects.exists()
    # The contact point of someone else is not among the choices.
    other = someone("Other", "0899999999")
    sales.post(
        f"/data-protection/people/{person.pk}/restrictions/",
        {
            "restriction-scope": "contact_point",
            "restriction-contact_point": f"phone:{other.phonenumbers.get().pk}",
            "restriction-reason": "x",
        },
    )
    assert not Restriction.objects.exists()


def test_a_restriction_until_a_day_and_its_lifting(sales, person):
    until = timezone.localdate() + timedelta(days=7)
    sales.post(
        f"/data-protection/people/{person.pk}/restrictions/",
        {
            "restriction-scope": "category",
            "restriction-category": "3.2",
            "restriction-reason": "ระหว่างตรวจสอบความถูกต้อง",
            "restriction-until": until.isoformat(),
        },
    )
    restriction = Restriction.objects.get()
    assert timezone.localtime(restriction.ends_at).date() == until + timedelta(days=1)
    body = sales.get(f"/people/{person.pk}/").content.decode()
    assert "tel:" not in body and "mailto:" not in body  # category 3.2 holds every contact
    sales.post(f"/data-protection/people/{person.pk}/restrictions/{restriction.pk}/lift/")
    restriction.refresh_from_db()
    assert restriction.lifted_by == sales.user
    body = sales.get(f"/people/{person.pk}/").content.decode()
    assert "tel:" in body and "Lifted or ended (1)" in body


def test_the_restriction_register_lists_in_force_and_lifted(officer, person):
    phone = person.phonenumbers.get()
    in_force = restrict(None, person, scope="contact_point", contact_point=phone, reason="ห้ามโทร")
    lifted = restrict(None, person, scope="category", category="3.4", reason="ตรวจสอบ")
    officer.post(f"/data-protection/people/{person.pk}/restrictions/{lifted.pk}/lift/")
    active = officer.get("/data-protection/restrictions/?status=active")
    assert list(active.context["page"].object_list) == [in_force]
    assert "081 234 5678" in active.content.decode()
    ended = officer.get("/data-protection/restrictions/?status=lifted")
    assert list(ended.context["page"].object_list) == [lifted]
    assert "data category 3.4" in ended.content.decode()


def test_an_objection_to_direct_marketing_recorded_on_the_panel_is_honoured(
    sales, person, marketing
):
    response = sales.post(
        f"/data-protection/people/{person.pk}/objections/",
        {"objection-purpose": marketing.pk, "objection-grounds": "ไม่ต้องการโฆษณา"},
        HTTP_HX_REQUEST="true",
    )
    assert "Objection recorded: accepted." in response.content.decode()
    objection = Objection.objects.get()
    assert objection.status == Objection.Status.ACCEPTED and objection.recorded_by == sales.user


def test_an_objection_to_a_contract_purpose_is_refused_with_the_field_named(sales, person, service):
    response = sales.post(
        f"/data-protection/people/{person.pk}/objections/",
        {"objection-purpose": service.pk},
        follow=True,
    )
    assert "Purpose objected to:" in response.content.decode()
    assert not Objection.objects.exists()


def test_an_organization_page_has_no_call_action(sales, partner):
    body = sales.get(f"/organizations/{partner.pk}/").content.decode()
    assert "contact-action" not in body


def test_unknown_records_are_404(officer, person):
    assert officer.get("/data-protection/objections/999999/").status_code == 404
    assert officer.get("/data-protection/breaches/999999/").status_code == 404
    assert officer.get("/data-protection/notices/999999/").status_code == 404
    assert officer.get("/data-protection/consents/?purpose=nope").status_code == 404
    assert officer.post("/data-protection/people/999999/consent/").status_code == 404
    assert (
        officer.post(f"/data-protection/people/{person.pk}/restrictions/999999/lift/").status_code
        == 404
    )


def test_consent_with_a_scanned_form_as_evidence(client, make_user, person, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from connexion.privacy.ledger.selectors import current_notice
    from connexion.privacy.models import ConsentEvent

    settings.MEDIA_ROOT = tmp_path
    client.force_login(make_user("dpo2", roles=("privacy_officer",), language="en"))
    marketing = Purpose.objects.get(code="direct-marketing")
    data = {
        "purpose": marketing.pk,
        "action": "given",
        "notice": current_notice().pk,
        "channel": "paper",
    }
    fake = SimpleUploadedFile("form.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    client.post(f"/data-protection/people/{person.pk}/consent/", {**data, "evidence": fake})
    assert not ConsentEvent.objects.exists()
    scan = SimpleUploadedFile("form.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    client.post(f"/data-protection/people/{person.pk}/consent/", {**data, "evidence": scan})
    event = ConsentEvent.objects.get()
    assert event.evidence
    response = client.get(f"/data-protection/consents/{event.pk}/evidence/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(make_user("s9", roles=("sales",)))
    assert client.get(f"/data-protection/consents/{event.pk}/evidence/").status_code == 403
