"""Benchmark: a full scoring recompute of 100,000 accounts x 24 months on PostgreSQL, with 12 criteria.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench .venv/bin/python bench/recompute.py

Seeds the accounts first if the database has fewer than --accounts (`seed_demo`), reuses them
otherwise. Prints accounts per second, total seconds and the process's peak memory; asserts nothing.
Target on a 2-core machine: under 30 s and under 500 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Account  # noqa: E402
from programme.demo.criteria import seed_criteria  # noqa: E402
from programme.models import AccountScore, Criterion, ScoreSnapshot, ScoringSource  # noqa: E402
from programme.scoring.engine import recompute_scores  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("warning: not PostgreSQL; the target is for PostgreSQL", file=sys.stderr)
    if Account.objects.count() < args.accounts:
        if Account.objects.exists():
            sys.exit("The database has some accounts but fewer than asked: use an empty database.")
        call_command("seed_demo", accounts=args.accounts, months=args.months, verbosity=0)
    seed_criteria()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the statistics autovacuum keeps in production, fresh after seeding
    criteria = Criterion.objects.active()
    by_data = criteria.filter(source=ScoringSource.DATA).count()
    print(f"{Account.objects.count()} accounts, {criteria.count()} criteria ({by_data} from data)")
    # First a run with no current scores (every row inserted), then the nightly case: the day after,
    # with yesterday's scores in place (only changed ones are rewritten; every snapshot is written).
    AccountScore.objects.all().delete()
    ScoreSnapshot.objects.filter(taken_on__gte=timezone.localdate()).delete()
    yesterday = timezone.localdate() - timedelta(days=1)
    for label, day in (("first run, no scores yet", yesterday), ("nightly run, the day after", None)):
        started = time.perf_counter()
        run = recompute_scores(today=day)
        seconds = time.perf_counter() - started
        rate = run.accounts_processed / seconds
        print(f"{label}: {run.accounts_processed} accounts in {seconds:.1f} s, {rate:,.0f} accounts/s")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak_mb:.0f} MB (whole process, Django included)")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
