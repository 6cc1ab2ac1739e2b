"""A person with data in every table that can hold data about them, made
through the real services where they exist, for the export and erasure tests.
Names and numbers are unique to this module, so that a scan of the whole
database finds them only where this person's data is."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.utils import timezone

from connexion.imports import reading
from connexion.imports import services as imports
from connexion.imports.models import ImportJob
from connexion.lib.thai import thai_id_check_digit
from connexion.people.models import Organization, Person
from connexion.people.services import (
    ContactDetails,
    add_contact_point,
    add_organization_role,
    add_relationship,
    create_organization,
    create_person,
    create_source,
    update_person,
)
from connexion.privacy.ledger.services import (
    decide_objection,
    give_consent,
    lift_restriction,
    record_disclosure,
    record_objection,
    restrict,
    withdraw_consent,
)
from connexion.privacy.models import (
    DataExport,
    DataUse,
    LegalHold,
    OneTimeCode,
    Purpose,
    RequestEvent,
    SubjectRequest,
)
from connexion.sales.services.interests import record_product_interest
from connexion.sales.services.products import create_product


def thai_id(serial: int, prefix: str = "3") -> str:
    first12 = f"{prefix}{serial:011d}"
    return first12 + str(thai_id_check_digit(first12))


@dataclass
class Subject:
    person: Person
    # What identifies them, to look for after an erasure.
    values: list[str]
    # Rows of other people's that mention them.
    others: dict[str, Any] = field(default_factory=dict)


def someone(first_en: str, **fields: Any) -> Person:
    return create_person(
        None,
        source=create_source(None, kind="direct", channel="phone"),
        first_name_en=first_en,
        **fields,
    )


def _csv(rows: list[list[str]]) -> bytes:
    import csv

    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _import(actor: Any, rows: list[list[str]], *, run: bool) -> ImportJob:
    data = _csv(rows)
    table = reading.inspect(io.BytesIO(data), "contacts.csv", len(data))
    job = imports.create_job(actor, io.BytesIO(data), "contacts.csv", table)
    mapping = ["first_name_th", "last_name_th", "email", "mobile"]
    imports.configure_job(actor, job, mapping=mapping, source_kind="direct")
    if run:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
        imports.run_import(job.pk)
    job.refresh_from_db()
    return job


def make_subject(actor: Any, *, serial: int = 1, with_links: bool = True) -> Subject:
    """The person, with data in every registered table, and rows of other
    people that point at them."""
    tag = f"{serial:02d}"
    first_th, last_th = f"ลบทิ้ง{tag}", f"วงศ์สุดท้าย{tag}"
    first_en, last_en = f"Zebulon{tag}", f"Quillfeather{tag}"
    email = f"zebulon{tag}.q@erasure.example"
    mobile = f"0812{serial:06d}"
    national_id = thai_id(777000 + serial)
    passport = f"ZQ{serial:07d}"
    referrer = someone(f"Referrer{tag}", last_name_en="Okafor")
    partner = create_organization(
        None,
        source=create_source(None, kind="direct", channel="email"),
        kind=Organization.Kind.PARTNER,
        name_en=f"Partner{tag} Insurance",
    )
    employer = create_organization(
        None,
        source=create_source(None, kind="direct", channel="email"),
        name_th=f"บริษัทนายจ้าง{tag}จำกัด",
    )
    person = create_person(
        actor,
        source=create_source(
            actor, kind="related_person", channel="phone", related_person=referrer
        ),
        title="นาย",
        first_name_th=first_th,
        middle_name_th=f"กลาง{tag}",
        last_name_th=last_th,
        nickname_th=f"เล่นชื่อ{tag}",
        first_name_en=first_en,
        middle_name_en=f"Middleton{tag}",
        last_name_en=last_en,
        nickname_en=f"Zeb{tag}x",
        gender="male",
        date_of_birth=date(1985, 3, 15),
        national_id=national_id,
        passport_number=passport,
        passport_country="TH",
        occupation=f"Cartographer{tag}",
        employer=employer,
        employer_name=f"Workshop{tag} Ltd",
        position=f"Chief{tag} Surveyor",
        lifecycle_stage="prospect",
        tags=[f"vip{tag}"],
        contacts=ContactDetails(
            emails=[email, f"z{tag}.work@erasure.example"],
            phones=[("mobile", mobile), ("fax", f"022{serial:06d}")],
            socials=[("line", f"zebline{tag}", f"U{serial:09d}")],
            addresses=[
                {
                    "house_number": f"{serial}/99",
                    "moo": "7",
                    "building": f"หมู่บ้านลบ{tag}",
                    "soi": f"ซอยลบ{tag}",
                    "road": f"ถนนลบ{tag}",
                    "subdistrict": "ลาดยาว",
                    "district": "จตุจักร",
                    "province": "กรุงเทพมหานคร",
                    "postcode": "10900",
                    "label": f"home{tag}",
                }
            ],
        ),
    )
    update_person(actor, person, lifecycle_stage="customer")
    given = create_source(actor, kind="direct", channel="email")
    add_contact_point(
        actor,
        person,
        "email",
        {"email": f"z{tag}.label@erasure.example", "label": "work"},
        source=given,
    )
    add_contact_point(
        actor,
        person,
        "phone",
        {"kind": "landline", "number": f"023{serial:06d}", "label": "office"},
        source=given,
    )
    add_contact_point(
        actor,
        person,
        "social",
        {"platform": "facebook", "handle": f"zebface{tag}", "label": "personal"},
        source=given,
    )
    add_contact_point(
        actor,
        person,
        "address",
        {"country": "JP", "foreign_address": f"1-2-3 Shibuya{tag}, Tokyo", "label": "abroad"},
        source=given,
    )
    add_organization_role(
        actor,
        person,
        employer,
        "shareholder",
        share_percent=12.5,
        start_date=date(2020, 1, 1),
        end_date=date(2024, 1, 1),
    )
    add_relationship(actor, person, referrer, "referred_by", note=f"met at fair {tag}")

    purposes = {purpose.code: purpose for purpose in Purpose.objects.all()}
    evidence = ContentFile(f"signed form of {first_en} {last_en} {email}".encode(), "form.txt")
    give_consent(
        actor,
        person,
        purposes["direct-marketing"],
        wording=f"ยินยอม {tag}",
        channel="paper",
        ip_address="203.0.113.7",
        user_agent=f"Browser{tag}",
        evidence=evidence,
    )
    withdraw_consent(actor, person, purposes["direct-marketing"], channel="email")
    phone = person.phonenumbers.get(kind="mobile")
    restrict(
        actor,
        person,
        scope="contact_point",
        reason=f"no calls please {tag}",
        contact_point=phone,
        ends_at=timezone.now() + timedelta(days=30),
    )
    lifted = restrict(actor, person, scope="category", category="3.5", reason=f"usage {tag}")
    lift_restriction(actor, lifted)
    objection = record_objection(
        actor, person, purposes["usage-audit"], grounds=f"my grounds {tag}"
    )
    decide_objection(actor, objection, accept=False, reason=f"needed for security {tag}")
    product = create_product(
        None,
        code=f"COVER-{tag}",
        partner=partner,
        name_th=f"ประกัน{tag}",
        name_en=f"Cover{tag}",
        price=0,
    )
    record_product_interest(
        actor, person, product, "bought", source="referral", source_detail=f"referred by {tag}"
    )
    record_disclosure(
        actor,
        person,
        basis="legal_obligation",
        categories=["3.1", "3.2"],
        fields=["first_name_th", "email"],
        reason=f"court order about {first_en} {last_en}",
        recipient_name=f"Civil Court {tag}",
        legal_reference=f"Order {tag}/2569",
    )
    request = SubjectRequest.objects.create(
        reference=f"DSR-{tag}-0001",
        kind="access",
        channel="email",
        status="completed",
        person=person,
        requester_name=f"{first_th} {last_th}",
        requester_email=email,
        requester_phone="+66" + mobile[1:],
        language="th",
        description=f"ขอสำเนาข้อมูลของ {first_th}",
        proposed_changes={"first_name_en": f"{first_en}-new"},
        recipient_controller=f"Other Co {tag}",
        recipient_email=f"dpo{tag}@other.example",
        regulator_reference=f"PDPC-{tag}",
        attachment=ContentFile(f"email from {email}".encode(), "message.eml"),
        by_representative=True,
        representative_name=f"Lawyer{tag} Mbeki",
        authority_document=ContentFile(f"power of attorney {national_id}".encode(), "poa.pdf"),
        verification="document",
        verification_note=f"checked card {national_id}",
        received_at=timezone.now() - timedelta(days=5),
        due_at=timezone.now() + timedelta(days=25),
        closed_at=timezone.now(),
        rejection_reason=f"partly refused {tag}",
    )
    # FileFields given a ContentFile are saved by the model's save.
    RequestEvent.objects.create(
        request=request,
        kind="message",
        text=f"เรียนคุณ{first_th} ข้อมูลของท่านพร้อมแล้ว",
        details={"to": email},
        occurred_at=timezone.now(),
    )
    OneTimeCode.objects.create(
        use="request",
        request=request,
        target_hash="a" * 64,
        channel="email",
        code_hash="b" * 64,
        expires_at=timezone.now() + timedelta(minutes=10),
    )
    LegalHold.objects.create(
        person=person,
        reason=f"tax audit of {first_en}",
        legal_reference=f"Revenue Code s.87/3 ({tag})",
        starts_at=timezone.now() - timedelta(days=400),
        ends_at=timezone.now() - timedelta(days=30),
        lifted_at=timezone.now() - timedelta(days=30),
    )
    DataExport.objects.create(
        person=person,
        language="th",
        token_hash=f"{serial:064d}",
        expires_at=timezone.now() + timedelta(hours=1),
        sent_to=f"dpo{tag}@other.example",
        file=ContentFile(f"old bundle {first_en} {email}".encode(), "old.zip"),
    )
    DataUse.objects.create(
        person=person,
        purpose=Purpose.objects.get(code="legal-contact"),
        action=DataUse.Action.EMAIL,
        contact_kind="email",
        contact_id=person.emailaddresss.first().pk,
        allowed=False,
        refusals=["legal_reference"],
        reference=f"Order {tag}/2569 for {first_en}",
        used_by=actor,
        used_at=timezone.now(),
    )

    others: dict[str, Any] = {"referrer": referrer}
    _sales(actor, person, tag, others, with_links)
    _comms(person, tag, email)
    _documents(actor, person, tag, national_id)
    _portal(person, tag, email)

    # An import that skipped them as a duplicate keeps their row in its report,
    # and a file waiting to be imported holds them too.
    header = ["ชื่อ", "นามสกุล", "อีเมล", "มือถือ"]
    _import(actor, [header, [first_th, last_th, email, mobile]], run=True)
    waiting = _import(
        actor,
        [
            header,
            ["สมหมาย", "คงอยู่", "sommai@keep.example", "0899999999"],
            [first_th, last_th, email, mobile],
        ],
        run=False,
    )
    others["waiting_import"] = waiting

    if with_links:
        # Someone they referred: the source of that person's data names them.
        referred = create_person(
            actor,
            source=create_source(
                actor, kind="related_person", channel="phone", related_person=person
            ),
            first_name_en=f"Referred{tag}",
        )
        colleague = someone(f"Colleague{tag}")
        add_relationship(actor, colleague, person, "colleague")
        others |= {"referred": referred, "colleague": colleague}

    values = [
        first_th,
        last_th,
        first_en,
        last_en,
        f"Middleton{tag}",
        f"เล่นชื่อ{tag}",
        email,
        f"z{tag}.work@erasure.example",
        "+66" + mobile[1:],
        mobile,
        national_id,
        passport,
    ]
    return Subject(person, values, others)


def _sales(actor: Any, person: Person, tag: str, others: dict[str, Any], links: bool) -> None:
    if not apps.is_installed("connexion.sales"):
        return
    from connexion.sales.models import Activity, Note, Pipeline, Product, Reminder, Task
    from connexion.sales.services import deals as deal_services
    from connexion.sales.services import leads as lead_services

    pipeline = Pipeline.objects.get(is_default=True)
    product = Product.objects.create(code=f"P{tag}", name_en=f"Plan{tag}", price=100_00)
    lead = lead_services.create_lead(
        actor,
        title=f"Interest of {person.first_name_en}",
        person=person,
        first_name=person.first_name_en,
        last_name=person.last_name_en,
        email=f"lead{tag}@erasure.example",
        phone="+66" + f"0812{int(tag):06d}"[1:],
        company_name=f"Zeb{tag} Trading",
        source="referral",
        source_detail=f"fair booth {tag}",
        products=[product],
    )
    lead = lead_services.set_lead_status(
        actor, lead, "disqualified", reason=f"budget of {person.first_name_en}"
    )
    deal_services.create_deal(
        actor,
        title=f"Deal with {person.first_name_en} {person.last_name_en}",
        pipeline=pipeline,
        person=person,
        lead=lead,
        currency="USD",
        exchange_rate=Decimal("35.5"),
        expected_close_date=date(2026, 12, 31),
        lost_reason="",
        lines=[deal_services.LineInput(product=product, quantity=3, unit_price=1_000_00)],
    )
    lost = deal_services.create_deal(
        actor, title=f"Second try {tag}", pipeline=pipeline, person=person
    )
    deal_services.move_deal(
        actor, lost, pipeline.stages.get(is_lost=True), lost_reason=f"went elsewhere {tag}"
    )
    Activity.objects.create(
        kind="call",
        subject=f"Call with {person.first_name_en}",
        body=f"{person.first_name_th} asked about prices",
        occurred_at=timezone.now() - timedelta(days=2),
        duration_minutes=15,
        outcome=f"call back {tag}",
        person=person,
    )
    task = Task.objects.create(
        title=f"Send quote to {person.last_name_en}",
        description=f"email {person.first_name_en}",
        due_at=timezone.now() + timedelta(days=3),
        person=person,
    )
    if actor is not None:
        Reminder.objects.create(user=actor, task=task, due_at=task.due_at)
    Note.objects.create(body_html=f"<p>{person.first_name_th} likes golf</p>", person=person)
    if links:
        other = someone(f"Other{tag}")
        meeting = Activity.objects.create(
            kind="meeting",
            subject=f"Meeting{tag} with several",
            occurred_at=timezone.now() - timedelta(days=1),
            person=other,
        )
        meeting.participants.add(person)
        referred_lead = lead_services.create_lead(
            actor, title=f"Lead{tag} of another", first_name=f"Another{tag}", referred_by=person
        )
        others |= {"meeting": meeting, "referred_lead": referred_lead}


def _documents(actor: Any, person: Person, tag: str, national_id: str) -> None:
    if not apps.is_installed("connexion.documents"):
        return
    from connexion.documents.services import upload_document

    pdf = f"%PDF-1.4\n% power of attorney {national_id} {person.first_name_en}\n%%EOF\n"
    upload_document(
        actor,
        person,
        kind="power_of_attorney",
        data=pdf.encode(),
        uploaded_name=f"poa-{person.first_name_en}.pdf",
        signer_name=f"{person.first_name_en} {person.last_name_en}",
        authority_granted=f"sign contracts for {tag}",
        valid_from=date(2024, 1, 1),
        valid_until=date(2027, 1, 1),
    )


def _portal(person: Person, tag: str, email: str) -> None:
    if not apps.is_installed("connexion.portal"):
        return
    from connexion.portal.models import (
        CookieConsent,
        NoticeAnnouncement,
        NoticeDelivery,
        PortalLink,
        WebForm,
        WebFormSubmission,
    )
    from connexion.privacy.models import PrivacyNotice

    now = timezone.now()
    visitor = f"visitor-{tag}-{person.pk}"
    CookieConsent.objects.create(
        visitor_id=visitor,
        policy_version=1,
        action="choose",
        preferences=True,
        analytics=False,
        marketing=True,
        occurred_at=now - timedelta(days=3),
        ip_address="203.0.113.8",
        user_agent=f"CookieBrowser{tag}",
        page_origin=f"https://shop{tag}.example",
        person=person,
        linked_at=now - timedelta(days=2),
    )
    form = WebForm.objects.create(
        name_th=f"ฟอร์ม{tag}", name_en=f"Form{tag}", key=f"form-{tag}-{person.pk}"
    )
    WebFormSubmission.objects.create(
        form=form,
        person=person,
        submitted_at=now - timedelta(days=4),
        created_person=True,
        unapplied={"first_name_en": f"{person.first_name_en}-typo"},
        consents=["direct-marketing"],
        visitor_id=visitor,
        ip_address="203.0.113.9",
        user_agent=f"FormBrowser{tag}",
    )
    notice = PrivacyNotice.objects.order_by("-effective_at").first()
    announcement = NoticeAnnouncement.objects.create(
        notice=notice, started_at=now, base_url="https://crm.example"
    )
    NoticeDelivery.objects.create(
        announcement=announcement,
        notice=notice,
        person=person,
        channel="email",
        sent_to=f"{email[0]}***@erasure.example",
        status="sent",
        reason=f"renewal asked {tag}",
        renewal_purposes=["direct-marketing"],
        sent_at=now,
    )
    PortalLink.objects.create(
        token_hash=f"{person.pk:064d}",
        use="renew",
        person=person,
        expires_at=now + timedelta(days=7),
    )


def _comms(person: Person, tag: str, email: str) -> None:
    if not apps.is_installed("connexion.comms"):
        return
    from connexion.comms.models import OutgoingEmail

    OutgoingEmail.objects.create(
        person=person,
        email_address=person.emailaddresss.get(email=email),
        to_address=email,
        purpose=Purpose.objects.get(code="product-contact"),
        language="th",
        subject=f"สวัสดีคุณ{person.first_name_th}",
        body=f"เรียนคุณ{person.first_name_th} {person.last_name_th}",
        sent_at=timezone.now(),
        status="sent",
        message_id=f"<m{tag}@connexion>",
    )
    OutgoingEmail.objects.create(
        person=person,
        to_address=email,
        purpose=Purpose.objects.get(code="product-contact"),
        language="en",
        subject=f"Hello {person.first_name_en}",
        body=f"Dear {person.first_name_en}",
        sent_at=timezone.now(),
        status="failed",
        error=f"550 mailbox of {email} unavailable",
    )
