"""How fast an import of a generated CSV runs, validation and duplicate
detection included. Not part of the suite; run it on purpose, on PostgreSQL:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/connexion_imports_bench \\
      IMPORT_BENCH_ROWS=100000 .venv/bin/pytest -q -p no:cacheprovider -s \\
      benchmarks/import_scale.py
"""

import os
import random
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from connexion.imports import reading, services
from connexion.imports.models import ImportJob
from connexion.imports.rows import parse_row
from connexion.lib.thai import PROVINCES
from connexion.people.models import Person
from tests.imports.helpers import csv_bytes, thai_id

ROWS = int(os.environ.get("IMPORT_BENCH_ROWS", "10000"))
HEADERS = [
    "คำนำหน้า", "ชื่อ", "นามสกุล", "First name", "Last name", "เพศ", "วันเกิด",
    "เลขบัตรประชาชน", "อีเมล", "มือถือ", "บ้านเลขที่", "ตำบล", "อำเภอ", "จังหวัด",
    "รหัสไปรษณีย์", "แท็ก",
]  # fmt: skip
FIRST = ["สมชาย", "สมหญิง", "วิชัย", "มาลี", "ประเสริฐ", "สุดา", "อนันต์", "จันทร์เพ็ญ"]
LAST = ["ใจดี", "รักไทย", "มีสุข", "ศรีสวัสดิ์", "บุญมา", "แก้วมณี", "ทองดี", "สุขสันต์"]


def generated_file(rows: int, seed: int = 7) -> bytes:
    """Valid rows, except one in a hundred with a wrong check digit."""
    chance = random.Random(seed)  # noqa: S311 (repeatable test data, not secrets)
    lines: list[list[str]] = [HEADERS]
    for n in range(rows):
        national_id = thai_id(500_000 + n)
        if n % 100 == 99:
            national_id = national_id[:12] + str((int(national_id[12]) + 1) % 10)
        province = chance.choice(PROVINCES)[0]
        lines.append([
            chance.choice(["นาย", "นาง", "นางสาว"]), chance.choice(FIRST), chance.choice(LAST),
            f"Person{n}", "Test", chance.choice(["ชาย", "หญิง"]),
            f"{chance.randint(1, 28):02d}/{chance.randint(1, 12):02d}/{chance.randint(2490, 2545)}",
            national_id, f"person{n}@example.co.th", f"081{n:07d}", f"{n % 300}/{n % 17}",
            "ตำบลทดสอบ", "อำเภอทดสอบ", province, f"{10000 + n % 89999:05d}", "import, bench",
        ])  # fmt: skip
    return csv_bytes(lines)


@pytest.mark.django_db
def test_import_speed(make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = make_user("bench", roles=("sales",), language="en")
    data = generated_file(ROWS)

    started = time.perf_counter()
    upload = SimpleUploadedFile("bench.csv", data)
    table = reading.inspect(upload, "bench.csv", len(data))
    job = services.create_job(user, upload, "bench.csv", table)
    inspected = time.perf_counter() - started

    mapping = [
        "title", "first_name_th", "last_name_th", "first_name_en", "last_name_en", "gender",
        "date_of_birth", "national_id", "email", "mobile", "house_number", "subdistrict",
        "district", "province", "postcode", "tags",
    ]  # fmt: skip
    services.configure_job(user, job, mapping=mapping, source_kind="direct")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)

    started = time.perf_counter()
    parsed = [parse_row(number, cells, mapping) for number, cells in reading.read_rows(job)]
    reading_and_checking = time.perf_counter() - started
    assert len(parsed) == ROWS

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    backend = _backend_pid()
    backend_cpu = _cpu_seconds(backend)
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        cpu = time.process_time()
        counts = services.run_import(job.pk)
        cpu = time.process_time() - cpu
        elapsed = time.perf_counter() - started
    backend_cpu = _cpu_seconds(backend) - backend_cpu
    assert counts["created"] == ROWS - ROWS // 100
    assert counts["rejected"] == ROWS // 100
    assert Person.objects.count() == counts["created"]

    print(
        f"\n{connection.vendor}: {ROWS} rows, upload check {inspected:.2f} s, "
        f"read+validate only {reading_and_checking:.2f} s "
        f"({ROWS / reading_and_checking:.0f} rows/s)"
        f"\nimport: {elapsed:.1f} s = {ROWS / elapsed:.0f} rows/s, "
        f"{queries / ROWS:.1f} queries per row"
        f"\nCPU: Python {cpu:.1f} s, database {backend_cpu:.1f} s = "
        f"{(cpu + backend_cpu) / ROWS * 1000:.1f} ms per row, "
        f"{ROWS / (cpu + backend_cpu):.0f} rows/s on one idle core"
    )


def _backend_pid() -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _cpu_seconds(pid: int | None) -> float:
    """User and system CPU time of a process on this machine (Linux)."""
    if pid is None:
        return 0.0
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
