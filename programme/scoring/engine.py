"""The nightly recompute of every account's score, set-based, in the database.

SQL aggregates every metric for all accounts into work tables; programme/scoring/sql.py (the SQL
twin of `programme.scoring.formulas`, built from its constants) ranks them with window functions
into a work table, then weighs groups and overall score, CLV, quadrant and recommendation chunk by
chunk into a staging table, and one short transaction at the end upserts the day's snapshots and
the current scores from it with INSERT … SELECT … ON CONFLICT. No account's figures pass through
Python. A run that dies before that transaction leaves yesterday's results.

`gather` and `score_all` score in Python over the same figures: the reference the SQL is tested
against."""

from __future__ import annotations

import fcntl
import hashlib
import json
import math
import os
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.measures.selectors import RETENTION_LOOKBACK_DAYS, status_a_year_ago_sql
from accounts.models import ExchangeRate
from accounts.stakeholders.relationships import contact_window_start
from kam.core.bulk_insert import analyze
from kam.core.periods import add_months, month_start
from programme.models import (
    AccountScore,
    Criterion,
    CriterionGroup,
    ManualScore,
    Programme,
    RecomputeRun,
    RecomputeStatus,
    ScoreSnapshot,
    ScoringSource,
)
from programme.scoring import formulas as scoring
from programme.scoring import metrics
from programme.scoring import sql as scoring_sql

CHUNK_SIZE = 5000


# Any number unique to this lock among the application's advisory locks.
ADVISORY_LOCK_KEY = 3_141_592_653


# A run queued and not picked up by a worker in this time is given up (the champion can start another).
QUEUE_TIMEOUT = timedelta(minutes=2)


FINANCIALS_TABLE = "scoring_financials"


RATES_TABLE = "scoring_rates"  # (currency, period, rate) for the 24 months, for metrics that convert money


STAGING_TABLE = "scoring_staging"


FIGURE_COLUMNS = [
    "attractiveness",
    "relationship",
    "overall",
    "attractiveness_completeness",
    "relationship_completeness",
    "completeness",
    "clv",
    "clv_margin",
    "clv_cost_to_serve",
    "clv_growth",
    "clv_retention",
    "clv_discount_rate",
    "clv_horizon_years",
    "quadrant",
    "recommendation",
    "breakdown",
]


# The current score's own columns, beside the figures a snapshot keeps too.
CURRENT_COLUMNS = [
    "t12m_revenue",
    "t12m_margin_after_cost_to_serve",
    "previous_t12m_revenue",
    "status_a_year_ago",
    "criterion_scores",
]


STAGED_COLUMNS = ["account_id", *FIGURE_COLUMNS, *CURRENT_COLUMNS]

# The score row's columns that lists filter, join and sort on: its statistics after a large write
# leave out the per-criterion breakdown and scores (four fifths of an ANALYZE's time at 100,000 rows).
FILTERED_SCORE_COLUMNS = [c for c in STAGED_COLUMNS if c not in ("breakdown", "criterion_scores")]


RANKED_TABLE = "scoring_ranked"


STATUS_TABLE = "scoring_status_then"  # each account's lifecycle status a year ago, for retention


class RecomputeBusy(Exception):
    """Another recompute holds the lock: two runs never overlap."""


@dataclass(frozen=True)
class ScoringSettings:
    """The programme settings scoring depends on; a what-if replaces some of them."""

    reporting_currency: str
    attractiveness_share: float
    entry_threshold: float
    exit_threshold: float
    attractiveness_cutoff: float
    relationship_cutoff: float
    window_days: int
    discount_rate: float
    horizon_years: int
    default_retention: float

    @classmethod
    def of(cls, programme: Programme, **overrides) -> ScoringSettings:
        settings = cls(
            reporting_currency=programme.reporting_currency,
            attractiveness_share=float(programme.attractiveness_share),
            entry_threshold=float(programme.entry_threshold),
            exit_threshold=float(programme.exit_threshold),
            attractiveness_cutoff=float(programme.attractiveness_cutoff),
            relationship_cutoff=float(programme.relationship_cutoff),
            window_days=programme.recommendation_window_days,
            discount_rate=float(programme.clv_discount_rate),
            horizon_years=programme.clv_horizon_years,
            default_retention=float(programme.default_retention),
        )
        return replace(settings, **{k: v for k, v in overrides.items() if v is not None})

    @property
    def sql(self) -> scoring_sql.Settings:
        return scoring_sql.Settings(
            attractiveness_share=self.attractiveness_share,
            entry_threshold=self.entry_threshold,
            exit_threshold=self.exit_threshold,
            attractiveness_cutoff=self.attractiveness_cutoff,
            relationship_cutoff=self.relationship_cutoff,
            discount_rate=self.discount_rate,
            horizon_years=self.horizon_years,
            default_retention=self.default_retention,
        )

    @property
    def thresholds(self) -> scoring.Thresholds:
        return scoring.Thresholds(self.entry_threshold, self.exit_threshold, self.window_days)


def criterion_rule(criterion: Criterion, *, weight=None) -> scoring.CriterionRule:
    metric = metrics.get(criterion.metric)
    return scoring.CriterionRule(
        id=criterion.pk,
        group=criterion.group,
        weight=float(criterion.weight if weight is None else weight),
        source=criterion.source,
        metric=criterion.metric,
        mapping=criterion.mapping,
        bands=tuple(tuple(pair) for pair in criterion.bands or ()),
        higher_is_better=metric.higher_is_better if metric else True,
    )


def active_rules() -> list[scoring.CriterionRule]:
    return [criterion_rule(c) for c in Criterion.objects.active()]


@dataclass
class ClvFigures:
    margin: float | None
    cost_to_serve: float | None
    growth: float
    retention: float
    clv: float | None


@dataclass
class Gathered:
    """One row per account, column-wise (arrays of floats, NaN for missing) to stay small at 100k accounts."""

    today: date
    account_ids: array = field(default_factory=lambda: array("q"))
    statuses: list[str] = field(default_factory=list)
    columns: dict[str, array] = field(default_factory=dict)

    def value(self, column: str, index: int) -> float | None:
        value = self.columns[column][index]
        return None if math.isnan(value) else value

    def floats(self, column: str) -> list[float | None]:
        return [None if math.isnan(v) else v for v in self.columns[column]]


def _window(today: date) -> dict:
    month_end = month_start(today)  # the current month is not complete: trailing windows end before it
    return {
        "today": today,
        "month_end": month_end,
        "recent_start": add_months(month_end, -12),
        "previous_start": add_months(month_end, -24),
        "contacts_since": contact_window_start(today),
        # The last four full quarters, for return on investment (investment is recorded per quarter).
        "quarter_end": date(today.year, (today.month - 1) // 3 * 3 + 1, 1),
        "quarters_start": add_months(date(today.year, (today.month - 1) // 3 * 3 + 1, 1), -12),
    }


def month_rates(*, window: dict, reporting_currency: str) -> list[tuple[str, date, float]]:
    """(currency, month, rate) for each of the last 24 months and each currency with a rate: the
    reporting currency at 1. A currency without any rate drops out: its figures are not guessed."""
    rates = ExchangeRate.objects.rate_table(reporting_currency)
    months = [add_months(window["previous_start"], i) for i in range(24)]
    return [(c, m, float(rates.rate(c, m))) for c in sorted(rates.convertible()) for m in months]


def financials_columns(*, recent: str, previous: str) -> str:
    """The trailing figures of an account's months `fp` in the reporting currency (`r.rate`), as SELECT
    columns: `recent` and `previous` are the FILTER clauses of the last 12 months and the 12 before."""
    return f"""
          SUM(fp.revenue * r.rate) {recent} AS revenue,
          SUM(fp.gross_margin * r.rate) {recent} AS gross_margin,
          SUM(fp.cost_to_serve * r.rate) {recent} AS cost_to_serve,
          COUNT(*) {recent} AS months,
          SUM(fp.revenue * r.rate) {previous} AS previous_revenue,
          SUM(fp.gross_margin * r.rate) {previous} AS previous_margin,
          COUNT(*) {previous} AS previous_months,
          AVG(fp.days_to_pay) {recent} AS days_to_pay"""


def _prepare_financials(cursor, *, window: dict, reporting_currency: str) -> None:
    """Per account, the last 24 months' figures in the reporting currency: one aggregate over the months."""
    # The month's rate per currency, inline (a temporary table would keep PostgreSQL from scanning
    # the months in parallel).
    rate_rows = month_rates(window=window, reporting_currency=reporting_currency)
    values = ", ".join(["(%s, %s, CAST(%s AS double precision))"] * len(rate_rows))
    params = [value for row in rate_rows for value in row]
    # The same rates as a work table, for the metrics that convert other money (wallet, investments).
    cursor.execute(f"DROP TABLE IF EXISTS {RATES_TABLE}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {RATES_TABLE} (currency varchar(3), period date, rate double precision)"
    )
    cursor.executemany(f"INSERT INTO {RATES_TABLE} (currency, period, rate) VALUES (%s, %s, %s)", rate_rows)
    cursor.execute(f"DROP TABLE IF EXISTS {FINANCIALS_TABLE}")
    columns = financials_columns(
        recent="FILTER (WHERE fp.period >= %s)", previous="FILTER (WHERE fp.period < %s)"
    )
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {FINANCIALS_TABLE} AS
        WITH r (currency, period, rate) AS (VALUES {values})
        SELECT fp.account_id AS account_id,{columns}
        FROM accounts_financialperiod fp
        JOIN r ON r.currency = fp.currency AND r.period = fp.period
        WHERE fp.period >= %s AND fp.period < %s
        GROUP BY fp.account_id
        """,
        [*params, *[window["recent_start"]] * 8, window["previous_start"], window["month_end"]],
    )
    if connection.vendor == "postgresql":
        cursor.execute(f"CREATE INDEX ON {FINANCIALS_TABLE} (account_id)")
        cursor.execute(f"ANALYZE {FINANCIALS_TABLE}")


def _drop_work_tables(cursor) -> None:
    for table in (RATES_TABLE, FINANCIALS_TABLE, RANKED_TABLE, STATUS_TABLE, STAGING_TABLE):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def values_sql(
    *, rules: Iterable[scoring.CriterionRule], settings: ScoringSettings, today: date
) -> tuple[str, dict, list[str]]:
    """Every current account's metric values, CLV inputs and recent history, one row each, ordered by
    id: (SQL over the work tables, its parameters, the names of its columns after `id, status`)."""
    needed = sorted({r.metric for r in rules if r.source == ScoringSource.DATA and metrics.get(r.metric)})
    window = _window(today)
    window["window_start"] = today - timedelta(days=settings.window_days)
    window["reporting_currency"] = settings.reporting_currency  # the measures' money metrics
    select = [
        "a.id AS account_id",
        "a.status AS status",
        "CAST(a.retention_estimate AS double precision) AS retention",
        *(f"CAST(f.{name} AS double precision) AS {name}" for name in metrics.FINANCIAL_COLUMNS),
        "COALESCE(h.snapshots, 0) AS h_snapshots",
        "COALESCE(h.scored, 0) AS h_scored",
        "CAST(h.lowest AS double precision) AS h_lowest",
        "CAST(h.highest AS double precision) AS h_highest",
        "CASE WHEN hf.first_taken_on <= %(window_start)s THEN 1 ELSE 0 END AS h_covers",
    ]
    history = ["h_snapshots", "h_scored", "h_lowest", "h_highest", "h_covers"]
    base = ["retention", *metrics.FINANCIAL_COLUMNS, *history]
    joins, metric_columns = [], []
    for i, name in enumerate(needed):
        metric = metrics.REGISTRY[name]
        if metric.expression:
            select.append(f"CAST({metric.expression} AS double precision) AS m_{name}")
        elif metric.sql:
            joins.append(f"LEFT JOIN ({metric.sql}) m{i} ON m{i}.account_id = a.id")
            select.append(f"CAST(m{i}.value AS double precision) AS m_{name}")
        else:
            continue
        metric_columns.append(name)
    sql = f"""
        SELECT {", ".join(select)}
        FROM accounts_account a
        LEFT JOIN {FINANCIALS_TABLE} f ON f.account_id = a.id
        LEFT JOIN (
            SELECT account_id, COUNT(*) AS snapshots, COUNT(overall) AS scored,
                   MIN(overall) AS lowest, MAX(overall) AS highest
            FROM programme_scoresnapshot
            WHERE taken_on >= %(window_start)s AND taken_on < %(today)s
            GROUP BY account_id
        ) h ON h.account_id = a.id
        LEFT JOIN (
            SELECT account_id, MIN(taken_on) AS first_taken_on
            FROM programme_scoresnapshot GROUP BY account_id
        ) hf ON hf.account_id = a.id
        {" ".join(joins)}
        WHERE a.archived_at IS NULL
    """
    return sql, window, [*base, *metric_columns]


def gather(*, rules: Iterable[scoring.CriterionRule], settings: ScoringSettings, today: date) -> Gathered:
    """Every current account's metric values, CLV inputs and recent history, in one streamed query
    (the Python reference's input; the recompute scores in SQL instead)."""
    sql, window, names = values_sql(rules=rules, settings=settings, today=today)
    gathered = Gathered(today=today)
    columns = [array("d") for _name in names]
    nan = math.nan
    with connection.cursor() as cursor:
        _prepare_financials(cursor, window=window, reporting_currency=settings.reporting_currency)
    # A server-side cursor on PostgreSQL: 100,000 rows stream instead of landing in memory at once.
    with connection.chunked_cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY a.id", window)
        while rows := cursor.fetchmany(CHUNK_SIZE):
            by_column = list(zip(*rows, strict=True))
            gathered.account_ids.extend(by_column[0])
            gathered.statuses.extend(by_column[1])
            for column, values in zip(columns, by_column[2:], strict=True):
                column.extend([nan if value is None else value for value in values])
    gathered.columns = dict(zip(names, columns, strict=True))
    return gathered


# For the length of a recompute on PostgreSQL: room to aggregate 100,000 accounts in memory rather
# than spill to disk, no JIT compilation (seconds spent to save less), and cursors planned for all
# their rows (a cursor is otherwise planned for its first tenth: nested loops over 100,000 accounts).
# No nested loops at all: every join here covers every account, and right after a bulk load (before
# autovacuum's ANALYZE) the planner takes each table for one row and nests loops over them, which
# turned the contact metrics' join from 20 ms into seconds.
SESSION_SETTINGS = {
    "work_mem": "'128MB'",
    "jit": "off",
    "cursor_tuple_fraction": "1",
    "enable_nestloop": "off",
}


@contextmanager
def tuned_session() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        for name, value in SESSION_SETTINGS.items():
            cursor.execute(f"SET {name} = {value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name in SESSION_SETTINGS:
                cursor.execute(f"RESET {name}")


def clv_figures(gathered: Gathered, settings: ScoringSettings) -> list[ClvFigures]:
    """Every gathered account's lifetime value with its inputs, in the order gathered."""
    figures = []
    names = ("gross_margin", "cost_to_serve", "months", "previous_margin", "previous_months", "retention")
    columns = [gathered.floats(name) for name in names]
    for margin, cost, months, previous_margin, previous_months, retention in zip(*columns, strict=True):
        growth = scoring.growth_rate(
            recent_total=margin,
            recent_months=int(months or 0),
            previous_total=previous_margin,
            previous_months=int(previous_months or 0),
        )
        if not months:
            margin = cost = None  # no figures in the last 12 months: no lifetime value, not 0
        retention = settings.default_retention if retention is None else retention
        clv = scoring.lifetime_value(
            margin=margin,
            cost_to_serve=cost,
            growth=growth,
            retention=retention,
            discount_rate=settings.discount_rate,
            horizon_years=settings.horizon_years,
        )
        figures.append(ClvFigures(margin, cost, growth, retention, clv))
    return figures


def manual_entries(*, rules: Iterable[scoring.CriterionRule]) -> dict[int, dict[int, scoring.ManualEntry]]:
    """Current manual scores of the manual criteria, by account: one query."""
    manual_ids = [r.id for r in rules if r.source == ScoringSource.MANUAL]
    entries: dict[int, dict[int, scoring.ManualEntry]] = {}
    if not manual_ids:
        return entries
    rows = ManualScore.objects.filter(criterion_id__in=manual_ids).values_list(
        "account_id", "criterion_id", "score", "scored_on"
    )
    for account_id, criterion_id, score, scored_on in rows.iterator(chunk_size=CHUNK_SIZE):
        entries.setdefault(account_id, {})[criterion_id] = scoring.ManualEntry(float(score), scored_on)
    return entries


@dataclass
class Scored:
    result: scoring.AccountResult
    clv: ClvFigures
    breakdown: str  # JSON: {"<criterion id>": {"value": ..., "score": ..., "source": ...}, ...}


def _compact_json(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def _json_number(value: float | None, places: int) -> str:
    return "null" if value is None else repr(round(value, places))


def score_all(
    gathered: Gathered,
    *,
    rules: list[scoring.CriterionRule],
    settings: ScoringSettings,
    manual: dict[int, dict[int, scoring.ManualEntry]],
    breakdown: bool = True,
) -> Iterator[Scored]:
    """Score every gathered account with the pure formulas; percentiles against all accounts.

    Column-wise where it can be (one pass per criterion over all accounts), then one pass per account.
    Without `breakdown` (the what-if, which shows only scores and quadrants) the per-criterion JSON
    the score card reads is not built: half the work.
    """
    rules = list(rules)
    count = len(gathered.account_ids)
    clvs = clv_figures(gathered, settings)
    columns = {name: gathered.floats(name) for name in gathered.columns if name in metrics.REGISTRY}
    for rule in rules:
        metric = metrics.get(rule.metric)
        if metric and metric.derive and rule.metric not in columns:
            columns[rule.metric] = [metric.derive(figures) for figures in clvs]
    missing = [None] * count
    # Per criterion from data: every account's 0-10 and its breakdown entry, already as JSON text
    # (100,000 small json.dumps calls cost more than the scoring itself).
    by_rule = {}
    for rule in rules:
        if rule.source != ScoringSource.DATA:
            continue
        values = columns.get(rule.metric, missing)
        population = sorted(v for v in values if v is not None)
        scores = scoring.data_scores(rule, values, population)
        key = json.dumps(str(rule.id))
        entries = (
            [
                f'{key}:{{"value":{_json_number(v, 4)},"score":{_json_number(s, 2)},"source":"data"}}'
                for v, s in zip(values, scores, strict=True)
            ]
            if breakdown
            else None
        )
        by_rule[rule.id] = (scores, entries)
    today, thresholds = gathered.today, settings.thresholds
    window_start = today - timedelta(days=settings.window_days)
    # Per criterion, what each account's loop needs, looked up once rather than per account.
    plan = [
        (rule.group, rule.weight, rule.id, by_rule.get(rule.id), json.dumps(str(rule.id))) for rule in rules
    ]
    # Most accounts have no score by hand on a criterion: that line of the breakdown is the same text.
    unscored = {
        rule.id: f"{json.dumps(str(rule.id))}:{_compact_json(scoring.manual_item(None, today)[1])}"
        for rule in rules
    }
    history_columns = zip(
        *(gathered.floats(name) for name in ("h_snapshots", "h_scored", "h_lowest", "h_highest", "h_covers")),
        strict=True,
    )
    for index, account_id in enumerate(gathered.account_ids):
        figures = clvs[index]
        own_manual = manual.get(account_id, {})
        groups: dict[str, list] = {CriterionGroup.ATTRACTIVENESS: [], CriterionGroup.RELATIONSHIP: []}
        entries = []
        for group, weight, rule_id, data, key in plan:
            if data is not None:
                score = data[0][index]
                if breakdown:
                    entries.append(data[1][index])
            else:
                entry = own_manual.get(rule_id)
                score, item = scoring.manual_item(entry, today)
                if breakdown:
                    entries.append(unscored[rule_id] if entry is None else f"{key}:{_compact_json(item)}")
            groups.setdefault(group, []).append((weight, score))
        snapshots, scored_snapshots, lowest, highest, covers = next(history_columns)
        attractiveness = scoring.group_score(groups.get(CriterionGroup.ATTRACTIVENESS, []))
        relationship = scoring.group_score(groups.get(CriterionGroup.RELATIONSHIP, []))
        overall = scoring.overall_score(
            attractiveness, relationship, attractiveness_share=settings.attractiveness_share
        )
        history = scoring.History(
            snapshots=int(snapshots or 0),
            scored=int(scored_snapshots or 0),
            lowest=lowest,
            highest=highest,
            first_taken_on=window_start if covers else None,
        )
        result = scoring.AccountResult(
            account_id=account_id,
            attractiveness=attractiveness,
            relationship=relationship,
            overall=overall,
            quadrant=scoring.quadrant(
                attractiveness.score,
                relationship.score,
                attractiveness_cutoff=settings.attractiveness_cutoff,
                relationship_cutoff=settings.relationship_cutoff,
            ),
            recommendation=scoring.recommend(
                status=gathered.statuses[index],
                overall=overall,
                history=history,
                thresholds=thresholds,
                today=today,
            ),
        )
        yield Scored(result, figures, "{" + ",".join(entries) + "}" if breakdown else "")


@contextmanager
def recompute_lock() -> Iterator[None]:
    """One run at a time, across processes, freed when its process dies: a PostgreSQL advisory lock,
    elsewhere an exclusive lock on a file beside the database."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
            if not cursor.fetchone()[0]:
                raise RecomputeBusy(_("Another recompute is running."))
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
        return
    with open(_lock_file(), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as held:
            raise RecomputeBusy(_("Another recompute is running.")) from held
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lock_file() -> Path:
    name = str(connection.settings_dict["NAME"])
    if "memory" in name:  # an in-memory database lives in one process only
        name = f"{name}:{os.getpid()}"
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"kam-recompute-{digest}.lock"


def recompute_lock_is_held() -> bool:
    """Whether a run is at work right now (without taking the lock from it)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND classid = %s AND objid = %s AND objsubid = 1)",
                [ADVISORY_LOCK_KEY >> 32, ADVISORY_LOCK_KEY & 0xFFFFFFFF],
            )
            return cursor.fetchone()[0]
    with open(_lock_file(), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def fail_silent_runs() -> int:
    """Mark failed the runs left "running" that nobody works on, so that they never block the next.

    A run at work holds the lock and reports progress (heartbeat_at) at every step. With the lock
    free, a run that has reported progress has lost its worker (killed, out of memory), and one that
    never did was queued and not picked up within QUEUE_TIMEOUT."""
    if recompute_lock_is_held():
        return 0
    return (
        RecomputeRun.objects.filter(status=RecomputeStatus.RUNNING)
        .filter(Q(heartbeat_at__isnull=False) | Q(started_at__lt=timezone.now() - QUEUE_TIMEOUT))
        .update(
            status=RecomputeStatus.FAILED,
            finished_at=timezone.now(),
            error=_("Stopped reporting progress: its worker died or never picked it up."),
        )
    )


def _progress(run: RecomputeRun, **fields) -> None:
    fields["heartbeat_at"] = timezone.now()
    RecomputeRun.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)


def recompute_scores(
    *,
    run: RecomputeRun | None = None,
    started_by=None,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> RecomputeRun:
    """Recompute every account's scores, CLV, quadrant and recommendation, and today's snapshot.

    Idempotent: today's snapshot replaces any earlier one; run twice a day (or redelivered by
    Celery) it rewrites the same rows.
    """
    today = today or timezone.localdate()
    if run is None:
        run = RecomputeRun.objects.create(started_at=timezone.now(), started_by=started_by)
    try:
        with recompute_lock():
            # Holding the lock, any other "running" run is one that died: say so.
            RecomputeRun.objects.filter(status=RecomputeStatus.RUNNING).exclude(pk=run.pk).update(
                status=RecomputeStatus.FAILED,
                finished_at=timezone.now(),
                error=_("Interrupted: the worker stopped before the run finished."),
            )
            _progress(run, status=RecomputeStatus.RUNNING, started_at=timezone.now(), error="")
            with tuned_session():
                _recompute(run, today=today, progress=progress, on_total=on_total, chunk_size=chunk_size)
    except RecomputeBusy as busy:
        _progress(run, status=RecomputeStatus.FAILED, finished_at=timezone.now(), error=str(busy))
        raise
    except Exception as error:
        _progress(run, status=RecomputeStatus.FAILED, finished_at=timezone.now(), error=repr(error)[:2000])
        raise
    return run


def _recompute(run: RecomputeRun, *, today: date, progress, on_total, chunk_size: int) -> None:
    settings = ScoringSettings.of(Programme.load())
    rules = active_rules()
    dialect = scoring_sql.Dialect(connection.vendor)
    try:
        values, window, _names = values_sql(rules=rules, settings=settings, today=today)
        ranked = scoring_sql.ranked_sql(values, rules=rules, settings=settings.sql, today=today, d=dialect)
        with connection.cursor() as cursor:
            _prepare_financials(cursor, window=window, reporting_currency=settings.reporting_currency)
            # Percentile ranks need every account at once: ranked whole, into a work table.
            cursor.execute(f"DROP TABLE IF EXISTS {RANKED_TABLE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {RANKED_TABLE} AS {ranked}", window)
            cursor.execute(f"CREATE INDEX {RANKED_TABLE}_n ON {RANKED_TABLE} (n)")
            cursor.execute(f"DROP TABLE IF EXISTS {STATUS_TABLE}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STATUS_TABLE} AS {status_a_year_ago_sql('a_year_ago')}",
                {"a_year_ago": today - timedelta(days=RETENTION_LOOKBACK_DAYS)},
            )
            cursor.execute(f"SELECT COUNT(*) FROM {RANKED_TABLE}")
            total = cursor.fetchone()[0]
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING_TABLE}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {STAGING_TABLE} AS "
                f"SELECT {', '.join(STAGED_COLUMNS)} FROM {AccountScore._meta.db_table} WHERE 1 = 0"
            )
        _progress(run, accounts_total=total, accounts_processed=0)
        if on_total:
            on_total(total)
        # Groups, overall score, quadrant, recommendation and breakdown, chunk by chunk: progress shows.
        select = scoring_sql.staged_sql(
            f"SELECT r.*, st.status_then FROM {RANKED_TABLE} r "
            f"LEFT JOIN {STATUS_TABLE} st ON st.account_id = r.account_id WHERE r.n > %s AND r.n <= %s",
            rules=rules,
            settings=settings.sql,
            today=today,
            d=dialect,
        )
        statement = f"INSERT INTO {STAGING_TABLE} ({', '.join(STAGED_COLUMNS)}) {select}"
        done = 0
        for start in range(0, total, chunk_size):
            done += _stage(Chunk(statement, start, start + chunk_size), run, done, progress)
        order = [r.id for r in scoring_sql.data_rules(rules)]
        written = _publish(run, today=today, processed=done, order=order)
        if written > total // 10:
            # Many rows new or moved (the first run, a new month): fresh statistics for the lists
            # that sort by them now, rather than when autovacuum comes by.
            analyze(AccountScore._meta.db_table, columns=FILTERED_SCORE_COLUMNS)
    finally:
        with connection.cursor() as cursor:
            _drop_work_tables(cursor)


@dataclass(frozen=True)
class Chunk:
    """Ranked rows numbered above `after` up to `upto`, and the statement that stages them."""

    statement: str
    after: int
    upto: int


def _stage(chunk: Chunk, run: RecomputeRun, done: int, progress) -> int:
    with connection.cursor() as cursor:
        cursor.execute(chunk.statement, [chunk.after, chunk.upto])
        staged = cursor.rowcount
    _progress(run, accounts_processed=done + staged)
    if progress:
        progress(staged)
    return staged


@transaction.atomic
def _publish(run: RecomputeRun, *, today: date, processed: int, order: list[int]) -> int:
    """All or nothing: today's snapshots and the current scores change together, with the run's outcome
    (and what the scores are for: the day, the order of `criterion_scores`).
    Returns how many current scores were written (new or changed)."""
    columns = ", ".join(FIGURE_COLUMNS)
    snapshot, current = ScoreSnapshot._meta.db_table, AccountScore._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        # Today's snapshots are replaced whole: a plain INSERT is cheaper than 100,000 upserts.
        # The history keeps the per-criterion breakdown only for key accounts and proposed
        # candidates, the ones a programme review looks into (for all accounts it would be ~20 GB a year).
        cursor.execute(f"DELETE FROM {snapshot} WHERE taken_on = %s", [today])
        empty = "'{}'::jsonb" if connection.vendor == "postgresql" else "'{}'"
        kept = ", ".join(
            f"CASE WHEN a.status = 'key' OR s.recommendation = 'add' THEN s.breakdown ELSE {empty} END"
            if c == "breakdown"
            else f"s.{c}"
            for c in FIGURE_COLUMNS
        )
        cursor.execute(
            f"INSERT INTO {snapshot} (account_id, taken_on, {columns}) "
            f"SELECT s.account_id, %s, {kept} FROM {STAGING_TABLE} s "
            "JOIN accounts_account a ON a.id = s.account_id",
            [today],
        )
        # `WHERE 1 = 1` lets SQLite tell the SELECT from the ON CONFLICT clause. Only scores that
        # changed are written: most nights most figures stand still (months close monthly), so
        # `computed_at` says when an account's figures last changed, and the CRM re-reads only those.
        distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
        every = [*FIGURE_COLUMNS, *CURRENT_COLUMNS]
        changed = " OR ".join(f"{current}.{c} {distinct} EXCLUDED.{c}" for c in every)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in every)
        insert = (
            f"INSERT INTO {current} (account_id, computed_at, {', '.join(every)}) "
            f"SELECT account_id, %s, {', '.join(every)} FROM {STAGING_TABLE} WHERE 1 = 1"
        )
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {current})")
        if cursor.fetchone()[0]:
            upsert = f" ON CONFLICT (account_id) DO UPDATE SET computed_at = EXCLUDED.computed_at, {updates}"
            cursor.execute(f"{insert}{upsert} WHERE {changed}", [now])
        else:  # the first run: nothing to conflict with, and a plain insert skips a fifth of the work
            cursor.execute(insert, [now])
        written = cursor.rowcount
    _progress(
        run,
        status=RecomputeStatus.SUCCEEDED,
        finished_at=timezone.now(),
        accounts_processed=processed,
        scored_on=today,
        criterion_order=order,
    )
    return written
