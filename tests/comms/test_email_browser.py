"""Sending an email from a person's page, in a real headless Chromium, to a
real SMTP server."""

import pytest
from playwright.sync_api import Page, expect

from connexion.comms.models import OutgoingEmail
from connexion.privacy.ledger.services import restrict
from tests.conftest import sign_in_page

pytestmark = pytest.mark.browser


def test_send_is_disabled_for_a_restricted_address_and_works_for_another(
    live_server, make_user, page: Page, smtp, malee, welcome
):
    primary = malee.emailaddresss.get(is_primary=True)
    restrict(None, malee, scope="contact_point", contact_point=primary, reason="ไม่ส่งอีเมล")
    sign_in_page(page, live_server, make_user("sales1", roles=("sales",), language="en"))
    page.goto(f"{live_server.url}/people/{malee.pk}/")
    page.get_by_role("link", name="Send an email").click()

    send = page.get_by_role("button", name="Send")
    expect(send).to_be_disabled()
    expect(page.get_by_test_id("refusal")).to_contain_text(
        "The person asked not to be contacted at malee@example.co.th"
    )
    page.get_by_label("Send to").select_option(label="malee.home@example.com")
    expect(send).to_be_enabled()
    expect(page.get_by_test_id("preview-subject")).to_have_text("สวัสดีคุณมาลี")
    # The swapped-in form takes its htmx triggers once settled: a person is never
    # that fast, a test is.
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    with page.expect_response(lambda r: "/email/check/" in r.url and "language=en" in r.url):
        page.get_by_label("Language").select_option("en")
    expect(page.get_by_test_id("preview-subject")).to_have_text("Hello Malee")
    send.click()

    expect(page.get_by_text("Email sent to malee.home@example.com.")).to_be_visible()
    entry = page.get_by_test_id("entry-email").first
    expect(entry).to_contain_text("Hello Malee")
    [received] = smtp.messages
    assert received.envelope_to == ["malee.home@example.com"]
    assert OutgoingEmail.objects.get().status == "sent"
