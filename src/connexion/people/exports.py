"""CSV and XLSX exports of a people list. Rows come from the selectors, so
identity numbers are already masked for roles that may not see them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from connexion.lib.phone import national_format
from connexion.lib.spreadsheet import spreadsheet_cell
from connexion.people.models import Person


def _primary(items: Any) -> Any:
    return next((item for item in items if item.is_primary), None)


COLUMNS: list[tuple[str, Callable[[Person], Any]]] = [
    ("id", lambda p: p.pk),
    ("title", lambda p: p.title),
    ("first_name_th", lambda p: p.first_name_th),
    ("last_name_th", lambda p: p.last_name_th),
    ("nickname_th", lambda p: p.nickname_th),
    ("first_name_en", lambda p: p.first_name_en),
    ("last_name_en", lambda p: p.last_name_en),
    ("gender", lambda p: p.gender),
    ("date_of_birth", lambda p: p.date_of_birth.isoformat() if p.date_of_birth else ""),
    ("national_id", lambda p: p.national_id),
    ("email", lambda p: getattr(_primary(p.emailaddresss.all()), "email", "")),
    (
        "mobile",
        lambda p: (
            national_format(number.number) if (number := _primary(p.phonenumbers.all())) else ""
        ),
    ),
    ("employer", lambda p: str(p.employer or p.employer_name)),
    ("position", lambda p: p.position),
    ("lifecycle_stage", lambda p: p.lifecycle_stage),
    ("tags", lambda p: ", ".join(tag.name for tag in p.tags.all())),
    ("created_at", lambda p: timezone.localtime(p.created_at).isoformat(timespec="seconds")),
]


def _rows(people: list[Person]) -> list[list[Any]]:
    return [[spreadsheet_cell(value(person)) for _name, value in COLUMNS] for person in people]


def _filename(extension: str) -> str:
    return f"people-{timezone.localdate().isoformat()}.{extension}"


def people_csv(people: list[Person], viewer: Any) -> HttpResponse:
    buffer = io.StringIO()
    # A byte-order mark so that Excel opens the Thai text as UTF-8.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([name for name, _value in COLUMNS])
    writer.writerows(_rows(people))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def people_xlsx(people: list[Person], viewer: Any) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("People"))
    sheet.append([name for name, _value in COLUMNS])
    for row in _rows(people):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
