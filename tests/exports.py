"""The people export as a user drives it: the export page asks what the file is
for, the POST downloads what that purpose allows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse
from django.test import Client

from connexion.privacy.models import Purpose

# Contact about products (5.1): legitimate interest, open to everyone not restricted.
DEFAULT_PURPOSE = "product-contact"


def export_url(file_format: str, **filters: Any) -> str:
    query = f"?{urlencode(filters)}" if filters else ""
    return f"/data-protection/people/export.{file_format}{query}"


def export_people(
    client: Client, file_format: str = "csv", purpose: str = DEFAULT_PURPOSE, **filters: Any
) -> HttpResponse:
    chosen = Purpose.objects.get(code=purpose)
    return client.post(export_url(file_format, **filters), {"purpose": chosen.pk})
