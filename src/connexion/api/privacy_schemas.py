"""Request and response bodies of the privacy API: purposes, consents,
restrictions, objections, disclosures and the `may-use` decision.

As in `people_schemas`, request bodies forbid unknown fields and choices come
from the models' own choices, so the OpenAPI document lists what is accepted.
Purposes are named by their code (`direct-marketing`), notices by their version."""

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from connexion.api.people_schemas import MAX_PAGE_SIZE, OrganizationRefOut
from connexion.api.schemas import RecordId, TextInput
from connexion.privacy.models import (
    ConsentEvent,
    Disclosure,
    LawfulBasis,
    Objection,
    Restriction,
)
from connexion.privacy.registry import Category


def _one_of(values: list[str] | tuple[str, ...]) -> Any:
    """A `Literal` of the given values: an `enum` in the OpenAPI document."""
    return Literal[tuple(values)]  # type: ignore[valid-type]


ConsentChannel = _one_of(ConsentEvent.Channel.values)
ConsentAction = _one_of(ConsentEvent.Action.values)
ConsentState = Literal["given", "withdrawn", "never"]
RestrictionScope = _one_of(Restriction.Scope.values)
DataCategory = _one_of(Category.values)
ObjectionStatus = _one_of(Objection.Status.values)
DisclosureBasis = _one_of(Disclosure.Basis.values)
Basis = _one_of(LawfulBasis.values)
ContactKind = Literal["email", "phone", "social", "address"]

PURPOSE_CODE = "Code of the purpose, as listed by `GET /purposes` (e.g. `direct-marketing`)."


class _Input(TextInput):
    model_config = ConfigDict(extra="forbid")


# --- purposes ---------------------------------------------------------------


class PurposeOut(Schema):
    code: str = Field(description="Stable code of the purpose, used everywhere in this API.")
    policy_clause: str = Field(description="Clause of the privacy policy (`5.1` …); may be empty.")
    name_th: str = Field(description="Name in Thai.")
    name_en: str = Field(description="Name in English.")
    description_th: str = Field(description="Description in Thai.")
    description_en: str = Field(description="Description in English.")
    lawful_basis: Basis = Field(  # type: ignore[valid-type]
        description="Lawful basis of the processing (PDPA s.24, s.26 for sensitive data)."
    )
    lawful_basis_label: str = Field(
        description="The lawful basis in words, in the language of the request."
    )
    needs_consent: bool = Field(
        description="Whether the purpose rests on consent: only then can consent be given "
        "or withdrawn for it."
    )
    data_categories: list[str] = Field(
        description="Data categories of the registry (`3.1` … `3.7`) this purpose uses."
    )
    is_direct_marketing: bool = Field(
        description="Direct marketing: an objection to it is honoured without review (s.32(2))."
    )
    retention_rule: str = Field(description="How long the data is kept for this purpose.")
    is_active: bool = Field(description="Whether the purpose is still in use.")


# --- consents ---------------------------------------------------------------


class ConsentStateOut(Schema):
    purpose: str = Field(description="Code of the purpose.")
    purpose_active: bool = Field(description="Whether the purpose is still in use.")
    state: ConsentState = Field(
        description="`given`, `withdrawn`, or `never` when the ledger has no entry."
    )
    since: datetime | None = Field(description="When the latest entry happened; null for never.")
    notice: str | None = Field(
        description="Version of the privacy notice the consent was given under; null for never."
    )
    channel: str | None = Field(description="How the latest entry was made; null for never.")
    renewal_needed: bool = Field(
        description="A consent was given, but a later notice version asks for it again: it "
        "does not count until renewed."
    )


class ConsentEventOut(Schema):
    id: int = Field(description="ID of the ledger entry.")
    purpose: str = Field(description="Code of the purpose.")
    action: ConsentAction = Field(  # type: ignore[valid-type]
        description="`given` or `withdrawn`."
    )
    notice: str = Field(description="Version of the privacy notice shown.")
    wording: str = Field(
        description="The exact wording the person agreed to; empty on a withdrawal."
    )
    wording_hash: str = Field(description="SHA-256 (hex) of the wording agreed to.")
    channel: str = Field(description="How the consent was given or withdrawn.")
    occurred_at: datetime = Field(description="When it was given or withdrawn.")
    recorded_by: str | None = Field(
        description="Username of the staff member or integrator who recorded it."
    )
    ip_address: str | None = Field(description="IP address it was recorded from, if known.")
    user_agent: str = Field(description="User agent it was recorded from, if known.")
    has_evidence: bool = Field(description="Whether a scan or file of evidence is attached.")


class _ConsentEvidence(_Input):
    channel: ConsentChannel = Field(  # type: ignore[valid-type]
        "api", description="How the person gave or withdrew the consent."
    )
    ip_address: str | None = Field(
        None,
        max_length=45,
        description="IP address of the person's device. Omitted: the address this request "
        "comes from.",
    )
    user_agent: str | None = Field(
        None,
        max_length=400,
        description="User agent of the person's browser. Omitted: the User-Agent header of "
        "this request.",
    )
    occurred_at: datetime | None = Field(
        None,
        description="When it happened (ISO 8601); now when omitted. Not in the future. A time "
        "without offset is read as Bangkok time.",
    )


class ConsentGive(_ConsentEvidence):
    purpose: str = Field(max_length=40, description=PURPOSE_CODE + " It must rest on consent.")
    wording: str = Field(
        max_length=10000,
        description="The exact text the person was shown and agreed to (s.19: one purpose, "
        "one decision).",
    )
    notice: str | None = Field(
        None,
        max_length=20,
        description="Version of the privacy notice shown. Omitted: the notice in effect at "
        "`occurred_at`.",
    )


class ConsentWithdraw(_ConsentEvidence):
    """Withdrawing is one call (s.19); every field is optional."""


# --- restrictions -----------------------------------------------------------


class RestrictionIn(_Input):
    scope: RestrictionScope = Field(  # type: ignore[valid-type]
        description="What is suspended: one contact point, a data category, or the whole record."
    )
    contact_kind: ContactKind | None = Field(
        None, description="For scope `contact_point`: the kind of the contact point."
    )
    contact_id: int | None = Field(
        None,
        description="For scope `contact_point`: ID of the contact point. It must be the "
        "person's own.",
    )
    category: DataCategory | None = Field(  # type: ignore[valid-type]
        None, description="For scope `category`: the data category (`3.1` … `3.7`)."
    )
    reason: str = Field(
        max_length=5000, description="Why the use is suspended (PDPA s.34 / policy 8.3)."
    )
    ends_at: datetime | None = Field(
        None,
        description="When the restriction ends by itself (ISO 8601); null until lifted. A time "
        "without offset is read as Bangkok time.",
    )


class RestrictionOut(Schema):
    id: int = Field(description="ID of the restriction.")
    scope: str = Field(description="`contact_point`, `category` or `record`.")
    contact_kind: str = Field(description="Kind of the restricted contact point, or empty.")
    contact_id: int | None = Field(description="ID of the restricted contact point, or null.")
    category: str = Field(description="The restricted data category, or empty.")
    reason: str = Field(description="Why the use is suspended.")
    starts_at: datetime = Field(description="Since when.")
    ends_at: datetime | None = Field(description="Until when; null for until lifted.")
    lifted_at: datetime | None = Field(description="When it was lifted; null if not.")
    active: bool = Field(description="Whether it is in force now.")
    created_by: str | None = Field(description="Username of who recorded it.")
    lifted_by: str | None = Field(description="Username of who lifted it.")


# --- objections -------------------------------------------------------------


class ObjectionIn(_Input):
    purpose: str = Field(max_length=40, description=PURPOSE_CODE)
    grounds: str = Field(
        "", max_length=5000, description="The person's grounds, in their words (PDPA s.32)."
    )


class ObjectionDecisionIn(_Input):
    accept: bool = Field(description="true to accept the objection, false to reject it.")
    reason: str = Field(
        max_length=5000,
        description="The reason of the decision; for a rejection, the lawful ground that "
        "overrides the objection (kept in the record of processing, s.39).",
    )


class ObjectionOut(Schema):
    id: int = Field(description="ID of the objection.")
    person_id: int = Field(description="ID of the person who objected.")
    purpose: str = Field(description="Code of the purpose objected to.")
    status: ObjectionStatus = Field(  # type: ignore[valid-type]
        description="`pending`, `accepted` or `rejected`. While pending, the use stops."
    )
    received_at: datetime = Field(description="When the objection was received.")
    grounds: str = Field(description="The person's grounds.")
    decided_at: datetime | None = Field(description="When it was decided; null while pending.")
    decided_by: str | None = Field(
        description="Username of who decided it; null while pending or when decided by rule "
        "(direct marketing)."
    )
    decision_reason: str = Field(description="The reason of the decision.")
    recorded_by: str | None = Field(description="Username of who recorded it.")


# --- disclosures ------------------------------------------------------------


class DisclosureIn(_Input):
    basis: DisclosureBasis | None = Field(  # type: ignore[valid-type]
        None,
        description="Ground of the disclosure (policy 6.1-6.3): `consent` (with `purpose`), "
        "`partner` (with `recipient_id` and `product_id`) or `legal_obligation` (with "
        "`legal_reference`). Without one the disclosure is refused, and the refusal recorded.",
    )
    recipient_id: int | None = Field(
        None, description="The recipient organization; required for the partner basis."
    )
    recipient_name: str = Field(
        "",
        max_length=200,
        description="The recipient, when it is not an organization of the CRM (a court, an "
        "agency).",
    )
    categories: list[DataCategory] = Field(  # type: ignore[valid-type]
        [], description="Required: the data categories disclosed (`3.1` … `3.7`)."
    )
    fields: list[str] = Field(
        [], max_length=100, description="The fields disclosed (`email`, `first_name_th` …)."
    )
    purpose: str | None = Field(
        None,
        max_length=40,
        description=PURPOSE_CODE + " For the consent basis: the purpose the person consented "
        "to; the consent must be in force.",
    )
    product_id: int | None = Field(
        None,
        description="For the partner basis: the joint product the person bought or showed "
        "interest in.",
    )
    legal_reference: str = Field(
        "",
        max_length=200,
        description="For the legal-obligation basis: reference of the order or request.",
    )
    reason: str = Field("", max_length=5000, description="Required: why the data is disclosed.")


class DisclosureOut(Schema):
    id: int = Field(description="ID of the disclosure.")
    person_id: int = Field(description="ID of the person whose data was disclosed.")
    basis: str = Field(description="`consent`, `partner` or `legal_obligation`.")
    recipient: OrganizationRefOut | None = Field(
        description="The recipient organization, when it is in the CRM."
    )
    recipient_name: str = Field(description="The recipient, when it is not in the CRM.")
    categories: list[str] = Field(description="The data categories disclosed.")
    fields: list[str] = Field(description="The fields disclosed.")
    purpose: str | None = Field(description="Code of the purpose consented to (consent basis).")
    product_id: int | None = Field(description="ID of the joint product (partner basis).")
    legal_reference: str = Field(description="Reference of the order or request.")
    reason: str = Field(description="Why the data was disclosed.")
    disclosed_at: datetime = Field(description="When the data was disclosed.")
    recorded_by: str | None = Field(description="Username of who recorded it.")


class DisclosureListQuery(Schema):
    since: datetime | None = Field(
        None,
        description="Only disclosures made at or after this time (ISO 8601). A time without "
        "offset is read as Bangkok time.",
    )
    cursor: str | None = Field(
        None, max_length=500, description="`next_cursor` of the previous page."
    )
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Items per page, at most 200.")


class DisclosurePageOut(Schema):
    items: list[DisclosureOut] = Field(description="Disclosures of this page, newest first.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


# --- the decision -----------------------------------------------------------


class MayUseQuery(Schema):
    purpose: str = Field(max_length=40, description=PURPOSE_CODE)
    contact_kind: ContactKind | None = Field(
        None, description="Kind of the contact point to be used; give it with `contact_id`."
    )
    contact_id: RecordId | None = Field(
        None, description="ID of the contact point to be used; give it with `contact_kind`."
    )


class HistoryQuery(Schema):
    purpose: str | None = Field(None, max_length=40, description="Only this purpose (code).")


class DecisionOut(Schema):
    allowed: bool = Field(description="Whether the data may be used now.")
    reasons: list[str] = Field(
        description="Why not, one sentence per reason, in the language of the request "
        "(Accept-Language); empty when allowed."
    )
    codes: list[str] = Field(
        description="The same reasons as stable codes (`no_consent`, `consent_withdrawn`, "
        "`contact_point_restricted` …), for programs."
    )
