"""Form helpers shared by every app's views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError


def _same_name(name: str) -> str | None:
    return name


def put_errors(
    form: Any,
    error: ValidationError,
    field_for: Callable[[str], str | None] = _same_name,
) -> None:
    """Shows a service's errors next to the fields they name. `field_for` maps
    a name the service uses to the form's field, where the form names it
    otherwise; an error naming no field of the form, or no field at all, goes
    on top of the form."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, messages in error.message_dict.items():
        target = field_for(name)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)
