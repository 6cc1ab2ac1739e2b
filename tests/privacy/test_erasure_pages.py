"""The erasure, legal-hold and export pages, and the person's privacy panel."""

from __future__ import annotations

import pytest
from django.test import Client

from connexion.people.models import Person
from connexion.privacy.engines.holds import place_hold
from connexion.privacy.models import DataExport, ErasureRecord, LegalHold
from tests.privacy.engine_data import someone

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def officer(make_user):
    return make_user("dpo", roles=("privacy_officer",), language="en")


@pytest.fixture
def dpo(client: Client, officer) -> Client:
    client.force_login(officer)
    return client


def test_the_panel_offers_export_hold_and_erase_to_the_officer_only(dpo, make_user):
    person = someone("Panelperson")
    page = dpo.get(f"/people/{person.pk}/").content.decode()
    assert f"/data-protection/people/{person.pk}/export/" in page
    assert f"/data-protection/people/{person.pk}/erase/" in page
    assert f"/data-protection/people/{person.pk}/holds/" in page
    admin = Client()
    admin.force_login(make_user("admin", roles=("admin",), language="en"))
    page = admin.get(f"/people/{person.pk}/").content.decode()
    assert f"/data-protection/people/{person.pk}/export/" in page
    assert f"/data-protection/people/{person.pk}/erase/" not in page
    assert admin.get(f"/data-protection/people/{person.pk}/erase/").status_code == 403
    sales = Client()
    sales.force_login(make_user("sales1", roles=("sales",), language="en"))
    page = sales.get(f"/people/{person.pk}/").content.decode()
    assert "/export/" not in page and "/erase/" not in page
    assert sales.get(f"/data-protection/people/{person.pk}/export/").status_code == 403


def test_erasure_needs_the_typed_record_number(dpo, officer):
    person = someone("Typedconfirm", last_name_en="Person")
    url = f"/data-protection/people/{person.pk}/erase/"
    page = dpo.get(url)
    assert page.status_code == 200
    assert "Type the record number" in page.content.decode()
    wrong = dpo.post(url, {"confirmation": str(person.pk + 1)})
    assert wrong.status_code == 422
    assert wrong.context["form"].errors["confirmation"] == [
        f"Type the record number {person.pk} exactly: nothing was erased."
    ]
    assert Person.objects.filter(pk=person.pk, anonymized_at=None).exists()
    done = dpo.post(url, {"confirmation": str(person.pk)})
    record = ErasureRecord.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/data-protection/erasures/{record.pk}/"
    assert record.approved_by == officer and record.masked_name == "T*** P***"
    detail = dpo.get(done["Location"]).content.decode()
    assert "T*** P***" in detail and "Typedconfirm" not in detail
    assert "T*** P***" in dpo.get("/data-protection/erasures/").content.decode()


def test_a_held_person_cannot_be_erased_from_the_page(dpo, officer):
    person = someone("Heldpage")
    place_hold(officer, person, reason="police request", legal_reference="Order 77/2569")
    page = dpo.get(f"/data-protection/people/{person.pk}/erase/").content.decode()
    assert "Order 77/2569" in page and "police request" in page
    response = dpo.post(f"/data-protection/people/{person.pk}/erase/", {"confirmation": person.pk})
    assert response.status_code == 409
    assert Person.objects.filter(pk=person.pk, anonymized_at=None).exists()
    assert not ErasureRecord.objects.exists()


def test_holds_are_placed_shown_and_lifted(dpo, officer):
    person = someone("Holdpage")
    url = f"/data-protection/people/{person.pk}/holds/"
    refused = dpo.post(url, {"legal_reference": "", "reason": "x"})
    assert refused.status_code == 422
    assert set(refused.context["form"].errors) == {"legal_reference"}
    done = dpo.post(url, {"legal_reference": "Revenue Code s.87/3", "reason": "tax invoices"})
    assert done.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.placed_by == officer
    panel = dpo.get(f"/people/{person.pk}/").content.decode()
    assert "Revenue Code s.87/3" in panel and "tax invoices" in panel
    listing = dpo.get("/data-protection/holds/").content.decode()
    assert "Revenue Code s.87/3" in listing
    lifted = dpo.post(f"/data-protection/holds/{hold.pk}/lift/", {"next": f"/people/{person.pk}/"})
    assert lifted.status_code == 302 and lifted["Location"] == f"/people/{person.pk}/"
    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lifted_by == officer
    again = dpo.post(f"/data-protection/holds/{hold.pk}/lift/", {"next": "https://evil.example/"})
    assert again["Location"] == "/data-protection/holds/"


def test_the_export_pages_build_link_and_send(dpo, officer, mailoutbox):
    person = someone("Exportpage")
    bad = dpo.post(f"/data-protection/people/{person.pk}/export/", {"language": "xx"})
    assert bad.status_code == 422 and "language" in bad.context["form"].errors
    built = dpo.post(f"/data-protection/people/{person.pk}/export/", {"language": "en"})
    bundle = DataExport.objects.get()
    assert built["Location"] == f"/data-protection/bundles/{bundle.pk}/"
    linked = dpo.post(f"/data-protection/bundles/{bundle.pk}/link/")
    assert linked.status_code == 200 and linked["Cache-Control"] == "no-store"
    link = linked.context["link"]
    assert link.startswith("http://testserver/data-protection/exports/")
    # The page shown later does not show the link again.
    assert link not in dpo.get(f"/data-protection/bundles/{bundle.pk}/").content.decode()
    sent = dpo.post(f"/data-protection/bundles/{bundle.pk}/send/", {"email": "bad"})
    assert sent.status_code == 422 and "email" in sent.context["send_form"].errors
    sent = dpo.post(f"/data-protection/bundles/{bundle.pk}/send/", {"email": "dpo@new.example"})
    assert sent.status_code == 302 and mailoutbox[0].to == ["dpo@new.example"]
    # The other controller's link replaces the one issued before, and goes by mail.
    assert Client().get(link.replace("http://testserver", "")).status_code == 404
    sent_link = next(w for w in mailoutbox[0].body.split() if w.startswith("http://testserver/"))
    assert not mailoutbox[0].attachments
    assert Client().post(sent_link.replace("http://testserver", "")).status_code == 200
    used = dpo.post(f"/data-protection/bundles/{bundle.pk}/link/")
    assert used.status_code == 422
    assert "already downloaded" in used.content.decode()
