"""The personal-data registry: every field of every model that describes a
data subject, declared once with its data category (policy 3.1-3.7) and its
sensitivity. Export, erasure, field permissions and the record of processing
read this; a test fails when a model field is in neither list."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    PERSONAL = "3.1", _("3.1 personal details")
    CONTACT = "3.2", _("3.2 contact details")
    IDENTITY = "3.3", _("3.3 identity verification")
    WORK = "3.4", _("3.4 work details")
    SERVICE_USAGE = "3.5", _("3.5 service usage")
    PAYMENT = "3.6", _("3.6 payment")
    COMMUNICATIONS = "3.7", _("3.7 communications")


class Sensitivity(models.TextChoices):
    NORMAL = "normal", _("normal")
    RESTRICTED = "restricted", _("restricted")  # shown only to roles with the category


@dataclass(frozen=True)
class PersonalField:
    category: Category
    sensitivity: Sensitivity = Sensitivity.NORMAL


P, C, ID, W = Category.PERSONAL, Category.CONTACT, Category.IDENTITY, Category.WORK
USAGE, OTHER = Category.SERVICE_USAGE, Category.COMMUNICATIONS
RESTRICTED = Sensitivity.RESTRICTED

# model label -> {field name: PersonalField}
PERSONAL_FIELDS: dict[str, dict[str, PersonalField]] = {
    "people.person": {
        "title": PersonalField(P),
        "first_name_th": PersonalField(P),
        "middle_name_th": PersonalField(P),
        "last_name_th": PersonalField(P),
        "nickname_th": PersonalField(P),
        "first_name_en": PersonalField(P),
        "middle_name_en": PersonalField(P),
        "last_name_en": PersonalField(P),
        "nickname_en": PersonalField(P),
        "gender": PersonalField(P),
        "date_of_birth": PersonalField(P),
        "national_id": PersonalField(ID, RESTRICTED),
        "passport_number": PersonalField(ID, RESTRICTED),
        "passport_country": PersonalField(ID),
        "occupation": PersonalField(W),
        "employer": PersonalField(W),
        "employer_name": PersonalField(W),
        "position": PersonalField(W),
        "search_text": PersonalField(C),
    },
    "people.emailaddress": {"email": PersonalField(C), "label": PersonalField(C)},
    "people.phonenumber": {
        "number": PersonalField(C),
        "kind": PersonalField(C),
        "label": PersonalField(C),
    },
    "people.socialaccount": {
        "platform": PersonalField(C),
        "handle": PersonalField(C),
        "platform_user_id": PersonalField(C),
        "label": PersonalField(C),
    },
    "people.postaladdress": {
        name: PersonalField(C)
        for name in [
            "house_number",
            "moo",
            "building",
            "soi",
            "road",
            "subdistrict",
            "district",
            "province",
            "postcode",
            "country",
            "foreign_address",
            "label",
        ]
    },
    "people.organizationrole": {
        "role": PersonalField(W),
        "share_percent": PersonalField(W),
        "start_date": PersonalField(W),
        "end_date": PersonalField(W),
    },
    "people.relationship": {"kind": PersonalField(P), "note": PersonalField(P)},
    "people.lifecyclechange": {"stage": PersonalField(P)},
    # The privacy ledger: what the person said and did about their data.
    "privacy.consentevent": {
        "action": PersonalField(OTHER),
        "wording": PersonalField(OTHER),
        "wording_hash": PersonalField(OTHER),
        "channel": PersonalField(OTHER),
        "occurred_at": PersonalField(OTHER),
        "ip_address": PersonalField(USAGE),
        "user_agent": PersonalField(USAGE),
        "evidence": PersonalField(OTHER, RESTRICTED),
    },
    "privacy.restriction": {
        "scope": PersonalField(OTHER),
        "contact_kind": PersonalField(OTHER),
        "contact_id": PersonalField(OTHER),
        "category": PersonalField(OTHER),
        "reason": PersonalField(OTHER),
        "starts_at": PersonalField(OTHER),
        "ends_at": PersonalField(OTHER),
        "lifted_at": PersonalField(OTHER),
    },
    "privacy.objection": {
        "received_at": PersonalField(OTHER),
        "grounds": PersonalField(OTHER),
        "status": PersonalField(OTHER),
        "decided_at": PersonalField(OTHER),
        "decision_reason": PersonalField(OTHER),
    },
    "privacy.productinterest": {"kind": PersonalField(USAGE), "since": PersonalField(USAGE)},
    # Requests the person made about their data, and the legal holds on it.
    "privacy.subjectrequest": {
        "requester_name": PersonalField(P),
        "requester_email": PersonalField(C),
        "requester_phone": PersonalField(C),
        "description": PersonalField(OTHER),
        "proposed_changes": PersonalField(OTHER),
        "attachment": PersonalField(OTHER, RESTRICTED),
        "representative_name": PersonalField(OTHER),
        "authority_document": PersonalField(ID, RESTRICTED),
        "verification_note": PersonalField(ID),
        "kind": PersonalField(OTHER),
        "channel": PersonalField(OTHER),
        "status": PersonalField(OTHER),
        "received_at": PersonalField(OTHER),
        "closed_at": PersonalField(OTHER),
        "rejection_reason": PersonalField(OTHER),
        "recipient_controller": PersonalField(OTHER),
        "recipient_email": PersonalField(OTHER),
        "regulator_reference": PersonalField(OTHER),
    },
    "privacy.requestevent": {"text": PersonalField(OTHER), "details": PersonalField(OTHER)},
    "privacy.legalhold": {
        "reason": PersonalField(OTHER),
        "legal_reference": PersonalField(OTHER),
        "starts_at": PersonalField(OTHER),
        "ends_at": PersonalField(OTHER),
    },
    "privacy.dataexport": {
        "file": PersonalField(OTHER, RESTRICTED),
        "sent_to": PersonalField(OTHER),
    },
    "privacy.disclosure": {
        "recipient_name": PersonalField(OTHER),
        "categories": PersonalField(OTHER),
        "fields": PersonalField(OTHER),
        "basis": PersonalField(OTHER),
        "legal_reference": PersonalField(OTHER),
        "reason": PersonalField(OTHER),
        "disclosed_at": PersonalField(OTHER),
    },
}

# Fields that are not personal data: keys, links, bookkeeping, and data about
# juristic persons (organizations are not data subjects under the PDPA).
NOT_PERSONAL: dict[str, set[str]] = {
    "people.person": {
        "id",
        "lifecycle_stage",
        "owner",
        "tags",
        "source",
        "merged_into",
        "anonymized_at",
        "created_at",
        "updated_at",
    },
    "people.emailaddress": {"id", "person", "organization", "is_primary", "source", "created_at"},
    "people.phonenumber": {"id", "person", "organization", "is_primary", "source", "created_at"},
    "people.socialaccount": {"id", "person", "organization", "is_primary", "source", "created_at"},
    "people.postaladdress": {"id", "person", "organization", "is_primary", "source", "created_at"},
    "people.organizationrole": {"id", "person", "organization"},
    "people.relationship": {"id", "person", "other", "created_at"},
    "people.lifecyclechange": {"id", "person", "changed_at", "changed_by"},
    "people.organization": {
        "id",
        "kind",
        "name_th",
        "name_en",
        "tax_id",
        "branch",
        "industry",
        "website",
        "tags",
        "source",
        "search_text",
        "created_at",
        "updated_at",
    },
    "people.source": {
        "id",
        "kind",
        "channel",
        "related_person",
        "partner",
        "agreement_reference",
        "note",
        "collected_at",
        "collected_by",
    },
    "people.tag": {"id", "name"},
    "people.savedview": {"id", "user", "list_name", "name", "query_string"},
    "privacy.purpose": {
        "id",
        "code",
        "policy_clause",
        "name_th",
        "name_en",
        "description_th",
        "description_en",
        "lawful_basis",
        "data_categories",
        "is_direct_marketing",
        "retention_rule",
        "is_active",
    },
    "privacy.privacynotice": {
        "id",
        "version",
        "text_th",
        "text_en",
        "effective_at",
        "published_by",
        "renew_consent_for",
    },
    "privacy.consentevent": {"id", "person", "purpose", "notice", "recorded_by"},
    "privacy.restriction": {"id", "person", "created_by", "lifted_by", "created_at"},
    "privacy.objection": {"id", "person", "purpose", "decided_by", "recorded_by"},
    "privacy.partnerproduct": {"id", "partner", "name_th", "name_en", "is_active"},
    "privacy.productinterest": {"id", "person", "product", "recorded_by"},
    "privacy.disclosure": {"id", "person", "recipient", "purpose", "product", "recorded_by"},
    "privacy.subjectrequest": {
        "id",
        "reference",
        "person",
        "language",
        "by_representative",
        "verification",
        "verified_at",
        "verified_by",
        "due_at",
        "assigned_to",
        "warnings_sent",
        "status_token_hash",
        "created_by",
        "created_at",
    },
    "privacy.requestevent": {
        "id",
        "request",
        "kind",
        "from_status",
        "to_status",
        "actor",
        "occurred_at",
    },
    # Only hashes: nothing here identifies anyone without the code's target.
    "privacy.onetimecode": {
        "id",
        "use",
        "request",
        "target_hash",
        "channel",
        "code_hash",
        "created_at",
        "expires_at",
        "attempts",
        "used_at",
    },
    "privacy.dataexport": {
        "id",
        "request",
        "person",
        "language",
        "token_hash",
        "expires_at",
        "downloaded_at",
        "download_ip",
        "created_by",
        "created_at",
    },
    "privacy.legalhold": {"id", "person", "lifted_at", "placed_by", "lifted_by"},
    "privacy.retentionrule": {
        "id",
        "name_th",
        "name_en",
        "description_th",
        "description_en",
        "lifecycle_stage",
        "category",
        "purpose",
        "trigger",
        "months",
        "action",
        "is_active",
        "updated_by",
        "updated_at",
    },
    "privacy.retentionrun": {
        "id",
        "started_at",
        "finished_at",
        "dry_run",
        "counts",
        "triggered_by",
        "error",
    },
    # Proof of an erasure: a masked name and counts, nothing that re-identifies.
    "privacy.erasurerecord": {
        "id",
        "person_ref",
        "masked_name",
        "request",
        "rule",
        "run",
        "approved_by",
        "performed_at",
        "person_kept",
        "tables",
        "files_removed",
    },
    # A breach record describes an incident, not a person.
    "privacy.breach": {
        "id",
        "title",
        "description",
        "occurred_at",
        "aware_at",
        "categories",
        "people_affected",
        "risk",
        "risk_reasoning",
        "regulator_notified_at",
        "regulator_reference",
        "people_notified_at",
        "late_reason",
        "closed_at",
        "recorded_by",
        "created_at",
    },
}

# Apps whose models hold data about data subjects: each of their models must be
# declared above. Every other app of Connexion is listed as holding system data.
SUBJECT_DATA_APPS = {"people", "privacy", "sales", "comms"}
SYSTEM_DATA_APPS = {"accounts", "audit", "api", "ui", "ops", "imports"}


def personal_fields(model: type[models.Model]) -> dict[str, PersonalField]:
    return PERSONAL_FIELDS.get(model._meta.label_lower, {})


def fields_in_category(model: type[models.Model], category: Category) -> list[str]:
    return [name for name, field in personal_fields(model).items() if field.category == category]
