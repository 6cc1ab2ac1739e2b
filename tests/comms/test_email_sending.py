"""Sending an email to a person: a real SMTP server receives it; the privacy
core's `may_use` blocks it when the person restricted the address, objected
to the purpose or withdrew consent."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from connexion.audit.models import AuditEvent
from connexion.comms.models import OutgoingEmail
from connexion.comms.services import SendRefused, send_email
from connexion.people.services import ContactDetails, create_person
from connexion.privacy.ledger.services import (
    give_consent,
    record_objection,
    restrict,
    withdraw_consent,
)
from tests.smtp_server import smtp_server


def _send(actor, person, template, purpose, *, language="th", address=None):
    # The send takes the template's purpose: these tests give the template theirs.
    template.purpose = purpose
    template.save()
    return send_email(
        actor,
        person,
        template=template,
        email_address=address or person.emailaddresss.get(is_primary=True),
        language=language,
    )


def test_the_email_reaches_the_server_with_its_placeholders_filled(
    smtp, make_user, malee, welcome, product_contact
):
    staff = make_user("wichai", first_name="Wichai", last_name="Saengthong")
    outgoing = _send(staff, malee, welcome, product_contact)

    assert outgoing.status == OutgoingEmail.Status.SENT
    [received] = smtp.messages
    assert received.envelope_to == ["malee@example.co.th"]
    assert received.subject == "สวัสดีคุณมาลี"
    assert "เรียน คุณมาลี ศรีสุข" in received.text
    assert "จาก Wichai Saengthong" in received.text
    assert received.message["Reply-To"] == "wichai@example.co.th"
    assert received.message["Message-ID"] == outgoing.message_id
    # What was sent is what is stored for the timeline.
    assert outgoing.subject == received.subject
    assert outgoing.body.splitlines() == received.text.splitlines()
    assert outgoing.to_address == "malee@example.co.th"
    assert outgoing.purpose == product_contact
    assert outgoing.sent_by == staff
    assert AuditEvent.objects.filter(action="comms.send_email", object_id=str(malee.pk)).exists()


def test_english_text_uses_the_latin_names_and_the_employer(
    smtp, make_user, malee, welcome, product_contact
):
    _send(make_user(), malee, welcome, product_contact, language="en")
    [received] = smtp.messages
    assert received.subject == "Hello Malee"
    assert "Dear นางสาว Malee Srisuk of Test Co., Ltd.," in received.text


def test_markup_in_a_name_is_escaped_in_the_html_part(
    smtp, make_user, malee, welcome, product_contact
):
    malee.first_name_en = '<script>alert("x")</script>'
    malee.save()
    _send(make_user(), malee, welcome, product_contact, language="en")
    [received] = smtp.messages
    assert "<script>" not in received.html
    assert "&lt;script&gt;" in received.html


def test_a_restricted_address_blocks_the_send(smtp, make_user, malee, welcome, product_contact):
    address = malee.emailaddresss.get(is_primary=True)
    restrict(None, malee, scope="contact_point", contact_point=address, reason="ไม่ให้ส่งอีเมล")
    staff = make_user()
    with translation.override("en"), pytest.raises(SendRefused) as refused:
        _send(staff, malee, welcome, product_contact)

    assert refused.value.decision.codes == ["contact_point_restricted"]
    assert "asked not to be contacted at malee@example.co.th" in refused.value.messages[0]
    assert smtp.messages == []
    assert not OutgoingEmail.objects.exists()
    logged = AuditEvent.objects.get(action="privacy.use_refused")
    assert logged.actor == staff
    assert logged.details["reasons"] == ["contact_point_restricted"]

    # The other address is not restricted.
    other = malee.emailaddresss.get(is_primary=False)
    assert _send(staff, malee, welcome, product_contact, address=other).status == "sent"
    assert [m.envelope_to for m in smtp.messages] == [["malee.home@example.com"]]


def test_an_objection_to_the_purpose_blocks_the_send(
    smtp, make_user, malee, welcome, product_contact
):
    record_objection(None, malee, product_contact, grounds="ไม่ต้องการให้ติดต่อ")
    with translation.override("en"), pytest.raises(SendRefused) as refused:
        _send(make_user(), malee, welcome, product_contact)
    assert refused.value.decision.codes == ["objection_pending"]
    assert "objected to this purpose" in refused.value.messages[0]
    assert smtp.messages == []


def test_withdrawn_consent_blocks_marketing_email(smtp, make_user, malee, welcome, marketing):
    staff = make_user()
    with pytest.raises(SendRefused):
        _send(staff, malee, welcome, marketing)  # never asked
    give_consent(None, malee, marketing, wording="ยินยอมรับข่าวสาร", channel="web_form")
    assert _send(staff, malee, welcome, marketing).status == "sent"
    withdraw_consent(None, malee, marketing, channel="privacy_center")
    with translation.override("th"), pytest.raises(SendRefused) as refused:
        _send(staff, malee, welcome, marketing)
    assert refused.value.decision.codes == ["consent_withdrawn"]
    assert "ถอน" in refused.value.messages[0]  # said in Thai for a Thai user
    assert len(smtp.messages) == 1


def test_a_relay_refusal_is_stored_as_failed(smtp, make_user, malee, welcome, product_contact):
    smtp.refuse_with = "554 Transaction failed"
    outgoing = _send(make_user(), malee, welcome, product_contact)
    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingEmail.Status.FAILED
    assert "554" in outgoing.error
    assert smtp.messages == []


def test_a_stopped_relay_is_stored_as_failed(settings, make_user, malee, welcome, product_contact):
    with smtp_server(settings) as inbox:
        port = inbox.port
    settings.EMAIL_PORT = port  # nothing listens there any more
    outgoing = _send(make_user(), malee, welcome, product_contact)
    assert outgoing.status == OutgoingEmail.Status.FAILED
    assert "ConnectionRefusedError" in outgoing.error


def test_bad_choices_are_refused_by_field_and_nothing_is_stored(
    smtp, make_user, malee, welcome, product_contact
):
    other = create_person(
        None,
        source=malee.source,
        first_name_th="สมชาย",
        contacts=ContactDetails(emails=["somchai@example.co.th"]),
    )
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _send(make_user(), malee, welcome, product_contact, address=other.emailaddresss.get())
    assert error.value.message_dict == {
        "email_address": ["This email address is not the person's."]
    }

    welcome.is_active = False
    welcome.save()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _send(make_user("other"), malee, welcome, product_contact)
    assert error.value.message_dict == {"template": ["This template is no longer in use."]}
    assert not OutgoingEmail.objects.exists()
    assert smtp.messages == []
