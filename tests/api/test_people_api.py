"""The people and organizations API: /api/v1/persons and /api/v1/organizations."""

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from connexion.accounts.services import create_team
from connexion.api.services import create_token
from connexion.audit.models import AuditEvent
from connexion.people import services
from connexion.people.models import Organization, Person, PhoneNumber, Source

pytestmark = pytest.mark.django_db

NATIONAL_ID = "1101700230708"
OTHER_NATIONAL_ID = "3100600445473"
TAX_ID = "0105536000313"
WRONG_CHECK_DIGIT = "1101700230709"
BANGKOK = "กรุงเทพมหานคร"


class Api:
    """A test client that sends the bearer token, JSON bodies and `Accept-Language: en`."""

    def __init__(self, client: Client, token: str | None) -> None:
        self.client = client
        self.headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if token:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def get(self, path: str, params: dict[str, Any] | None = None):
        return self.client.get(f"/api/v1{path}", params or {}, **self.headers)

    def _send(self, method: str, path: str, body: Any):
        send = getattr(self.client, method)
        return send(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", **self.headers
        )

    def post(self, path: str, body: Any):
        return self._send("post", path, body)

    def patch(self, path: str, body: Any):
        return self._send("patch", path, body)

    def delete(self, path: str):
        return self.client.delete(f"/api/v1{path}", **self.headers)


@pytest.fixture
def api_for(client, make_user):
    def make(username: str = "sales1", roles: tuple[str, ...] = ("sales",)) -> Api:
        user = make_user(username, roles=roles)
        _token, raw = create_token(user)
        api = Api(client, raw)
        api.user = user  # type: ignore[attr-defined]
        return api

    return make


@pytest.fixture
def api(api_for) -> Api:
    return api_for()


def make_person(**fields: Any) -> Person:
    source = services.create_source(None, kind="direct", channel="phone")
    contacts = services.ContactDetails(
        emails=fields.pop("emails", []), phones=fields.pop("phones", [])
    )
    tags = fields.pop("tags", None)
    fields.setdefault("first_name_th", "สมชาย")
    return services.create_person(None, source=source, contacts=contacts, tags=tags, **fields)


def make_organization(**fields: Any) -> Organization:
    source = services.create_source(None, kind="direct", channel="email")
    fields.setdefault("name_th", "บริษัท ทดสอบ จำกัด")
    return services.create_organization(None, source=source, **fields)


def errors_of(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"]
    return {error["field"]: error["message"] for error in body["errors"]}


SOURCE = {"kind": "direct", "channel": "web_form"}


# --- access -----------------------------------------------------------------


def test_a_request_without_a_token_gets_401(client):
    response = Api(client, None).get("/persons")
    assert response.status_code == 401
    assert "Authentication required" in response.json()["detail"]


def test_a_user_without_a_role_gets_403_json(api_for):
    api = api_for("norole", roles=())
    person = make_person()
    for response in [
        api.get("/persons"),
        api.get(f"/persons/{person.pk}"),
        api.post("/persons", {"first_name_th": "ก", "source": SOURCE}),
        api.delete(f"/persons/{person.pk}"),
        api.get("/organizations"),
    ]:
        assert response.status_code == 403
        assert response.json()["detail"]
    assert Person.objects.filter(pk=person.pk).exists()


def test_unknown_ids_get_404_json(api):
    for response in [
        api.get("/persons/999999"),
        api.patch("/persons/999999", {"nickname_th": "x"}),
        api.delete("/persons/999999"),
        api.post("/persons/999999/contacts/email", {"email": "a@example.com", "source": SOURCE}),
        api.delete("/persons/999999/contacts/email/1"),
        api.post("/persons/999999/roles", {"organization_id": 1, "role": "employee"}),
        api.get("/organizations/999999"),
        api.delete("/organizations/999999"),
    ]:
        assert response.status_code == 404
        assert "999999" in response.json()["detail"]


# --- list and search --------------------------------------------------------


def test_list_shows_primary_contacts_age_and_records_an_api_access(api):
    person = make_person(
        first_name_th="สมหญิง",
        last_name_th="ใจดี",
        date_of_birth=date(1990, 1, 1),
        emails=["somying@example.com"],
        phones=[("mobile", "081-234-5678")],
        tags=["vip"],
    )
    response = api.get("/persons")
    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    [item] = body["items"]
    assert item["id"] == person.pk
    assert item["name_th"] == "สมหญิง ใจดี"
    assert item["primary_email"] == "somying@example.com"
    assert item["primary_phone"] == "+66812345678"
    assert item["age"] == person.age()
    assert item["tags"] == ["vip"]
    event = AuditEvent.objects.filter(kind="access", action="people.list").latest("id")
    assert event.channel == AuditEvent.Channel.API
    assert event.actor == api.user  # type: ignore[attr-defined]


def test_search_finds_a_thai_name_fragment(api):
    wanted = make_person(first_name_th="ประเสริฐ", last_name_th="วงศ์สวัสดิ์")
    make_person(first_name_th="มานี", last_name_th="มีนา")
    ids = [item["id"] for item in api.get("/persons", {"q": "สวัสดิ์"}).json()["items"]]
    assert ids == [wanted.pk]


@pytest.mark.parametrize("query", ["081-234-5678", "+66812345678", "0812345678"])
def test_search_finds_a_phone_in_any_format(api, query):
    wanted = make_person(phones=[("mobile", "0812345678")])
    make_person(first_name_th="มานี", phones=[("mobile", "0898765432")])
    ids = [item["id"] for item in api.get("/persons", {"q": query}).json()["items"]]
    assert ids == [wanted.pk]


def test_filters_are_those_of_the_list_page(api, make_user):
    owner = make_user("owner1")
    # A teammate: a sales role sees its teams' records (accounts.visibility).
    create_team("Sales", members=[api.user, owner], actor=None)
    employer = make_organization()
    customer = make_person(first_name_th="ก", lifecycle_stage="customer", tags=["vip"])
    owned = make_person(first_name_th="ข", owner=owner)
    employed = make_person(first_name_th="ค", employer=employer)
    source = services.create_source(
        None, kind="related_person", channel="chat", related_person=customer
    )
    referred = services.create_person(None, source=source, first_name_th="ง")

    def ids(**params: Any) -> set[int]:
        response = api.get("/persons", params)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids(lifecycle_stage="customer") == {customer.pk}
    assert ids(tag="vip") == {customer.pk}
    assert ids(owner=owner.pk) == {owned.pk}
    assert ids(organization=employer.pk) == {employed.pk}
    assert ids(source_kind="related_person") == {referred.pk}
    assert ids() == {customer.pk, owned.pk, employed.pk, referred.pk}


def test_province_filter(api):
    person = make_person()
    source = services.create_source(None, kind="direct", channel="phone")
    services.add_contact_point(
        None, person, "address", {"province": BANGKOK, "postcode": "10110"}, source=source
    )
    make_person(first_name_th="มานี")
    ids = [item["id"] for item in api.get("/persons", {"province": BANGKOK}).json()["items"]]
    assert ids == [person.pk]


@pytest.mark.parametrize("sort", ["newest", "oldest", "name_th"])
def test_cursor_pages_do_not_overlap_and_cover_everyone(api, sort):
    names = ["ก", "ข", "ค", "ง", "จ", "ฉ", "ช"]
    people = {make_person(first_name_th=name).pk for name in names}
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3, "sort": sort}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/persons", params).json()
        assert len(body["items"]) <= 3
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == len(people)
    assert set(seen) == people


def test_limit_is_at_most_200_and_a_bad_cursor_is_refused(api):
    errors = errors_of(api.get("/persons", {"limit": 201}))
    assert "limit" in errors
    response = api.get("/persons", {"cursor": "not a cursor!"})
    assert errors_of(response)["cursor"].startswith("This cursor is not valid")
    assert response.json()["errors"][0]["in"] == "query"
    assert "lifecycle_stage" in errors_of(api.get("/persons", {"lifecycle_stage": "king"}))


# --- create -----------------------------------------------------------------


def test_create_with_nested_contacts_and_source(api):
    response = api.post(
        "/persons",
        {
            "first_name_th": "สมศรี",
            "last_name_th": "รักไทย",
            "first_name_en": "Somsri",
            "date_of_birth": "1985-06-15",
            "national_id": "1-1017-00230-70-8",
            "lifecycle_stage": "customer",
            "tags": ["vip", "bangkok"],
            "source": {"kind": "direct", "channel": "in_person"},
            "emails": ["Somsri@Example.com", {"email": "work@example.com", "label": "work"}],
            "phones": [
                {"kind": "mobile", "number": "081-234-5678"},
                {"kind": "landline", "number": "02 123 4567"},
            ],
            "socials": [{"platform": "line", "handle": "@somsri"}],
            "addresses": [
                {"house_number": "99/1", "road": "สุขุมวิท", "province": BANGKOK, "postcode": "10110"}
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert person.national_id == NATIONAL_ID
    assert body["national_id"] == "x-xxxx-xxxxx-70-8"  # a sales user sees it masked
    assert body["age"] == person.age()
    assert sorted(body["tags"]) == ["bangkok", "vip"]
    assert [e["email"] for e in body["emails"]] == ["somsri@example.com", "work@example.com"]
    assert body["primary_email"] == "somsri@example.com"
    assert body["primary_phone"] == "+66812345678"
    assert {p["number"] for p in body["phones"]} == {"+66812345678", "+6621234567"}
    assert all(p["is_primary"] for p in body["phones"])  # the first of each kind
    assert body["socials"][0]["handle"] == "somsri"
    assert body["addresses"][0]["province"] == BANGKOK
    assert "สุขุมวิท" in body["addresses"][0]["formatted"]
    assert body["source"]["kind"] == "direct" and body["source"]["channel"] == "in_person"
    for contact in body["emails"] + body["phones"] + body["socials"] + body["addresses"]:
        assert contact["source"]["kind"] == "direct"
        assert contact["source"]["channel"] == "in_person"
        assert contact["source"]["collected_by"] == "sales1"
        assert contact["source"]["collected_at"]
    created = AuditEvent.objects.get(action="people.create_person")
    assert created.channel == AuditEvent.Channel.API
    assert created.actor == api.user  # type: ignore[attr-defined]


def test_create_with_a_related_person_or_partner_as_source(api):
    referrer = make_person()
    partner = make_organization(kind="partner", name_en="Partner Co")
    response = api.post(
        "/persons",
        {
            "first_name_en": "Niran",
            "source": {
                "kind": "related_person",
                "channel": "phone",
                "related_person_id": referrer.pk,
                "collected_at": "2024-05-01T10:00:00",
            },
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["source"]["related_person_id"] == referrer.pk
    # A time without offset is Bangkok time (UTC+7).
    assert response.json()["source"]["collected_at"] == "2024-05-01T03:00:00Z"

    errors = errors_of(
        api.post(
            "/persons",
            {
                "first_name_en": "Niran",
                "source": {"kind": "partner", "channel": "import"},
            },
        )
    )
    assert set(errors) == {"source.partner_id", "source.agreement_reference"}
    errors = errors_of(
        api.post(
            "/persons",
            {
                "first_name_en": "Niran",
                "source": {
                    "kind": "partner",
                    "channel": "import",
                    "partner_id": 999999,
                    "agreement_reference": "DSA-1",
                },
            },
        )
    )
    assert set(errors) == {"source.partner_id"}
    response = api.post(
        "/persons",
        {
            "first_name_en": "Niran",
            "source": {
                "kind": "partner",
                "channel": "import",
                "partner_id": partner.pk,
                "agreement_reference": "DSA-1",
            },
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["source"]["partner_id"] == partner.pk


def test_create_without_source_is_refused_naming_source(api):
    errors = errors_of(api.post("/persons", {"first_name_th": "สมชาย"}))
    assert errors == {"source": "This field is required."}
    assert not Person.objects.exists()


def test_a_wrong_check_digit_is_refused_naming_national_id(api):
    errors = errors_of(
        api.post(
            "/persons",
            {"first_name_th": "สมชาย", "national_id": WRONG_CHECK_DIGIT, "source": SOURCE},
        )
    )
    assert "check digit is wrong" in errors["national_id"]
    assert not Person.objects.exists()
    assert not Source.objects.exists()  # the source of a refused record is not kept


def test_a_birth_date_in_the_future_is_refused(api):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    errors = errors_of(
        api.post(
            "/persons", {"first_name_th": "สมชาย", "date_of_birth": tomorrow, "source": SOURCE}
        )
    )
    assert errors["date_of_birth"] == "A date of birth cannot be in the future."


def test_an_invalid_phone_is_refused_naming_its_place_and_nothing_is_kept(api):
    errors = errors_of(
        api.post(
            "/persons",
            {
                "first_name_th": "สมชาย",
                "source": SOURCE,
                "phones": [{"number": "081-234-5678"}, {"number": "12345"}],
            },
        )
    )
    assert errors == {"phones.1.number": "“12345” is not a valid phone number."}
    assert not Person.objects.exists()
    assert not PhoneNumber.objects.exists()


def test_a_person_needs_a_name(api):
    errors = errors_of(api.post("/persons", {"source": SOURCE}))
    assert "first_name_th" in errors


def test_unknown_fields_and_values_are_named(api):
    response = api.post(
        "/persons",
        {
            "first_name_th": "ก",
            "shoe_size": 42,
            "gender": "robot",
            "source": {"kind": "rumour", "channel": "phone"},
        },
    )
    errors = errors_of(response)
    assert errors["shoe_size"] == "This field is not allowed here."
    assert errors["gender"].startswith("Choose one of:")
    assert errors["source.kind"].startswith("Choose one of:")
    assert {error["in"] for error in response.json()["errors"]} == {"body"}


# --- read, masking ----------------------------------------------------------


def test_detail_has_all_contact_points_with_their_source(api):
    person = make_person(emails=["a@example.com", "b@example.com"], phones=[("fax", "021234567")])
    body = api.get(f"/persons/{person.pk}").json()
    assert [e["email"] for e in body["emails"]] == ["a@example.com", "b@example.com"]
    assert [e["is_primary"] for e in body["emails"]] == [True, False]
    assert body["phones"][0]["kind"] == "fax"
    assert body["primary_phone"] is None  # the primary phone shown is a mobile
    assert body["emails"][0]["source"] == {
        "id": person.source_id,
        "kind": "direct",
        "channel": "phone",
        "related_person_id": None,
        "partner_id": None,
        "agreement_reference": "",
        "note": "",
        "collected_at": body["emails"][0]["source"]["collected_at"],
        "collected_by": None,
    }
    event = AuditEvent.objects.filter(kind="access", action="people.detail").latest("id")
    assert event.channel == AuditEvent.Channel.API


def test_identity_numbers_are_masked_for_sales_and_shown_to_the_privacy_officer(api_for):
    person = make_person(
        national_id=NATIONAL_ID, passport_number="AA1234567", passport_country="TH"
    )
    sales = api_for("sales1", roles=("sales",))
    officer = api_for("dpo", roles=("privacy_officer",))

    masked = sales.get(f"/persons/{person.pk}").json()
    assert masked["national_id"] == "x-xxxx-xxxxx-70-8"
    assert masked["passport_number"] == "xxxxxx567"
    [listed] = sales.get("/persons").json()["items"]
    assert listed["national_id"] == "x-xxxx-xxxxx-70-8"
    assert NATIONAL_ID not in sales.get("/persons").content.decode()
    assert NATIONAL_ID not in sales.get(f"/persons/{person.pk}").content.decode()

    full = officer.get(f"/persons/{person.pk}").json()
    assert full["national_id"] == NATIONAL_ID
    assert full["passport_number"] == "AA1234567"
    [listed] = officer.get("/persons").json()["items"]
    assert listed["national_id"] == NATIONAL_ID


def test_search_by_national_id_finds_nothing_for_sales(api_for):
    person = make_person(national_id=NATIONAL_ID)
    sales = api_for("sales1", roles=("sales",))
    officer = api_for("dpo", roles=("privacy_officer",))
    for query in [NATIONAL_ID, "1-1017-00230-70-8"]:
        assert sales.get("/persons", {"q": query}).json()["items"] == []
        ids = [item["id"] for item in officer.get("/persons", {"q": query}).json()["items"]]
        assert ids == [person.pk]


# --- update and delete ------------------------------------------------------


def test_update_changes_only_what_is_sent(api, make_user):
    owner = make_user("owner1")
    # A teammate: a sales role sees its teams' records (accounts.visibility).
    create_team("Sales", members=[api.user, owner], actor=None)
    person = make_person(first_name_th="สมชาย", nickname_th="ชาย", tags=["old"])
    response = api.patch(
        f"/persons/{person.pk}",
        {"lifecycle_stage": "customer", "tags": ["vip"], "owner_id": owner.pk, "nickname_th": None},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["lifecycle_stage"] == "customer"
    assert body["tags"] == ["vip"]
    assert body["owner"] == {"id": owner.pk, "username": "owner1"}
    assert body["nickname_th"] == ""
    assert body["first_name_th"] == "สมชาย"
    event = AuditEvent.objects.filter(action="people.update_person").latest("id")
    assert event.channel == AuditEvent.Channel.API
    assert event.details["lifecycle_stage"] == ["prospect", "customer"]


def test_update_is_validated_by_the_service(api_for):
    officer = api_for("dpo", roles=("privacy_officer",))
    person = make_person()
    assert (
        "check digit is wrong"
        in errors_of(officer.patch(f"/persons/{person.pk}", {"national_id": WRONG_CHECK_DIGIT}))[
            "national_id"
        ]
    )
    assert "employer_id" in errors_of(officer.patch(f"/persons/{person.pk}", {"employer_id": 9}))
    assert "first_name_th" in errors_of(
        officer.patch(f"/persons/{person.pk}", {"first_name_th": None})
    )
    response = officer.patch(f"/persons/{person.pk}", {"national_id": OTHER_NATIONAL_ID})
    assert response.status_code == 200
    assert response.json()["national_id"] == OTHER_NATIONAL_ID


def test_sales_may_not_change_identity_numbers(api):
    person = make_person(national_id=NATIONAL_ID)
    response = api.patch(f"/persons/{person.pk}", {"national_id": OTHER_NATIONAL_ID})
    assert response.status_code == 403
    assert "national_id" in response.json()["detail"]
    person.refresh_from_db()
    assert person.national_id == NATIONAL_ID


def test_an_update_by_sales_keeps_the_unmasked_national_id(api):
    person = make_person(national_id=NATIONAL_ID)
    assert api.patch(f"/persons/{person.pk}", {"occupation": "ครู"}).status_code == 200
    person.refresh_from_db()
    assert person.national_id == NATIONAL_ID
    assert person.occupation == "ครู"


def test_delete(api):
    person = make_person(emails=["a@example.com"])
    response = api.delete(f"/persons/{person.pk}")
    assert response.status_code == 204
    assert not Person.objects.filter(pk=person.pk).exists()
    assert api.get(f"/persons/{person.pk}").status_code == 404
    event = AuditEvent.objects.get(action="people.delete_person")
    assert event.channel == AuditEvent.Channel.API


def test_a_person_named_as_a_source_cannot_be_deleted(api):
    referrer = make_person()
    source = services.create_source(
        None, kind="related_person", channel="chat", related_person=referrer
    )
    services.create_person(None, source=source, first_name_th="ง")
    response = api.delete(f"/persons/{referrer.pk}")
    assert response.status_code == 409
    assert response.json()["detail"]
    assert Person.objects.filter(pk=referrer.pk).exists()


# --- contact points and roles -----------------------------------------------


def test_add_and_remove_a_contact_point(api):
    person = make_person()
    response = api.post(
        f"/persons/{person.pk}/contacts/phone",
        {
            "kind": "mobile",
            "number": "081-234-5678",
            "label": "personal",
            "source": {"kind": "direct", "channel": "chat"},
        },
    )
    assert response.status_code == 201, response.content
    phone = response.json()
    assert phone["number"] == "+66812345678"
    assert phone["is_primary"] is True
    assert phone["source"]["channel"] == "chat"
    assert phone["source"]["collected_by"] == "sales1"
    assert [item["id"] for item in api.get("/persons", {"q": "0812345678"}).json()["items"]] == [
        person.pk
    ]
    detail = api.get(f"/persons/{person.pk}").json()
    assert [p["id"] for p in detail["phones"]] == [phone["id"]]

    assert api.delete(f"/persons/{person.pk}/contacts/phone/{phone['id']}").status_code == 204
    assert api.get(f"/persons/{person.pk}").json()["phones"] == []
    assert api.get("/persons", {"q": "0812345678"}).json()["items"] == []
    assert api.delete(f"/persons/{person.pk}/contacts/phone/{phone['id']}").status_code == 404
    assert "kind" in errors_of(api.delete(f"/persons/{person.pk}/contacts/fax/1"))
    event = AuditEvent.objects.filter(action="people.remove_contact_point").latest("id")
    assert event.channel == AuditEvent.Channel.API


def test_each_kind_of_contact_point_can_be_added(api):
    person = make_person()
    for kind, body in [
        ("email", {"email": "Somchai@Example.com"}),
        ("social", {"platform": "facebook", "handle": "somchai"}),
        ("address", {"country": "jp", "foreign_address": "1-1 Chiyoda, Tokyo"}),
    ]:
        response = api.post(f"/persons/{person.pk}/contacts/{kind}", {**body, "source": SOURCE})
        assert response.status_code == 201, response.content
    detail = api.get(f"/persons/{person.pk}").json()
    assert detail["emails"][0]["email"] == "somchai@example.com"
    assert detail["socials"][0]["platform"] == "facebook"
    assert detail["addresses"][0]["country"] == "JP"


def test_a_contact_point_is_validated_and_needs_a_source(api):
    person = make_person()
    path = f"/persons/{person.pk}/contacts"
    assert errors_of(api.post(f"{path}/email", {"email": "a@example.com"})) == {
        "source": "This field is required."
    }
    assert "email" in errors_of(api.post(f"{path}/email", {"email": "nope", "source": SOURCE}))
    assert "number" in errors_of(api.post(f"{path}/phone", {"number": "12", "source": SOURCE}))
    assert set(errors_of(api.post(f"{path}/address", {"source": SOURCE}))) == {
        "province",
        "postcode",
    }
    assert "handle" in errors_of(api.post(f"{path}/social", {"platform": "x", "source": SOURCE}))
    assert not Source.objects.exclude(pk=person.source_id).exists()


def test_a_contact_point_of_another_person_cannot_be_removed(api):
    owner = make_person(emails=["a@example.com"])
    other = make_person(first_name_th="มานี")
    email = owner.emailaddresss.get()
    assert api.delete(f"/persons/{other.pk}/contacts/email/{email.pk}").status_code == 404
    assert owner.emailaddresss.exists()


def test_add_a_role_at_an_organization(api):
    person = make_person()
    organization = make_organization(tax_id=TAX_ID)
    response = api.post(
        f"/persons/{person.pk}/roles",
        {
            "organization_id": organization.pk,
            "role": "shareholder",
            "share_percent": "12.50",
            "start_date": "2020-01-01",
        },
    )
    assert response.status_code == 201, response.content
    role = response.json()
    assert role["organization"]["id"] == organization.pk
    assert role["role"] == "shareholder"
    assert float(role["share_percent"]) == 12.5
    assert api.get(f"/persons/{person.pk}").json()["roles"] == [role]
    ids = [
        item["id"]
        for item in api.get("/persons", {"organization": organization.pk}).json()["items"]
    ]
    assert ids == [person.pk]
    members = api.get(f"/organizations/{organization.pk}").json()["members"]
    assert [member["person"]["id"] for member in members] == [person.pk]


def test_a_role_is_validated(api):
    person = make_person()
    organization = make_organization()
    path = f"/persons/{person.pk}/roles"
    assert "share_percent" in errors_of(
        api.post(
            path,
            {
                "organization_id": organization.pk,
                "role": "director",
                "share_percent": 10,
            },
        )
    )
    assert "end_date" in errors_of(
        api.post(
            path,
            {
                "organization_id": organization.pk,
                "role": "director",
                "start_date": "2024-01-01",
                "end_date": "2023-01-01",
            },
        )
    )
    assert "organization_id" in errors_of(
        api.post(path, {"organization_id": 0, "role": "director"})
    )
    assert "role" in errors_of(api.post(path, {"organization_id": organization.pk, "role": "boss"}))


# --- organizations ----------------------------------------------------------


def test_organization_create_read_update_delete(api):
    response = api.post(
        "/organizations",
        {
            "name_th": "บริษัท ตัวอย่าง จำกัด",
            "name_en": "Example Co., Ltd.",
            "tax_id": "0-1055-36000-31-3",
            "kind": "customer",
            "tags": ["key account"],
            "source": SOURCE,
            "emails": ["info@example.co.th"],
            "phones": [{"kind": "landline", "number": "02-123-4567"}],
            "addresses": [{"province": BANGKOK, "postcode": "10500"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["tax_id"] == TAX_ID
    assert body["is_head_office"] is True
    assert body["emails"][0]["source"]["collected_by"] == "sales1"
    assert body["phones"][0]["number"] == "+6621234567"
    organization_id = body["id"]

    found = api.get("/organizations", {"q": TAX_ID}).json()["items"]
    assert [item["id"] for item in found] == [organization_id]
    found = api.get("/organizations", {"q": "ตัวอย่าง"}).json()["items"]
    assert [item["id"] for item in found] == [organization_id]

    response = api.patch(f"/organizations/{organization_id}", {"industry": "ค้าปลีก"})
    assert response.status_code == 200
    assert response.json()["industry"] == "ค้าปลีก"
    assert response.json()["name_en"] == "Example Co., Ltd."

    assert api.delete(f"/organizations/{organization_id}").status_code == 204
    assert api.get(f"/organizations/{organization_id}").status_code == 404
    assert AuditEvent.objects.get(action="people.delete_organization").channel == "api"


def test_organization_validation(api):
    errors = errors_of(
        api.post(
            "/organizations", {"name_th": "บริษัท ก", "tax_id": "0105536000314", "source": SOURCE}
        )
    )
    assert "check digit is wrong" in errors["tax_id"]
    assert errors_of(api.post("/organizations", {"name_th": "บริษัท ก"})) == {
        "source": "This field is required."
    }
    assert "name_th" in errors_of(api.post("/organizations", {"source": SOURCE}))
    organization = make_organization()
    assert "branch" in errors_of(api.patch(f"/organizations/{organization.pk}", {"branch": "1"}))


def test_organizations_page_with_a_cursor(api):
    ids = {make_organization(name_th=f"บริษัท {n} จำกัด").pk for n in range(5)}
    first = api.get("/organizations", {"limit": 3}).json()
    second = api.get("/organizations", {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert second["next_cursor"] is None
    seen = [item["id"] for item in first["items"] + second["items"]]
    assert len(seen) == len(set(seen)) and set(seen) == ids


def test_organization_contact_points(api):
    organization = make_organization()
    response = api.post(
        f"/organizations/{organization.pk}/contacts/email",
        {"email": "sales@example.co.th", "source": SOURCE},
    )
    assert response.status_code == 201, response.content
    email_id = response.json()["id"]
    assert api.get(f"/organizations/{organization.pk}").json()["emails"][0]["id"] == email_id
    path = f"/organizations/{organization.pk}/contacts/email/{email_id}"
    assert api.delete(path).status_code == 204
    assert api.get(f"/organizations/{organization.pk}").json()["emails"] == []


def test_a_partner_named_as_a_source_cannot_be_deleted(api):
    partner = make_organization(kind="partner")
    source = services.create_source(
        None, kind="partner", channel="import", partner=partner, agreement_reference="DSA-1"
    )
    services.create_person(None, source=source, first_name_th="ง")
    assert api.delete(f"/organizations/{partner.pk}").status_code == 409


# --- OpenAPI ----------------------------------------------------------------


def test_openapi_documents_every_field_and_lists_the_choices(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    for path in [
        "/api/v1/persons",
        "/api/v1/persons/{person_id}",
        "/api/v1/persons/{person_id}/contacts/{kind}/{contact_id}",
        "/api/v1/persons/{person_id}/roles",
        "/api/v1/organizations",
    ]:
        assert path in document["paths"], path
    from connexion.api import people_schemas

    schemas = document["components"]["schemas"]
    ours = [name for name in schemas if hasattr(people_schemas, name)]
    assert len(ours) > 20
    for name in ours:
        for field, spec in schemas[name]["properties"].items():
            assert spec.get("description"), f"{name}.{field} has no description"
    for path, operations in document["paths"].items():
        if not path.startswith(("/api/v1/persons", "/api/v1/organizations")):
            continue
        for method, operation in operations.items():
            assert operation.get("description"), f"{method} {path}"
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), f"{method} {path} {parameter['name']}"
    assert schemas["SourceIn"]["properties"]["kind"]["enum"] == [
        "direct",
        "related_person",
        "partner",
    ]
    assert "web_form" in schemas["SourceIn"]["properties"]["channel"]["enum"]
    assert "in" in schemas["FieldErrorOut"]["properties"]
