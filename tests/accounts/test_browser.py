"""Two-step sign-in set up and used in a real headless Chromium: nothing is
scanned; the key under "Can't scan the code?" goes into pyotp, as a person
would type it into an authenticator app."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from connexion.accounts.models import MfaDevice, User
from tests.conftest import PASSWORD, sign_in_page

pytestmark = pytest.mark.browser


def type_password(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_privacy_officer_sets_up_two_step_sign_in_and_signs_in_with_a_code(
    live_server, make_user, page: Page
):
    make_user("dpo", roles=("privacy_officer",), language="en")
    type_password(page, live_server.url, "dpo")
    # The role requires it: the first page after the password is the set-up.
    expect(page).to_have_url(f"{live_server.url}/account/two-step/setup/")
    expect(page.locator(".qr-code svg")).to_be_visible()
    page.goto(f"{live_server.url}/people/")
    expect(page).to_have_url(f"{live_server.url}/account/two-step/setup/")

    page.get_by_text("Can't scan the code?").click()
    key = page.get_by_test_id("mfa-secret").inner_text().replace(" ", "")
    authenticator = pyotp.TOTP(key)
    page.get_by_label("Code from the app").fill(authenticator.now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    expect(codes.first).to_have_text(re.compile(r"^[a-z0-9]{4}(-[a-z0-9]{4}){3}$"))
    page.get_by_role("link", name="I have saved my codes").click()
    expect(page.get_by_text("On", exact=True)).to_be_visible()
    assert MfaDevice.objects.get(user__username="dpo").confirmed_at is not None

    page.get_by_role("button", name="Sign out").click()
    type_password(page, live_server.url, "dpo")
    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    # The code just used counts once; the app's next code is accepted.
    page.get_by_label("Code").fill(authenticator.at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    page.goto(f"{live_server.url}/account/")
    history = page.get_by_test_id("sign-in-history")
    expect(history.locator("tbody tr").first).to_contain_text("authenticator code")


def test_an_admin_creates_a_team_and_a_user_then_deactivates_them(
    live_server, admin_user, page: Page, browser
):
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    sign_in_page(page, live_server, admin_user)
    page.goto(f"{live_server.url}/settings/teams/")
    page.get_by_label("Name").fill("Chiang Mai office")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_role("link", name="Chiang Mai office")).to_be_visible()

    page.get_by_role("link", name="Staff users").click()
    page.get_by_role("link", name="Add a staff user").click()
    page.get_by_label("Username").fill("malee")
    page.get_by_label("Email").fill("malee@example.co.th")
    page.get_by_label("Sales").check()
    page.get_by_label("Chiang Mai office").check()
    page.get_by_role("button", name="Create staff user").click()
    expect(page.get_by_role("status")).to_contain_text("Their first password is")
    password = page.get_by_role("status").inner_text().rsplit(" ", 1)[1]

    # Malee signs in in her own browser, and is signed out when deactivated.
    other = browser.new_context(locale="en-US")
    malee_page = other.new_page()
    type_password_as(malee_page, live_server.url, "malee", password)
    expect(malee_page).to_have_url(f"{live_server.url}/")

    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status")).to_contain_text("1 sessions ended")
    malee_page.goto(f"{live_server.url}/people/")
    expect(malee_page).to_have_url(re.compile(r"/account/sign-in/"))
    other.close()
    malee = User.objects.get(username="malee")
    assert not malee.is_active and [t.name for t in malee.teams.all()] == ["Chiang Mai office"]


def type_password_as(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_user_creates_a_token_sees_it_once_and_revokes_it(live_server, make_user, page: Page):
    sign_in_page(page, live_server, make_user("somchai", language="en"))
    page.goto(f"{live_server.url}/account/")
    page.get_by_role("link", name="Manage API tokens").click()
    page.get_by_label("Name").fill("n8n")
    page.get_by_label("People and organizations (read)").check()
    page.get_by_label("3.1 personal details").check()
    page.get_by_role("button", name="Create the token").click()
    expect(page.get_by_test_id("new-token")).to_have_text(re.compile(r"^cnx_"))
    page.reload()
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    row = page.get_by_role("row", name=re.compile("n8n"))
    expect(row).to_contain_text("active")
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("row", name=re.compile("n8n"))).to_contain_text("revoked")


def test_an_admin_narrows_sales_to_their_own_records_and_a_seller_sees_the_change(
    live_server, admin_user, make_user, page: Page, browser
):
    from connexion.accounts.services import create_team
    from connexion.people.services import create_person, create_source

    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    seller = make_user("ploy", roles=("sales",), language="en")
    teammate = make_user("ton", roles=("sales",), language="en")
    create_team("Phuket", members=[seller, teammate], actor=None)
    source = create_source(None, kind="direct", channel="phone")
    for name, owner in (("Arunee", seller), ("Boonmee", teammate)):
        create_person(None, source=source, first_name_th="ทดสอบ", first_name_en=name, owner=owner)

    seller_context = browser.new_context(locale="en-US")
    seller_page = sign_in_page(seller_context.new_page(), live_server, seller)
    seller_page.goto(f"{live_server.url}/people/")
    expect(seller_page.get_by_role("row", name=re.compile("Boonmee"))).to_be_visible()

    sign_in_page(page, live_server, admin_user)
    page.goto(f"{live_server.url}/settings/")
    page.get_by_role("link", name="Roles").click()
    row = page.get_by_role("row", name=re.compile("^Sales"))
    expect(row.get_by_label("Records seen")).to_have_value("team")
    row.get_by_label("Records seen").select_option("own")
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Members of Sales now see: Their own records."
    )

    seller_page.reload()
    expect(seller_page.get_by_role("row", name=re.compile("Arunee"))).to_be_visible()
    expect(seller_page.get_by_role("row", name=re.compile("Boonmee"))).to_have_count(0)
    seller_context.close()


def test_the_admin_site_signs_in_through_the_same_door_with_the_code(
    live_server, admin_user, page: Page
):
    from tests.accounts.helpers import code_for, enrol

    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    enrol(admin_user)
    page.goto(f"{live_server.url}/admin/accounts/user/")
    # No admin password form: our sign-in, which comes back to the admin page.
    expect(page).to_have_url(re.compile(r"/account/sign-in/\?next=%2Fadmin%2Faccounts%2Fuser%2F$"))
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    # The password alone opens nothing, the admin site least of all.
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/\?next=%2Fadmin%2F$"))
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(code_for(admin_user))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(f"{live_server.url}/admin/accounts/user/")
    expect(page.locator("#result_list").get_by_role("link", name="admin")).to_be_visible()
