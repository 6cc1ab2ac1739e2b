import csv
import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from connexion.audit.models import AuditEvent
from connexion.ops.demo import load_demo_data
from connexion.people.models import Organization, Person, SavedView
from connexion.people.services import create_organization
from tests.exports import export_people
from tests.people.conftest import NATIONAL_ID, TAX_ID

pytestmark = pytest.mark.django_db

SOURCE_FIELDS = {"source_kind": "direct", "source_channel": "phone"}


@pytest.fixture
def officer(client: Client, make_user) -> Client:
    client.force_login(make_user("dpo", roles=("privacy_officer",), language="en"))
    return client


@pytest.fixture
def sales(client: Client, make_user) -> Client:
    user = make_user("sales1", roles=("sales",), language="en")
    client.force_login(user)
    client.user = user  # type: ignore[attr-defined]
    return client


def test_people_list_pages_and_records_the_access(sales):
    load_demo_data(people=60, organizations=3)
    response = sales.get("/people/")
    page = response.context["page"]
    assert len(page.items) == 50 and page.next_cursor
    event = AuditEvent.objects.filter(kind="access", action="people.list").latest("id")
    assert event.actor == sales.user and len(event.details["ids"]) == 50
    second = sales.get("/people/", {"cursor": page.next_cursor}).context["page"]
    assert len(second.items) == 10 and second.next_cursor is None
    assert {p.pk for p in page.items}.isdisjoint({p.pk for p in second.items})


@pytest.mark.parametrize("sort", ["newest", "oldest", "name_th", "name_en", "updated"])
def test_every_sort_pages_through_everyone_once(sales, sort):
    load_demo_data(people=75, organizations=2)
    seen, cursor = [], None
    for _page in range(5):
        params = {"sort": sort, **({"cursor": cursor} if cursor else {})}
        page = sales.get("/people/", params).context["page"]
        seen += [p.pk for p in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 75


def test_search_finds_thai_fragments_and_phones_in_any_format(sales, somchai):
    load_demo_data(people=15, organizations=2)
    for query in [
        "สมชาย",
        "ชาย",
        "ใจดี",
        "Jaidee",
        "somchai jai",
        "ต้น",
        "081-234-5678",
        "+66812345678",
        "0812345678",
        "somchai@example.co.th",
    ]:
        response = sales.get("/people/", {"q": query}, HTTP_HX_REQUEST="true")
        assert somchai in response.context["page"].items, query
        assert "<html" not in response.content.decode()


def test_national_id_search_needs_the_permission(client, make_user, somchai):
    client.force_login(make_user("s", roles=("sales",)))
    assert client.get("/people/", {"q": NATIONAL_ID}).context["page"].items == []
    client.force_login(make_user("p", roles=("privacy_officer",)))
    assert client.get("/people/", {"q": "1-1017-00230-70-8"}).context["page"].items == [somchai]


def test_filters(sales, source):
    load_demo_data(people=40, organizations=3)
    customers = sales.get("/people/", {"lifecycle_stage": "customer"}).context["page"].items
    assert customers and all(p.lifecycle_stage == "customer" for p in customers)
    organization = Organization.objects.first()
    at_org = sales.get("/people/", {"organization": f"#{organization.pk}"}).context["page"].items
    assert at_org and all(p.employer_id == organization.pk for p in at_org)
    bangkok = sales.get("/people/", {"province": "กรุงเทพมหานคร"}).context["page"].items
    assert all(p.postaladdresss.filter(province="กรุงเทพมหานคร").exists() for p in bangkok)
    assert sales.get("/people/", {"source_kind": "partner"}).context["page"].items == []


def test_detail_masks_the_national_id_for_sales(sales, somchai):
    body = sales.get(f"/people/{somchai.pk}/").content.decode()
    assert "x-xxxx-xxxxx-70-8" in body
    assert NATIONAL_ID not in body and "1-1017-00230-70-8" not in body


def test_detail_shows_the_national_id_to_the_privacy_officer(officer, somchai):
    body = officer.get(f"/people/{somchai.pk}/").content.decode()
    assert "1-1017-00230-70-8" in body
    event = AuditEvent.objects.filter(action="people.detail").latest("id")
    assert event.object_id == str(somchai.pk)


def test_detail_shows_provenance_on_every_contact_point(sales, somchai):
    body = sales.get(f"/people/{somchai.pk}/").content.decode()
    assert body.count('class="provenance"') >= 3  # record, email, phone
    assert "given directly by the person" in body


def test_create_a_person_through_the_form(sales):
    response = sales.post(
        "/people/new/",
        {
            **SOURCE_FIELDS,
            "first_name_th": "มาลี",
            "last_name_th": "ศรีสุข",
            "gender": "female",
            "lifecycle_stage": "prospect",
            "email": "malee@example.co.th",
            "mobile": "089 123 4567",
            "tags": "vip, งานแฟร์",
        },
    )
    person = Person.objects.get(first_name_th="มาลี")
    assert response["Location"] == f"/people/{person.pk}/"
    assert person.source.channel == "phone" and person.source.collected_by == sales.user
    assert person.phonenumbers.get().number == "+66891234567"
    assert sorted(person.tags.values_list("name", flat=True)) == ["vip", "งานแฟร์"]


def test_the_partner_of_a_source_is_looked_up_among_partners_only(sales, source):
    partner = create_organization(None, source=source, kind="partner", name_th="บริษัทพันธมิตรจำกัด")
    customer = create_organization(None, source=source, kind="customer", name_th="บริษัทลูกค้าจำกัด")
    # Never a <select> of every organization: at scale the page would not load.
    form_page = sales.get("/people/new/").content.decode()
    assert '<select name="source_partner"' not in form_page
    options = sales.get(
        "/organizations/lookup/",
        {"field": "source_partner", "source_partner": "บริษัท", "kind": "partner"},
    ).content.decode()
    assert "บริษัทพันธมิตรจำกัด" in options and "บริษัทลูกค้าจำกัด" not in options

    fields = {
        **SOURCE_FIELDS,
        "source_kind": "partner",
        "first_name_th": "มาลี",
        "lifecycle_stage": "prospect",
        "source_agreement_reference": "DPA-2569-7",
    }
    refused = sales.post("/people/new/", {**fields, "source_partner": f"#{customer.pk}"})
    assert "source_partner" in refused.context["form"].errors
    created = sales.post("/people/new/", {**fields, "source_partner": f"#{partner.pk} {partner}"})
    assert created.status_code == 302, created.context["form"].errors
    assert Person.objects.get(first_name_th="มาลี").source.partner == partner


def test_form_errors_name_the_field_in_thai(client, make_user):
    client.force_login(make_user("th", roles=("privacy_officer",), language="th"))
    response = client.post(
        "/people/new/",
        {
            **SOURCE_FIELDS,
            "first_name_th": "มาลี",
            "lifecycle_stage": "prospect",
            "national_id": "1101700230705",
            "date_of_birth": "2020-02-31",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"date_of_birth"}
    assert not Person.objects.exists()
    response = client.post(
        "/people/new/",
        {
            **SOURCE_FIELDS,
            "first_name_th": "มาลี",
            "lifecycle_stage": "prospect",
            "national_id": "1101700230705",
        },
    )
    errors = response.context["form"].errors
    assert "national_id" in errors and "check digit" not in errors["national_id"][0]
    assert not Person.objects.exists()


def test_provenance_is_required_in_the_form(sales):
    response = sales.post("/people/new/", {"first_name_th": "มาลี", "lifecycle_stage": "prospect"})
    assert {"source_kind", "source_channel"} <= set(response.context["form"].errors)
    response = sales.post(
        "/people/new/",
        {
            "first_name_th": "มาลี",
            "lifecycle_stage": "prospect",
            "source_kind": "related_person",
            "source_channel": "phone",
        },
    )
    assert "source_related_person" in response.context["form"].errors
    assert not Person.objects.exists()


def test_edit_records_the_change_in_the_history(sales, somchai):
    response = sales.post(
        f"/people/{somchai.pk}/edit/",
        {
            "first_name_th": "สมชาย",
            "last_name_th": "ใจงาม",
            "lifecycle_stage": "customer",
        },
    )
    assert response.status_code == 302
    somchai.refresh_from_db()
    assert somchai.last_name_th == "ใจงาม" and somchai.national_id == NATIONAL_ID
    body = sales.get(f"/people/{somchai.pk}/").content.decode()
    assert "ใจดี → ใจงาม" in body
    event = AuditEvent.objects.filter(action="people.update_person").latest("id")
    assert event.actor == sales.user and event.details["last_name_th"] == ["ใจดี", "ใจงาม"]


def test_sales_cannot_change_identity_numbers(sales, somchai):
    sales.post(
        f"/people/{somchai.pk}/edit/",
        {"first_name_th": "สมชาย", "lifecycle_stage": "prospect", "national_id": "3100600445473"},
    )
    somchai.refresh_from_db()
    assert somchai.national_id == NATIONAL_ID


def test_history_masks_identity_numbers_for_sales(sales, somchai):
    body = sales.get(f"/people/{somchai.pk}/").content.decode()
    assert NATIONAL_ID not in body


def test_contact_points_add_make_primary_remove(sales, somchai):
    url = f"/person/{somchai.pk}/contacts/phone/"
    response = sales.post(
        url,
        {
            "phone-kind": "mobile",
            "phone-number": "0899999999",
            "phone-source_kind": "direct",
            "phone-source_channel": "chat",
        },
    )
    assert response.status_code == 302
    added = somchai.phonenumbers.get(number="+66899999999")
    assert not added.is_primary and added.source.channel == "chat"
    sales.post(f"{url}{added.pk}/primary/")
    added.refresh_from_db()
    assert added.is_primary
    sales.post(f"{url}{added.pk}/remove/")
    assert somchai.phonenumbers.get().is_primary
    bad = sales.post(
        url,
        {
            "phone-kind": "mobile",
            "phone-number": "12",
            "phone-source_kind": "direct",
            "phone-source_channel": "chat",
        },
    )
    assert bad.status_code == 422 and "number" in bad.context["form"].errors


def test_roles_and_relationships(sales, somchai, source):
    organization = create_organization(None, source=source, name_th="บริษัท ก จำกัด", tax_id=TAX_ID)
    sales.post(
        f"/people/{somchai.pk}/roles/",
        {
            "role-organization": f"#{organization.pk}",
            "role-role": "shareholder",
            "role-share_percent": "25.5",
            "role-start_date": "2024-01-01",
        },
    )
    membership = somchai.organization_roles.get()
    assert membership.share_percent == pytest.approx(25.5)
    sales.post(f"/people/{somchai.pk}/roles/{membership.pk}/end/", {"end_date": "2023-01-01"})
    membership.refresh_from_db()
    assert membership.end_date is None  # before the start: refused
    sales.post(f"/people/{somchai.pk}/roles/{membership.pk}/end/", {"end_date": "2025-06-30"})
    membership.refresh_from_db()
    assert membership.end_date == date(2025, 6, 30)
    org_page = sales.get(f"/organizations/{organization.pk}/").content.decode()
    assert "สมชาย" in org_page and "shareholder" in org_page

    referrer = Person.objects.create(first_name_en="Ref", source=source)
    sales.post(
        f"/people/{somchai.pk}/relationships/",
        {"relationship-kind": "referred_by", "relationship-other": f"#{referrer.pk}"},
    )
    assert somchai.relationships.get().other == referrer
    sales.post(
        f"/people/{somchai.pk}/relationships/",
        {"relationship-kind": "colleague", "relationship-other": f"#{somchai.pk}"},
    )
    assert somchai.relationships.count() == 1


def test_export_csv_and_xlsx_masks_for_sales(sales, somchai):
    response = export_people(sales, "csv", q="สมชาย")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["first_name_th"] for row in rows] == ["สมชาย"]
    assert rows[0]["national_id"] == "x-xxxx-xxxxx-70-8"
    assert rows[0]["mobile"] == "081 234 5678"
    workbook = load_workbook(io.BytesIO(export_people(sales, "xlsx").content))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert values["first_name_en"] == "Somchai" and values["national_id"] == "x-xxxx-xxxxx-70-8"
    assert AuditEvent.objects.filter(action="people.export").exists()


def test_saved_views(sales):
    sales.post(
        "/people/views/save/", {"name": "Customers", "query_string": "lifecycle_stage=customer"}
    )
    view = SavedView.objects.get(user=sales.user)
    assert view.query_string == "lifecycle_stage=customer"
    assert "Customers" in sales.get("/people/").content.decode()
    saved = AuditEvent.objects.get(action="people.save_view", object_id=str(view.pk))
    assert saved.actor == sales.user
    assert saved.details["query_string"] == [None, "lifecycle_stage=customer"]
    sales.post(f"/people/views/{view.pk}/delete/")
    assert not SavedView.objects.exists()
    assert AuditEvent.objects.filter(action="people.delete_view", object_id=str(view.pk)).exists()


def test_lookups_suggest_records(sales, somchai, source):
    create_organization(None, source=source, name_th="บริษัทโอเพนคลาวด์จำกัด")
    people = sales.get("/people/lookup/", {"field": "other", "other": "สมชาย"}).content.decode()
    assert f"#{somchai.pk} " in people
    orgs = sales.get("/organizations/lookup/", {"field": "o", "o": "โอเพนคลาวด์"}).content.decode()
    assert "บริษัทโอเพนคลาวด์จำกัด" in orgs


def test_organizations_create_edit_and_search(sales):
    response = sales.post(
        "/organizations/new/",
        {
            **SOURCE_FIELDS,
            "kind": "customer",
            "name_th": "บริษัทโอเพนคลาวด์จำกัด",
            "name_en": "OpenCloud Co., Ltd.",
            "tax_id": "0-1055-36000-31-3",
        },
    )
    organization = Organization.objects.get()
    assert response["Location"] == f"/organizations/{organization.pk}/"
    assert organization.tax_id == TAX_ID
    found = sales.get("/organizations/", {"q": "โอเพนคลาวด์"}).context["page"].items
    assert found == [organization]
    assert sales.get("/organizations/", {"q": TAX_ID}).context["page"].items == [organization]
    response = sales.post(
        f"/organizations/{organization.pk}/edit/",
        {
            "kind": "partner",
            "name_th": "บริษัทโอเพนคลาวด์จำกัด",
            "tax_id": "0105536000310",
        },
    )
    assert "tax_id" in response.context["form"].errors
    sales.post(
        f"/organizations/{organization.pk}/edit/",
        {"kind": "partner", "name_th": "บริษัทโอเพนคลาวด์จำกัด", "branch": "00002"},
    )
    organization.refresh_from_db()
    assert organization.kind == "partner" and organization.branch == "00002"


def test_unknown_records_are_404(sales):
    assert sales.get("/people/999999/").status_code == 404
    assert sales.get("/organizations/999999/").status_code == 404
    assert sales.post("/person/999999/contacts/email/").status_code == 404
