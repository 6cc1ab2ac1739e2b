"""The sales API: /api/v1/pipelines, /products, /leads and /deals."""

import json
from typing import Any

import pytest
from django.test import Client

from connexion.api.services import create_token
from connexion.sales.models import Deal, Lead, Product, StageChange

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, client: Client, token: str, language: str = "en") -> None:
        self.client = client
        self.headers = {"HTTP_ACCEPT_LANGUAGE": language, "HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, path: str, params: dict[str, Any] | None = None):
        return self.client.get(f"/api/v1{path}", params or {}, **self.headers)

    def send(self, method: str, path: str, body: Any = None):
        return getattr(self.client, method)(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", **self.headers
        )

    def post(self, path: str, body: Any):
        return self.send("post", path, body)

    def patch(self, path: str, body: Any):
        return self.send("patch", path, body)

    def put(self, path: str, body: Any):
        return self.send("put", path, body)

    def delete(self, path: str):
        return self.client.delete(f"/api/v1{path}", **self.headers)


@pytest.fixture
def api_for(client, make_user):
    def make(username: str = "sales1", roles: tuple[str, ...] = ("sales",), **token: Any) -> Api:
        user = make_user(username, roles=roles)
        _token, raw = create_token(user, **token)
        api = Api(client, raw)
        api.user = user  # type: ignore[attr-defined]
        return api

    return make


@pytest.fixture
def api(api_for) -> Api:
    return api_for()


def fields(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def test_pipelines_with_their_stages(api, pipeline):
    response = api.get("/pipelines")
    assert response.status_code == 200
    [default] = response.json()
    assert default["is_default"] and [s["name_en"] for s in default["stages"]][-2:] == [
        "Won",
        "Lost",
    ]


def test_only_managers_configure(api, api_for, pipeline):
    response = api.post("/pipelines", {"name_th": "ใหม่", "name_en": "New"})
    assert response.status_code == 403
    admin = api_for("admin", roles=("admin",))
    response = admin.post("/pipelines", {"name_th": "ต่ออายุ", "name_en": "Renewals"})
    assert response.status_code == 201
    created = response.json()
    response = admin.post(
        f"/pipelines/{created['id']}/stages",
        {"name_th": "ทดลอง", "name_en": "Trial", "probability": 101},
    )
    assert fields(response) == {"probability": "Enter a probability from 0 to 100."}


def test_a_role_without_deals_is_refused(api_for):
    support = api_for("helpdesk", roles=("support",))
    assert support.get("/deals").status_code == 403


def test_a_token_without_the_sales_scope_is_refused(api_for):
    api = api_for(scopes=["people:read", "people:write", "3.1", "3.2", "3.4"])
    assert api.get("/deals").status_code == 403


def test_products(api_for, partner):
    admin = api_for("admin", roles=("admin",))
    response = admin.post(
        "/products",
        {
            "code": "INS-CY",
            "name_th": "ประกันภัยไซเบอร์",
            "name_en": "Cyber insurance",
            "price": "1990.50",
            "partner_id": partner.pk,
        },
    )
    assert response.status_code == 201
    product = response.json()
    assert product["price"] == "1990.50" and product["price_minor"] == 199050
    assert product["partner"]["id"] == partner.pk
    assert fields(admin.post("/products", {"code": "X", "name_en": "X", "price": "-1"})) == {
        "price": "An amount cannot be negative."
    }
    assert fields(admin.post("/products", {"code": "ins-cy", "name_en": "Y", "price": 1})) == {
        "code": "Another product has this code."
    }
    response = admin.patch(f"/products/{product['id']}", {"is_active": False})
    assert response.json()["is_active"] is False
    listed = admin.get("/products", {"is_active": "false"}).json()
    assert [p["code"] for p in listed["items"]] == ["INS-CY"]


def test_create_read_list_and_change_a_deal(api, somchai, stages, crm_product):
    response = api.post(
        "/deals",
        {
            "title": "CRM",
            "person_id": somchai.pk,
            "stage_id": stages["Meeting"].pk,
            "products": [{"product_id": crm_product.pk, "quantity": 2}],
            "expected_close_date": "2026-09-30",
        },
    )
    assert response.status_code == 201, response.content
    deal = response.json()
    assert deal["amount"] == "25001.00" and deal["amount_minor"] == 2_500_100
    assert deal["stage"]["name_en"] == "Meeting" and deal["owner"]["username"] == "sales1"
    assert deal["products"][0]["code"] == "CRM-PRO"
    listed = api.get("/deals", {"stage": stages["Meeting"].pk}).json()
    assert [d["id"] for d in listed["items"]] == [deal["id"]]
    assert listed["items"][0]["products"][0]["quantity"] == 2
    response = api.patch(f"/deals/{deal['id']}", {"title": "CRM 2026", "amount": "1"})
    assert fields(response) == {
        "amount": "This deal's amount is the total of its products; change the products instead."
    }
    response = api.put(f"/deals/{deal['id']}/products", {"products": []})
    assert response.json()["amount_minor"] == 0
    response = api.patch(f"/deals/{deal['id']}", {"title": "CRM 2026", "amount": "1,000.25"})
    assert response.json()["title"] == "CRM 2026" and response.json()["amount_minor"] == 100_025


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"amount": "-5"}, {"amount": "An amount cannot be negative."}),
        ({"amount": "lots"}, {"amount": "Enter an amount as a number, e.g. 1,250.50."}),
        ({"amount": "1.005"}, {"amount": "Enter at most 2 decimal places for this currency."}),
        (
            {"currency": "USD", "amount": 10},
            {"exchange_rate": "Give the exchange rate to THB for an amount in another currency."},
        ),
        ({"person_id": 999999}, {"person_id": "No person has this ID."}),
    ],
)
def test_bad_deals_are_refused_naming_the_field(api, somchai, body, errors):
    response = api.post("/deals", {"title": "X", "person_id": somchai.pk, **body})
    assert fields(response) == errors
    assert not Deal.objects.exists()


def test_a_buddhist_era_date_is_refused_with_the_ce_year(api, somchai):
    response = api.post(
        "/deals", {"title": "X", "person_id": somchai.pk, "expected_close_date": "2569-06-30"}
    )
    message = fields(response)["expected_close_date"]
    assert "2569" in message and "2026" in message


def test_errors_come_in_thai_for_a_thai_client(api, somchai):
    api.headers["HTTP_ACCEPT_LANGUAGE"] = "th"
    response = api.post("/deals", {"title": "X", "person_id": somchai.pk, "amount": "-5"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "amount"


def test_move_a_deal(api, make_deal, stages, other_pipeline):
    deal = make_deal()
    response = api.post(f"/deals/{deal.pk}/move", {"stage_id": other_pipeline.stages.first().pk})
    assert "another pipeline" in fields(response)["stage_id"]
    response = api.post(f"/deals/{deal.pk}/move", {"stage_id": stages["Lost"].pk})
    assert fields(response) == {"lost_reason": "Say why the deal was lost."}
    response = api.post(
        f"/deals/{deal.pk}/move", {"stage_id": stages["Lost"].pk, "lost_reason": "Too expensive"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "lost" and response.json()["closed_at"]
    assert StageChange.objects.filter(deal=deal).count() == 2
    assert api.post("/deals/999999/move", {"stage_id": stages["Won"].pk}).status_code == 404


def test_deal_list_filters_and_pages(api, make_deal, stages):
    for index in range(5):
        make_deal(f"Deal {index}", amount=(index + 1) * 1000_00)
    page = api.get("/deals", {"sort": "amount", "limit": 2, "amount_min": "2000"}).json()
    assert [d["title"] for d in page["items"]] == ["Deal 4", "Deal 3"]
    rest = api.get(
        "/deals",
        {"sort": "amount", "limit": 2, "amount_min": "2000", "cursor": page["next_cursor"]},
    ).json()
    assert [d["title"] for d in rest["items"]] == ["Deal 2", "Deal 1"]
    response = api.get("/deals", {"amount_min": "-1"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "amount_min"
    assert api.get("/deals", {"cursor": "nonsense"}).status_code == 422


def test_leads_and_their_conversion(api, stages, crm_product):
    response = api.post(
        "/leads",
        {
            "title": "CRM",
            "first_name": "Noi",
            "email": "noi@example.com",
            "source": "web_form",
            "product_ids": [crm_product.pk],
        },
    )
    assert response.status_code == 201, response.content
    lead = response.json()
    assert lead["products"] == ["CRM-PRO"] and lead["owner"]["username"] == "sales1"
    response = api.patch(f"/leads/{lead['id']}", {"status": "disqualified"})
    assert fields(response) == {"disqualified_reason": "Say why the lead is disqualified."}
    response = api.patch(f"/leads/{lead['id']}", {"status": "contacted", "phone": "0812345678"})
    assert response.json()["status"] == "contacted" and response.json()["phone"] == "+66812345678"
    response = api.post(f"/leads/{lead['id']}/convert", {})
    assert "person_id" in fields(response)
    assert not Deal.objects.exists()
    response = api.post(
        f"/leads/{lead['id']}/convert", {"create_person": True, "stage_id": stages["Meeting"].pk}
    )
    assert response.status_code == 201, response.content
    deal = response.json()
    assert deal["lead_id"] == lead["id"] and deal["person"]["name_en"] == "Noi"
    assert deal["amount_minor"] == crm_product.price
    converted = api.get(f"/leads/{lead['id']}").json()
    assert converted["converted_deal_id"] == deal["id"] and converted["status"] == "qualified"
    assert api.delete(f"/leads/{lead['id']}").status_code == 422
    assert Lead.objects.filter(pk=lead["id"]).exists()


def test_lead_list_filters(api):
    api.post("/leads", {"title": "A", "first_name": "A", "source": "partner"})
    api.post("/leads", {"title": "B", "first_name": "B", "source": "campaign"})
    page = api.get("/leads", {"source": "campaign"}).json()
    assert [x["title"] for x in page["items"]] == ["B"]


def test_a_partner_lead_names_the_partner(api):
    response = api.post("/leads", {"title": "A", "first_name": "A", "source": "partner"})
    assert fields(response) == {"partner_id": "Name the partner the lead came from."}


def test_delete_a_deal_and_a_product(api_for, make_deal, crm_product):
    admin = api_for("admin", roles=("admin",))
    deal = make_deal()
    assert admin.delete(f"/deals/{deal.pk}").status_code == 204
    assert admin.delete(f"/products/{crm_product.pk}").status_code == 204
    assert not Product.objects.exists()


def test_interests(api, somchai, crm_product):
    response = api.post(
        "/interests",
        {
            "person_id": somchai.pk,
            "product_id": crm_product.pk,
            "kind": "interested",
            "source": "campaign",
            "source_detail": "งานแสดงสินค้า",
            "since": "2026-01-15T10:00:00",
        },
    )
    assert response.status_code == 201, response.content
    interest = response.json()
    assert interest["product"]["code"] == "CRM-PRO" and interest["since"].startswith("2026-01-15")
    listed = api.get("/interests", {"person": somchai.pk}).json()
    assert [i["id"] for i in listed["items"]] == [interest["id"]]
    response = api.patch(f"/interests/{interest['id']}", {"source_detail": "Expo"})
    assert response.json()["source_detail"] == "Expo"
    future = api.post(
        "/interests",
        {
            "person_id": somchai.pk,
            "product_id": crm_product.pk,
            "kind": "bought",
            "since": "2999-01-01T00:00:00Z",
        },
    )
    assert fields(future) == {"since": "This date is in the future."}
    assert api.delete(f"/interests/{interest['id']}").status_code == 204
    assert not somchai.product_interests.exists()
