"""The sales dashboard in a real headless Chromium: the vendored Chart.js draws
from the embedded JSON, and a figure opens the list it counts."""

import pytest
from playwright.sync_api import Page, expect

from connexion.sales.models import Pipeline
from tests.conftest import sign_in_page
from tests.sales import activity_helpers as helpers

pytestmark = pytest.mark.browser
malee, deal_for, default_pipeline = helpers.malee, helpers.deal_for, helpers.default_pipeline


def test_charts_draw_and_numbers_open_the_list(live_server, make_user, page: Page, malee, deal_for):
    staff = make_user("manager", roles=("sales",), language="en")
    deal_for(malee, title="Annual licence", owner=staff)
    pipeline = Pipeline.objects.get(is_default=True)
    sign_in_page(page, live_server, staff)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/sales/dashboard/")
    expect(page.locator(f"#chart-pipeline-{pipeline.pk}")).to_have_attribute("data-drawn", "true")
    assert errors == []
    page.get_by_test_id("stage-count").first.click()
    expect(page).to_have_url(
        f"{live_server.url}/sales/?pipeline={pipeline.pk}&stage="
        f"{pipeline.stages.order_by('order').first().pk}&status=open"
    )
    expect(page.get_by_text("Annual licence")).to_be_visible()
