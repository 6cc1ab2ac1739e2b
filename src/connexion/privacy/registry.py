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
    "sales.productinterest": {
        name: PersonalField(USAGE) for name in ["kind", "since", "source", "source_detail"]
    },
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
    # What was done with the person's data, asked of the use door.
    "privacy.datause": {
        "action": PersonalField(OTHER),
        "contact_kind": PersonalField(OTHER),
        "contact_id": PersonalField(OTHER),
        "allowed": PersonalField(OTHER),
        "refusals": PersonalField(OTHER),
        "reference": PersonalField(OTHER),
        "used_at": PersonalField(OTHER),
    },
    # Emails sent to a person (policy 3.7: communication records).
    "comms.outgoingemail": {
        "to_address": PersonalField(C),
        "language": PersonalField(OTHER),
        "subject": PersonalField(OTHER),
        "body": PersonalField(OTHER),
        "sent_at": PersonalField(OTHER),
        "status": PersonalField(OTHER),
        "error": PersonalField(OTHER),
    },
    "sales.lead": {
        "title": PersonalField(USAGE),
        "first_name": PersonalField(P),
        "last_name": PersonalField(P),
        "email": PersonalField(C),
        "phone": PersonalField(C),
        "company_name": PersonalField(W),
        "source": PersonalField(USAGE),
        "source_detail": PersonalField(USAGE),
        "products": PersonalField(USAGE),
        "status": PersonalField(USAGE),
        "disqualified_reason": PersonalField(USAGE),
    },
    "sales.deal": {
        name: PersonalField(USAGE)
        for name in [
            "title",
            "status",
            "amount",
            "currency",
            "exchange_rate",
            "amount_thb",
            "expected_close_date",
            "lost_reason",
            "closed_at",
        ]
    },
    "sales.dealproduct": {"quantity": PersonalField(USAGE), "unit_price": PersonalField(USAGE)},
    # ID-card photos, passport scans, powers of attorney (3.3, encrypted at rest).
    "documents.identitydocument": {
        "kind": PersonalField(ID),
        "signer_name": PersonalField(ID, RESTRICTED),
        "authority_granted": PersonalField(ID, RESTRICTED),
        "valid_from": PersonalField(ID),
        "valid_until": PersonalField(ID),
        "file": PersonalField(ID, RESTRICTED),
        "file_name": PersonalField(ID, RESTRICTED),
    },
    # What staff recorded about their dealings with a person (3.7).
    "sales.activity": {
        name: PersonalField(OTHER)
        for name in ["kind", "subject", "body", "occurred_at", "duration_minutes", "outcome"]
    },
    "sales.task": {"title": PersonalField(OTHER), "description": PersonalField(OTHER)},
    "sales.note": {"body_html": PersonalField(OTHER)},
    # The public privacy center: cookie choices of a visitor (an online identifier),
    # web forms received, policy-change notices delivered.
    "portal.cookieconsent": {
        "visitor_id": PersonalField(USAGE),
        "policy_version": PersonalField(OTHER),
        "action": PersonalField(OTHER),
        "preferences": PersonalField(OTHER),
        "analytics": PersonalField(OTHER),
        "marketing": PersonalField(OTHER),
        "occurred_at": PersonalField(OTHER),
        "ip_address": PersonalField(USAGE),
        "user_agent": PersonalField(USAGE),
        "page_origin": PersonalField(USAGE),
        "linked_at": PersonalField(OTHER),
    },
    "portal.webformsubmission": {
        "submitted_at": PersonalField(OTHER),
        "created_person": PersonalField(OTHER),
        "unapplied": PersonalField(OTHER),
        "consents": PersonalField(OTHER),
        "visitor_id": PersonalField(USAGE),
        "ip_address": PersonalField(USAGE),
        "user_agent": PersonalField(USAGE),
    },
    "portal.noticedelivery": {
        "channel": PersonalField(OTHER),
        "sent_to": PersonalField(C),
        "status": PersonalField(OTHER),
        "reason": PersonalField(OTHER),
        "renewal_purposes": PersonalField(OTHER),
        "sent_at": PersonalField(OTHER),
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
    "sales.productinterest": {
        "id",
        "person",
        "product",
        "lead",
        "deal",
        "recorded_by",
        "created_at",
    },
    "privacy.disclosure": {"id", "person", "recipient", "purpose", "product", "recorded_by"},
    "privacy.datause": {"id", "person", "purpose", "used_by"},
    # Warnings about an incident, sent to staff: no data subject in them.
    "privacy.breachalert": {"id", "breach", "hours", "sent_at", "recipients"},
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
    "sales.pipeline": {
        "id",
        "name_th",
        "name_en",
        "order",
        "is_default",
        "is_active",
        "created_at",
    },
    "sales.stage": {
        "id",
        "pipeline",
        "name_th",
        "name_en",
        "order",
        "probability",
        "is_won",
        "is_lost",
    },
    "sales.product": {
        "id",
        "code",
        "name_th",
        "name_en",
        "description",
        "price",
        "is_active",
        "partner",
        "created_at",
        "updated_at",
    },
    "sales.lead": {
        "id",
        "person",
        "organization",
        "referred_by",
        "partner",
        "owner",
        "converted_deal",
        "converted_at",
        "converted_by",
        "created_by",
        "created_at",
        "updated_at",
    },
    "sales.deal": {
        "id",
        "pipeline",
        "stage",
        "person",
        "organization",
        "owner",
        "stage_changed_at",
        "lead",
        "created_by",
        "created_at",
        "updated_at",
    },
    "sales.dealproduct": {"id", "deal", "product"},
    # Counts and sums per stage, about no one.
    "sales.stagetotal": {"stage", "deal_count", "amount_thb"},
    # The moves of a deal between stages: links and bookkeeping.
    "sales.stagechange": {"id", "deal", "from_stage", "to_stage", "changed_by", "changed_at"},
    "sales.activity": {
        "id",
        "person",
        "organization",
        "lead",
        "deal",
        "participants",
        "staff_participants",
        "created_by",
        "created_at",
    },
    "sales.task": {
        "id",
        "due_at",
        "assignee",
        "priority",
        "done_at",
        "remind_at",
        "reminder_sent_at",
        "person",
        "organization",
        "lead",
        "deal",
        "created_by",
        "created_at",
        "updated_at",
    },
    "sales.note": {
        "id",
        "person",
        "organization",
        "lead",
        "deal",
        "author",
        "created_at",
        "updated_at",
    },
    # Reminders are addressed to staff; the task they point to holds the rest.
    "sales.reminder": {"id", "user", "task", "due_at", "read_at", "emailed_at", "email_error"},
    # A breach record describes an incident, not a person.
    "documents.identitydocument": {
        "id",
        "person",
        "organization",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    },
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
    # Message templates hold placeholders, not anyone's data.
    "comms.emailtemplate": {
        "id",
        "name",
        "purpose",
        "subject_th",
        "body_th",
        "subject_en",
        "body_en",
        "is_active",
        "created_by",
        "created_at",
        "updated_at",
    },
    "comms.outgoingemail": {
        "id",
        "person",
        "email_address",
        "template",
        "purpose",
        "sent_by",
        "message_id",
    },
    # The privacy center's settings: the business's published contact, its cookie
    # policy, the forms staff built and the announcements they started.
    "portal.privacycontact": {
        "id",
        "controller_name_th",
        "controller_name_en",
        "dpo_name",
        "email",
        "phone",
        "postal_address_th",
        "postal_address_en",
        "website_origins",
        "updated_by",
        "updated_at",
    },
    "portal.cookiepolicy": {"id", "version", "text_th", "text_en", "published_at", "published_by"},
    "portal.cookieconsent": {"id", "person"},
    "portal.webform": {
        "id",
        "name_th",
        "name_en",
        "key",
        "fields",
        "purposes",
        "allowed_origins",
        "owner",
        "thank_you_th",
        "thank_you_en",
        "is_active",
        "created_by",
        "created_at",
        "updated_at",
    },
    "portal.webformsubmission": {"id", "form", "person"},
    "portal.noticeannouncement": {
        "id",
        "notice",
        "started_by",
        "started_at",
        "finished_at",
        "base_url",
        "counts",
        "error",
    },
    "portal.noticedelivery": {"id", "announcement", "notice", "person"},
    # Only a hash of the link's nonce: nothing here identifies anyone by itself.
    "portal.portallink": {
        "id",
        "token_hash",
        "use",
        "person",
        "created_at",
        "expires_at",
        "used_at",
    },
}

# Apps whose models hold data about data subjects: each of their models must be
# declared above. Every other app of Connexion is listed as holding system data.
SUBJECT_DATA_APPS = {"people", "privacy", "sales", "comms", "documents", "portal"}
SYSTEM_DATA_APPS = {"accounts", "audit", "api", "ui", "ops", "imports"}


def personal_fields(model: type[models.Model]) -> dict[str, PersonalField]:
    return PERSONAL_FIELDS.get(model._meta.label_lower, {})


# --- erasure and export (policy 8.2, 8.5): what happens to each model's rows ----------
# Read by privacy.engines.erasure and privacy.engines.export. Every model of
# SUBJECT_DATA_APPS with a path to a person must be listed
# (tests/privacy/test_erasure_registry.py).


class Erasure(models.TextChoices):
    DELETE = "delete", _("deleted")
    # The row must stay for the business (a deal in revenue reports): its personal
    # fields are blanked or masked, it stays linked to "anonymized person #…".
    ANONYMIZE = "anonymize", _("anonymized")
    # A law requires the row (tax invoices, payment records): it keeps the fields
    # in `keep` only, and its person is kept as an anonymized record.
    HOLD = "hold", _("kept under a legal obligation")
    # The rows are not about the person (a source they gave); only links are handled.
    UNRELATED = "unrelated", _("not about the person")


class Mention(models.TextChoices):
    """A link to a person that does not make the row theirs."""

    DETACH = "detach", _("the link is removed")
    # The row must keep pointing at someone: the person stays as an anonymized record.
    KEEP_LINK = "keep_link", _("the link stays, to the anonymized record")
    # Records merged into the person hold their data too: erased with them.
    FOLLOW = "follow", _("erased together")


@dataclass(frozen=True)
class ErasurePolicy:
    action: Erasure
    # Lookups from the model to the Person its rows are about ("pk" for Person itself).
    subject: tuple[str, ...] = ("person",)
    # Personal fields an anonymized or held row keeps.
    keep: frozenset[str] = frozenset()
    # Personal fields replaced by a mask ("ส*** ใ***") instead of blanked.
    masked: frozenset[str] = frozenset()
    # Every other link to a person, and what erasure does with it.
    mentions: tuple[tuple[str, Mention], ...] = ()
    # Links of rows that are not the person's but concern them: shown in an export.
    also_export: tuple[str, ...] = ()
    # Why the rows stay (anonymize, hold): shown on the erasure page.
    reason: str = ""


_NO_SUBJECT: tuple[str, ...] = ()

ERASURE_POLICIES: dict[str, ErasurePolicy] = {
    # Deleted, unless something must stay linked to it: then kept as "anonymized person #…".
    "people.person": ErasurePolicy(
        Erasure.DELETE, subject=("pk",), mentions=(("merged_into", Mention.FOLLOW),)
    ),
    "people.emailaddress": ErasurePolicy(Erasure.DELETE),
    "people.phonenumber": ErasurePolicy(Erasure.DELETE),
    "people.socialaccount": ErasurePolicy(Erasure.DELETE),
    "people.postaladdress": ErasurePolicy(Erasure.DELETE),
    "people.organizationrole": ErasurePolicy(Erasure.DELETE),
    "people.relationship": ErasurePolicy(Erasure.DELETE, subject=("person", "other")),
    "people.lifecyclechange": ErasurePolicy(Erasure.DELETE),
    # Provenance of other people's data ("given by"): the referrer stays, anonymized.
    "people.source": ErasurePolicy(
        Erasure.UNRELATED,
        subject=_NO_SUBJECT,
        mentions=(("related_person", Mention.KEEP_LINK),),
    ),
    "privacy.consentevent": ErasurePolicy(Erasure.DELETE),
    "privacy.datause": ErasurePolicy(Erasure.DELETE),
    "privacy.restriction": ErasurePolicy(Erasure.DELETE),
    "privacy.objection": ErasurePolicy(Erasure.DELETE),
    "sales.productinterest": ErasurePolicy(Erasure.DELETE),
    "privacy.disclosure": ErasurePolicy(
        Erasure.ANONYMIZE,
        keep=frozenset(
            {"recipient_name", "categories", "fields", "basis", "legal_reference", "disclosed_at"}
        ),
        reason=_("what was disclosed to whom, and on which basis, stays provable (policy 6)"),
    ),
    "privacy.subjectrequest": ErasurePolicy(
        Erasure.ANONYMIZE,
        keep=frozenset(
            {
                "kind",
                "channel",
                "status",
                "received_at",
                "closed_at",
                "rejection_reason",
                "regulator_reference",
                "recipient_controller",
            }
        ),
        # The requester's name, email and phone are blanked, not masked: initials
        # or the last digits of a phone are still about someone.
        reason=_("proof that the request was answered in time (PDPA s.30, s.39)"),
    ),
    "privacy.requestevent": ErasurePolicy(
        Erasure.ANONYMIZE,
        subject=("request__person",),
        reason=_("the history of the request, without what was written in it"),
    ),
    "privacy.onetimecode": ErasurePolicy(Erasure.DELETE, subject=("request__person",)),
    "privacy.dataexport": ErasurePolicy(Erasure.DELETE),
    # Only lifted or expired holds reach an erasure: a hold in force refuses it.
    "privacy.legalhold": ErasurePolicy(
        Erasure.ANONYMIZE,
        keep=frozenset({"legal_reference", "starts_at", "ends_at"}),
        reason=_("which law or order held the data, and when"),
    ),
    "sales.lead": ErasurePolicy(Erasure.DELETE, mentions=(("referred_by", Mention.DETACH),)),
    "sales.deal": ErasurePolicy(
        Erasure.ANONYMIZE,
        keep=frozenset(
            {
                "status",
                "amount",
                "currency",
                "exchange_rate",
                "amount_thb",
                "expected_close_date",
                "closed_at",
            }
        ),
        masked=frozenset({"title", "lost_reason"}),
        reason=_("its value stays in the revenue reports"),
    ),
    "sales.dealproduct": ErasurePolicy(
        Erasure.ANONYMIZE,
        subject=("deal__person",),
        keep=frozenset({"quantity", "unit_price"}),
        reason=_("its value stays in the revenue reports"),
    ),
    "sales.stagechange": ErasurePolicy(
        Erasure.ANONYMIZE,
        subject=("deal__person",),
        reason=_("the pipeline statistics; it holds nothing about the person"),
    ),
    "sales.activity": ErasurePolicy(
        Erasure.DELETE,
        mentions=(("participants", Mention.DETACH),),
        also_export=("participants",),
    ),
    "sales.task": ErasurePolicy(Erasure.DELETE),
    "sales.reminder": ErasurePolicy(Erasure.DELETE, subject=("task__person",)),
    "sales.note": ErasurePolicy(Erasure.DELETE),
    "comms.outgoingemail": ErasurePolicy(Erasure.DELETE),
    # The privacy center: a visitor's cookie choices once linked to the person, the
    # forms they sent, the notices they were sent and the links in those.
    "portal.cookieconsent": ErasurePolicy(Erasure.DELETE),
    "portal.webformsubmission": ErasurePolicy(Erasure.DELETE),
    "portal.noticedelivery": ErasurePolicy(Erasure.DELETE),
    "portal.portallink": ErasurePolicy(Erasure.DELETE),
    "documents.identitydocument": ErasurePolicy(Erasure.DELETE),
    # The proof of an erasure: a masked name and counts, linked to the request.
    "privacy.erasurerecord": ErasurePolicy(Erasure.UNRELATED, subject=_NO_SUBJECT),
}

# Recomputed from other fields: blanked by erasure, not exported.
DERIVED_FIELDS: dict[str, set[str]] = {"people.person": {"search_text"}}
