"""Writes of pipelines, stages, products, leads and deals. Each function is one
transaction with one audit entry; views, the API, the demo loader and tasks
call these and never save the models themselves.

Errors are Django `ValidationError`s keyed by field name, so forms and the API
show each next to the field it is about."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from connexion.accounts.models import User
from connexion.audit.models import AuditEvent
from connexion.audit.services import record_change
from connexion.lib.money import (
    BASE_CURRENCY,
    CURRENCY_DIGITS,
    MAX_MINOR_UNITS,
    MoneyError,
    to_base,
)
from connexion.lib.phone import InvalidPhoneNumber, to_e164
from connexion.lib.thai import BUDDHIST_ERA_OFFSET
from connexion.people import services as people_services
from connexion.people.models import Organization, Person, Source
from connexion.sales.models import (
    Deal,
    DealProduct,
    Lead,
    Pipeline,
    Product,
    ProductInterest,
    Stage,
    StageChange,
    StageTotal,
)

UI = AuditEvent.Channel.UI
# A year above this in a date is a Buddhist Era year typed where CE was meant.
LAST_PLAUSIBLE_CE_YEAR = 2400
_THAI_SCRIPT = re.compile(r"[\u0e00-\u0e7f]")


# --- helpers ----------------------------------------------------------------


def _user(actor: Any) -> User | None:
    return actor if getattr(actor, "pk", None) else None


def _display(value: Any) -> Any:
    """What the audit log keeps of a value."""
    if isinstance(value, models.Model):
        return f"#{value.pk} {value}"
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _diff(instance: models.Model, changes: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [_display(getattr(instance, name)), _display(value)]
        for name, value in changes.items()
        if getattr(instance, name) != value
    }


def _created(fields: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [None, _display(value)]
        for name, value in fields.items()
        if value not in ("", None, [])
    }


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _full_clean(instance: models.Model, errors: dict[str, list[str]], **kwargs: Any) -> None:
    """The model's own validation, merged into `errors`. `__all__` holds only
    check-constraint messages that the service's own checks say better."""
    # A field the service already found wrong is not reported twice.
    kwargs["exclude"] = [*kwargs.get("exclude", []), *errors]
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            if name != "__all__":
                for message in messages:
                    if message not in errors.get(name, []):
                        _add(errors, name, message)


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def check_date_year(value: date | None, field: str, errors: dict[str, list[str]]) -> None:
    """A date typed with its Buddhist Era year (2569 for 2026) is refused with
    the CE year to use, rather than stored 543 years in the future."""
    if value is not None and value.year > LAST_PLAUSIBLE_CE_YEAR:
        _add(
            errors,
            field,
            _(
                "The year %(year)s looks like a Buddhist Era year. Enter the year in the "
                "Common Era: %(ce_year)s."
            )
            % {"year": value.year, "ce_year": value.year - BUDDHIST_ERA_OFFSET},
        )


def _check_staff(user: User | None, field: str, errors: dict[str, list[str]]) -> None:
    if user is not None and not user.is_active:
        _add(errors, field, _("This staff account is deactivated; choose an active one."))


def _check_person(person: Person | None, field: str, errors: dict[str, list[str]]) -> None:
    if person is not None and person.merged_into_id:
        _add(
            errors,
            field,
            _("This person was merged into #%(id)s; choose that record.")
            % {"id": person.merged_into_id},
        )


def _check_partner(partner: Organization | None, field: str, errors: dict[str, list[str]]) -> None:
    if partner is not None and partner.kind != Organization.Kind.PARTNER:
        _add(errors, field, _("This organization is not marked as a business partner."))


def _money_message(error: MoneyError) -> str:
    messages = {
        "invalid": _("Enter an amount as a number, e.g. 1,250.50."),
        "negative": _("An amount cannot be negative."),
        "decimals": _("Enter at most %(digits)s decimal places for this currency.")
        % {"digits": error.digits},
        "too_large": _("This amount is too large."),
        "not_positive": _("The exchange rate must be greater than zero."),
        "rate_precision": _("Enter the exchange rate with at most six decimal places."),
        "no_rate": _("Give the exchange rate to THB for an amount in another currency."),
    }
    return messages.get(error.code, messages["invalid"])


def money_message(error: MoneyError) -> str:
    """The translated message for a `MoneyError`, for forms and the API."""
    return _money_message(error)


def _check_amount(value: Any, field: str, errors: dict[str, list[str]]) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        _add(errors, field, _("Enter an amount as a number, e.g. 1,250.50."))
    elif value < 0:
        _add(errors, field, _("An amount cannot be negative."))
    elif value > MAX_MINOR_UNITS:
        _add(errors, field, _("This amount is too large."))


# --- pipelines and stages ---------------------------------------------------

# (Thai name, English name, probability %, won, lost)
DEFAULT_STAGES = [
    ("คัดกรองแล้ว", "Qualified", 10, False, False),
    ("นัดพบ / นำเสนอ", "Meeting", 25, False, False),
    ("ส่งใบเสนอราคา", "Proposal sent", 50, False, False),
    ("เจรจาต่อรอง", "Negotiation", 75, False, False),
    ("ปิดการขายได้", "Won", 100, True, False),
    ("ไม่สำเร็จ", "Lost", 0, False, True),
]


def seed_default_pipeline(using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: a new installation (or a flushed test database)
    gets one pipeline with the usual stages, named in Thai and English."""
    if Pipeline.objects.using(using).exists():
        return
    with transaction.atomic(using=using):
        pipeline = Pipeline.objects.using(using).create(
            name_th="การขาย", name_en="Sales", is_default=True
        )
        Stage.objects.using(using).bulk_create(
            Stage(
                pipeline=pipeline,
                name_th=name_th,
                name_en=name_en,
                order=(index + 1) * 10,
                probability=probability,
                is_won=won,
                is_lost=lost,
            )
            for index, (name_th, name_en, probability, won, lost) in enumerate(DEFAULT_STAGES)
        )


def _check_pipeline(pipeline: Pipeline, errors: dict[str, list[str]]) -> None:
    for name in ("name_th", "name_en"):
        setattr(pipeline, name, getattr(pipeline, name).strip())
    if not pipeline.name_th:
        _add(errors, "name_th", _("Give the name in Thai."))
    if not pipeline.name_en:
        _add(errors, "name_en", _("Give the name in English."))
    _full_clean(pipeline, errors, validate_constraints=False)


def _make_only_default(pipeline: Pipeline) -> None:
    Pipeline.objects.filter(is_default=True).exclude(pk=pipeline.pk).update(is_default=False)


@transaction.atomic
def create_pipeline(
    actor: Any,
    *,
    name_th: str,
    name_en: str,
    is_default: bool = False,
    channel: str = UI,
) -> Pipeline:
    """A new pipeline starts with the default stages, for staff to rename."""
    order = (Pipeline.objects.aggregate(last=Max("order"))["last"] or 0) + 10
    pipeline = Pipeline(name_th=name_th, name_en=name_en, is_default=is_default, order=order)
    errors: dict[str, list[str]] = {}
    _check_pipeline(pipeline, errors)
    _raise(errors)
    if is_default:
        _make_only_default(pipeline)
    pipeline.save()
    Stage.objects.bulk_create(
        Stage(
            pipeline=pipeline,
            name_th=th,
            name_en=en,
            order=(index + 1) * 10,
            probability=probability,
            is_won=won,
            is_lost=lost,
        )
        for index, (th, en, probability, won, lost) in enumerate(DEFAULT_STAGES)
    )
    record_change(
        actor,
        "sales.create_pipeline",
        pipeline,
        _created({"name_th": name_th, "name_en": name_en, "is_default": is_default}),
        channel=channel,
    )
    return pipeline


PIPELINE_FIELDS = {"name_th", "name_en", "order", "is_default", "is_active"}


@transaction.atomic
def update_pipeline(
    actor: Any, pipeline: Pipeline, *, channel: str = UI, **changes: Any
) -> Pipeline:
    unknown = set(changes) - PIPELINE_FIELDS
    if unknown:
        raise TypeError(f"not pipeline fields: {sorted(unknown)}")
    diff = _diff(pipeline, changes)
    for name, value in changes.items():
        setattr(pipeline, name, value)
    errors: dict[str, list[str]] = {}
    _check_pipeline(pipeline, errors)
    if pipeline.is_default and not pipeline.is_active:
        _add(errors, "is_active", _("The default pipeline must stay in use."))
    if "is_default" in diff and not pipeline.is_default:
        _add(errors, "is_default", _("Make another pipeline the default instead."))
    _raise(errors)
    if pipeline.is_default:
        _make_only_default(pipeline)
    if diff:
        pipeline.save()
        record_change(actor, "sales.update_pipeline", pipeline, diff, channel=channel)
    return pipeline


@transaction.atomic
def delete_pipeline(actor: Any, pipeline: Pipeline, *, channel: str = UI) -> None:
    if pipeline.is_default:
        raise ValidationError({"is_default": [_("The default pipeline cannot be deleted.")]})
    if pipeline.deals.exists():
        raise ValidationError(
            {"__all__": [_("This pipeline holds deals; stop using it instead of deleting it.")]}
        )
    record_change(
        actor,
        "sales.delete_pipeline",
        pipeline,
        {"pipeline": [str(pipeline), None]},
        channel=channel,
    )
    pipeline.delete()


STAGE_FIELDS = {"name_th", "name_en", "order", "probability", "is_won", "is_lost"}


def _check_stage(stage: Stage, errors: dict[str, list[str]]) -> None:
    for name in ("name_th", "name_en"):
        setattr(stage, name, str(getattr(stage, name)).strip())
    if not stage.name_th:
        _add(errors, "name_th", _("Give the name in Thai."))
    if not stage.name_en:
        _add(errors, "name_en", _("Give the name in English."))
    if not isinstance(stage.probability, int) or not 0 <= stage.probability <= 100:
        _add(errors, "probability", _("Enter a probability from 0 to 100."))
    if stage.is_won and stage.is_lost:
        _add(errors, "is_lost", _("A stage cannot be both won and lost."))
    _full_clean(stage, errors, exclude=["pipeline"], validate_constraints=False)


def _check_open_stage_left(stage: Stage, errors: dict[str, list[str]], *, deleting: bool) -> None:
    """A pipeline keeps at least one open stage, or no deal could be opened in it."""
    stays_open = not deleting and not (stage.is_won or stage.is_lost)
    others = stage.pipeline.stages.exclude(pk=stage.pk).filter(is_won=False, is_lost=False)
    if not stays_open and not others.exists():
        _add(errors, "__all__", _("A pipeline needs at least one open stage."))


def _stage_status(stage: Stage) -> str:
    if stage.is_won:
        return Deal.Status.WON
    if stage.is_lost:
        return Deal.Status.LOST
    return Deal.Status.OPEN


@transaction.atomic
def create_stage(actor: Any, pipeline: Pipeline, *, channel: str = UI, **fields: Any) -> Stage:
    unknown = set(fields) - STAGE_FIELDS
    if unknown:
        raise TypeError(f"not stage fields: {sorted(unknown)}")
    if "order" not in fields:
        fields["order"] = (pipeline.stages.aggregate(last=Max("order"))["last"] or 0) + 10
    stage = Stage(pipeline=pipeline, **fields)
    errors: dict[str, list[str]] = {}
    _check_stage(stage, errors)
    _raise(errors)
    stage.save()
    record_change(
        actor,
        "sales.create_stage",
        stage,
        {"pipeline": [None, pipeline.pk], **_created(fields)},
        channel=channel,
    )
    return stage


@transaction.atomic
def update_stage(actor: Any, stage: Stage, *, channel: str = UI, **changes: Any) -> Stage:
    unknown = set(changes) - STAGE_FIELDS
    if unknown:
        raise TypeError(f"not stage fields: {sorted(unknown)}")
    diff = _diff(stage, changes)
    for name, value in changes.items():
        setattr(stage, name, value)
    errors: dict[str, list[str]] = {}
    _check_stage(stage, errors)
    if not errors:
        _check_open_stage_left(stage, errors, deleting=False)
    _raise(errors)
    if not diff:
        return stage
    stage.save()
    if {"is_won", "is_lost"} & set(diff):
        # The deals in the stage follow its won/lost flags.
        status = _stage_status(stage)
        if status == Deal.Status.LOST and stage.deals.filter(lost_reason="").exists():
            raise ValidationError(
                {
                    "is_lost": [
                        _("Some deals in this stage have no lost reason; give them one first.")
                    ]
                }
            )
        stage.deals.exclude(status=status).update(
            status=status,
            closed_at=None if status == Deal.Status.OPEN else timezone.now(),
        )
    record_change(actor, "sales.update_stage", stage, diff, channel=channel)
    return stage


@transaction.atomic
def delete_stage(actor: Any, stage: Stage, *, channel: str = UI) -> None:
    if stage.deals.exists():
        raise ValidationError(
            {"__all__": [_("Deals are in this stage; move them to another stage first.")]}
        )
    if StageChange.objects.filter(models.Q(from_stage=stage) | models.Q(to_stage=stage)).exists():
        raise ValidationError(
            {
                "__all__": [
                    _("Deals have been through this stage; rename it instead of deleting it.")
                ]
            }
        )
    errors: dict[str, list[str]] = {}
    _check_open_stage_left(stage, errors, deleting=True)
    _raise(errors)
    record_change(
        actor, "sales.delete_stage", stage, {"stage": [str(stage), None]}, channel=channel
    )
    stage.delete()


# --- products ---------------------------------------------------------------

PRODUCT_FIELDS = {"code", "name_th", "name_en", "description", "price", "is_active", "partner"}


def _check_product(product: Product, errors: dict[str, list[str]]) -> None:
    product.code = product.code.strip()
    product.name_th = product.name_th.strip()
    product.name_en = product.name_en.strip()
    if not product.code:
        _add(errors, "code", _("Give the product a code."))
    if not (product.name_th or product.name_en):
        _add(errors, "name_th", _("Give the name in Thai or English."))
    _check_amount(product.price, "price", errors)
    _check_partner(product.partner, "partner", errors)
    if (
        product.code
        and Product.objects.filter(code__iexact=product.code).exclude(pk=product.pk).exists()
    ):
        _add(errors, "code", _("Another product has this code."))
    _full_clean(
        product, errors, exclude=["partner"], validate_unique=False, validate_constraints=False
    )


@transaction.atomic
def create_product(actor: Any, *, channel: str = UI, **fields: Any) -> Product:
    unknown = set(fields) - PRODUCT_FIELDS
    if unknown:
        raise TypeError(f"not product fields: {sorted(unknown)}")
    product = Product(**fields)
    errors: dict[str, list[str]] = {}
    _check_product(product, errors)
    _raise(errors)
    product.save()
    record_change(actor, "sales.create_product", product, _created(fields), channel=channel)
    return product


@transaction.atomic
def update_product(actor: Any, product: Product, *, channel: str = UI, **changes: Any) -> Product:
    unknown = set(changes) - PRODUCT_FIELDS
    if unknown:
        raise TypeError(f"not product fields: {sorted(unknown)}")
    diff = _diff(product, changes)
    for name, value in changes.items():
        setattr(product, name, value)
    errors: dict[str, list[str]] = {}
    _check_product(product, errors)
    _raise(errors)
    if diff:
        product.save()
        record_change(actor, "sales.update_product", product, diff, channel=channel)
    return product


@transaction.atomic
def delete_product(actor: Any, product: Product, *, channel: str = UI) -> None:
    if product.deal_lines.exists():
        raise ValidationError(
            {"__all__": [_("Deals include this product; mark it as no longer offered instead.")]}
        )
    record_change(
        actor, "sales.delete_product", product, {"product": [str(product), None]}, channel=channel
    )
    product.leads.clear()
    product.delete()


# --- interests in products -------------------------------------------------


@transaction.atomic
def record_product_interest(
    actor: Any,
    person: Person,
    product: Product,
    kind: str,
    *,
    since: datetime | None = None,
    source: str = ProductInterest.SourceKind.MANUAL,
    source_detail: str = "",
    lead: Lead | None = None,
    deal: Deal | None = None,
    channel: str = UI,
) -> ProductInterest:
    """ "Interested in X since …, source …". Recorded once per person, product and
    kind: recording it again keeps the first date (the interest is older)."""
    errors: dict[str, list[str]] = {}
    if kind not in ProductInterest.Kind.values:
        _add(errors, "kind", _("Choose bought or showed interest."))
    if source not in ProductInterest.SourceKind.values:
        _add(errors, "source", _("Choose where the interest came from."))
    _check_person(person, "person", errors)
    since = since or timezone.now()
    if since > timezone.now():
        _add(errors, "since", _("This date is in the future."))
    _raise(errors)
    interest, created = ProductInterest.objects.get_or_create(
        person=person,
        product=product,
        kind=kind,
        defaults={
            "since": since,
            "source": source,
            "source_detail": source_detail.strip(),
            "lead": lead,
            "deal": deal,
            "recorded_by": _user(actor),
        },
    )
    if not created and since < interest.since:
        interest.since = since
        interest.save(update_fields=["since"])
    if created:
        record_change(
            actor,
            "sales.product_interest",
            person,
            {f"product:{product.code}": [None, kind], "source": [None, source]},
            channel=channel,
        )
    return interest


INTEREST_FIELDS = {"since", "source", "source_detail"}


@transaction.atomic
def update_product_interest(
    actor: Any, interest: ProductInterest, *, channel: str = UI, **changes: Any
) -> ProductInterest:
    unknown = set(changes) - INTEREST_FIELDS
    if unknown:
        raise TypeError(f"not interest fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    if "source" in changes and changes["source"] not in ProductInterest.SourceKind.values:
        _add(errors, "source", _("Choose where the interest came from."))
    if changes.get("since") and changes["since"] > timezone.now():
        _add(errors, "since", _("This date is in the future."))
    _raise(errors)
    diff = _diff(interest, changes)
    for name, value in changes.items():
        setattr(interest, name, value)
    if diff:
        interest.save()
        record_change(
            actor, "sales.update_product_interest", interest.person, diff, channel=channel
        )
    return interest


@transaction.atomic
def remove_product_interest(actor: Any, interest: ProductInterest, *, channel: str = UI) -> None:
    record_change(
        actor,
        "sales.remove_product_interest",
        interest.person,
        {f"product:{interest.product.code}": [interest.kind, None]},
        channel=channel,
    )
    interest.delete()


# --- deals ------------------------------------------------------------------

DEAL_FIELDS = {
    "title",
    "person",
    "organization",
    "owner",
    "amount",
    "currency",
    "exchange_rate",
    "expected_close_date",
    "lost_reason",
}


@dataclass
class LineInput:
    """One product on a deal; `unit_price` in minor units of the deal's currency,
    the product's list price when None (THB deals only)."""

    product: Product
    quantity: int = 1
    unit_price: int | None = None


def _check_deal(deal: Deal, errors: dict[str, list[str]]) -> None:
    deal.title = deal.title.strip()
    if not deal.title:
        _add(errors, "title", _("Give the deal a title."))
    if deal.person_id is None and deal.organization_id is None:
        _add(errors, "person", _("Link the deal to a person or an organization."))
    _check_person(deal.person, "person", errors)
    _check_staff(deal.owner, "owner", errors)
    _check_amount(deal.amount, "amount", errors)
    currency = (deal.currency or "").upper()
    deal.currency = currency
    if currency not in CURRENCY_DIGITS:
        _add(
            errors,
            "currency",
            _("Choose one of: %(codes)s.") % {"codes": ", ".join(sorted(CURRENCY_DIGITS))},
        )
    elif currency == BASE_CURRENCY:
        if deal.exchange_rate not in (None, Decimal(1)):
            _add(errors, "exchange_rate", _("An amount in THB takes no exchange rate."))
        deal.exchange_rate = None
    elif deal.exchange_rate is None:
        _add(
            errors,
            "exchange_rate",
            _("Give the exchange rate to THB for an amount in another currency."),
        )
    elif not isinstance(deal.exchange_rate, Decimal) or deal.exchange_rate <= 0:
        _add(errors, "exchange_rate", _("The exchange rate must be greater than zero."))
    check_date_year(deal.expected_close_date, "expected_close_date", errors)
    if deal.stage_id and deal.stage.pipeline_id != deal.pipeline_id:
        _add(errors, "stage", _("This stage belongs to another pipeline."))
    deal.lost_reason = deal.lost_reason.strip()
    if deal.stage_id and deal.stage.is_lost and not deal.lost_reason:
        _add(errors, "lost_reason", _("Say why the deal was lost."))
    if not errors:
        try:
            deal.amount_thb = to_base(deal.amount, currency, deal.exchange_rate)
        except MoneyError as error:
            _add(errors, "exchange_rate", _money_message(error))
        if deal.amount_thb > MAX_MINOR_UNITS:
            _add(errors, "amount", _("This amount is too large."))
    _full_clean(
        deal,
        errors,
        exclude=[
            "pipeline",
            "stage",
            "person",
            "organization",
            "owner",
            "lead",
            "created_by",
            "amount",
            "exchange_rate",
            "stage_changed_at",
        ],
        validate_constraints=False,
    )


def _line_prices(
    deal: Deal, lines: list[LineInput], errors: dict[str, list[str]]
) -> list[DealProduct]:
    built = []
    # A product no longer offered stays on the deals that already have it.
    already_on_deal = set(deal.lines.values_list("product_id", flat=True)) if deal.pk else set()
    for index, line in enumerate(lines):
        prefix = f"lines.{index}."
        if (
            not isinstance(line.quantity, int)
            or isinstance(line.quantity, bool)
            or line.quantity < 1
        ):
            _add(errors, prefix + "quantity", _("Enter a quantity of 1 or more."))
            continue
        price = line.unit_price
        if price is None:
            if deal.currency != BASE_CURRENCY:
                _add(
                    errors, prefix + "unit_price", _("Give the unit price in the deal's currency.")
                )
                continue
            price = line.product.price
        _check_amount(price, prefix + "unit_price", errors)
        if not line.product.is_active and line.product.pk not in already_on_deal:
            _add(errors, prefix + "product", _("This product is no longer offered."))
        built.append(
            DealProduct(deal=deal, product=line.product, quantity=line.quantity, unit_price=price)
        )
    if not errors and sum(line.quantity * line.unit_price for line in built) > MAX_MINOR_UNITS:
        _add(errors, "amount", _("This amount is too large."))
    return built


def _adjust_totals(stage_id: int, count: int, amount_thb: int) -> None:
    """Keeps StageTotal in step with a deal write, in its transaction."""
    if not count and not amount_thb:
        return
    change = {
        "deal_count": F("deal_count") + count,
        "amount_thb": F("amount_thb") + amount_thb,
    }
    if not StageTotal.objects.filter(stage_id=stage_id).update(**change):
        StageTotal.objects.get_or_create(stage_id=stage_id)
        StageTotal.objects.filter(stage_id=stage_id).update(**change)


def rebuild_stage_totals() -> None:
    """Counts every stage's deals again: after a bulk load that bypassed the
    services (the scale benchmark's COPY), or to check the kept totals."""
    with transaction.atomic():
        StageTotal.objects.all().delete()
        rows = (
            Deal.objects.order_by().values("stage").annotate(n=Count("*"), total=Sum("amount_thb"))
        )
        StageTotal.objects.bulk_create(
            StageTotal(stage_id=row["stage"], deal_count=row["n"], amount_thb=row["total"] or 0)
            for row in rows
        )


def _record_stage(actor: Any, deal: Deal, from_stage: Stage | None, at: Any) -> None:
    StageChange.objects.create(
        deal=deal,
        from_stage=from_stage,
        to_stage=deal.stage,
        changed_by=_user(actor),
        changed_at=at,
    )


@transaction.atomic
def create_deal(
    actor: Any,
    *,
    title: str,
    pipeline: Pipeline,
    stage: Stage | None = None,
    lines: list[LineInput] | None = None,
    lead: Lead | None = None,
    channel: str = UI,
    **fields: Any,
) -> Deal:
    """A new deal, in the pipeline's first stage unless one is given. With
    product lines, the amount is their total."""
    unknown = set(fields) - DEAL_FIELDS
    if unknown:
        raise TypeError(f"not deal fields: {sorted(unknown)}")
    if stage is None:
        stage = pipeline.stages.filter(is_won=False, is_lost=False).order_by("order", "id").first()
        if stage is None:
            raise ValidationError({"stage": [_("This pipeline has no open stage.")]})
    now = timezone.now()
    fields.setdefault("currency", BASE_CURRENCY)
    fields.setdefault("amount", 0)
    deal = Deal(
        title=title,
        pipeline=pipeline,
        stage=stage,
        lead=lead,
        status=_stage_status(stage),
        stage_changed_at=now,
        created_by=_user(actor),
        **fields,
    )
    if deal.status != Deal.Status.OPEN:
        deal.closed_at = now
    errors: dict[str, list[str]] = {}
    if not pipeline.is_active:
        _add(errors, "pipeline", _("This pipeline is no longer in use."))
    built = _line_prices(deal, lines or [], errors)
    if (
        built
        and "amount" in fields
        and fields["amount"] not in (0, sum(b.quantity * b.unit_price for b in built))
    ):
        _add(errors, "amount", _("With products, the amount is their total; leave the amount out."))
    if built and not errors:
        deal.amount = sum(line.quantity * line.unit_price for line in built)
    _check_deal(deal, errors)
    _raise(errors)
    deal.save()
    if built:
        DealProduct.objects.bulk_create(built)
    _adjust_totals(deal.stage_id, 1, deal.amount_thb)
    _record_stage(actor, deal, None, now)
    record_change(
        actor,
        "sales.create_deal",
        deal,
        _created(
            {
                "title": title,
                "pipeline": pipeline,
                "stage": stage,
                "lead": lead,
                **fields,
                "amount": deal.amount,
            }
        ),
        channel=channel,
    )
    return deal


@transaction.atomic
def update_deal(actor: Any, deal: Deal, *, channel: str = UI, **changes: Any) -> Deal:
    """Changes the deal's own fields; stage moves go through `move_deal`."""
    unknown = set(changes) - DEAL_FIELDS
    if unknown:
        raise TypeError(f"not deal fields (stage moves go through move_deal): {sorted(unknown)}")
    deal = Deal.objects.select_for_update().select_related("stage").get(pk=deal.pk)
    old_thb = deal.amount_thb
    errors: dict[str, list[str]] = {}
    if "amount" in changes and changes["amount"] != deal.amount and deal.lines.exists():
        _add(
            errors,
            "amount",
            _("This deal's amount is the total of its products; change the products instead."),
        )
    diff = _diff(deal, changes)
    for name, value in changes.items():
        setattr(deal, name, value)
    if "currency" in diff and deal.lines.exists():
        _add(
            errors,
            "currency",
            _("Remove the products before changing the currency: their prices are in it."),
        )
    _check_deal(deal, errors)
    _raise(errors)
    if diff:
        deal.save()
        _adjust_totals(deal.stage_id, 0, deal.amount_thb - old_thb)
        record_change(actor, "sales.update_deal", deal, diff, channel=channel)
    return deal


@transaction.atomic
def move_deal(
    actor: Any, deal: Deal, stage: Stage, *, lost_reason: str = "", channel: str = UI
) -> Deal:
    """Moves a deal to another stage of its pipeline and records the move. A
    stage of another pipeline is refused; a lost stage needs the reason."""
    deal = Deal.objects.select_for_update().select_related("stage").get(pk=deal.pk)
    if stage.pipeline_id != deal.pipeline_id:
        raise ValidationError(
            {
                "stage": [
                    _("This stage belongs to another pipeline; choose a stage of “%(pipeline)s”.")
                    % {"pipeline": deal.pipeline}
                ]
            }
        )
    if stage.pk == deal.stage_id:
        return deal
    reason = (lost_reason or "").strip()
    if stage.is_lost:
        reason = reason or deal.lost_reason
        if not reason:
            raise ValidationError({"lost_reason": [_("Say why the deal was lost.")]})
    elif reason:
        raise ValidationError(
            {"lost_reason": [_("Only a deal moved to a lost stage takes a lost reason.")]}
        )
    from_stage = deal.stage
    now = timezone.now()
    deal.stage = stage
    deal.stage_changed_at = now
    deal.status = _stage_status(stage)
    deal.lost_reason = reason if stage.is_lost else deal.lost_reason
    deal.closed_at = now if stage.is_closed else None
    deal.save(
        update_fields=[
            "stage",
            "stage_changed_at",
            "status",
            "lost_reason",
            "closed_at",
            "updated_at",
        ]
    )
    _adjust_totals(from_stage.pk, -1, -deal.amount_thb)
    _adjust_totals(stage.pk, 1, deal.amount_thb)
    _record_stage(actor, deal, from_stage, now)
    if stage.is_won and deal.person_id:
        # Winning is buying: the ground for later offers (5.1) and partners (6.2).
        for line in deal.lines.select_related("product"):
            record_product_interest(
                actor,
                deal.person,
                line.product,
                ProductInterest.Kind.BOUGHT,
                source=ProductInterest.SourceKind.DEAL,
                deal=deal,
                channel=channel,
            )
    changes = {"stage": [_display(from_stage), _display(stage)]}
    if stage.is_lost:
        changes["lost_reason"] = [None, reason]
    record_change(actor, "sales.move_deal", deal, changes, channel=channel)
    return deal


@transaction.atomic
def set_deal_lines(actor: Any, deal: Deal, lines: list[LineInput], *, channel: str = UI) -> Deal:
    """Replaces the deal's products; its amount becomes their total."""
    deal = Deal.objects.select_for_update().select_related("stage").get(pk=deal.pk)
    errors: dict[str, list[str]] = {}
    built = _line_prices(deal, lines, errors)
    _raise(errors)
    before = [
        f"{line.quantity} × {line.product.code} @ {line.unit_price}"
        for line in deal.lines.select_related("product")
    ]
    deal.lines.all().delete()
    DealProduct.objects.bulk_create(built)
    old_amount, old_thb = deal.amount, deal.amount_thb
    deal.amount = sum(line.quantity * line.unit_price for line in built)
    _check_deal(deal, errors)
    _raise(errors)
    deal.save()
    _adjust_totals(deal.stage_id, 0, deal.amount_thb - old_thb)
    after = [f"{line.quantity} × {line.product.code} @ {line.unit_price}" for line in built]
    record_change(
        actor,
        "sales.set_deal_lines",
        deal,
        {"lines": [before, after], "amount": [old_amount, deal.amount]},
        channel=channel,
    )
    return deal


def add_deal_line(
    actor: Any,
    deal: Deal,
    product: Product,
    quantity: int = 1,
    unit_price: int | None = None,
    *,
    channel: str = UI,
) -> Deal:
    current = [
        LineInput(line.product, line.quantity, line.unit_price)
        for line in deal.lines.select_related("product")
    ]
    try:
        return set_deal_lines(
            actor, deal, [*current, LineInput(product, quantity, unit_price)], channel=channel
        )
    except ValidationError as exc:
        # The new line is the last: its errors are about the fields of the form.
        prefix = f"lines.{len(current)}."
        raise ValidationError(
            {name.removeprefix(prefix): messages for name, messages in exc.message_dict.items()}
        ) from None


def remove_deal_line(actor: Any, deal: Deal, line_id: int, *, channel: str = UI) -> Deal:
    current = [
        LineInput(line.product, line.quantity, line.unit_price)
        for line in deal.lines.select_related("product")
        if line.pk != line_id
    ]
    return set_deal_lines(actor, deal, current, channel=channel)


@transaction.atomic
def delete_deal(actor: Any, deal: Deal, *, channel: str = UI) -> None:
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    record_change(actor, "sales.delete_deal", deal, {"deal": [str(deal), None]}, channel=channel)
    Lead.objects.filter(converted_deal=deal).update(converted_deal=None)
    _adjust_totals(deal.stage_id, -1, -deal.amount_thb)
    deal.delete()


# --- leads ------------------------------------------------------------------

LEAD_FIELDS = {
    "title",
    "person",
    "organization",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company_name",
    "source",
    "source_detail",
    "referred_by",
    "partner",
    "owner",
}


def _check_lead(lead: Lead, errors: dict[str, list[str]]) -> None:
    for name in (
        "title",
        "first_name",
        "last_name",
        "email",
        "phone",
        "company_name",
        "source_detail",
    ):
        setattr(lead, name, getattr(lead, name).strip())
    lead.email = lead.email.lower()
    if not lead.title:
        _add(errors, "title", _("Say what the lead is interested in."))
    if not (
        lead.person_id
        or lead.organization_id
        or lead.first_name
        or lead.last_name
        or lead.company_name
        or lead.email
        or lead.phone
    ):
        _add(
            errors,
            "first_name",
            _(
                "Say who the lead is: a person, an organization, a name, an email or a "
                "phone number."
            ),
        )
    _check_person(lead.person, "person", errors)
    _check_person(lead.referred_by, "referred_by", errors)
    _check_staff(lead.owner, "owner", errors)
    _check_partner(lead.partner, "partner", errors)
    if (
        lead.source == Lead.SourceKind.REFERRAL
        and lead.referred_by is None
        and not lead.source_detail
    ):
        _add(errors, "referred_by", _("Name who referred the lead."))
    if lead.source == Lead.SourceKind.PARTNER and lead.partner is None:
        _add(errors, "partner", _("Name the partner the lead came from."))
    if lead.phone:
        try:
            lead.phone = to_e164(lead.phone)
        except InvalidPhoneNumber:
            _add(errors, "phone", _("Enter a valid phone number, e.g. 081-234-5678."))
    _full_clean(
        lead,
        errors,
        exclude=[
            "person",
            "organization",
            "referred_by",
            "partner",
            "owner",
            "converted_deal",
            "converted_by",
            "created_by",
            "phone",
        ],
        validate_constraints=False,
    )


@transaction.atomic
def create_lead(
    actor: Any, *, products: list[Product] | None = None, channel: str = UI, **fields: Any
) -> Lead:
    unknown = set(fields) - LEAD_FIELDS
    if unknown:
        raise TypeError(f"not lead fields: {sorted(unknown)}")
    lead = Lead(created_by=_user(actor), **fields)
    errors: dict[str, list[str]] = {}
    _check_lead(lead, errors)
    _raise(errors)
    lead.save()
    if products:
        lead.products.set(products)
    record_change(
        actor,
        "sales.create_lead",
        lead,
        _created({**fields, "products": [p.code for p in products or []]}),
        channel=channel,
    )
    return lead


def _refuse_converted(lead: Lead) -> None:
    if lead.converted_deal_id or lead.converted_at:
        raise ValidationError(
            {
                "__all__": [
                    _(
                        "This lead was converted into a deal and is kept as it was; change "
                        "the deal instead."
                    )
                ]
            }
        )


@transaction.atomic
def update_lead(
    actor: Any,
    lead: Lead,
    *,
    products: list[Product] | None = None,
    channel: str = UI,
    **changes: Any,
) -> Lead:
    unknown = set(changes) - LEAD_FIELDS
    if unknown:
        raise TypeError(f"not lead fields: {sorted(unknown)}")
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    _refuse_converted(lead)
    diff = _diff(lead, changes)
    for name, value in changes.items():
        setattr(lead, name, value)
    errors: dict[str, list[str]] = {}
    _check_lead(lead, errors)
    _raise(errors)
    if products is not None:
        before = sorted(lead.products.values_list("code", flat=True))
        after = sorted(p.code for p in products)
        if before != after:
            lead.products.set(products)
            diff["products"] = [before, after]
    if diff:
        lead.save()
        record_change(actor, "sales.update_lead", lead, diff, channel=channel)
    return lead


@transaction.atomic
def set_lead_status(
    actor: Any, lead: Lead, status: str, *, reason: str = "", channel: str = UI
) -> Lead:
    """New, contacted or qualified; disqualified with the reason."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    _refuse_converted(lead)
    if status not in Lead.Status.values:
        raise ValidationError(
            {
                "status": [
                    _("Choose one of: %(expected)s.") % {"expected": ", ".join(Lead.Status.values)}
                ]
            }
        )
    reason = reason.strip()
    if status == Lead.Status.DISQUALIFIED and not reason:
        raise ValidationError({"disqualified_reason": [_("Say why the lead is disqualified.")]})
    if status != Lead.Status.DISQUALIFIED and reason:
        raise ValidationError(
            {"disqualified_reason": [_("Only a disqualified lead takes a reason.")]}
        )
    changes = {"status": status, "disqualified_reason": reason}
    diff = _diff(lead, changes)
    if diff:
        lead.status = status
        lead.disqualified_reason = reason
        lead.save(update_fields=["status", "disqualified_reason", "updated_at"])
        record_change(actor, "sales.set_lead_status", lead, diff, channel=channel)
    return lead


# How the data of a lead from each source reached us (people.Source, policy 4.1-4.3).
LEAD_SOURCE_CHANNELS = {
    Lead.SourceKind.WEB_FORM: Source.Channel.WEB_FORM,
    Lead.SourceKind.REFERRAL: Source.Channel.PHONE,
    Lead.SourceKind.PARTNER: Source.Channel.EMAIL,
    Lead.SourceKind.CAMPAIGN: Source.Channel.WEB_FORM,
    Lead.SourceKind.IMPORT: Source.Channel.IMPORT,
    Lead.SourceKind.MANUAL: Source.Channel.IN_PERSON,
}


@dataclass
class Conversion:
    """What converting a lead creates or links, and the deal it opens."""

    pipeline: Pipeline
    title: str = ""
    stage: Stage | None = None
    person: Person | None = None  # an existing person to link
    organization: Organization | None = None  # an existing organization to link
    create_person: bool = False
    create_organization: bool = False
    channel: str = ""  # people.Source.Channel of the data; from the lead's source when empty
    owner: User | None = None
    amount: int | None = None  # without it, the total of the lead's products
    currency: str = BASE_CURRENCY
    exchange_rate: Decimal | None = None
    expected_close_date: date | None = None


def _lead_source(actor: Any, lead: Lead, channel: str) -> Source:
    kind = Source.Kind.DIRECT
    extra: dict[str, Any] = {}
    if lead.source == Lead.SourceKind.REFERRAL and lead.referred_by is not None:
        kind = Source.Kind.RELATED_PERSON
        extra["related_person"] = lead.referred_by
    elif lead.source == Lead.SourceKind.PARTNER:
        kind = Source.Kind.PARTNER
        extra["partner"] = lead.partner
        extra["agreement_reference"] = lead.source_detail
    try:
        return people_services.create_source(
            actor,
            kind=kind,
            channel=channel or LEAD_SOURCE_CHANNELS[Lead.SourceKind(lead.source)],
            note=_("from lead #%(id)s") % {"id": lead.pk},
            **extra,
        )
    except ValidationError as exc:
        names = {"agreement_reference": "source_detail", "related_person": "referred_by"}
        raise ValidationError(
            {
                names.get(name, name): messages
                for name, messages in exc.message_dict.items()
                if name != "__all__"
            }
            or exc.message_dict
        ) from None


def _person_names(lead: Lead) -> dict[str, str]:
    """The lead's name in the script it was typed in."""
    thai = bool(_THAI_SCRIPT.search(lead.first_name + lead.last_name))
    suffix = "th" if thai else "en"
    return {f"first_name_{suffix}": lead.first_name, f"last_name_{suffix}": lead.last_name}


@transaction.atomic
def convert_lead(actor: Any, lead: Lead, conversion: Conversion, *, channel: str = UI) -> Deal:
    """Creates or links the person and organization and opens a deal. The lead
    keeps its history and points at the deal; nothing is written on an error."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    _refuse_converted(lead)
    if lead.status == Lead.Status.DISQUALIFIED:
        raise ValidationError(
            {"status": [_("A disqualified lead cannot be converted; change its status first.")]}
        )
    errors: dict[str, list[str]] = {}
    person = lead.person or conversion.person
    organization = lead.organization or conversion.organization
    _check_person(person, "person", errors)
    if person is None and conversion.create_person and not (lead.first_name or lead.last_name):
        _add(
            errors,
            "create_person",
            _("The lead has no name to create a person from; link an existing person."),
        )
    if organization is None and conversion.create_organization and not lead.company_name:
        _add(
            errors,
            "create_organization",
            _("The lead has no company name to create an organization from."),
        )
    will_have_person = person is not None or conversion.create_person
    will_have_organization = organization is not None or conversion.create_organization
    if not (will_have_person or will_have_organization):
        _add(errors, "person", _("Link or create a person or an organization for the deal."))
    _raise(errors)

    source: Source | None = None
    if (person is None and conversion.create_person) or (
        organization is None and conversion.create_organization
    ):
        source = _lead_source(actor, lead, conversion.channel)
    if organization is None and conversion.create_organization:
        assert source is not None
        with _renamed({"name_th": "create_organization", "name_en": "create_organization"}):
            thai = bool(_THAI_SCRIPT.search(lead.company_name))
            organization = people_services.create_organization(
                actor,
                source=source,
                channel=channel,
                **({"name_th": lead.company_name} if thai else {"name_en": lead.company_name}),
            )
    if person is None and conversion.create_person:
        assert source is not None
        contacts = people_services.ContactDetails(
            emails=[lead.email] if lead.email else [],
            phones=[("mobile", lead.phone)] if lead.phone else [],
        )
        with _renamed({"first_name_th": "create_person", "email": "email", "number": "phone"}):
            person = people_services.create_person(
                actor,
                source=source,
                contacts=contacts,
                channel=channel,
                employer=organization,
                owner=conversion.owner or lead.owner,
                **_person_names(lead),
            )

    products = list(lead.products.all())
    lines = (
        [LineInput(product) for product in products if product.is_active]
        if conversion.amount is None
        else []
    )
    deal_fields: dict[str, Any] = {
        "person": person,
        "organization": organization,
        "owner": conversion.owner or lead.owner,
        "currency": conversion.currency,
        "exchange_rate": conversion.exchange_rate,
        "expected_close_date": conversion.expected_close_date,
    }
    if conversion.amount is not None:
        deal_fields["amount"] = conversion.amount
    deal = create_deal(
        actor,
        title=conversion.title or lead.title,
        pipeline=conversion.pipeline,
        stage=conversion.stage,
        lines=lines if conversion.currency == BASE_CURRENCY else [],
        lead=lead,
        channel=channel,
        **deal_fields,
    )
    now = timezone.now()
    diff = _diff(
        lead,
        {
            "person": person,
            "organization": organization,
            "status": Lead.Status.QUALIFIED,
            "converted_deal": deal,
        },
    )
    lead.person = person
    lead.organization = organization
    lead.status = Lead.Status.QUALIFIED
    lead.converted_deal = deal
    lead.converted_at = now
    lead.converted_by = _user(actor)
    lead.save()
    if person is not None:
        for product in products:
            record_product_interest(
                actor,
                person,
                product,
                ProductInterest.Kind.INTERESTED,
                since=lead.created_at,
                source=ProductInterest.SourceKind.LEAD,
                source_detail=lead.get_source_display(),
                lead=lead,
                channel=channel,
            )
    record_change(actor, "sales.convert_lead", lead, diff, channel=channel)
    return deal


class _renamed:
    """Re-keys a people service's errors to the conversion's fields."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: Any, traceback: Any) -> bool:
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            errors: dict[str, list[str]] = {}
            for name, messages in exc.message_dict.items():
                errors.setdefault(self.names.get(name, name), []).extend(messages)
            raise ValidationError(errors) from None
        return False


@transaction.atomic
def delete_lead(actor: Any, lead: Lead, *, channel: str = UI) -> None:
    _refuse_converted(lead)
    record_change(actor, "sales.delete_lead", lead, {"lead": [str(lead), None]}, channel=channel)
    lead.delete()
