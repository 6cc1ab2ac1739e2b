"""The kanban board and the deal forms in a real headless Chromium."""

import pytest
from playwright.sync_api import Page, expect

from connexion.sales.models import Deal, Lead, StageChange
from tests.conftest import sign_in_page

pytestmark = pytest.mark.browser


@pytest.fixture
def board_page(live_server, make_user, page: Page, make_deal, pipeline, stages):
    user = make_user("sales1", roles=("sales",), language="en")
    make_deal("Hotel CRM", amount=40_000_00, owner=user)
    make_deal("Clinic CRM", amount=2_500_50, owner=user)
    sign_in_page(page, live_server, user)
    page.goto(f"{live_server.url}/sales/board/{pipeline.pk}/")
    # Set on this page only: a full reload would lose it.
    page.evaluate("window.stillTheSamePage = true")
    return page


def column(page: Page, stage) -> object:
    return page.get_by_test_id(f"column-{stage.pk}")


def test_drag_a_card_to_another_stage(board_page: Page, stages):
    page = board_page
    qualified, proposal = column(page, stages["Qualified"]), column(page, stages["Proposal sent"])
    expect(qualified.get_by_test_id("stage-count")).to_have_text("2")
    expect(qualified.get_by_test_id("stage-sum")).to_have_text("฿42,500.50")
    expect(proposal.get_by_test_id("stage-count")).to_have_text("0")

    card = qualified.locator(".deal-card", has_text="Hotel CRM")
    card.drag_to(proposal.locator("ol.cards"))

    expect(proposal.get_by_test_id("stage-count")).to_have_text("1")
    expect(proposal.get_by_test_id("stage-sum")).to_have_text("฿40,000.00")
    expect(qualified.get_by_test_id("stage-count")).to_have_text("1")
    expect(qualified.get_by_test_id("stage-sum")).to_have_text("฿2,500.50")
    expect(proposal.locator(".deal-card", has_text="Hotel CRM")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    deal = Deal.objects.get(title="Hotel CRM")
    assert deal.stage == stages["Proposal sent"]
    assert StageChange.objects.filter(deal=deal, to_stage=stages["Proposal sent"]).exists()


def test_move_a_card_with_the_keyboard(board_page: Page, stages):
    page = board_page
    qualified, won = column(page, stages["Qualified"]), column(page, stages["Won"])
    select = page.get_by_role("combobox", name="Move to stage: Clinic CRM")
    select.focus()
    page.keyboard.type("Won")  # picks the option by its first letters, as people do
    expect(select).to_have_value(str(stages["Won"].pk))
    page.keyboard.press("Tab")
    expect(
        qualified.locator(".deal-card", has_text="Clinic CRM").get_by_role("button", name="Move")
    ).to_be_focused()
    page.keyboard.press("Enter")

    expect(won.get_by_test_id("stage-count")).to_have_text("1")
    expect(won.get_by_test_id("stage-sum")).to_have_text("฿2,500.50")
    expect(qualified.get_by_test_id("stage-sum")).to_have_text("฿40,000.00")
    expect(page.get_by_test_id("open-total")).to_have_text("฿40,000.00")
    # The keyboard stays on the moved card, now in its new column.
    expect(won.get_by_role("combobox", name="Move to stage: Clinic CRM")).to_be_focused()
    expect(page.locator("#board-status")).to_have_text("“Clinic CRM” moved to Won.")
    assert page.evaluate("window.stillTheSamePage") is True
    assert Deal.objects.get(title="Clinic CRM").status == "won"


def test_dropping_on_a_lost_stage_asks_why(board_page: Page, stages):
    page = board_page
    qualified, lost = column(page, stages["Qualified"]), column(page, stages["Lost"])
    qualified.locator(".deal-card", has_text="Hotel CRM").drag_to(lost.locator("ol.cards"))
    reason = page.get_by_label("Why was it lost?")
    expect(reason).to_be_focused()
    expect(page.get_by_text("Say why the deal was lost.")).to_be_visible()
    assert Deal.objects.get(title="Hotel CRM").status == "open"
    reason.fill("Chose a competitor")
    page.get_by_role("button", name="Mark as lost").click()
    expect(lost.get_by_test_id("stage-count")).to_have_text("1")
    deal = Deal.objects.get(title="Hotel CRM")
    assert (deal.status, deal.lost_reason) == ("lost", "Chose a competitor")


def test_filter_the_deal_list_without_reloading(
    live_server, make_user, page: Page, make_deal, stages
):
    make_deal("Small one", amount=1_000_00)
    make_deal("Large one", amount=900_000_00)
    sign_in_page(page, live_server, make_user("sales1", roles=("sales",), language="en"))
    page.goto(f"{live_server.url}/sales/")
    expect(page.get_by_test_id("list-total")).to_have_text("฿901,000.00")
    page.get_by_label("Amount from (THB)").fill("5,000")
    page.get_by_label("Amount from (THB)").dispatch_event("change")
    expect(page.get_by_test_id("list-total")).to_have_text("฿900,000.00")
    expect(page.locator("#rows")).not_to_contain_text("Small one")


def test_convert_a_lead(live_server, make_user, page: Page, stages, crm_product):
    user = make_user("sales1", roles=("sales",), language="en")
    sign_in_page(page, live_server, user)
    page.goto(f"{live_server.url}/sales/leads/new/")
    page.get_by_label("Interest").fill("CRM for a clinic")
    page.get_by_label("First name").fill("Dao")
    page.get_by_label("Last name").fill("Srisuk")
    page.get_by_label("Email").fill("dao@example.com")
    page.get_by_label("Source", exact=True).select_option("referral")
    page.get_by_label("Source detail").fill("Khun Somchai")
    page.get_by_label("CRM Pro").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("lead-status")).to_have_text("new")
    page.get_by_role("link", name="Convert to a deal").click()
    expect(page.get_by_label("Create a person from the lead")).to_be_checked()
    page.get_by_role("button", name="Convert and open the deal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CRM for a clinic")
    expect(page.get_by_test_id("deal-amount")).to_have_text("฿12,500.50")
    lead = Lead.objects.get()
    assert lead.converted_deal.person.first_name_en == "Dao"
