"""Consent-aware web forms: built by the privacy area, filled by visitors,
embeddable by the allowed sites only. A submission creates or finds the person
(never overwriting them), records provenance and consents, and gives sales an
activity and a follow-up task."""

import pytest
from django.core.exceptions import ValidationError

from connexion.audit.models import AuditEvent
from connexion.people.models import Person, Source
from connexion.portal.models import CookieConsent, WebFormSubmission
from connexion.portal.services import record_cookie_consent, save_web_form
from connexion.privacy.models import ConsentEvent, Purpose
from connexion.sales.models import Activity, Task
from tests.portal.conftest import started_value

pytestmark = pytest.mark.django_db
VISITOR = "6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"


@pytest.fixture(autouse=True)
def business_in_english(settings):
    # What staff read (provenance, activity, task) is in the business's language.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def seller(make_user):
    return make_user("malee", roles=("sales",), language="en")


@pytest.fixture
def web_form(make_user, marketing, seller):
    return save_web_form(
        make_user("dpo", roles=("privacy_officer",)),
        name_th="ขอใบเสนอราคา",
        name_en="Ask for a quote",
        fields=[
            {"field": "first_name", "required": True, "label_th": "ชื่อจริง", "label_en": ""},
            {"field": "last_name", "required": False},
            {"field": "email", "required": True},
            {"field": "phone", "required": False},
            {"field": "company", "required": False},
            {"field": "message", "required": False},
        ],
        purposes=[marketing],
        owner=seller,
        allowed_origins="https://www.example.co.th\nhttp://shop.example.com:8080/",
    )


def post(client, web_form, headers=None, **values):
    url = f"/privacy/forms/{web_form.key}/"
    page = client.get(url)
    data = {"started": started_value(page.content.decode()), **values}
    return client.post(url, data, headers=headers or {})


def test_a_submission_creates_a_person_with_provenance_consent_activity_and_task(
    client, web_form, marketing, seller
):
    record_cookie_consent(
        visitor_id=VISITOR,
        policy_version=1,
        choices={"preferences": True, "analytics": True, "marketing": False},
        ip_address="127.0.0.1",
        user_agent="x",
        page_origin="https://www.example.co.th",
    )
    response = post(
        client,
        web_form,
        first_name="มาลัย",
        last_name="ดีงาม",
        email="Malai@Example.com",
        phone="089 999 1234",
        company="บริษัท ดีงาม จำกัด",
        message="อยากได้ราคาสำหรับ 20 คน",
        visitor=VISITOR,
        **{f"consent_{marketing.pk}": "on"},
        headers={"User-Agent": "Firefox/130"},
    )
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()

    person = Person.objects.get()
    assert (person.first_name_th, person.last_name_th) == ("มาลัย", "ดีงาม")
    assert person.employer_name == "บริษัท ดีงาม จำกัด"
    assert person.owner == seller
    assert person.emailaddresss.get().email == "malai@example.com"
    assert person.phonenumbers.get().number == "+66899991234"
    assert person.source.kind == Source.Kind.DIRECT
    assert person.source.channel == Source.Channel.WEB_FORM
    assert person.source.note == "web form Ask for a quote"

    consent = ConsentEvent.objects.get()
    assert (consent.person, consent.purpose, consent.action) == (person, marketing, "given")
    assert consent.channel == ConsentEvent.Channel.WEB_FORM
    assert consent.notice.version == "1"
    assert consent.user_agent == "Firefox/130" and consent.ip_address == "127.0.0.1"
    assert "Direct marketing" in consent.wording

    activity = Activity.objects.get()
    assert activity.person == person and "Ask for a quote" in activity.subject
    assert "อยากได้ราคาสำหรับ 20 คน" in activity.body
    task = Task.objects.get()
    assert task.person == person and task.assignee == seller and task.due_at > activity.occurred_at

    assert CookieConsent.objects.get().person == person
    submission = WebFormSubmission.objects.get()
    assert submission.created_person and submission.consents == ["direct-marketing"]
    assert submission.visitor_id == VISITOR


def test_an_unticked_box_gives_no_consent_and_boxes_start_unticked(client, web_form, marketing):
    page = client.get(f"/privacy/forms/{web_form.key}/").content.decode()
    box = page.split(f'name="consent_{marketing.pk}"', 1)[1].split(">", 1)[0]
    assert "checked" not in box
    assert "privacy notice, version 1" in page
    post(client, web_form, first_name="Jane", email="jane@example.com")
    assert Person.objects.get().first_name_en == "Jane"
    assert not ConsentEvent.objects.exists()


def test_a_known_person_is_never_overwritten_differences_go_to_staff(
    client, web_form, person, seller
):
    person.owner = None
    response = post(
        client,
        web_form,
        first_name="สมหญิง",
        last_name="ใจดี",
        email="somsri@example.co.th",
        phone="0899990000",
        company="ร้านสมศรี",
    )
    assert response.status_code == 200
    assert Person.objects.count() == 1
    person.refresh_from_db()
    # The name on record stays; the empty company is filled, through the people service.
    assert person.first_name_th == "สมศรี"
    assert person.employer_name == "ร้านสมศรี"
    assert list(person.phonenumbers.values_list("number", flat=True)) == ["+66812345678"]
    submission = WebFormSubmission.objects.get()
    assert not submission.created_person
    assert submission.unapplied == {"first_name_th": "สมหญิง", "phone": "+66899990000"}
    task = Task.objects.get()
    assert "สมหญิง" in task.description and "+66899990000" in task.description
    assert task.assignee == seller
    change = AuditEvent.objects.get(action="people.update_person")
    assert change.details["employer_name"] == ["", "ร้านสมศรี"]


def test_bad_input_names_the_field_and_writes_nothing(client, web_form):
    response = post(client, web_form, first_name="", email="not-mail", phone="12")
    body = response.content.decode()
    assert response.status_code == 400
    assert "This field is required" in body
    assert "Enter a valid email address" in body
    assert "is not a valid phone number" in body
    assert not Person.objects.exists() and not WebFormSubmission.objects.exists()


def test_the_form_is_framed_only_by_its_allowed_sites(client, web_form):
    response = client.get(f"/privacy/forms/{web_form.key}/?embed=1")
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.example.co.th http://shop.example.com:8080" in policy
    assert "script-src 'self'" in policy
    assert "X-Frame-Options" not in response
    # Embedded: no site header, the frame script that sizes it.
    assert "portal-topbar" not in response.content.decode()
    assert "webform-frame.js" in response.content.decode()
    # Every other page stays unframeable.
    assert client.get("/privacy/")["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in client.get("/privacy/")["Content-Security-Policy"]


def test_a_post_from_another_site_is_refused(client, web_form):
    url = f"/privacy/forms/{web_form.key}/"
    page = client.get(url)
    response = client.post(
        url,
        {
            "first_name": "X",
            "email": "x@example.com",
            "started": started_value(page.content.decode()),
        },
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert not Person.objects.exists()


def test_the_form_speaks_the_language_asked_for(client, web_form):
    thai = client.get(f"/privacy/forms/{web_form.key}/?embed=1&lang=th").content.decode()
    assert '<html lang="th">' in thai and "ชื่อจริง" in thai
    english = client.get(f"/privacy/forms/{web_form.key}/?lang=en").content.decode()
    assert "First name" in english


def test_a_closed_form_takes_nothing(client, web_form, make_user):
    url = f"/privacy/forms/{web_form.key}/"
    started = started_value(client.get(url).content.decode())
    save_web_form(make_user("dpo2", roles=("privacy_officer",)), web_form, is_active=False)
    response = client.post(url, {"first_name": "A", "email": "a@example.com", "started": started})
    assert response.status_code == 410
    assert "This form is closed" in response.content.decode()
    assert not Person.objects.exists()


def test_the_builder_refuses_what_would_break_the_form(make_user, marketing):
    officer = make_user("dpo", roles=("privacy_officer",))
    service = Purpose.objects.get(code="service")
    with pytest.raises(ValidationError) as error:
        save_web_form(
            officer,
            name_th="",
            name_en="x",
            fields=[{"field": "email", "required": True}],
            purposes=[service],
            allowed_origins="https://ok.example\nnot an origin",
        )
    errors = error.value.message_dict
    assert "name_th" in errors
    assert "does not rest on consent" in errors["purposes"][0]
    assert "is not a website origin" in errors["allowed_origins"][0]
    with pytest.raises(ValidationError) as error:
        save_web_form(
            officer, name_th="ก", name_en="a", fields=[{"field": "first_name", "required": True}]
        )
    assert "email or a phone" in error.value.message_dict["fields"][0]
    with pytest.raises(ValidationError):
        save_web_form(
            officer, name_th="ก", name_en="a", fields=[{"field": "password", "required": True}]
        )


def test_a_departed_owner_does_not_stop_the_form(client, web_form, seller):
    type(seller).objects.filter(pk=seller.pk).update(is_active=False)
    response = post(client, web_form, first_name="Jane", email="jane@example.com")
    assert response.status_code == 200
    person = Person.objects.get()
    assert person.owner is None and Task.objects.get().assignee is None
