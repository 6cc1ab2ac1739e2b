"""What the access log adds to a person's page: the detail page of one person
timed with the access-log insert as it is, and the insert alone, on the
PostgreSQL benchmark database (see people_scale.py; run it first).

    .venv/bin/python benchmarks/access_log_cost.py [--requests 300]

Prints the median and p95 of both, in milliseconds."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from people_scale import BENCH_USER, DEFAULT_DATABASE_URL, percentile, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    setup_django(args.database_url, tempfile.mkdtemp())

    from django.test import Client

    from connexion.accounts.models import User
    from connexion.accounts.services import create_staff_user
    from connexion.audit.services import record_access
    from connexion.people.models import Person

    user = User.objects.filter(username=BENCH_USER).first()
    if user is None:
        user, _password = create_staff_user(BENCH_USER, roles=["admin"])
    ids = list(Person.objects.order_by("?").values_list("pk", flat=True)[: args.requests])
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)

    page_ms, insert_ms = [], []
    for pk in ids[:20]:  # warm-up
        client.get(f"/people/{pk}/")
    for pk in ids:
        started = time.perf_counter()
        response = client.get(f"/people/{pk}/")
        page_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (pk, response.status_code, response.get("Location"))
        started = time.perf_counter()
        record_access(user, "bench.read", "people.person", [str(pk)])
        insert_ms.append((time.perf_counter() - started) * 1000)

    print(f"{len(ids)} people, {args.database_url}")
    print("| measure | median ms | p95 ms |\n|---|---|---|")
    for name, values in (
        ("person page (with its access-log entry)", page_ms),
        ("access-log entry alone", insert_ms),
    ):
        print(f"| {name} | {statistics.median(values):.2f} | {percentile(values, 0.95):.2f} |")


if __name__ == "__main__":
    main()
