"""Activities and tasks driven in a real headless Chromium."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from connexion.sales.activities import services as activity_services
from connexion.sales.models import Activity, Task
from tests.conftest import sign_in_page
from tests.sales import activity_helpers as helpers

pytestmark = pytest.mark.browser
malee = helpers.malee


def test_log_a_call_from_the_person_page_without_a_reload(
    live_server, make_user, page: Page, malee
):
    staff = make_user("sales1", roles=("sales",), language="en", first_name="Wichai")
    sign_in_page(page, live_server, staff)
    page.goto(f"{live_server.url}/people/{malee.pk}/")
    # A mark that a full page load would wipe out.
    page.evaluate("window.__still_here = true")
    page.get_by_role("button", name="Log a call").click()
    form = page.get_by_test_id("activity-form")
    expect(form.get_by_label("Kind")).to_have_value("call")
    form.get_by_label("Subject").fill("Asked about the annual plan")
    form.get_by_label("Duration (minutes)").fill("-5")
    form.get_by_role("button", name="Save").click()
    expect(form.get_by_text("The duration cannot be negative.")).to_be_visible()
    form.get_by_label("Duration (minutes)").fill("15")
    form.get_by_label("Outcome").fill("Sends a quote")
    form.get_by_role("button", name="Save").click()

    timeline = page.get_by_test_id("timeline")
    entry = timeline.get_by_test_id("entry-activity").first
    expect(entry).to_contain_text("Asked about the annual plan")
    expect(entry).to_contain_text("15 minutes")
    expect(page.get_by_text("Call logged.")).to_be_visible()
    assert page.evaluate("window.__still_here") is True
    activity = Activity.objects.get()
    assert (activity.person_id, activity.duration_minutes) == (malee.pk, 15)

    # The filter chips swap the list in place too.
    page.get_by_role("link", name="Notes").click()
    expect(timeline.get_by_test_id("entry-activity")).to_have_count(0)
    assert page.evaluate("window.__still_here") is True


def test_complete_a_task_on_my_tasks(live_server, make_user, page: Page, malee):
    staff = make_user("sales1", roles=("sales",), language="en")
    task = activity_services.create_task(
        staff,
        title="Send the contract",
        assignee=staff,
        person=malee,
        due_at=timezone.now() - timedelta(hours=2),
    )
    sign_in_page(page, live_server, staff)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="My tasks").first.click()
    overdue = page.get_by_test_id("tasks-overdue")
    row = overdue.get_by_test_id("task-row")
    expect(row).to_contain_text("Send the contract")
    row.get_by_role("button", name="Mark Send the contract done").click()
    expect(row.get_by_role("button", name="Reopen Send the contract")).to_have_attribute(
        "aria-pressed", "true"
    )
    task.refresh_from_db()
    assert task.done_at is not None
    assert Task.objects.filter(done_at__isnull=True).count() == 0
