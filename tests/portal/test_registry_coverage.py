"""What the privacy center holds about a person is declared in the registry,
so the access export shows it and an erasure removes it."""

import pytest

from connexion.portal.models import CookieConsent, NoticeDelivery, PortalLink, WebFormSubmission
from connexion.portal.services import record_cookie_consent, save_web_form, submit_web_form
from connexion.privacy.engines.erasure import erase_person
from connexion.privacy.engines.export import subject_data
from connexion.privacy.models import PrivacyNotice

pytestmark = pytest.mark.django_db
VISITOR = "9b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"


@pytest.fixture
def visitor_with_everything(make_user, marketing):
    officer = make_user("dpo", roles=("privacy_officer",))
    record_cookie_consent(
        visitor_id=VISITOR,
        policy_version=1,
        choices={"preferences": True, "analytics": False, "marketing": False},
        ip_address="203.0.113.7",
        user_agent="Quillbrowser/9",
        page_origin="https://www.example.co.th",
    )
    form = save_web_form(
        officer,
        name_th="ติดต่อ",
        name_en="Contact",
        fields=[{"field": "first_name", "required": True}, {"field": "email", "required": True}],
        purposes=[marketing],
    )
    notice = PrivacyNotice.objects.get(version="1")
    submitted = submit_web_form(
        form,
        {"first_name": "Zebedee", "email": "zebedee@portal.example"},
        consents=[marketing],
        notice=notice,
        visitor_id=VISITOR,
        ip_address="203.0.113.7",
        user_agent="Quillbrowser/9",
    )
    from connexion.portal.announcements import start_announcement
    from connexion.portal.links import issue_link

    announcement = start_announcement(officer, notice, base_url="http://testserver")
    NoticeDelivery.objects.create(
        announcement=announcement,
        notice=notice,
        person=submitted.person,
        channel="email",
        sent_to="z***@portal.example",
        status="sent",
        sent_at=notice.effective_at,
    )
    issue_link(submitted.person, PortalLink.Use.RENEW_CONSENTS)
    return submitted.person, officer


def test_the_access_export_shows_the_portal_rows(visitor_with_everything):
    person, _officer = visitor_with_everything
    exported = subject_data(person, "en").as_json()["tables"]
    assert exported["portal.cookieconsent"]["rows"][0]["visitor_id"] == VISITOR
    assert exported["portal.cookieconsent"]["rows"][0]["user_agent"] == "Quillbrowser/9"
    assert exported["portal.webformsubmission"]["rows"][0]["consents"] == ["direct-marketing"]
    assert exported["portal.noticedelivery"]["rows"][0]["sent_to"] == "z***@portal.example"


def test_an_erasure_removes_them(visitor_with_everything):
    person, officer = visitor_with_everything
    erase_person(person, actor=officer)
    assert not CookieConsent.objects.filter(visitor_id=VISITOR).exists()
    assert not WebFormSubmission.objects.exists()
    assert not NoticeDelivery.objects.exists()
    assert not PortalLink.objects.exists()
