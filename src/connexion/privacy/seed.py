"""The first registry contents: the six purposes of the privacy policy (5.1-5.6)
plus direct marketing, and the policy itself as notice version 1."""

from pathlib import Path
from typing import Any

SEED_DIR = Path(__file__).parent / "seed"

PURPOSES = [
    {
        "code": "product-contact",
        "policy_clause": "5.1",
        "name_th": "ติดต่อสอบถามการใช้งานผลิตภัณฑ์ที่ท่านสนใจหรือสมัครใช้บริการไว้",
        "name_en": "Contact about products you are interested in or subscribed to",
        "lawful_basis": "legitimate_interest",
        "data_categories": ["3.1", "3.2", "3.4"],
    },
    {
        "code": "service",
        "policy_clause": "5.2",
        "name_th": "ให้บริการที่เกี่ยวข้องกับการใช้งานและการบำรุงรักษาระบบแอปพลิเคชัน",
        "name_en": "Service and maintenance of the application",
        "lawful_basis": "contract",
        "data_categories": ["3.1", "3.2", "3.5", "3.7"],
    },
    {
        "code": "usage-audit",
        "policy_clause": "5.3",
        "name_th": "ตรวจสอบการใช้บริการผลิตภัณฑ์และบริการ",
        "name_en": "Auditing the use of our products and services",
        "lawful_basis": "legitimate_interest",
        "data_categories": ["3.1", "3.5"],
    },
    {
        "code": "billing",
        "policy_clause": "5.4",
        "name_th": "เรียกเก็บเงินตามที่ได้รับอนุญาตเท่านั้น",
        "name_en": "Billing, only as authorized",
        "lawful_basis": "contract",
        "data_categories": ["3.1", "3.2", "3.6"],
    },
    {
        "code": "policy-notices",
        "policy_clause": "5.5",
        "name_th": "แจ้งการเปลี่ยนแปลงข้อกำหนดการให้บริการหรือนโยบายความเป็นส่วนตัว",
        "name_en": "Notices of changes to the terms or the privacy policy",
        "lawful_basis": "legal_obligation",
        "data_categories": ["3.1", "3.2"],
    },
    {
        "code": "legal-contact",
        "policy_clause": "5.6",
        "name_th": "ติดต่อด้วยเหตุผลทางด้านกฎหมาย",
        "name_en": "Contact for legal reasons",
        "lawful_basis": "legal_obligation",
        "data_categories": ["3.1", "3.2", "3.3"],
    },
    {
        "code": "direct-marketing",
        "policy_clause": "",
        "name_th": "การตลาดแบบตรง: ข่าวสารและข้อเสนอพิเศษ",
        "name_en": "Direct marketing: news and offers",
        "lawful_basis": "consent",
        "data_categories": ["3.1", "3.2"],
        "is_direct_marketing": True,
    },
]


def seed(
    apps: Any = None, schema_editor: Any = None, using: str = "default", **kwargs: Any
) -> None:
    """Creates what is missing, never overwrites: the privacy officer edits the
    registry afterwards. Runs as a data migration and after every migrate (a test
    database flush empties the tables and then sends post_migrate)."""
    from django.apps import apps as global_apps
    from django.utils import timezone

    apps = apps if hasattr(apps, "get_model") else global_apps
    Purpose = apps.get_model("privacy", "Purpose")
    PrivacyNotice = apps.get_model("privacy", "PrivacyNotice")
    for values in PURPOSES:
        Purpose.objects.using(using).get_or_create(code=values["code"], defaults=values)
    if not PrivacyNotice.objects.using(using).exists():
        PrivacyNotice.objects.using(using).create(
            version="1",
            text_th=(SEED_DIR / "privacy-policy.th.txt").read_text(encoding="utf-8"),
            text_en=(SEED_DIR / "privacy-policy.en.txt").read_text(encoding="utf-8"),
            effective_at=timezone.now(),
        )
    seed_retention_rules(apps, using)


# Policy clause 7, explained in docs/retention.md. Seeded once, into an empty table:
# the privacy officer edits them or switches them off afterwards (rules are never
# deleted, so a switched-off default does not come back).
RETENTION_RULES = [
    {
        "name_th": "ผู้สนใจที่ไม่มีความเคลื่อนไหว 24 เดือน",
        "name_en": "Prospects with no activity for 24 months",
        "description_th": (
            "ลบข้อมูลของผู้สนใจที่ไม่มีความเคลื่อนไหวเลย (ไม่มีการแก้ไขข้อมูล ไม่มีการให้หรือถอน"
            "ความยินยอม ไม่มีกิจกรรมการขาย) เป็นเวลา 24 เดือน สิ่งที่ต้องเก็บไว้ เช่น ดีล "
            "จะถูกทำให้ไม่สามารถระบุตัวบุคคลได้"
        ),
        "description_en": (
            "Erases the data of prospects with no activity at all (no change of their record, "
            "no consent given or withdrawn, no sales activity) for 24 months; what must stay, "
            "such as a deal, is anonymized."
        ),
        "lifecycle_stage": "prospect",
        "trigger": "no_activity",
        "months": 24,
        "action": "anonymize",
    },
    {
        "name_th": "ผู้เยี่ยมชมเว็บไซต์ที่ไม่มีความเคลื่อนไหว 12 เดือน",
        "name_en": "Website visitors with no activity for 12 months",
        "description_th": ("ลบข้อมูลของผู้เยี่ยมชมเว็บไซต์ที่ไม่ได้เป็นผู้สนใจหรือลูกค้า เมื่อไม่มีความเคลื่อนไหว 12 เดือน"),
        "description_en": (
            "Erases the data of website visitors who never became prospects or customers, "
            "after 12 months without activity."
        ),
        "lifecycle_stage": "visitor",
        "trigger": "no_activity",
        "months": 12,
        "action": "anonymize",
    },
    {
        "name_th": "อดีตลูกค้า: ข้อมูลการติดต่อ 12 เดือนหลังสิ้นสุดความสัมพันธ์",
        "name_en": "Former customers: contact details 12 months after the relationship ended",
        "description_th": (
            "ลบข้อมูลการติดต่อ (หมวด 3.2: อีเมล โทรศัพท์ บัญชีโซเชียล ที่อยู่) ของอดีตลูกค้า "
            "12 เดือนหลังจากเปลี่ยนสถานะเป็นอดีตลูกค้า ชื่อและประวัติการซื้อยังเก็บไว้"
        ),
        "description_en": (
            "Deletes the contact details (category 3.2: emails, phones, social accounts, "
            "addresses) of former customers 12 months after they became former customers; "
            "their name and purchase history stay."
        ),
        "lifecycle_stage": "former_customer",
        "category": "3.2",
        "trigger": "relationship_ended",
        "months": 12,
        "action": "delete_category",
    },
    {
        "name_th": "อดีตลูกค้า: ลบข้อมูลทั้งหมด 10 ปีหลังสิ้นสุดความสัมพันธ์",
        "name_en": "Former customers: everything 10 years after the relationship ended",
        "description_th": (
            "ลบข้อมูลทั้งหมดของอดีตลูกค้าเมื่อพ้นอายุความทั่วไป 10 ปี (ประมวลกฎหมายแพ่งและพาณิชย์ "
            "มาตรา 193/30) นับจากสิ้นสุดความสัมพันธ์"
        ),
        "description_en": (
            "Erases everything about a former customer once the general 10-year prescription "
            "period (Civil and Commercial Code s.193/30) has passed since the relationship ended."
        ),
        "lifecycle_stage": "former_customer",
        "trigger": "relationship_ended",
        "months": 120,
        "action": "anonymize",
    },
    {
        "name_th": "ข้อมูลการชำระเงิน: เก็บ 10 ปี แล้วลบ",
        "name_en": "Payment records: 10 years, then delete",
        "description_th": (
            "ลบข้อมูลการชำระเงิน (หมวด 3.6) ที่มีอายุเกิน 10 ปี รวมถึงที่เก็บไว้ตามกฎหมายหลังการลบข้อมูลของบุคคล"
        ),
        "description_en": (
            "Deletes payment records (category 3.6) older than 10 years, including those kept "
            "under a legal obligation after the person's data was erased."
        ),
        "category": "3.6",
        "trigger": "record_age",
        "months": 120,
        "action": "delete_category",
    },
]


def seed_retention_rules(apps: Any, using: str = "default") -> None:
    try:
        RetentionRule = apps.get_model("privacy", "RetentionRule")
    except LookupError:
        return  # the data migration of the registry runs before the model exists
    rules = RetentionRule.objects.using(using)
    if not rules.exists():
        rules.bulk_create(RetentionRule(**values) for values in RETENTION_RULES)
