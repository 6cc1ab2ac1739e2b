"""Access and portability: the bundle of everything held about a person, its
single-use download link, and sending it to another controller."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client
from django.utils import timezone, translation

from connexion.audit.models import AuditEvent
from connexion.people.models import Person
from connexion.privacy.engines.erasure import erase_person
from connexion.privacy.engines.export import build_export, issue_download_link, send_to_controller
from connexion.privacy.engines.scopes import scopes
from connexion.privacy.models import DataExport, DataUse
from connexion.privacy.registry import DERIVED_FIELDS, personal_fields
from tests.privacy.engine_data import make_subject, someone

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def officer(make_user):
    return make_user("dpo", roles=("privacy_officer",), language="en")


def bundle_of(export: DataExport) -> zipfile.ZipFile:
    with export.file.open("rb") as stream:
        return zipfile.ZipFile(io.BytesIO(stream.read()))


def as_exported(f: models.Field, value):
    """What the JSON should hold for a stored value."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def same(f: models.Field, stored, exported) -> bool:
    if isinstance(stored, datetime):
        return datetime.fromisoformat(exported) == stored
    if isinstance(f, models.FileField):
        return exported.endswith(stored.rsplit("/", 1)[-1])
    if f.is_relation:
        return exported == str(stored) or str(stored) in json.dumps(exported, ensure_ascii=False)
    return as_exported(f, stored) == exported


def test_the_export_holds_every_registered_value_of_every_table(officer):
    """Adding a registered model or field without export coverage, or without
    data in engine_data, fails here."""
    subject = make_subject(officer)
    person = subject.person
    export = build_export(person, language="th", actor=officer)
    bundle = bundle_of(export)
    data = json.loads(bundle.read("data.json"))
    assert data["format"] == "connexion.subject-data/1"
    assert data["record_number"] == person.pk

    missing_rows, missing_values, empty_fields = [], [], []
    for scope in scopes():
        if not scope.policy.subject:
            continue
        rows = list(scope.rows([person.pk]).order_by("pk"))
        if scope.model is DataExport:
            rows = [row for row in rows if row.pk != export.pk]  # itself: built after the read
        if not rows:
            missing_rows.append(scope.label)
            continue
        exported = {row["id"]: row for row in data["tables"].get(scope.label, {"rows": []})["rows"]}
        derived = DERIVED_FIELDS.get(scope.label, set())
        for name in set(personal_fields(scope.model)) - derived:
            f = scope.model._meta.get_field(name)
            filled = False
            for row in rows:
                if f.many_to_many:
                    stored = sorted(str(item) for item in getattr(row, name).all())
                    if stored:
                        filled = True
                        if exported.get(row.pk, {}).get(name) != stored:
                            missing_values.append(f"{scope.label}.{name}")
                    continue
                stored = getattr(row, name)
                if stored in (None, "", [], {}) or (isinstance(f, models.FileField) and not stored):
                    continue
                filled = True
                value = stored.name if isinstance(f, models.FileField) else stored
                if row.pk not in exported or not same(f, value, exported[row.pk].get(name)):
                    missing_values.append(f"{scope.label}.{name}")
            if not filled:
                empty_fields.append(f"{scope.label}.{name}")
    assert missing_rows == [], "add rows of these tables to tests/privacy/engine_data.py"
    assert missing_values == []
    assert empty_fields == [], f"give these fields a value in engine_data.py: {empty_fields}"

    # Stored documents travel with it, and every table has its CSV.
    names = bundle.namelist()
    evidence = next(n for n in names if n.startswith("files/privacy.consentevent/"))
    assert b"Zebulon01" in bundle.read(evidence)
    for label in data["tables"]:
        assert f"csv/{label}.csv" in names


def test_the_report_is_in_the_persons_language_with_buddhist_era_dates(officer):
    subject = make_subject(officer, serial=5, with_links=False)
    thai = bundle_of(build_export(subject.person, language="th", actor=officer))
    report = thai.read("report.html").decode("utf-8")
    assert '<html lang="th">' in report
    assert "15 มีนาคม 2528" in report  # born 15 March 1985: B.E. 2528
    assert subject.person.first_name_th in report
    english = bundle_of(build_export(subject.person, language="en", actor=officer))
    report = english.read("report.html").decode("utf-8")
    assert "15 March 1985" in report and "Your personal data" in report
    rows = list(csv.reader(io.StringIO(english.read("csv/people.person.csv").decode("utf-8-sig"))))
    assert rows[0][0] == "id" and "first_name_th" in rows[0]
    assert subject.person.first_name_th in rows[1]


def test_provenance_and_the_access_log_are_in_the_export(officer, make_user):
    subject = make_subject(officer, serial=6, with_links=False)
    viewer = make_user("viewer1", roles=("sales",), language="en", first_name="Malee")
    client = Client()
    client.force_login(viewer)
    assert client.get(f"/people/{subject.person.pk}/").status_code == 200
    data = json.loads(
        bundle_of(build_export(subject.person, language="en", actor=officer)).read("data.json")
    )
    row = data["tables"]["people.person"]["rows"][0]
    assert row["source"]["kind"] == "related_person"
    assert row["source"]["given_by"] == str(subject.others["referrer"])
    email = data["tables"]["people.emailaddress"]["rows"][0]
    assert email["source"]["channel"] == "phone"
    views = [entry for entry in data["access_log"] if entry["by"] == "Malee"]
    assert views and views[0]["channel"] == "ui" and views[0]["what"] == "people.detail"
    assert any(entry["what"] == "people.create_person" for entry in data["change_history"])
    # Hashes of secrets never leave.
    assert "token_hash" not in json.dumps(data["tables"].get("privacy.dataexport", {}))


def test_building_an_export_is_audited_and_refused_for_bad_input(officer):
    person = someone("Exportee")
    with pytest.raises(ValidationError) as refused:
        build_export(person, language="fr", actor=officer)
    assert set(refused.value.message_dict) == {"language"}
    export = build_export(person, language="en", actor=officer)
    assert export.file.name.startswith("exports/") and "Exportee" not in export.file.name
    event = AuditEvent.objects.get(action="privacy.build_export")
    assert event.actor == officer and event.object_id == str(person.pk)
    erase_person(person, actor=officer)
    with pytest.raises(ValidationError, match="erased"):
        build_export(Person(pk=person.pk, anonymized_at=timezone.now()), language="en", actor=None)


def test_the_download_link_works_once_and_says_why_afterwards(officer):
    person = someone("Downloader", last_name_en="Once")
    export = build_export(person, language="th", actor=officer)
    link = issue_download_link(export, actor=officer)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert link == f"/data-protection/exports/{token}/"
    assert "Downloader" not in link
    export.refresh_from_db()
    assert token not in export.token_hash  # only the hash is kept

    anonymous = Client(enforce_csrf_checks=True)
    # Opening the link (a mail scanner does) shows the Download button, nothing more.
    for _opened in range(2):
        page = anonymous.get(link, REMOTE_ADDR="198.51.100.9")
        assert page.status_code == 200 and page["Cache-Control"] == "no-store"
        assert 'data-testid="export-ready"' in page.content.decode()
        assert "Downloader" not in page.content.decode()
    export.refresh_from_db()
    assert export.downloaded_at is None
    response = anonymous.post(link, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/zip"
    assert "Downloader" not in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(content)).read("data.json")
    export.refresh_from_db()
    assert export.downloaded_at is not None and export.download_ip == "198.51.100.9"

    again = anonymous.post(link)
    assert again.status_code == 410
    assert anonymous.get(link).status_code == 410
    assert again["Cache-Control"] == "no-store"
    page = again.content.decode()
    assert '<html lang="th">' in page  # in the person's language
    assert 'data-reason="used"' in page
    assert "Downloader" not in page
    with translation.override("en"), pytest.raises(ValidationError, match="already downloaded"):
        issue_download_link(export)

    tampered = anonymous.get(f"/data-protection/exports/{token[:-2]}xx/")
    assert tampered.status_code == 404
    refusals = AuditEvent.objects.filter(kind="refused", object_type="privacy.dataexport")
    assert sorted(refusals.values_list("action", flat=True)) == [
        "privacy.export_link_unknown",
        "privacy.export_link_used",
        "privacy.export_link_used",
    ]
    assert "Downloader" not in tampered.content.decode()


def test_an_expired_link_is_refused_and_a_new_one_replaces_the_old(officer):
    export = build_export(someone("Expiring"), language="en", actor=officer)
    old = issue_download_link(export)
    new = issue_download_link(export)
    assert Client().get(old).status_code == 404  # replaced
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get(new)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert DataExport.objects.get(pk=export.pk).downloaded_at is None


def test_portability_sends_the_bundle_to_another_controller(officer):
    export = build_export(someone("Portable"), language="en", actor=officer)
    with pytest.raises(ValidationError) as refused:
        send_to_controller(export, "not an address", officer, base_url="https://crm.example")
    assert set(refused.value.message_dict) == {"email"}
    assert mail.outbox == []
    send_to_controller(
        export, "dpo@other-controller.example", officer, base_url="https://crm.example"
    )
    message = mail.outbox[0]
    assert message.to == ["dpo@other-controller.example"]
    # A link that expires and works once, never the bundle itself as an attachment.
    assert message.attachments == []
    link = next(word for word in message.body.split() if word.startswith("https://crm.example/"))
    path = link.removeprefix("https://crm.example")
    client = Client()
    assert client.get(path).status_code == 200
    content = b"".join(client.post(path).streaming_content)
    assert zipfile.ZipFile(io.BytesIO(content)).read("data.json")
    # The hand-over passed the use door, on the law's path.
    use = DataUse.objects.get(action="portability")
    assert use.allowed and use.person_id == export.person_id and use.reference == "PDPA s.31"
    export.refresh_from_db()
    assert export.sent_to == "dpo@other-controller.example"
    event = AuditEvent.objects.get(action="privacy.send_export")
    assert event.actor == officer and event.details["sent_to"][1] == export.sent_to
