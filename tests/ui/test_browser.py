"""Drives a real headless Chromium (Debian's package) through Playwright."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from connexion.lib.thai import format_date
from tests.conftest import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"

pytestmark = pytest.mark.browser


def test_sign_in_switch_to_thai_and_sign_out(live_server, make_user, page: Page):
    make_user("somchai", roles=("sales",), first_name="Somchai", last_name="Jaidee")
    thai_today = format_date(timezone.localdate(), "th")
    SCREENSHOTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/account/sign-in/?next=/")
    page.get_by_label("Username").fill("somchai")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    navigation = page.get_by_role("navigation", name="Main navigation")
    expect(navigation.get_by_role("link", name="People")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Somchai Jaidee")
    page.screenshot(path=str(SCREENSHOTS / "home-en.png"))

    page.get_by_role("button", name="ไทย").click()
    thai_navigation = page.get_by_role("navigation", name="เมนูหลัก")
    expect(thai_navigation.get_by_role("link", name="บุคคล")).to_be_visible()
    expect(thai_navigation.get_by_role("link", name="ดีล")).to_be_visible()
    expect(page.get_by_test_id("today")).to_have_text(thai_today)
    assert str(timezone.localdate().year + 543) in thai_today
    page.screenshot(path=str(SCREENSHOTS / "home-th.png"))

    # The choice is the user's: it survives a reload.
    page.reload()
    expect(thai_navigation.get_by_role("link", name="บุคคล")).to_be_visible()

    page.get_by_role("button", name="ออกจากระบบ").click()
    expect(page).to_have_url(f"{live_server.url}/account/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("เข้าสู่ระบบ Connexion")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/account/sign-in/?next=/")


def test_wrong_password_shows_the_generic_message(live_server, make_user, page: Page):
    make_user("somsri")
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill("somsri")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The username or password is not correct.")
