"""Uploads as an attacker sends them: names that climb out of the folder, carry
a NUL or run long; content that lies about its type; files too large; an image
that would explode when decoded. Every upload point is tried through HTTP with
the file name sent byte for byte. (tests/documents covers the checks of
identity documents' content one by one; here they are tried through the page.)"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from PIL import Image

from connexion.documents.models import IdentityDocument
from connexion.imports.models import ImportJob
from connexion.privacy.ledger.selectors import current_notice
from connexion.privacy.models import ConsentEvent, Purpose, SubjectRequest
from tests.documents.conftest import PDF, image_bytes
from tests.portal.conftest import ACCESS_REQUEST, started_value
from tests.security.conftest import files_under, post_multipart

pytestmark = pytest.mark.django_db

ESCAPE_MARK = f"cnx-escape-{uuid.uuid4().hex[:12]}"


def hostile_names(extension: str) -> list[str]:
    return [
        f"../../{ESCAPE_MARK}{extension}",
        f"..\\..\\{ESCAPE_MARK}{extension}",
        f"../../../../../../../../../../tmp/{ESCAPE_MARK}{extension}",
        f"/tmp/{ESCAPE_MARK}-absolute{extension}",  # noqa: S108 (where an escape would land)
        f"....//....//{ESCAPE_MARK}{extension}",
        f"%2e%2e%2f%2e%2e%2f{ESCAPE_MARK}{extension}",
        f"name\x00{extension}.sh",
        f"name\x00/../../{ESCAPE_MARK}{extension}",
        "ไฟล์" * 100 + extension,
        "x" * 1000 + extension,
        f"{extension}",
    ]


@pytest.fixture(autouse=True)
def generous_portal_limits(settings):
    # Many submissions from one address in one test: not what is tested here.
    settings.PORTAL_RATE_LIMITS = {"submit": (1000, 1000, 3600)}


@pytest.fixture
def person(bystanders):
    return bystanders["person"]


@pytest.fixture
def consent_fields(db) -> dict[str, object]:
    return {
        "purpose": Purpose.objects.get(code="direct-marketing").pk,
        "action": "given",
        "notice": current_notice().pk,
        "channel": "paper",
    }


def public_request_fields(client: Client) -> dict[str, object]:
    return {
        **ACCESS_REQUEST,
        "by_representative": "on",
        "representative_name": "Somchai Jaidee",
        "started": started_value(client.get("/privacy/request/").content.decode()),
    }


STAFF_REQUEST = {
    "kind": "access",
    "channel": "paper",
    "requester_name": "Somsri Jaidee",
    "requester_email": "somsri@example.co.th",
    "language": "en",
    "description": "A copy of my data, please.",
}


@dataclass
class UploadPoint:
    client: Client
    url: str
    fields: Callable[[], dict[str, object]]  # the form's other fields, fresh each time
    file_field: str
    extension: str
    good_content: bytes
    latest: Callable[[], models.Model | None]  # the record the last upload made
    stored_as: str  # that record's file field
    folder: str  # where its files go

    def send(self, name: str, data: bytes | None = None):
        """Posts the file with its name byte for byte, as a browser would not."""
        content = self.good_content if data is None else data
        files = {self.file_field: (name, content, "application/octet-stream")}
        return post_multipart(self.client, self.url, self.fields(), files)

    def stored_name(self) -> str | None:
        record = self.latest()
        return getattr(record, self.stored_as).name if record is not None else None


@pytest.fixture
def points(person, consent_fields, login) -> dict[str, UploadPoint]:
    officer = login("dpo", "privacy_officer")
    sales = login("importer", "sales")
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    return {
        "identity document": UploadPoint(
            officer,
            f"/documents/person/{person.pk}/upload/",
            lambda: {"document-kind": "id_card"},
            "document-file",
            ".jpg",
            image_bytes(),
            lambda: IdentityDocument.objects.order_by("-pk").first(),
            "file",
            "identity-documents/",
        ),
        "consent evidence": UploadPoint(
            sales,
            f"/data-protection/people/{person.pk}/consent/",
            lambda: consent_fields,
            "evidence",
            ".pdf",
            PDF,
            lambda: ConsentEvent.objects.exclude(evidence="").order_by("-pk").first(),
            "evidence",
            "consent-evidence/",
        ),
        "request scan": UploadPoint(
            officer,
            "/data-protection/requests/new/",
            lambda: STAFF_REQUEST,
            "attachment",
            ".pdf",
            PDF,
            lambda: SubjectRequest.objects.exclude(attachment="").order_by("-pk").first(),
            "attachment",
            "requests/",
        ),
        "public authority document": UploadPoint(
            visitor,
            "/privacy/request/",
            lambda: public_request_fields(visitor),
            "authority_document",
            ".pdf",
            PDF,
            lambda: SubjectRequest.objects.exclude(authority_document="").order_by("-pk").first(),
            "authority_document",
            "requests/authority/",
        ),
        "people import": UploadPoint(
            sales,
            "/people/import/",
            lambda: {"encoding": ""},
            "file",
            ".csv",
            "first_name_th,email\nสมศรี,somsri@example.co.th\n".encode(),
            lambda: ImportJob.objects.order_by("-pk").first(),
            "file",
            "imports/",
        ),
    }


UPLOAD_POINTS = [
    "identity document",
    "consent evidence",
    "request scan",
    "public authority document",
    "people import",
]


@pytest.mark.parametrize("point", UPLOAD_POINTS)
def test_a_hostile_file_name_never_leaves_the_storage_folder(point, points, tmp_path):
    upload = points[point]
    media = Path(settings.MEDIA_ROOT).resolve()
    outside_before = files_under(tmp_path) - files_under(media)
    stored: list[str] = []
    for name in hostile_names(upload.extension):
        response = upload.send(name)
        assert response.status_code in (200, 302, 400, 422), (name, response.status_code)
        record = upload.latest()
        if record is None or upload.stored_name() in stored:
            continue  # this name was refused: the latest record is an earlier one
        file = getattr(record, upload.stored_as)
        stored.append(file.name)
        assert len(file.name) <= record._meta.get_field(upload.stored_as).max_length, file.name
        assert file.name.startswith(upload.folder), file.name
        assert ".." not in file.name and "\\" not in file.name and "\x00" not in file.name
        path = (media / file.name).resolve()
        assert path.is_relative_to(media) and path.is_file(), file.name
    assert stored, "no hostile name was stored: the test proved nothing"
    # Nothing was written next to the storage, nor where the names pointed.
    assert files_under(tmp_path) - files_under(media) == outside_before
    assert not list(Path("/tmp").glob(f"{ESCAPE_MARK}*"))  # noqa: S108


def test_stored_names_keep_no_folder_of_their_own(points):
    """Whatever folders the name claims, the file lands in its upload folder."""
    for upload in points.values():
        upload.send(f"evil/sub/../../../../x{upload.extension}")
        name = upload.stored_name()
        assert name is not None and name.startswith(upload.folder), name
        rest = name.removeprefix(upload.folder)
        assert "evil" not in rest and "sub" not in rest and ".." not in rest, name


# --- content that is not what its name says ------------------------------------------------

LIES = {
    "html named pdf": ("scan.pdf", b"<!doctype html><html><script>alert(document.cookie)</script>"),
    "svg named jpg": (
        "photo.jpg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        b"<script>alert(1)</script></svg>",
    ),
    "script named png": ("photo.png", b"alert(document.cookie);//\x89PNG"),
    "php named pdf": ("scan.pdf", b"<?php system($_GET['c']); ?>"),
    "executable named pdf": ("scan.pdf", b"MZ\x90\x00\x03\x00\x00\x00 executable"),
    "gif polyglot named jpg": ("photo.jpg", b"GIF89a/*<script>alert(1)</script>*/"),
}


def refused_everywhere(points, name: str, data: bytes) -> dict[str, str]:
    """Sends the file to each staff and public upload point (not imports: a CSV is
    text) and returns the page each answered with."""
    answers = {}
    for point in UPLOAD_POINTS[:-1]:
        upload = points[point]
        response = upload.client.post(
            upload.url,
            {
                **upload.fields(),
                upload.file_field: SimpleUploadedFile(name, data, content_type="image/jpeg"),
            },
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code < 500, point
        answers[point] = response.content.decode()
    return answers


@pytest.mark.parametrize("lie", list(LIES))
def test_a_file_whose_content_is_not_its_type_is_refused_everywhere(lie, points):
    name, data = LIES[lie]
    answers = refused_everywhere(points, name, data)
    assert "File: upload a JPEG, PNG or WebP image or a PDF file" in answers["identity document"]
    assert "Upload a PDF, JPEG or PNG file." in answers["consent evidence"]
    assert "or a PDF, JPEG or PNG file." in answers["request scan"]
    assert "Upload a PDF, JPEG or PNG file." in answers["public authority document"]
    for point, body in answers.items():
        assert "<script>alert" not in body and "<?php" not in body, point
    assert not IdentityDocument.objects.exists()
    assert not ConsentEvent.objects.exists()
    assert not SubjectRequest.objects.exists()
    assert files_under(Path(settings.MEDIA_ROOT)) == set()


def test_a_file_over_10_mb_is_refused_with_a_clear_message(points):
    big = PDF + b" " * (10 * 1024 * 1024)
    answers = refused_everywhere(points, "big.pdf", big)
    assert (
        "File: the file is larger than 10 MB (this one is 10.0 MB)." in answers["identity document"]
    )
    for point in ("consent evidence", "request scan", "public authority document"):
        assert "The file is larger than 10 MB." in answers[point], point
    assert not IdentityDocument.objects.exists()
    assert not ConsentEvent.objects.exists()
    assert not SubjectRequest.objects.exists()
    assert files_under(Path(settings.MEDIA_ROOT)) == set()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A PNG of 20000 × 20000 pixels (400 million) in a few tens of kilobytes."""
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_decompression_bomb_is_refused_by_the_identity_document_page(bomb, person, login):
    assert len(bomb) < 200_000
    officer = login("dpo", "privacy_officer")
    response = officer.post(
        f"/documents/person/{person.pk}/upload/",
        {
            "document-kind": "id_card",
            "document-file": SimpleUploadedFile("card.png", bomb, content_type="image/png"),
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert (
        "File: the image is too large to process (more than 40 megapixels)."
        in response.content.decode()
    )
    assert not IdentityDocument.objects.exists()
    assert files_under(Path(settings.MEDIA_ROOT)) == set()


def test_an_accepted_request_file_is_only_ever_downloaded(person, login):
    """A scan or saved email may hold anything after its first bytes; the queue
    hands it over as a download that the browser must not sniff into a page."""
    officer = login("dpo", "privacy_officer")
    email_with_markup = (
        b"From: Somsri <somsri@example.co.th>\r\nMessage-ID: <1@example.co.th>\r\n\r\n"
        b"<html><script>alert(document.cookie)</script></html>"
    )
    for name, data in [("request.html", email_with_markup), ("scan.svg", PDF + b"<svg/>")]:
        response = officer.post(
            "/data-protection/requests/new/",
            {**STAFF_REQUEST, "attachment": SimpleUploadedFile(name, data)},
        )
        assert response.status_code == 302
        request = SubjectRequest.objects.order_by("-pk").first()
        served = officer.get(f"/data-protection/requests/{request.pk}/files/attachment/")
        assert served.status_code == 200
        assert served["Content-Disposition"].startswith("attachment;")
        assert served["X-Content-Type-Options"] == "nosniff"
        assert served["Cache-Control"] == "no-store"


def test_consent_evidence_with_markup_behind_its_header_is_only_ever_downloaded(points, login):
    """Any user with people access may attach evidence; only its first bytes are
    checked, so a "PDF" that goes on as a page must not open as one on our site
    in the privacy officer's browser."""
    upload = points["consent evidence"]
    officer = login("dpo2", "privacy_officer")
    page = b"%PDF-1.4\n<html><body><form action=/account/password/><script>alert(1)</script>"
    for name in ["evidence.html", "evidence.svg", "evidence.xhtml", "evidence.js", "evidence"]:
        response = upload.client.post(
            upload.url, {**upload.fields(), upload.file_field: SimpleUploadedFile(name, page)}
        )
        assert response.status_code == 302, name
        served = officer.get(f"/data-protection/consents/{upload.latest().pk}/evidence/")
        assert served.status_code == 200, name
        assert served["Content-Disposition"].startswith("attachment;"), name
        assert served["X-Content-Type-Options"] == "nosniff"
        assert served["Cache-Control"] == "no-store"
