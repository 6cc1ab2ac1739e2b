"""The sales API: `/pipelines`, `/products`, `/leads` and `/deals`, with the
stage change (`POST /deals/{id}/move`) and the lead conversion
(`POST /leads/{id}/convert`) as explicit operations.

Thin handlers: check the permission, parse, call `sales.services` or
`sales.selectors` (which record who was shown what), shape the answer. A
service's `ValidationError` is re-keyed to the names the client sent
(`stage` -> `stage_id`) and `api/errors.py` turns it into the usual 422."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Field, Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestValidationError

from connexion.accounts.models import User
from connexion.accounts.visibility import owned_by_visible
from connexion.api.auth import BearerToken
from connexion.api.people_schemas import ErrorDetailOut, FieldErrorsOut
from connexion.api.sales_schemas import (
    AmountIn,
    DealCreate,
    DealListQuery,
    DealMove,
    DealOut,
    DealPageOut,
    DealProductsIn,
    DealUpdate,
    InterestCreate,
    InterestListQuery,
    InterestOut,
    InterestPageOut,
    InterestUpdate,
    LeadConvert,
    LeadCreate,
    LeadListQuery,
    LeadOut,
    LeadPageOut,
    LeadUpdate,
    PipelineCreate,
    PipelineOut,
    PipelineUpdate,
    ProductCreate,
    ProductListQuery,
    ProductOut,
    ProductPageOut,
    ProductUpdate,
    StageCreate,
    StageOut,
    StageUpdate,
)
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_access
from connexion.lib.cursors import decode_cursor, sort_field
from connexion.lib.money import MoneyError, as_decimal, parse_amount
from connexion.people.models import Organization, Person
from connexion.sales import selectors
from connexion.sales.models import Deal, Lead, Pipeline, Product, ProductInterest, Stage
from connexion.sales.services import checks as sales_checks
from connexion.sales.services import deals as deal_services
from connexion.sales.services import interests as interest_services
from connexion.sales.services import leads as lead_services
from connexion.sales.services import pipelines as pipeline_services
from connexion.sales.services import products as product_services

API = AuditEvent.Channel.API
DEALS_PERMISSION = "accounts.access_deals"
CONFIGURE_PERMISSION = "sales.manage_pipelines"

DealId = Annotated[int, Path(description="ID of the deal.")]
LeadId = Annotated[int, Path(description="ID of the lead.")]
PipelineId = Annotated[int, Path(description="ID of the pipeline.")]
StageId = Annotated[int, Path(description="ID of the stage.")]
ProductId = Annotated[int, Path(description="ID of the product.")]
InterestId = Annotated[int, Path(description="ID of the interest record.")]

# Token scope: area "sales" (read for GET, write otherwise).
pipelines_router = Router(tags=["pipelines"], auth=BearerToken("sales"))
products_router = Router(tags=["products"], auth=BearerToken("sales"))
leads_router = Router(tags=["leads"], auth=BearerToken("sales"))
deals_router = Router(tags=["deals"], auth=BearerToken("sales"))
interests_router = Router(tags=["interests"], auth=BearerToken("sales"))


def _answers(status: int, schema: Any, *errors: int) -> dict[int, Any]:
    answers = {status: schema, 401: ErrorDetailOut, 403: ErrorDetailOut}
    for code in errors:
        answers[code] = FieldErrorsOut if code == 422 else ErrorDetailOut
    return answers


def _viewer(request: HttpRequest, *, configure: bool = False) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not user.has_perm(DEALS_PERMISSION):
        raise HttpError(403, _("Your role does not give access to leads and deals."))
    if configure and not user.has_perm(CONFIGURE_PERMISSION):
        raise HttpError(403, _("Your role may not configure pipelines, stages and products."))
    return user


# --- errors and parsing -----------------------------------------------------


@contextmanager
def _fields(names: dict[str, str] | None = None) -> Iterator[None]:
    """Re-keys a service's `ValidationError` to the request's field names."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise ValidationError({NON_FIELD_ERRORS: exc.messages}) from None
        errors: dict[str, list[str]] = {}
        for name, messages in exc.message_dict.items():
            key = NON_FIELD_ERRORS if name == NON_FIELD_ERRORS else (names or {}).get(name, name)
            errors.setdefault(_line_field(key), []).extend(messages)
        raise ValidationError(errors) from None


def _line_field(name: str) -> str:
    """`lines.0.product` (the service's) -> `products.0.product_id` (the request's)."""
    parts = name.split(".")
    if len(parts) != 3 or parts[0] != "lines":
        return name
    return f"products.{parts[1]}.{'product_id' if parts[2] == 'product' else parts[2]}"


_NAMES = {
    "person": "person_id",
    "organization": "organization_id",
    "owner": "owner_id",
    "stage": "stage_id",
    "pipeline": "pipeline_id",
    "referred_by": "referred_by_id",
    "partner": "partner_id",
    "create_person": "create_person",
}


def _amount(
    value: AmountIn | None, currency: str, field: str, errors: dict[str, list[str]]
) -> int | None:
    if value is None:
        return None
    try:
        return parse_amount(value if isinstance(value, str | int) else Decimal(value), currency)
    except MoneyError as error:
        errors.setdefault(field, []).append(sales_checks.money_message(error))
        return None


def _record(
    model: Any, pk: int | None, field: str, errors: dict[str, list[str]], message: str
) -> Any:
    if pk is None:
        return None
    record = model.objects.filter(pk=pk).first()
    if record is None:
        errors.setdefault(field, []).append(message)
    return record


def _person(
    viewer: User, pk: int | None, field: str, errors: dict[str, list[str]]
) -> Person | None:
    # Only the key and the merge link: this code never shows the person's data.
    # A person out of the viewer's reach is answered like one that does not exist.
    if pk is None:
        return None
    people = Person.objects.only("pk", "merged_into")
    person = people.filter(owned_by_visible(viewer), pk=pk).first()
    if person is None:
        errors.setdefault(field, []).append(_("No person has this ID."))
    return person


def _organization(pk: int | None, field: str, errors: dict[str, list[str]]) -> Organization | None:
    return _record(Organization, pk, field, errors, _("No organization has this ID."))


def _staff(pk: int | None, field: str, errors: dict[str, list[str]]) -> User | None:
    return _record(User, pk, field, errors, _("No staff user has this ID."))


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _check_cursor(cursor: str | None, field: Field | None = None) -> None:
    """A cursor that does not parse, or whose value the sort `field` cannot hold."""
    if cursor and decode_cursor(cursor, field) is None:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "cursor"),
                    "type": "cursor",
                    "msg": _("This cursor is not valid: pass the next_cursor of a page."),
                }
            ]
        )


def _not_found(message: str) -> HttpError:
    return HttpError(404, message)


# --- shaping ----------------------------------------------------------------


def _ref(record: Any) -> dict[str, Any] | None:
    if record is None:
        return None
    return {"id": record.pk, "name_th": record.name_th, "name_en": record.name_en}


def _user_ref(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "username": user.username} if user else None


def _stage_out(stage: Stage) -> dict[str, Any]:
    return {
        name: getattr(stage, name)
        for name in ("id", "name_th", "name_en", "order", "probability", "is_won", "is_lost")
    }


def _pipeline_out(pipeline: Pipeline) -> dict[str, Any]:
    out = {
        name: getattr(pipeline, name)
        for name in ("id", "name_th", "name_en", "order", "is_default", "is_active")
    }
    out["stages"] = [_stage_out(stage) for stage in pipeline.stages.all()]
    return out


def _product_out(product: Product) -> dict[str, Any]:
    out = {
        name: getattr(product, name)
        for name in (
            "id",
            "code",
            "name_th",
            "name_en",
            "description",
            "is_active",
            "created_at",
            "updated_at",
        )
    }
    out.update(
        price=as_decimal(product.price), price_minor=product.price, partner=_ref(product.partner)
    )
    return out


def _deal_out(deal: Deal, lines: list[Any] | None = None) -> dict[str, Any]:
    lines = lines if lines is not None else list(deal.lines.select_related("product"))
    return {
        "id": deal.pk,
        "title": deal.title,
        "pipeline": _ref(deal.pipeline),
        "stage": _stage_out(deal.stage),
        "status": deal.status,
        "person": _ref(deal.person),
        "organization": _ref(deal.organization),
        "owner": _user_ref(deal.owner),
        "amount": as_decimal(deal.amount, deal.currency),
        "amount_minor": deal.amount,
        "currency": deal.currency,
        "exchange_rate": deal.exchange_rate,
        "amount_thb": as_decimal(deal.amount_thb),
        "amount_thb_minor": deal.amount_thb,
        "expected_close_date": deal.expected_close_date,
        "lost_reason": deal.lost_reason,
        "closed_at": deal.closed_at,
        "stage_changed_at": deal.stage_changed_at,
        "lead_id": deal.lead_id,
        "products": [
            {
                "id": line.pk,
                "product_id": line.product_id,
                "code": line.product.code,
                "quantity": line.quantity,
                "unit_price": as_decimal(line.unit_price, deal.currency),
                "unit_price_minor": line.unit_price,
                "total": as_decimal(line.total, deal.currency),
            }
            for line in lines
        ],
        "created_at": deal.created_at,
        "updated_at": deal.updated_at,
    }


def _read_deal(viewer: User, deal_id: int) -> dict[str, Any]:
    try:
        detail = selectors.deal_detail(viewer, deal_id, channel=API)
    except Http404:
        raise _not_found(_("No deal has the ID %(id)s.") % {"id": deal_id}) from None
    return _deal_out(detail.deal, detail.lines)


def _lead_out(lead: Lead) -> dict[str, Any]:
    out = {
        name: getattr(lead, name)
        for name in (
            "id",
            "title",
            "first_name",
            "last_name",
            "email",
            "phone",
            "company_name",
            "source",
            "source_detail",
            "referred_by_id",
            "partner_id",
            "status",
            "disqualified_reason",
            "converted_deal_id",
            "converted_at",
            "created_at",
            "updated_at",
        )
    }
    out.update(
        person=_ref(lead.person),
        organization=_ref(lead.organization),
        owner=_user_ref(lead.owner),
        products=[product.code for product in lead.products.all()],
    )
    return out


def _read_lead(viewer: User, lead_id: int) -> dict[str, Any]:
    try:
        lead = selectors.lead_detail(viewer, lead_id, channel=API)
    except Http404:
        raise _not_found(_("No lead has the ID %(id)s.") % {"id": lead_id}) from None
    return _lead_out(lead)


def _deal_to_change(viewer: User, deal_id: int) -> Deal:
    deals = Deal.objects.select_related("pipeline", "stage")
    deal = deals.filter(owned_by_visible(viewer), pk=deal_id).first()
    if deal is None:
        raise _not_found(_("No deal has the ID %(id)s.") % {"id": deal_id})
    return deal


def _lead_to_change(viewer: User, lead_id: int) -> Lead:
    lead = Lead.objects.filter(owned_by_visible(viewer), pk=lead_id).first()
    if lead is None:
        raise _not_found(_("No lead has the ID %(id)s.") % {"id": lead_id})
    return lead


# --- pipelines and stages ---------------------------------------------------


@pipelines_router.get("", response=_answers(200, list[PipelineOut]), summary="List pipelines")
def list_pipelines(request: HttpRequest) -> list[dict[str, Any]]:
    """Every pipeline with its stages in board order; the default first."""
    _viewer(request)
    pipelines = Pipeline.objects.prefetch_related("stages").order_by("-is_default", "order", "id")
    return [_pipeline_out(pipeline) for pipeline in pipelines]


def _pipeline(pipeline_id: int) -> Pipeline:
    pipeline = Pipeline.objects.filter(pk=pipeline_id).first()
    if pipeline is None:
        raise _not_found(_("No pipeline has the ID %(id)s.") % {"id": pipeline_id})
    return pipeline


@pipelines_router.post("", response=_answers(201, PipelineOut, 422), summary="Create a pipeline")
def create_pipeline(request: HttpRequest, payload: PipelineCreate) -> Status[dict[str, Any]]:
    """A new pipeline, with the usual stages to rename or replace."""
    viewer = _viewer(request, configure=True)
    with _fields():
        pipeline = pipeline_services.create_pipeline(viewer, channel=API, **payload.model_dump())
    return Status(201, _pipeline_out(pipeline))


@pipelines_router.get(
    "/{pipeline_id}", response=_answers(200, PipelineOut, 404), summary="Get a pipeline"
)
def read_pipeline(request: HttpRequest, pipeline_id: PipelineId) -> dict[str, Any]:
    _viewer(request)
    return _pipeline_out(_pipeline(pipeline_id))


@pipelines_router.patch(
    "/{pipeline_id}", response=_answers(200, PipelineOut, 404, 422), summary="Change a pipeline"
)
def update_pipeline(
    request: HttpRequest, pipeline_id: PipelineId, payload: PipelineUpdate
) -> dict[str, Any]:
    viewer = _viewer(request, configure=True)
    pipeline = _pipeline(pipeline_id)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    with _fields():
        pipeline_services.update_pipeline(viewer, pipeline, channel=API, **changes)
    return _pipeline_out(pipeline)


@pipelines_router.delete(
    "/{pipeline_id}", response=_answers(204, None, 404, 422), summary="Delete a pipeline"
)
def delete_pipeline(request: HttpRequest, pipeline_id: PipelineId) -> Status[None]:
    """Only a pipeline that holds no deals and is not the default."""
    viewer = _viewer(request, configure=True)
    with _fields():
        pipeline_services.delete_pipeline(viewer, _pipeline(pipeline_id), channel=API)
    return Status(204, None)


def _stage(pipeline_id: int, stage_id: int) -> Stage:
    stage = (
        Stage.objects.select_related("pipeline")
        .filter(pk=stage_id, pipeline_id=pipeline_id)
        .first()
    )
    if stage is None:
        raise _not_found(_("This pipeline has no stage with the ID %(id)s.") % {"id": stage_id})
    return stage


@pipelines_router.post(
    "/{pipeline_id}/stages", response=_answers(201, StageOut, 404, 422), summary="Add a stage"
)
def create_stage(
    request: HttpRequest, pipeline_id: PipelineId, payload: StageCreate
) -> Status[dict[str, Any]]:
    viewer = _viewer(request, configure=True)
    pipeline = _pipeline(pipeline_id)
    values = payload.model_dump()
    if values["order"] is None:
        values.pop("order")
    with _fields():
        stage = pipeline_services.create_stage(viewer, pipeline, channel=API, **values)
    return Status(201, _stage_out(stage))


@pipelines_router.patch(
    "/{pipeline_id}/stages/{stage_id}",
    response=_answers(200, StageOut, 404, 422),
    summary="Change a stage",
)
def update_stage(
    request: HttpRequest, pipeline_id: PipelineId, stage_id: StageId, payload: StageUpdate
) -> dict[str, Any]:
    viewer = _viewer(request, configure=True)
    stage = _stage(pipeline_id, stage_id)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    with _fields():
        pipeline_services.update_stage(viewer, stage, channel=API, **changes)
    return _stage_out(stage)


@pipelines_router.delete(
    "/{pipeline_id}/stages/{stage_id}",
    response=_answers(204, None, 404, 422),
    summary="Delete a stage",
)
def delete_stage(request: HttpRequest, pipeline_id: PipelineId, stage_id: StageId) -> Status[None]:
    """Only a stage no deal is in or has been through."""
    viewer = _viewer(request, configure=True)
    with _fields():
        pipeline_services.delete_stage(viewer, _stage(pipeline_id, stage_id), channel=API)
    return Status(204, None)


# --- products ---------------------------------------------------------------


@products_router.get("", response=_answers(200, ProductPageOut, 422), summary="List products")
def list_products(request: HttpRequest, filters: Query[ProductListQuery]) -> dict[str, Any]:
    """The catalog by code, paged with a cursor."""
    _viewer(request)
    _check_cursor(filters.cursor, Product._meta.get_field("code"))
    products = Product.objects.select_related("partner")
    for word in filters.q.split():
        products = products.filter(
            Q(code__icontains=word) | Q(name_th__icontains=word) | Q(name_en__icontains=word)
        )
    if filters.is_active is not None:
        products = products.filter(is_active=filters.is_active)
    if filters.partner is not None:
        products = products.filter(partner_id=filters.partner)
    page = selectors._keyset_page(
        products, {"code": ("code", False)}, "code", filters.cursor, filters.limit
    )
    return {"items": [_product_out(p) for p in page.items], "next_cursor": page.next_cursor}


def _product(product_id: int) -> Product:
    product = Product.objects.select_related("partner").filter(pk=product_id).first()
    if product is None:
        raise _not_found(_("No product has the ID %(id)s.") % {"id": product_id})
    return product


def _product_values(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values = {k: v for k, v in data.items() if k not in {"price", "partner_id"}}
    if "price" in data:
        if data["price"] is None:
            errors["price"] = [_("This field is required.")]
        else:
            values["price"] = _amount(data["price"], "THB", "price", errors)
    if "partner_id" in data:
        values["partner"] = _organization(data["partner_id"], "partner_id", errors)
    for name in ("code", "name_th", "name_en", "description"):
        if name in values and values[name] is None:
            values[name] = ""
    if "is_active" in values and values["is_active"] is None:
        values.pop("is_active")
    _raise(errors)
    return values


@products_router.post("", response=_answers(201, ProductOut, 422), summary="Create a product")
def create_product(request: HttpRequest, payload: ProductCreate) -> Status[dict[str, Any]]:
    viewer = _viewer(request, configure=True)
    with _fields({"partner": "partner_id"}):
        product = product_services.create_product(
            viewer, channel=API, **_product_values(payload.model_dump())
        )
    return Status(201, _product_out(product))


@products_router.get(
    "/{product_id}", response=_answers(200, ProductOut, 404), summary="Get a product"
)
def read_product(request: HttpRequest, product_id: ProductId) -> dict[str, Any]:
    _viewer(request)
    return _product_out(_product(product_id))


@products_router.patch(
    "/{product_id}", response=_answers(200, ProductOut, 404, 422), summary="Change a product"
)
def update_product(
    request: HttpRequest, product_id: ProductId, payload: ProductUpdate
) -> dict[str, Any]:
    viewer = _viewer(request, configure=True)
    product = _product(product_id)
    with _fields({"partner": "partner_id"}):
        product_services.update_product(
            viewer, product, channel=API, **_product_values(payload.model_dump(exclude_unset=True))
        )
    return _product_out(_product(product_id))


@products_router.delete(
    "/{product_id}", response=_answers(204, None, 404, 422), summary="Delete a product"
)
def delete_product(request: HttpRequest, product_id: ProductId) -> Status[None]:
    """Only a product no deal includes; otherwise mark it as no longer offered."""
    viewer = _viewer(request, configure=True)
    with _fields():
        product_services.delete_product(viewer, _product(product_id), channel=API)
    return Status(204, None)


# --- deals ------------------------------------------------------------------


def _lines(
    items: list[Any], currency: str, errors: dict[str, list[str]], prefix: str = "products"
) -> list[deal_services.LineInput]:
    lines = []
    for index, item in enumerate(items):
        product = _record(
            Product,
            item.product_id,
            f"{prefix}.{index}.product_id",
            errors,
            _("No product has this ID."),
        )
        price = _amount(item.unit_price, currency, f"{prefix}.{index}.unit_price", errors)
        if product is not None:
            lines.append(deal_services.LineInput(product, item.quantity, price))
    return lines


def _deal_values(
    viewer: User, data: dict[str, Any], currency: str, errors: dict[str, list[str]]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in data.items():
        if name == "person_id":
            values["person"] = _person(viewer, value, name, errors)
        elif name == "organization_id":
            values["organization"] = _organization(value, name, errors)
        elif name == "owner_id":
            values["owner"] = _staff(value, name, errors)
        elif name == "amount":
            values["amount"] = _amount(value, currency, name, errors) if value is not None else 0
        elif name in {"title", "lost_reason"}:
            values[name] = value or ""
        else:
            values[name] = value
    return values


@deals_router.get("", response=_answers(200, DealPageOut, 422), summary="List deals")
def list_deals(request: HttpRequest, filters: Query[DealListQuery]) -> dict[str, Any]:
    """Deals matching the filters, most recently changed first unless sorted
    otherwise. Pages with a cursor: pass `next_cursor` as `cursor` until null."""
    viewer = _viewer(request)
    _check_cursor(filters.cursor, sort_field(Deal, selectors.DEAL_SORTS, filters.sort))
    errors: dict[str, list[str]] = {}
    amount_min = _amount(filters.amount_min, "THB", "amount_min", errors)
    amount_max = _amount(filters.amount_max, "THB", "amount_max", errors)
    for name in ("close_from", "close_to", "closed_from", "closed_to"):
        sales_checks.check_date_year(getattr(filters, name), name, errors)
    if errors:
        raise RequestValidationError(
            [
                {"loc": ("query", name), "type": "sales", "msg": m}
                for name, ms in errors.items()
                for m in ms
            ]
        )
    page = selectors.deals_page(
        viewer,
        selectors.DealFilters(
            query=filters.q,
            pipeline=filters.pipeline,
            stage=filters.stage,
            owner=filters.owner,
            status=filters.status or "",
            close_from=filters.close_from,
            close_to=filters.close_to,
            amount_min=amount_min,
            amount_max=amount_max,
            closed_from=filters.closed_from,
            closed_to=filters.closed_to,
            person=filters.person,
            organization=filters.organization,
            sort=filters.sort,
        ),
        filters.cursor,
        channel=API,
        page_size=filters.limit,
    )
    lines = selectors.lines_by_deal([deal.pk for deal in page.items])
    return {
        "items": [_deal_out(deal, lines.get(deal.pk, [])) for deal in page.items],
        "next_cursor": page.next_cursor,
    }


@deals_router.post("", response=_answers(201, DealOut, 422), summary="Create a deal")
def create_deal(request: HttpRequest, payload: DealCreate) -> Status[dict[str, Any]]:
    """A new deal in the given (or default) pipeline and stage. With products,
    its amount is their total."""
    viewer = _viewer(request)
    errors: dict[str, list[str]] = {}
    if payload.pipeline_id is None:
        pipeline = selectors.default_pipeline()
        if pipeline is None:
            errors["pipeline_id"] = [_("No pipeline is in use.")]
    else:
        pipeline = _record(
            Pipeline, payload.pipeline_id, "pipeline_id", errors, _("No pipeline has this ID.")
        )
    stage = _record(Stage, payload.stage_id, "stage_id", errors, _("No stage has this ID."))
    data = payload.model_dump(
        exclude={"pipeline_id", "stage_id", "products", "title"}, exclude_unset=True
    )
    data.setdefault("owner_id", viewer.pk)
    data.setdefault("currency", "THB")
    values = _deal_values(viewer, data, data["currency"], errors)
    lines = _lines(payload.products, data["currency"], errors)
    if "amount" in values and payload.amount is None:
        values.pop("amount")
    _raise(errors)
    with transaction.atomic(), _fields(_NAMES):
        deal = deal_services.create_deal(
            viewer,
            title=payload.title,
            pipeline=pipeline,
            stage=stage,
            lines=lines,
            channel=API,
            **values,
        )
    return Status(201, _read_deal(viewer, deal.pk))


@deals_router.get("/{deal_id}", response=_answers(200, DealOut, 404), summary="Get a deal")
def read_deal(request: HttpRequest, deal_id: DealId) -> dict[str, Any]:
    return _read_deal(_viewer(request), deal_id)


@deals_router.patch(
    "/{deal_id}", response=_answers(200, DealOut, 404, 422), summary="Change a deal"
)
def update_deal(request: HttpRequest, deal_id: DealId, payload: DealUpdate) -> dict[str, Any]:
    """Changes the fields sent and nothing else; the stage changes through `/move`."""
    viewer = _viewer(request)
    deal = _deal_to_change(viewer, deal_id)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("currency") is None:
        changes.pop("currency", None)
    errors: dict[str, list[str]] = {}
    values = _deal_values(viewer, changes, changes.get("currency", deal.currency), errors)
    _raise(errors)
    with _fields(_NAMES):
        deal_services.update_deal(viewer, deal, channel=API, **values)
    return _read_deal(viewer, deal_id)


@deals_router.delete("/{deal_id}", response=_answers(204, None, 404), summary="Delete a deal")
def delete_deal(request: HttpRequest, deal_id: DealId) -> Status[None]:
    viewer = _viewer(request)
    deal_services.delete_deal(viewer, _deal_to_change(viewer, deal_id), channel=API)
    return Status(204, None)


@deals_router.post(
    "/{deal_id}/move", response=_answers(200, DealOut, 404, 422), summary="Move a deal to a stage"
)
def move_deal(request: HttpRequest, deal_id: DealId, payload: DealMove) -> dict[str, Any]:
    """Moves the deal to another stage of its own pipeline and records the move
    in its stage history. A lost stage needs `lost_reason`; a stage of another
    pipeline is refused (422 on `stage_id`)."""
    viewer = _viewer(request)
    deal = _deal_to_change(viewer, deal_id)
    errors: dict[str, list[str]] = {}
    stage = _record(Stage, payload.stage_id, "stage_id", errors, _("No stage has this ID."))
    _raise(errors)
    with _fields(_NAMES):
        deal_services.move_deal(viewer, deal, stage, lost_reason=payload.lost_reason, channel=API)
    return _read_deal(viewer, deal_id)


@deals_router.put(
    "/{deal_id}/products",
    response=_answers(200, DealOut, 404, 422),
    summary="Set a deal's products",
)
def set_deal_products(
    request: HttpRequest, deal_id: DealId, payload: DealProductsIn
) -> dict[str, Any]:
    """Replaces the deal's products; its amount becomes their total."""
    viewer = _viewer(request)
    deal = _deal_to_change(viewer, deal_id)
    errors: dict[str, list[str]] = {}
    lines = _lines(payload.products, deal.currency, errors)
    _raise(errors)
    with _fields():
        deal_services.set_deal_lines(viewer, deal, lines, channel=API)
    return _read_deal(viewer, deal_id)


# --- leads ------------------------------------------------------------------


def _lead_values(
    viewer: User, data: dict[str, Any], errors: dict[str, list[str]]
) -> tuple[dict[str, Any], list[Product] | None]:
    values: dict[str, Any] = {}
    products = None
    for name, value in data.items():
        if name in {"person_id", "referred_by_id"}:
            values[name.removesuffix("_id")] = _person(viewer, value, name, errors)
        elif name in {"organization_id", "partner_id"}:
            values[name.removesuffix("_id")] = _organization(value, name, errors)
        elif name == "owner_id":
            values["owner"] = _staff(value, name, errors)
        elif name == "product_ids":
            if value is None:
                continue
            found = Product.objects.in_bulk(value)
            missing = [pk for pk in value if pk not in found]
            if missing:
                errors.setdefault(name, []).append(
                    _("No product has the ID %(ids)s.") % {"ids": ", ".join(map(str, missing))}
                )
            products = [found[pk] for pk in value if pk in found]
        elif value is None:
            values[name] = ""
        else:
            values[name] = value
    return values, products


@leads_router.get("", response=_answers(200, LeadPageOut, 422), summary="List leads")
def list_leads(request: HttpRequest, filters: Query[LeadListQuery]) -> dict[str, Any]:
    """Leads matching the filters, newest first. Pages with a cursor."""
    viewer = _viewer(request)
    _check_cursor(filters.cursor, sort_field(Lead, selectors.LEAD_SORTS, filters.sort))
    page = selectors.leads_page(
        viewer,
        selectors.LeadFilters(
            query=filters.q,
            status=filters.status or "",
            source=filters.source or "",
            owner=filters.owner,
            created_from=filters.created_from,
            created_to=filters.created_to,
            sort=filters.sort,
        ),
        filters.cursor,
        channel=API,
        page_size=filters.limit,
    )
    return {"items": [_lead_out(lead) for lead in page.items], "next_cursor": page.next_cursor}


@leads_router.post("", response=_answers(201, LeadOut, 422), summary="Create a lead")
def create_lead(request: HttpRequest, payload: LeadCreate) -> Status[dict[str, Any]]:
    """A lead: who (a person or organization in the CRM, or just a name, email,
    phone or company), what they are interested in, and where they came from."""
    viewer = _viewer(request)
    data = payload.model_dump()
    data.setdefault("owner_id", None)
    if data["owner_id"] is None:
        data["owner_id"] = viewer.pk
    errors: dict[str, list[str]] = {}
    values, products = _lead_values(viewer, data, errors)
    _raise(errors)
    with _fields(_NAMES):
        lead = lead_services.create_lead(viewer, products=products, channel=API, **values)
    return Status(201, _read_lead(viewer, lead.pk))


@leads_router.get("/{lead_id}", response=_answers(200, LeadOut, 404), summary="Get a lead")
def read_lead(request: HttpRequest, lead_id: LeadId) -> dict[str, Any]:
    return _read_lead(_viewer(request), lead_id)


@leads_router.patch(
    "/{lead_id}", response=_answers(200, LeadOut, 404, 422), summary="Change a lead"
)
def update_lead(request: HttpRequest, lead_id: LeadId, payload: LeadUpdate) -> dict[str, Any]:
    """Changes the fields sent. `status` (with `disqualified_reason` for
    disqualified) qualifies or disqualifies; a converted lead is kept as it was."""
    viewer = _viewer(request)
    lead = _lead_to_change(viewer, lead_id)
    changes = payload.model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    reason = changes.pop("disqualified_reason", None)
    errors: dict[str, list[str]] = {}
    values, products = _lead_values(viewer, changes, errors)
    if changes.get("title", "x") is None or changes.get("source", "x") is None:
        errors.setdefault("title" if changes.get("title", "x") is None else "source", []).append(
            _("This field cannot be null.")
        )
    _raise(errors)
    with transaction.atomic(), _fields(_NAMES):
        if values or products is not None:
            lead_services.update_lead(viewer, lead, products=products, channel=API, **values)
        if status is not None or reason is not None:
            lead_services.set_lead_status(
                viewer, lead, status or lead.status, reason=reason or "", channel=API
            )
    return _read_lead(viewer, lead_id)


@leads_router.delete("/{lead_id}", response=_answers(204, None, 404, 422), summary="Delete a lead")
def delete_lead(request: HttpRequest, lead_id: LeadId) -> Status[None]:
    """Only a lead not converted: a converted one is the deal's history."""
    viewer = _viewer(request)
    with _fields():
        lead_services.delete_lead(viewer, _lead_to_change(viewer, lead_id), channel=API)
    return Status(204, None)


@leads_router.post(
    "/{lead_id}/convert",
    response=_answers(201, DealOut, 404, 422),
    summary="Convert a lead into a deal",
)
def convert_lead(
    request: HttpRequest, lead_id: LeadId, payload: LeadConvert
) -> Status[dict[str, Any]]:
    """Creates (`create_person`, `create_organization`) or links (`person_id`,
    `organization_id`) the person and organization and opens a deal. The lead
    keeps its history and points at the deal. Nothing is written on an error."""
    viewer = _viewer(request)
    lead = _lead_to_change(viewer, lead_id)
    errors: dict[str, list[str]] = {}
    if payload.pipeline_id is None:
        pipeline = selectors.default_pipeline()
        if pipeline is None:
            errors["pipeline_id"] = [_("No pipeline is in use.")]
    else:
        pipeline = _record(
            Pipeline, payload.pipeline_id, "pipeline_id", errors, _("No pipeline has this ID.")
        )
    stage = _record(Stage, payload.stage_id, "stage_id", errors, _("No stage has this ID."))
    conversion = lead_services.Conversion(
        pipeline=pipeline,  # type: ignore[arg-type]
        stage=stage,
        title=payload.title,
        person=_person(viewer, payload.person_id, "person_id", errors),
        organization=_organization(payload.organization_id, "organization_id", errors),
        create_person=payload.create_person,
        create_organization=payload.create_organization,
        channel=payload.channel or "",
        owner=_staff(payload.owner_id, "owner_id", errors),
        amount=_amount(payload.amount, payload.currency, "amount", errors),
        currency=payload.currency,
        exchange_rate=payload.exchange_rate,
        expected_close_date=payload.expected_close_date,
    )
    _raise(errors)
    with _fields({**_NAMES, "create_organization": "create_organization"}):
        deal = lead_services.convert_lead(viewer, lead, conversion, channel=API)
    return Status(201, _read_deal(viewer, deal.pk))


# --- interests in products ----------------------------------------------------


def _interest_out(interest: ProductInterest) -> dict[str, Any]:
    product = interest.product
    return {
        "id": interest.pk,
        "person_id": interest.person_id,
        "product": {
            "id": product.pk,
            "code": product.code,
            "name_th": product.name_th,
            "name_en": product.name_en,
            "partner_id": product.partner_id,
        },
        **{
            name: getattr(interest, name)
            for name in (
                "kind",
                "since",
                "source",
                "source_detail",
                "lead_id",
                "deal_id",
                "created_at",
            )
        },
    }


def _interest(viewer: User, interest_id: int) -> ProductInterest:
    interest = (
        ProductInterest.objects.select_related("product", "person").filter(pk=interest_id).first()
    )
    if interest is None:
        raise _not_found(_("No interest record has the ID %(id)s.") % {"id": interest_id})
    return interest


@interests_router.get("", response=_answers(200, InterestPageOut, 422), summary="List interests")
def list_interests(request: HttpRequest, filters: Query[InterestListQuery]) -> dict[str, Any]:
    """Who showed interest in or bought which product, newest first."""
    viewer = _viewer(request)
    _check_cursor(filters.cursor)
    interests = ProductInterest.objects.select_related("product")
    if filters.person is not None:
        interests = interests.filter(person_id=filters.person)
    if filters.product is not None:
        interests = interests.filter(product_id=filters.product)
    if filters.kind:
        interests = interests.filter(kind=filters.kind)
    page = selectors._keyset_page(
        interests, {"newest": ("id", True)}, "newest", filters.cursor, filters.limit
    )
    record_access(
        viewer,
        "sales.interest_list",
        "sales.productinterest",
        [str(i.pk) for i in page.items],
        channel=API,
    )
    return {"items": [_interest_out(i) for i in page.items], "next_cursor": page.next_cursor}


@interests_router.post("", response=_answers(201, InterestOut, 422), summary="Record an interest")
def create_interest(request: HttpRequest, payload: InterestCreate) -> Status[dict[str, Any]]:
    """ "Interested in product X since …, source …" (or bought). Recording it
    again for the same person, product and kind returns the existing record."""
    viewer = _viewer(request)
    errors: dict[str, list[str]] = {}
    person = _person(viewer, payload.person_id, "person_id", errors)
    product = _record(
        Product, payload.product_id, "product_id", errors, _("No product has this ID.")
    )
    _raise(errors)
    since = payload.since
    if since is not None and timezone.is_naive(since):
        since = timezone.make_aware(since)
    with _fields(_NAMES):
        interest = interest_services.record_product_interest(
            viewer,
            person,
            product,
            payload.kind,
            since=since,
            source=payload.source,
            source_detail=payload.source_detail,
            channel=API,
        )
    return Status(201, _interest_out(_interest(viewer, interest.pk)))


@interests_router.get(
    "/{interest_id}", response=_answers(200, InterestOut, 404), summary="Get an interest"
)
def read_interest(request: HttpRequest, interest_id: InterestId) -> dict[str, Any]:
    viewer = _viewer(request)
    interest = _interest(viewer, interest_id)
    record_access(
        viewer, "sales.interest", "sales.productinterest", [str(interest.pk)], channel=API
    )
    return _interest_out(interest)


@interests_router.patch(
    "/{interest_id}", response=_answers(200, InterestOut, 404, 422), summary="Change an interest"
)
def update_interest(
    request: HttpRequest, interest_id: InterestId, payload: InterestUpdate
) -> dict[str, Any]:
    viewer = _viewer(request)
    interest = _interest(viewer, interest_id)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    if "since" in changes and timezone.is_naive(changes["since"]):
        changes["since"] = timezone.make_aware(changes["since"])
    with _fields():
        interest_services.update_product_interest(viewer, interest, channel=API, **changes)
    return _interest_out(_interest(viewer, interest_id))


@interests_router.delete(
    "/{interest_id}", response=_answers(204, None, 404), summary="Delete an interest"
)
def delete_interest(request: HttpRequest, interest_id: InterestId) -> Status[None]:
    viewer = _viewer(request)
    interest_services.remove_product_interest(viewer, _interest(viewer, interest_id), channel=API)
    return Status(204, None)
