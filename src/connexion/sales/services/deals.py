"""Writes of deals: create, edit, move between stages (the kanban board's
drag and drop lands in `move_deal`), product lines, the per-stage totals the
board shows, delete. Each function is one transaction with one audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from connexion.accounts.actors import Actor, acting_user
from connexion.audit.services import record_change
from connexion.lib.money import BASE_CURRENCY, CURRENCY_DIGITS, MAX_MINOR_UNITS, MoneyError, to_base
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
from connexion.sales.services.checks import (
    UI,
    add_error,
    audit_created,
    audit_diff,
    audit_value,
    check_amount,
    check_date_year,
    check_person,
    check_staff,
    merge_model_errors,
    money_message,
    raise_if_any,
)
from connexion.sales.services.interests import record_product_interest
from connexion.sales.services.pipelines import stage_status

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
        add_error(errors, "title", _("Give the deal a title."))
    if deal.person_id is None and deal.organization_id is None:
        add_error(errors, "person", _("Link the deal to a person or an organization."))
    check_person(deal.person, "person", errors)
    check_staff(deal.owner, "owner", errors)
    check_amount(deal.amount, "amount", errors)
    currency = (deal.currency or "").upper()
    deal.currency = currency
    if currency not in CURRENCY_DIGITS:
        add_error(
            errors,
            "currency",
            _("Choose one of: %(codes)s.") % {"codes": ", ".join(sorted(CURRENCY_DIGITS))},
        )
    elif currency == BASE_CURRENCY:
        if deal.exchange_rate not in (None, Decimal(1)):
            add_error(errors, "exchange_rate", _("An amount in THB takes no exchange rate."))
        deal.exchange_rate = None
    elif deal.exchange_rate is None:
        add_error(
            errors,
            "exchange_rate",
            _("Give the exchange rate to THB for an amount in another currency."),
        )
    elif not isinstance(deal.exchange_rate, Decimal) or deal.exchange_rate <= 0:
        add_error(errors, "exchange_rate", _("The exchange rate must be greater than zero."))
    check_date_year(deal.expected_close_date, "expected_close_date", errors)
    if deal.stage_id and deal.stage.pipeline_id != deal.pipeline_id:
        add_error(errors, "stage", _("This stage belongs to another pipeline."))
    deal.lost_reason = deal.lost_reason.strip()
    if deal.stage_id and deal.stage.is_lost and not deal.lost_reason:
        add_error(errors, "lost_reason", _("Say why the deal was lost."))
    if not errors:
        try:
            deal.amount_thb = to_base(deal.amount, currency, deal.exchange_rate)
        except MoneyError as error:
            add_error(errors, "exchange_rate", money_message(error))
        if deal.amount_thb > MAX_MINOR_UNITS:
            add_error(errors, "amount", _("This amount is too large."))
    merge_model_errors(
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
            add_error(errors, prefix + "quantity", _("Enter a quantity of 1 or more."))
            continue
        price = line.unit_price
        if price is None:
            if deal.currency != BASE_CURRENCY:
                add_error(
                    errors, prefix + "unit_price", _("Give the unit price in the deal's currency.")
                )
                continue
            price = line.product.price
        check_amount(price, prefix + "unit_price", errors)
        if not line.product.is_active and line.product.pk not in already_on_deal:
            add_error(errors, prefix + "product", _("This product is no longer offered."))
        built.append(
            DealProduct(deal=deal, product=line.product, quantity=line.quantity, unit_price=price)
        )
    if not errors and sum(line.quantity * line.unit_price for line in built) > MAX_MINOR_UNITS:
        add_error(errors, "amount", _("This amount is too large."))
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


def _record_stage(actor: Actor, deal: Deal, from_stage: Stage | None, at: Any) -> None:
    StageChange.objects.create(
        deal=deal,
        from_stage=from_stage,
        to_stage=deal.stage,
        changed_by=acting_user(actor),
        changed_at=at,
    )


@transaction.atomic
def create_deal(
    actor: Actor,
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
        status=stage_status(stage),
        stage_changed_at=now,
        created_by=acting_user(actor),
        **fields,
    )
    if deal.status != Deal.Status.OPEN:
        deal.closed_at = now
    errors: dict[str, list[str]] = {}
    if not pipeline.is_active:
        add_error(errors, "pipeline", _("This pipeline is no longer in use."))
    built = _line_prices(deal, lines or [], errors)
    if (
        built
        and "amount" in fields
        and fields["amount"] not in (0, sum(b.quantity * b.unit_price for b in built))
    ):
        add_error(
            errors, "amount", _("With products, the amount is their total; leave the amount out.")
        )
    if built and not errors:
        deal.amount = sum(line.quantity * line.unit_price for line in built)
    _check_deal(deal, errors)
    raise_if_any(errors)
    deal.save()
    if built:
        DealProduct.objects.bulk_create(built)
    _adjust_totals(deal.stage_id, 1, deal.amount_thb)
    _record_stage(actor, deal, None, now)
    record_change(
        actor,
        "sales.create_deal",
        deal,
        audit_created(
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
def update_deal(actor: Actor, deal: Deal, *, channel: str = UI, **changes: Any) -> Deal:
    """Changes the deal's own fields; stage moves go through `move_deal`."""
    unknown = set(changes) - DEAL_FIELDS
    if unknown:
        raise TypeError(f"not deal fields (stage moves go through move_deal): {sorted(unknown)}")
    deal = Deal.objects.select_for_update().select_related("stage").get(pk=deal.pk)
    old_thb = deal.amount_thb
    errors: dict[str, list[str]] = {}
    if "amount" in changes and changes["amount"] != deal.amount and deal.lines.exists():
        add_error(
            errors,
            "amount",
            _("This deal's amount is the total of its products; change the products instead."),
        )
    diff = audit_diff(deal, changes)
    for name, value in changes.items():
        setattr(deal, name, value)
    if "currency" in diff and deal.lines.exists():
        add_error(
            errors,
            "currency",
            _("Remove the products before changing the currency: their prices are in it."),
        )
    _check_deal(deal, errors)
    raise_if_any(errors)
    if diff:
        deal.save()
        _adjust_totals(deal.stage_id, 0, deal.amount_thb - old_thb)
        record_change(actor, "sales.update_deal", deal, diff, channel=channel)
    return deal


@transaction.atomic
def move_deal(
    actor: Actor, deal: Deal, stage: Stage, *, lost_reason: str = "", channel: str = UI
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
    deal.status = stage_status(stage)
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
    changes = {"stage": [audit_value(from_stage), audit_value(stage)]}
    if stage.is_lost:
        changes["lost_reason"] = [None, reason]
    record_change(actor, "sales.move_deal", deal, changes, channel=channel)
    return deal


@transaction.atomic
def set_deal_lines(actor: Actor, deal: Deal, lines: list[LineInput], *, channel: str = UI) -> Deal:
    """Replaces the deal's products; its amount becomes their total."""
    deal = Deal.objects.select_for_update().select_related("stage").get(pk=deal.pk)
    errors: dict[str, list[str]] = {}
    built = _line_prices(deal, lines, errors)
    raise_if_any(errors)
    before = [
        f"{line.quantity} × {line.product.code} @ {line.unit_price}"
        for line in deal.lines.select_related("product")
    ]
    deal.lines.all().delete()
    DealProduct.objects.bulk_create(built)
    old_amount, old_thb = deal.amount, deal.amount_thb
    deal.amount = sum(line.quantity * line.unit_price for line in built)
    _check_deal(deal, errors)
    raise_if_any(errors)
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
    actor: Actor,
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


def remove_deal_line(actor: Actor, deal: Deal, line_id: int, *, channel: str = UI) -> Deal:
    current = [
        LineInput(line.product, line.quantity, line.unit_price)
        for line in deal.lines.select_related("product")
        if line.pk != line_id
    ]
    return set_deal_lines(actor, deal, current, channel=channel)


@transaction.atomic
def delete_deal(actor: Actor, deal: Deal, *, channel: str = UI) -> None:
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    record_change(actor, "sales.delete_deal", deal, {"deal": [str(deal), None]}, channel=channel)
    Lead.objects.filter(converted_deal=deal).update(converted_deal=None)
    _adjust_totals(deal.stage_id, -1, -deal.amount_thb)
    deal.delete()
