"""Identity documents (category 3.3) probed by a sales user, who may not see
them: each of their addresses answers exactly as for a document that does not
exist, so a guessed id tells nothing, and each attempt is written to the log.
(tests/documents compares the <main> of the view page; here every address is
compared byte for byte.)"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from connexion.audit.models import AuditEvent
from connexion.documents.models import IdentityDocument
from connexion.documents.services import upload_document
from tests.documents.conftest import PDF, image_bytes

pytestmark = pytest.mark.django_db

# What the log calls each address.
ADDRESSES = {
    "view": "/documents/{id}/",
    "download": "/documents/{id}/download/",
    "thumbnail": "/documents/{id}/thumbnail.jpg",
}


@pytest.fixture
def documents(bystanders, make_user) -> dict[str, IdentityDocument]:
    officer = make_user("dpo", roles=("privacy_officer",))
    person = bystanders["person"]
    return {
        "card": upload_document(
            officer, person, kind="id_card", data=image_bytes(), uploaded_name="card.jpg"
        ),
        "passport": upload_document(
            officer, person, kind="passport", data=PDF, uploaded_name="passport.pdf"
        ),
    }


def same_page(response) -> str:
    """The body without what differs by nature: the CSRF token (masked anew
    each time) and the address asked for (the language switch returns to it)."""
    body = response.content.decode().replace(response.wsgi_request.path, "{path}")
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', r"\1", body)


@pytest.mark.parametrize(("what", "address"), ADDRESSES.items())
def test_a_sales_user_gets_the_same_404_as_for_a_document_that_does_not_exist(
    what, address, documents, sales
):
    missing_id = max(document.pk for document in documents.values()) + 1000
    assert not IdentityDocument.objects.filter(pk=missing_id).exists()
    asked = []
    for document in documents.values():
        refused = sales.get(address.format(id=document.pk))
        missing = sales.get(address.format(id=missing_id))
        asked += [document.pk, missing_id]
        assert refused.status_code == missing.status_code == 404
        assert refused["Content-Type"] == missing["Content-Type"]
        assert same_page(refused) == same_page(missing)
        assert "card.jpg" not in same_page(refused) and "passport" not in same_page(refused)
    # Each attempt is in the audit log as a refusal, the hidden documents as the
    # missing one, and none as an access: nothing was shown.
    events = AuditEvent.objects.filter(actor=sales.user, action=f"documents.{what}")
    assert sorted(int(event.object_id) for event in events) == sorted(asked)
    assert {(event.kind, event.object_type, event.channel) for event in events} == {
        ("refused", "documents.identitydocument", "ui")
    }
    assert all(event.ip_address for event in events)


def test_a_sales_user_cannot_delete_or_add_documents_either(documents, sales, bystanders):
    card = documents["card"]
    missing = sales.post(f"/documents/{card.pk + 1000}/delete/")
    refused = sales.post(f"/documents/{card.pk}/delete/")
    assert refused.status_code == missing.status_code == 404
    assert same_page(refused) == same_page(missing)
    person = bystanders["person"]
    upload = {
        "document-kind": "id_card",
        "document-file": SimpleUploadedFile("c.jpg", image_bytes(), content_type="image/jpeg"),
    }
    assert sales.post(f"/documents/person/{person.pk}/upload/", upload).status_code == 404
    assert IdentityDocument.objects.count() == 2


def test_guessing_ids_one_after_another_tells_nothing(documents, sales):
    """A scan of ids gives one answer for every id, whether or not a document is there."""
    ids = {document.pk for document in documents.values()}
    answers = {
        same_page(sales.get(f"/documents/{number}/"))
        for number in range(min(ids) - 2, max(ids) + 3)
    }
    assert len(answers) == 1


def test_anonymous_visitors_learn_nothing_either(documents):
    client = Client()
    card = documents["card"]
    for address in ADDRESSES.values():
        refused = client.get(address.format(id=card.pk))
        missing = client.get(address.format(id=card.pk + 1000))
        assert refused.status_code == missing.status_code == 302
        assert refused["Location"].split("?")[0] == missing["Location"].split("?")[0]
