"""Scoring in SQL: every account's percentile ranks, band scores, group and overall scores, CLV,
quadrant and recommendation as expressions over a table of metric values, for the nightly recompute.

The SQL twin of `programme/scoring/formulas.py`, built from its constants (growth bounds, the lone
account's percentile, completeness, manual scores' staleness) and written with the same arithmetic
in the same order, so that the floats it computes are the ones the Python formulas compute
(tests/programme/test_scoring_sql.py proves it). The weights, shares and thresholds are literals of
the statement: one statement per run (or per what-if), planned once.

The input relation (`values_sql` in engine.py) has one row per account: `account_id`, `status`,
`retention`, the financial columns (metrics.FINANCIAL_COLUMNS, in the reporting currency), the
history columns `h_snapshots, h_scored, h_lowest, h_highest, h_covers`, and one `m_<metric>` column
per metric the criteria need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from programme.models import CriterionGroup, ScoreMapping, ScoringSource
from programme.scoring import formulas, metrics


@dataclass(frozen=True)
class Dialect:
    """The few spellings PostgreSQL and SQLite disagree on."""

    vendor: str

    @property
    def postgresql(self) -> bool:
        return self.vendor == "postgresql"

    def least(self, *parts: str) -> str:
        return f"{'LEAST' if self.postgresql else 'MIN'}({', '.join(parts)})"

    def greatest(self, *parts: str) -> str:
        return f"{'GREATEST' if self.postgresql else 'MAX'}({', '.join(parts)})"

    def round(self, expression: str, places: int) -> str:
        if self.postgresql:
            return f"round(CAST({expression} AS numeric), {places})"
        return f"round({expression}, {places})"

    def json_number(self, expression: str, places: int) -> str:
        """A double as JSON text, rounded to `places` for display ('null' when NULL)."""
        if self.postgresql:
            scale = 10**places
            text = f"CAST(round({expression} * {scale}) / {scale} AS text)"
        else:
            text = f"CAST(round({expression}, {places}) AS text)"
        return f"COALESCE({text}, 'null')"

    def json_text(self, expression: str) -> str:
        return f"CAST({expression} AS jsonb)" if self.postgresql else f"json({expression})"

    def float_list(self, parts: Sequence[str]) -> str:
        """Doubles as one FloatListField value: an array on PostgreSQL, elsewhere JSON text with every
        digit a double needs to read back exactly."""
        if self.postgresql:
            return f"CAST(ARRAY[{', '.join(parts)}] AS double precision[])" if parts else "'{}'::float8[]"
        # printf's format spelled without a percent sign: Django fills a logged query's parameters in
        # with Python's %, which a literal '%.17g' breaks (DEBUG, CaptureQueriesContext).
        items = [f"CASE WHEN {p} IS NULL THEN 'null' ELSE printf(char(37) || '.17g', {p}) END" for p in parts]
        return "'[' || " + " || ',' || ".join(items) + " || ']'" if parts else "'[]'"

    def list_item(self, column: str, index: int) -> str:
        """Item `index` (from 0) of a FloatListField column, NULL past its end."""
        if self.postgresql:
            return f"{column}[{int(index) + 1}]"
        return f"CAST(json_extract({column}, '$[{int(index)}]') AS double precision)"

    @property
    def empty_json(self) -> str:
        return "CAST('{}' AS jsonb)" if self.postgresql else "json('{}')"

    @property
    def fence(self) -> str:
        """Ends a subquery the planner must not fold into its parent: folded, each column's expression
        would be copied into every expression that reads it (the overall score into the quadrant,
        the recommendation, ...) and computed again there."""
        return "OFFSET 0" if self.postgresql else "LIMIT -1 OFFSET 0"


def literal(value: float) -> str:
    """A Python float as a double-precision SQL literal, exactly (repr round-trips)."""
    return f"CAST({float(value)!r} AS double precision)"


def string(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


# --- Lifetime value ---------------------------------------------------------------------------------


def growth_sql(d: Dialect) -> str:
    """formulas.growth_rate over the gross margin's monthly averages, bounded by GROWTH_BOUNDS."""
    low, high = formulas.GROWTH_BOUNDS
    base = "(previous_margin / previous_months)"
    return (
        "CASE WHEN months > 0 AND previous_months > 0 AND gross_margin IS NOT NULL "
        f"AND previous_margin IS NOT NULL AND {base} > 0 THEN "
        f"{d.least(d.greatest(f'(gross_margin / months) / {base} - 1', literal(low)), literal(high))} "
        f"ELSE {literal(0.0)} END"
    )


def lifetime_value_sql(*, discount_rate: float, horizon_years: int) -> str:
    """formulas.lifetime_value in closed form over `clv_margin, clv_cost, growth, retention_used`."""
    ratio = f"((1 + growth) * retention_used / {literal(1 + discount_rate)})"
    return (
        "CASE WHEN clv_margin IS NULL OR clv_cost IS NULL THEN NULL "
        f"WHEN abs({ratio} - 1) < 1e-12 THEN (clv_margin - clv_cost) * {int(horizon_years)} "
        f"ELSE (clv_margin - clv_cost) * {ratio} * (1 - power({ratio}, {int(horizon_years)})) "
        f"/ (1 - {ratio}) "
        "END"
    )


# --- From metric values to 0-10 ------------------------------------------------------------------------


def percentile_sql(column: str, *, higher_is_better: bool) -> str:
    """formulas.percentile_score: 10 times the share of the others this account beats (ties share the
    lower rank), among the accounts with a value; the lone account scores LONE_PERCENTILE_SCORE."""
    order = "ASC" if higher_is_better else "DESC"
    rank = f"RANK() OVER (PARTITION BY ({column} IS NULL) ORDER BY {column} {order})"
    count = f"COUNT({column}) OVER ()"
    return (
        f"CASE WHEN {column} IS NULL THEN NULL "
        f"WHEN {count} = 1 THEN {literal(formulas.LONE_PERCENTILE_SCORE)} "
        f"ELSE {literal(10.0)} * ({rank} - 1) / ({count} - 1) END"
    )


def bands_sql(column: str, bands: Sequence[Sequence[float]]) -> str:
    """formulas.band_score: the score of the highest band reached, 0 below every band."""
    if not bands:
        return "CAST(NULL AS double precision)"
    whens = " ".join(
        f"WHEN {column} >= {literal(lower)} THEN {literal(score)}" for lower, score in reversed(bands)
    )
    return f"CASE WHEN {column} IS NULL THEN NULL {whens} ELSE {literal(0.0)} END"


def metric_column(rule: formulas.CriterionRule) -> str | None:
    metric = metrics.get(rule.metric)
    if metric is None:
        return None
    return "clv" if metric.derive else f"m_{metric.name}"


def data_score_sql(rule: formulas.CriterionRule, available: set[str]) -> tuple[str, str]:
    """(value, 0-10) expressions of a criterion scored from data; both NULL for an unknown metric."""
    column = metric_column(rule)
    if column is None or column not in available:
        return "CAST(NULL AS double precision)", "CAST(NULL AS double precision)"
    if rule.mapping == ScoreMapping.BANDS:
        return column, bands_sql(column, rule.bands)
    return column, percentile_sql(column, higher_is_better=rule.higher_is_better)


# --- Scores by hand ---------------------------------------------------------------------------------


def manual_scores_sql(rules: Sequence[formulas.CriterionRule]) -> str | None:
    """The manual scores of the criteria scored by hand, one row per account: `account_id`, and per
    criterion its score `v_<id>` and the day it was given `d_<id>` (None without such criteria)."""
    manual = [r for r in rules if r.source == ScoringSource.MANUAL]
    if not manual:
        return None
    pivot = ", ".join(
        f"MAX(CASE WHEN criterion_id = {r.id} THEN CAST(score AS double precision) END) AS v_{r.id}, "
        f"MAX(CASE WHEN criterion_id = {r.id} THEN scored_on END) AS d_{r.id}"
        for r in manual
    )
    ids = ", ".join(str(int(r.id)) for r in manual)
    return (
        f"SELECT account_id, {pivot} FROM programme_manualscore "
        f"WHERE criterion_id IN ({ids}) GROUP BY account_id"
    )


def manual_score_sql(rule: formulas.CriterionRule, today: date, *, alias: str = "ms") -> str:
    """A criterion's 0-10 by hand over `manual_scores_sql`'s row: formulas.is_stale in SQL, the score
    counting as missing once older than MANUAL_SCORE_STALE_DAYS on `today`."""
    stale_before = today - timedelta(days=formulas.MANUAL_SCORE_STALE_DAYS)
    rule_id = int(rule.id)
    return f"CASE WHEN {alias}.d_{rule_id} >= '{stale_before.isoformat()}' THEN {alias}.v_{rule_id} END"


def data_rules(rules: Sequence[formulas.CriterionRule]) -> list[formulas.CriterionRule]:
    """The criteria scored from data, in the order of a score's `criterion_scores`."""
    return [r for r in rules if r.source == ScoringSource.DATA]


# --- The whole scoring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """What the statement needs of engine.ScoringSettings (kept apart: engine imports this module)."""

    attractiveness_share: float
    entry_threshold: float
    exit_threshold: float
    attractiveness_cutoff: float
    relationship_cutoff: float
    discount_rate: float
    horizon_years: int
    default_retention: float


def ranked_sql(
    values: str, *, rules: Sequence[formulas.CriterionRule], settings: Settings, today: date, d: Dialect
) -> str:
    """Per account: its metric values, CLV and inputs, and each criterion's 0-10 as `s_<id>`
    (with `v_<id>` its value, and `d_<id>` the date of a score by hand), numbered by account id."""
    available = {"clv", *(f"m_{name}" for name in metrics.REGISTRY)}
    columns = ["c.*"]
    for rule in rules:
        if rule.source == ScoringSource.MANUAL:
            columns += [
                f"ms.v_{rule.id} AS v_{rule.id}",
                f"ms.d_{rule.id} AS d_{rule.id}",
                f"{manual_score_sql(rule, today)} AS s_{rule.id}",
            ]
        else:
            value, score = data_score_sql(rule, available)
            columns += [f"{value} AS v_{rule.id}", f"{score} AS s_{rule.id}"]
    manual = manual_scores_sql(rules)
    manual_join = f"LEFT JOIN ({manual}) ms ON ms.account_id = c.account_id" if manual else ""
    clv = lifetime_value_sql(discount_rate=settings.discount_rate, horizon_years=settings.horizon_years)
    return f"""
        SELECT {", ".join(columns)}, ROW_NUMBER() OVER (ORDER BY c.account_id) AS n
        FROM (
            SELECT g.*, {clv} AS clv
            FROM (
                SELECT v.*, {growth_sql(d)} AS growth,
                       CASE WHEN months > 0 THEN gross_margin END AS clv_margin,
                       CASE WHEN months > 0 THEN cost_to_serve END AS clv_cost,
                       COALESCE(retention, {literal(settings.default_retention)}) AS retention_used
                FROM ({values}) v {d.fence}
            ) g {d.fence}
        ) c
        {manual_join}
    """


def _group_sql(rules: Sequence[formulas.CriterionRule], group: str) -> tuple[str, str, bool]:
    """(score, completeness, weighed) of formulas.group_score over the group's criteria."""
    members = [r for r in rules if r.group == group]
    weights = [max(float(r.weight), 0.0) for r in members]
    total = sum(weights, 0.0)
    if total <= 0:
        return "CAST(NULL AS double precision)", literal(0.0), False
    scored = " + ".join(
        f"CASE WHEN s_{r.id} IS NOT NULL THEN {literal(w)} ELSE {literal(0.0)} END"
        for r, w in zip(members, weights, strict=True)
    )
    points = " + ".join(
        f"CASE WHEN s_{r.id} IS NOT NULL THEN {literal(w)} * s_{r.id} ELSE {literal(0.0)} END"
        for r, w in zip(members, weights, strict=True)
    )
    score = f"CASE WHEN ({scored}) > 0 THEN ({points}) / ({scored}) * 10 END"
    completeness = f"CASE WHEN ({scored}) > 0 THEN ({scored}) / {literal(total)} ELSE {literal(0.0)} END"
    return score, completeness, True


def scored_sql(
    ranked: str, *, rules: Sequence[formulas.CriterionRule], settings: Settings, today: date, d: Dialect
) -> str:
    """Groups, overall score, quadrant, recommendation and the breakdown over `ranked`'s rows."""
    a_score, a_completeness, a_weighed = _group_sql(rules, CriterionGroup.ATTRACTIVENESS)
    r_score, r_completeness, r_weighed = _group_sql(rules, CriterionGroup.RELATIONSHIP)
    share = float(settings.attractiveness_share)
    parts = [
        (p, s)
        for p, s, weighed in (("a", share, a_weighed), ("r", 1 - share, r_weighed))
        if weighed and s > 0
    ]
    nominal = sum(s for _p, s in parts)
    if nominal <= 0:
        covered = points = None
    else:
        covered = " + ".join(f"{literal(s)} * {p}_completeness" for p, s in parts)
        points = " + ".join(
            f"CASE WHEN {p}_score IS NOT NULL THEN {literal(s)} * {p}_completeness * {p}_score "
            f"ELSE {literal(0.0)} END"
            for p, s in parts
        )
    nothing = "CAST(NULL AS double precision)"
    overall = f"CASE WHEN ({covered}) > 0 THEN ({points}) / ({covered}) END" if covered else nothing
    completeness = (
        f"CASE WHEN ({covered}) > 0 THEN ({covered}) / {literal(nominal)} ELSE {literal(0.0)} END"
        if covered
        else literal(0.0)
    )
    return f"""
        SELECT o.*, {_quadrant_sql(settings)} AS quadrant, {_recommendation_sql(settings)} AS recommendation,
               {_breakdown_sql(rules, d)} AS breakdown
        FROM (
            SELECT gs.*, {overall} AS overall, {completeness} AS completeness
            FROM (
                SELECT r.*, {a_score} AS a_score, {a_completeness} AS a_completeness,
                       {r_score} AS r_score, {r_completeness} AS r_completeness
                FROM ({ranked}) r {d.fence}
            ) gs {d.fence}
        ) o
    """


def _quadrant_sql(settings: Settings) -> str:
    high = f"a_score >= {literal(settings.attractiveness_cutoff)}"
    strong = f"r_score >= {literal(settings.relationship_cutoff)}"
    return (
        "CASE WHEN a_score IS NULL OR r_score IS NULL THEN '' "
        f"WHEN {high} AND {strong} THEN 'strategic' WHEN {high} THEN 'star' "
        f"WHEN {strong} THEN 'status' ELSE 'streamline' END"
    )


def _recommendation_sql(settings: Settings) -> str:
    """formulas.recommend with its hysteresis, over the history columns."""
    entry, exit_ = literal(settings.entry_threshold), literal(settings.exit_threshold)
    complete = f"completeness >= {literal(formulas.COMPLETENESS_REQUIRED - 1e-9)}"
    every_scored = "COALESCE(h_scored, 0) = COALESCE(h_snapshots, 0)"
    held = "h_covers = 1"
    return (
        "CASE "
        f"WHEN status = 'candidate' AND {complete} AND overall IS NOT NULL AND overall >= {entry} AND {held} "
        f"AND {every_scored} AND (h_lowest IS NULL OR h_lowest >= {entry}) THEN 'add' "
        "WHEN status = 'key' AND (NOT (" + complete + ") OR overall IS NULL) THEN 'watch' "
        f"WHEN status = 'key' AND overall < {exit_} AND {held} AND {every_scored} "
        f"AND (h_highest IS NULL OR h_highest < {exit_}) THEN 'review_exit' "
        f"WHEN status = 'key' AND overall < {entry} THEN 'watch' "
        "WHEN status = 'key' THEN 'keep' "
        "ELSE 'none' END"
    )


def _breakdown_sql(rules: Sequence[formulas.CriterionRule], d: Dialect) -> str:
    """The score card's figures of the criteria scored from data, compact: {"<id>": [value, 0-10]},
    rounded for display as formulas.data_item rounds them. Scores by hand are not repeated: the card
    reads them from the manual scores themselves. Written as text and parsed once: building JSON
    objects value by value cost more than all the scoring."""
    lines = []
    for rule in rules:
        if rule.source == ScoringSource.DATA:
            value, score = d.json_number(f"v_{rule.id}", 4), d.json_number(f"s_{rule.id}", 2)
            lines.append(f"""'"{rule.id}":[' || {value} || ',' || {score} || ']'""")
    if not lines:
        return d.empty_json
    return d.json_text("'{' || " + " || ',' || ".join(lines) + " || '}'")


def staged_sql(
    ranked: str, *, rules: Sequence[formulas.CriterionRule], settings: Settings, today: date, d: Dialect
) -> str:
    """The current score's columns (engine.STAGED_COLUMNS), rounded as stored, over `ranked`'s rows."""
    scored = scored_sql(ranked, rules=rules, settings=settings, today=today, d=d)
    when_clv = "CASE WHEN clv IS NOT NULL THEN {} END"
    columns = [
        "account_id",
        d.round("a_score", 2),
        d.round("r_score", 2),
        d.round("overall", 2),
        d.round("a_completeness", 3),
        d.round("r_completeness", 3),
        d.round("completeness", 3),
        d.round("clv", 2),
        d.round("clv_margin", 2),
        d.round("clv_cost", 2),
        when_clv.format(d.round("growth", 4)),
        when_clv.format(d.round("retention_used", 3)),
        when_clv.format(d.round(literal(settings.discount_rate), 4)),
        when_clv.format(int(settings.horizon_years)),
        "quadrant",
        "recommendation",
        "breakdown",
        # The trailing-12-month figures the account list sorts by, in the reporting currency.
        d.round("CASE WHEN months > 0 THEN revenue END", 2),
        d.round("clv_margin - clv_cost", 2),
        # For retention: the year before's revenue, and `ranked`'s status_then (engine.STATUS_TABLE).
        d.round("CASE WHEN previous_months > 0 THEN previous_revenue END", 2),
        "COALESCE(status_then, '')",
        # Unrounded, for the what-if: with the saved weights it gives the stored scores exactly.
        d.float_list([f"s_{r.id}" for r in data_rules(rules)]),
    ]
    return f"SELECT {', '.join(columns)} FROM ({scored} {d.fence}) scored"
