"""Scale benchmark of the data-subject rights engines (issue 5).

On the PostgreSQL database of benchmarks/people_scale.py (1,000,000 people),
times, in process, the engine calls behind the pages:

- the access export of one person who has a timeline of 10,000 items of each
  kind (consent events, audit access events, sales activities when the sales
  app is installed) plus every kind of registered data: build_export, from the
  first query to the zip stored;
- the erasure of that person: erase_person, the whole transaction;
- a retention run that erases 100,000 expired prospects: run_retention with the
  default "prospects with no activity for 24 months" rule alone, exactly
  100,000 of the 1,000,000 people matching it; a tenth of them have a deal (so
  their record is kept, anonymized), a tenth a consent event, every one an
  audit entry of their creation and one of a page view.

Erasures and the retention run happen inside a transaction that is rolled back
after the measurement, so that the shared database keeps its data and every run
measures the same work; the measured person is made once and kept (tagged
"bench-privacy-subject"). Prints a Markdown table of the median of several runs.

    .venv/bin/python benchmarks/privacy_scale.py
    .venv/bin/python benchmarks/privacy_scale.py --runs 3 --retention-runs 1 --only export
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/connexion_bench"
SUBJECT_TAG = "bench-privacy-subject"
BENCH_USER = "bench-privacy-officer"
ANALYZED = [
    "people_person",
    "audit_auditevent",
    "privacy_consentevent",
    "sales_activity",
    "sales_activity_participants",
    "sales_deal",
]


def setup_django(url: str, data_dir: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["CONNEXION_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connexion.settings")
    import django

    django.setup()


# --- the measured person ---------------------------------------------------------------


def officer() -> Any:
    from connexion.accounts.models import User
    from connexion.accounts.services import create_staff_user

    user = User.objects.filter(username=BENCH_USER).first()
    if user is None:
        user, _password = create_staff_user(
            BENCH_USER, email="bench-dpo@example.co.th", roles=["privacy_officer"]
        )
    return user


def subject(items: int) -> Any:
    """The person with `items` timeline items of each kind; made once."""
    from django.apps import apps
    from django.db import transaction
    from django.utils import timezone

    from connexion.audit.models import AuditEvent
    from connexion.people.models import Person, Tag
    from connexion.people.services import ContactDetails, create_person, create_source
    from connexion.privacy.ledger.services import wording_hash
    from connexion.privacy.models import ConsentEvent, PrivacyNotice, Purpose

    existing = Person.objects.filter(tags__name=SUBJECT_TAG).first()
    if existing is not None:
        return existing
    actor = officer()
    with transaction.atomic():
        person = create_person(
            actor,
            source=create_source(actor, kind="direct", channel="phone"),
            first_name_th="วัดผล",
            last_name_th="ประสิทธิภาพ",
            first_name_en="Benchmark",
            last_name_en="Subject",
            national_id="1101700230708",
            lifecycle_stage="customer",
            tags=[SUBJECT_TAG],
            contacts=ContactDetails(
                emails=["bench.subject@example.co.th"],
                phones=[("mobile", "0819990000")],
                addresses=[{"house_number": "1", "province": "กรุงเทพมหานคร", "postcode": "10200"}],
            ),
        )
        Tag.objects.get_or_create(name=SUBJECT_TAG)
        purposes = list(Purpose.objects.filter(lawful_basis="consent"))
        notice = PrivacyNotice.objects.order_by("effective_at").first()
        start = timezone.now() - timedelta(days=900)
        ConsentEvent.objects.bulk_create(
            [
                ConsentEvent(
                    person=person,
                    purpose=purposes[n % len(purposes)],
                    action="given" if n % 2 == 0 else "withdrawn",
                    notice=notice,
                    wording_hash=wording_hash(f"wording {n}"),
                    wording=f"ยินยอมรับข่าวสาร ครั้งที่ {n}",
                    channel="web_form",
                    occurred_at=start + timedelta(minutes=n),
                    ip_address="203.0.113.7",
                    user_agent="Mozilla/5.0 (bench)",
                )
                for n in range(items)
            ],
            batch_size=2000,
        )
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    kind=AuditEvent.Kind.ACCESS,
                    action="people.detail",
                    actor=actor,
                    channel=AuditEvent.Channel.UI,
                    object_type="people.person",
                    object_id=str(person.pk),
                    details={},
                )
                for _n in range(items)
            ],
            batch_size=2000,
        )
        if apps.is_installed("connexion.sales"):
            from connexion.sales.models import Activity

            Activity.objects.bulk_create(
                [
                    Activity(
                        kind="call",
                        subject=f"โทรติดตาม {n}",
                        body="ลูกค้าสอบถามราคา",
                        occurred_at=start + timedelta(hours=n),
                        person=person,
                        created_by=actor,
                    )
                    for n in range(items)
                ],
                batch_size=2000,
            )
    return person


# --- measurements ---------------------------------------------------------------------


def timed(runs: int, work: Callable[[], Any], after: Callable[[Any], None] | None = None):
    seconds = []
    for _run in range(runs):
        start = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - start)
        if after is not None:
            after(result)
    return seconds


def measure_export(person: Any, runs: int) -> list[float]:
    from connexion.privacy.engines.export import build_export

    actor = officer()

    def drop(export: Any) -> None:
        export.file.delete(save=False)
        export.delete()

    return timed(runs, lambda: build_export(person, language="th", actor=actor), drop)


class Rollback(Exception):
    pass


def in_rollback(prepare: Callable[[], Any], work: Callable[[Any], Any]) -> tuple[float, Any]:
    """Runs `work` (timed) after `prepare` (not timed) in a transaction rolled back."""
    from django.db import transaction

    outcome: dict[str, Any] = {}
    try:
        with transaction.atomic():
            state = prepare()
            start = time.perf_counter()
            outcome["result"] = work(state)
            outcome["seconds"] = time.perf_counter() - start
            raise Rollback
    except Rollback:
        pass
    return outcome["seconds"], outcome["result"]


def measure_erasure(person: Any, runs: int) -> list[float]:
    from connexion.privacy.engines.erasure import erase_person

    actor = officer()
    seconds = []
    for _run in range(runs):
        elapsed, record = in_rollback(lambda: None, lambda _s: erase_person(person, actor=actor))
        assert record.tables["privacy.consentevent"]["deleted"] > 0
        seconds.append(elapsed)
    return seconds


def _prepare_retention(people: int) -> dict[str, Any]:
    """Exactly `people` prospects idle for more than 24 months, with the data
    such people have; the default rule alone in force."""
    from django.apps import apps
    from django.db import connection
    from django.utils import timezone

    from connexion.people.models import Person
    from connexion.privacy.engines.retention import months_before, recent_events, rule_candidates
    from connexion.privacy.models import PrivacyNotice, Purpose, RetentionRule

    RetentionRule.objects.update(is_active=False)
    rule = RetentionRule.objects.get(name_en="Prospects with no activity for 24 months")
    RetentionRule.objects.filter(pk=rule.pk).update(is_active=True)
    rule.refresh_from_db()
    old = timezone.now() - timedelta(days=800)
    cutoff = months_before(timezone.now(), 24)
    with connection.cursor() as cursor:
        # `people` records with no sales activity and no consent for 24 months become
        # prospects idle for 26 months; every other prospect was active today.
        quiet = (
            Person.objects.filter(anonymized_at__isnull=True, merged_into__isnull=True)
            .exclude(recent_events(cutoff))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        ids = list(quiet[:people])
        cursor.execute(
            "UPDATE people_person SET lifecycle_stage = 'prospect', updated_at = %s"
            " WHERE id = ANY(%s)",
            [old, ids],
        )
        cursor.execute(
            # NOT IN a subquery is hashed; NOT (id = ANY(array)) scans the array per row.
            "UPDATE people_person SET updated_at = %s WHERE lifecycle_stage = 'prospect'"
            " AND id NOT IN (SELECT unnest(%s::bigint[]))",
            [timezone.now(), ids],
        )
        # What such people have: their creation and a page view in the audit log.
        cursor.execute(
            "INSERT INTO audit_auditevent (kind, action, channel, object_type, object_id,"
            " details, occurred_at, user_agent) SELECT 'change', 'people.create_person', 'ui',"
            " 'people.person', p.id::text, jsonb_build_object('first_name_th',"
            " jsonb_build_array(NULL, p.first_name_th), 'first_name_en',"
            " jsonb_build_array(NULL, p.first_name_en)), %s, ''"
            " FROM people_person p WHERE p.id = ANY(%s)",
            [old, ids],
        )
        cursor.execute(
            "INSERT INTO audit_auditevent (kind, action, channel, object_type, object_id,"
            " details, occurred_at, user_agent) SELECT 'access', 'people.detail', 'ui',"
            " 'people.person', p.id::text, '{}'::jsonb, %s, '' FROM people_person p"
            " WHERE p.id = ANY(%s)",
            [old, ids],
        )
        # A tenth gave a consent long ago (kept deleted), a tenth has a deal (kept anonymized).
        purpose = Purpose.objects.get(code="direct-marketing")
        notice = PrivacyNotice.objects.order_by("effective_at").first()
        cursor.execute(
            "INSERT INTO privacy_consentevent (person_id, purpose_id, action, notice_id,"
            " wording_hash, wording, channel, occurred_at, user_agent, evidence)"
            " SELECT id, %s, 'given', %s, repeat('a', 64), 'ok', 'web_form', %s, '', ''"
            " FROM unnest(%s::bigint[]) AS id",
            [purpose.pk, notice.pk, old, ids[::10]],
        )
        if apps.is_installed("connexion.sales"):
            from connexion.sales.models import Pipeline

            pipeline = Pipeline.objects.get(is_default=True)
            stage = pipeline.stages.order_by("order").first()
            cursor.execute(
                "INSERT INTO sales_deal (title, pipeline_id, stage_id, status, person_id, amount,"
                " currency, amount_thb, lost_reason, stage_changed_at, created_at, updated_at)"
                " SELECT 'ดีลทดสอบ ' || id, %s, %s, 'open', id, 100000, 'THB', 100000, '',"
                " %s, %s, %s FROM unnest(%s::bigint[]) AS id",
                [pipeline.pk, stage.pk, old, old, old, ids[5::10]],
            )
        # The planner's statistics as autovacuum would keep them for such data; ANALYZE
        # in this transaction counts the rows it inserted.
        for table in ANALYZED:
            cursor.execute(f"ANALYZE {table}")
    matched = rule_candidates(rule).count()
    assert matched == people, f"{matched} people match the rule, not {people}"
    return {"rule": rule, "ids": ids}


def measure_retention(people: int, runs: int, batch_size: int) -> tuple[list[float], dict]:
    from connexion.privacy.engines.retention import BATCH_SIZE, run_retention

    batch_size = batch_size or BATCH_SIZE

    seconds = []
    counts: dict[str, Any] = {}
    for _run in range(runs):
        elapsed, run = in_rollback(
            lambda: _prepare_retention(people),
            lambda _state: run_retention(batch_size=batch_size),
        )
        counts = run.counts
        (rule_counts,) = counts.values()
        assert rule_counts["erased"] == people, counts
        seconds.append(elapsed)
    return seconds, counts


# --- report -----------------------------------------------------------------------------


def row(name: str, target: float, seconds: list[float]) -> str:
    median = statistics.median(seconds)
    runs = ", ".join(f"{s:.2f}" for s in seconds)
    met = "yes" if median < target else "no"
    return f"| {name} | {median:.2f} | {runs} | < {target:.0f} s | {met} |"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--retention-people", type=int, default=100_000)
    parser.add_argument("--retention-runs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=0, help="default: the engine's")
    parser.add_argument("--only", default="", help="export, erasure or retention")
    args = parser.parse_args(argv)

    data_dir = tempfile.mkdtemp(prefix="connexion-privacy-bench-")
    setup_django(args.database_url, data_dir)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        # Fresh planner statistics, as autovacuum keeps them in production: other
        # benchmarks fill these tables in bulk.
        for table in ANALYZED:
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("SELECT count(*) FROM people_person")
        people = cursor.fetchone()[0]
    load = os.getloadavg()[0]
    person = subject(args.items)
    lines = [
        f"{people:,} people in the database; the measured person has {args.items:,} consent "
        f"events, {args.items:,} audit access events and {args.items:,} activities. Load "
        f"average at start {load:.1f}.",
        "",
        "| scenario | median s | runs (s) | target | met |",
        "|---|---:|---|---|---|",
    ]
    if args.only in ("", "export"):
        lines.append(row("access export of one person", 2.0, measure_export(person, args.runs)))
    if args.only in ("", "erasure"):
        lines.append(row("erasure of one person", 2.0, measure_erasure(person, args.runs)))
    if args.only in ("", "retention"):
        seconds, counts = measure_retention(
            args.retention_people, args.retention_runs, args.batch_size
        )
        name = f"retention run erasing {args.retention_people:,} people"
        lines.append(row(name, 60.0, seconds))
        lines += ["", f"Counts of the last retention run: {counts}"]
    lines += [
        "",
        f"Load average at the end {os.getloadavg()[0]:.1f}. Command:",
        "",
        "    .venv/bin/python benchmarks/privacy_scale.py " + " ".join(argv or sys.argv[1:]),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
