"""The send-an-email page of a person and the template pages."""

import pytest
from django.urls import reverse

from connexion.comms.models import EmailTemplate, OutgoingEmail
from connexion.privacy.ledger.services import restrict


@pytest.fixture
def staff(client, make_user):
    user = make_user("sales1", roles=("sales",), language="en")
    client.force_login(user)
    return user


def test_the_page_previews_the_message_and_enables_send(client, staff, malee, welcome):
    response = client.get(reverse("comms:send_email", args=[malee.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "สวัสดีคุณมาลี" in html  # Thai name, so Thai text first
    assert 'data-testid="refusal"' not in html
    assert '<button type="submit" class="primary">' in html


def test_a_restricted_address_disables_send_with_the_reason(client, staff, malee, welcome):
    restrict(
        None,
        malee,
        scope="contact_point",
        contact_point=malee.emailaddresss.get(is_primary=True),
        reason="ไม่ให้ส่งอีเมล",
    )
    response = client.get(reverse("comms:send_email", args=[malee.pk]))
    html = response.content.decode()
    assert "The person asked not to be contacted at malee@example.co.th since" in html
    assert "disabled" in html.split('class="primary"')[1].split(">")[0]

    # Choosing the other address (htmx asks again) enables it.
    other = malee.emailaddresss.get(is_primary=False)
    response = client.get(
        reverse("comms:send_check", args=[malee.pk]),
        {
            "template": welcome.pk,
            "purpose": welcome.purpose_id,
            "email_address": other.pk,
            "language": "th",
        },
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER_NAME="email_address",
    )
    assert "asked not to be contacted" not in response.content.decode()
    assert "disabled" not in response.content.decode().split('class="primary"')[1].split(">")[0]


def test_a_forced_post_is_refused_with_the_reason(client, staff, smtp, malee, welcome):
    address = malee.emailaddresss.get(is_primary=True)
    restrict(None, malee, scope="contact_point", contact_point=address, reason="ไม่ให้ส่งอีเมล")
    response = client.post(
        reverse("comms:send_email", args=[malee.pk]),
        {
            "template": welcome.pk,
            "purpose": welcome.purpose_id,
            "email_address": address.pk,
            "language": "en",
        },
    )
    assert response.status_code == 422
    assert "Not sent: The person asked not to be contacted at" in response.content.decode()
    assert smtp.messages == []
    assert not OutgoingEmail.objects.exists()


def test_sending_goes_back_to_the_person_with_a_message(client, staff, smtp, malee, welcome):
    address = malee.emailaddresss.get(is_primary=True)
    response = client.post(
        reverse("comms:send_email", args=[malee.pk]),
        {
            "template": welcome.pk,
            "purpose": welcome.purpose_id,
            "email_address": address.pk,
            "language": "en",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith(f"/people/{malee.pk}/#timeline")
    assert "Email sent to malee@example.co.th." in response.content.decode()
    assert smtp.messages[0].subject == "Hello Malee"


def test_choosing_a_template_shows_its_purpose(client, staff, malee, welcome, marketing):
    news = EmailTemplate.objects.create(
        name="News", purpose=marketing, subject_en="News", body_en="Hi {{ first_name }}"
    )
    response = client.get(
        reverse("comms:send_check", args=[malee.pk]),
        {
            "template": news.pk,
            "purpose": welcome.purpose_id,  # a purpose sent along is not a choice: ignored
            "email_address": malee.emailaddresss.first().pk,
            "language": "th",
        },
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER_NAME="template",
    )
    html = response.content.decode()
    assert 'name="purpose"' not in html
    assert str(marketing) in html
    # English is the template's only language; no consent to marketing: blocked.
    assert "Hi Malee" in html
    assert "The person has not given consent for this purpose." in html


def test_a_marketing_template_cannot_be_sent_as_a_legal_contact(client, staff, malee, marketing):
    """The purpose comes from the template: posting "legal contact" does not get a
    marketing email past the person's objection and restricted address."""
    from connexion.privacy.ledger.services import record_objection
    from connexion.privacy.models import Purpose

    news = EmailTemplate.objects.create(
        name="News", purpose=marketing, subject_en="News", body_en="Hi {{ first_name }}"
    )
    address = malee.emailaddresss.get(is_primary=True)
    record_objection(None, malee, marketing)
    restrict(None, malee, scope="contact_point", contact_point=address, reason="no email")
    legal = Purpose.objects.get(code="legal-contact")
    response = client.post(
        reverse("comms:send_email", args=[malee.pk]),
        {"template": news.pk, "purpose": legal.pk, "email_address": address.pk, "language": "en"},
    )
    assert response.status_code == 422
    assert "Not sent" in response.content.decode()
    assert not OutgoingEmail.objects.exists()


def test_a_role_without_the_inbox_cannot_send(client, make_user, malee, welcome):
    client.force_login(make_user("billing1", roles=("billing",)))
    assert client.get(reverse("comms:send_email", args=[malee.pk])).status_code == 403


def test_a_template_with_an_unknown_placeholder_is_refused(client, staff, product_contact):
    response = client.post(
        reverse("comms:template_create"),
        {
            "name": "Bad",
            "purpose": product_contact.pk,
            "subject_en": "Hi",
            "body_en": "Your ID is {{ person.national_id }}",
            "is_active": "on",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Unknown placeholder person.national_id" in html
    assert not EmailTemplate.objects.exists()


def test_a_template_is_created_and_edited(client, staff, product_contact):
    response = client.post(
        reverse("comms:template_create"),
        {
            "name": "Follow-up",
            "purpose": product_contact.pk,
            "subject_th": "ติดตาม",
            "body_th": "สวัสดีคุณ{{ first_name }}",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    template = EmailTemplate.objects.get(name="Follow-up")
    assert template.languages == ["th"]
    response = client.post(
        reverse("comms:template_edit", args=[template.pk]),
        {
            "name": "Follow-up",
            "purpose": product_contact.pk,
            "subject_th": "ติดตามผล",
            "body_th": "สวัสดีคุณ{{ first_name }}",
            "subject_en": "Only a subject",
        },
    )
    assert response.status_code == 422
    assert "Write the English body, or leave the subject empty." in response.content.decode()
    template.refresh_from_db()
    assert template.subject_th == "ติดตาม" and template.is_active
