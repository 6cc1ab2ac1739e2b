"""The privacy API: purposes, consents, restrictions, objections, disclosures
and `may-use`, at /api/v1/."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from connexion.api.services import create_token
from connexion.audit.models import AuditEvent
from connexion.people import services as people
from connexion.people.models import Organization, Person
from connexion.privacy.ledger import services as privacy
from connexion.privacy.models import (
    ConsentEvent,
    Disclosure,
    Objection,
    PrivacyNotice,
    Purpose,
    Restriction,
)
from connexion.sales.services import interests as interest_services
from connexion.sales.services import products as product_services

pytestmark = pytest.mark.django_db

WORDING = "ฉันยินยอมให้ส่งข่าวสารและข้อเสนอพิเศษทางอีเมล"
MARKETING = "direct-marketing"


class Api:
    """A test client that sends the bearer token, JSON bodies and `Accept-Language: en`."""

    def __init__(self, client: Client, token: str | None, language: str = "en") -> None:
        self.client = client
        self.headers = {"HTTP_ACCEPT_LANGUAGE": language, "HTTP_USER_AGENT": "Integrator/1.0"}
        if token:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def get(self, path: str, params: dict[str, Any] | None = None):
        return self.client.get(f"/api/v1{path}", params or {}, **self.headers)

    def post(self, path: str, body: Any = None):
        data = "" if body is None else json.dumps(body)
        return self.client.post(
            f"/api/v1{path}", data, content_type="application/json", **self.headers
        )


@pytest.fixture
def api_for(client, make_user):
    def make(
        username: str = "sales1", roles: tuple[str, ...] = ("sales",), language: str = "en"
    ) -> Api:
        user = make_user(username, roles=roles)
        _token, raw = create_token(user)
        api = Api(client, raw, language)
        api.user = user  # type: ignore[attr-defined]
        return api

    return make


@pytest.fixture
def api(api_for) -> Api:
    return api_for()


@pytest.fixture
def officer(api_for) -> Api:
    return api_for("dpo", roles=("privacy_officer",))


def make_person(**fields: Any) -> Person:
    source = people.create_source(None, kind="direct", channel="phone")
    contacts = people.ContactDetails(
        emails=fields.pop("emails", []), phones=fields.pop("phones", [])
    )
    fields.setdefault("first_name_th", "สมศรี")
    fields.setdefault("lifecycle_stage", "customer")
    return people.create_person(None, source=source, contacts=contacts, **fields)


@pytest.fixture
def person() -> Person:
    return make_person(emails=["somsri@example.co.th"], phones=[("mobile", "081-234-5678")])


def purpose(code: str) -> Purpose:
    return Purpose.objects.get(code=code)


def errors_of(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"]
    return {error["field"]: error["message"] for error in body["errors"]}


def where(response, field: str) -> str:
    return next(error["in"] for error in response.json()["errors"] if error["field"] == field)


def give(api: Api, person: Person, **body: Any):
    return api.post(
        f"/persons/{person.pk}/consents", {"purpose": MARKETING, "wording": WORDING, **body}
    )


# --- access -----------------------------------------------------------------


def test_requests_without_a_token_get_401(client, person):
    anonymous = Api(client, None)
    for response in [
        anonymous.get("/purposes"),
        anonymous.get(f"/persons/{person.pk}/consents"),
        anonymous.get(f"/persons/{person.pk}/may-use", {"purpose": MARKETING}),
        anonymous.post(f"/persons/{person.pk}/consents", {"purpose": MARKETING}),
        anonymous.get("/disclosures"),
    ]:
        assert response.status_code == 401
        assert response.json()["detail"]


def test_a_user_without_a_role_gets_403_json_everywhere(api_for, person):
    api = api_for("norole", roles=())
    pid = person.pk
    for response in [
        api.get("/purposes"),
        api.get(f"/persons/{pid}/consents"),
        api.get(f"/persons/{pid}/consents/history"),
        give(api, person),
        api.post(f"/persons/{pid}/consents/{MARKETING}/withdraw"),
        api.get(f"/persons/{pid}/restrictions"),
        api.post(f"/persons/{pid}/restrictions", {"scope": "record", "reason": "x"}),
        api.post(f"/persons/{pid}/restrictions/1/lift"),
        api.get(f"/persons/{pid}/objections"),
        api.post(f"/persons/{pid}/objections", {"purpose": MARKETING}),
        api.post("/objections/1/decision", {"accept": True, "reason": "x"}),
        api.get(f"/persons/{pid}/disclosures"),
        api.post(f"/persons/{pid}/disclosures", {"basis": "legal_obligation"}),
        api.get("/disclosures"),
        api.get(f"/persons/{pid}/may-use", {"purpose": MARKETING}),
    ]:
        assert response.status_code == 403, response.request["PATH_INFO"]
        assert response.json()["detail"]
    assert not ConsentEvent.objects.exists()
    assert not Restriction.objects.exists()


def test_the_registers_and_decisions_need_the_privacy_area(api, officer, person):
    objection = privacy.record_objection(None, person, purpose("product-contact"))
    refused = api.post(f"/objections/{objection.pk}/decision", {"accept": True, "reason": "ok"})
    assert refused.status_code == 403
    assert "privacy" in refused.json()["detail"]
    assert api.get("/disclosures").status_code == 403
    objection.refresh_from_db()
    assert objection.status == Objection.Status.PENDING
    assert officer.get("/disclosures").status_code == 200


def test_unknown_ids_get_404_json(api, officer, person):
    for response in [
        api.get("/persons/999999/consents"),
        api.get("/persons/999999/consents/history"),
        api.post("/persons/999999/consents", {"purpose": MARKETING, "wording": WORDING}),
        api.post(f"/persons/999999/consents/{MARKETING}/withdraw"),
        api.get("/persons/999999/restrictions"),
        api.post("/persons/999999/restrictions", {"scope": "record", "reason": "x"}),
        api.get("/persons/999999/objections"),
        api.post("/persons/999999/objections", {"purpose": MARKETING}),
        api.get("/persons/999999/disclosures"),
        api.post("/persons/999999/disclosures", {"basis": "legal_obligation"}),
        api.get("/persons/999999/may-use", {"purpose": MARKETING}),
        api.post(f"/persons/{person.pk}/restrictions/999999/lift"),
        officer.post("/objections/999999/decision", {"accept": True, "reason": "x"}),
    ]:
        assert response.status_code == 404, response.request["PATH_INFO"]
        assert "999999" in response.json()["detail"]


def test_a_restriction_of_another_person_cannot_be_lifted_through_this_one(api, person):
    other = make_person(first_name_th="มานี")
    restriction = privacy.restrict(None, other, scope="record", reason="โต้แย้ง")
    assert api.post(f"/persons/{person.pk}/restrictions/{restriction.pk}/lift").status_code == 404
    restriction.refresh_from_db()
    assert restriction.lifted_at is None


# --- purposes ---------------------------------------------------------------


def test_the_purpose_registry(api):
    response = api.get("/purposes")
    assert response.status_code == 200
    by_code = {item["code"]: item for item in response.json()}
    assert set(by_code) == {
        "product-contact",
        "service",
        "usage-audit",
        "billing",
        "policy-notices",
        "legal-contact",
        "direct-marketing",
    }
    marketing = by_code[MARKETING]
    assert marketing["lawful_basis"] == "consent" and marketing["needs_consent"] is True
    assert marketing["is_direct_marketing"] is True and marketing["is_active"] is True
    assert marketing["data_categories"] == ["3.1", "3.2"]
    assert marketing["name_en"] == "Direct marketing: news and offers"
    assert by_code["service"]["lawful_basis"] == "contract"
    assert by_code["service"]["policy_clause"] == "5.2"
    assert by_code["service"]["needs_consent"] is False


# --- consents ---------------------------------------------------------------


def test_give_and_withdraw_a_consent_through_the_ledger(api, person):
    states = api.get(f"/persons/{person.pk}/consents").json()
    assert [(s["purpose"], s["state"], s["since"]) for s in states] == [(MARKETING, "never", None)]

    response = give(api, person)
    assert response.status_code == 201, response.content
    given = response.json()
    assert given["action"] == "given" and given["purpose"] == MARKETING
    assert given["notice"] == "1" and given["channel"] == "api"
    assert given["wording"] == WORDING and len(given["wording_hash"]) == 64
    # Evidence defaults to the request's own address and user agent.
    assert given["ip_address"] == "127.0.0.1" and given["user_agent"] == "Integrator/1.0"
    assert given["recorded_by"] == "sales1"
    event = AuditEvent.objects.get(action="privacy.give_consent")
    assert event.channel == AuditEvent.Channel.API and event.actor == api.user  # type: ignore[attr-defined]

    [state] = api.get(f"/persons/{person.pk}/consents").json()
    assert state["state"] == "given" and state["notice"] == "1" and state["since"]
    assert state["renewal_needed"] is False

    # One call, no body (s.19).
    response = api.post(f"/persons/{person.pk}/consents/{MARKETING}/withdraw")
    assert response.status_code == 201, response.content
    assert response.json()["action"] == "withdrawn" and response.json()["notice"] == "1"
    assert AuditEvent.objects.get(action="privacy.withdraw_consent").channel == "api"
    [state] = api.get(f"/persons/{person.pk}/consents").json()
    assert state["state"] == "withdrawn"

    history = api.get(f"/persons/{person.pk}/consents/history").json()
    assert [entry["action"] for entry in history] == ["withdrawn", "given"]
    assert history[1]["wording"] == WORDING
    reads = AuditEvent.objects.filter(kind="access", action__startswith="privacy.consent")
    assert reads.count() == 4
    assert set(reads.values_list("channel", flat=True)) == {"api"}
    assert set(reads.values_list("object_id", flat=True)) == {str(person.pk)}


def test_a_consent_with_explicit_evidence_and_time(api, person):
    response = give(
        api,
        person,
        channel="web_form",
        notice="1",
        ip_address="203.0.113.9",
        user_agent="Firefox/130",
        occurred_at=(timezone.now() + timedelta(days=1)).isoformat(),
    )
    # Not in the future.
    assert set(errors_of(response)) == {"occurred_at"}
    PrivacyNotice.objects.filter(version="1").update(
        effective_at=timezone.now() - timedelta(days=3650)
    )
    response = give(
        api,
        person,
        channel="web_form",
        notice="1",
        ip_address="2001:db8::1",
        user_agent="Firefox/130",
        occurred_at="2025-05-01T10:00:00",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel"] == "web_form"
    assert body["ip_address"] == "2001:db8::1" and body["user_agent"] == "Firefox/130"
    # A time without offset is Bangkok time (UTC+7).
    assert body["occurred_at"] == "2025-05-01T03:00:00Z"


def test_bad_consents_are_refused_naming_the_field(api, person):
    path = f"/persons/{person.pk}/consents"
    response = api.post(path, {"purpose": "no-such-purpose", "wording": WORDING})
    assert "no-such-purpose" in errors_of(response)["purpose"]
    assert where(response, "purpose") == "body"
    response = api.post(path, {"purpose": MARKETING, "wording": WORDING, "notice": "99"})
    assert set(errors_of(response)) == {"notice"}
    assert "99" in errors_of(response)["notice"]
    # A purpose that does not rest on consent.
    assert (
        "does not rest on consent"
        in errors_of(api.post(path, {"purpose": "service", "wording": WORDING}))["purpose"]
    )
    assert set(errors_of(api.post(path, {"purpose": MARKETING, "wording": "  "}))) == {"wording"}
    assert set(errors_of(give(api, person, channel="pigeon"))) == {"channel"}
    assert set(errors_of(give(api, person, ip_address="999.1.1.1"))) == {"ip_address"}
    assert set(errors_of(api.post(path, {"purpose": MARKETING}))) == {"wording"}
    assert set(errors_of(give(api, person, extra=1))) == {"extra"}
    future = PrivacyNotice.objects.create(
        version="9", text_th="ก", text_en="a", effective_at=timezone.now() + timedelta(days=3)
    )
    assert set(errors_of(give(api, person, notice=future.version))) == {"notice"}
    assert not ConsentEvent.objects.exists()


def test_withdrawing_what_was_never_given_or_an_unknown_purpose(api, person):
    response = api.post(f"/persons/{person.pk}/consents/{MARKETING}/withdraw")
    assert "no consent to withdraw" in errors_of(response)["purpose"]
    assert where(response, "purpose") == "path"
    response = api.post(f"/persons/{person.pk}/consents/nothing/withdraw", {})
    assert "nothing" in errors_of(response)["purpose"]
    assert where(response, "purpose") == "path"
    give(api, person)
    future = (timezone.now() + timedelta(days=1)).isoformat()
    response = api.post(
        f"/persons/{person.pk}/consents/{MARKETING}/withdraw", {"occurred_at": future}
    )
    assert set(errors_of(response)) == {"occurred_at"}
    response = api.post(
        f"/persons/{person.pk}/consents/{MARKETING}/withdraw",
        {"channel": "email", "ip_address": "198.51.100.7"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "email"
    assert response.json()["ip_address"] == "198.51.100.7"
    assert ConsentEvent.objects.count() == 2


def test_a_new_notice_that_asks_again_shows_as_renewal_needed(api, person):
    give(api, person)
    privacy.publish_notice(
        None, version="2", text_th="ใหม่", text_en="New", renew_consent_for=[purpose(MARKETING)]
    )
    [state] = api.get(f"/persons/{person.pk}/consents").json()
    assert state["state"] == "given" and state["renewal_needed"] is True
    assert state["notice"] == "1"
    give(api, person)
    [state] = api.get(f"/persons/{person.pk}/consents").json()
    assert state["renewal_needed"] is False and state["notice"] == "2"


def test_history_can_be_filtered_by_purpose(api, person):
    give(api, person)
    path = f"/persons/{person.pk}/consents/history"
    assert len(api.get(path, {"purpose": MARKETING}).json()) == 1
    assert api.get(path, {"purpose": "service"}).json() == []
    response = api.get(path, {"purpose": "unknown"})
    assert "purpose" in errors_of(response)
    assert where(response, "purpose") == "query"


# --- restrictions -----------------------------------------------------------


def test_restrict_a_phone_list_and_lift(api, person):
    phone = person.phonenumbers.get()
    path = f"/persons/{person.pk}/restrictions"
    response = api.post(
        path,
        {
            "scope": "contact_point",
            "contact_kind": "phone",
            "contact_id": phone.pk,
            "reason": "ห้ามโทร",
        },
    )
    assert response.status_code == 201, response.content
    restriction = response.json()
    assert restriction["scope"] == "contact_point"
    assert (restriction["contact_kind"], restriction["contact_id"]) == ("phone", phone.pk)
    assert restriction["active"] is True and restriction["created_by"] == "sales1"
    assert AuditEvent.objects.get(action="privacy.restrict").channel == "api"

    response = api.post(path, {"scope": "category", "category": "3.2", "reason": "ห้ามติดต่อ"})
    assert response.status_code == 201, response.content
    listed = api.get(path).json()
    assert {item["id"] for item in listed} == {restriction["id"], response.json()["id"]}

    lifted = api.post(f"{path}/{restriction['id']}/lift")
    assert lifted.status_code == 200, lifted.content
    assert lifted.json()["active"] is False and lifted.json()["lifted_by"] == "sales1"
    assert AuditEvent.objects.get(action="privacy.lift_restriction").channel == "api"
    assert "restriction" in errors_of(api.post(f"{path}/{restriction['id']}/lift"))


def test_restrictions_are_validated(api, person):
    path = f"/persons/{person.pk}/restrictions"
    other = make_person(first_name_th="มานี", phones=[("mobile", "0899999999")])
    response = api.post(
        path,
        {
            "scope": "contact_point",
            "contact_kind": "phone",
            "contact_id": other.phonenumbers.get().pk,
            "reason": "x",
        },
    )
    assert errors_of(response) == {"contact_point": "This contact detail belongs to someone else."}
    response = api.post(
        path,
        {"scope": "contact_point", "contact_kind": "email", "contact_id": 999999, "reason": "x"},
    )
    assert set(errors_of(response)) == {"contact_point"}
    assert set(errors_of(api.post(path, {"scope": "contact_point", "reason": "x"}))) == {
        "contact_point"
    }
    assert set(errors_of(api.post(path, {"scope": "category", "reason": "x"}))) == {"category"}
    assert "category" in errors_of(
        api.post(path, {"scope": "category", "category": "9.9", "reason": "x"})
    )
    assert "scope" in errors_of(api.post(path, {"scope": "everything", "reason": "x"}))
    assert set(errors_of(api.post(path, {"scope": "record", "reason": " "}))) == {"reason"}
    past = (timezone.now() - timedelta(days=1)).isoformat()
    assert set(errors_of(api.post(path, {"scope": "record", "reason": "x", "ends_at": past}))) == {
        "ends_at"
    }
    assert not Restriction.objects.exists()


# --- objections -------------------------------------------------------------


def test_objections_and_their_decision(api, officer, person):
    path = f"/persons/{person.pk}/objections"
    response = api.post(path, {"purpose": MARKETING, "grounds": "ไม่ต้องการโฆษณา"})
    assert response.status_code == 201, response.content
    # s.32(2): an objection to direct marketing is honoured without review.
    assert response.json()["status"] == "accepted"
    response = api.post(path, {"purpose": "product-contact", "grounds": "ไม่สะดวก"})
    assert response.status_code == 201
    pending = response.json()
    assert pending["status"] == "pending" and pending["recorded_by"] == "sales1"
    assert "already pending" in errors_of(api.post(path, {"purpose": "product-contact"}))["purpose"]
    assert "not open to objection" in errors_of(api.post(path, {"purpose": "service"}))["purpose"]
    assert "purpose" in errors_of(api.post(path, {"purpose": "no-such"}))
    assert [item["purpose"] for item in api.get(path).json()] == ["product-contact", MARKETING]

    decision = f"/objections/{pending['id']}/decision"
    assert set(errors_of(officer.post(decision, {"accept": False, "reason": " "}))) == {"reason"}
    assert "accept" in errors_of(officer.post(decision, {"reason": "x"}))
    response = officer.post(decision, {"accept": False, "reason": "สัญญายังมีผล"})
    assert response.status_code == 200, response.content
    decided = response.json()
    assert decided["status"] == "rejected" and decided["decided_by"] == "dpo"
    assert decided["decision_reason"] == "สัญญายังมีผล"
    assert AuditEvent.objects.get(action="privacy.decide_objection").channel == "api"
    assert "objection" in errors_of(officer.post(decision, {"accept": True, "reason": "x"}))


# --- disclosures ------------------------------------------------------------


@pytest.fixture
def partner() -> Organization:
    source = people.create_source(None, kind="direct", channel="email")
    return people.create_organization(
        None, source=source, kind=Organization.Kind.PARTNER, name_th="บริษัท พันธมิตร จำกัด"
    )


def test_a_disclosure_without_a_basis_is_refused_with_the_reasons_and_kept_on_record(api, person):
    path = f"/persons/{person.pk}/disclosures"
    errors = errors_of(
        api.post(path, {"recipient_name": "Agency", "categories": ["3.2"], "reason": "x"})
    )
    assert errors == {"basis": "Without a basis the data may not be disclosed."}
    refused = AuditEvent.objects.get(action="privacy.disclosure_refused")
    assert refused.channel == "api" and refused.actor == api.user  # type: ignore[attr-defined]
    # Consent as basis, without the consent: the reasons are those of the decision.
    errors = errors_of(
        api.post(
            path,
            {
                "basis": "consent",
                "purpose": MARKETING,
                "recipient_name": "Agency",
                "categories": ["3.2"],
                "reason": "x",
            },
        )
    )
    assert errors["basis"] == "The person has not given consent for this purpose."
    errors = errors_of(api.post(path, {"basis": "legal_obligation", "recipient_name": "ศาล"}))
    assert set(errors) == {"legal_reference", "categories", "reason"}
    errors = errors_of(
        api.post(
            path,
            {
                "basis": "consent",
                "purpose": "nope",
                "recipient_id": 999999,
                "product_id": 999999,
                "categories": ["3.1"],
                "reason": "x",
            },
        )
    )
    assert set(errors) == {"purpose", "recipient_id", "product_id"}
    assert "categories.0" in errors_of(
        api.post(path, {"basis": "legal_obligation", "categories": ["9"], "reason": "x"})
    )
    assert not Disclosure.objects.exists()


def test_partner_and_legal_disclosures(api, person, partner):
    product = product_services.create_product(
        None, code="INS", partner=partner, name_th="ประกัน", name_en="Insurance", price=0
    )
    path = f"/persons/{person.pk}/disclosures"
    body = {
        "basis": "partner",
        "recipient_id": partner.pk,
        "product_id": product.pk,
        "categories": ["3.2", "3.1"],
        "fields": ["first_name_th", "email"],
        "reason": "ส่งต่อผู้สนใจ",
    }
    errors = errors_of(api.post(path, body))
    assert set(errors) == {"product_id"} and "policy 6.2" in errors["product_id"]
    interest_services.record_product_interest(None, person, product, "interested")
    response = api.post(path, body)
    assert response.status_code == 201, response.content
    disclosure = response.json()
    assert disclosure["recipient"]["id"] == partner.pk
    assert disclosure["categories"] == ["3.1", "3.2"]
    assert disclosure["fields"] == ["first_name_th", "email"]
    assert disclosure["product_id"] == product.pk and disclosure["recorded_by"] == "sales1"
    assert AuditEvent.objects.get(action="privacy.disclose").channel == "api"

    customer = people.create_organization(
        None, source=people.create_source(None, kind="direct", channel="email"), name_th="ลูกค้า"
    )
    errors = errors_of(api.post(path, {**body, "recipient_id": customer.pk}))
    assert "recipient_id" in errors

    response = api.post(
        path,
        {
            "basis": "legal_obligation",
            "recipient_name": "ศาลแพ่ง",
            "legal_reference": "คำสั่งศาลที่ 123/2569",
            "categories": ["3.1"],
            "reason": "หมายศาล",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["recipient"] is None
    listed = api.get(path).json()
    assert [item["basis"] for item in listed] == ["legal_obligation", "partner"]


def test_the_register_of_disclosures_pages_with_a_cursor_and_filters_by_time(officer):
    now = timezone.now()
    disclosures = []
    for days in range(5):
        someone = make_person(first_name_th=f"คน{days}")
        disclosures.append(
            privacy.record_disclosure(
                None,
                someone,
                basis="legal_obligation",
                recipient_name="ศาลแพ่ง",
                legal_reference=f"คำสั่ง {days}",
                categories=["3.1"],
                reason="หมายศาล",
                disclosed_at=now - timedelta(days=days),
            )
        )
    first = officer.get("/disclosures", {"limit": 2}).json()
    assert [item["id"] for item in first["items"]] == [d.pk for d in disclosures[:2]]
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = officer.get("/disclosures", {"limit": 2, "cursor": cursor}).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert seen == [d.pk for d in disclosures]

    since = (now - timedelta(days=2, hours=1)).isoformat()
    recent = officer.get("/disclosures", {"since": since}).json()
    assert [item["id"] for item in recent["items"]] == [d.pk for d in disclosures[:3]]
    assert recent["next_cursor"] is None

    response = officer.get("/disclosures", {"cursor": "not a cursor!"})
    assert errors_of(response)["cursor"].startswith("This cursor is not valid")
    assert where(response, "cursor") == "query"
    assert "limit" in errors_of(officer.get("/disclosures", {"limit": 201}))
    read = AuditEvent.objects.filter(kind="access", action="privacy.disclosure_list").first()
    assert read is not None and read.channel == "api"


# --- may-use ----------------------------------------------------------------


def _history(person: Person, consent: str, restriction: str) -> None:
    marketing = purpose(MARKETING)
    if consent in {"given", "withdrawn"}:
        privacy.give_consent(None, person, marketing, wording=WORDING, channel="staff")
    if consent == "withdrawn":
        privacy.withdraw_consent(None, person, marketing, channel="staff")
    if restriction == "phone":
        phone = person.phonenumbers.get()
        privacy.restrict(None, person, scope="contact_point", contact_point=phone, reason="x")
    elif restriction == "record":
        privacy.restrict(None, person, scope="record", reason="โต้แย้ง")


# (purpose, consent, restriction, contact asked about) -> allowed, codes
MAY_USE = [
    (MARKETING, "never", "none", None, False, ["no_consent"]),
    (MARKETING, "given", "none", None, True, []),
    (MARKETING, "given", "none", "phone", True, []),
    (MARKETING, "withdrawn", "none", None, False, ["consent_withdrawn"]),
    (MARKETING, "given", "phone", "phone", False, ["contact_point_restricted"]),
    (MARKETING, "given", "phone", "email", True, []),
    (MARKETING, "given", "phone", None, True, []),
    (MARKETING, "given", "record", None, False, ["record_restricted"]),
    ("service", "never", "none", "phone", True, []),
    ("service", "never", "phone", "phone", False, ["contact_point_restricted"]),
    # What the law requires goes on through a restriction (s.34).
    ("legal-contact", "never", "record", "phone", True, []),
]


@pytest.mark.parametrize(("code", "consent", "restriction", "contact", "allowed", "codes"), MAY_USE)
def test_may_use(api, person, code, consent, restriction, contact, allowed, codes):
    _history(person, consent, restriction)
    params: dict[str, Any] = {"purpose": code}
    if contact == "phone":
        params |= {"contact_kind": "phone", "contact_id": person.phonenumbers.get().pk}
    elif contact == "email":
        params |= {"contact_kind": "email", "contact_id": person.emailaddresss.get().pk}
    response = api.get(f"/persons/{person.pk}/may-use", params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["allowed"], body["codes"]) == (allowed, codes)
    assert len(body["reasons"]) == len(codes)
    refusals = AuditEvent.objects.filter(action="privacy.use_refused")
    if allowed:
        assert not refusals.exists()
    else:
        # The integrator asked and was told no: an attempted use, on record.
        [refusal] = refusals
        assert refusal.channel == "api" and refusal.actor == api.user  # type: ignore[attr-defined]
        assert refusal.object_id == str(person.pk)
        assert refusal.details == {f"api:{code}": [None, "; ".join(codes)]}


def test_may_use_answers_in_the_language_of_the_request(api_for, person):
    _history(person, "withdrawn", "none")
    year = timezone.localdate().year
    english = api_for("en1", language="en").get(
        f"/persons/{person.pk}/may-use", {"purpose": MARKETING}
    )
    [reason] = english.json()["reasons"]
    assert reason.startswith("The person withdrew consent") and str(year) in reason
    thai = api_for("th1", language="th").get(
        f"/persons/{person.pk}/may-use", {"purpose": MARKETING}
    )
    assert thai["Content-Language"] == "th"
    [reason] = thai.json()["reasons"]
    assert str(year + 543) in reason  # the Buddhist Era date of the Thai calendar
    assert thai.json()["codes"] == ["consent_withdrawn"]


def test_may_use_input_is_validated(api, person):
    path = f"/persons/{person.pk}/may-use"
    response = api.get(path, {"purpose": "no-such"})
    assert "no-such" in errors_of(response)["purpose"]
    assert where(response, "purpose") == "query"
    assert "purpose" in errors_of(api.get(path))
    assert set(errors_of(api.get(path, {"purpose": MARKETING, "contact_kind": "phone"}))) == {
        "contact_id"
    }
    assert set(errors_of(api.get(path, {"purpose": MARKETING, "contact_id": 1}))) == {
        "contact_kind"
    }
    assert set(
        errors_of(api.get(path, {"purpose": MARKETING, "contact_kind": "fax", "contact_id": 1}))
    ) == {"contact_kind"}
    assert set(
        errors_of(
            api.get(path, {"purpose": MARKETING, "contact_kind": "phone", "contact_id": 999999})
        )
    ) == {"contact_id"}
    other = make_person(first_name_th="มานี", phones=[("mobile", "0899999999")])
    response = api.get(
        path,
        {"purpose": "service", "contact_kind": "phone", "contact_id": other.phonenumbers.get().pk},
    )
    assert response.json()["codes"] == ["not_their_contact"]
    # Only that answer was a no; the refused inputs above were not uses.
    assert AuditEvent.objects.filter(action="privacy.use_refused").count() == 1


# --- OpenAPI ----------------------------------------------------------------


def test_openapi_lists_the_privacy_paths_and_documents_every_field(client):
    document = client.get("/api/v1/openapi.json").json()
    paths = {
        "/api/v1/purposes": {"get"},
        "/api/v1/persons/{person_id}/consents": {"get", "post"},
        "/api/v1/persons/{person_id}/consents/history": {"get"},
        "/api/v1/persons/{person_id}/consents/{purpose_code}/withdraw": {"post"},
        "/api/v1/persons/{person_id}/restrictions": {"get", "post"},
        "/api/v1/persons/{person_id}/restrictions/{restriction_id}/lift": {"post"},
        "/api/v1/persons/{person_id}/objections": {"get", "post"},
        "/api/v1/objections/{objection_id}/decision": {"post"},
        "/api/v1/persons/{person_id}/disclosures": {"get", "post"},
        "/api/v1/disclosures": {"get"},
        "/api/v1/persons/{person_id}/may-use": {"get"},
    }
    for path, methods in paths.items():
        assert path in document["paths"], path
        assert set(document["paths"][path]) == methods, path
        for method, operation in document["paths"][path].items():
            assert operation.get("description"), f"{method} {path}"
            assert operation["security"] == [{"BearerToken": []}], f"{method} {path}"
            assert {"401", "403"} <= set(operation["responses"]), f"{method} {path}"
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), f"{method} {path} {parameter['name']}"
    from connexion.api import privacy_schemas

    schemas = document["components"]["schemas"]
    ours = [name for name in schemas if hasattr(privacy_schemas, name)]
    assert len(ours) >= 12
    for name in ours:
        for field, spec in schemas[name]["properties"].items():
            assert spec.get("description"), f"{name}.{field} has no description"
    assert "web_form" in schemas["ConsentGive"]["properties"]["channel"]["enum"]
    assert schemas["RestrictionIn"]["properties"]["scope"]["enum"] == [
        "contact_point",
        "category",
        "record",
    ]
