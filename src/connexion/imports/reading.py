"""Reading uploaded CSV and XLSX files: which encoding and delimiter, the column
names, the rows. Every problem a user can fix is a `ValidationError` saying what
is wrong with the file in words they can act on."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from connexion.imports.models import MAX_FILE_SIZE, ImportJob

# Tried in this order when the user lets Connexion detect the encoding. cp874
# (Windows-874) is TIS-620 plus a few punctuation marks, so it reads both.
ENCODINGS = ("utf-8-sig", "cp874")
ENCODING_CHOICES = ("utf-8", "utf-8-sig", "cp874", "tis-620")
DELIMITERS = (",", ";", "\t", "|")
PREVIEW_ROWS = 20

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Excel .xls, Word .doc


@dataclass
class Table:
    """What an upload holds: enough to map its columns and preview it."""

    file_format: str
    headers: list[str]
    total_rows: int
    sample: list[tuple[int, list[str]]] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""


def _file_error(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def file_format(file_name: str) -> str:
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension == "csv":
        return ImportJob.Format.CSV
    if extension == "xlsx":
        return ImportJob.Format.XLSX
    if extension == "xls":
        raise _file_error(
            _("Old Excel files (.xls) cannot be read: save the file as .xlsx or CSV first."),
            "xls",
        )
    raise _file_error(_("Upload a CSV file (.csv) or an Excel workbook (.xlsx)."), "extension")


def inspect(upload: IO[bytes], file_name: str, size: int, encoding: str = "") -> Table:
    """Checks an upload and reads its column names, row count and first rows."""
    if size > MAX_FILE_SIZE:
        raise _file_error(
            _("The file is %(size)s MB; the limit is 50 MB. Split it into smaller files.")
            % {"size": f"{size / 1024 / 1024:.1f}"},
            "too_big",
        )
    if size == 0:
        raise _file_error(_("The file is empty."), "empty")
    kind = file_format(file_name)
    upload.seek(0)
    if kind == ImportJob.Format.CSV:
        table = _inspect_csv(upload.read(), encoding)
    else:
        table = _inspect_xlsx(upload)
    check_headers(table.headers)
    if table.total_rows == 0:
        raise _file_error(_("The file has column names but no rows to import."), "no_rows")
    return table


# --- CSV ----------------------------------------------------------------------


def _refuse_binary(data: bytes) -> None:
    head = data[:8192]
    if head.startswith(_ZIP):
        raise _file_error(
            _(
                "This file is an Excel workbook (or another compressed file) with a .csv "
                "name. Upload it with its .xlsx name, or save it as CSV in Excel."
            ),
            "binary",
        )
    if head.startswith(_OLE):
        raise _file_error(
            _("This file is an old Excel (.xls) file with a .csv name: save it as CSV or .xlsx."),
            "binary",
        )
    if b"\x00" in head:
        raise _file_error(
            _(
                "This file is not a CSV text file: it holds binary data. Save it as "
                "“CSV UTF-8” and upload it again."
            ),
            "binary",
        )


def decode(data: bytes, encoding: str = "") -> tuple[str, str]:
    """The text and the encoding it was read with: the one chosen, else UTF-8
    (with or without a byte-order mark), else Thai Windows-874 / TIS-620."""
    candidates = (encoding,) if encoding else ENCODINGS
    for candidate in candidates:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        if candidate == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
            candidate = "utf-8"
        return text.lstrip("\ufeff"), candidate
    if encoding:
        raise _file_error(
            _("The file cannot be read as %(encoding)s: choose another encoding.")
            % {"encoding": encoding},
            "encoding",
        )
    raise _file_error(
        _(
            "The text of this file is neither UTF-8 nor Thai TIS-620: save it as "
            "“CSV UTF-8” or choose its encoding."
        ),
        "encoding",
    )


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    controls = sum(1 for char in sample if ord(char) < 32 and char not in "\t\r\n")
    return controls > max(len(sample) // 100, 2)


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _csv_rows(text: str, delimiter: str) -> Iterator[list[str]]:
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _inspect_csv(data: bytes, encoding: str) -> Table:
    _refuse_binary(data)
    text, used = decode(data, encoding)
    if _looks_binary(text):
        raise _file_error(
            _(
                "This file is not a CSV text file: it holds binary data. Save it as "
                "“CSV UTF-8” and upload it again."
            ),
            "binary",
        )
    delimiter = _delimiter(text)
    rows = _csv_rows(text, delimiter)
    try:
        headers = _trim(next(rows, []))
        sample: list[tuple[int, list[str]]] = []
        total = 0
        for number, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            total += 1
            if len(sample) < PREVIEW_ROWS:
                sample.append((number, row))
    except csv.Error as exc:
        raise _file_error(
            _("The file is not valid CSV: %(error)s") % {"error": exc}, "csv"
        ) from None
    return Table(ImportJob.Format.CSV, headers, total, sample, used, delimiter)


def _trim(headers: list[str]) -> list[str]:
    """Column names without spaces around them nor the empty ones at the end."""
    names = [str(name or "").strip().lstrip("\ufeff").strip() for name in headers]
    while names and not names[-1]:
        names.pop()
    return names


# --- XLSX ---------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without `.0` (phone and ID numbers are
    often typed as numbers), dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _open_workbook(stream: IO[bytes]) -> Any:
    try:
        return load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise _file_error(
            _("This file is not an Excel workbook that can be read: save it again as .xlsx."),
            "xlsx",
        ) from None


def _xlsx_rows(stream: IO[bytes]) -> Iterator[list[str]]:
    workbook = _open_workbook(stream)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [cell_text(value) for value in row]
    finally:
        workbook.close()


def _inspect_xlsx(stream: IO[bytes]) -> Table:
    head = stream.read(8)
    stream.seek(0)
    if not head.startswith(_ZIP):
        raise _file_error(
            _("This file is not an Excel workbook that can be read: save it again as .xlsx."),
            "xlsx",
        )
    workbook = _open_workbook(stream)
    try:
        if not workbook.worksheets:
            raise _file_error(_("The workbook has no sheet."), "empty")
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        headers = _trim([cell_text(value) for value in next(rows, ())])
        sample: list[tuple[int, list[str]]] = []
        total = 0
        for number, row in enumerate(rows, start=2):
            cells = [cell_text(value) for value in row]
            if not any(cells):
                continue
            if len(sample) == PREVIEW_ROWS and sheet.max_row:
                # Counting every row of a big workbook takes long: its stated
                # size is close enough for the progress bar.
                total = max(sheet.max_row - 1, total)
                break
            total += 1
            if len(sample) < PREVIEW_ROWS:
                sample.append((number, cells))
    except ValidationError:
        raise
    except Exception:  # a damaged workbook fails here rather than on open
        raise _file_error(
            _("This file is not an Excel workbook that can be read: save it again as .xlsx."),
            "xlsx",
        ) from None
    finally:
        workbook.close()
    return Table(ImportJob.Format.XLSX, headers, total, sample)


# --- both -----------------------------------------------------------------------


def check_headers(headers: list[str]) -> None:
    if not any(headers):
        raise _file_error(
            _("The first row must hold the column names, and it is empty."), "no_headers"
        )
    first: dict[str, str] = {}  # in the order they first appear
    counts: dict[str, int] = {}
    for name in headers:
        key = name.casefold()
        if key:
            first.setdefault(key, name)
            counts[key] = counts.get(key, 0) + 1
    repeated = [name for key, name in first.items() if counts[key] > 1]
    if repeated:
        raise _file_error(
            _("These column names appear more than once: %(names)s. Give each column its own name.")
            % {"names": ", ".join(f"“{name}”" for name in repeated)},
            "duplicate_headers",
        )


def read_rows(job: ImportJob) -> Iterator[tuple[int, list[str]]]:
    """The data rows of the job's file: (row number as shown in Excel, cells),
    skipping empty rows."""
    with job.file.open("rb") as stream:
        if job.file_format == ImportJob.Format.CSV:
            text, _used = decode(stream.read(), job.encoding)
            rows: Iterator[list[str]] = _csv_rows(text, job.delimiter or ",")
        else:
            rows = _xlsx_rows(stream)
        next(rows, None)  # the column names
        for number, row in enumerate(rows, start=2):
            if any(cell.strip() for cell in row):
                yield number, row
