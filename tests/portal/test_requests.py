"""Making a request in the privacy center: the queue receives it with the
channel "privacy center", the requester verifies with a one-time code, follows
it by a link that holds no personal data, and may withdraw it."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from connexion.privacy.models import SubjectRequest
from tests.portal.conftest import ACCESS_REQUEST, sms_texts, started_value
from tests.privacy.request_support import PNG, code_in_last_mail

pytestmark = pytest.mark.django_db
REQUEST = "/privacy/request/"


def submit(client, **values):
    page = client.get(REQUEST)
    data = {**ACCESS_REQUEST, "started": started_value(page.content.decode()), **values}
    return client.post(REQUEST, data)


def follow_url_from_mail() -> str:
    for message in mail.outbox:
        match = re.search(r"(http://testserver/privacy/request/follow/[^/\s]+/)", message.body)
        if match:
            return match.group(1)
    raise AssertionError("no follow link sent")


def code_from_mail() -> str:
    """The code of the latest verification email (sent after the follow link)."""
    assert "code" in mail.outbox[-1].subject.lower(), mail.outbox[-1].subject
    return code_in_last_mail()


def test_an_access_request_lands_in_the_queue_and_is_verified_by_code(client, person):
    response = submit(client)
    assert response.status_code == 302
    request = SubjectRequest.objects.get()
    assert request.channel == SubjectRequest.Channel.PRIVACY_CENTER
    assert request.kind == "access"
    assert request.person == person  # matched silently
    assert request.status == SubjectRequest.Status.VERIFYING
    follow = response["Location"]
    assert follow.startswith("/privacy/request/follow/")
    # No personal data in the link.
    assert "somsri" not in follow.lower() and "example" not in follow
    assert follow_url_from_mail().endswith(follow)

    page = client.get(follow)
    body = page.content.decode()
    assert request.reference in body
    assert "Your request is received" in body
    assert "Confirm it is you" in body

    wrong = client.post(f"{follow}verify/", {"code": "000000"})
    assert "Wrong code" in wrong.content.decode()
    right = client.post(f"{follow}verify/", {"code": code_from_mail()})
    assert "your identity is verified" in right.content.decode()
    request.refresh_from_db()
    assert request.status == SubjectRequest.Status.IN_PROGRESS
    assert request.verification == SubjectRequest.Verification.EMAIL_CODE
    # Shown again, the page no longer asks for a code.
    assert "Confirm it is you" not in client.get(follow).content.decode()


def test_a_request_by_phone_gets_its_code_and_link_by_text_message(client, settings, person):
    response = submit(client, email="", phone="081-234-5678", send_code_by="phone")
    assert response.status_code == 302
    request = SubjectRequest.objects.get()
    assert request.requester_phone == "+66812345678"
    texts = sms_texts(settings)
    assert any(response["Location"] in text for text in texts)
    code = next(re.search(r"\b(\d{6})\b", t).group(1) for t in texts if "code" in t.lower())
    client.post(f"{response['Location']}verify/", {"code": code})
    request.refresh_from_db()
    assert request.verification == SubjectRequest.Verification.PHONE_CODE


def test_a_rectification_carries_the_proposed_values(client, person):
    response = submit(
        client,
        kind="rectification",
        description="My name is spelled wrong.",
        change_last_name_th="ใจงาม",
    )
    assert response.status_code == 302
    assert SubjectRequest.objects.get().proposed_changes == {"last_name_th": "ใจงาม"}


def test_a_rectification_without_values_names_the_problem(client):
    response = submit(client, kind="rectification")
    assert response.status_code == 400
    assert "Say which details to correct" in response.content.decode()
    assert not SubjectRequest.objects.exists()


def test_a_complaint_needs_no_code(client):
    response = submit(client, kind="complaint", description="You called me at night.")
    request = SubjectRequest.objects.get()
    assert request.status == SubjectRequest.Status.RECEIVED
    assert not any("code" in m.subject.lower() for m in mail.outbox)
    assert "Confirm it is you" not in client.get(response["Location"]).content.decode()


def test_a_representative_attaches_the_document_giving_authority(client):
    page = client.get(REQUEST)
    response = client.post(
        REQUEST,
        {
            "kind": "access",
            "requester_name": "Somchai Jaidee",
            "email": "somchai@example.co.th",
            "send_code_by": "email",
            "description": "For my mother.",
            "by_representative": "on",
            "representative_name": "Somsri Jaidee",
            "authority_document": SimpleUploadedFile("poa.png", PNG, content_type="image/png"),
            "started": started_value(page.content.decode()),
        },
    )
    assert response.status_code == 302
    request = SubjectRequest.objects.get()
    assert request.by_representative and request.authority_document


def test_bad_input_is_refused_field_by_field_and_nothing_is_written(client):
    response = submit(client, email="", phone="", requester_name="")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Give an email address or a phone number" in body
    assert "This field is required" in body
    assert not SubjectRequest.objects.exists()
    response = submit(client, email="not-an-email")
    assert "Enter a valid email address" in response.content.decode()
    response = submit(
        client,
        by_representative="on",
        authority_document=SimpleUploadedFile("x.txt", b"hello", content_type="text/plain"),
    )
    assert "Upload a PDF, JPEG or PNG file" in response.content.decode()
    assert not SubjectRequest.objects.exists()


def test_the_requester_withdraws_from_the_follow_page(client):
    follow = submit(client)["Location"]
    refused = client.post(f"{follow}withdraw/", {})
    assert "Tick the box" in refused.content.decode()
    client.post(f"{follow}withdraw/", {"confirm": "1"})
    assert SubjectRequest.objects.get().status == SubjectRequest.Status.WITHDRAWN
    body = client.get(follow).content.decode()
    assert "Withdraw my request" not in body and "withdrawn" in body


def test_the_page_speaks_thai_and_the_answers_follow_the_language(client):
    client.cookies["connexion_language"] = "th"
    page = client.get(REQUEST)
    assert page.headers["Content-Language"] == "th"
    assert '<html lang="th">' in page.content.decode()
    submit(client)
    assert SubjectRequest.objects.get().language == "th"
