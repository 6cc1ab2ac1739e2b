"""What the sales writes share: the checks a field's value must pass (staff
still active, person not merged, partner organization, amounts, CE years),
collecting errors by field, and the before/after values the audit log keeps.

Errors are Django `ValidationError`s keyed by field name, so forms and the API
show each next to the field it is about."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from connexion.accounts.models import User
from connexion.audit.models import AuditEvent
from connexion.lib.money import MAX_MINOR_UNITS, MoneyError
from connexion.lib.thai import BUDDHIST_ERA_OFFSET
from connexion.people.erased import erased_message
from connexion.people.models import Organization, Person

UI = AuditEvent.Channel.UI
# A year above this in a date is a Buddhist Era year typed where CE was meant.
LAST_PLAUSIBLE_CE_YEAR = 2400


def audit_value(value: Any) -> Any:
    """What the audit log keeps of a value."""
    if isinstance(value, models.Model):
        return f"#{value.pk} {value}"
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def audit_diff(instance: models.Model, changes: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [audit_value(getattr(instance, name)), audit_value(value)]
        for name, value in changes.items()
        if getattr(instance, name) != value
    }


def audit_created(fields: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [None, audit_value(value)]
        for name, value in fields.items()
        if value not in ("", None, [])
    }


def add_error(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def merge_model_errors(instance: models.Model, errors: dict[str, list[str]], **kwargs: Any) -> None:
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
                        add_error(errors, name, message)


def raise_if_any(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def check_date_year(value: date | None, field: str, errors: dict[str, list[str]]) -> None:
    """A date typed with its Buddhist Era year (2569 for 2026) is refused with
    the CE year to use, rather than stored 543 years in the future."""
    if value is not None and value.year > LAST_PLAUSIBLE_CE_YEAR:
        add_error(
            errors,
            field,
            _(
                "The year %(year)s looks like a Buddhist Era year. Enter the year in the "
                "Common Era: %(ce_year)s."
            )
            % {"year": value.year, "ce_year": value.year - BUDDHIST_ERA_OFFSET},
        )


def check_staff(user: User | None, field: str, errors: dict[str, list[str]]) -> None:
    if user is not None and not user.is_active:
        add_error(errors, field, _("This staff account is deactivated; choose an active one."))


def check_person(person: Person | None, field: str, errors: dict[str, list[str]]) -> None:
    if person is not None and person.merged_into_id:
        add_error(
            errors,
            field,
            _("This person was merged into #%(id)s; choose that record.")
            % {"id": person.merged_into_id},
        )
    elif person is not None and person.anonymized_at is not None:
        add_error(errors, field, erased_message(person))


def check_partner(partner: Organization | None, field: str, errors: dict[str, list[str]]) -> None:
    if partner is not None and partner.kind != Organization.Kind.PARTNER:
        add_error(errors, field, _("This organization is not marked as a business partner."))


def money_message(error: MoneyError) -> str:
    """The translated message for a `MoneyError`, for forms and the API."""
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


def check_amount(value: Any, field: str, errors: dict[str, list[str]]) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        add_error(errors, field, _("Enter an amount as a number, e.g. 1,250.50."))
    elif value < 0:
        add_error(errors, field, _("An amount cannot be negative."))
    elif value > MAX_MINOR_UNITS:
        add_error(errors, field, _("This amount is too large."))
