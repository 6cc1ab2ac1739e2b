"""Files and form posts for the import tests."""

import csv
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from connexion.imports.models import ImportJob
from connexion.lib.thai import thai_id_check_digit


def thai_id(serial: int, prefix: str = "1") -> str:
    """A valid 13-digit national ID from a serial number."""
    first12 = f"{prefix}{serial:011d}"
    return first12 + str(thai_id_check_digit(first12))


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def form_data(form, **overrides: Any) -> dict[str, Any]:
    """What the browser would post back for a form as it was shown."""
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            value = ""
        elif hasattr(value, "pk"):
            value = value.pk
        data[name] = value
    data.update(overrides)
    return data


def upload(client: Client, name: str, data: bytes, encoding: str = ""):
    return client.post(
        "/people/import/", {"file": SimpleUploadedFile(name, data), "encoding": encoding}
    )


def uploaded_job(client: Client, name: str, data: bytes, encoding: str = "") -> ImportJob:
    response = upload(client, name, data, encoding)
    assert response.status_code == 302, response.content.decode()[:3000]
    return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-2]))


def map_columns(client: Client, job: ImportJob, action: str = "start", **overrides: Any):
    """Posts the mapping page as guessed, with some fields changed."""
    page = client.get(f"/people/import/{job.pk}/mapping/")
    assert page.status_code == 200
    data = form_data(page.context["form"], action=action, **overrides)
    return client.post(f"/people/import/{job.pk}/mapping/", data)
