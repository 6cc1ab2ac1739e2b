from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from connexion.lib.thai import thai_id_check_digit


def validate_thai_id(value: str) -> None:
    """13 digits whose last is the check digit (national ID and tax ID alike)."""
    if not (len(value) == 13 and value.isascii() and value.isdigit()):
        raise ValidationError(_("Enter 13 digits."), code="format")
    if thai_id_check_digit(value[:12]) != int(value[12]):
        raise ValidationError(
            _("The check digit is wrong: check the number for a typing mistake."),
            code="check_digit",
        )


def validate_not_in_future(value: date) -> None:
    if value > date.today():
        raise ValidationError(_("A date of birth cannot be in the future."), code="future")


def normalize_thai_id(raw: str) -> str:
    """Accepts `1-1017-00230-70-8`, spaces or plain digits."""
    return "".join(character for character in raw if character not in " -")
