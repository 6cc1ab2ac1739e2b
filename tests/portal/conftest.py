import re

import pytest
from django.core.cache import caches
from django.test import Client

from connexion.people.services import ContactDetails, create_person, create_source
from connexion.privacy.models import Purpose


@pytest.fixture(autouse=True)
def fresh_limits(settings, tmp_path):
    """Each test starts with empty rate-limit counters, stores files and text
    messages in its own folder, and is not slowed by the time-to-submit check
    (tests/portal/test_bots.py puts it back)."""
    caches["default"].clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.PORTAL_MIN_SUBMIT_SECONDS = 0
    yield
    caches["default"].clear()


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English unless a test chooses Thai (the interface default is Thai)."""
    client.cookies["connexion_language"] = "en"
    return client


@pytest.fixture
def person(db):
    source = create_source(None, kind="direct", channel="phone")
    return create_person(
        None,
        source=source,
        first_name_th="สมศรี",
        last_name_th="ใจดี",
        lifecycle_stage="customer",
        contacts=ContactDetails(
            emails=["somsri@example.co.th"], phones=[("mobile", "081-234-5678")]
        ),
    )


@pytest.fixture
def marketing(db) -> Purpose:
    return Purpose.objects.get(code="direct-marketing")


@pytest.fixture
def officer(client: Client, make_user) -> Client:
    user = make_user("dpo", roles=("privacy_officer",), language="en")
    client.force_login(user)
    client.user = user  # type: ignore[attr-defined]
    return client


# The privacy center's request form as a person asking for a copy of their data
# fills it in (the form's "started" time comes from the page: started_value).
ACCESS_REQUEST = {
    "kind": "access",
    "requester_name": "Somsri Jaidee",
    "email": "somsri@example.co.th",
    "phone": "",
    "send_code_by": "email",
    "description": "Please send me a copy of my data.",
    "website": "",
}


def started_value(html: str) -> str:
    """The signed time stamp a public form was shown with."""
    match = re.search(r'name="started" value="([^"]+)"', html)
    assert match, "no time stamp in the form"
    return match.group(1)


def sms_texts(settings) -> list[str]:
    folder = settings.SMS_FILE_PATH
    if not folder.exists():
        return []
    # The message after the file's header lines (To:, Date:).
    return [path.read_text().split("\n\n", 1)[1] for path in sorted(folder.iterdir())]
