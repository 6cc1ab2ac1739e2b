"""Every personal field of every model, with its data category and sensitivity."""

from __future__ import annotations

from django.db import models

from connexion.privacy.registry.categories import Category, PersonalField, Sensitivity

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


def personal_fields(model: type[models.Model]) -> dict[str, PersonalField]:
    return PERSONAL_FIELDS.get(model._meta.label_lower, {})


# Recomputed from other fields: blanked by erasure, not exported.
DERIVED_FIELDS: dict[str, set[str]] = {"people.person": {"search_text"}}
