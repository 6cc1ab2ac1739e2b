"""My consents: after a one-time code, the person sees each purpose that rests
on consent and gives or withdraws it in one click; the ledger keeps the
channel, the notice version, the address and the browser."""

import time

import pytest
from django.core import mail
from django.utils import timezone

from connexion.audit.models import AuditEvent
from connexion.portal.models import CookieConsent
from connexion.portal.services import record_cookie_consent
from connexion.privacy.ledger.services import publish_notice
from connexion.privacy.models import ConsentEvent, OneTimeCode
from tests.portal.conftest import started_value
from tests.privacy.request_support import code_in_last_mail

pytestmark = pytest.mark.django_db
START = "/privacy/consents/"
HTMX = {"HTTP_HX_REQUEST": "true"}
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chromium/120"


def ask_code(client, channel="email", email="somsri@example.co.th", phone=""):
    page = client.get(START)
    return client.post(
        START,
        {
            "channel": channel,
            "email": email,
            "phone": phone,
            "started": started_value(page.content.decode()),
        },
    )


def verify(client, code=None):
    return client.post(f"{START}code/", {"code": code or code_in_last_mail()})


def test_a_verified_person_gives_and_withdraws_a_consent_in_one_click(client, person, marketing):
    assert ask_code(client)["Location"] == f"{START}code/"
    assert mail.outbox[-1].to == ["somsri@example.co.th"]
    assert verify(client)["Location"] == f"{START}mine/"
    page = client.get(f"{START}mine/").content.decode()
    assert 'data-testid="consent-direct-marketing"' in page
    assert "Give my consent" in page

    url = f"{START}mine/{marketing.pk}/"
    given = client.post(url, {"action": "given"}, HTTP_USER_AGENT=BROWSER, **HTMX)
    assert given.status_code == 200
    assert "Withdraw my consent" in given.content.decode()
    assert "<html" not in given.content.decode()  # a fragment for htmx, no reload
    withdrawn = client.post(url, {"action": "withdrawn"}, HTTP_USER_AGENT=BROWSER, **HTMX)
    assert "Your consent is withdrawn" in withdrawn.content.decode()

    events = list(ConsentEvent.objects.order_by("occurred_at", "id"))
    assert [e.action for e in events] == ["given", "withdrawn"]
    for event in events:
        assert event.channel == ConsentEvent.Channel.PRIVACY_CENTER
        assert event.ip_address == "127.0.0.1"
        assert event.user_agent == BROWSER
        assert event.notice.version == "1"
        assert event.recorded_by is None
    assert "privacy notice version 1" in events[0].wording
    assert "Direct marketing" in events[0].wording
    # Audited as the web interface, with nobody from staff as the author.
    audit = AuditEvent.objects.get(action="privacy.withdraw_consent")
    assert audit.actor is None and audit.channel == AuditEvent.Channel.UI


def test_without_htmx_the_page_reloads(client, person, marketing):
    ask_code(client)
    verify(client)
    response = client.post(f"{START}mine/{marketing.pk}/", {"action": "given"})
    assert response.status_code == 302 and response["Location"] == f"{START}mine/"
    assert ConsentEvent.objects.get().action == "given"


def test_an_outdated_consent_is_shown_to_renew(client, person, marketing):
    ask_code(client)
    verify(client)
    client.post(f"{START}mine/{marketing.pk}/", {"action": "given"}, **HTMX)
    publish_notice(
        None, version="2", text_th="ฉบับ 2", text_en="Version 2", renew_consent_for=[marketing]
    )
    page = client.get(f"{START}mine/").content.decode()
    assert "to renew" in page and "Renew my consent" in page
    client.post(f"{START}mine/{marketing.pk}/", {"action": "given"}, **HTMX)
    assert ConsentEvent.objects.order_by("-id").first().notice.version == "2"


def test_a_wrong_code_is_refused_and_three_wrong_codes_end_it(client, person):
    ask_code(client)
    for _attempt in range(2):
        assert "Wrong code" in verify(client, "000000").content.decode()
    third = verify(client, "000000").content.decode()
    assert "no longer works" in third
    # Even the right code no longer opens anything.
    assert "no longer works" in verify(client).content.decode()
    assert client.get(f"{START}mine/")["Location"] == START


def test_someone_unknown_sees_that_nothing_is_held_for_their_address(client, person):
    ask_code(client, email="nobody@example.com")
    assert mail.outbox[-1].to == ["nobody@example.com"]
    verify(client)
    page = client.get(f"{START}mine/").content.decode()
    assert 'data-testid="no-record"' in page
    assert "สมศรี" not in page


def test_a_code_by_text_message(client, settings, person):
    from tests.portal.conftest import sms_texts

    ask_code(client, channel="phone", email="", phone="0812345678")
    import re

    code = re.search(r"\b(\d{6})\b", sms_texts(settings)[-1]).group(1)
    verify(client, code)
    assert 'data-testid="my-consents"' in client.get(f"{START}mine/").content.decode()


def test_the_session_ends_after_the_set_time_and_on_done(client, person, monkeypatch):
    ask_code(client)
    verify(client)
    assert client.get(f"{START}mine/").status_code == 200
    client.post(f"{START}done/")
    assert client.get(f"{START}mine/")["Location"] == START
    ask_code(client)
    verify(client)
    later = time.time() + 31 * 60
    monkeypatch.setattr("connexion.portal.views.time.time", lambda: later)
    assert client.get(f"{START}mine/")["Location"] == START


def test_without_verification_nothing_can_be_changed(client, person, marketing):
    response = client.post(f"{START}mine/{marketing.pk}/", {"action": "given"}, **HTMX)
    assert response.status_code == 204 and response["HX-Redirect"] == START
    assert not ConsentEvent.objects.exists()


def test_the_visitors_cookie_choices_join_their_record_once_verified(client, person):
    visitor = "0f8fad5b-d9cb-469f-a165-70867728950e"
    record_cookie_consent(
        visitor_id=visitor,
        policy_version=1,
        choices={"preferences": False, "analytics": True, "marketing": False},
        ip_address="127.0.0.1",
        user_agent="x",
        page_origin="http://testserver",
    )
    client.cookies["cx_cookie_consent"] = (
        f"%7B%22v%22%3A1%2C%22id%22%3A%22{visitor}%22%2C%22c%22%3A%7B%7D%7D"
    )
    ask_code(client)
    verify(client)
    consent = CookieConsent.objects.get()
    assert consent.person == person and consent.linked_at <= timezone.now()


def test_the_code_record_holds_no_address(client, person):
    ask_code(client)
    code = OneTimeCode.objects.get()
    assert code.use == OneTimeCode.Use.CONSENTS
    assert "somsri" not in code.target_hash
