"""Importing people from CSV and XLSX files, from the upload to the report."""

import csv
import io
import os
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_tasks import TaskResultStatus

from connexion.audit.models import AuditEvent
from connexion.imports import services
from connexion.imports.models import ImportIssue, ImportJob, SavedMapping
from connexion.people import services as people
from connexion.people.models import (
    EmailAddress,
    LifecycleChange,
    Organization,
    Person,
    PhoneNumber,
    PostalAddress,
    Source,
)
from tests.imports.helpers import csv_bytes, map_columns, thai_id, upload, uploaded_job, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADERS = [
    "คำนำหน้า", "ชื่อ", "นามสกุล", "ชื่อเล่น", "เพศ", "วันเกิด", "เลขบัตรประชาชน", "อีเมล",
    "มือถือ", "บ้านเลขที่", "ตำบล", "อำเภอ", "จังหวัด", "รหัสไปรษณีย์", "แท็ก",
]  # fmt: skip
SOMCHAI = [
    "นาย", "สมชาย", "ใจดี", "ต้น", "ชาย", "15/03/2528", thai_id(1), "Somchai@Example.co.th",
    "081-234-5678", "99/1", "ลาดยาว", "จตุจักร", "กรุงเทพมหานคร", "10900", "vip, งานแฟร์",
]  # fmt: skip
SOMYING = [
    "นางสาว", "สมหญิง", "รักไทย", "แหม่ม", "หญิง", "1990-07-01", thai_id(2),
    "somying@example.co.th", "0891234567", "", "", "", "", "", "",
]  # fmt: skip
THAI_FILE = [HEADERS, SOMCHAI, SOMYING]


def run(job: ImportJob) -> ImportJob:
    """What the worker does, without the worker."""
    services.run_import(job.pk)
    job.refresh_from_db()
    return job


# --- encodings and formats -------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp874", "cp874")],
)
def test_a_csv_with_thai_names_imports_in_each_encoding(staff, encoding, detected):
    job = uploaded_job(staff, "customers.csv", csv_bytes(THAI_FILE, encoding))
    assert job.encoding == detected
    assert job.headers == HEADERS  # no byte-order mark left on the first name
    assert job.total_rows == 2
    response = map_columns(staff, job)
    assert response.status_code == 302
    job = run(job)
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.rejected_count) == (2, 0)

    somchai = Person.objects.get(national_id=thai_id(1))
    assert (somchai.title, somchai.first_name_th, somchai.last_name_th) == ("นาย", "สมชาย", "ใจดี")
    assert somchai.nickname_th == "ต้น"
    assert somchai.gender == "male"
    assert somchai.date_of_birth == date(1985, 3, 15)  # 2528 in the Buddhist Era
    assert sorted(somchai.tags.values_list("name", flat=True)) == ["vip", "งานแฟร์"]
    assert list(somchai.emailaddresss.values_list("email", flat=True)) == ["somchai@example.co.th"]
    assert list(somchai.phonenumbers.values_list("number", "kind")) == [("+66812345678", "mobile")]
    address = somchai.postaladdresss.get()
    assert (address.province, address.postcode, address.subdistrict) == (
        "กรุงเทพมหานคร", "10900", "ลาดยาว",
    )  # fmt: skip
    somying = Person.objects.get(national_id=thai_id(2))
    assert somying.first_name_th == "สมหญิง"
    assert somying.date_of_birth == date(1990, 7, 1)
    assert not somying.postaladdresss.exists()


def test_the_user_can_choose_the_encoding(staff):
    data = csv_bytes(THAI_FILE, "cp874")
    response = upload(staff, "customers.csv", data, encoding="utf-8")
    assert response.status_code == 200
    assert "cannot be read as utf-8" in response.content.decode()
    job = uploaded_job(staff, "customers.csv", data, encoding="cp874")
    assert job.encoding == "cp874"
    map_columns(staff, job)
    assert run(job).created_count == 2
    assert Person.objects.filter(first_name_th="สมหญิง").exists()


def test_a_semicolon_separated_csv_is_read(staff):
    job = uploaded_job(staff, "people.csv", csv_bytes(THAI_FILE, delimiter=";"))
    assert job.delimiter == ";"
    assert job.headers == HEADERS


def test_an_xlsx_workbook_imports(staff):
    rows = [
        ["First name", "Last name", "Email", "Mobile", "National ID", "Date of birth"],
        ["Somchai", "Jaidee", "somchai@example.com", 812345678, int(thai_id(3)), date(1980, 1, 2)],
        ["Somsri", "Meesuk", "somsri@example.com", "0891112222", thai_id(4), "02/01/2530"],
    ]
    job = uploaded_job(staff, "Customers.XLSX", xlsx_bytes(rows))
    assert job.file_format == ImportJob.Format.XLSX
    assert job.total_rows == 2
    map_columns(staff, job)
    job = run(job)
    assert (job.created_count, job.rejected_count) == (2, 0), list(job.issues.values())
    somchai = Person.objects.get(national_id=thai_id(3))
    assert (somchai.first_name_en, somchai.last_name_en) == ("Somchai", "Jaidee")
    assert somchai.date_of_birth == date(1980, 1, 2)
    assert somchai.phonenumbers.get().number == "+66812345678"
    somsri = Person.objects.get(national_id=thai_id(4))
    assert (somsri.first_name_en, somsri.last_name_en) == ("Somsri", "Meesuk")
    assert somsri.date_of_birth == date(1987, 1, 2)


# --- refused files -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "holds binary data"),
        (xlsx_bytes([["a", "b"], [1, 2]]), "Excel workbook (or another compressed file)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "old Excel (.xls) file"),
    ],
)
def test_a_binary_file_renamed_csv_is_refused(staff, content, message):
    response = upload(staff, "customers.csv", content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_other_file_types_are_refused(staff):
    for name, text in [("people.xls", "save the file as .xlsx"), ("people.pdf", "Upload a CSV")]:
        response = upload(staff, name, b"whatever")
        assert text in response.content.decode()
    response = upload(staff, "broken.xlsx", b"PK\x03\x04 not really a zip")
    assert "not an Excel workbook that can be read" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_duplicated_column_names_are_refused_by_name(staff):
    rows = [["ชื่อ", "Email", "นามสกุล", "email", "ชื่อ"], ["ก", "a@b.co", "ข", "c@d.co", "ค"]]
    response = upload(staff, "people.csv", csv_bytes(rows))
    body = response.content.decode()
    assert "These column names appear more than once: “ชื่อ”, “Email”." in body
    assert not ImportJob.objects.exists()


def test_a_file_without_rows_or_column_names_is_refused(staff):
    assert "no rows to import" in upload(staff, "p.csv", csv_bytes([HEADERS])).content.decode()
    assert "file is empty" in upload(staff, "p.csv", b"").content.decode()
    assert "must hold the column names" in upload(staff, "p.csv", b",,\na,b,c\n").content.decode()


def test_missing_required_columns_are_refused(staff):
    rows = [["อีเมล", "มือถือ"], ["a@example.com", "0812345678"]]
    job = uploaded_job(staff, "contacts.csv", csv_bytes(rows))
    response = map_columns(staff, job)
    assert response.status_code == 200
    assert "Required column missing" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED
    assert job.task_id == ""
    with pytest.raises(ValidationError, match="Required column missing"):
        services.start_job(staff.user, job)


def test_a_field_cannot_be_chosen_for_two_columns(staff):
    job = uploaded_job(staff, "c.csv", csv_bytes(THAI_FILE))
    response = map_columns(staff, job, column_2="first_name_th")
    assert "“First name (Thai)” is chosen for more than one column." in response.content.decode()


def test_the_file_size_is_limited_to_50_mb():
    from connexion.imports.reading import inspect

    with pytest.raises(ValidationError, match="the limit is 50 MB"):
        inspect(io.BytesIO(b"a,b\n1,2\n"), "big.csv", 50 * 1024 * 1024 + 1)


# --- mapping ---------------------------------------------------------------------


def test_the_mapping_is_guessed_from_thai_and_english_column_names(staff):
    job = uploaded_job(staff, "c.csv", csv_bytes(THAI_FILE))
    form = staff.get(f"/people/import/{job.pk}/mapping/").context["form"]
    guessed = [form[f"column_{index}"].value() for index in range(len(HEADERS))]
    assert guessed == [
        "title", "first_name_th", "last_name_th", "nickname_th", "gender", "date_of_birth",
        "national_id", "email", "mobile", "house_number", "subdistrict", "district",
        "province", "postcode", "tags",
    ]  # fmt: skip
    english = [["Title", "First Name", "Surname", "E-mail", "Phone", "Zip code", "Company"]]
    job = uploaded_job(staff, "e.csv", csv_bytes([*english, ["Mr", "John", "Smith"]]))
    form = staff.get(f"/people/import/{job.pk}/mapping/").context["form"]
    guessed = [form[f"column_{index}"].value() for index in range(7)]
    assert guessed == [
        "title", "first_name_en", "last_name_en", "email", "mobile", "postcode", "employer_name",
    ]  # fmt: skip
    # Thai names under English column names go to the Thai fields, and the other way.
    rows = [["First name", "Last name", "ชื่อเล่น"], ["สมศรี", "มีสุข", "Joy"], ["ก", "ข", "Ann"]]
    job = uploaded_job(staff, "t.csv", csv_bytes(rows))
    form = staff.get(f"/people/import/{job.pk}/mapping/").context["form"]
    guessed = [form[f"column_{index}"].value() for index in range(3)]
    assert guessed == ["first_name_th", "last_name_th", "nickname_en"]


def test_the_users_last_mapping_is_remembered(staff, make_user):
    rows = [["Cust", "Mail addr", "Note"], ["สมชาย", "a@example.com", "x"]]
    job = uploaded_job(staff, "one.csv", csv_bytes(rows))
    form = staff.get(f"/people/import/{job.pk}/mapping/").context["form"]
    assert [form[f"column_{i}"].value() for i in range(3)] == ["", "", ""]
    map_columns(staff, job, action="preview", column_0="first_name_th", column_1="email")
    assert SavedMapping.objects.get(user=staff.user).columns == {
        "cust": "first_name_th", "mail addr": "email", "note": "",
    }  # fmt: skip

    # The next file with these column names (in another order) gets the same choice.
    rows = [["Note", "CUST", "Mail Addr"], ["y", "สมหญิง", "b@example.com"]]
    job = uploaded_job(staff, "two.csv", csv_bytes(rows))
    form = staff.get(f"/people/import/{job.pk}/mapping/").context["form"]
    assert [form[f"column_{i}"].value() for i in range(3)] == ["", "first_name_th", "email"]

    # Per user: someone else still gets the guesses.
    other = make_user("other", roles=("sales",))
    staff.force_login(other)
    job = uploaded_job(staff, "three.csv", csv_bytes(rows))
    form = staff.get(f"/people/import/{job.pk}/mapping/").context["form"]
    assert [form[f"column_{i}"].value() for i in range(3)] == ["", "", ""]


# --- preview -----------------------------------------------------------------------


def test_the_preview_flags_each_problem_of_a_row(staff):
    good = thai_id(5)
    wrong_check_digit = good[:12] + str((int(good[12]) + 1) % 10)
    rows = [
        ["ชื่อ", "เลขบัตรประชาชน", "วันเกิด", "รหัสไปรษณีย์", "จังหวัด", "มือถือ", "อีเมล"],
        ["ดี", good, "28/02/1990", "10110", "กรุงเทพมหานคร", "0812345678", "d@example.com"],
        ["เลขผิด", wrong_check_digit, "", "", "", "", ""],
        ["สามสิบเอ็ด", "", "31/02/1990", "", "", "", ""],
        ["อนาคต", "", "01/01/2999", "", "", "", ""],
        ["รหัสสั้น", "", "", "1011", "กรุงเทพมหานคร", "", ""],
        ["ไม่มีจังหวัด", "", "", "10110", "Atlantis", "", ""],
        ["โทรผิด", "", "", "", "", "12345", ""],
        ["เมลผิด", "", "", "", "", "", "not-an-email@"],
        ["", "", "", "", "", "", "noname@example.com"],
    ]
    job = uploaded_job(staff, "check.csv", csv_bytes(rows))
    response = map_columns(staff, job, action="preview")
    assert response.status_code == 200
    preview = {item.row.number: item for item in response.context["preview"]}
    messages = {number: " ".join(m for _f, m in item.problems) for number, item in preview.items()}
    assert messages[2] == ""
    assert "check digit is wrong" in messages[3]
    assert "not a real date" in messages[4]
    assert "cannot be in the future" in messages[5]
    assert "postcode of 5 digits" in messages[6]
    assert "“Atlantis” is not a Thai province" in messages[7]
    assert "“12345” is not a valid phone number" in messages[8]
    assert "“not-an-email@” is not a valid email address" in messages[9]
    assert "Give a first or last name" in messages[10]
    body = response.content.decode()
    assert "check digit is wrong" in body and "Atlantis" in body
    # A preview saves nothing.
    assert not Person.objects.exists() and not Source.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED


def test_the_preview_shows_likely_duplicates(officer, source):
    people.create_person(None, source=source, first_name_th="เดิม", national_id=thai_id(1))
    job = uploaded_job(officer, "c.csv", csv_bytes(THAI_FILE))
    preview = map_columns(officer, job, action="preview").context["preview"]
    assert "Same national ID as person #" in preview[0].duplicate
    assert preview[1].duplicate == ""


# --- duplicates ----------------------------------------------------------------


@pytest.fixture
def existing(source):
    return people.create_person(
        None,
        source=source,
        first_name_th="สมชาย",
        last_name_th="เดิม",
        national_id=thai_id(1),
        occupation="ครู",
        contacts=people.ContactDetails(emails=["old@example.com"]),
        tags=["เก่า"],
    )


DUPLICATES = [
    ["ชื่อ", "นามสกุล", "เลขบัตรประชาชน", "อีเมล", "มือถือ"],
    ["สมชาย", "ใหม่", thai_id(1), "new@example.com", "0811111111"],  # same national ID
    ["อีกคน", "ซ้ำเมล", "", "OLD@example.com", ""],  # same email
    ["คนใหม่", "จริงๆ", thai_id(9), "fresh@example.com", "0822222222"],
    ["คนใหม่", "ซ้ำในไฟล์", "", "", "082-222-2222"],  # same phone as the row above
]


def test_likely_duplicates_are_skipped(officer, existing):
    job = uploaded_job(officer, "d.csv", csv_bytes(DUPLICATES))
    map_columns(officer, job, on_duplicate="skip")
    job = run(job)
    assert (job.created_count, job.updated_count, job.skipped_count) == (1, 0, 3)
    assert Person.objects.count() == 2
    existing.refresh_from_db()
    assert existing.last_name_th == "เดิม"
    reasons = dict(job.issues.values_list("row_number", "problems"))
    assert f"Same national ID as person #{existing.pk}" in reasons[2][0][1]
    assert f"Same email as person #{existing.pk}" in reasons[3][0][1]
    assert "Same phone number as person #" in reasons[5][0][1]
    assert set(job.issues.values_list("outcome", flat=True)) == {"skipped"}


def test_likely_duplicates_update_the_existing_person(officer, existing):
    job = uploaded_job(officer, "d.csv", csv_bytes(DUPLICATES))
    map_columns(officer, job, on_duplicate="update")
    job = run(job)
    assert (job.created_count, job.updated_count, job.skipped_count) == (1, 3, 0)
    assert Person.objects.count() == 2
    existing.refresh_from_db()
    # The second matching row (same email) came last, so its names stand.
    assert (existing.first_name_th, existing.last_name_th) == ("อีกคน", "ซ้ำเมล")
    assert existing.occupation == "ครู"  # empty cells change nothing
    assert sorted(existing.emailaddresss.values_list("email", flat=True)) == [
        "new@example.com", "old@example.com",
    ]  # fmt: skip
    assert existing.emailaddresss.get(email="old@example.com").is_primary
    assert list(existing.phonenumbers.values_list("number", flat=True)) == ["+66811111111"]
    assert list(existing.tags.values_list("name", flat=True)) == ["เก่า"]
    update = AuditEvent.objects.filter(action="people.update_person", object_id=str(existing.pk))
    assert update.count() == 2
    assert set(update.values_list("channel", flat=True)) == {"task"}
    new = Person.objects.get(national_id=thai_id(9))
    assert new.phonenumbers.count() == 2 - 1  # the in-file duplicate updated, added nothing new


def test_an_update_never_overwrites_a_different_national_id(officer, existing):
    rows = [["ชื่อ", "เลขบัตรประชาชน", "อีเมล"], ["ปลอม", thai_id(7), "old@example.com"]]
    job = uploaded_job(officer, "d.csv", csv_bytes(rows))
    map_columns(officer, job, on_duplicate="update")
    job = run(job)
    assert (job.updated_count, job.rejected_count) == (0, 1)
    existing.refresh_from_db()
    assert (existing.national_id, existing.first_name_th) == (thai_id(1), "สมชาย")
    assert "whose national ID is different" in job.issues.get().problems[0][1]


def test_likely_duplicates_can_be_created_anyway(officer, existing):
    job = uploaded_job(officer, "d.csv", csv_bytes(DUPLICATES))
    map_columns(officer, job, on_duplicate="create")
    job = run(job)
    assert (job.created_count, job.updated_count, job.skipped_count) == (4, 0, 0)
    assert Person.objects.filter(national_id=thai_id(1)).count() == 2


# --- provenance --------------------------------------------------------------------


def test_provenance_is_set_on_every_person_and_contact_point(staff, source):
    partner = people.create_organization(
        None, source=source, kind=Organization.Kind.PARTNER, name_th="พันธมิตร จำกัด"
    )
    job = uploaded_job(staff, "จากพันธมิตร.csv", csv_bytes(THAI_FILE))
    response = map_columns(
        staff, job, source_kind="partner", source_partner=partner.pk,
        source_agreement_reference="DPA-2026-07",
    )  # fmt: skip
    assert response.status_code == 302
    job = run(job)
    imported = job.source
    assert (imported.kind, imported.channel) == ("partner", "import")
    assert (imported.partner, imported.agreement_reference) == (partner, "DPA-2026-07")
    assert imported.note == "จากพันธมิตร.csv"
    assert imported.collected_by == staff.user
    new_people = Person.objects.filter(national_id__in=[thai_id(1), thai_id(2)])
    assert new_people.count() == 2
    assert set(new_people.values_list("source", flat=True)) == {imported.pk}
    for model in (EmailAddress, PhoneNumber, PostalAddress):
        contacts = model.objects.filter(person__in=new_people)
        assert contacts.exists()
        assert set(contacts.values_list("source", flat=True)) == {imported.pk}
    changes = AuditEvent.objects.filter(action="people.create_person")
    assert set(changes.values_list("channel", "actor")) == {("task", staff.user.pk)}
    assert LifecycleChange.objects.filter(person__in=new_people).count() == 2


def test_the_provenance_is_checked_before_the_import_starts(staff):
    job = uploaded_job(staff, "c.csv", csv_bytes(THAI_FILE))
    response = map_columns(staff, job, source_kind="partner")
    body = response.content.decode()
    assert "Name the partner organization that gave this data." in body
    assert "Give the reference of the data agreement." in body
    response = map_columns(staff, job, source_kind="related_person")
    assert "Name the person who gave this data." in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED
    assert not Source.objects.exists()


# --- all or nothing --------------------------------------------------------------


def test_invalid_rows_are_reported_and_the_valid_ones_imported(staff):
    rows = [*THAI_FILE, ["", "ผิด", "", "", "", "31/02/2530", "123", "", "", "", "", "", "", "", ""]]
    job = uploaded_job(staff, "c.csv", csv_bytes(rows))
    map_columns(staff, job)
    job = run(job)
    assert (job.status, job.created_count, job.rejected_count) == ("done", 2, 1)
    issue = job.issues.get()
    assert (issue.row_number, issue.outcome) == (4, ImportIssue.Outcome.REJECTED)
    assert {name for name, _message in issue.problems} == {"date_of_birth", "national_id"}


def test_an_unexpected_error_mid_run_leaves_nothing(staff, monkeypatch):
    rows = [HEADERS, *[[*SOMCHAI[:6], thai_id(20 + n), *SOMCHAI[7:]] for n in range(5)]]
    rows = [rows[0]] + [[*row[:7], f"p{n}@example.com", f"08123456{n:02d}", *row[9:]]
                        for n, row in enumerate(rows[1:])]  # fmt: skip
    job = uploaded_job(staff, "c.csv", csv_bytes(rows))
    map_columns(staff, job)
    real_create = people.create_people
    calls = []

    def create_then_fail(*args, **kwargs):
        # The rows are written, then the disk fills up.
        calls.append(real_create(*args, **kwargs))
        assert Person.objects.count() == people_before + 5
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(people, "create_people", create_then_fail)
    people_before = Person.objects.count()
    with pytest.raises(RuntimeError):
        services.run_import(job.pk)
    job.refresh_from_db()
    assert len(calls) == 1
    assert job.status == ImportJob.Status.FAILED
    assert "RuntimeError: the disk is full" in job.error
    assert Person.objects.count() == people_before
    for model in (EmailAddress, PhoneNumber, PostalAddress, LifecycleChange, ImportIssue):
        assert not model.objects.exists(), model
    assert not Source.objects.filter(channel="import").exists()
    assert not AuditEvent.objects.filter(channel="task").exists()
    assert job.file  # kept, to try again

    page = staff.get(f"/people/import/{job.pk}/").content.decode()
    assert "nothing of this file was saved" in page
    monkeypatch.setattr(people, "create_people", real_create)
    staff.post(f"/people/import/{job.pk}/retry/")
    job = run(job)
    assert (job.status, job.created_count) == ("done", 5)


# --- report and pages -----------------------------------------------------------


def test_the_report_lists_the_rejected_rows_as_csv(staff, existing):
    rows = [
        ["ชื่อ", "อีเมล", "เลขบัตรประชาชน"],
        ["ดี", "good@example.com", ""],
        ["เมลผิด", "bad@", ""],
        ["ซ้ำ", "old@example.com", ""],
        ["", "noname@example.com", ""],
    ]
    job = uploaded_job(staff, "c.csv", csv_bytes(rows))
    map_columns(staff, job)
    job = run(job)
    assert (job.created_count, job.rejected_count, job.skipped_count) == (1, 2, 1)
    response = staff.get(f"/people/import/{job.pk}/report.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    report = list(csv.reader(io.StringIO(text)))
    assert report[0] == ["Row", "Outcome", "Problems", "ชื่อ", "อีเมล", "เลขบัตรประชาชน"]
    assert [line[0] for line in report[1:]] == ["3", "4", "5"]
    assert report[1][1] == "rejected"
    assert report[1][2] == "Email: “bad@” is not a valid email address."
    assert report[1][3:] == ["เมลผิด", "bad@", ""]
    assert report[2][1] == "skipped: likely duplicate"
    assert "Give a first or last name" in report[3][2]
    assert AuditEvent.objects.filter(action="imports.report", actor=staff.user).exists()


def test_the_job_page_shows_the_results(staff):
    job = uploaded_job(staff, "c.csv", csv_bytes(THAI_FILE))
    map_columns(staff, job)
    queued = staff.get(f"/people/import/{job.pk}/").content.decode()
    assert "waiting for the worker" in queued
    assert 'hx-trigger="every 1s"' in queued
    run(job)
    page = staff.get(f"/people/import/{job.pk}/progress/").content.decode()
    assert 'data-testid="percent">100%<' in page
    assert "hx-trigger" not in page  # the polling stops
    assert 'data-testid="created">2<' in page
    assert staff.get("/people/import/").content.decode().count("c.csv") == 1


def test_the_running_job_shows_its_progress(staff):
    job = uploaded_job(staff, "c.csv", csv_bytes(THAI_FILE))
    map_columns(staff, job)
    ImportJob.objects.filter(pk=job.pk).update(status="running", total_rows=4)
    services.write_progress(job.pk, 1)
    page = staff.get(f"/people/import/{job.pk}/progress/").content.decode()
    assert 'data-testid="percent">25%<' in page
    assert 'hx-trigger="every 1s"' in page


def test_imports_need_the_people_permission_and_are_private(client, staff, make_user):
    job = uploaded_job(staff, "c.csv", csv_bytes(THAI_FILE))
    client.logout()
    assert client.get("/people/import/")["Location"].startswith("/account/sign-in/?next=")
    client.force_login(make_user("nobody", roles=()))
    assert client.get("/people/import/").status_code == 403
    client.force_login(make_user("colleague", roles=("sales",)))
    for path in ["", "mapping/", "progress/", "report.csv"]:
        assert client.get(f"/people/import/{job.pk}/{path}").status_code == 404, path


def test_the_uploaded_file_is_deleted_once_imported(staff, media_root):
    job = uploaded_job(staff, "c.csv", csv_bytes(THAI_FILE))
    path = job.file.path
    map_columns(staff, job)
    job = run(job)
    assert not job.file
    assert not os.path.exists(path)


# --- through the real worker -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_import_runs_in_the_database_worker(staff):
    job = uploaded_job(staff, "customers.csv", csv_bytes(THAI_FILE, "utf-8-sig"))
    response = map_columns(staff, job)
    assert response["Location"] == f"/people/import/{job.pk}/"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED
    from connexion.imports.tasks import import_people

    result = import_people.get_result(job.task_id)
    assert result.status == TaskResultStatus.READY
    call_command("worker", "--batch")
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["created"] == 2
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Person.objects.filter(first_name_th__in=["สมชาย", "สมหญิง"]).count() == 2
    page = staff.get(f"/people/import/{job.pk}/").content.decode()
    assert 'data-testid="percent">100%<' in page
    assert 'value="100"' in page


def test_without_the_identity_permission_national_ids_neither_match_nor_change(staff, existing):
    """A match would tell a sales user whose national ID they typed."""
    rows = [
        ["ชื่อ", "เลขบัตรประชาชน", "อีเมล"],
        ["ทายเลข", thai_id(1), "guess@example.com"],
        ["สมชาย", thai_id(8), "old@example.com"],
    ]
    job = uploaded_job(staff, "d.csv", csv_bytes(rows))
    preview = map_columns(staff, job, action="preview", on_duplicate="update")
    items = preview.context["preview"]
    assert items[0].duplicate == ""
    assert items[1].duplicate == f"Same email as person #{existing.pk}."
    assert "matched by email and phone only" in preview.content.decode()
    map_columns(staff, job, on_duplicate="update")
    job = run(job)
    assert (job.created_count, job.updated_count, job.rejected_count) == (1, 1, 0)
    existing.refresh_from_db()
    assert existing.national_id == thai_id(1)  # not changed to the file's
    assert Person.objects.get(first_name_th="ทายเลข").national_id == thai_id(1)


def test_a_file_is_queued_and_run_once(staff):
    job = uploaded_job(staff, "c.csv", csv_bytes(THAI_FILE))
    map_columns(staff, job)
    job.refresh_from_db()
    with pytest.raises(ValidationError, match="cannot be started again"):
        services.start_job(staff.user, job)
    assert services.run_import(job.pk)["created"] == 2
    assert services.run_import(job.pk) == {}  # a second delivery of the task does nothing
    assert Person.objects.count() == 2
    # The mapping page of a started import leads to its progress.
    response = staff.get(f"/people/import/{job.pk}/mapping/")
    assert response["Location"] == f"/people/import/{job.pk}/"
