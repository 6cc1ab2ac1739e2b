"""Request and response bodies of the sales API: pipelines and stages,
products, leads and deals.

Amounts travel as decimal strings in the currency's major unit (`"1250.50"`)
beside the exact integer in minor units (`amount_minor`, satang for THB); a
request may send the amount as a string or a number, never more decimals than
the currency has. Request bodies forbid unknown fields."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from connexion.api.people_schemas import OrganizationRefOut, PersonRefOut, UserRefOut
from connexion.api.schemas import RecordId, TextInput
from connexion.lib.money import CURRENCY_DIGITS
from connexion.people.models import Source
from connexion.sales.models import Deal, Lead, ProductInterest
from connexion.sales.selectors import DEAL_SORTS, LEAD_SORTS

MAX_PAGE_SIZE = 200


def _one_of(values: list[str] | tuple[str, ...]) -> Any:
    return Literal[tuple(values)]  # type: ignore[valid-type]


Currency = _one_of(sorted(CURRENCY_DIGITS))
DealStatus = _one_of(Deal.Status.values)
DealSort = _one_of(list(DEAL_SORTS))
LeadStatus = _one_of(Lead.Status.values)
LeadSource = _one_of(Lead.SourceKind.values)
LeadSort = _one_of(list(LEAD_SORTS))
SourceChannel = _one_of(Source.Channel.values)
InterestKind = _one_of(ProductInterest.Kind.values)
InterestSource = _one_of(ProductInterest.SourceKind.values)
# A decimal amount sent as a JSON string or number; parsed and checked by the handler.
AmountIn = str | int | Decimal


class _Input(TextInput):
    model_config = ConfigDict(extra="forbid")


# --- pipelines and stages ---------------------------------------------------


class StageOut(Schema):
    id: int = Field(description="ID of the stage.")
    name_th: str = Field(description="Name in Thai.")
    name_en: str = Field(description="Name in English.")
    order: int = Field(description="Position on the board, smallest first.")
    probability: int = Field(description="Chance of winning a deal in this stage, 0-100 %.")
    is_won: bool = Field(description="Deals in this stage are won.")
    is_lost: bool = Field(description="Deals in this stage are lost.")


class PipelineOut(Schema):
    id: int = Field(description="ID of the pipeline.")
    name_th: str = Field(description="Name in Thai.")
    name_en: str = Field(description="Name in English.")
    order: int = Field(description="Position among the pipelines.")
    is_default: bool = Field(description="The pipeline new deals go to unless told otherwise.")
    is_active: bool = Field(description="In use; no new deals go to a pipeline not in use.")
    stages: list[StageOut] = Field(description="The stages, in board order.")


class PipelineCreate(_Input):
    name_th: str = Field(max_length=100, description="Name in Thai.")
    name_en: str = Field(max_length=100, description="Name in English.")
    is_default: bool = Field(False, description="Make it the default pipeline.")


class PipelineUpdate(_Input):
    name_th: str | None = Field(None, max_length=100, description="Name in Thai.")
    name_en: str | None = Field(None, max_length=100, description="Name in English.")
    order: int | None = Field(None, ge=0, le=32767, description="Position among the pipelines.")
    is_default: bool | None = Field(
        None, description="true makes it the default (the previous one stops being it)."
    )
    is_active: bool | None = Field(None, description="false stops its use for new deals.")


class StageCreate(_Input):
    name_th: str = Field(max_length=100, description="Name in Thai.")
    name_en: str = Field(max_length=100, description="Name in English.")
    order: int | None = Field(
        None, ge=0, le=32767, description="Position; after the last when omitted."
    )
    probability: int = Field(0, description="Chance of winning, 0-100 %.")
    is_won: bool = Field(False, description="Deals in this stage are won.")
    is_lost: bool = Field(False, description="Deals in this stage are lost.")


class StageUpdate(_Input):
    name_th: str | None = Field(None, max_length=100, description="Name in Thai.")
    name_en: str | None = Field(None, max_length=100, description="Name in English.")
    order: int | None = Field(None, ge=0, le=32767, description="Position on the board.")
    probability: int | None = Field(None, description="Chance of winning, 0-100 %.")
    is_won: bool | None = Field(None, description="Deals in this stage are won.")
    is_lost: bool | None = Field(None, description="Deals in this stage are lost.")


# --- products ---------------------------------------------------------------


class ProductOut(Schema):
    id: int = Field(description="ID of the product.")
    code: str = Field(description="Unique product code.")
    name_th: str = Field(description="Name in Thai.")
    name_en: str = Field(description="Name in English.")
    description: str = Field(description="Description.")
    price: Decimal = Field(description="List price in THB, e.g. `1990.50`.")
    price_minor: int = Field(description="List price in satang.")
    is_active: bool = Field(description="Still offered.")
    partner: OrganizationRefOut | None = Field(
        description="The business partner of a joint product (policy 6.2); null otherwise."
    )
    created_at: datetime = Field(description="When the product was added.")
    updated_at: datetime = Field(description="When it last changed.")


class ProductListQuery(Schema):
    q: str = Field("", max_length=200, description="Part of the code or of either name.")
    is_active: bool | None = Field(None, description="Only products offered (true) or not (false).")
    partner: RecordId | None = Field(None, description="Only joint products of this partner (ID).")
    cursor: str | None = Field(
        None, max_length=500, description="`next_cursor` of the previous page."
    )
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Items per page, at most 200.")


class ProductPageOut(Schema):
    items: list[ProductOut] = Field(description="The products on this page, by code.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class ProductCreate(_Input):
    code: str = Field(max_length=40, description="Unique product code.")
    name_th: str = Field("", max_length=200, description="Name in Thai (this or the English one).")
    name_en: str = Field("", max_length=200, description="Name in English.")
    description: str = Field("", description="Description.")
    price: AmountIn = Field(description="List price in THB, at most two decimals, not negative.")
    is_active: bool = Field(True, description="Offered.")
    partner_id: int | None = Field(
        None, description="For a joint product: the partner organization (of kind partner)."
    )


class ProductUpdate(_Input):
    code: str | None = Field(None, max_length=40, description="Unique product code.")
    name_th: str | None = Field(None, max_length=200, description="Name in Thai.")
    name_en: str | None = Field(None, max_length=200, description="Name in English.")
    description: str | None = Field(None, description="Description.")
    price: AmountIn | None = Field(None, description="List price in THB.")
    is_active: bool | None = Field(None, description="Offered.")
    partner_id: int | None = Field(None, description="Partner of a joint product; null for none.")


# --- deals ------------------------------------------------------------------


class DealLineIn(_Input):
    product_id: int = Field(description="The product.")
    quantity: int = Field(1, description="How many, 1 or more.")
    unit_price: AmountIn | None = Field(
        None,
        description="Price of one in the deal's currency; the list price when omitted "
        "(THB deals only).",
    )


class DealLineOut(Schema):
    id: int = Field(description="ID of the line.")
    product_id: int = Field(description="The product.")
    code: str = Field(description="The product's code.")
    quantity: int = Field(description="How many.")
    unit_price: Decimal = Field(description="Price of one, in the deal's currency.")
    unit_price_minor: int = Field(description="Price of one in minor units.")
    total: Decimal = Field(description="quantity × unit price.")


class StageRefOut(Schema):
    id: int = Field(description="ID of the stage.")
    name_th: str = Field(description="Name in Thai.")
    name_en: str = Field(description="Name in English.")
    probability: int = Field(description="Chance of winning, 0-100 %.")
    is_won: bool = Field(description="A won stage.")
    is_lost: bool = Field(description="A lost stage.")


class PipelineRefOut(Schema):
    id: int = Field(description="ID of the pipeline.")
    name_th: str = Field(description="Name in Thai.")
    name_en: str = Field(description="Name in English.")


class DealOut(Schema):
    id: int = Field(description="ID of the deal.")
    title: str = Field(description="What is being sold.")
    pipeline: PipelineRefOut = Field(description="The pipeline.")
    stage: StageRefOut = Field(description="The current stage.")
    status: str = Field(description="open, won or lost: follows the stage.")
    person: PersonRefOut | None = Field(description="The person the deal is with.")
    organization: OrganizationRefOut | None = Field(description="The organization it is with.")
    owner: UserRefOut | None = Field(description="The staff member responsible.")
    amount: Decimal = Field(description="Value in `currency`, e.g. `125000.50`.")
    amount_minor: int = Field(description="Value in minor units of `currency`.")
    currency: str = Field(description="ISO 4217 code.")
    exchange_rate: Decimal | None = Field(
        description="THB for one unit of `currency`, as recorded; null for THB."
    )
    amount_thb: Decimal = Field(description="Value in THB at the recorded rate.")
    amount_thb_minor: int = Field(description="Value in satang.")
    expected_close_date: date | None = Field(description="When it is expected to close.")
    lost_reason: str = Field(description="Why it was lost.")
    closed_at: datetime | None = Field(description="When it was won or lost.")
    stage_changed_at: datetime = Field(description="In the current stage since.")
    lead_id: int | None = Field(description="The lead it was converted from.")
    products: list[DealLineOut] = Field(description="Products with quantity and price.")
    created_at: datetime = Field(description="When the deal was opened.")
    updated_at: datetime = Field(description="When it last changed.")


class DealListQuery(Schema):
    q: str = Field("", max_length=200, description="Words of the title.")
    pipeline: RecordId | None = Field(None, description="Only deals of this pipeline (ID).")
    stage: RecordId | None = Field(None, description="Only deals in this stage (ID).")
    owner: RecordId | None = Field(None, description="Only deals of this staff user (ID).")
    status: DealStatus | None = Field(None, description="open, won or lost.")  # type: ignore[valid-type]
    person: RecordId | None = Field(None, description="Only deals with this person (ID).")
    organization: RecordId | None = Field(
        None, description="Only deals with this organization (ID)."
    )
    close_from: date | None = Field(None, description="Expected to close on or after this date.")
    close_to: date | None = Field(None, description="Expected to close on or before this date.")
    amount_min: AmountIn | None = Field(None, description="Worth at least this many THB.")
    amount_max: AmountIn | None = Field(None, description="Worth at most this many THB.")
    closed_from: date | None = Field(None, description="Won or lost on or after this date.")
    closed_to: date | None = Field(None, description="Won or lost on or before this date.")
    sort: DealSort = Field("updated", description="Order; keep it while paging.")  # type: ignore[valid-type]
    cursor: str | None = Field(
        None, max_length=500, description="`next_cursor` of the previous page."
    )
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Items per page, at most 200.")


class DealPageOut(Schema):
    items: list[DealOut] = Field(description="The deals on this page.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class DealCreate(_Input):
    title: str = Field(max_length=200, description="What is being sold.")
    pipeline_id: int | None = Field(None, description="The pipeline; the default one when omitted.")
    stage_id: int | None = Field(
        None, description="A stage of that pipeline; its first open stage when omitted."
    )
    person_id: int | None = Field(None, description="The person (this or an organization).")
    organization_id: int | None = Field(None, description="The organization.")
    owner_id: int | None = Field(
        None, description="The staff member responsible; you when omitted."
    )
    amount: AmountIn | None = Field(
        None, description="Value in `currency`; the products' total when products are given."
    )
    currency: Currency = Field("THB", description="ISO 4217 code.")  # type: ignore[valid-type]
    exchange_rate: Decimal | None = Field(
        None, description="THB for one unit of `currency`; required when it is not THB."
    )
    expected_close_date: date | None = Field(
        None, description="Common Era date (2026-06-30, not the Buddhist Era 2569-06-30)."
    )
    products: list[DealLineIn] = Field([], description="Products with quantity and price.")


class DealUpdate(_Input):
    title: str | None = Field(None, max_length=200, description="What is being sold.")
    person_id: int | None = Field(None, description="The person; null to unlink.")
    organization_id: int | None = Field(None, description="The organization; null to unlink.")
    owner_id: int | None = Field(None, description="The staff member responsible.")
    amount: AmountIn | None = Field(None, description="Value in `currency` (not with products).")
    currency: Currency | None = Field(None, description="ISO 4217 code.")  # type: ignore[valid-type]
    exchange_rate: Decimal | None = Field(None, description="THB for one unit of `currency`.")
    expected_close_date: date | None = Field(None, description="Common Era date.")
    lost_reason: str | None = Field(None, max_length=300, description="Why it was lost.")


class DealMove(_Input):
    stage_id: int = Field(description="A stage of the deal's own pipeline.")
    lost_reason: str = Field(
        "", max_length=300, description="Required when the stage is a lost one."
    )


class DealProductsIn(_Input):
    products: list[DealLineIn] = Field(description="The deal's products, replacing the old list.")


# --- leads ------------------------------------------------------------------


class LeadOut(Schema):
    id: int = Field(description="ID of the lead.")
    title: str = Field(description="What the lead is interested in.")
    person: PersonRefOut | None = Field(description="The person, once in the CRM.")
    organization: OrganizationRefOut | None = Field(
        description="The organization, once in the CRM."
    )
    first_name: str = Field(description="First name, before there is a person.")
    last_name: str = Field(description="Last name, before there is a person.")
    email: str = Field(description="Email, before there is a person.")
    phone: str = Field(description="Phone (E.164), before there is a person.")
    company_name: str = Field(description="Company, before there is an organization.")
    source: str = Field(description="web_form, referral, partner, campaign, import or manual.")
    source_detail: str = Field(description="The campaign, form or partner agreement reference.")
    referred_by_id: int | None = Field(description="The person who referred the lead.")
    partner_id: int | None = Field(description="The partner the lead came from.")
    products: list[str] = Field(description="Codes of the products of interest.")
    owner: UserRefOut | None = Field(description="The staff member responsible.")
    status: str = Field(description="new, contacted, qualified or disqualified.")
    disqualified_reason: str = Field(description="Why it was disqualified.")
    converted_deal_id: int | None = Field(description="The deal it was converted into.")
    converted_at: datetime | None = Field(description="When it was converted.")
    created_at: datetime = Field(description="When the lead was added.")
    updated_at: datetime = Field(description="When it last changed.")


class LeadListQuery(Schema):
    q: str = Field("", max_length=200, description="Words of the interest, name, company or email.")
    status: LeadStatus | None = Field(None, description="Only leads with this status.")  # type: ignore[valid-type]
    source: LeadSource | None = Field(None, description="Only leads from this source.")  # type: ignore[valid-type]
    owner: RecordId | None = Field(None, description="Only leads of this staff user (ID).")
    created_from: date | None = Field(None, description="Added on or after this date.")
    created_to: date | None = Field(None, description="Added on or before this date.")
    sort: LeadSort = Field("newest", description="Order; keep it while paging.")  # type: ignore[valid-type]
    cursor: str | None = Field(
        None, max_length=500, description="`next_cursor` of the previous page."
    )
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Items per page, at most 200.")


class LeadPageOut(Schema):
    items: list[LeadOut] = Field(description="The leads on this page.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class _LeadFields(_Input):
    person_id: int | None = Field(None, description="The person, if already in the CRM.")
    organization_id: int | None = Field(None, description="The organization, if in the CRM.")
    first_name: str = Field("", max_length=100, description="First name.")
    last_name: str = Field("", max_length=100, description="Last name.")
    email: str = Field("", max_length=254, description="Email address.")
    phone: str = Field("", max_length=30, description="Phone number in any usual format.")
    company_name: str = Field("", max_length=200, description="Company name.")
    source_detail: str = Field(
        "", max_length=200, description="Campaign, form, or the partner's agreement reference."
    )
    referred_by_id: int | None = Field(None, description="Who referred the lead (person ID).")
    partner_id: int | None = Field(None, description="The partner it came from (organization ID).")
    product_ids: list[RecordId] = Field([], description="Products of interest.")
    owner_id: int | None = Field(None, description="The staff member responsible.")


class LeadCreate(_LeadFields):
    title: str = Field(max_length=200, description="What the lead is interested in.")
    source: LeadSource = Field("manual", description="Where the lead came from.")  # type: ignore[valid-type]


class LeadUpdate(_Input):
    title: str | None = Field(None, max_length=200, description="What the lead is interested in.")
    person_id: int | None = Field(None, description="The person.")
    organization_id: int | None = Field(None, description="The organization.")
    first_name: str | None = Field(None, max_length=100, description="First name.")
    last_name: str | None = Field(None, max_length=100, description="Last name.")
    email: str | None = Field(None, max_length=254, description="Email address.")
    phone: str | None = Field(None, max_length=30, description="Phone number.")
    company_name: str | None = Field(None, max_length=200, description="Company name.")
    source: LeadSource | None = Field(None, description="Where it came from.")  # type: ignore[valid-type]
    source_detail: str | None = Field(None, max_length=200, description="Source detail.")
    referred_by_id: int | None = Field(None, description="Who referred the lead.")
    partner_id: int | None = Field(None, description="The partner it came from.")
    product_ids: list[RecordId] | None = Field(None, description="Products of interest (replaces).")
    owner_id: int | None = Field(None, description="The staff member responsible.")
    status: LeadStatus | None = Field(None, description="The new status.")  # type: ignore[valid-type]
    disqualified_reason: str | None = Field(
        None, max_length=300, description="Required with status disqualified."
    )


class LeadConvert(_Input):
    person_id: int | None = Field(None, description="Link this existing person.")
    create_person: bool = Field(
        False, description="Create a person from the lead's name and contacts."
    )
    organization_id: int | None = Field(None, description="Link this existing organization.")
    create_organization: bool = Field(
        False, description="Create an organization from the lead's company name."
    )
    channel: SourceChannel | None = Field(  # type: ignore[valid-type]
        None, description="How the lead's data reached us (provenance of a created record)."
    )
    pipeline_id: int | None = Field(
        None, description="The deal's pipeline; the default when omitted."
    )
    stage_id: int | None = Field(
        None, description="The deal's stage; the first open one when omitted."
    )
    title: str = Field("", max_length=200, description="The deal's title; the lead's when empty.")
    owner_id: int | None = Field(None, description="The deal's owner; the lead's when omitted.")
    amount: AmountIn | None = Field(
        None, description="The deal's value; the list prices of the lead's products when omitted."
    )
    currency: Currency = Field("THB", description="ISO 4217 code.")  # type: ignore[valid-type]
    exchange_rate: Decimal | None = Field(None, description="THB for one unit of `currency`.")
    expected_close_date: date | None = Field(None, description="Common Era date.")


# --- interests in products ----------------------------------------------------


class InterestOut(Schema):
    id: int = Field(description="ID of the interest record.")
    person_id: int = Field(description="The person.")
    product: dict[str, Any] = Field(
        description="The product: `id`, `code`, `name_th`, `name_en`, `partner_id` (joint)."
    )
    kind: str = Field(description="interested or bought.")
    since: datetime = Field(description="Since when.")
    source: str = Field(description="Where the interest came from.")
    source_detail: str = Field(description="More about the source.")
    lead_id: int | None = Field(description="The lead it came from.")
    deal_id: int | None = Field(description="The won deal it came from.")
    created_at: datetime = Field(description="When it was recorded.")


class InterestListQuery(Schema):
    person: RecordId | None = Field(None, description="Only this person's interests (ID).")
    product: RecordId | None = Field(None, description="Only interests in this product (ID).")
    kind: InterestKind | None = Field(None, description="interested or bought.")  # type: ignore[valid-type]
    cursor: str | None = Field(
        None, max_length=500, description="`next_cursor` of the previous page."
    )
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Items per page, at most 200.")


class InterestPageOut(Schema):
    items: list[InterestOut] = Field(description="The interests on this page, newest first.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class InterestCreate(_Input):
    person_id: int = Field(description="The person.")
    product_id: int = Field(description="The product.")
    kind: InterestKind = Field(description="interested or bought.")  # type: ignore[valid-type]
    since: datetime | None = Field(
        None, description="Since when; now when omitted. Not in the future."
    )
    source: InterestSource = Field("manual", description="Where the interest came from.")  # type: ignore[valid-type]
    source_detail: str = Field("", max_length=200, description="More about the source.")


class InterestUpdate(_Input):
    since: datetime | None = Field(None, description="Since when.")
    source: InterestSource | None = Field(None, description="Where it came from.")  # type: ignore[valid-type]
    source_detail: str | None = Field(None, max_length=200, description="More about the source.")
