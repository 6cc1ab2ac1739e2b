"""The proof of cookie choices: what the banner posts, from which sites it is
taken (CORS for the allowed ones only), the policy version, the banner's
configuration, and the banner on the public pages."""

import json

import pytest

from connexion.portal.models import CookieConsent, CookiePolicy
from connexion.portal.services import (
    link_visitor,
    publish_cookie_policy,
    save_privacy_contact,
    save_web_form,
)

pytestmark = pytest.mark.django_db
ENDPOINT = "/privacy/cookies/consent/"
VISITOR = "0f8fad5b-d9cb-469f-a165-70867728950e"


def choice(client, origin=None, **payload):
    body = {
        "visitor_id": VISITOR,
        "policy_version": 1,
        "choices": {
            "necessary": True,
            "preferences": False,
            "analytics": False,
            "marketing": False,
        },
        **payload,
    }
    headers = {"User-Agent": "Chromium/120"}
    if origin:
        headers["Origin"] = origin
    return client.post(ENDPOINT, json.dumps(body), content_type="application/json", headers=headers)


def test_a_refusal_is_stored_as_proof(client):
    response = choice(client, origin="http://testserver")
    assert response.status_code == 201
    consent = CookieConsent.objects.get()
    assert consent.action == CookieConsent.Action.REJECT_ALL
    assert consent.choices() == {"preferences": False, "analytics": False, "marketing": False}
    assert (consent.visitor_id, consent.policy_version) == (VISITOR, 1)
    assert consent.ip_address == "127.0.0.1" and consent.user_agent == "Chromium/120"
    assert consent.page_origin == "http://testserver"
    assert consent.person is None


def test_per_category_and_accept_all(client):
    choice(client, choices={"preferences": False, "analytics": True, "marketing": False})
    choice(client, choices={"preferences": True, "analytics": True, "marketing": True})
    first, second = CookieConsent.objects.order_by("id")
    assert first.action == "choose" and first.analytics and not first.marketing
    assert second.action == "accept_all"


def test_only_the_business_sites_may_record_choices(client, make_user):
    officer = make_user("dpo", roles=("privacy_officer",))
    denied = choice(client, origin="https://www.example.co.th")
    assert denied.status_code == 403 and "Access-Control-Allow-Origin" not in denied
    save_privacy_contact(
        officer,
        controller_name_en="Example Co.",
        email="privacy@example.co.th",
        website_origins="https://www.example.co.th/",
    )
    allowed = choice(client, origin="https://www.example.co.th")
    assert allowed.status_code == 201
    assert allowed["Access-Control-Allow-Origin"] == "https://www.example.co.th"
    # The sites that embed an open web form may too.
    save_web_form(
        officer,
        name_th="ฟอร์ม",
        name_en="Form",
        fields=[{"field": "first_name", "required": True}, {"field": "email"}],
        allowed_origins="https://shop.example.com",
    )
    assert choice(client, origin="https://shop.example.com").status_code == 201
    assert CookieConsent.objects.count() == 2
    assert CookieConsent.objects.first().page_origin == "https://shop.example.com"


def test_the_preflight_answers_the_allowed_sites_only(client, make_user):
    save_privacy_contact(
        make_user("dpo", roles=("privacy_officer",)),
        controller_name_en="Example Co.",
        email="privacy@example.co.th",
        website_origins="https://www.example.co.th",
    )
    headers = {"Origin": "https://www.example.co.th", "Access-Control-Request-Method": "POST"}
    ok = client.options(ENDPOINT, headers=headers)
    assert ok.status_code == 204
    assert ok["Access-Control-Allow-Origin"] == "https://www.example.co.th"
    assert "Content-Type" in ok["Access-Control-Allow-Headers"]
    refused = client.options(ENDPOINT, headers={**headers, "Origin": "https://evil.example"})
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused


def test_bad_input_is_refused_with_the_field_named(client):
    response = client.post(ENDPOINT, "not json", content_type="application/json")
    assert response.status_code == 400
    response = choice(client, visitor_id="me", policy_version=7, choices={"analytics": "yes"})
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"visitor_id", "policy_version", "choices"}
    assert not CookieConsent.objects.exists()
    big = client.post(ENDPOINT, "x" * 5000, content_type="application/json")
    assert big.status_code == 400


def test_a_new_policy_version_is_taken_and_the_old_one_too(client, make_user):
    policy = publish_cookie_policy(
        make_user("dpo", roles=("privacy_officer",)), text_th="นโยบาย", text_en="Policy"
    )
    assert policy.version == 2
    assert choice(client, policy_version=2).status_code == 201
    assert choice(client, policy_version=1).status_code == 201
    assert choice(client, policy_version=3).status_code == 422
    config = client.get("/privacy/cookies/config/")
    assert config.json()["version"] == 2
    assert config["Access-Control-Allow-Origin"] == "*"
    assert set(config.json()["texts"]) == {"th", "en"}
    assert config.json()["texts"]["en"]["reject_all"] == "Reject all"


def test_choices_after_identification_stay_linked(client, person):
    choice(client)
    link_visitor(None, VISITOR, person)
    choice(client, choices={"preferences": True, "analytics": True, "marketing": True})
    assert set(CookieConsent.objects.values_list("person", flat=True)) == {person.pk}


def test_cookie_choices_are_limited_per_address(client, settings):
    settings.PORTAL_RATE_LIMITS = {"cookie": (2, 0, 3600)}
    assert choice(client).status_code == 201
    assert choice(client).status_code == 201
    limited = choice(client)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0


def test_public_pages_carry_the_banner_and_the_snippet(client):
    for url in ("/privacy/", "/privacy/request/", "/account/sign-in/"):
        page = client.get(url).content.decode()
        assert 'id="cx-cookie-banner"' in page, url
        assert "portal/cookie-consent.js" in page
        assert 'data-policy-version="1"' in page
    # "Accept all" and "Reject all" are the same kind of button.
    page = client.get("/privacy/").content.decode()
    accept = page.split('data-cx-action="accept-all"')[0].rsplit("<button", 1)[1]
    reject = page.split('data-cx-action="reject-all"')[0].rsplit("<button", 1)[1]
    assert accept == reject
    # No inline script anywhere: the policy forbids it.
    assert "<script>" not in page and "onclick" not in page
    CookiePolicy.objects.create(version=5, text_th="ก", text_en="a", published_at=policy_time())
    assert 'data-policy-version="5"' in client.get("/privacy/").content.decode()


def policy_time():
    from django.utils import timezone

    return timezone.now()


def test_the_staff_pages_have_no_banner(signed_in):
    assert "cx-cookie-banner" not in signed_in.get("/").content.decode()
