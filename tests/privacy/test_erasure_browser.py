"""Export, erasure, legal holds and retention, driven in a real headless Chromium."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from connexion.people.models import Person
from connexion.privacy.models import ErasureRecord, LegalHold, RetentionRule
from tests.conftest import sign_in_page
from tests.privacy.engine_data import someone

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def officer_page(live_server, make_user, page: Page) -> Page:
    return sign_in_page(
        page, live_server, make_user("dpo", roles=("privacy_officer",), language="en")
    )


def test_the_officer_erases_a_person_after_typing_the_record_number(live_server, officer_page):
    page = officer_page
    person = someone("Browsererase", last_name_en="Target")
    page.goto(f"{live_server.url}/people/{person.pk}/")
    page.get_by_test_id("rights-actions").get_by_role("link", name="Erase").click()
    expect(page.get_by_role("heading", name="Erase a person's data")).to_be_visible()
    page.get_by_label("Record number").fill("999999")
    page.get_by_role("button", name="Erase for good").click()
    expect(page.get_by_role("alert")).to_contain_text("exactly: nothing was erased")
    assert Person.objects.filter(pk=person.pk, anonymized_at=None).exists()
    page.get_by_label("Record number").fill(str(person.pk))
    page.get_by_role("button", name="Erase for good").click()
    expect(page.get_by_role("heading", name=f"Erasure of record {person.pk}")).to_be_visible()
    expect(page.locator("main")).to_contain_text("B*** T***")
    expect(page.locator("main")).not_to_contain_text("Browsererase")
    assert ErasureRecord.objects.get().person_ref == person.pk


def test_an_export_link_downloads_once(live_server, officer_page, browser):
    page = officer_page
    person = someone("Browserexport")
    page.goto(f"{live_server.url}/people/{person.pk}/")
    page.get_by_test_id("rights-actions").get_by_role("link", name="Export data").click()
    page.get_by_label("Language of the report").select_option("en")
    page.get_by_role("button", name="Build the export").click()
    expect(page.get_by_role("status")).to_contain_text("The data export is ready")
    page.get_by_role("button", name="Make a download link").click()
    link = page.get_by_test_id("download-link").input_value()
    assert link.startswith(f"{live_server.url}/data-protection/exports/")

    # The person, in another browser with no staff session.
    stranger = browser.new_context(locale="th-TH").new_page()
    stranger.goto(link)  # opening the link shows a button and uses nothing up
    stranger.reload()
    with stranger.expect_download() as download_info:
        stranger.get_by_role("button", name="Download").click()  # the report is in English
    path = download_info.value.path()
    with open(path, "rb") as stream:
        data = json.loads(zipfile.ZipFile(io.BytesIO(stream.read())).read("data.json"))
    assert data["record_number"] == person.pk
    stranger.goto(link)
    expect(stranger.locator("[data-reason=used]")).to_be_visible()
    stranger.context.close()
    page.reload()
    expect(page.get_by_test_id("downloaded")).not_to_contain_text("not yet")


def test_a_hold_stops_the_erasure_and_the_preview_shows_the_rules(live_server, officer_page):
    page = officer_page
    person = someone("Browserhold")
    page.goto(f"{live_server.url}/people/{person.pk}/")
    page.get_by_test_id("rights-actions").get_by_role("link", name="Place a legal hold").click()
    page.get_by_label("Law or order").fill("Revenue Code s.87/3")
    page.get_by_label("Reason").fill("tax invoices under audit")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.get_by_test_id("legal-holds")).to_contain_text("Revenue Code s.87/3")
    page.get_by_test_id("rights-actions").get_by_role("link", name="Erase").click()
    expect(page.get_by_test_id("erasure-refused")).to_contain_text("tax invoices under audit")
    expect(page.get_by_role("button", name="Erase for good")).to_have_count(0)
    assert LegalHold.objects.get().person_id == person.pk

    RetentionRule.objects.update(is_active=False)
    rule = RetentionRule.objects.get(name_en="Prospects with no activity for 24 months")
    rule.is_active = True
    rule.save()
    Person.objects.filter(pk=person.pk).update(updated_at=timezone.now() - timedelta(days=900))
    page.goto(f"{live_server.url}/data-protection/retention/")
    page.get_by_role("link", name="Preview the next run").click()
    preview = page.get_by_test_id(f"preview-{rule.pk}")
    expect(preview).to_contain_text("1 matched: 0 would be erased, 1 under a legal hold")
    expect(preview).to_contain_text("B***")
