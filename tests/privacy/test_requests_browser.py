"""The request queue in a real headless Chromium: a paper request entered with
its scan, identity checked against a document, then answered."""

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from connexion.privacy.models import DataExport, SubjectRequest
from tests.conftest import sign_in_page
from tests.privacy.request_support import PNG

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def enter_paper_request(page: Page, live_server, kind: str, **changes: str) -> SubjectRequest:
    page.goto(f"{live_server.url}/data-protection/requests/new/")
    form = page.get_by_test_id("request-form")
    form.get_by_label("Kind of request").select_option(kind)
    form.get_by_label("Arrived by").select_option("paper")
    form.get_by_label("Requester's name").fill("Somsri Jaidee")
    form.get_by_label("Requester's email").fill("somsri@example.co.th")
    form.get_by_label("Answer in").select_option("en")
    form.get_by_label("The request in the person's words").fill("Letter of 2 March")
    form.get_by_label("Email received or scan").set_input_files(
        files=[{"name": "letter.png", "mimeType": "image/png", "buffer": PNG}]
    )
    if changes:
        form.get_by_text("Requested corrections (rectification)").click()
    for name, value in changes.items():
        form.locator(f"#id_change_{name}").fill(value)
    form.get_by_role("button", name="Enter the request").click()
    request = SubjectRequest.objects.get()
    expect(page).to_have_url(f"{live_server.url}/data-protection/requests/{request.pk}/")
    expect(page.get_by_role("status").first).to_contain_text(f"Request {request.reference} entered")
    # Set on the page as loaded: the actions below must not reload it.
    page.evaluate("window.sameDocument = true")
    return request


def verify_by_document(page: Page) -> None:
    expect(page.get_by_test_id("request-verification")).to_have_text("not verified")
    document = page.get_by_test_id("action-document")
    document.get_by_label("Document checked").select_option("id_card")
    document.get_by_label("What was checked").fill("Photo and name match; ends 0708")
    document.get_by_role("button", name="Identity verified").click()
    expect(page.get_by_test_id("request-verification")).to_have_text("verified")
    expect(page.get_by_test_id("request-status")).to_have_text("in progress")
    verification = page.get_by_test_id("verification")
    expect(verification).to_contain_text("identity document checked by staff")


def test_a_paper_access_request_verified_by_document_and_answered_with_a_link(
    live_server, make_user, page: Page, person
):
    sign_in_page(page, live_server, make_user("dpo", roles=("privacy_officer",), language="en"))
    request = enter_paper_request(page, live_server, "access")
    expect(page.get_by_test_id("request-person")).to_contain_text("สมศรี ใจดี")
    expect(page.get_by_test_id("completion-problem")).to_contain_text("not verified")

    verify_by_document(page)
    page.get_by_role("button", name="Build and deliver the data").click()
    link = page.get_by_test_id("download-link").get_by_role("link")
    expect(link).to_contain_text("/data-protection/exports/")
    href = link.get_attribute("href")
    assert href and href.startswith(live_server.url)
    assert mail.outbox[-1].to == ["somsri@example.co.th"] and href in mail.outbox[-1].body

    page.get_by_test_id("action-complete").get_by_role("button").click()
    expect(page.get_by_test_id("request-status")).to_have_text("completed")
    history = page.get_by_test_id("request-history")
    expect(history).to_contain_text("data delivered")
    expect(history).to_contain_text("identity verified")
    assert page.evaluate("window.sameDocument") is True

    # Opening the person's link uses nothing up; its button gives the bundle once.
    assert page.context.request.get(href).status == 200
    assert DataExport.objects.get().downloaded_at is None
    person_page = page.context.browser.new_context().new_page()
    person_page.goto(href)
    with person_page.expect_download():
        person_page.get_by_role("button").filter(has_text="Download").or_(
            person_page.get_by_role("button").filter(has_text="ดาวน์โหลด")
        ).click()
    assert DataExport.objects.get().downloaded_at is not None
    request.refresh_from_db()
    assert request.status == "completed" and request.attachment


def test_a_rectification_accepted_for_one_field_and_rejected_for_another(
    live_server, make_user, page: Page, person
):
    sign_in_page(page, live_server, make_user("dpo", roles=("privacy_officer",), language="en"))
    enter_paper_request(
        page, live_server, "rectification", first_name_th="สมศรีย์", occupation="นักบิน"
    )
    verify_by_document(page)

    first_name = page.get_by_test_id("correction-first_name_th")
    expect(first_name).to_contain_text("สมศรี")
    first_name.get_by_role("button", name="Accept").click()
    expect(page.get_by_test_id("correction-first_name_th")).to_contain_text("accepted")
    occupation = page.get_by_test_id("correction-occupation")
    occupation.get_by_label("Reason").fill("Our contract says teacher")
    occupation.get_by_role("button", name="Reject").click()
    expect(page.get_by_test_id("correction-occupation")).to_contain_text("rejected")
    page.get_by_test_id("action-complete").get_by_role("button").click()
    expect(page.get_by_test_id("request-status")).to_have_text("completed")
    assert page.evaluate("window.sameDocument") is True

    page.get_by_test_id("request-person").get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("สมศรีย์")
    expect(page.get_by_test_id("person-requests")).to_contain_text("completed")
