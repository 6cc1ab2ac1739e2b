"""Policy-change notices (5.5): the privacy officer announces a notice
version; in the background, each person concerned is told once, by the
channel the privacy core allows for clause 5.5; each delivery is recorded;
those whose consent must be renewed get a single-use link."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from connexion.people.models import Person
from connexion.people.services import ContactDetails, create_person, create_source
from connexion.portal import announcements
from connexion.portal.models import NoticeAnnouncement, NoticeDelivery, PortalLink
from connexion.privacy.ledger.services import give_consent, publish_notice
from connexion.privacy.models import ConsentEvent, PrivacyNotice, Purpose
from tests.portal.conftest import sms_texts

ANNOUNCE = "/privacy/manage/notices/{}/announce/"


@pytest.fixture(autouse=True)
def business_in_english(settings):
    # The background work (and what it records for staff) speaks the business's language.
    settings.LANGUAGE_CODE = "en"


def someone(first_en, emails=(), phones=(), **fields):
    return create_person(
        None,
        source=create_source(None, kind="direct", channel="phone"),
        first_name_en=first_en,
        contacts=ContactDetails(emails=list(emails), phones=[("mobile", p) for p in phones]),
        **fields,
    )


@pytest.fixture
def crowd(db, marketing):
    anna = someone("Anna", emails=["anna@example.com"])
    give_consent(
        None,
        anna,
        marketing,
        wording="news",
        channel="paper",
        notice=PrivacyNotice.objects.get(version="1"),
    )
    bua = someone("Bua", phones=["0812223333"])
    chai = someone("Chai")
    merged = someone("Dao", emails=["dao@example.com"])
    Person.objects.filter(pk=merged.pk).update(merged_into=anna)
    notice = publish_notice(
        None, version="2", text_th="ฉบับที่ 2", text_en="Version 2", renew_consent_for=[marketing]
    )
    return {"anna": anna, "bua": bua, "chai": chai, "notice": notice}


def announce(officer, notice):
    return officer.post(ANNOUNCE.format(notice.pk), {"confirm": "on"})


@pytest.mark.django_db(transaction=True)
def test_the_worker_tells_each_person_by_the_allowed_channel(officer, crowd, settings):
    notice = crowd["notice"]
    page = officer.get(ANNOUNCE.format(notice.pk)).content.decode()
    assert "3 people concerned" in page
    response = announce(officer, notice)
    announcement = NoticeAnnouncement.objects.get()
    assert response["Location"] == f"/privacy/manage/announcements/{announcement.pk}/"
    assert not NoticeDelivery.objects.exists()  # queued, not sent in the request

    call_command("worker", "--batch")
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
    announcement.refresh_from_db()
    assert announcement.finished_at is not None
    assert announcement.counts == {"sent": 2, "no_channel": 1, "renewal": 1}

    by_person = {d.person.first_name_en: d for d in NoticeDelivery.objects.select_related("person")}
    assert set(by_person) == {"Anna", "Bua", "Chai"}  # the merged record is nobody now
    anna, bua, chai = by_person["Anna"], by_person["Bua"], by_person["Chai"]
    assert (anna.channel, anna.status, anna.sent_to) == ("email", "sent", "a***@example.com")
    assert anna.renewal_purposes == ["direct-marketing"]
    assert (bua.channel, bua.status, bua.renewal_purposes) == ("sms", "sent", [])
    assert (chai.channel, chai.status) == ("none", "no_channel")
    assert "No email address or mobile phone" in chai.reason

    [message] = mail.outbox
    assert message.to == ["anna@example.com"]
    assert "version 2" in message.subject.lower() or "2" in message.subject
    assert f"/privacy/notices/{notice.pk}/" in message.body
    [text] = sms_texts(settings)
    assert f"/privacy/notices/{notice.pk}/" in text

    # The renewal link opens Anna's consents once, where the consent asks for renewal.
    link = re.search(r"http://testserver(/privacy/link/[^/\s]+/)", message.body).group(1)
    assert PortalLink.objects.get().person == crowd["anna"]
    visitor = officer.__class__()
    visitor.cookies["connexion_language"] = "en"
    assert visitor.post(link)["Location"] == "/privacy/consents/mine/"
    mine = visitor.get("/privacy/consents/mine/").content.decode()
    assert "to renew" in mine and "Renew my consent" in mine
    marketing = Purpose.objects.get(code="direct-marketing")
    visitor.post(f"/privacy/consents/mine/{marketing.pk}/", {"action": "given"})
    renewed = ConsentEvent.objects.order_by("-id").first()
    assert (renewed.notice, renewed.channel) == (notice, "privacy_center")
    assert visitor.post(link).status_code == 410

    # The staff page lists every delivery; a second announcement tells nobody again.
    listing = officer.get(response["Location"]).content.decode()
    assert "a***@example.com" in listing and "no usable channel (1)" in listing
    announce(officer, notice)
    call_command("worker", "--batch")
    assert NoticeDelivery.objects.count() == 3 and len(mail.outbox) == 1
    assert NoticeAnnouncement.objects.order_by("-id").first().counts == {"renewal": 0}


@pytest.mark.django_db
def test_a_refused_relay_is_recorded_as_failed(crowd, settings, make_user):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    announcement = NoticeAnnouncement.objects.create(
        notice=crowd["notice"],
        started_by=make_user("dpo", roles=("privacy_officer",)),
        started_at=crowd["notice"].effective_at,
        base_url="http://testserver",
    )
    counts = announcements.deliver_announcement(announcement.pk)
    assert counts["failed"] == 1
    failed = NoticeDelivery.objects.get(status="failed")
    assert failed.person == crowd["anna"] and "Connection" in failed.reason


@pytest.mark.django_db
def test_the_channel_is_what_the_use_door_allows(crowd, make_user):
    purpose = announcements.notice_purpose()
    assert purpose.policy_clause == "5.5"
    anna = crowd["anna"]
    dpo = make_user("dpo2", roles=("privacy_officer",))
    law = announcements.legal_reference(crowd["notice"])
    channel, contact, reasons = announcements._channel_for(anna, purpose, dpo, law)
    assert channel == "email" and contact.email == "anna@example.com" and reasons == []
    # A legal obligation is the privacy officer's path only, and names its law.
    with translation.override("en"):
        seller = make_user("sales2", roles=("sales",))
        channel, contact, reasons = announcements._channel_for(anna, purpose, seller, law)
        assert channel == "none" and any("Only the privacy officer" in r for r in reasons)
        channel, contact, reasons = announcements._channel_for(anna, purpose, dpo, "")
        assert channel == "none" and any("reference of the order or the law" in r for r in reasons)
    Purpose.objects.filter(pk=purpose.pk).update(is_active=False)
    purpose.refresh_from_db()
    with translation.override("en"):
        channel, contact, reasons = announcements._channel_for(anna, purpose, dpo, law)
    assert channel == "none" and "This purpose is no longer in use." in reasons


@pytest.mark.django_db
def test_only_the_privacy_area_announces_and_twice_at_once_is_refused(make_user, officer, crowd):
    seller = Client()
    seller.force_login(make_user("sales1", roles=("sales",)))
    assert seller.post(ANNOUNCE.format(crowd["notice"].pk), {"confirm": "on"}).status_code == 403
    unconfirmed = officer.post(ANNOUNCE.format(crowd["notice"].pk), {})
    assert (
        unconfirmed.status_code == 200 and "This field is required" in unconfirmed.content.decode()
    )
    NoticeAnnouncement.objects.create(
        notice=crowd["notice"], started_at=crowd["notice"].effective_at, base_url="http://x"
    )
    again = announce(officer, crowd["notice"])
    assert "being announced already" in again.content.decode()
    assert NoticeAnnouncement.objects.count() == 1
