"""Benchmark: a full scoring recompute of 100,000 accounts x 24 months on PostgreSQL, with 12 criteria.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench .venv/bin/python bench/recompute.py

Seeds the accounts first if the database has fewer than --accounts (`seed_demo`), reuses them
otherwise. Prints accounts per second, total seconds, the process's peak memory, the score table's
size and how many of its updates stayed on their page (HOT); asserts nothing.

Beside each run, in the same process and back to back, the floor: one SQL statement over the same
data that aggregates the trailing months in the reporting currency, derives growth and CLV, ranks
every percentile-mapped criterion and writes the figures to a table. The recompute is within 3x of
it (and under 300 MB); the ratio is printed, since absolute seconds move with the machine's load.
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
from programme.models import AccountScore, Criterion, Programme, ScoreSnapshot, ScoringSource  # noqa: E402
from programme.scoring import engine  # noqa: E402
from programme.scoring import sql as scoring_sql  # noqa: E402
from programme.scoring.engine import recompute_scores  # noqa: E402

FLOOR_TABLE = "bench_recompute_floor"


def floor_statement(today) -> tuple[str, dict]:
    """The floor: the same aggregates (the trailing months in the reporting currency, every metric the
    criteria read), growth, CLV and the percentile ranks of every current account, written."""
    settings = engine.ScoringSettings.of(Programme.load())
    rules = engine.active_rules()
    values, window, _names = engine.values_sql(rules=rules, settings=settings, today=today)
    rates_sql = ", ".join(
        f"('{currency}', DATE '{month.isoformat()}', CAST({rate!r} AS double precision))"
        for currency, month, rate in engine.month_rates(
            window=window, reporting_currency=settings.reporting_currency
        )
    )
    d = scoring_sql.Dialect(connection.vendor)
    ranks = ", ".join(
        f"{scoring_sql.percentile_sql(column, higher_is_better=rule.higher_is_better)} AS rank_{rule.id}"
        for rule in rules
        if rule.mapping == "percentile" and (column := scoring_sql.metric_column(rule))
    )
    clv = scoring_sql.lifetime_value_sql(
        discount_rate=settings.discount_rate, horizon_years=settings.horizon_years
    )
    columns = engine.financials_columns(
        recent="FILTER (WHERE fp.period >= %(recent_start)s)",
        previous="FILTER (WHERE fp.period < %(recent_start)s)",
    )
    # The work tables the metrics read, as common table expressions of the same names.
    sql = f"""
        CREATE TABLE {FLOOR_TABLE} AS
        WITH {engine.RATES_TABLE} (currency, period, rate) AS (VALUES {rates_sql}),
        {engine.FINANCIALS_TABLE} AS (
            SELECT fp.account_id,{columns}
            FROM accounts_financialperiod fp
            JOIN {engine.RATES_TABLE} r ON r.currency = fp.currency AND r.period = fp.period
            WHERE fp.period >= %(previous_start)s AND fp.period < %(month_end)s GROUP BY fp.account_id
        ),
        g AS (
            SELECT v.*, {scoring_sql.growth_sql(d)} AS growth,
                   CASE WHEN months > 0 THEN gross_margin END AS clv_margin,
                   CASE WHEN months > 0 THEN cost_to_serve END AS clv_cost,
                   COALESCE(retention, {scoring_sql.literal(settings.default_retention)}) AS retention_used
            FROM ({values}) v
        ),
        c AS (SELECT g.*, {clv} AS clv FROM g)
        SELECT c.*{", " + ranks if ranks else ""} FROM c
    """
    return sql, window


def run_floor(today) -> float:
    sql, params = floor_statement(today)
    with engine.tuned_session(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        started = time.perf_counter()
        cursor.execute(sql, params)
        seconds = time.perf_counter() - started
        cursor.execute(f"DROP TABLE {FLOOR_TABLE}")
    return seconds


def score_table() -> str:
    if connection.vendor != "postgresql":
        return "n/a (not PostgreSQL)"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_total_relation_size('programme_accountscore'), "
            "pg_relation_size('programme_accountscore'), n_tup_upd, n_tup_hot_upd "
            "FROM pg_stat_user_tables WHERE relname = 'programme_accountscore'"
        )
        total, heap, updates, hot = cursor.fetchone()
    return (
        f"{total / 2**20:.1f} MB with indexes ({heap / 2**20:.1f} MB heap); "
        f"{hot:,} of {updates:,} updates in place (HOT) since statistics were reset"
    )


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
    with connection.cursor() as cursor:  # as a new installation's table is: no dead rows or index entries
        cursor.execute(f"VACUUM {AccountScore._meta.db_table}")
    # Two days of one month: across a month's end every account's trailing figures move (the
    # nightly case is a day when few do).
    today = timezone.localdate()
    first, second = (today, today + timedelta(days=1))
    if second.month != first.month:
        first, second = today - timedelta(days=1), today
    ScoreSnapshot.objects.filter(taken_on__gte=first).delete()
    for label, day in (("first run, no scores yet", first), ("nightly run, the day after", second)):
        floor = run_floor(day)
        started = time.perf_counter()
        run = recompute_scores(today=day)
        seconds = time.perf_counter() - started
        rate = run.accounts_processed / seconds
        print(f"{label}: {run.accounts_processed} accounts in {seconds:.1f} s, {rate:,.0f} accounts/s")
        print(
            f"  floor (one statement) {floor:.2f} s: the run takes {seconds / floor:.1f}x its floor "
            "(target <= 3)"
        )
        print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak_mb:.0f} MB (whole process, Django included; target < 300)")
    print(f"score table: {score_table()}")


if __name__ == "__main__":
    main()
