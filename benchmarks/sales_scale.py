"""Scale benchmark for the kanban board and the deal list.

Loads 300,000 deals (by default) with COPY into the PostgreSQL database that
already holds the people of `people_scale.py`: one pipeline (the default) with
5,000 open deals spread over its open stages and its won and lost history, the
rest in three other pipelines; products on a fifth of the deals and the stage
history of every deal. Then times real requests through Django's test Client,
in process (middleware, view, selectors, templates and the access-log insert
are inside the measured time), several runs, and prints a Markdown table with
the median over the runs of each scenario's p50 and p95.

    .venv/bin/python benchmarks/people_scale.py --only list --requests 5   # people first
    .venv/bin/python benchmarks/sales_scale.py                             # load, then measure
    .venv/bin/python benchmarks/sales_scale.py --skip-generate             # measure again

See benchmarks/README.md and docs/performance.md.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from people_scale import (  # noqa: E402  (the path above first)
    BENCH_USER,
    DEFAULT_DATABASE_URL,
    Scenario,
    _copy,
    _row,
    _ts,
    ensure_database,
    measure,
    percentile,
    staff_users,
)

BOARD_TARGET_MS = 300.0
LIST_TARGET_P95_MS = 100.0
CHUNK = 50_000
# Tables this script fills; deals are deleted, not truncated, because the
# activities of activity_scale.py may refer to them.
DEAL_TABLES = ["sales_deal", "sales_dealproduct", "sales_stagechange"]
OTHER_PIPELINES = [("ต่ออายุสัญญา", "Renewals"), ("พันธมิตร", "Partners"), ("ลูกค้าองค์กร", "Enterprise")]
TITLES = [
    "ระบบ CRM สำหรับฝ่ายขาย",
    "ต่ออายุสัญญาบริการ",
    "ขยายจำนวนผู้ใช้",
    "อบรมพนักงานใหม่",
    "ย้ายข้อมูลจากระบบเดิม",
    "โครงการนำร่องสาขา",
    "CRM roll-out",
    "Support renewal",
]
LOST_REASONS = ["ราคาสูงกว่างบประมาณ", "เลือกผู้ให้บริการรายอื่น", "เลื่อนโครงการ"]
DEAL_COLUMNS = [
    "id",
    "title",
    "status",
    "amount",
    "currency",
    "exchange_rate",
    "amount_thb",
    "expected_close_date",
    "lost_reason",
    "closed_at",
    "stage_changed_at",
    "created_at",
    "updated_at",
    "pipeline_id",
    "stage_id",
    "person_id",
    "organization_id",
    "owner_id",
    "lead_id",
    "created_by_id",
]
LINE_COLUMNS = ["deal_id", "product_id", "quantity", "unit_price"]
CHANGE_COLUMNS = ["deal_id", "from_stage_id", "to_stage_id", "changed_by_id", "changed_at"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--deals", type=int, default=300_000)
    parser.add_argument(
        "--open", type=int, default=5_000, help="open deals of the board's pipeline"
    )
    parser.add_argument(
        "--requests", type=int, default=40, help="timed requests per scenario and run"
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="measurement runs; medians are reported"
    )
    parser.add_argument("--seed", type=int, default=2569)
    parser.add_argument("--skip-generate", action="store_true", help="keep the deals; measure only")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN the slowest query per scenario"
    )
    parser.add_argument("--only", default="", help="run only scenarios whose name contains this")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() once warmed up, as `connexion serve` does after start-up",
    )
    return parser.parse_args(argv)


def setup_django(url: str, data_dir: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["CONNEXION_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connexion.settings")
    import django

    django.setup()


# --- data generation -----------------------------------------------------------


@contextmanager
def _without_indexes(connection: psycopg.Connection, tables: list[str]) -> Iterator[None]:
    """Drops the secondary indexes and the foreign keys of `tables` for the load
    and rebuilds them after it, in the caller's transaction."""
    indexes = connection.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
           FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
           WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
        [tables],
    ).fetchall()
    foreign_keys = connection.execute(
        """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
           FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
           WHERE c.contype = 'f' AND t.relname = ANY(%s)
             AND t.relnamespace = 'public'::regnamespace""",
        [tables],
    ).fetchall()
    for table, name, _definition in foreign_keys:
        connection.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table), sql.Identifier(name)
            )
        )
    for name, _definition in indexes:
        connection.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    yield
    started = time.perf_counter()
    for _name, definition in indexes:
        connection.execute(sql.SQL(definition))  # pg_get_indexdef output, as it was
    for table, name, definition in foreign_keys:
        connection.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
            )
        )
    print(
        f"  {len(indexes)} indexes rebuilt, {len(foreign_keys)} foreign keys validated in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )


def _pipelines() -> list[Any]:
    """The default pipeline (the board measured) and three others."""
    from connexion.sales.models import Pipeline
    from connexion.sales.services import pipelines as pipeline_services

    board = Pipeline.objects.get(is_default=True)
    others = [
        Pipeline.objects.filter(name_en=en).first()
        or pipeline_services.create_pipeline(None, name_th=th, name_en=en)
        for th, en in OTHER_PIPELINES
    ]
    return [board, *others]


def _products(count: int = 50) -> list[tuple[int, int]]:
    from connexion.sales.models import Product
    from connexion.sales.services import products as product_services

    rng = random.Random(count)  # noqa: S311 -- reproducible test data
    existing = set(Product.objects.filter(code__startswith="BENCH-").values_list("code", flat=True))
    for index in range(1, count + 1):
        code = f"BENCH-{index:03d}"
        price = rng.randrange(500, 200_000) * 100
        if code not in existing:
            product_services.create_product(
                None, code=code, name_th=f"สินค้า {code}", name_en=f"Product {code}", price=price
            )
    return list(Product.objects.filter(code__startswith="BENCH-").values_list("id", "price"))


def _amount(rng: random.Random) -> int:
    # Log-uniform between ฿5,000 and ฿5,000,000, in satang.
    return int(10 ** rng.uniform(5.7, 8.7)) // 100 * 100 + rng.choice([0, 0, 0, 50])


def generate(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)  # noqa: S311 -- reproducible test data, not secrets
    owners = [pk for name, pk in staff_users().items() if name != BENCH_USER]
    pipelines = _pipelines()
    stages = {
        p.pk: [(s.pk, s.is_won, s.is_lost, s.probability) for s in p.stages.all()]
        for p in pipelines
    }
    products = _products()
    board = pipelines[0]
    today = date.today()
    now = datetime.now(UTC)
    began = time.perf_counter()
    with psycopg.connect(args.database_url) as connection:
        people = connection.execute("SELECT max(id) FROM people_person").fetchone()[0] or 0
        organizations = connection.execute("SELECT max(id) FROM people_organization").fetchone()[0]
        if people < 1000:
            raise SystemExit("load the people first: benchmarks/people_scale.py")
        referenced = connection.execute(
            "SELECT (SELECT count(*) FROM sales_activity WHERE deal_id IS NOT NULL)"
            " + (SELECT count(*) FROM sales_task WHERE deal_id IS NOT NULL)"
            " + (SELECT count(*) FROM sales_note WHERE deal_id IS NOT NULL)"
            " + (SELECT count(*) FROM sales_lead WHERE converted_deal_id IS NOT NULL)"
        ).fetchone()[0]
        if referenced:
            raise SystemExit(
                f"{referenced:,} activities, tasks, notes or leads refer to the deals there: "
                "regenerating would break them. Use --skip-generate."
            )
        print(f"generating {args.deals:,} deals ({args.open:,} open on the board)", flush=True)
        connection.execute("SET maintenance_work_mem = '1GB'")
        connection.execute("SET synchronous_commit = off")
        with connection.transaction():
            connection.execute("TRUNCATE sales_dealproduct, sales_stagechange")
            connection.execute("DELETE FROM sales_deal")
            with _without_indexes(connection, DEAL_TABLES):
                deals, lines, changes = io.StringIO(), io.StringIO(), io.StringIO()
                open_stages = [s for s in stages[board.pk] if not (s[1] or s[2])]
                won = next(s for s in stages[board.pk] if s[1])
                lost = next(s for s in stages[board.pk] if s[2])
                board_closed = min(args.deals // 3, 95_000)
                for deal_id in range(1, args.deals + 1):
                    if deal_id <= args.open:
                        pipeline, stage = (
                            board.pk,
                            open_stages[min(int(rng.expovariate(1.1)), len(open_stages) - 1)],
                        )
                    elif deal_id <= args.open + board_closed:
                        pipeline, stage = board.pk, won if rng.random() < 0.42 else lost
                    else:
                        pipeline = rng.choice(pipelines[1:]).pk
                        choices = stages[pipeline]
                        stage = (
                            rng.choice(choices)
                            if rng.random() < 0.3
                            else rng.choice([s for s in choices if s[1] or s[2]])
                        )
                    stage_id, is_won, is_lost, _probability = stage
                    status = "won" if is_won else "lost" if is_lost else "open"
                    created = now - timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
                    moved = created + (now - created) * rng.random() * 0.6
                    updated = moved + (now - moved) * rng.random()
                    currency, rate = (
                        ("USD", Decimal("35.4200")) if rng.random() < 0.05 else ("THB", None)
                    )
                    deal_lines = []
                    if rng.random() < 0.2:
                        for product_id, price in rng.sample(products, rng.randrange(1, 4)):
                            deal_lines.append((product_id, rng.randrange(1, 10), price))
                        currency, rate = "THB", None
                        amount = sum(q * p for _p, q, p in deal_lines)
                    else:
                        amount = _amount(rng)
                    amount_thb = (
                        amount
                        if rate is None
                        else int((Decimal(amount) * rate).quantize(Decimal(1), ROUND_HALF_UP))
                    )
                    close = today + timedelta(days=rng.randrange(-365, 365))
                    deals.write(
                        _row(
                            [
                                deal_id,
                                rng.choice(TITLES),
                                status,
                                amount,
                                currency,
                                rate,
                                amount_thb,
                                None if rng.random() < 0.1 else close.isoformat(),
                                rng.choice(LOST_REASONS) if is_lost else "",
                                _ts(moved) if status != "open" else None,
                                _ts(moved),
                                _ts(created),
                                _ts(updated),
                                pipeline,
                                stage_id,
                                rng.randrange(1, people + 1) if rng.random() < 0.85 else None,
                                rng.randrange(1, organizations + 1)
                                if organizations and rng.random() < 0.3
                                else None,
                                rng.choice(owners),
                                None,
                                rng.choice(owners),
                            ]
                        )
                    )
                    for product_id, quantity, price in deal_lines:
                        lines.write(_row([deal_id, product_id, quantity, price]))
                    first = stages[pipeline][0][0]
                    changes.write(_row([deal_id, None, first, rng.choice(owners), _ts(created)]))
                    if stage_id != first:
                        changes.write(
                            _row([deal_id, first, stage_id, rng.choice(owners), _ts(moved)])
                        )
                    if deal_id % CHUNK == 0 or deal_id == args.deals:
                        _copy(connection, "sales_deal", DEAL_COLUMNS, deals.getvalue())
                        _copy(connection, "sales_dealproduct", LINE_COLUMNS, lines.getvalue())
                        _copy(connection, "sales_stagechange", CHANGE_COLUMNS, changes.getvalue())
                        deals, lines, changes = io.StringIO(), io.StringIO(), io.StringIO()
                        rate_per_s = deal_id / (time.perf_counter() - began)
                        print(
                            f"  deals {deal_id:,}/{args.deals:,} ({rate_per_s:,.0f}/s)", flush=True
                        )
        for table in DEAL_TABLES:
            connection.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({}, 'id'), "
                    "(SELECT coalesce(max(id), 0) + 1 FROM {}), false)"
                ).format(sql.Literal(table), sql.Identifier(table))
            )
        connection.commit()
        connection.autocommit = True
        for table in DEAL_TABLES:
            connection.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))
    from connexion.sales.services.deals import rebuild_stage_totals

    rebuild_stage_totals()  # the COPY went past the services that keep them
    print(f"generated in {time.perf_counter() - began:.0f} s", flush=True)


def check_generated(args: argparse.Namespace) -> None:
    """The loaded deals obey what the services would have enforced."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FILTER (WHERE s.pipeline_id <> d.pipeline_id),
                      count(*) FILTER (WHERE d.status = 'lost' AND d.lost_reason = ''),
                      count(*) FILTER (WHERE d.currency = 'THB' AND d.amount <> d.amount_thb),
                      count(*) FILTER (WHERE d.status = 'open' AND d.pipeline_id = %s)
               FROM sales_deal d JOIN sales_stage s ON s.id = d.stage_id""",
            [_pipelines()[0].pk],
        )
        mismatched, unexplained, thb, board_open = cursor.fetchone()
    assert (mismatched, unexplained, thb) == (0, 0, 0), (mismatched, unexplained, thb)
    assert board_open == args.open, board_open
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM sales_stagetotal t FULL JOIN (
                   SELECT stage_id, count(*) AS n, sum(amount_thb) AS total
                   FROM sales_deal GROUP BY stage_id) d ON d.stage_id = t.stage_id
               WHERE coalesce(t.deal_count, 0) <> coalesce(d.n, 0)
                  OR coalesce(t.amount_thb, 0) <> coalesce(d.total, 0)"""
        )
        assert cursor.fetchone()[0] == 0, "stage totals out of step: rebuild_stage_totals()"


# --- measurement -----------------------------------------------------------------


def build_scenarios(args: argparse.Namespace) -> list[Scenario]:
    from django.db import connection

    from connexion.lib.cursors import encode_cursor

    board = _pipelines()[0]
    owners = [pk for name, pk in staff_users().items() if name != BENCH_USER]
    rng = random.Random(args.seed + 7)  # noqa: S311
    n = args.requests + 5
    card = r'class="deal-card"'
    row = r'href="/sales/deals/\d+/"'
    with connection.cursor() as cursor:
        # Cursors 50 pages deep into the open deals, most recently changed first.
        cursor.execute(
            "SELECT updated_at, id FROM sales_deal WHERE status = 'open' "
            "ORDER BY updated_at DESC, id DESC OFFSET 2450 LIMIT 20"
        )
        deep = [encode_cursor(value, pk) for value, pk in cursor.fetchall()]
        cursor.execute("SELECT id FROM sales_deal ORDER BY random() LIMIT %s", [n])
        deal_ids = [pk for (pk,) in cursor.fetchall()]
        cursor.execute(
            "SELECT id FROM sales_stage WHERE pipeline_id = %s AND NOT is_won AND NOT is_lost",
            [board.pk],
        )
        open_stages = [pk for (pk,) in cursor.fetchall()]
    today = date.today()

    def months() -> dict[str, str]:
        start = today + timedelta(days=rng.randrange(-60, 120))
        return {
            "close_from": start.isoformat(),
            "close_to": (start + timedelta(days=30)).isoformat(),
        }

    scenarios = [
        Scenario(
            f"kanban board, {args.open:,} open deals", [(f"/sales/board/{board.pk}/", {}, card)] * n
        ),
        Scenario(
            "kanban board, one owner's deals",
            [
                (f"/sales/board/{board.pk}/", {"owner": str(rng.choice(owners))}, None)
                for _ in range(n)
            ],
        ),
        Scenario("deal list, open deals (default)", [("/sales/", {}, row)] * n),
        Scenario(
            "deal list, all deals by amount",
            [("/sales/", {"status": "", "sort": "amount"}, row)] * n,
        ),
        Scenario(
            "deal list, pipeline + stage + 30-day close range",
            [
                (
                    "/sales/",
                    {"pipeline": str(board.pk), "stage": str(rng.choice(open_stages)), **months()},
                    None,
                )
                for _ in range(n)
            ],
        ),
        Scenario(
            "deal list, owner + amount range",
            [
                (
                    "/sales/",
                    {
                        "status": "",
                        "owner": str(rng.choice(owners)),
                        "amount_min": "100000",
                        "amount_max": "500000",
                    },
                    row,
                )
                for _ in range(n)
            ],
        ),
        Scenario(
            "deal list, 50 pages deep by cursor",
            [("/sales/", {"cursor": rng.choice(deep)}, row) for _ in range(n)],
        ),
        Scenario("deal page", [(f"/sales/deals/{pk}/", {}, None) for pk in deal_ids]),
    ]
    return [s for s in scenarios if args.only.lower() in s.name.lower()]


def report(
    args: argparse.Namespace, runs: list[list[Scenario]], command: str, load: tuple[float, float]
) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM people_person), (SELECT count(*) FROM sales_deal), "
            "(SELECT count(*) FROM sales_activity), "
            "pg_size_pretty(pg_database_size(current_database())), "
            "current_setting('server_version'), current_setting('shared_buffers')"
        )
        people, deals, activities, size, version, buffers = cursor.fetchone()
    lines = [
        f"Data: {people:,} people, {deals:,} deals, {activities:,} activities ({size} database); "
        f"PostgreSQL {version.split()[0]}, shared_buffers {buffers}; {os.cpu_count()} CPUs, "
        f"1-minute load average {load[0]:.1f} to {load[1]:.1f} while measuring (other work "
        "on the machine). "
        f"{len(runs)} runs of {args.requests} timed requests per scenario (after warm-up "
        "requests); the figures are the median over the runs. Server time = Django test "
        "Client in process, signed in as an admin; SQL = time inside database calls."
        + (" Objects frozen with gc.freeze() after warm-up." if args.gc_freeze else ""),
        "",
        "| scenario | p50 ms | p95 ms | max ms | SQL p50 | queries | target | met |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for index, first in enumerate(runs[0]):
        same = [run[index] for run in runs]
        p50 = statistics.median(statistics.median(s.timings) for s in same)
        p95 = statistics.median(percentile(s.timings, 0.95) for s in same)
        top = max(max(s.timings) for s in same)
        sql_p50 = statistics.median(statistics.median(s.sql_ms) for s in same)
        board = first.name.startswith("kanban")
        target = BOARD_TARGET_MS if board else LIST_TARGET_P95_MS
        met = "yes" if p95 < target else f"no (+{p95 - target:.0f} ms)"
        lines.append(
            f"| {first.name} | {p50:.1f} | {p95:.1f} | {top:.1f} | {sql_p50:.1f} | "
            f"{first.queries} | p95 < {target:.0f} ms | {met} |"
        )
    lines += ["", "Command:", "", f"    {command}", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    command = " ".join(
        shlex.quote(part)
        for part in [
            ".venv/bin/python",
            "benchmarks/sales_scale.py",
            "--database-url",
            args.database_url,
            "--deals",
            str(args.deals),
            "--open",
            str(args.open),
            "--requests",
            str(args.requests),
            "--runs",
            str(args.runs),
            *(["--skip-generate"] if args.skip_generate else []),
            *(["--only", args.only] if args.only else []),
            *(["--gc-freeze"] if args.gc_freeze else []),
        ]
    )
    ensure_database(args.database_url)
    data_dir = tempfile.mkdtemp(prefix="connexion-bench-")
    try:
        setup_django(args.database_url, data_dir)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        staff_users()
        if not args.skip_generate:
            generate(args)
        check_generated(args)
        runs, loads = [], []
        for run in range(args.runs):
            print(f"run {run + 1}/{args.runs}", flush=True)
            scenarios = build_scenarios(args)
            loads.extend(measure(scenarios, args.explain and run == 0, args.gc_freeze and run == 0))
            runs.append(scenarios)
        print()
        print(report(args, runs, command, (min(loads), max(loads))))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
