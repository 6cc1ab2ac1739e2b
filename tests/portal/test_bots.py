"""Bots: a honeypot field, and a signed time stamp that refuses a form sent
too soon after it was shown, too long after, or with a forged stamp."""

import time

import pytest
from django.core import mail, signing

from connexion.people.models import Person
from connexion.portal.forms import STARTED_SALT
from connexion.privacy.models import OneTimeCode, SubjectRequest
from tests.portal.conftest import started_value

pytestmark = pytest.mark.django_db
REFUSED = "We could not accept this form"


@pytest.fixture(autouse=True)
def time_check(settings):
    settings.PORTAL_MIN_SUBMIT_SECONDS = 3


def stamp(scope: str, age_seconds: float) -> str:
    return signing.dumps({"t": time.time() - age_seconds}, salt=f"{STARTED_SALT}.{scope}")


def request_data(**values):
    return {
        "kind": "access",
        "requester_name": "Bot",
        "email": "bot@example.com",
        "send_code_by": "email",
        "description": "spam",
        **values,
    }


def test_a_form_sent_at_once_is_refused(client):
    page = client.get("/privacy/request/")
    response = client.post(
        "/privacy/request/", request_data(started=started_value(page.content.decode()))
    )
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not SubjectRequest.objects.exists() and not mail.outbox


def test_a_form_sent_after_a_few_seconds_is_accepted(client):
    response = client.post("/privacy/request/", request_data(started=stamp("request", 4)))
    assert response.status_code == 302
    assert SubjectRequest.objects.count() == 1


def test_the_honeypot_refuses_a_bot(client):
    response = client.post(
        "/privacy/request/", request_data(started=stamp("request", 10), website="http://spam")
    )
    assert response.status_code == 400 and REFUSED in response.content.decode()
    assert not SubjectRequest.objects.exists()


def test_a_forged_or_borrowed_stamp_is_refused(client):
    # A stamp of another form does not fit this one.
    for started in ("", "123", stamp("consents", 10)):
        response = client.post("/privacy/request/", request_data(started=started))
        assert REFUSED in response.content.decode()
    assert not SubjectRequest.objects.exists()


def test_a_stale_form_is_refused_with_its_reason(client):
    response = client.post("/privacy/request/", request_data(started=stamp("request", 7 * 3600)))
    assert "open for too long" in response.content.decode()
    assert not SubjectRequest.objects.exists()


def test_the_consents_code_form_has_the_same_checks(client):
    response = client.post(
        "/privacy/consents/",
        {"channel": "email", "email": "a@example.com", "started": stamp("consents", 0)},
    )
    assert REFUSED in response.content.decode()
    assert not OneTimeCode.objects.exists() and not mail.outbox


def test_the_web_form_has_the_same_checks(client, make_user):
    from connexion.portal.services import save_web_form

    form = save_web_form(
        make_user("dpo", roles=("privacy_officer",)),
        name_th="ติดต่อเรา",
        name_en="Contact us",
        fields=[{"field": "first_name", "required": True}, {"field": "email", "required": True}],
    )
    url = f"/privacy/forms/{form.key}/"
    values = {"first_name": "Bot", "email": "bot@example.com"}
    fast = client.post(url, {**values, "started": stamp(f"webform.{form.key}", 0)})
    trapped = client.post(
        url, {**values, "website": "x", "started": stamp(f"webform.{form.key}", 9)}
    )
    for response in (fast, trapped):
        assert response.status_code == 400 and REFUSED in response.content.decode()
    assert not Person.objects.exists()
    ok = client.post(url, {**values, "started": stamp(f"webform.{form.key}", 9)})
    assert ok.status_code == 200 and Person.objects.count() == 1
