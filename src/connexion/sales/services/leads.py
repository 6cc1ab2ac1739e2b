"""Writes of leads: create, edit, status, conversion into a person (or
organization) and a deal, delete. Each function is one transaction with one
audit entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connexion.accounts.actors import Actor, acting_user
from connexion.accounts.models import User
from connexion.audit.services import record_change
from connexion.lib.money import BASE_CURRENCY
from connexion.lib.phone import InvalidPhoneNumber, to_e164
from connexion.people import services as people_services
from connexion.people.models import Organization, Person, Source
from connexion.sales.models import Deal, Lead, Pipeline, Product, ProductInterest, Stage
from connexion.sales.services.checks import (
    UI,
    add_error,
    audit_created,
    audit_diff,
    check_partner,
    check_person,
    check_staff,
    merge_model_errors,
    raise_if_any,
)
from connexion.sales.services.deals import LineInput, create_deal
from connexion.sales.services.interests import record_product_interest

_THAI_SCRIPT = re.compile(r"[\u0e00-\u0e7f]")


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
        add_error(errors, "title", _("Say what the lead is interested in."))
    if not (
        lead.person_id
        or lead.organization_id
        or lead.first_name
        or lead.last_name
        or lead.company_name
        or lead.email
        or lead.phone
    ):
        add_error(
            errors,
            "first_name",
            _(
                "Say who the lead is: a person, an organization, a name, an email or a "
                "phone number."
            ),
        )
    check_person(lead.person, "person", errors)
    check_person(lead.referred_by, "referred_by", errors)
    check_staff(lead.owner, "owner", errors)
    check_partner(lead.partner, "partner", errors)
    if (
        lead.source == Lead.SourceKind.REFERRAL
        and lead.referred_by is None
        and not lead.source_detail
    ):
        add_error(errors, "referred_by", _("Name who referred the lead."))
    if lead.source == Lead.SourceKind.PARTNER and lead.partner is None:
        add_error(errors, "partner", _("Name the partner the lead came from."))
    if lead.phone:
        try:
            lead.phone = to_e164(lead.phone)
        except InvalidPhoneNumber:
            add_error(errors, "phone", _("Enter a valid phone number, e.g. 081-234-5678."))
    merge_model_errors(
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
    actor: Actor, *, products: list[Product] | None = None, channel: str = UI, **fields: Any
) -> Lead:
    unknown = set(fields) - LEAD_FIELDS
    if unknown:
        raise TypeError(f"not lead fields: {sorted(unknown)}")
    lead = Lead(created_by=acting_user(actor), **fields)
    errors: dict[str, list[str]] = {}
    _check_lead(lead, errors)
    raise_if_any(errors)
    lead.save()
    if products:
        lead.products.set(products)
    record_change(
        actor,
        "sales.create_lead",
        lead,
        audit_created({**fields, "products": [p.code for p in products or []]}),
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
    actor: Actor,
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
    diff = audit_diff(lead, changes)
    for name, value in changes.items():
        setattr(lead, name, value)
    errors: dict[str, list[str]] = {}
    _check_lead(lead, errors)
    raise_if_any(errors)
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
    actor: Actor, lead: Lead, status: str, *, reason: str = "", channel: str = UI
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
    diff = audit_diff(lead, changes)
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


def _lead_source(actor: Actor, lead: Lead, channel: str) -> Source:
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
def convert_lead(actor: Actor, lead: Lead, conversion: Conversion, *, channel: str = UI) -> Deal:
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
    check_person(person, "person", errors)
    if person is None and conversion.create_person and not (lead.first_name or lead.last_name):
        add_error(
            errors,
            "create_person",
            _("The lead has no name to create a person from; link an existing person."),
        )
    if organization is None and conversion.create_organization and not lead.company_name:
        add_error(
            errors,
            "create_organization",
            _("The lead has no company name to create an organization from."),
        )
    will_have_person = person is not None or conversion.create_person
    will_have_organization = organization is not None or conversion.create_organization
    if not (will_have_person or will_have_organization):
        add_error(errors, "person", _("Link or create a person or an organization for the deal."))
    raise_if_any(errors)

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
    diff = audit_diff(
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
    lead.converted_by = acting_user(actor)
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
def delete_lead(actor: Actor, lead: Lead, *, channel: str = UI) -> None:
    _refuse_converted(lead)
    record_change(actor, "sales.delete_lead", lead, {"lead": [str(lead), None]}, channel=channel)
    lead.delete()
