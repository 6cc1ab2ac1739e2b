"""The retention engine: rules, their preview, the daily run through the
erasure engine, and the pages of the privacy officer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from connexion.audit.models import AuditEvent
from connexion.people.models import EmailAddress, LifecycleChange, Person, PhoneNumber
from connexion.people.services import ContactDetails, create_person, create_source
from connexion.privacy.engines import retention
from connexion.privacy.engines.holds import place_hold
from connexion.privacy.ledger.services import give_consent
from connexion.privacy.models import (
    ErasureRecord,
    PrivacyNotice,
    Purpose,
    RetentionRule,
    RetentionRun,
    SubjectRequest,
)
from connexion.privacy.seed import RETENTION_RULES, seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user("dpo", roles=("privacy_officer",), language="en")


@pytest.fixture
def only(db):
    """Keeps just the rules a test makes."""
    RetentionRule.objects.update(is_active=False)

    def make(**values) -> RetentionRule:
        values.setdefault("name_en", "test rule")
        return RetentionRule.objects.create(**values)

    return make


@pytest.fixture(autouse=True)
def notice_in_effect(db):
    # Consents in the tests are dated back: the notice must have been in effect then.
    PrivacyNotice.objects.update(effective_at=timezone.now() - timedelta(days=3650))


def prospect(name: str, *, months_idle: int | None = None, stage: str = "prospect", **kw):
    person = create_person(
        None,
        source=create_source(None, kind="direct", channel="phone"),
        first_name_en=name,
        last_name_en="Idle",
        lifecycle_stage=stage,
        contacts=ContactDetails(emails=[f"{name.lower()}@idle.example"], **kw),
    )
    if months_idle is not None:
        Person.objects.filter(pk=person.pk).update(
            updated_at=timezone.now() - timedelta(days=31 * months_idle)
        )
    return person


def test_default_rules_are_seeded_once_and_never_come_back():
    names = set(RetentionRule.objects.values_list("name_en", flat=True))
    assert names == {rule["name_en"] for rule in RETENTION_RULES}
    first = RetentionRule.objects.order_by("id").first()
    first.is_active = False
    first.save()
    seed()
    assert RetentionRule.objects.count() == len(RETENTION_RULES)
    assert RetentionRule.objects.get(pk=first.pk).is_active is False
    for rule in RetentionRule.objects.all():
        retention.check_rule(rule)  # every default is a valid rule
        assert rule.name_th and rule.description_th and rule.description_en


def test_no_activity_counts_changes_consents_and_activities(only):
    from connexion.sales.models import Activity

    rule = only(lifecycle_stage="prospect", trigger="no_activity", months=24, action="anonymize")
    idle = prospect("Idleone", months_idle=25)
    consented = prospect("Consented", months_idle=25)
    give_consent(
        None,
        consented,
        Purpose.objects.get(code="direct-marketing"),
        wording="ok",
        channel="web_form",
        at=timezone.now() - timedelta(days=30),
    )
    Person.objects.filter(pk=consented.pk).update(updated_at=timezone.now() - timedelta(days=800))
    called = prospect("Called", months_idle=25)
    Activity.objects.create(
        kind="call", subject="follow-up", occurred_at=timezone.now(), person=called
    )
    met = prospect("Met", months_idle=25)
    meeting = Activity.objects.create(
        kind="meeting", subject="fair", occurred_at=timezone.now(), person=idle
    )
    meeting.participants.add(met)
    Person.objects.filter(pk=idle.pk).update(updated_at=timezone.now() - timedelta(days=800))
    prospect("Recent", months_idle=23)
    prospect("Customer", months_idle=30, stage="customer")

    matched = set(retention.rule_candidates(rule).values_list("pk", flat=True))
    # Everyone was active: idle had a meeting today, met was at it.
    assert matched == set()
    Activity.objects.filter(pk=meeting.pk).update(occurred_at=timezone.now() - timedelta(days=900))
    assert set(retention.rule_candidates(rule).values_list("pk", flat=True)) == {idle.pk, met.pk}


def test_a_run_erases_the_expired_skips_the_held_and_the_waiting_and_records_its_counts(
    only, officer
):
    rule = only(lifecycle_stage="prospect", trigger="no_activity", months=24, action="anonymize")
    expired = [prospect(f"Expired{n}", months_idle=30) for n in range(3)]
    held = prospect("Heldidle", months_idle=30)
    place_hold(officer, held, reason="dispute", legal_reference="Case 9/2569")
    Person.objects.filter(pk=held.pk).update(updated_at=timezone.now() - timedelta(days=1000))
    waiting = prospect("Waiting", months_idle=30)
    SubjectRequest.objects.create(
        reference="DSR-W",
        kind="access",
        channel="email",
        person=waiting,
        requester_name="Waiting Idle",
        language="en",
        description="copy please",
        received_at=timezone.now(),
        due_at=timezone.now() + timedelta(days=30),
    )
    prospect("Fresh", months_idle=1)

    run = retention.run_retention(batch_size=2)

    assert run.finished_at is not None and run.error == "" and run.dry_run is False
    assert run.counts[str(rule.pk)] == {"matched": 5, "erased": 3, "held": 1, "waiting": 1}
    assert not Person.objects.filter(pk__in=[p.pk for p in expired]).exists()
    assert Person.objects.filter(pk__in=[held.pk, waiting.pk], anonymized_at=None).count() == 2
    records = ErasureRecord.objects.filter(run=run)
    assert records.count() == 3 and all(r.rule == rule for r in records)
    assert not EmailAddress.objects.filter(email__startswith="expired").exists()
    assert AuditEvent.objects.filter(action="privacy.retention_run", object_id=str(run.pk)).exists()
    # Nothing is left for the rule to do.
    again = retention.run_retention()
    assert again.counts[str(rule.pk)]["erased"] == 0


def test_a_dry_run_counts_and_changes_nothing(only):
    rule = only(lifecycle_stage="prospect", trigger="no_activity", months=24, action="anonymize")
    person = prospect("Dryrun", months_idle=30)
    run = retention.run_retention(dry_run=True)
    assert run.counts[str(rule.pk)]["would_erase"] == 1
    assert Person.objects.filter(pk=person.pk, anonymized_at=None).exists()
    assert not ErasureRecord.objects.exists()


def test_former_customers_lose_their_contact_details_and_keep_their_name(only, officer):
    rule = only(
        lifecycle_stage="former_customer",
        category="3.2",
        trigger="relationship_ended",
        months=12,
        action="delete_category",
    )
    person = create_person(
        officer,
        source=create_source(officer, kind="direct", channel="phone"),
        first_name_en="Formerly",
        last_name_en="Customer",
        lifecycle_stage="former_customer",
        contacts=ContactDetails(emails=["formerly@old.example"], phones=[("mobile", "0819998877")]),
    )
    LifecycleChange.objects.filter(person=person).update(
        changed_at=timezone.now() - timedelta(days=400)
    )
    recent = prospect("Recentformer", stage="former_customer")
    assert set(retention.rule_candidates(rule).values_list("pk", flat=True)) == {person.pk}

    run = retention.run_retention()

    assert run.counts[str(rule.pk)]["erased"] == 1
    person.refresh_from_db()
    assert person.anonymized_at is None and person.first_name_en == "Formerly"
    assert not EmailAddress.objects.filter(person=person).exists()
    assert not PhoneNumber.objects.filter(person=person).exists()
    assert "formerly@old.example" not in person.search_text and "formerly" in person.search_text
    history = AuditEvent.objects.filter(object_type="people.person", object_id=str(person.pk))
    assert "formerly@old.example" not in str(list(history.values_list("details", flat=True)))
    record = ErasureRecord.objects.get(run=run)
    assert record.tables["people.emailaddress"] == {"deleted": 1}
    assert record.person_kept is True
    assert EmailAddress.objects.filter(person=recent).exists()
    # Done once: the person no longer holds contact details.
    assert not retention.rule_candidates(rule).exists()


def test_a_record_age_rule_deletes_only_the_old_rows_of_its_category(only):
    rule = only(category="3.2", trigger="record_age", months=120, action="delete_category")
    person = prospect("Oldrows")
    old = EmailAddress.objects.get(person=person)
    EmailAddress.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3700))
    retention.run_retention()
    assert not EmailAddress.objects.filter(pk=old.pk).exists()
    assert Person.objects.filter(pk=person.pk, anonymized_at=None).exists()
    prospect("Newrows")
    assert not retention.rule_candidates(rule).exists()


def test_the_preview_shows_counts_and_masked_samples(only, officer):
    only(
        name_en="Idle prospects",
        lifecycle_stage="prospect",
        trigger="no_activity",
        months=24,
        action="anonymize",
    )
    people = [prospect(f"Preview{n}", months_idle=30) for n in range(2)]
    held = people[0]
    place_hold(officer, held, reason="audit", legal_reference="Revenue Code")
    Person.objects.filter(pk=held.pk).update(updated_at=timezone.now() - timedelta(days=1000))
    [item] = retention.preview(officer)
    assert (item.matched, item.held, item.waiting, item.to_apply) == (2, 1, 0, 1)
    assert {sample.masked_name for sample in item.samples} == {"P*** I***"}
    assert Person.objects.filter(pk__in=[p.pk for p in people], anonymized_at=None).count() == 2


def test_the_daily_task_is_scheduled():
    from connexion.ops.schedule import discover

    periodic = discover()["connexion.privacy.retention_tasks.apply_retention_rules"]
    assert periodic.interval == timedelta(days=1)


# --- pages ------------------------------------------------------------------------------


@pytest.fixture
def dpo(client: Client, officer) -> Client:
    client.force_login(officer)
    return client


def test_the_officer_edits_rules_with_errors_naming_the_field(dpo, officer):
    response = dpo.get("/data-protection/retention/")
    assert response.status_code == 200
    assert "Prospects with no activity for 24 months" in response.content.decode()
    response = dpo.post(
        "/data-protection/retention/rules/new/",
        {
            "name_en": "Delete something",
            "trigger": "record_age",
            "months": "12",
            "action": "delete_category",
            "is_active": "on",
        },
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {"category": ["Choose the data category to delete."]}
    response = dpo.post(
        "/data-protection/retention/rules/new/",
        {
            "name_th": "ทดสอบ",
            "name_en": "Old social accounts",
            "category": "3.2",
            "trigger": "record_age",
            "months": "36",
            "action": "delete_category",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    rule = RetentionRule.objects.get(name_en="Old social accounts")
    assert rule.updated_by == officer
    event = AuditEvent.objects.get(action="privacy.create_retention_rule")
    assert event.details["months"] == [None, 36]


def test_the_preview_page_and_the_run_button(dpo, only, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    only(name_en="Idle visitors", lifecycle_stage="visitor", trigger="no_activity", months=12,
         action="anonymize")  # fmt: skip
    person = prospect("Visitoridle", months_idle=13, stage="visitor")
    page = dpo.get("/data-protection/retention/preview/").content.decode()
    assert "Idle visitors" in page and "V*** I***" in page and "Visitoridle" not in page
    response = dpo.post("/data-protection/retention/run/")
    assert response.status_code == 302
    run = RetentionRun.objects.get()
    assert run.triggered_by is not None and run.finished_at is not None
    assert not Person.objects.filter(pk=person.pk).exists()
    detail = dpo.get(f"/data-protection/retention/runs/{run.pk}/")
    assert detail.status_code == 200 and "V*** I***" in detail.content.decode()


def test_only_the_privacy_officer_changes_rules_or_runs_them(client, make_user):
    admin = make_user("admin2", roles=("admin",), language="en")
    client.force_login(admin)
    assert client.get("/data-protection/retention/").status_code == 200
    assert client.get("/data-protection/retention/rules/new/").status_code == 403
    assert client.post("/data-protection/retention/run/").status_code == 403
    sales = make_user("sales9", roles=("sales",), language="en")
    client.force_login(sales)
    assert client.get("/data-protection/retention/").status_code == 403


def test_the_last_activity_is_the_latest_consent_when_it_is_later():
    person = prospect("Consentactive", months_idle=30)
    at = timezone.now() - timedelta(days=3)
    give_consent(
        None,
        person,
        Purpose.objects.get(code="direct-marketing"),
        wording="ok",
        channel="web_form",
        at=at,
    )
    Person.objects.filter(pk=person.pk).update(updated_at=timezone.now() - timedelta(days=900))
    assert retention.last_activity([person.pk])[person.pk] == at


def test_a_category_erasure_is_admitted_like_every_erasure_and_reaches_merged_records(officer):
    """The category sweep goes through the erasure engine's phases: a record merged
    into the person loses the category too, a merged record is refused with the
    erasure's reason, and a legal hold refuses the person."""
    from connexion.privacy.engines.erasure import erase_category

    person = prospect("Keeper")
    twin = prospect("Twin")
    Person.objects.filter(pk=twin.pk).update(merged_into=person)
    held = prospect("Heldone")
    place_hold(officer, held, reason="court order", legal_reference="Civil Procedure Code s.254")

    batch = erase_category([person.pk, twin.pk, held.pk], "3.2", actor=None)

    assert not EmailAddress.objects.filter(person__in=[person, twin]).exists()
    assert EmailAddress.objects.filter(person=held).exists()
    assert "merged into record" in batch.refused[twin.pk]
    assert held.pk in batch.held
    (record,) = batch.records
    assert record.person_ref == person.pk and record.person_kept
    assert record.tables["people.emailaddress"] == {"deleted": 2}
