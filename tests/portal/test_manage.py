"""The privacy area's settings of the privacy center: the published contact,
the cookie policy and its ledger, the web-form builder; privacy area only."""

import pytest
from django.test import Client

from connexion.audit.models import AuditEvent
from connexion.portal.models import CookiePolicy, PrivacyContact, WebForm
from connexion.privacy.models import PrivacyNotice

pytestmark = pytest.mark.django_db
PAGES = (
    "/privacy/manage/",
    "/privacy/manage/contact/",
    "/privacy/manage/cookies/",
    "/privacy/manage/forms/new/",
)


def test_the_settings_are_for_the_privacy_area(client, make_user):
    for url in PAGES:
        assert client.get(url)["Location"].startswith("/account/sign-in/")
    client.force_login(make_user("sales1", roles=("sales",)))
    for url in PAGES:
        assert client.get(url).status_code == 403, url


def test_the_privacy_area_links_to_the_center(officer):
    page = officer.get("/data-protection/").content.decode()
    assert 'href="/privacy/manage/"' in page
    overview = officer.get("/privacy/manage/")
    assert overview.status_code == 200
    assert "Not published yet" in overview.content.decode()


def test_the_officer_publishes_the_contact_and_the_center_shows_it(officer):
    response = officer.post(
        "/privacy/manage/contact/",
        {
            "controller_name_th": "บริษัท ตัวอย่าง จำกัด",
            "controller_name_en": "Example Co., Ltd.",
            "dpo_name": "Wichai P.",
            "email": "dpo@example.co.th",
            "phone": "02-123-4567",
            "postal_address_th": "99 ถนนสุขุมวิท กรุงเทพฯ 10110",
            "postal_address_en": "99 Sukhumvit Rd, Bangkok 10110",
            "website_origins": "https://www.example.co.th",
        },
    )
    assert response["Location"] == "/privacy/manage/"
    contact = PrivacyContact.objects.get()
    assert contact.phone == "+6621234567"
    assert AuditEvent.objects.filter(action="portal.save_privacy_contact").exists()

    visitor = Client()
    visitor.cookies["connexion_language"] = "en"
    english = visitor.get("/privacy/").content.decode()
    assert "Example Co., Ltd." in english and "dpo@example.co.th" in english
    assert "99 Sukhumvit Rd" in english and "Wichai P." in english
    visitor.cookies["connexion_language"] = "th"
    thai = visitor.get("/privacy/").content.decode()
    assert "บริษัท ตัวอย่าง จำกัด" in thai and "99 ถนนสุขุมวิท" in thai


def test_a_contact_without_a_way_to_reach_anyone_is_refused(officer):
    response = officer.post(
        "/privacy/manage/contact/",
        {"controller_name_en": "X", "email": "", "website_origins": "ftp://x"},
    )
    body = response.content.decode()
    assert "Publish at least an email or a postal address" in body
    assert "is not a website origin" in body
    assert not PrivacyContact.objects.exists()


def test_the_center_shows_the_notice_and_its_earlier_versions(client, officer):
    from connexion.privacy.ledger.services import publish_notice

    publish_notice(None, version="2", text_th="ข้อความฉบับสอง", text_en="Text of version two")
    page = client.get("/privacy/").content.decode()
    assert "Text of version two" in page
    first = PrivacyNotice.objects.get(version="1")
    assert f'href="/privacy/notices/{first.pk}/"' in page
    old = client.get(f"/privacy/notices/{first.pk}/").content.decode()
    assert "not the current version" in old


def test_publishing_a_cookie_policy_raises_the_version(officer):
    page = officer.get("/privacy/manage/cookies/").content.decode()
    assert "version 1 in force" in page
    assert "/static/portal/cookie-consent.js" in page
    officer.post("/privacy/manage/cookies/", {"text_th": "คุกกี้", "text_en": "Cookies we use"})
    assert CookiePolicy.objects.get().version == 2
    assert "version 2 in force" in officer.get("/privacy/manage/cookies/").content.decode()
    assert (
        "Cookies we use"
        in Client(HTTP_ACCEPT_LANGUAGE="en").get("/privacy/cookies/").content.decode()
    )


def test_the_builder_makes_a_form_with_consent_boxes_and_shows_how_to_embed_it(
    officer, marketing, make_user
):
    seller = make_user("malee", roles=("sales",))
    data = {
        "name_th": "ขอข้อมูลสินค้า",
        "name_en": "Product information",
        "purposes": [marketing.pk],
        "owner": seller.pk,
        "allowed_origins": "https://www.example.co.th",
        "is_active": "on",
        "use_first_name": "on",
        "required_first_name": "on",
        "use_email": "on",
        "required_email": "on",
        "use_message": "on",
        "label_th_message": "ข้อความถึงเรา",
    }
    response = officer.post("/privacy/manage/forms/new/", data)
    form = WebForm.objects.get()
    assert response["Location"] == f"/privacy/manage/forms/{form.pk}/"
    assert [f["field"] for f in form.fields] == ["first_name", "email", "message"]
    assert form.fields[2]["label_th"] == "ข้อความถึงเรา"
    assert list(form.purposes.all()) == [marketing] and form.owner == seller

    page = officer.get(f"/privacy/manage/forms/{form.pk}/").content.decode()
    assert f"/privacy/forms/{form.key}/?embed=1" in page
    assert "/static/portal/webform-embed.js" in page
    assert 'name="use_first_name" id="id_use_first_name" checked' in page

    refused = officer.post(f"/privacy/manage/forms/{form.pk}/", {**data, "use_first_name": ""})
    assert "Ask for a first or last name" in refused.content.decode()
