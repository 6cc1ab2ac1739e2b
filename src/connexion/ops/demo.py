"""Realistic Thai demo data: people with Thai and Latin names, Thai addresses
and phone numbers, and corporate customers with the people who work there.

Names are written in both scripts from paired lists (Faker's th_TH names have
no Latin spelling); foreign contacts come from Faker's English locale."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from faker import Faker

from connexion.audit.models import AuditEvent
from connexion.lib.phone import InvalidPhoneNumber, to_e164
from connexion.lib.thai import thai_id_check_digit
from connexion.people.models import Organization, Person, Source
from connexion.people.services import (
    ContactDetails,
    create_organization,
    create_person,
    create_source,
)
from connexion.privacy.ledger.services import (
    give_consent,
    record_breach,
    record_disclosure,
    record_objection,
    restrict,
    withdraw_consent,
)
from connexion.privacy.models import Purpose
from connexion.sales.demo import load_sales_demo
from connexion.sales.services.interests import record_product_interest
from connexion.sales.services.products import create_product

FEMALE_NAMES = [
    ("สมศรี", "Somsri"),
    ("มาลี", "Malee"),
    ("วิไลวรรณ", "Wilaiwan"),
    ("สุภาพร", "Supaporn"),
    ("กาญจนา", "Kanjana"),
    ("ปิยะนุช", "Piyanuch"),
    ("ณัฐธิดา", "Natthida"),
    ("อรุณี", "Arunee"),
    ("พิมพ์ชนก", "Pimchanok"),
    ("ศิริพร", "Siriporn"),
    ("จันทร์เพ็ญ", "Janpen"),
    ("ธิดารัตน์", "Thidarat"),
    ("รัตนา", "Rattana"),
    ("วรรณา", "Wanna"),
    ("อัญชลี", "Anchalee"),
    ("เบญจมาศ", "Benjamas"),
]
MALE_NAMES = [
    ("สมชาย", "Somchai"),
    ("ประยุทธ", "Prayut"),
    ("วิชัย", "Wichai"),
    ("สุรชัย", "Surachai"),
    ("อนุชา", "Anucha"),
    ("ธนากร", "Thanakorn"),
    ("ณัฐพล", "Nattapon"),
    ("กิตติศักดิ์", "Kittisak"),
    ("พงศกร", "Pongsakorn"),
    ("ชัยวัฒน์", "Chaiwat"),
    ("ธีรพงษ์", "Theerapong"),
    ("อภิชาติ", "Apichat"),
    ("วีระ", "Weera"),
    ("ศักดิ์ชัย", "Sakchai"),
    ("บุญมี", "Boonmee"),
    ("เอกชัย", "Ekkachai"),
]
LAST_NAMES = [
    ("ใจดี", "Jaidee"),
    ("รักไทย", "Rakthai"),
    ("ศรีสุข", "Srisuk"),
    ("แสงทอง", "Saengthong"),
    ("บุญมา", "Boonma"),
    ("วงศ์สวัสดิ์", "Wongsawat"),
    ("สุขสวัสดิ์", "Suksawat"),
    ("ทองดี", "Thongdee"),
    ("จันทร์หอม", "Janhom"),
    ("พรหมมา", "Promma"),
    ("เพชรรัตน์", "Petcharat"),
    ("สายบุญ", "Saiboon"),
    ("กิตติวงศ์", "Kittiwong"),
    ("ศรีวิไล", "Sriwilai"),
    ("มั่นคง", "Mankong"),
    ("ชัยมงคล", "Chaimongkol"),
    ("ธนสาร", "Thanasan"),
    ("อินทร์แก้ว", "Inkaew"),
]
NICKNAMES = ["แนน", "บีม", "ต้น", "ปุ๊", "ฝน", "เอ", "บอย", "มิ้นท์", "นก", "เก่ง", "ปลา", "โอ๊ต"]

# Real places, so that subdistrict, district, province and postcode agree.
PLACES = [
    ("ลุมพินี", "ปทุมวัน", "กรุงเทพมหานคร", "10330"),
    ("สีลม", "บางรัก", "กรุงเทพมหานคร", "10500"),
    ("จอมพล", "จตุจักร", "กรุงเทพมหานคร", "10900"),
    ("คลองเตยเหนือ", "วัฒนา", "กรุงเทพมหานคร", "10110"),
    ("ห้วยขวาง", "ห้วยขวาง", "กรุงเทพมหานคร", "10310"),
    ("บางกระสอ", "เมืองนนทบุรี", "นนทบุรี", "11000"),
    ("คลองหนึ่ง", "คลองหลวง", "ปทุมธานี", "12120"),
    ("ปากน้ำ", "เมืองสมุทรปราการ", "สมุทรปราการ", "10270"),
    ("ศรีภูมิ", "เมืองเชียงใหม่", "เชียงใหม่", "50200"),
    ("หนองหาร", "สันทราย", "เชียงใหม่", "50290"),
    ("ในเมือง", "เมืองขอนแก่น", "ขอนแก่น", "40000"),
    ("ในเมือง", "เมืองนครราชสีมา", "นครราชสีมา", "30000"),
    ("หนองปรือ", "บางละมุง", "ชลบุรี", "20150"),
    ("ศรีราชา", "ศรีราชา", "ชลบุรี", "20110"),
    ("ตลาดใหญ่", "เมืองภูเก็ต", "ภูเก็ต", "83000"),
    ("ป่าตอง", "กะทู้", "ภูเก็ต", "83150"),
    ("หาดใหญ่", "หาดใหญ่", "สงขลา", "90110"),
    ("เชิงเนิน", "เมืองระยอง", "ระยอง", "21000"),
    ("หมากแข้ง", "เมืองอุดรธานี", "อุดรธานี", "41000"),
    ("บ่อผุด", "เกาะสมุย", "สุราษฎร์ธานี", "84320"),
]
ROADS = [
    "สุขุมวิท",
    "พหลโยธิน",
    "รัชดาภิเษก",
    "สีลม",
    "พระรามที่ 4",
    "เพชรบุรี",
    "ลาดพร้าว",
    "นิมมานเหมินท์",
    "มิตรภาพ",
    "เทพประสิทธิ์",
    "ศรีนครินทร์",
    "",
]
VILLAGES = ["หมู่บ้านพฤกษา", "หมู่บ้านศุภาลัย", "อาคารสาทรซิตี้ทาวเวอร์", "คอนโดลุมพินีวิลล์", ""]

COMPANIES = [
    ("สยามเทคโนโลยี", "Siam Technology", "ซอฟต์แวร์"),
    ("โอเพนคลาวด์", "OpenCloud", "ซอฟต์แวร์"),
    ("ไทยรุ่งเรืองค้าส่ง", "Thai Rungruang Wholesale", "ค้าส่ง"),
    ("เชียงใหม่ฟู้ดส์", "Chiang Mai Foods", "อาหาร"),
    ("อันดามันรีสอร์ท", "Andaman Resort", "โรงแรม"),
    ("บางกอกโลจิสติกส์", "Bangkok Logistics", "ขนส่ง"),
    ("ศรีสยามการแพทย์", "Sri Siam Medical", "การแพทย์"),
    ("อีสานพลังงาน", "Isan Energy", "พลังงาน"),
    ("ทองไทยก่อสร้าง", "Thong Thai Construction", "ก่อสร้าง"),
    ("มหานครประกันภัย", "Mahanakorn Insurance", "ประกันภัย"),
]
POSITIONS = ["ผู้จัดการฝ่ายขาย", "ผู้อำนวยการ", "เจ้าหน้าที่จัดซื้อ", "นักบัญชี", "วิศวกร", "เลขานุการ"]


@dataclass
class DemoSummary:
    people: int
    organizations: int


def _thai_id(rng: random.Random, start: str) -> str:
    first_twelve = start + "".join(str(rng.randrange(10)) for _ in range(12 - len(start)))
    return first_twelve + str(thai_id_check_digit(first_twelve))


def _mobile(rng: random.Random) -> str:
    while True:  # not every 0[689]x block is allocated; draw until phonenumbers accepts it
        number = (
            f"0{rng.choice('689')}{rng.randrange(10)}-"
            f"{rng.randrange(1000):03d}-{rng.randrange(10000):04d}"
        )
        try:
            to_e164(number)
        except InvalidPhoneNumber:
            continue
        return number


def _address(rng: random.Random) -> dict[str, str]:
    subdistrict, district, province, postcode = rng.choice(PLACES)
    return {
        "house_number": f"{rng.randrange(1, 400)}/{rng.randrange(1, 90)}",
        "moo": str(rng.randrange(1, 12)) if province != "กรุงเทพมหานคร" else "",
        "building": rng.choice(VILLAGES),
        "soi": str(rng.randrange(1, 60)) if rng.random() < 0.5 else "",
        "road": rng.choice(ROADS),
        "subdistrict": subdistrict,
        "district": district,
        "province": province,
        "postcode": postcode,
    }


def _birth_date(rng: random.Random) -> date:
    return date(1955, 1, 1) + timedelta(days=rng.randrange(365 * 50))


@transaction.atomic
def load_demo_data(*, people: int = 120, organizations: int = 10, seed: int = 2569) -> DemoSummary:
    rng = random.Random(seed)
    foreign = Faker("en_US")
    foreign.seed_instance(seed)
    channel = AuditEvent.Channel.COMMAND
    source = create_source(
        None, kind=Source.Kind.DIRECT, channel=Source.Channel.IMPORT, note="demo data"
    )

    created_organizations: list[Organization] = []
    for index in range(organizations):
        name_th, name_en, industry = COMPANIES[index % len(COMPANIES)]
        suffix = f" {index // len(COMPANIES) + 1}" if index >= len(COMPANIES) else ""
        slug = name_en.lower().replace(" ", "")
        created_organizations.append(
            create_organization(
                None,
                source=source,
                channel=channel,
                kind=Organization.Kind.PARTNER if index % 5 == 4 else Organization.Kind.CUSTOMER,
                name_th=f"บริษัท {name_th}{suffix} จำกัด",
                name_en=f"{name_en}{suffix} Co., Ltd.",
                tax_id=_thai_id(rng, "0105"),  # juristic persons in Bangkok
                industry=industry,
                website=f"https://www.{slug}.co.th",
                contacts=ContactDetails(
                    emails=[f"contact@{slug}.co.th"],
                    phones=[
                        ("landline", f"02-{rng.randrange(100, 999)}-{rng.randrange(10000):04d}")
                    ],
                    addresses=[_address(rng)],
                ),
            )
        )

    stages = list(Person.Lifecycle.values)
    created_people: list[Person] = []
    for index in range(people):
        employer = (
            rng.choice(created_organizations) if created_organizations and index % 3 else None
        )
        if index % 10 == 9:
            # A foreign contact: Latin names only.
            female = rng.random() < 0.5
            first = foreign.first_name_female() if female else foreign.first_name_male()
            last = foreign.last_name()
            names = {
                "first_name_en": first,
                "last_name_en": last,
                "title": "Ms" if female else "Mr",
            }
            gender = Person.Gender.FEMALE if female else Person.Gender.MALE
            email_local = f"{first}.{last}".lower()
        else:
            female = rng.random() < 0.5
            first_th, first_en = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
            last_th, last_en = rng.choice(LAST_NAMES)
            names = {
                "first_name_th": first_th,
                "last_name_th": last_th,
                "first_name_en": first_en,
                "last_name_en": last_en,
                "title": rng.choice(["นาง", "นางสาว"]) if female else "นาย",
                "nickname_th": rng.choice(NICKNAMES) if rng.random() < 0.6 else "",
                "national_id": _thai_id(rng, "13") if rng.random() < 0.5 else "",
            }
            gender = Person.Gender.FEMALE if female else Person.Gender.MALE
            email_local = f"{first_en}.{last_en[:3]}{index}".lower()
        domain = employer.website.removeprefix("https://www.") if employer else "example.co.th"
        person = create_person(
            None,
            source=source,
            channel=channel,
            gender=gender,
            date_of_birth=_birth_date(rng) if rng.random() < 0.8 else None,
            lifecycle_stage=rng.choice(stages),
            employer=employer,
            position=rng.choice(POSITIONS) if employer else "",
            contacts=ContactDetails(
                emails=[f"{email_local}@{domain}"],
                phones=[("mobile", _mobile(rng))],
                addresses=[_address(rng)] if rng.random() < 0.7 else [],
            ),
            **names,
        )
        created_people.append(person)
    _load_privacy_demo(rng, created_people, created_organizations)
    load_sales_demo(rng, created_people, created_organizations)
    _load_activity_demo(rng, created_people)
    _load_request_demo(created_people)
    return DemoSummary(people=people, organizations=organizations)


def _load_privacy_demo(
    rng: random.Random, people: list[Person], organizations: list[Organization]
) -> None:
    """Consents, a restriction, objections, partner interests, a disclosure and
    a breach, so that the privacy pages have something real to show."""
    if not people:
        return
    channel = AuditEvent.Channel.COMMAND
    marketing = Purpose.objects.get(code="direct-marketing")
    product_contact = Purpose.objects.get(code="product-contact")
    wording = "ข้าพเจ้ายินยอมให้บริษัทส่งข่าวสารและข้อเสนอพิเศษถึงข้าพเจ้า"
    for person in people:
        roll = rng.random()
        if roll < 0.5:
            give_consent(
                None, person, marketing, wording=wording, channel="web_form", audit_channel=channel
            )
        if roll < 0.1:
            withdraw_consent(
                None, person, marketing, channel="privacy_center", audit_channel=channel
            )
    first = people[0]
    restrict(
        None,
        first,
        scope="contact_point",
        contact_point=first.phonenumbers.first(),
        reason="ลูกค้าขอไม่ให้โทรติดต่อ",
        audit_channel=channel,
    )
    record_objection(
        None,
        people[1 % len(people)],
        product_contact,
        grounds="ไม่ต้องการให้ติดต่อเรื่องผลิตภัณฑ์",
        audit_channel=channel,
    )
    partners = [o for o in organizations if o.kind == Organization.Kind.PARTNER]
    if partners:
        product = create_product(
            None,
            code="INS-CYBER",
            partner=partners[0],
            name_th="ประกันภัยไซเบอร์",
            name_en="Cyber insurance",
            price=350_000,
            channel=channel,
        )
        for person in rng.sample(people, min(5, len(people))):
            record_product_interest(None, person, product, "interested", channel=channel)
            record_disclosure(
                None,
                person,
                basis="partner",
                recipient=partners[0],
                product=product,
                categories=["3.1", "3.2"],
                reason="ส่งรายชื่อผู้สนใจประกันภัยไซเบอร์",
                audit_channel=channel,
            )
    now = timezone.now()
    record_breach(
        None,
        title="อีเมลส่งผิดผู้รับ",
        description="ส่งใบแจ้งหนี้ถึงลูกค้าผิดราย 1 ฉบับ",
        occurred_at=now - timedelta(hours=30),
        aware_at=now - timedelta(hours=20),
        categories=["3.1", "3.6"],
        people_affected=1,
        risk="risk",
        risk_reasoning="มีข้อมูลยอดชำระเงิน แต่ผู้รับยืนยันว่าลบแล้ว",
        audit_channel=channel,
    )


ACTIVITY_SUBJECTS = [
    ("call", "สอบถามราคาแพ็กเกจ", "ส่งใบเสนอราคา"),
    ("meeting", "นำเสนอระบบที่สำนักงานลูกค้า", "สนใจ ขอทดลองใช้"),
    ("email", "ส่งเอกสารประกอบการขาย", ""),
    ("chat", "ตอบคำถามทาง LINE", "นัดโทรกลับ"),
    ("visit", "เยี่ยมลูกค้าประจำไตรมาส", "พอใจบริการ"),
    ("note", "สรุปความต้องการ", ""),
]
TASK_TITLES = ["โทรติดตามใบเสนอราคา", "ส่งสัญญาให้ลงนาม", "นัดสาธิตระบบ", "ต่ออายุบริการ"]


def _load_activity_demo(rng: random.Random, people: list[Person]) -> None:
    """Activities, tasks (some overdue, some with reminders) and notes, so that
    the timelines, "my tasks" and the dashboards have something to show."""
    from connexion.accounts.models import User
    from connexion.sales.activities import services as activity_services

    if not people:
        return
    channel = AuditEvent.Channel.COMMAND
    staff = User.objects.filter(is_active=True).order_by("id").first()
    now = timezone.now()
    for person in rng.sample(people, min(40, len(people))):
        for _ in range(rng.randrange(1, 4)):
            kind, subject, outcome = rng.choice(ACTIVITY_SUBJECTS)
            activity_services.log_activity(
                None,
                kind=kind,
                subject=subject,
                outcome=outcome,
                occurred_at=now - timedelta(days=rng.randrange(0, 60), minutes=rng.randrange(600)),
                duration_minutes=rng.choice([None, 5, 15, 30, 60]),
                person=person,
                audit_channel=channel,
            )
    for index, person in enumerate(rng.sample(people, min(15, len(people)))):
        due = now + timedelta(days=rng.randrange(-3, 10), hours=rng.randrange(8))
        remind = due - timedelta(hours=1)
        task = activity_services.create_task(
            None,
            title=rng.choice(TASK_TITLES),
            person=person,
            assignee=staff,
            priority=rng.choice(["low", "normal", "normal", "high"]),
            due_at=due,
            remind_at=remind if staff and remind > now else None,
            audit_channel=channel,
        )
        if index % 5 == 4:
            activity_services.set_task_done(None, task, True, audit_channel=channel)
    for person in rng.sample(people, min(20, len(people))):
        activity_services.add_note(
            None,
            body="<p>ลูกค้าสนใจ <strong>แพ็กเกจรายปี</strong></p><ul><li>ต้องการใบกำกับภาษี</li>"
            "<li>ติดต่อช่วงบ่ายสะดวกที่สุด</li></ul>",
            person=person,
            audit_channel=channel,
        )


def _load_request_demo(people: list[Person]) -> None:
    """Data-subject requests at different points of their 30-day clock: a new
    one, one due in two days, one overdue, a complaint in progress and one refused."""
    from connexion.privacy.subject_requests import intake, workflow

    now = timezone.now()
    asking = [person for person in people if person.emailaddresss.exists()][:5]
    plans = [
        ("access", "privacy_center", 1, "ขอสำเนาข้อมูลส่วนบุคคลทั้งหมดที่บริษัทเก็บไว้"),
        ("erasure", "phone", 28, "ไม่ต้องการใช้บริการแล้ว ขอให้ลบข้อมูลของฉัน"),
        ("rectification", "privacy_center", 35, "ชื่อเล่นของฉันสะกดผิด"),
        ("complaint", "phone", 5, "ได้รับ SMS โฆษณาทั้งที่ถอนความยินยอมแล้ว"),
        ("objection", "privacy_center", 12, "ไม่ต้องการให้ใช้ข้อมูลเพื่อการตลาด"),
    ]
    for person, (kind, channel, days_ago, description) in zip(asking, plans, strict=False):
        request = intake.open_request(
            None,
            kind=kind,
            channel=channel,
            requester_name=str(person),
            description=description,
            language="th",
            email=person.emailaddresss.first().email,  # type: ignore[union-attr]
            person=person,
            received_at=now - timedelta(days=days_ago),
            proposed_changes={"nickname_th": "แอน"} if kind == "rectification" else None,
            audit_channel=AuditEvent.Channel.COMMAND,
        ).request
        if kind == "complaint":
            workflow.start_work(None, request, audit_channel=AuditEvent.Channel.COMMAND)
        elif kind == "objection":
            workflow.reject_request(
                None,
                request,
                reason="การใช้ข้อมูลเพื่อปฏิบัติตามสัญญาซื้อขาย คัดค้านไม่ได้ (มาตรา 32)",
                audit_channel=AuditEvent.Channel.COMMAND,
            )
