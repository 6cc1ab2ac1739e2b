"""Demo products, leads and deals across the stages of the default pipeline,
so that the board, the deal list and the person pages have something to show."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from connexion.accounts.models import User
from connexion.audit.models import AuditEvent
from connexion.people.models import Organization, Person
from connexion.sales.models import Lead, Pipeline, Product
from connexion.sales.services import deals as deal_services
from connexion.sales.services import leads as lead_services
from connexion.sales.services import products as product_services

# (code, Thai name, English name, price in satang)
PRODUCTS = [
    ("CRM-STD", "ระบบ CRM รุ่นมาตรฐาน (ต่อผู้ใช้ต่อปี)", "CRM Standard (per user per year)", 1_990_000),
    ("CRM-PRO", "ระบบ CRM รุ่นโปร (ต่อผู้ใช้ต่อปี)", "CRM Pro (per user per year)", 3_490_050),
    ("SUP-1Y", "บริการดูแลระบบรายปี", "Yearly support", 2_500_000),
    ("TRN-DAY", "อบรมการใช้งาน 1 วัน", "One-day training", 1_500_000),
    ("IMP-PKG", "ติดตั้งและย้ายข้อมูล", "Set-up and data migration", 4_500_000),
]
DEAL_TITLES = [
    "ระบบ CRM สำหรับฝ่ายขาย",
    "ต่ออายุสัญญาบริการ",
    "ขยายจำนวนผู้ใช้",
    "อบรมพนักงานใหม่",
    "ย้ายข้อมูลจากระบบเดิม",
    "โครงการนำร่องสาขาเชียงใหม่",
]
LEAD_TITLES = ["สนใจระบบ CRM", "ขอใบเสนอราคา", "สอบถามการอบรม", "ต้องการทดลองใช้", "สนใจบริการย้ายข้อมูล"]
LOST_REASONS = ["ราคาสูงกว่างบประมาณ", "เลือกผู้ให้บริการรายอื่น", "เลื่อนโครงการไปปีหน้า"]


def load_sales_demo(
    rng: random.Random, people: list[Person], organizations: list[Organization]
) -> None:
    if not people:
        return
    channel = AuditEvent.Channel.COMMAND
    owners = list(User.objects.filter(is_active=True).order_by("id")[:5]) or [None]
    products = [
        Product.objects.filter(code=code).first()
        or product_services.create_product(
            None, code=code, name_th=th, name_en=en, price=price, channel=channel
        )
        for code, th, en, price in PRODUCTS
    ]
    pipeline = Pipeline.objects.get(is_default=True)
    stages = list(pipeline.stages.all())
    open_stages = [s for s in stages if not s.is_closed]
    today = timezone.localdate()
    customers = [o for o in organizations if o.kind == Organization.Kind.CUSTOMER]
    for index, person in enumerate(rng.sample(people, min(40, len(people)))):
        stage = rng.choice(open_stages) if index % 4 else rng.choice(stages)
        lines = [
            deal_services.LineInput(product, rng.randrange(1, 20))
            for product in rng.sample(products, rng.randrange(0, 3))
        ]
        fields: dict = {
            "person": person,
            "organization": person.employer if person.employer in customers else None,
            "owner": rng.choice(owners),
            "expected_close_date": today + timedelta(days=rng.randrange(-20, 120)),
        }
        if not lines:
            fields["amount"] = rng.randrange(5_000, 900_000) * 100
        if index == 7:
            # A deal priced in dollars, with the rate recorded.
            lines = []
            fields.update(amount=12_500_00, currency="USD", exchange_rate=Decimal("35.42"))
        deal = deal_services.create_deal(
            None,
            title=rng.choice(DEAL_TITLES),
            pipeline=pipeline,
            lines=lines,
            channel=channel,
            **fields,
        )
        if stage != deal.stage:
            reason = rng.choice(LOST_REASONS) if stage.is_lost else ""
            deal_services.move_deal(None, deal, stage, lost_reason=reason, channel=channel)
    partner = next((o for o in organizations if o.kind == Organization.Kind.PARTNER), None)
    # A lead from a partner names the partner: only when the demo has one.
    sources = [s for s in Lead.SourceKind.values if partner or s != Lead.SourceKind.PARTNER]
    for index in range(20):
        known = index % 3 == 0
        person = rng.choice(people) if known else None
        source = rng.choice(sources)
        lead = lead_services.create_lead(
            None,
            title=rng.choice(LEAD_TITLES),
            person=person,
            first_name="" if known else rng.choice(["อรุณ", "Kanya", "สมพร", "Niran", "ดารุณี"]),
            last_name="" if known else rng.choice(["สายทอง", "Boonmee", "แก้วมณี"]),
            email="" if known else f"lead{index}@example.co.th",
            company_name=rng.choice(["", "ร้านกาแฟดอยช้าง", "Lanna Travel"]),
            source=source,
            source_detail={"referral": "ลูกค้าแนะนำ", "campaign": "งานแสดงสินค้า 2569"}.get(source, ""),
            partner=partner if source == Lead.SourceKind.PARTNER else None,
            products=rng.sample(products, rng.randrange(1, 3)),
            owner=rng.choice(owners),
            channel=channel,
        )
        if index % 5 == 1:
            lead_services.set_lead_status(None, lead, "contacted", channel=channel)
        elif index % 5 == 2:
            lead_services.set_lead_status(
                None, lead, "disqualified", reason="ไม่มีงบประมาณ", channel=channel
            )
        elif index % 5 == 3 and known:
            lead_services.convert_lead(
                None, lead, lead_services.Conversion(pipeline=pipeline), channel=channel
            )
