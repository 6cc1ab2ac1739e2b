"""Keyset paging cursors: the sort value and id of the last row shown, as an
opaque URL-safe string. A cursor comes from the client, so decoding checks that
its value fits the sort's field before any query uses it."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import DateTimeField, Field, IntegerField, Model
from django.utils import timezone

from connexion.lib.http import MAX_ID, parse_id


def encode_cursor(value: Any, pk: int) -> str:
    if isinstance(value, datetime | date):
        value = value.isoformat()
    elif not (isinstance(value, str | int) or value is None):
        value = str(value)
    raw = json.dumps([value, pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_value_fits(field: Field, value: Any) -> bool:
    """Whether a cursor's value is one the sort `field` can be compared with, as
    `encode_cursor` writes it: a forged one (text for a date, an object, a day
    that does not exist) would fail the query, so the cursor is invalid."""
    if value is None:
        return field.null
    if isinstance(field, IntegerField):
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_ID
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        parsed = field.to_python(value)
    except ValidationError:
        return False
    # A moment we wrote always has its offset.
    return not isinstance(field, DateTimeField) or timezone.is_aware(parsed)


def decode_cursor(cursor: str, field: Field | None = None) -> tuple[Any, int] | None:
    """The (value, id) a cursor holds; None if it holds none. With the sort
    `field`, also None if the value is none that field can be compared with."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        return None
    if not isinstance(pk, int) or parse_id(pk) is None:
        return None
    if value is not None and not isinstance(value, str | int):
        return None
    if field is not None and not cursor_value_fits(field, value):
        return None
    return value, pk


def sort_field(model: type[Model], sorts: dict[str, tuple[str, bool]], sort: str) -> Field:
    """The field a list sorted by `sort` pages by (an unknown sort is the first)."""
    name, _descending = sorts[sort if sort in sorts else next(iter(sorts))]
    return model._meta.get_field(name)  # type: ignore[return-value]
