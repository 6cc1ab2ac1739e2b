"""The record of processing activities (PDPA s.39): the printable page and its
CSV and XLSX downloads. The record itself is built in `processing.record`; the
language is the reader's, or the one asked for with `?lang=th|en`."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from connexion.accounts.permissions import require_permission
from connexion.lib.spreadsheet import spreadsheet_cell
from connexion.privacy.processing.record import LANGUAGES, ProcessingRecord, read_record
from connexion.privacy.processing.tables import (
    breach_table,
    controller_table,
    disclosure_table,
    objection_tables,
    purpose_table,
    refused_request_table,
)

privacy_access = require_permission("accounts.access_privacy")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    current = (translation.get_language() or "th")[:2]
    return current if current in LANGUAGES else "th"


def _filename(record: ProcessingRecord, extension: str) -> str:
    day = timezone.localdate(record.generated_at).isoformat()
    return f"record-of-processing-{record.language}-{day}.{extension}"


def _download(
    content: bytes | str, content_type: str, filename: str, language: str
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Language"] = language
    return response


@login_required
@privacy_access
def record_of_processing(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    with translation.override(language):
        record = read_record(request.user, language, shown_as="page")
        other = "en" if language == "th" else "th"
        response = render(
            request,
            "privacy/record_of_processing.html",
            {"record": record, "other_language": other},
        )
    response["Content-Language"] = language
    return response


@login_required
@privacy_access
def record_of_processing_csv(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    record = read_record(request.user, language, shown_as="csv")
    buffer = io.StringIO()
    # A byte-order mark so that Excel opens the Thai text as UTF-8.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in purpose_table(record):
        writer.writerow([spreadsheet_cell(value) for value in row])
    return _download(
        buffer.getvalue().encode("utf-8"),
        "text/csv; charset=utf-8",
        _filename(record, "csv"),
        language,
    )


def _sheet(workbook: Workbook, title: str, *tables: list[list[Any]]) -> None:
    # Excel's limit for a sheet name is 31 characters.
    sheet = workbook.create_sheet(title[:31])
    widths: dict[int, int] = {}
    for number, table in enumerate(tables):
        if number:
            sheet.append([])
        for index, row in enumerate(table):
            sheet.append([spreadsheet_cell(value) for value in row])
            if index == 0:
                for cell in sheet[sheet.max_row]:
                    cell.font = Font(bold=True)
            for column, value in enumerate(row, start=1):
                widths[column] = max(widths.get(column, 8), min(len(str(value)), 60))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width + 2
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


@login_required
@privacy_access
def record_of_processing_xlsx(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    record = read_record(request.user, language, shown_as="xlsx")
    workbook = Workbook()
    workbook.remove(workbook.active)
    with translation.override(language):
        workbook.properties.title = _("Record of processing activities")
        counts, rejections = objection_tables(record)
        _sheet(workbook, _("Purposes"), purpose_table(record))
        _sheet(workbook, _("Objections"), counts, rejections)
        _sheet(workbook, _("Disclosures"), disclosure_table(record))
        _sheet(workbook, _("Breaches"), breach_table(record))
        _sheet(workbook, _("Refused requests"), refused_request_table(record))
        _sheet(workbook, _("Controller"), controller_table(record))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _download(buffer.getvalue(), XLSX_TYPE, _filename(record, "xlsx"), language)
