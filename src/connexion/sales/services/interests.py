"""Writes of a person's interests in products. Each function is one
transaction with one audit entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connexion.accounts.actors import Actor, acting_user
from connexion.audit.services import record_change
from connexion.people.models import Person
from connexion.sales.models import Deal, Lead, Product, ProductInterest
from connexion.sales.services.checks import (
    UI,
    add_error,
    audit_diff,
    check_person,
    raise_if_any,
)


@transaction.atomic
def record_product_interest(
    actor: Actor,
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
        add_error(errors, "kind", _("Choose bought or showed interest."))
    if source not in ProductInterest.SourceKind.values:
        add_error(errors, "source", _("Choose where the interest came from."))
    check_person(person, "person", errors)
    since = since or timezone.now()
    if since > timezone.now():
        add_error(errors, "since", _("This date is in the future."))
    raise_if_any(errors)
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
            "recorded_by": acting_user(actor),
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
    actor: Actor, interest: ProductInterest, *, channel: str = UI, **changes: Any
) -> ProductInterest:
    unknown = set(changes) - INTEREST_FIELDS
    if unknown:
        raise TypeError(f"not interest fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    if "source" in changes and changes["source"] not in ProductInterest.SourceKind.values:
        add_error(errors, "source", _("Choose where the interest came from."))
    if changes.get("since") and changes["since"] > timezone.now():
        add_error(errors, "since", _("This date is in the future."))
    raise_if_any(errors)
    diff = audit_diff(interest, changes)
    for name, value in changes.items():
        setattr(interest, name, value)
    if diff:
        interest.save()
        record_change(
            actor, "sales.update_product_interest", interest.person, diff, channel=channel
        )
    return interest


@transaction.atomic
def remove_product_interest(actor: Actor, interest: ProductInterest, *, channel: str = UI) -> None:
    record_change(
        actor,
        "sales.remove_product_interest",
        interest.person,
        {f"product:{interest.product.code}": [interest.kind, None]},
        channel=channel,
    )
    interest.delete()
