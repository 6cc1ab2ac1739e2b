"""Writes of the product catalogue. Each function is one transaction with
one audit entry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from connexion.accounts.actors import Actor
from connexion.audit.services import record_change
from connexion.sales.models import Product
from connexion.sales.services.checks import (
    UI,
    add_error,
    audit_created,
    audit_diff,
    check_amount,
    check_partner,
    merge_model_errors,
    raise_if_any,
)

PRODUCT_FIELDS = {"code", "name_th", "name_en", "description", "price", "is_active", "partner"}


def _check_product(product: Product, errors: dict[str, list[str]]) -> None:
    product.code = product.code.strip()
    product.name_th = product.name_th.strip()
    product.name_en = product.name_en.strip()
    if not product.code:
        add_error(errors, "code", _("Give the product a code."))
    if not (product.name_th or product.name_en):
        add_error(errors, "name_th", _("Give the name in Thai or English."))
    check_amount(product.price, "price", errors)
    check_partner(product.partner, "partner", errors)
    if (
        product.code
        and Product.objects.filter(code__iexact=product.code).exclude(pk=product.pk).exists()
    ):
        add_error(errors, "code", _("Another product has this code."))
    merge_model_errors(
        product, errors, exclude=["partner"], validate_unique=False, validate_constraints=False
    )


@transaction.atomic
def create_product(actor: Actor, *, channel: str = UI, **fields: Any) -> Product:
    unknown = set(fields) - PRODUCT_FIELDS
    if unknown:
        raise TypeError(f"not product fields: {sorted(unknown)}")
    product = Product(**fields)
    errors: dict[str, list[str]] = {}
    _check_product(product, errors)
    raise_if_any(errors)
    product.save()
    record_change(actor, "sales.create_product", product, audit_created(fields), channel=channel)
    return product


@transaction.atomic
def update_product(actor: Actor, product: Product, *, channel: str = UI, **changes: Any) -> Product:
    unknown = set(changes) - PRODUCT_FIELDS
    if unknown:
        raise TypeError(f"not product fields: {sorted(unknown)}")
    diff = audit_diff(product, changes)
    for name, value in changes.items():
        setattr(product, name, value)
    errors: dict[str, list[str]] = {}
    _check_product(product, errors)
    raise_if_any(errors)
    if diff:
        product.save()
        record_change(actor, "sales.update_product", product, diff, channel=channel)
    return product


@transaction.atomic
def delete_product(actor: Actor, product: Product, *, channel: str = UI) -> None:
    if product.deal_lines.exists():
        raise ValidationError(
            {"__all__": [_("Deals include this product; mark it as no longer offered instead.")]}
        )
    record_change(
        actor, "sales.delete_product", product, {"product": [str(product), None]}, channel=channel
    )
    product.leads.clear()
    product.delete()
