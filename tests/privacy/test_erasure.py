"""Erasure and anonymization across every table and stored file."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.utils import timezone, translation

from connexion.audit.models import AuditEvent
from connexion.imports.models import ImportJob
from connexion.people.models import EmailAddress, Person, Source
from connexion.people.services import ContactDetails, create_person, create_source
from connexion.privacy import registry
from connexion.privacy.engines.erasure import ErasureRefused, erase_people, erase_person
from connexion.privacy.engines.export import build_export
from connexion.privacy.engines.holds import lift_hold, place_hold
from connexion.privacy.engines.scopes import mask_value
from connexion.privacy.models import (
    ConsentEvent,
    DataExport,
    Disclosure,
    ErasureRecord,
    LegalHold,
    SubjectRequest,
)
from connexion.privacy.registry import Erasure, ErasurePolicy
from tests.privacy.engine_data import make_subject, someone

pytestmark = pytest.mark.django_db
TEXT_TYPES = {"CharField", "TextField", "JSONField"}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def officer(make_user):
    return make_user("dpo", roles=("privacy_officer",), language="en")


def _forms(value: str) -> set[str]:
    """A value as it may be stored: as typed, lower-cased, escaped in JSON."""
    return {value, value.lower(), json.dumps(value)[1:-1], json.dumps(value.lower())[1:-1]}


def scan_database(values: list[str]) -> list[tuple[str, str, str]]:
    """Every text, character and JSON column of every table, searched for each value."""
    hits = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                kind = connection.introspection.get_field_type(column.type_code, column)
                if kind not in TEXT_TYPES:
                    continue
                for value in values:
                    for form in _forms(value):
                        cursor.execute(
                            f"SELECT COUNT(*) FROM {quote(table)} "  # noqa: S608
                            f"WHERE LOWER(CAST({quote(column.name)} AS TEXT)) LIKE %s",
                            [f"%{form.lower()}%"],
                        )
                        if cursor.fetchone()[0]:
                            hits.append((table, column.name, value))
                            break
    return sorted(set(hits))


def _stored_names(directory: str = "") -> list[str]:
    if directory and not default_storage.exists(directory):
        return []
    folders, files = default_storage.listdir(directory)
    names = [f"{directory}/{name}" if directory else name for name in files]
    for folder in folders:
        names += _stored_names(f"{directory}/{folder}" if directory else folder)
    return names


def scan_storage(values: list[str]) -> list[tuple[str, str]]:
    """Every stored file, read through the storage (which decrypts it), and
    every member of the zip files among them."""
    hits = []
    for name in _stored_names():
        with default_storage.open(name, "rb") as stream:
            blob = stream.read()
        blobs = [(name, blob)]
        if zipfile.is_zipfile(io.BytesIO(blob)):
            with zipfile.ZipFile(io.BytesIO(blob)) as bundle:
                blobs += [(f"{name}:{member}", bundle.read(member)) for member in bundle.namelist()]
        for where, content in blobs:
            for value in values:
                forms = {f.encode("utf-8") for f in _forms(value)}
                if any(form in content for form in forms):
                    hits.append((where, value))
    return hits


def test_an_erased_person_leaves_nothing_in_any_table_or_file(
    officer, django_capture_on_commit_callbacks
):
    subject = make_subject(officer)
    person = subject.person
    build_export(person, language="th", actor=officer)
    before = scan_database(subject.values)
    assert ("people_person", "first_name_th", subject.values[0]) in before
    assert any(table == "audit_auditevent" for table, _column, _value in before)
    assert any(table == "imports_importissue" for table, _column, _value in before)
    assert scan_storage(subject.values)

    # Stored files are deleted once the erasure is committed.
    with django_capture_on_commit_callbacks(execute=True):
        record = erase_person(person, actor=officer)

    assert scan_database(subject.values) == []
    assert scan_storage(subject.values) == []
    # Kept as "anonymized person #…": a deal, a disclosure and the people it referred point at it.
    person = Person.objects.get(pk=person.pk)
    assert person.anonymized_at is not None
    with translation.override("en"):
        assert str(person) == f"anonymized person #{person.pk}"
    assert record.person_kept is True
    assert record.masked_name == "ล*** ก*** ว***"
    assert record.person_ref == person.pk
    assert record.approved_by == officer
    assert record.files_removed >= 5
    assert record.tables["people.emailaddress"] == {"deleted": 3}
    assert record.tables["privacy.consentevent"] == {"deleted": 2}
    assert record.tables["privacy.disclosure"] == {"anonymized": 1}
    assert record.tables["audit.auditevent"]["masked"] > 5
    assert record.tables["imports.importissue"] == {"masked": 1}
    assert record.tables["imports.importjob"] == {"rows removed": 1}
    assert record.tables["people.person"] == {"anonymized": 1}
    # The business keeps what it needs, with nothing that identifies anyone.
    disclosure = Disclosure.objects.get(person=person)
    assert disclosure.legal_reference == "Order 01/2569" and disclosure.reason == ""
    request = SubjectRequest.objects.get(person=person)
    # No initials, no fragment of the address: the request keeps its reference and kind.
    assert (request.requester_name, request.requester_email, request.requester_phone) == (
        "",
        "",
        "",
    )
    assert request.description == "" and not request.attachment
    assert not DataExport.objects.filter(person=person).exists()
    assert not ConsentEvent.objects.filter(person=person).exists()
    # Others' rows no longer point at them, or point at the anonymized record.
    referred = Source.objects.get(people=subject.others["referred"])
    assert referred.related_person_id == person.pk
    # The file waiting to be imported keeps its other rows.
    waiting = ImportJob.objects.get(pk=subject.others["waiting_import"].pk)
    assert waiting.total_rows == 1
    with waiting.file.open("rb") as stream:
        assert "sommai@keep.example" in stream.read().decode("utf-8")
    # The audit entries stay, masked; the erasure itself is logged without a name.
    events = AuditEvent.objects.filter(object_type="people.person", object_id=str(person.pk))
    created = events.get(action="people.create_person")
    assert created.details["first_name_th"] == [None, "***"]
    logged = AuditEvent.objects.get(action="privacy.erase_person")
    assert logged.object_id == str(record.pk) and logged.actor == officer


def test_a_person_nothing_else_needs_is_deleted_outright(officer):
    person = create_person(
        officer,
        source=create_source(officer, kind="direct", channel="phone"),
        first_name_th="ลบหมด",
        last_name_th="ไม่เหลือ",
        contacts=ContactDetails(emails=["gone@erasure.example"]),
    )
    record = erase_person(person, actor=officer)
    assert record.person_kept is False
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not EmailAddress.objects.filter(email="gone@erasure.example").exists()
    assert record.tables["people.person"] == {"deleted": 1}
    assert record.masked_name == "ล*** ไ***"
    assert scan_database(["ลบหมด", "gone@erasure.example"]) == []


def test_erasure_of_a_held_person_is_refused_naming_the_hold(officer):
    person = someone("Heldperson", last_name_en="Underhold")
    hold = place_hold(
        officer, person, reason="ongoing tax audit", legal_reference="Revenue Code s.87/3"
    )
    with pytest.raises(ErasureRefused) as refusal:
        erase_person(person, actor=officer)
    assert "Revenue Code s.87/3" in str(refusal.value)
    assert "ongoing tax audit" in str(refusal.value)
    assert refusal.value.hold == hold
    person.refresh_from_db()
    assert person.anonymized_at is None and person.first_name_en == "Heldperson"
    assert not ErasureRecord.objects.exists()

    lift_hold(officer, hold)
    erase_person(person, actor=officer)
    assert not Person.objects.filter(pk=person.pk, anonymized_at=None).exists()


def test_an_expired_hold_no_longer_stops_an_erasure(officer):
    person = someone("Expiredhold")
    LegalHold.objects.create(
        person=person,
        reason="old order",
        legal_reference="Order 1/2560",
        starts_at=timezone.now() - timedelta(days=10),
        ends_at=timezone.now() - timedelta(days=1),
    )
    record = erase_person(person, actor=officer)
    assert record.person_kept is True  # the hold's record stays, anonymized
    hold = LegalHold.objects.get(person_id=person.pk)
    assert hold.reason == "" and hold.legal_reference == "Order 1/2560"


def test_a_second_erasure_is_refused_and_a_merged_record_is_erased_with_its_target(officer):
    kept = someone("Mergetarget", last_name_en="Kept")
    tombstone = someone("Mergedaway", last_name_en="Gone")
    Person.objects.filter(pk=tombstone.pk).update(merged_into=kept)
    with (
        translation.override("en"),
        pytest.raises(ErasureRefused, match=f"merged into record #{kept.pk}"),
    ):
        erase_person(Person.objects.get(pk=tombstone.pk), actor=officer)
    record = erase_person(kept, actor=officer)
    assert record.tables["people.person"] == {"deleted": 2}
    assert not Person.objects.filter(pk__in=[kept.pk, tombstone.pk]).exists()
    with translation.override("en"), pytest.raises(ErasureRefused, match="already erased"):
        erase_person(kept, actor=officer)
    assert scan_database(["Mergedaway", "Mergetarget"]) == []


def test_rows_a_law_requires_are_kept_minimal_and_everything_else_goes(officer, monkeypatch):
    from connexion.sales.models import Deal

    subject = make_subject(officer, serial=2, with_links=False)
    # As a payment record would be: kept with its legally required fields only.
    policy = ErasurePolicy(
        Erasure.HOLD,
        keep=frozenset({"title", "amount", "currency", "status", "amount_thb"}),
        masked=frozenset({"lost_reason"}),
    )
    monkeypatch.setitem(registry.ERASURE_POLICIES, "sales.deal", policy)
    record = erase_person(subject.person, actor=officer)
    assert record.tables["sales.deal"] == {"held": 2}
    assert record.person_kept is True
    deal = Deal.objects.get(person=subject.person, title__startswith="Deal with")
    assert deal.title == "Deal with Zebulon02 Quillfeather02"
    assert deal.expected_close_date is None
    # The only trace left is the held row, whose person is the anonymized record.
    hits = scan_database(subject.values)
    assert {(table, column) for table, column, _value in hits} == {("sales_deal", "title")}
    assert Person.objects.get(pk=subject.person.pk).anonymized_at is not None


def test_an_erasure_that_fails_half_way_changes_nothing(officer, monkeypatch):
    subject = make_subject(officer, serial=3, with_links=False)
    # A policy that cannot be applied (a date that cannot be blanked), met after
    # the deletions of the tables before it.
    monkeypatch.setitem(
        registry.ERASURE_POLICIES, "privacy.disclosure", ErasurePolicy(Erasure.ANONYMIZE)
    )
    before = scan_database(subject.values)
    files = scan_storage(subject.values)
    with pytest.raises(ValueError, match="disclosed_at cannot be blanked"):
        erase_person(subject.person, actor=officer)
    assert scan_database(subject.values) == before
    assert scan_storage(subject.values) == files
    assert EmailAddress.objects.filter(person=subject.person).count() == 3
    assert not ErasureRecord.objects.exists()


def test_erase_people_skips_the_held_and_erases_the_rest(officer):
    free = [someone(f"Batchfree{n}") for n in range(3)]
    held = someone("Batchheld")
    place_hold(officer, held, reason="court case", legal_reference="Case 12/2569")
    batch = erase_people([p.pk for p in [*free, held]], actor=officer)
    assert sorted(r.person_ref for r in batch.records) == sorted(p.pk for p in free)
    assert set(batch.held) == {held.pk}
    assert "Case 12/2569" in batch.refused[held.pk]
    assert Person.objects.filter(pk=held.pk, anonymized_at=None).exists()
    assert not Person.objects.filter(pk__in=[p.pk for p in free]).exists()


MASK_SAMPLES = [
    "สมศรี ใจดี",
    "  Somsri   Jaidee ",
    "somsri@example.co.th",
    "+66812345678",
    "081-234-5678",
    "Deal with Zebulon 2",
    "",
    "A",
]


def test_masks_keep_nothing_that_identifies():
    assert mask_value("สมศรี ใจดี") == "ส*** ใ***"
    assert mask_value("somsri@example.co.th") == "s***@e***"
    assert mask_value("+66812345678") == "***78"
    assert mask_value("") == ""


def test_the_sql_mask_is_the_python_mask():
    if connection.vendor != "postgresql":
        pytest.skip("the SQL mask is PostgreSQL's")
    from connexion.privacy.engines.scopes import _MASK_SQL

    with connection.cursor() as cursor:
        for sample in MASK_SAMPLES:
            sql = f"SELECT {_MASK_SQL.format(c='v.x')} FROM (SELECT %s::text AS x) v"  # noqa: S608
            cursor.execute(sql, [sample])
            assert cursor.fetchone()[0] == mask_value(sample), sample


@pytest.mark.django_db(transaction=True)
def test_two_erasures_of_the_same_person_at_once_one_wins_the_other_is_refused(make_user):
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    officer = make_user("dpo2", roles=("privacy_officer",))
    subject = make_subject(officer, serial=4, with_links=False)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def erase() -> None:
        try:
            person = Person.objects.get(pk=subject.person.pk)
            barrier.wait(timeout=10)
            with translation.override("en"):
                outcomes.append(erase_person(person, actor=officer))
        except ErasureRefused as refusal:
            outcomes.append(refusal)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=erase) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    records = [o for o in outcomes if isinstance(o, ErasureRecord)]
    refusals = [o for o in outcomes if isinstance(o, ErasureRefused)]
    assert len(records) == 1 and len(refusals) == 1
    assert "already erased" in str(refusals[0])
    assert ErasureRecord.objects.count() == 1
    assert scan_database(subject.values) == []


def test_every_model_that_can_hold_a_persons_data_has_a_policy_that_fits_it():
    """A new model with a path to a person, or a new link to a person, fails
    here until the registry says what erasure and export do with it."""
    from connexion.privacy.engines.scopes import blank_value, person_links

    def reaches_person(model, seen=()):
        for f in model._meta.get_fields():
            if not ((f.is_relation and f.concrete) or f.many_to_many) or f.auto_created:
                continue
            target = f.related_model
            if target is Person:
                return True
            # Provenance is a mention (its own policy), not a path to the person.
            if (
                target is Source
                or target in seen
                or target._meta.app_label not in (registry.SUBJECT_DATA_APPS)
            ):
                continue
            if reaches_person(target, (*seen, model)):
                return True
        return False

    missing = [
        model._meta.label_lower
        for label in registry.SUBJECT_DATA_APPS
        if apps.is_installed(f"connexion.{label}")
        for model in apps.get_app_config(label).get_models()
        if reaches_person(model) and model._meta.label_lower not in registry.ERASURE_POLICIES
    ]
    assert missing == []

    for model, link in person_links():
        label = model._meta.label_lower
        if model._meta.app_label not in registry.SUBJECT_DATA_APPS:
            continue
        policy = registry.ERASURE_POLICIES[label]
        declared = set(policy.subject) | {path for path, _mention in policy.mentions}
        assert link.name in declared, f"{label}.{link.name}: subject or mention?"

    for label, policy in registry.ERASURE_POLICIES.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        for path in policy.subject + policy.also_export:
            if path == "pk":
                assert model is Person
                continue
            target = model
            for step in path.split("__"):
                target = target._meta.get_field(step).related_model
            assert target is Person, f"{label}: {path} does not lead to a person"
        personal = registry.personal_fields(model)
        assert policy.keep <= set(personal), f"{label}: keeps an unregistered field"
        assert policy.masked <= set(personal), f"{label}: masks an unregistered field"
        if policy.action in {Erasure.ANONYMIZE, Erasure.HOLD} or model is Person:
            for name in set(personal) - policy.keep - policy.masked:
                f = model._meta.get_field(name)
                if not f.many_to_many:
                    blank_value(f)  # raises when the field cannot hold "nothing"


def test_erasure_reaches_unlinked_leads_and_saved_views_that_name_the_person(make_user):
    """Stores that hold the person without a link to their record: a lead never
    converted (matched by email, phone or both names) and a user's saved list
    view named after them or filtering on their email."""
    from connexion.people.models import SavedView
    from connexion.sales.models import Lead

    person = someone(
        "Wanida",
        last_name_en="Kaewmanee",
        contacts=ContactDetails(emails=["wanida@example.co.th"], phones=[("mobile", "0812345678")]),
    )
    by_email = Lead.objects.create(title="Golf plan", email="WANIDA@example.co.th")
    by_phone = Lead.objects.create(title="Tennis plan", phone="+66812345678")
    by_name = Lead.objects.create(title="Spa", first_name="Wanida", last_name="Kaewmanee")
    other = Lead.objects.create(title="Yoga", first_name="Wanida", email="someone@else.example")
    seller = make_user("seller", roles=("sales",))
    named = SavedView.objects.create(
        user=seller, list_name="people", name="Wanida Kaewmanee follow-up", query_string="q=x"
    )
    filtered = SavedView.objects.create(
        user=seller,
        list_name="people",
        name="One customer",
        query_string="q=wanida%40example.co.th",
    )
    kept = SavedView.objects.create(
        user=seller, list_name="people", name="Bangkok customers", query_string="province=x"
    )

    from connexion.privacy.engines.export import subject_data

    # Access (s.30) finds them too: the export holds the three leads, not the other.
    (leads,) = [t for t in subject_data(person, "en").tables if t.label == "sales.lead"]
    assert sorted(row["title"] for row in leads.rows) == ["Golf plan", "Spa", "Tennis plan"]

    record = erase_person(person, actor=None)

    assert set(Lead.objects.values_list("pk", flat=True)) == {other.pk}
    assert not Lead.objects.filter(pk__in=[by_email.pk, by_phone.pk, by_name.pk]).exists()
    assert set(SavedView.objects.values_list("pk", flat=True)) == {kept.pk}
    assert not SavedView.objects.filter(pk__in=[named.pk, filtered.pk]).exists()
    assert record.tables["sales.lead"] == {"deleted": 3}
    assert record.tables["people.savedview"] == {"deleted": 2}
