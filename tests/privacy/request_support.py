"""Shared helpers of the request-queue tests (not fixtures: plain functions)."""

import re
from datetime import datetime
from typing import Any

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from connexion.privacy.models import SubjectRequest
from connexion.privacy.subject_requests import intake

# The smallest valid PNG: a scan as far as the upload checks go.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)
EML = (
    b"From: Somsri <somsri@example.co.th>\r\nTo: privacy@example.co.th\r\n"
    b"Subject: Please send me my data\r\nMessage-ID: <1@example.co.th>\r\n\r\nHello\r\n"
)


def scan(name: str = "scan.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def email_file(name: str = "request.eml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, EML, content_type="message/rfc822")


def open_by_api(
    actor: Any,
    *,
    kind: str = "access",
    email: str = "somsri@example.co.th",
    language: str = "th",
    received_at: datetime | None = None,
    **extra: Any,
) -> SubjectRequest:
    """A request as the API enters it: no attachment needed."""
    return intake.open_request(
        actor,
        kind=kind,
        channel=SubjectRequest.Channel.API,
        requester_name=extra.pop("requester_name", "สมศรี ใจดี"),
        description=extra.pop("description", "ขอสำเนาข้อมูลของฉัน"),
        language=language,
        email=email,
        received_at=received_at,
        **extra,
    ).request


def code_in_last_mail() -> str:
    match = re.search(r"\b(\d{6})\b", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"
