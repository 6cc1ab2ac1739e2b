"""What record-level visibility costs on the people list at 1,000,000 people:
the same requests as an admin (all records) and as a sales user who sees their
team's and the unowned records (accounts.visibility), on the PostgreSQL
benchmark database (see people_scale.py; run it first: twenty sales users own
70% of the people, the rest have no owner).

    .venv/bin/python benchmarks/visibility_cost.py [--requests 100]

Prints the median and p95 per scenario and user, in milliseconds."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from people_scale import BENCH_USER, DEFAULT_DATABASE_URL, percentile, setup_django, staff_users

TEAM = "bench-team"
SEARCHES = ["สม", "wong", "kan", "ชัย", "noi", "sri"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    setup_django(args.database_url, tempfile.mkdtemp())

    from django.test import Client

    from connexion.accounts.models import Team, User

    staff_users()
    team, _created = Team.objects.get_or_create(name=TEAM)
    # Five of the twenty sales staff share a team: a quarter of the owned people.
    team.members.set(User.objects.filter(username__in=[f"bench-sales{i}" for i in range(1, 6)]))

    scenarios = {
        "list, first page": lambda n: ("/people/", {}),
        "list, sorted by name": lambda n: ("/people/", {"sort": "name_en"}),
        "search by a name part": lambda n: ("/people/", {"q": SEARCHES[n % len(SEARCHES)]}),
        "lookup box (10 results)": lambda n: (
            "/people/lookup/",
            {"field": "q", "q": SEARCHES[n % len(SEARCHES)]},
        ),
    }
    print(f"| scenario | user | median ms | p95 ms | ({args.requests} requests each) |")
    print("|---|---|---:|---:|---|")
    for name, make in scenarios.items():
        for username in (BENCH_USER, "bench-sales1"):
            client = Client(HTTP_HOST="localhost")
            client.force_login(User.objects.get(username=username))
            for n in range(5):  # warm-up
                client.get(*make(n))
            timings = []
            for n in range(args.requests):
                started = time.perf_counter()
                response = client.get(*make(n))
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (name, response.status_code)
            role = "admin (all)" if username == BENCH_USER else "sales (team)"
            print(
                f"| {name} | {role} | {statistics.median(timings):.1f} "
                f"| {percentile(timings, 0.95):.1f} | |"
            )


if __name__ == "__main__":
    main()
