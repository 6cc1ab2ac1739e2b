"""People pages driven in a real headless Chromium."""

import re

import pytest
from playwright.sync_api import Page, expect

from connexion.ops.demo import load_demo_data
from connexion.people.models import Person
from tests.conftest import sign_in_page

pytestmark = pytest.mark.browser


def test_search_as_you_type_and_open_a_person(live_server, make_user, page: Page, somchai):
    load_demo_data(people=30, organizations=3)
    sign_in_page(page, live_server, make_user("sales1", roles=("sales",), language="en"))
    page.goto(f"{live_server.url}/people/")
    rows = page.locator("#rows tr")
    expect(rows).to_have_count(31)  # 30 demo people and Somchai
    page.get_by_role("searchbox", name="Search people").fill("081-234-5678")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("สมชาย ใจดี")
    # The address bar follows the search, so the list can be bookmarked.
    expect(page).to_have_url(re.compile(r"/people/\?q=081-234-5678&"))
    page.get_by_role("searchbox", name="Search people").fill("ชาย")
    expect(rows.first).to_contain_text("สมชาย")
    page.get_by_role("link", name="นาย สมชาย ใจดี").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("สมชาย ใจดี")
    expect(page.get_by_test_id("national-id")).to_have_text("x-xxxx-xxxxx-70-8")


def test_add_a_person_with_provenance(live_server, make_user, page: Page):
    sign_in_page(page, live_server, make_user("sales1", roles=("sales",), language="en"))
    page.goto(f"{live_server.url}/people/new/")
    page.get_by_label("First name (Thai)").fill("มาลี")
    page.get_by_label("Last name (Thai)").fill("ศรีสุข")
    page.get_by_label("Mobile phone").fill("0891234567")
    page.get_by_label("Where the data came from").select_option("direct")
    page.get_by_label("Channel").select_option("in_person")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("มาลี ศรีสุข")
    expect(page.get_by_text("089 123 4567")).to_be_visible()
    person = Person.objects.get(first_name_th="มาลี")
    assert person.source.channel == "in_person"


def test_a_wrong_check_digit_is_shown_next_to_the_field(live_server, make_user, page: Page):
    sign_in_page(page, live_server, make_user("dpo", roles=("privacy_officer",), language="en"))
    page.goto(f"{live_server.url}/people/new/")
    page.get_by_label("First name (Thai)").fill("มาลี")
    page.get_by_label("National ID").fill("1101700230705")
    page.get_by_label("Where the data came from").select_option("direct")
    page.get_by_label("Channel").select_option("phone")
    page.get_by_role("button", name="Save").click()
    error = page.locator(".field.has-error", has=page.get_by_label("National ID"))
    expect(error).to_contain_text("The check digit is wrong")
    assert not Person.objects.exists()
