"""Identity documents on person and organization pages: who may see them, what
is logged, what the browser is allowed to keep, and what a damaged file gives."""

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from PIL import Image

from connexion.audit.models import AuditEvent
from connexion.documents.models import IdentityDocument
from connexion.documents.services import upload_document
from connexion.documents.serving import damaged_file_message
from connexion.lib.crypto import HEADER_SIZE, DamagedFile
from tests.documents.conftest import PDF, image_bytes

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(
    client: Client, owner_type: str, owner_id: int, name: str, data: bytes, htmx=False, **fields
):
    values = {f"document-{key}": value for key, value in fields.items()}
    values.setdefault("document-kind", "id_card")
    values["document-file"] = SimpleUploadedFile(name, data, content_type="image/jpeg")
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/documents/{owner_type}/{owner_id}/upload/", values, headers=headers)


def access_events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind="access", action=action))


@pytest.fixture
def card(person, officer) -> IdentityDocument:
    return upload_document(
        officer, person, kind="id_card", data=image_bytes(size=(800, 500)), uploaded_name="c.jpg"
    )


def damage(media: Path, document: IdentityDocument) -> None:
    path = media / document.file.name
    data = bytearray(path.read_bytes())
    data[HEADER_SIZE + 5] ^= 0x40
    path.write_bytes(bytes(data))


# --- upload --------------------------------------------------------------------------


def test_the_privacy_officer_uploads_an_id_card_on_a_person_page(person, officer, media):
    client = signed_in(officer)
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "Identity documents" in page and "Add an identity document" in page

    response = upload(client, "person", person.pk, "บัตร.jpg", image_bytes(exif=True))
    assert response.status_code == 302 and response.url == f"/people/{person.pk}/"
    document = IdentityDocument.objects.get()
    assert (document.person, document.kind, document.uploaded_by) == (person, "id_card", officer)
    assert document.content_type == "image/jpeg" and document.file_name == "บัตร.jpg"
    raw = (media / document.file.name).read_bytes()
    assert not raw.startswith(b"\xff\xd8\xff") and b"SpyCam" not in raw
    change = AuditEvent.objects.get(action="documents.upload")
    assert change.object_id == str(document.pk) and change.actor == officer

    page = client.get(f"/people/{person.pk}/").content.decode()
    assert f"/documents/{document.pk}/thumbnail.jpg" in page
    assert "national ID card photo" in page


def test_an_upload_by_htmx_answers_with_the_panel(organization, officer):
    client = signed_in(officer)
    response = client.post(
        f"/documents/organization/{organization.pk}/upload/",
        {
            "document-kind": "power_of_attorney",
            "document-signer_name": "นายสมชาย ใจดี",
            "document-authority_granted": "ลงนามในสัญญาเช่า",
            "document-valid_from": "2025-01-01",
            "document-valid_until": "2025-12-31",
            "document-file": SimpleUploadedFile("poa.pdf", PDF, content_type="application/pdf"),
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="identity-documents"' in body
    assert "power of attorney added" in body.lower() and "ลงนามในสัญญาเช่า" in body
    document = organization.identity_documents.get()
    assert document.signer_name == "นายสมชาย ใจดี" and document.content_type == "application/pdf"
    assert f"/documents/{document.pk}/thumbnail.jpg" not in body  # no thumbnail for a PDF


def test_a_wrong_or_oversized_file_gets_an_error_naming_the_field(person, officer):
    client = signed_in(officer)
    html = b"<!doctype html><script>alert(document.cookie)</script>"
    response = upload(client, "person", person.pk, "photo.jpg", html, htmx=True)
    body = response.content.decode()
    assert "File: upload a JPEG, PNG or WebP image or a PDF file" in body
    assert "<script>alert" not in body

    big = b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024)
    response = client.post(
        f"/documents/person/{person.pk}/upload/",
        {"document-kind": "passport", "document-file": SimpleUploadedFile("big.jpg", big)},
        HTTP_HX_REQUEST="true",
    )
    assert "File: the file is larger than 10 MB (this one is 10.0 MB)." in response.content.decode()

    response = upload(client, "person", person.pk, "poa.pdf", PDF, kind="power_of_attorney")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(m.startswith("Signed by:") for m in messages)
    assert not IdentityDocument.objects.exists()


def test_an_upload_needs_the_csrf_token(person, officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert upload(client, "person", person.pk, "c.jpg", image_bytes()).status_code == 403
    assert not IdentityDocument.objects.exists()


# --- who sees what -------------------------------------------------------------------


def test_sales_never_see_identity_documents(person, sales, card):
    client = signed_in(sales)
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "Identity documents" not in page and "/documents/" not in page
    for url in [
        f"/documents/{card.pk}/",
        f"/documents/{card.pk}/download/",
        f"/documents/{card.pk}/thumbnail.jpg",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/documents/{card.pk}/delete/").status_code == 404
    assert upload(client, "person", person.pk, "c.jpg", image_bytes()).status_code == 404
    assert IdentityDocument.objects.count() == 1
    # Nothing was shown; every attempt is in the log as a refusal.
    events = AuditEvent.objects.filter(action__startswith="documents.", actor=sales)
    assert {event.kind for event in events} == {AuditEvent.Kind.REFUSED}
    assert sorted(event.action for event in events) == [
        "documents.delete",
        "documents.download",
        "documents.thumbnail",
        "documents.view",
    ]


def test_not_permitted_and_not_existing_look_the_same(person, sales, officer, card):
    refused = signed_in(sales).get(f"/documents/{card.pk}/")
    missing = signed_in(officer).get(f"/documents/{card.pk + 1000}/")
    assert refused.status_code == missing.status_code == 404

    def main(response) -> str:
        return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)

    assert main(refused) == main(missing)


def test_anonymous_visitors_are_sent_to_sign_in(card):
    response = Client().get(f"/documents/{card.pk}/")
    assert response.status_code == 302 and "/account/" in response.url


def test_admins_also_see_documents(person, admin_user, card):
    client = signed_in(admin_user)
    assert client.get(f"/documents/{card.pk}/").status_code == 200


# --- the files -----------------------------------------------------------------------


def test_view_download_and_thumbnail_are_logged_and_never_cached(officer, card):
    client = signed_in(officer)
    view = client.get(f"/documents/{card.pk}/")
    assert view.status_code == 200 and view["Content-Type"] == "image/jpeg"
    assert view["Content-Disposition"].startswith("inline")
    assert view.content[:3] == b"\xff\xd8\xff"
    download = client.get(f"/documents/{card.pk}/download/")
    assert download["Content-Disposition"] == 'attachment; filename="c.jpg"'
    assert download.content == view.content
    thumbnail = client.get(f"/documents/{card.pk}/thumbnail.jpg")
    assert thumbnail["Content-Type"] == "image/jpeg"
    small = Image.open(io.BytesIO(thumbnail.content))
    assert small.format == "JPEG" and max(small.size) <= 240
    for response in (view, download, thumbnail):
        assert response["Cache-Control"] == "no-store"
        assert response["X-Content-Type-Options"] == "nosniff"
    for action in ("documents.view", "documents.download", "documents.thumbnail"):
        [event] = access_events(action)
        assert (event.actor, event.object_type, event.object_id, event.channel) == (
            officer,
            "documents.identitydocument",
            str(card.pk),
            "ui",
        )


def test_listing_the_documents_on_a_page_is_logged(person, officer, card):
    signed_in(officer).get(f"/people/{person.pk}/")
    [event] = access_events("documents.list")
    assert (event.object_type, event.object_id) == ("people.person", str(person.pk))


def test_a_download_name_is_safe_whatever_was_uploaded(person, officer):
    document = upload_document(
        officer, person, kind="passport", data=PDF, uploaded_name='..\\..\\"a";b\r\n.pdf'
    )
    response = signed_in(officer).get(f"/documents/{document.pk}/download/")
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and ".." not in disposition
    assert re.fullmatch(r'attachment; filename="[\w ._()-]+\.pdf"', disposition), disposition


def test_a_damaged_file_gives_a_translated_page_and_a_clear_thumbnail(officer, card, media, caplog):
    damage(media, card)
    client = signed_in(officer)
    response = client.get(f"/documents/{card.pk}/")
    assert response.status_code == 500
    assert "The stored file is damaged or was tampered with" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "cannot be read" in caplog.text and "authentication tag" in caplog.text

    thumbnail = client.get(f"/documents/{card.pk}/thumbnail.jpg")
    assert thumbnail["Content-Type"] == "image/svg+xml"
    assert "File damaged" in thumbnail.content.decode()
    assert thumbnail["Cache-Control"] == "no-store"

    officer.language = "th"
    officer.save()
    thai = client.get(f"/documents/{card.pk}/download/").content.decode()
    with translation.override("th"):
        expected = damaged_file_message(DamagedFile("x"))
    assert '<html lang="th">' in thai and escape(expected) in thai


def test_a_missing_file_is_reported_too(officer, card, media):
    (media / card.file.name).unlink()
    response = signed_in(officer).get(f"/documents/{card.pk}/")
    assert response.status_code == 500
    assert "The stored file is missing" in response.content.decode()


def test_damaged_consent_evidence_is_reported_not_served_cut(person, officer, media):
    from connexion.privacy.ledger.services import give_consent
    from connexion.privacy.models import Purpose

    purpose = Purpose.objects.get(code="direct-marketing")
    event = give_consent(
        officer,
        person,
        purpose,
        wording="ยินยอม",
        channel="paper",
        evidence=SimpleUploadedFile("form.pdf", PDF * 3000),
    )
    client = signed_in(officer)
    good = client.get(f"/data-protection/consents/{event.pk}/evidence/")
    assert b"".join(good.streaming_content) == PDF * 3000
    assert good["Cache-Control"] == "no-store"
    path = media / event.evidence.name
    path.write_bytes(path.read_bytes()[:-50])
    damaged = client.get(f"/data-protection/consents/{event.pk}/evidence/")
    assert damaged.status_code == 500
    assert "The stored file is damaged or was tampered with" in damaged.content.decode()


# --- delete --------------------------------------------------------------------------


def test_the_privacy_officer_deletes_a_document_and_its_file(
    person, officer, card, media, django_capture_on_commit_callbacks
):
    path = media / card.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(officer).post(f"/documents/{card.pk}/delete/")
    assert response.status_code == 302
    assert not IdentityDocument.objects.exists() and not path.exists()
    event = AuditEvent.objects.get(action="documents.delete")
    assert event.actor == officer and event.details["kind"] == ["id_card", None]


def test_erasing_a_person_row_takes_the_files_along(
    person, card, media, django_capture_on_commit_callbacks
):
    path = media / card.file.name
    with django_capture_on_commit_callbacks(execute=True):
        person.delete()
    assert not path.exists()
