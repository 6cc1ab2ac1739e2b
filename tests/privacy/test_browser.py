"""The privacy panel of a person's page, driven in a real headless Chromium."""

import pytest
from playwright.sync_api import Page, expect

from connexion.privacy.models import ConsentEvent, Restriction
from tests.conftest import sign_in_page

pytestmark = pytest.mark.browser


def test_one_click_consent_and_a_restriction_that_disables_the_call(
    live_server, make_user, page: Page, person
):
    sign_in_page(page, live_server, make_user("sales1", roles=("sales",), language="en"))
    page.goto(f"{live_server.url}/people/{person.pk}/")
    # Set on the page as loaded: a full reload would lose it.
    page.evaluate("window.sameDocument = true")

    row = page.get_by_test_id("consent-direct-marketing")
    state = row.get_by_test_id("consent-state")
    expect(state).to_contain_text("never asked")
    expect(row).to_contain_text("Wording recorded")
    row.get_by_role("button", name="Give consent").click()
    expect(state).to_contain_text("given")
    expect(page.get_by_role("status")).to_contain_text("Consent recorded")
    row.get_by_role("button", name="Withdraw consent").click()
    expect(state).to_contain_text("withdrawn")
    expect(row.get_by_role("button", name="Give consent")).to_be_visible()
    ledger = page.get_by_test_id("ledger").locator("li")
    expect(ledger).to_have_count(2)
    expect(ledger.first).to_contain_text("withdrawn")
    expect(ledger.last).to_contain_text("given")
    assert page.evaluate("window.sameDocument") is True
    assert list(ConsentEvent.objects.values_list("action", flat=True)) == ["withdrawn", "given"]

    phone = person.phonenumbers.get()
    call_action = page.locator(f"#contact-action-phone-{phone.pk}")
    expect(call_action.get_by_role("link", name="Call")).to_have_attribute(
        "href", f"tel:{phone.number}"
    )
    panel = page.locator("#privacy-panel")
    panel.get_by_text("Add a restriction").click()
    panel.get_by_label("Contact detail", exact=True).select_option(f"phone:{phone.pk}")
    panel.get_by_label("Reason", exact=True).fill("ลูกค้าขอไม่ให้โทรหา")
    panel.get_by_role("button", name="Restrict").click()

    call = call_action.get_by_role("button", name="Call")
    expect(call).to_be_disabled()
    expect(call_action.get_by_role("link")).to_have_count(0)
    expect(call_action.get_by_test_id("refusal")).to_contain_text(
        f"The person asked not to be contacted at {phone.number} since"
    )
    expect(panel.get_by_test_id("restrictions")).to_contain_text("ลูกค้าขอไม่ให้โทรหา")
    # A refused action does nothing when clicked.
    call.click(force=True)
    expect(page).to_have_url(f"{live_server.url}/people/{person.pk}/")
    assert page.evaluate("window.sameDocument") is True
    assert Restriction.objects.get().contact_id == phone.pk
