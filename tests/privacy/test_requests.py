"""The request queue's services: opening a request from each channel, the
neutral answer, one-time codes, the state machine, rectification and the other
kinds carried out, and the messages the person receives."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation

from connexion.audit.models import AuditEvent
from connexion.people.services import ContactDetails, create_person, create_source
from connexion.privacy.engines.holds import place_hold
from connexion.privacy.ledger.services import give_consent
from connexion.privacy.models import (
    ConsentEvent,
    ErasureRecord,
    Objection,
    OneTimeCode,
    RequestEvent,
    Restriction,
    SubjectRequest,
)
from connexion.privacy.subject_requests import (
    fulfilment,
    intake,
    rectification,
    rules,
    verification,
    workflow,
)
from tests.privacy.request_support import (
    code_in_last_mail,
    email_file,
    open_by_api,
    scan,
    wrong,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # Error messages are asserted in English; messages to people follow their language.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.SMS_BACKEND = ""
    settings.SMS_GATEWAY_URL = ""


@pytest.fixture
def staff(make_user):
    return make_user("dpo", roles=("privacy_officer",), language="en")


def verified(staff, request: SubjectRequest) -> SubjectRequest:
    return verification.verify_by_document(
        staff, request, document="id_card", note="Photo and name match; ends 5678"
    )


# --- opening a request ---------------------------------------------------------------


def test_a_request_gets_a_buddhist_era_reference_a_due_date_and_an_acknowledgement(staff, person):
    received = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    first = open_by_api(staff, received_at=received)
    second = open_by_api(staff, received_at=received + timedelta(hours=1))

    assert first.reference == "DSR-2569-00001"
    assert second.reference == "DSR-2569-00002"
    assert first.due_at == received + timedelta(days=30)
    assert first.person == person  # matched by the email given
    assert first.status == SubjectRequest.Status.RECEIVED
    assert list(first.events.values_list("kind", "to_status")) == [
        ("message", ""),
        ("status", "received"),
    ]
    acknowledgement = mail.outbox[0]
    assert acknowledgement.to == ["somsri@example.co.th"]
    assert "DSR-2569-00001" in acknowledgement.subject
    assert acknowledgement.subject.startswith("เราได้รับคำขอของท่านแล้ว")
    # The due date in the Buddhist Era, as the person reads dates.
    assert "1 เมษายน 2569" in acknowledgement.body
    assert "30 วัน" in acknowledgement.body


def test_the_reference_numbers_start_again_each_buddhist_era_year(staff, person):
    # 23:30 on 31 December in Bangkok is still 2568.
    december = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)
    january = datetime(2025, 12, 31, 17, 30, tzinfo=UTC)
    assert open_by_api(staff, received_at=december).reference == "DSR-2568-00001"
    assert open_by_api(staff, received_at=january).reference == "DSR-2569-00001"
    assert open_by_api(staff, received_at=december).reference == "DSR-2568-00002"


def test_an_english_request_is_answered_in_english(staff, person):
    request = open_by_api(staff, language="en", requester_name="Somsri Jaidee")
    message = mail.outbox[-1]
    assert message.subject == f"We have received your request ({request.reference})"
    assert "Dear Somsri Jaidee" in message.body
    assert "within 30 days" in message.body


def test_bad_input_names_each_field_and_writes_nothing(staff):
    with pytest.raises(ValidationError) as error:
        intake.open_request(
            staff,
            kind="everything",
            channel=SubjectRequest.Channel.API,
            requester_name=" ",
            description="",
            language="fr",
            phone="12",
            received_at=timezone.now() + timedelta(days=1),
        )
    assert set(error.value.message_dict) == {
        "kind",
        "requester_name",
        "description",
        "language",
        "requester_phone",
        "received_at",
    }
    with pytest.raises(ValidationError) as error:
        open_by_api(staff, email="")
    assert "requester_email" in error.value.message_dict
    assert SubjectRequest.objects.count() == 0
    assert mail.outbox == []


def test_staff_attach_the_email_or_the_scan_of_what_arrived(staff, person):
    values = {
        "kind": "access",
        "requester_name": "สมศรี ใจดี",
        "description": "ขอสำเนาข้อมูล",
        "language": "th",
        "email": "somsri@example.co.th",
    }
    for channel in ("email", "paper"):
        with pytest.raises(ValidationError) as error:
            intake.open_request(staff, channel=channel, **values)
        assert error.value.message_dict == {
            "attachment": ["Attach the email received or the scan of the letter."]
        }
    by_email = intake.open_request(
        staff, channel="email", attachment=email_file(), **values
    ).request
    on_paper = intake.open_request(staff, channel="paper", attachment=scan(), **values).request
    by_phone = intake.open_request(staff, channel="phone", **values).request
    assert by_email.attachment.read().startswith(b"From: Somsri")
    assert on_paper.attachment.name.startswith("requests/")
    assert {by_email.channel, on_paper.channel, by_phone.channel} == {"email", "paper", "phone"}
    assert {r.created_by for r in (by_email, on_paper, by_phone)} == {staff}


def test_rectification_values_are_checked_field_by_field(staff, person):
    with pytest.raises(ValidationError) as error:
        open_by_api(
            staff,
            kind="rectification",
            proposed_changes={
                "first_name_th": "สมศรีย์",
                "salary": "1000000",
                "date_of_birth": "31/12/2530",
                "national_id": "1234567890123",
                "email": "not an email",
            },
        )
    assert set(error.value.message_dict) == {
        "proposed_changes.salary",
        "proposed_changes.date_of_birth",
        "proposed_changes.national_id",
        "proposed_changes.email",
    }
    request = open_by_api(
        staff,
        kind="rectification",
        proposed_changes={"phone": "089 999 0000", "national_id": "1-1017-00230-70-8"},
    )
    assert request.proposed_changes == {"phone": "+66899990000", "national_id": "1101700230708"}


# --- the privacy center: the same neutral answer -----------------------------------


def _submit(email: str):
    return intake.submit_request(
        kind="access",
        requester_name="Somsri",
        description="Please send me a copy of my data",
        language="en",
        email=email,
    )


def test_a_request_for_nobody_gets_the_same_answer_as_one_for_a_customer(person):
    known = _submit("somsri@example.co.th")
    unknown = _submit("nobody@example.com")

    assert known.request.person == person
    assert unknown.request.person is None
    for submitted in (known, unknown):
        assert submitted.request.created_by is None
        assert submitted.request.channel == "privacy_center"
        assert len(submitted.secret) >= 30
    first, second = mail.outbox
    assert first.to == ["somsri@example.co.th"]
    assert second.to == ["nobody@example.com"]
    # Word for word the same, apart from the reference.
    assert first.subject.replace(known.request.reference, "REF") == second.subject.replace(
        unknown.request.reference, "REF"
    )
    assert first.body.replace(known.request.reference, "REF") == second.body.replace(
        unknown.request.reference, "REF"
    )
    assert [e.kind for e in known.request.events.all()] == [
        e.kind for e in unknown.request.events.all()
    ]


def test_the_follow_up_secret_opens_its_request_only(person):
    submitted = _submit("somsri@example.co.th")
    reference = submitted.request.reference
    assert intake.follow_request(reference, submitted.secret) == submitted.request
    assert intake.follow_request(reference.lower(), submitted.secret) == submitted.request
    assert intake.follow_request(reference, submitted.secret + "x") is None
    assert intake.follow_request(reference, "") is None
    assert intake.follow_request("DSR-2500-00001", submitted.secret) is None
    # Only a hash is kept.
    assert submitted.secret not in submitted.request.status_token_hash


# --- one-time codes ---------------------------------------------------------------------


def test_the_right_email_code_verifies_the_identity_and_only_hashes_are_kept(person):
    request = _submit("somsri@example.co.th").request
    verification.send_verification_code(None, request, channel="email")
    code = code_in_last_mail()
    assert request.status == "verifying"
    assert mail.outbox[-1].subject == f"Your verification code for request {request.reference}"
    stored = OneTimeCode.objects.get()
    assert code not in stored.code_hash and code not in stored.target_hash
    lifetime = stored.expires_at - stored.created_at
    assert abs(lifetime - timedelta(minutes=10)) < timedelta(seconds=1)
    assert not RequestEvent.objects.filter(text__contains=code).exists()

    verification.check_verification_code(None, request, f" {code[:3]} {code[3:]} ")

    request.refresh_from_db()
    assert request.status == "in_progress"
    assert request.verification == "email_code"
    assert request.verified_by is None
    assert request.verification_note == (
        "One-time code sent to s***@example.co.th, entered by the requester."
    )
    assert request.person == person
    assert mail.outbox[-1].subject.startswith("Your identity is verified")
    # A used code does not work twice.
    with pytest.raises(ValidationError):
        verification.check_verification_code(None, request, code)


def test_three_wrong_codes_kill_the_code_and_a_new_one_is_needed(person):
    request = _submit("somsri@example.co.th").request
    verification.send_verification_code(None, request, channel="email")
    code = code_in_last_mail()
    messages = []
    for _try in range(3):
        with pytest.raises(ValidationError) as error:
            verification.check_verification_code(None, request, wrong(code))
        messages.append(error.value.message_dict["code"][0])
    assert messages == [
        "Wrong code: 2 tries left.",
        "Wrong code: 1 tries left.",
        "Wrong code, 3 times: it no longer works. Ask for a new one.",
    ]
    # The tries were kept although each raised an error.
    assert OneTimeCode.objects.get().attempts == 3
    with pytest.raises(ValidationError) as error:
        verification.check_verification_code(None, request, code)
    assert error.value.message_dict["code"] == [
        "This code was entered wrongly 3 times and no longer works: ask for a new one."
    ]
    request.refresh_from_db()
    assert request.verified_at is None and request.status == "verifying"

    verification.send_verification_code(None, request, channel="email")
    verification.check_verification_code(None, request, code_in_last_mail())
    request.refresh_from_db()
    assert request.status == "in_progress"


def test_an_expired_code_is_refused_without_counting_a_try(person):
    request = _submit("somsri@example.co.th").request
    verification.send_verification_code(None, request, channel="email")
    code = code_in_last_mail()
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError) as error:
        verification.check_verification_code(None, request, code)
    assert error.value.message_dict["code"] == ["This code has expired: ask for a new one."]
    assert OneTimeCode.objects.get().attempts == 0


def test_a_new_code_replaces_the_previous_one(person):
    request = _submit("somsri@example.co.th").request
    verification.send_verification_code(None, request, channel="email")
    first = code_in_last_mail()
    verification.send_verification_code(None, request, channel="email")
    second = code_in_last_mail()
    if first != second:
        with pytest.raises(ValidationError):
            verification.check_verification_code(None, request, first)
    verification.check_verification_code(None, request, second)


def test_codes_per_hour_are_limited(person):
    request = _submit("somsri@example.co.th").request
    for _n in range(rules.CODES_PER_HOUR):
        verification.send_verification_code(None, request, channel="email")
    with pytest.raises(ValidationError) as error:
        verification.send_verification_code(None, request, channel="email")
    assert "Too many codes" in error.value.message_dict["channel"][0]


def test_a_phone_code_goes_through_the_sms_backend_to_the_outbox(staff, person, tmp_path):
    request = open_by_api(staff, email="", phone="081-234-5678", language="en")
    verification.send_verification_code(staff, request, channel="phone")
    (sms_file,) = (tmp_path / "sms").iterdir()
    text = sms_file.read_text()
    assert text.startswith("To: +66812345678\n")
    code = next(
        word for word in text.replace("(", " ").split() if word.isdigit() and len(word) == 6
    )
    message = request.events.get(kind="message", details__step="code")
    assert message.details == {"step": "code", "channel": "sms", "to": "+66*****678"}
    assert code not in message.text
    verification.check_verification_code(staff, request, code)
    request.refresh_from_db()
    assert request.verification == "phone_code"
    assert request.verified_by == staff
    assert "read out to staff" in request.verification_note


def test_a_code_at_an_address_not_on_the_record_does_not_prove_who_the_requester_is(person):
    # Someone gives the customer's phone number and their own email address.
    submitted = intake.submit_request(
        kind="access",
        requester_name="Somsri",
        description="copy please",
        language="en",
        email="somebody@example.com",
        phone="0812345678",
    )
    request = submitted.request
    assert request.person == person
    verification.send_verification_code(None, request, channel="email")
    verification.check_verification_code(None, request, code_in_last_mail())
    request.refresh_from_db()
    # The requester sees what anyone sees; the link to the customer is gone.
    assert request.status == "in_progress"
    assert request.person is None
    note = request.events.get(kind="note")
    assert "not on the record of the matched person" in note.text
    with pytest.raises(ValidationError) as error:
        workflow.link_person(None, request, person)
    assert "not on this person's record" in error.value.message_dict["person"][0]


def test_a_representative_needs_the_authority_document_before_verification(staff, person):
    request = open_by_api(staff, by_representative=True, representative_name="ทนายความ สมชาย")
    with pytest.raises(ValidationError) as error:
        verified(staff, request)
    assert "authority_document" in error.value.message_dict
    verification.record_representative(
        staff, request, name="ทนายความ สมชาย", authority_document=scan("poa.png")
    )
    verified(staff, request)
    request.refresh_from_db()
    assert request.authority_document.name.startswith("requests/authority/")
    assert request.verification == "document"
    assert request.verified_by == staff
    assert request.verification_note == "Thai national ID card: Photo and name match; ends 5678"


# --- the state machine ---------------------------------------------------------------


def test_an_unverified_request_can_neither_start_nor_be_completed(staff, person):
    request = open_by_api(staff)
    with pytest.raises(ValidationError) as error:
        workflow.complete_request(staff, request)
    assert error.value.message_dict["status"] == [
        "The requester's identity is not verified: a request cannot be completed before it is."
    ]
    with pytest.raises(ValidationError) as error:
        workflow.start_work(staff, request)
    assert "Verify the requester's identity" in error.value.message_dict["status"][0]
    request.refresh_from_db()
    assert request.status == "received"
    assert not request.events.filter(kind="status", to_status="completed").exists()


def test_a_complaint_needs_no_verification_and_records_the_pdpc_reference(staff, person):
    request = open_by_api(staff, kind="complaint", language="en", description="You spam me")
    workflow.start_work(staff, request)
    fulfilment.escalate_complaint(staff, request, regulator_reference="PDPC-2569-0173")
    workflow.complete_request(staff, request)
    request.refresh_from_db()
    assert request.status == "completed" and request.closed_at is not None
    assert request.regulator_reference == "PDPC-2569-0173"
    assert "reference PDPC-2569-0173" in mail.outbox[-1].body
    assert [e.to_status for e in request.events.filter(kind="status").order_by("id")] == [
        "received",
        "in_progress",
        "completed",
    ]


def test_a_rejection_needs_its_lawful_reason_which_the_person_is_told(staff, person):
    request = open_by_api(staff, language="en")
    with pytest.raises(ValidationError) as error:
        workflow.reject_request(staff, request, reason="  ")
    assert "reason" in error.value.message_dict
    workflow.reject_request(staff, request, reason="Manifestly unfounded (s.30 para 2)")
    request.refresh_from_db()
    assert request.status == "rejected"
    assert request.rejection_reason == "Manifestly unfounded (s.30 para 2)"
    assert "Manifestly unfounded (s.30 para 2)" in mail.outbox[-1].body
    assert "complain" in mail.outbox[-1].body
    # Final: nothing moves it again.
    for move in (
        lambda: workflow.withdraw_request(staff, request),
        lambda: workflow.transition(staff, request, "in_progress"),
        lambda: workflow.assign(staff, request, staff),
    ):
        with pytest.raises(ValidationError):
            move()
    request.refresh_from_db()
    assert request.status == "rejected"


def test_withdrawn_by_the_person_from_the_privacy_center(person):
    submitted = _submit("somsri@example.co.th")
    workflow.withdraw_request(None, submitted.request)
    assert submitted.request.status == "withdrawn"
    assert mail.outbox[-1].subject == f"Your request {submitted.request.reference} is withdrawn"


def test_every_change_is_audited_and_one_transaction(staff, person):
    request = open_by_api(staff)
    workflow.assign(staff, request, staff)
    workflow.add_note(staff, request, "Called the customer back")
    verified(staff, request)
    actions = list(
        AuditEvent.objects.filter(object_type="privacy.subjectrequest")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "privacy.request_open",
        "privacy.request_assign",
        "privacy.request_note",
        "privacy.request_verify",
    ]
    sales = type(staff).objects.create(username="seller", email="s@example.co.th")
    with pytest.raises(ValidationError) as error:
        workflow.assign(staff, request, sales)
    assert "no access to the privacy area" in error.value.message_dict["assigned_to"][0]
    request.refresh_from_db()
    assert request.assigned_to == staff


# --- rectification ---------------------------------------------------------------------


def test_rectification_accepted_and_rejected_field_by_field_with_history(staff, person):
    request = open_by_api(
        staff,
        kind="rectification",
        language="en",
        proposed_changes={
            "first_name_th": "สมศรีย์",
            "occupation": "นักบินอวกาศ",
            "email": "somsri.new@example.co.th",
        },
    )
    verified(staff, request)
    with pytest.raises(ValidationError) as error:
        rectification.decide_correction(staff, request, "occupation", accept=False)
    assert "reason" in error.value.message_dict

    rectification.decide_correction(staff, request, "first_name_th", accept=True)
    rectification.decide_correction(
        staff, request, "occupation", accept=False, reason="Our contract shows a teacher."
    )
    with pytest.raises(ValidationError) as error:
        workflow.complete_request(staff, request)
    assert error.value.message_dict["status"] == [
        "Accept or reject every requested correction first."
    ]
    rectification.decide_correction(staff, request, "email", accept=True)
    with pytest.raises(ValidationError):
        rectification.decide_correction(staff, request, "email", accept=True)

    person.refresh_from_db()
    assert person.first_name_th == "สมศรีย์"
    assert person.occupation == ""
    assert list(person.emailaddresss.values_list("email", "is_primary")) == [
        ("somsri.new@example.co.th", True)
    ]
    # Through the people services: the history of the record has the change.
    change = AuditEvent.objects.get(action="people.update_person", object_id=str(person.pk))
    assert change.details == {"first_name_th": ["สมศรี", "สมศรีย์"]}
    decision = request.events.get(kind="field_decision", details__field="first_name_th")
    assert decision.details["before"] == "สมศรี"

    workflow.complete_request(staff, request)
    body = mail.outbox[-1].body
    assert 'first name (Thai) → "สมศรีย์": corrected' in body
    assert 'occupation → "นักบินอวกาศ": not corrected, because: Our contract shows a teacher.' in body


def test_a_correction_the_record_refuses_is_reported_on_its_field_and_not_decided(staff, person):
    request = open_by_api(
        staff, kind="rectification", proposed_changes={"first_name_th": "", "last_name_th": ""}
    )
    verified(staff, request)
    rectification.decide_correction(staff, request, "first_name_th", accept=True)
    # Without a last name either, the record would have no name at all.
    with pytest.raises(ValidationError) as error:
        rectification.decide_correction(staff, request, "last_name_th", accept=True)
    assert error.value.message_dict == {
        "last_name_th": ["Give a first or last name, in Thai or Latin script."]
    }
    person.refresh_from_db()
    assert (person.first_name_th, person.last_name_th) == ("", "ใจดี")
    assert workflow.pending_fields(request) == ["last_name_th"]


# --- the other kinds, carried out through the privacy services ------------------------


def test_restriction_objection_and_withdrawal_go_through_the_privacy_services(
    staff, person, marketing
):
    phone = person.phonenumbers.get()
    restriction = open_by_api(staff, kind="restriction")
    verified(staff, restriction)
    with pytest.raises(ValidationError) as error:
        workflow.complete_request(staff, restriction)
    assert "Carry the request out first" in error.value.message_dict["status"][0]
    fulfilment.carry_out_restriction(
        staff, restriction, scope="contact_point", contact_point=phone, reason=""
    )
    workflow.complete_request(staff, restriction)
    assert Restriction.objects.get().contact_id == phone.pk
    assert Restriction.objects.get().reason == f"Request {restriction.reference}"

    objection = open_by_api(staff, kind="objection", description="ไม่ต้องการโฆษณา")
    verified(staff, objection)
    fulfilment.carry_out_objection(staff, objection, marketing)
    assert Objection.objects.get().status == "accepted"  # direct marketing: honoured at once

    give_consent(staff, person, marketing, wording="ยินยอม", channel="web_form")
    withdrawal = open_by_api(staff, kind="withdrawal")
    verified(staff, withdrawal)
    fulfilment.carry_out_withdrawal(staff, withdrawal, marketing)
    latest = ConsentEvent.objects.filter(person=person).first()
    assert (latest.action, latest.channel) == ("withdrawn", "api")
    workflow.complete_request(staff, withdrawal)
    assert "Consent to" in mail.outbox[-1].body

    # A restriction request cannot be used to withdraw a consent.
    with pytest.raises(ValidationError):
        fulfilment.carry_out_withdrawal(staff, restriction, marketing)


def test_a_request_for_a_person_we_do_not_hold_is_answered_no_data(staff):
    request = open_by_api(staff, email="stranger@example.com", language="en")
    assert request.person is None
    verified(staff, request)
    workflow.complete_request(staff, request)
    assert "We hold no personal data about you." in mail.outbox[-1].body


# --- erasure ------------------------------------------------------------------------------


def test_erasure_is_for_the_privacy_officer_with_the_typed_reference(staff, person, make_user):
    request = open_by_api(staff, kind="erasure", language="en")
    verified(staff, request)
    admin = make_user("admin", roles=("admin",))
    with pytest.raises(ValidationError) as error:
        fulfilment.carry_out_erasure(admin, request, confirmation=request.reference)
    assert error.value.message_dict["confirmation"] == [
        "Only a privacy officer may erase a person's data."
    ]
    with pytest.raises(ValidationError) as error:
        fulfilment.carry_out_erasure(staff, request, confirmation="DSR-2569-99999")
    assert request.reference in error.value.message_dict["confirmation"][0]
    assert ErasureRecord.objects.count() == 0

    fulfilment.carry_out_erasure(staff, request, confirmation=request.reference.lower())

    request.refresh_from_db()
    person.refresh_from_db()
    assert request.status == "completed"
    assert (
        person.anonymized_at is not None or not type(person).objects.filter(pk=person.pk).exists()
    )
    record = ErasureRecord.objects.get()
    assert record.request == request and record.approved_by == staff
    # Told at the address given, although the request no longer holds it.
    assert mail.outbox[-1].to == ["somsri@example.co.th"]
    assert mail.outbox[-1].subject == f"Your data has been erased (request {request.reference})"
    # Nothing in the request or its history names the person any more: not even
    # initials or the last digits; the request keeps its reference and kind.
    assert (request.requester_name, request.requester_email, request.requester_phone) == (
        "",
        "",
        "",
    )
    assert request.reference and request.kind == "erasure"
    # Its pages still open for the privacy officer, as proof it was answered.
    officer = Client()
    officer.force_login(staff)
    queue = "/data-protection/requests/?status=completed"
    for path in (f"/data-protection/requests/{request.pk}/", queue):
        page = officer.get(path)
        assert page.status_code == 200, path
        assert request.reference in page.content.decode()
    for event in request.events.all():
        assert "สมศรี" not in event.text and "somsri@example.co.th" not in event.text, event.text
        assert "somsri@example.co.th" not in str(event.details)


def test_erasure_under_a_legal_hold_is_refused_naming_the_hold(staff, person):
    place_hold(
        staff,
        person,
        reason="Tax invoices",
        legal_reference="Revenue Code s.87/3",
    )
    request = open_by_api(staff, kind="erasure", language="en")
    verified(staff, request)
    with pytest.raises(ValidationError) as error:
        fulfilment.carry_out_erasure(staff, request, confirmation=request.reference)
    assert "Revenue Code s.87/3" in error.value.message_dict["person"][0]
    request.refresh_from_db()
    person.refresh_from_db()
    assert request.status == "in_progress"
    assert person.anonymized_at is None
    assert ErasureRecord.objects.count() == 0


# --- people ------------------------------------------------------------------------------


def test_a_person_is_matched_only_when_exactly_one_has_the_address(staff, person):
    source = create_source(None, kind="direct", channel="phone")
    create_person(
        None,
        source=source,
        first_name_th="สมศักดิ์",
        contacts=ContactDetails(emails=["somsri@example.co.th"]),
    )
    assert open_by_api(staff).person is None


# --- access and portability (the export engine) --------------------------------------


def test_an_access_request_delivers_a_single_use_link_never_recorded(staff, person, client):
    request = open_by_api(staff, language="en")
    with pytest.raises(ValidationError) as error:
        fulfilment.deliver_export(staff, request)
    assert "Verify the requester's identity" in error.value.message_dict["status"][0]
    verified(staff, request)

    delivery = fulfilment.deliver_export(staff, request, base_url="https://crm.example.co.th/")

    assert delivery.link.startswith("https://crm.example.co.th/data-protection/exports/")
    message = mail.outbox[-1]
    assert message.to == ["somsri@example.co.th"]
    assert message.subject == f"Your data is ready to download (request {request.reference})"
    assert delivery.link in message.body
    token = delivery.link.rstrip("/").rsplit("/", 1)[1]
    assert not RequestEvent.objects.filter(text__contains=token).exists()
    assert delivery.event.details["to"] == "requester"
    assert request.exports.get().person == person

    path = delivery.link.removeprefix("https://crm.example.co.th")
    opened = client.get(path)  # a mail scanner opening the link uses nothing up
    assert opened.status_code == 200 and request.exports.get().downloaded_at is None
    first = client.post(path)
    assert first.status_code == 200
    assert request.exports.get().downloaded_at is not None  # the link is used up

    workflow.complete_request(staff, request)
    assert "Your data was delivered" in mail.outbox[-1].body


def test_portability_sends_the_bundle_to_the_other_controller(staff, person):
    access = open_by_api(staff)
    verified(staff, access)
    with pytest.raises(ValidationError) as error:
        fulfilment.deliver_export(staff, access, to_controller=True)
    assert "recipient_email" in error.value.message_dict
    request = open_by_api(
        staff,
        kind="portability",
        recipient_controller="ธนาคารตัวอย่าง",
        recipient_email="dpo@bank.example",
    )
    verified(staff, request)
    delivery = fulfilment.deliver_export(staff, request, to_controller=True)
    assert delivery.link == ""
    sent = mail.outbox[-1]
    assert sent.to == ["dpo@bank.example"]
    assert sent.attachments == []  # a single-use link, never the bundle itself
    assert "/data-protection/exports/" in sent.body
    assert request.exports.get().sent_to == "dpo@bank.example"
    workflow.complete_request(staff, request)
    request.refresh_from_db()
    assert request.status == "completed"


def test_a_merged_record_cannot_be_named_as_the_person_concerned(staff, person):
    source = create_source(None, kind="direct", channel="phone")
    kept = create_person(None, source=source, first_name_en="Kept")
    type(person).objects.filter(pk=person.pk).update(merged_into=kept)
    person.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        open_by_api(staff, person=person)
    assert error.value.message_dict["person"] == [
        "This record was merged or erased: choose the record in use."
    ]
    request = open_by_api(staff, email="other@example.com")
    with pytest.raises(ValidationError):
        workflow.link_person(staff, request, person)
    workflow.link_person(staff, request, kept)
    request.refresh_from_db()
    assert request.person == kept
