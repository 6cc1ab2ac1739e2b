"""The privacy center as a visitor uses it, in a real headless Chromium: an
access request end to end, withdrawing a consent (and the staff seeing it),
the cookie banner's refusal and acceptance on our pages and on the business's
own site, and a web form creating a person."""

import re
import time

import pytest
from django.core import mail
from django.db import OperationalError
from playwright.sync_api import Page, expect

from connexion.people.models import Person, Source
from connexion.portal.models import CookieConsent, WebFormSubmission
from connexion.portal.services import (
    publish_cookie_policy,
    save_privacy_contact,
    save_web_form,
)
from connexion.privacy.ledger.services import give_consent
from connexion.privacy.models import ConsentEvent, PrivacyNotice, SubjectRequest
from tests.conftest import sign_in_page

pytestmark = pytest.mark.browser


def wait_for(condition, seconds: float = 10.0):
    """Polls the database for what the browser caused (the server runs in a thread)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
        except OperationalError as exc:
            # SQLite's shared in-memory test database: the server thread may be
            # writing the very table at this moment; read again.
            if "locked" not in str(exc):
                raise
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("the expected change did not happen")


def last_code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def test_an_access_request_end_to_end(live_server, page: Page, person):
    page.goto(f"{live_server.url}/privacy/")
    page.get_by_role("button", name="Reject all").click()
    page.get_by_role("link", name="Make a request").first.click()
    form = page.get_by_test_id("request-form")
    form.get_by_label("access (a copy of my data)", exact=True).check()
    # Only the parts that concern the chosen right are shown.
    expect(page.get_by_label("Send my data to (another company)", exact=True)).to_be_hidden()
    form.get_by_label("Your name", exact=True).fill("Somsri Jaidee")
    form.get_by_label("Email", exact=True).fill("somsri@example.co.th")
    form.get_by_label("Your request", exact=True).fill(
        "Please send me a copy of everything you hold."
    )
    form.get_by_role("button", name="Send my request").click()

    request = SubjectRequest.objects.get()
    expect(page.get_by_test_id("submitted")).to_contain_text(request.reference)
    assert request.channel == "privacy_center" and request.person == person
    assert "somsri" not in page.url and "/privacy/request/follow/" in page.url
    expect(page.get_by_test_id("request-status")).to_contain_text("verifying identity")

    page.get_by_label("The 6-digit code", exact=True).fill(last_code())
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("done")).to_contain_text("your identity is verified")
    expect(page.get_by_test_id("request-status")).to_contain_text("in progress")
    expect(page.get_by_test_id("history").locator("li")).to_have_count(3)
    request.refresh_from_db()
    assert request.verification == "email_code" and request.status == "in_progress"


def test_withdrawing_a_consent_shows_in_the_staff_ledger(
    live_server, page: Page, browser, person, marketing, make_user
):
    give_consent(
        None,
        person,
        marketing,
        wording="ข่าวสารและข้อเสนอ",
        channel="paper",
        notice=PrivacyNotice.objects.get(version="1"),
    )
    page.goto(f"{live_server.url}/privacy/consents/")
    page.get_by_role("button", name="Reject all").click()
    page.get_by_label("Email", exact=True).fill("somsri@example.co.th")
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_label("The 6-digit code", exact=True).fill(last_code())
    page.get_by_role("button", name="Confirm").click()

    row = page.get_by_test_id("consent-direct-marketing")
    expect(row.get_by_test_id("consent-state")).to_contain_text("given")
    page.evaluate("window.sameDocument = true")
    row.get_by_role("button", name="Withdraw my consent").click()
    expect(row.get_by_test_id("consent-state")).to_contain_text("withdrawn")
    expect(row.get_by_role("button", name="Give my consent")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True  # no reload
    withdrawal = ConsentEvent.objects.order_by("-id").first()
    assert (withdrawal.action, withdrawal.channel) == ("withdrawn", "privacy_center")
    assert withdrawal.ip_address == "127.0.0.1" and "Chrome" in withdrawal.user_agent

    staff = browser.new_context(locale="en-US").new_page()
    sign_in_page(staff, live_server, make_user("sales1", roles=("sales",), language="en"))
    staff.goto(f"{live_server.url}/people/{person.pk}/")
    ledger = staff.get_by_test_id("ledger").locator("li")
    expect(ledger).to_have_count(2)
    expect(ledger.first).to_contain_text("withdrawn")
    expect(ledger.first).to_contain_text("privacy center")
    expect(ledger.last).to_contain_text("given")
    staff.context.close()


@pytest.mark.urls("tests.portal.site_urls")
def test_rejecting_all_keeps_analytics_out_and_is_remembered(live_server, page: Page):
    page.goto(f"{live_server.url}/test-site/")
    banner = page.get_by_test_id("cookie-banner")
    expect(banner).to_be_visible()
    page.get_by_role("button", name="Reject all").click()
    expect(banner).to_be_hidden()
    consent = wait_for(lambda: CookieConsent.objects.first())
    assert consent.action == "reject_all" and not consent.analytics

    page.reload()
    expect(page.get_by_role("heading", name="Our page")).to_be_visible()
    expect(banner).to_be_hidden()  # the refusal is remembered
    page.wait_for_timeout(300)
    assert page.evaluate("window.cxAnalyticsRan") is None
    names = {cookie["name"] for cookie in page.context.cookies()}
    assert "cx_test_analytics" not in names and "cx_cookie_consent" in names
    stored = next(c for c in page.context.cookies() if c["name"] == "cx_cookie_consent")
    assert consent.visitor_id in stored["value"]

    # A new policy version asks again.
    publish_cookie_policy(None, text_th="นโยบายใหม่", text_en="New policy")
    page.reload()
    expect(banner).to_be_visible()


@pytest.mark.urls("tests.portal.site_urls")
def test_accepting_analytics_runs_the_marked_script(live_server, page: Page, settings):
    settings.PORTAL_CATEGORY_COOKIES = {"analytics": ["cx_test_analytics"]}
    page.goto(f"{live_server.url}/test-site/")
    assert page.evaluate("window.cxAnalyticsRan") is None
    page.get_by_text("Choose by category").click()
    page.get_by_label("Analytics", exact=True).check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator("html")).to_have_attribute("data-analytics", "ran")
    assert page.evaluate("window.cxAnalyticsRan") == 1
    assert "cx_test_analytics" in {cookie["name"] for cookie in page.context.cookies()}
    consent = wait_for(lambda: CookieConsent.objects.first())
    assert consent.action == "choose"
    assert (consent.preferences, consent.analytics, consent.marketing) == (False, True, False)

    page.reload()
    expect(page.locator("html")).to_have_attribute("data-analytics", "ran")
    expect(page.get_by_test_id("cookie-banner")).to_be_hidden()

    # Withdrawing analytics later: the page starts again without the script.
    page.get_by_role("button", name="Cookie settings").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Reject all").click()
    wait_for(lambda: CookieConsent.objects.count() == 2)
    expect(page.get_by_role("heading", name="Our page")).to_be_visible()
    assert page.evaluate("window.cxAnalyticsRan") is None
    assert "cx_test_analytics" not in {cookie["name"] for cookie in page.context.cookies()}


@pytest.mark.urls("tests.portal.site_urls")
def test_the_snippet_on_the_business_site_records_the_choice(live_server, page: Page):
    port = live_server.url.rsplit(":", 1)[1]
    business = f"http://127.0.0.1:{port}"
    save_privacy_contact(
        None, controller_name_en="Example Co.", email="dpo@example.co.th", website_origins=business
    )
    page.goto(f"{business}/test-site/business/?crm={live_server.url}")
    banner = page.get_by_test_id("cookie-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Cookies on this site")
    page.get_by_role("button", name="Accept all").click()
    expect(banner).to_be_hidden()
    consent = wait_for(lambda: CookieConsent.objects.first())
    assert consent.action == "accept_all" and consent.page_origin == business
    # The marketing-marked script of the business's page runs once accepted.
    expect(page.locator("html")).to_have_attribute("data-analytics", "ran")


@pytest.mark.urls("tests.portal.site_urls")
def test_a_web_form_embedded_on_the_business_site_creates_a_person(
    live_server, page: Page, marketing, make_user
):
    port = live_server.url.rsplit(":", 1)[1]
    business = f"http://127.0.0.1:{port}"
    seller = make_user("malee", roles=("sales",))
    form = save_web_form(
        None,
        name_th="ขอใบเสนอราคา",
        name_en="Ask for a quote",
        fields=[
            {"field": "first_name", "required": True},
            {"field": "last_name", "required": True},
            {"field": "email", "required": True},
            {"field": "message", "required": False},
        ],
        purposes=[marketing],
        owner=seller,
        allowed_origins=business,
    )
    save_privacy_contact(
        None, controller_name_en="Example Co.", email="dpo@example.co.th", website_origins=business
    )
    page.goto(f"{business}/test-site/business/?crm={live_server.url}&form={form.key}")
    page.get_by_role("button", name="Reject all").click()
    frame = page.frame_locator("iframe")
    frame.get_by_label("First name", exact=True).fill("Malai")
    frame.get_by_label("Last name", exact=True).fill("Deengam")
    frame.get_by_label("Email", exact=True).fill("malai@example.com")
    frame.get_by_label("Message", exact=True).fill("A quote for 20 people, please.")
    box = frame.get_by_label(re.compile("Direct marketing"))
    expect(box).not_to_be_checked()
    box.check()
    frame.get_by_role("button", name="Send").click()
    expect(frame.get_by_test_id("web-form-thanks")).to_be_visible()

    person = Person.objects.get()
    assert (person.first_name_en, person.last_name_en) == ("Malai", "Deengam")
    assert person.source.kind == Source.Kind.DIRECT and person.source.channel == "web_form"
    assert "ขอใบเสนอราคา" in person.source.note or "Ask for a quote" in person.source.note
    consent = ConsentEvent.objects.get()
    assert (consent.person, consent.purpose, consent.channel) == (person, marketing, "web_form")
    submission = WebFormSubmission.objects.get()
    # The visitor's cookie choice on the business site joins their record.
    assert submission.visitor_id and CookieConsent.objects.get().person == person
