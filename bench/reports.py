#!/usr/bin/env python
"""How fast are the branch admin's reports on a big history, and do their queries stay few?

Not a test: run it on purpose and read the figures.

    .venv/bin/python bench/reports.py                       # SQLite, bench/out/reports.sqlite3
    .venv/bin/python bench/reports.py --referrals 100000    # a smaller history
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reports \\
        .venv/bin/python bench/reports.py                   # PostgreSQL (created if missing)

What it does: migrates the database, then makes sure two branches have history written by
`seed_history` over two years: `demo` with at least --referrals referrals (and their visits,
tickets, sales and follow-ups) and `small` with at least 10,000. What is already there is reused,
so only the first run pays for the seeding. Then, for each branch and each period (today, this
week, this month, the last 30 days, the last 365 days), it runs every report builder three times
(the year once) and prints the median wall-clock time, the CPU time of this process (the database
work of SQLite runs in it; PostgreSQL's does not) and the number of queries. It ends with:

    reports_bench db=<sqlite|postgresql> referrals=<n> worst_ms=<slowest report> \\
        queries_small=<count at 10k> queries_large=<count at n>

worst_ms is the slowest report's median over the periods up to 30 days on the big branch (the
year is printed for reference); the query counts are all reports of one page summed, for the
last 30 days, on the small and on the big branch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_SQLITE = ROOT / "bench" / "out" / "reports.sqlite3"
# Referrals per day's visit as seed_history writes them (weekends are quieter).
REFERRALS_PER_VISIT = 0.33
DAYS = 730
# Transaction control around a PostgreSQL statement (work_mem), not a query for data.
HOUSEKEEPING = (
    "SAVEPOINT",
    "RELEASE SAVEPOINT",
    "ROLLBACK TO SAVEPOINT",
    "SET LOCAL",
    "BEGIN",
    "COMMIT",
)


def ensure_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup(url: str | None) -> None:
    if url and url.startswith("postgres"):
        ensure_postgres_database(url)
    if not url:
        DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DEFAULT_SQLITE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lobby.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ensure_history(code: str, referrals: int) -> int:
    from referrals.models import Referral
    from referrals.reports.history import progress_bar, seed_history

    have = Referral.objects.filter(branch__code=code).count()
    if have < referrals:
        missing = referrals - have
        per_day = max(1, round(missing / (DAYS * REFERRALS_PER_VISIT)))
        print(f"seeding branch {code!r}: {missing:,} more referrals wanted", file=sys.stderr)
        seed_history(
            days=DAYS,
            visits_per_day=per_day,
            branch_code=code,
            seed=zlib.crc32(code.encode()),
            progress=progress_bar(sys.stderr),
        )
        have = Referral.objects.filter(branch__code=code).count()
    return have


def measure(branch, periods) -> list[tuple[str, str, float, float, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from referrals.reports.queries import REPORTS, Scope

    rows = []
    for period in periods:
        scope = Scope((branch,), period)
        for name, builder in REPORTS.items():
            walls, cpus = [], []
            # The year is a reference figure: one run is enough to read it.
            for _ in range(1 if period.key == "last365" else 3):
                with CaptureQueriesContext(connection) as captured:
                    wall, cpu = time.perf_counter(), time.process_time()
                    builder(scope)
                    walls.append((time.perf_counter() - wall) * 1000)
                    cpus.append((time.process_time() - cpu) * 1000)
            data = sum(1 for q in captured if not q["sql"].startswith(HOUSEKEEPING))
            rows.append((period.key, name, statistics.median(walls), min(cpus), data))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    args = parser.parse_args()
    setup(os.environ.get("DATABASE_URL"))

    from django.db import connection
    from django.utils import timezone

    from lobby.models import Branch
    from referrals.reports.queries import Period

    large_n = ensure_history("demo", args.referrals)
    small_n = ensure_history("small", args.small)
    today = timezone.localdate()
    periods = [
        Period.named("today", today),
        Period.named("week", today),
        Period.named("month", today),
        Period("last30", today - dt.timedelta(days=29), today),
        Period("last365", today - dt.timedelta(days=364), today),
    ]
    vendor = connection.vendor
    results = {}
    for code, n in (("small", small_n), ("demo", large_n)):
        branch = Branch.objects.get(code=code)
        rows = measure(branch, periods)
        results[code] = rows
        print(f"\n{vendor} · branch {code} · {n:,} referrals")
        print(f"{'period':<9} {'report':<11} {'ms':>8} {'cpu ms':>8} {'queries':>8}")
        for key, name, wall, cpu, queries in rows:
            print(f"{key:<9} {name:<11} {wall:>8.1f} {cpu:>8.1f} {queries:>8}")
    worst = max(wall for key, _, wall, _, _ in results["demo"] if key != "last365")
    worst_year = max(wall for key, _, wall, _, _ in results["demo"] if key == "last365")

    def page_queries(code: str) -> int:
        return sum(q for key, _, _, _, q in results[code] if key == "last30")

    print(f"\n(the last 365 days, for reference: slowest report {worst_year:.0f} ms)")
    print(
        f"reports_bench db={vendor} referrals={large_n} worst_ms={worst:.0f} "
        f"queries_small={page_queries('small')} queries_large={page_queries('demo')}"
    )


if __name__ == "__main__":
    main()
