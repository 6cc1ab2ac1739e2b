"""Identity documents on a person's page, driven in a real headless Chromium."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from connexion.documents.models import IdentityDocument
from connexion.lib.crypto import HEADER_SIZE
from tests.conftest import sign_in_page
from tests.documents.conftest import image_bytes

pytestmark = pytest.mark.browser


def test_a_privacy_officer_uploads_an_id_card_and_sees_its_thumbnail(
    live_server, page: Page, person, officer, media: Path
):
    sign_in_page(page, live_server, officer)
    page.goto(f"{live_server.url}/people/{person.pk}/")
    panel = page.locator("#identity-documents")
    expect(panel).to_contain_text("No identity document yet.")
    panel.get_by_text("Add an identity document").click()
    panel.get_by_label("Kind of document").select_option("id_card")
    panel.get_by_label("File", exact=True).set_input_files(
        {"name": "id-card.jpg", "mimeType": "image/jpeg", "buffer": image_bytes(size=(640, 400))}
    )
    with page.expect_response(lambda r: r.url.endswith("/thumbnail.jpg")) as thumbnail:
        panel.get_by_role("button", name="Upload").click()
    expect(panel.get_by_role("status")).to_contain_text("national ID card photo added.")
    image = panel.get_by_test_id("document-thumbnail")
    expect(image).to_be_visible()
    assert thumbnail.value.status == 200
    assert thumbnail.value.headers["cache-control"] == "no-store"
    assert thumbnail.value.headers["content-type"] == "image/jpeg"
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert image.evaluate("img => img.naturalWidth") == 240

    document = IdentityDocument.objects.get()
    assert not (media / document.file.name).read_bytes().startswith(b"\xff\xd8\xff")

    # A damaged file shows its reason as the thumbnail, not a broken image.
    path = media / document.file.name
    data = bytearray(path.read_bytes())
    data[HEADER_SIZE + 3] ^= 0x01
    path.write_bytes(bytes(data))
    page.reload()
    image = page.locator("#identity-documents").get_by_test_id("document-thumbnail")
    page.wait_for_function("img => img.complete", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") == 240
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    expect(page.get_by_test_id("damaged-file")).to_contain_text(
        "The stored file is damaged or was tampered with"
    )


def test_a_sales_user_sees_no_document_panel(live_server, page: Page, person, sales, officer):
    from connexion.documents.services import upload_document

    document = upload_document(officer, person, kind="passport", data=image_bytes())
    sign_in_page(page, live_server, sales)
    page.goto(f"{live_server.url}/people/{person.pk}/")
    expect(page.locator("h1")).to_contain_text("สมศรี")
    expect(page.locator("#identity-documents")).to_have_count(0)
    response = page.goto(f"{live_server.url}/documents/{document.pk}/thumbnail.jpg")
    assert response is not None and response.status == 404
