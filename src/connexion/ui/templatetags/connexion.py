"""Template filters available in every template (a builtin in settings)."""

from datetime import date, datetime

from django import template
from django.utils import timezone, translation

from connexion.lib import thai
from connexion.lib.phone import national_format
from connexion.lib.thai import format_thai_id

register = template.Library()


def _language() -> str:
    return (translation.get_language() or "th")[:2]


@register.filter
def localdate(value: date | datetime | None, style: str = "long") -> str:
    """Buddhist Era in Thai, Gregorian in English: `{{ value|localdate }}`,
    `{{ value|localdate:"short" }}`."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return thai.format_date(value, _language(), short=style == "short")


@register.filter
def localdatetime(value: datetime | None, style: str = "long") -> str:
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return thai.format_datetime(value, _language(), short=style == "short")


@register.filter
def phone(value: str) -> str:
    return national_format(value) if value else ""


@register.filter
def thai_id(value: str) -> str:
    """`1-1017-00230-70-8`; masked numbers are already shaped that way."""
    return format_thai_id(value) if value and value.isdigit() and len(value) == 13 else value
