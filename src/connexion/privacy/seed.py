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
