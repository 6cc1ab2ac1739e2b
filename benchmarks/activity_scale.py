"""Scale benchmark for the timeline (activities, notes, tasks, emails …).

Loads 3,000,000 activities with COPY into a dedicated PostgreSQL database that
already holds the people of `people_scale.py` (1,000,000 people), most spread
over everyone and a few thousand on one "heavy" person, who also gets notes,
tasks and sent emails. Then times real requests through Django's test Client,
in process (middleware, view, the timeline's queries, templates and the
access-log insert are all inside the measured time), several runs, and prints
a Markdown table with the median over the runs of each scenario's p50 and p95.

    .venv/bin/python benchmarks/people_scale.py --only list --requests 5   # people first
    .venv/bin/python benchmarks/activity_scale.py                          # load, then measure
    .venv/bin/python benchmarks/activity_scale.py --skip-generate          # measure again

See benchmarks/README.md and docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/connexion_bench"
TARGET_P95_MS = 100.0
WARM_UP = 5
BENCH_USER = "bench-activities"
STAFF = 20
KINDS = ["call", "meeting", "email", "chat", "visit", "note"]
SUBJECTS = [
    "สอบถามราคาแพ็กเกจรายปี",
    "นำเสนอระบบที่สำนักงานลูกค้า",
    "ติดตามใบเสนอราคา",
    "Follow-up on the proposal",
    "ตอบคำถามทาง LINE",
    "Quarterly visit",
]
# Tables of the activities this script replaces; nothing else is truncated.
ACTIVITY_TABLES = [
    "sales_activity",
    "sales_activity_participants",
    "sales_activity_staff_participants",
]


@dataclass
class Scenario:
    name: str
    requests: list[tuple[str, dict[str, str], dict[str, str]]]  # path, params, headers
    runs: list[list[float]] = field(default_factory=list)
    queries: int = 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--activities", type=int, default=3_000_000)
    parser.add_argument("--heavy", type=int, default=5_000, help="activities of the heavy person")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per scenario")
    parser.add_argument("--runs", type=int, default=3, help="measurement runs (median reported)")
    parser.add_argument("--seed", type=int, default=2569)
    parser.add_argument("--skip-generate", action="store_true")
    return parser.parse_args(argv)


def setup_django(url: str, data_dir: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["CONNEXION_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connexion.settings")
    import django

    django.setup()


def staff_ids() -> list[int]:
    from connexion.accounts.models import User
    from connexion.accounts.services import create_staff_user

    ids = []
    for index in range(STAFF):
        name = f"bench-staff-{index:02d}"
        user = User.objects.filter(username=name).first()
        if user is None:
            user, _password = create_staff_user(name, roles=["sales"], first_name=f"Staff {index}")
        ids.append(user.pk)
    if not User.objects.filter(username=BENCH_USER).exists():
        create_staff_user(BENCH_USER, roles=["admin"], email="bench@example.co.th")
    return ids


def heavy_person_id(connection: psycopg.Connection) -> int:
    """The person with the most activities, or else the first person."""
    row = connection.execute(
        "SELECT person_id FROM sales_activity WHERE person_id IS NOT NULL "
        "GROUP BY person_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    if row:
        return row[0]
    return connection.execute("SELECT min(id) FROM people_person").fetchone()[0]


# --- generation ---------------------------------------------------------------


def _definitions(connection: psycopg.Connection, table: str) -> tuple[list[str], list[str]]:
    """The CREATE INDEX and ADD CONSTRAINT … FOREIGN KEY statements of a table."""
    indexes = [
        row[0]
        for row in connection.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
    ]
    foreign = [
        f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
        for name, definition in connection.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
    ]
    return indexes, foreign


def generate(args: argparse.Namespace, staff: list[int]) -> None:
    rng = random.Random(args.seed)  # noqa: S311
    began = time.perf_counter()
    now = datetime.now(UTC)
    start = now - timedelta(days=3 * 365)
    span = int((now - start).total_seconds())
    with psycopg.connect(args.database_url) as connection:
        if "bench" not in connection.info.dbname:
            raise SystemExit("use a database whose name contains 'bench'")
        people = connection.execute("SELECT min(id), max(id), count(*) FROM people_person")
        low, high, count = people.fetchone()
        if not count:
            raise SystemExit("no people: run benchmarks/people_scale.py first")
        heavy = low
        print(f"loading {args.activities:,} activities ({args.heavy:,} on person {heavy})")
        connection.execute("SET maintenance_work_mem = '1GB'")
        connection.execute("SET synchronous_commit = off")
        saved = {table: _definitions(connection, table) for table in ACTIVITY_TABLES}
        with connection.transaction():
            connection.execute(
                sql.SQL("TRUNCATE {} RESTART IDENTITY").format(
                    sql.SQL(", ").join(map(sql.Identifier, ACTIVITY_TABLES))
                )
            )
            for table, (indexes, foreign) in saved.items():
                for statement in foreign:
                    name = statement.split(" ADD CONSTRAINT ")[1].split(" ")[0]
                    connection.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
                for statement in indexes:
                    name = statement.split(" INDEX ")[1].split(" ON ")[0]
                    connection.execute(f"DROP INDEX {name}")
            columns = (
                "id, kind, subject, body, occurred_at, duration_minutes, outcome, person_id, "
                "created_by_id, created_at"
            )
            participants = []
            with connection.cursor().copy(f"COPY sales_activity ({columns}) FROM STDIN") as copy:
                for pk in range(1, args.activities + 1):
                    person = heavy if pk <= args.heavy else rng.randint(low, high)
                    at = start + timedelta(seconds=rng.randrange(span))
                    copy.write_row(
                        (
                            pk,
                            rng.choice(KINDS),
                            rng.choice(SUBJECTS),
                            "",
                            at,
                            rng.choice((None, 5, 15, 30, 60)),
                            "",
                            person,
                            rng.choice(staff),
                            at,
                        )
                    )
                    if pk <= args.heavy and pk % 10 == 0:
                        participants.append((pk, rng.randint(low, high)))
                    if pk % 500_000 == 0:
                        print(f"  {pk:,} rows in {time.perf_counter() - began:.0f} s", flush=True)
            with connection.cursor().copy(
                "COPY sales_activity_participants (activity_id, person_id) FROM STDIN"
            ) as copy:
                for row in participants:
                    copy.write_row(row)
            with connection.cursor().copy(
                "COPY sales_activity_staff_participants (activity_id, user_id) FROM STDIN"
            ) as copy:
                for pk in range(10, args.heavy + 1, 10):
                    copy.write_row((pk, rng.choice(staff)))
            print(f"  rows in {time.perf_counter() - began:.0f} s; rebuilding indexes", flush=True)
            for indexes, foreign in saved.values():
                for statement in [*indexes, *foreign]:
                    connection.execute(statement)
            # The heavy person's other kinds: notes, tasks and sent emails.
            connection.execute("DELETE FROM sales_note WHERE person_id = %s", [heavy])
            connection.execute("DELETE FROM sales_task WHERE person_id = %s", [heavy])
            connection.execute("DELETE FROM comms_outgoingemail WHERE person_id = %s", [heavy])
            purpose = connection.execute(
                "SELECT id FROM privacy_purpose WHERE code = 'product-contact'"
            ).fetchone()[0]
            with connection.cursor().copy(
                "COPY sales_note (body_html, person_id, author_id, created_at, updated_at) "
                "FROM STDIN"
            ) as copy:
                for index in range(1_000):
                    at = start + timedelta(seconds=rng.randrange(span))
                    copy.write_row((f"<p>บันทึก {index}</p>", heavy, rng.choice(staff), at, at))
            with connection.cursor().copy(
                "COPY sales_task (title, description, priority, person_id, assignee_id, "
                "created_by_id, created_at, updated_at, due_at) FROM STDIN"
            ) as copy:
                for index in range(500):
                    at = start + timedelta(seconds=rng.randrange(span))
                    copy.write_row(
                        (f"งาน {index}", "", "normal", heavy, rng.choice(staff),
                         rng.choice(staff), at, at, at + timedelta(days=3))
                    )  # fmt: skip
            with connection.cursor().copy(
                "COPY comms_outgoingemail (person_id, to_address, purpose_id, language, "
                "subject, body, sent_by_id, sent_at, status, error, message_id) FROM STDIN"
            ) as copy:
                for index in range(500):
                    at = start + timedelta(seconds=rng.randrange(span))
                    copy.write_row(
                        (heavy, "heavy@example.co.th", purpose, "th", f"ข้อเสนอ {index}", "...",
                         rng.choice(staff), at, "sent", "", "")
                    )  # fmt: skip
        connection.execute(
            "SELECT setval(pg_get_serial_sequence('sales_activity', 'id'), "
            "(SELECT coalesce(max(id), 0) + 1 FROM sales_activity), false)"
        )
        connection.commit()
        connection.autocommit = True
        for table in [*ACTIVITY_TABLES, "sales_note", "sales_task", "comms_outgoingemail"]:
            connection.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))
    print(f"generated in {time.perf_counter() - began:.0f} s", flush=True)


# --- measuring ----------------------------------------------------------------


def build_scenarios(args: argparse.Namespace, heavy: int) -> list[Scenario]:
    from django.contrib.auth import get_user_model

    from connexion.people.models import Person
    from connexion.sales.activities.timeline import timeline_page

    rng = random.Random(args.seed + 7)  # noqa: S311
    total = args.requests + WARM_UP
    htmx = {"HTTP_HX_REQUEST": "true"}
    url = f"/sales/timeline/person/{heavy}/"
    # Cursors of pages deep in the heavy person's timeline, found by walking it.
    viewer = get_user_model().objects.get(username=BENCH_USER)
    person = Person.objects.get(pk=heavy)
    cursors, cursor = [], None
    for _ in range(120):
        page = timeline_page(viewer, "person", person, cursor=cursor)
        cursor = page.next_cursor
        if cursor is None:
            break
        cursors.append(cursor)
    deep = cursors[40:] or cursors
    high = Person.objects.order_by("-id").values_list("id", flat=True).first()
    low = Person.objects.order_by("id").values_list("id", flat=True).first()
    return [
        Scenario("timeline, heavy person, first page", [(url, {}, htmx)] * total),
        Scenario(
            "timeline, heavy person, 40-120 pages deep",
            [(url, {"cursor": rng.choice(deep)}, htmx) for _ in range(total)],
        ),
        Scenario("timeline, heavy person, notes only", [(url, {"kind": "note"}, htmx)] * total),
        Scenario(
            "timeline, random person, first page",
            [(f"/sales/timeline/person/{rng.randint(low, high)}/", {}, htmx) for _ in range(total)],
        ),
        Scenario(
            # The whole page holds other areas' panels too: a few requests, for information.
            "person page of the heavy person (whole page, for information)",
            [(f"/people/{heavy}/", {}, {})] * (WARM_UP + 10),
        ),
        Scenario("sales dashboard", [("/sales/dashboard/", {}, {})] * total),
    ]


def measure(scenarios: list[Scenario], runs: int) -> None:
    from django.db import connection
    from django.test import Client

    from connexion.accounts.models import User

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=BENCH_USER))
    for run in range(runs):
        for scenario in scenarios:
            print(f"run {run + 1}: {scenario.name}", flush=True)
            timings = []
            for index, (path, params, headers) in enumerate(scenario.requests):
                t0 = time.perf_counter()
                response = client.get(path, params, **headers)
                elapsed = (time.perf_counter() - t0) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{scenario.name}: {path} -> {response.status_code}")
                if index >= WARM_UP:
                    timings.append(elapsed)
            scenario.runs.append(timings)
            path, params, headers = scenario.requests[-1]
            executed: list[str] = []

            def count(execute: Any, query: str, *rest: Any, executed: list[str] = executed) -> Any:
                executed.append(query)
                return execute(query, *rest)

            with connection.execute_wrapper(count):
                client.get(path, params, **headers)
            scenario.queries = len(executed)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report(args: argparse.Namespace, scenarios: list[Scenario], heavy: int, command: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM people_person), (SELECT count(*) FROM sales_activity), "
            "(SELECT count(*) FROM sales_activity WHERE person_id = %s), "
            "pg_size_pretty(pg_database_size(current_database())), "
            "current_setting('server_version')",
            [heavy],
        )
        people, activities, heavy_count, size, version = cursor.fetchone()
    lines = [
        f"Data: {people:,} people, {activities:,} activities ({heavy_count:,} on the heavy "
        f"person, plus 1,000 notes, 500 tasks and 500 emails); {size} database; PostgreSQL "
        f"{version.split()[0]}; {os.cpu_count()} CPUs. {args.requests} timed requests per "
        f"scenario after {WARM_UP} warm-up ones, {args.runs} runs; the figures are the median "
        "over the runs. Server time = Django test Client in process.",
        "",
        "| scenario | p50 ms | p95 ms | p95 of each run | queries | target met |",
        "|---|---:|---:|---|---:|---|",
    ]
    for s in scenarios:
        p50 = statistics.median(statistics.median(run) for run in s.runs)
        p95s = [percentile(run, 0.95) for run in s.runs]
        p95 = statistics.median(p95s)
        met = "yes" if p95 < TARGET_P95_MS else f"no (+{p95 - TARGET_P95_MS:.0f} ms)"
        each = ", ".join(f"{value:.1f}" for value in p95s)
        lines.append(f"| {s.name} | {p50:.1f} | {p95:.1f} | {each} | {s.queries} | {met} |")
    lines += ["", f"Target: p95 < {TARGET_P95_MS:.0f} ms. Command:", "", f"    {command}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    command = " ".join(
        shlex.quote(part)
        for part in [
            ".venv/bin/python", "benchmarks/activity_scale.py",
            "--database-url", args.database_url, "--activities", str(args.activities),
            "--heavy", str(args.heavy), "--requests", str(args.requests),
            "--runs", str(args.runs), *(["--skip-generate"] if args.skip_generate else []),
        ]
    )  # fmt: skip
    data_dir = tempfile.mkdtemp(prefix="connexion-bench-")
    try:
        setup_django(args.database_url, data_dir)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        staff = staff_ids()
        if not args.skip_generate:
            generate(args, staff)
        with psycopg.connect(args.database_url) as connection:
            heavy = heavy_person_id(connection)
        scenarios = build_scenarios(args, heavy)
        measure(scenarios, args.runs)
        print()
        print(report(args, scenarios, heavy, command))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
