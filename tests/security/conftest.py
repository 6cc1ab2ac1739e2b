"""Shared pieces of the hostile-input tests: signed-in clients of each role, a
bystander record of each kind that no hostile search may turn up, the payloads,
and a multipart encoder that sends file names exactly as an attacker writes them
(Django's test client would strip the path from them first)."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from connexion.people.models import Organization, Person
from connexion.people.services import (
    ContactDetails,
    create_organization,
    create_person,
    create_source,
)
from connexion.sales.models import Deal, Lead, Pipeline
from connexion.sales.services import deals as deal_services
from connexion.sales.services import leads as lead_services
from connexion.sales.services import products as product_services

MASTER_KEY = os.urandom(32)

SQL_PAYLOADS = [
    "' OR 1=1 --",
    '"; DROP TABLE people_person; --',
    "%' OR '1'='1",
    "1) UNION SELECT username, password FROM accounts_user --",
]
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}}"
XSS_PAYLOADS = [SCRIPT, IMG, TEMPLATE]
# One value carrying every markup payload at once, for stored fields.
STORED = f"{IMG}{SCRIPT}{TEMPLATE}"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
# What must never reach a page as markup.
RAW_MARKUP = ("<script>alert(1)", "<img src=x")


def assert_no_raw_markup(body: str, where: str = "") -> None:
    for raw in RAW_MARKUP:
        assert raw not in body, f"unescaped {raw!r} in {where}"


def assert_shown_escaped(body: str, where: str = "") -> None:
    """The stored value is on the page, as text: escaped, and the template
    braces shown as typed rather than evaluated."""
    assert_no_raw_markup(body, where)
    assert ESCAPED_SCRIPT in body, f"the escaped value is not shown in {where}"
    assert TEMPLATE in body, f"{TEMPLATE} was not shown as typed in {where}"


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path: Path):
    """Files in this test's own folder (encrypted with a test key), fresh
    rate-limit counters, public forms without the time-to-submit wait."""
    caches["default"].clear()
    settings.MEDIA_ROOT = tmp_path / "storage" / "media"
    settings.CONNEXION_MASTER_KEYS = (MASTER_KEY,)
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.PORTAL_MIN_SUBMIT_SECONDS = 0
    yield
    caches["default"].clear()


@pytest.fixture
def login(make_user) -> Callable[..., Client]:
    """A client signed in as a new user of the given roles, reading English.
    `force_login` stands in for the two-step sign-in of admins and officers."""

    def make(username: str, *roles: str, csrf: bool = False) -> Client:
        user = make_user(username, roles=roles, language="en")
        client = Client(enforce_csrf_checks=csrf, HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def sales(login) -> Client:
    return login("sales1", "sales")


@pytest.fixture
def officer(login) -> Client:
    return login("dpo", "privacy_officer")


@pytest.fixture
def admin(login) -> Client:
    return login("boss", "admin")


@pytest.fixture
def source(db):
    return create_source(None, kind="direct", channel="phone")


@pytest.fixture
def bystanders(source) -> dict[str, Any]:
    """One unowned record of each kind: visible to everyone, so a search that
    returns it is a search that matched too much."""
    person = create_person(
        None,
        source=source,
        first_name_th="สมชาย",
        last_name_th="ใจดี",
        first_name_en="Somchai",
        last_name_en="Jaidee",
        contacts=ContactDetails(emails=["somchai@example.co.th"]),
    )
    organization = create_organization(None, source=source, name_th="บริษัท แอคมี", name_en="Acme")
    pipeline = Pipeline.objects.get(is_default=True)
    deal = deal_services.create_deal(
        None, title="Acme renewal", pipeline=pipeline, person=person, amount=100_00
    )
    lead = lead_services.create_lead(None, title="Acme enquiry", first_name="Somchai")
    product = product_services.create_product(
        None, code="CRM-PRO", name_th="ซีอาร์เอ็ม", name_en="CRM Pro", price=1_000_00
    )
    return {
        "person": person,
        "organization": organization,
        "deal": deal,
        "lead": lead,
        "product": product,
    }


def table_counts() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "organizations": Organization.objects.count(),
        "deals": Deal.objects.count(),
        "leads": Lead.objects.count(),
    }


# --- raw multipart ------------------------------------------------------------------

BOUNDARY = "----connexion-hostile-boundary"


def multipart(fields: dict[str, Any], files: dict[str, tuple[str, bytes, str]]) -> bytes:
    """A multipart/form-data body whose file names are sent byte for byte."""
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (file_name, data, content_type) in files.items():
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{file_name}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        out.write(head.encode("utf-8", "surrogateescape"))
        out.write(data + b"\r\n")
    out.write(f"--{BOUNDARY}--\r\n".encode())
    return out.getvalue()


def post_multipart(client: Client, url: str, fields: dict[str, Any], files, **extra):
    return client.generic(
        "POST",
        url,
        multipart(fields, files),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        **extra,
    )


def files_under(root: Path) -> set[Path]:
    if not root.exists():
        return set()
    return {path.resolve() for path in root.rglob("*") if path.is_file()}
