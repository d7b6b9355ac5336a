"""The what-if's scoring as one SQL statement over the last recompute's per-criterion results.

Weights, the attractiveness share, the cut-offs and the thresholds are the only things a what-if
changes; each criterion's 0-10 for each account does not move with them. So the what-if reads each
account's per-criterion figures from its score row (`AccountScore.breakdown`, written by the
recompute for every account) and redoes only what the weights change, for every account at once,
with the weights as query parameters: group scores, overall, completeness, quadrant, and which side
of the entry and exit thresholds each account falls.

The arithmetic is `programme/scoring/formulas.py`'s, step for step and in the same order
(`group_score`, `overall_score`, `quadrant`, `percentile_score`), so that with the saved weights the
statement gives exactly the stored scores (tests/programme/test_what_if.py proves it on the demo
programme). A criterion mapped by percentile is ranked again from its stored metric value: its
stored 0-10 is rounded to two places, its value to four, and only the rank reproduces the exact score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from accounts.models import LifecycleStatus
from programme.models import AccountScore, CriterionGroup, Quadrant, ScoreMapping, ScoringSource
from programme.scoring import formulas

GROUPS = (CriterionGroup.ATTRACTIVENESS, CriterionGroup.RELATIONSHIP)
SIDES = ("current", "proposed")
# Accounts the what-if lists and counts (an exited account's quadrant decides nothing).
LISTED_STATUSES = (LifecycleStatus.KEY, LifecycleStatus.CANDIDATE)
FLOAT = "double precision"  # SQLite reads it as REAL


@dataclass(frozen=True)
class Side:
    """One set of rules and settings to score with: the saved one, or the one being tried."""

    rules: Sequence[formulas.CriterionRule]
    attractiveness_share: float
    attractiveness_cutoff: float
    relationship_cutoff: float
    entry_threshold: float
    exit_threshold: float


def _json_number(criterion_id: int, key: str) -> str:
    """A number from the score row's breakdown, as SQL (criterion ids are integers: safe inline)."""
    criterion_id = int(criterion_id)
    if connection.vendor == "postgresql":
        return f"CAST(s.breakdown -> '{criterion_id}' ->> '{key}' AS {FLOAT})"
    return f"CAST(json_extract(s.breakdown, '$.\"{criterion_id}\".{key}') AS {FLOAT})"


def _ranked_by_value(rule: formulas.CriterionRule) -> bool:
    return rule.source == ScoringSource.DATA and rule.mapping == ScoreMapping.PERCENTILE


def _criterion_columns(rules: Sequence[formulas.CriterionRule]) -> tuple[list[str], list[str]]:
    """(columns read from the score row, each criterion's 0-10 as SQL over them), one per criterion id."""
    read, scores = [], []
    for rule in {r.id: r for r in rules}.values():
        column = f"c{int(rule.id)}"
        if _ranked_by_value(rule):
            # formulas.percentile_score: 10 times the share of the other accounts this one beats (ties share
            # the lower rank); alone, it sits in the middle.
            read.append(f"{_json_number(rule.id, 'value')} AS v{column}")
            order = "" if rule.higher_is_better else " DESC"
            count = f"COUNT(v{column}) OVER ()"
            scores.append(
                f"CASE WHEN v{column} IS NULL THEN NULL "
                f"WHEN {count} = 1 THEN CAST(%(lone)s AS {FLOAT}) "
                f"ELSE CAST(10 AS {FLOAT}) * (RANK() OVER (PARTITION BY v{column} IS NULL "
                f"ORDER BY v{column}{order}) - 1) / ({count} - 1) END AS {column}"
            )
        else:
            read.append(f"{_json_number(rule.id, 'score')} AS {column}")
            scores.append(column)
    return read, scores


def _group_sql(side: str, group: str, rules: Sequence[formulas.CriterionRule], params: dict) -> list[str]:
    """formulas.group_score for one side and group: scored weight, points (and total, known here)."""
    zero = f"CAST(0 AS {FLOAT})"
    scored_weight, points = [zero], [zero]
    total = 0.0
    for index, rule in enumerate(r for r in rules if r.group == group):
        weight = max(float(rule.weight), 0.0)
        total += weight
        name = f"w_{side}_{group}_{index}"
        params[name] = weight
        column, w = f"c{int(rule.id)}", f"CAST(%({name})s AS {FLOAT})"
        scored_weight.append(f"CASE WHEN {column} IS NULL THEN {zero} ELSE {w} END")
        points.append(f"COALESCE({w} * {column}, {zero})")
    params[f"total_{side}_{group}"] = total
    return [
        f"({' + '.join(scored_weight)}) AS sw_{side}_{group}",
        f"({' + '.join(points)}) AS pts_{side}_{group}",
    ]


def _group_scores(side: str, group: str, weighed: bool) -> list[str]:
    sw, pts = f"sw_{side}_{group}", f"pts_{side}_{group}"
    if not weighed:  # a group without weight has no score and counts for nothing
        return [f"CAST(NULL AS {FLOAT}) AS {side}_{group}", f"CAST(0 AS {FLOAT}) AS {side}_{group}_c"]
    return [
        f"CASE WHEN {sw} > 0 THEN {pts} / {sw} * 10 END AS {side}_{group}",
        f"{sw} / CAST(%(total_{side}_{group})s AS {FLOAT}) AS {side}_{group}_c",
    ]


def _overall_sql(side: str, shares: dict[str, float], params: dict) -> list[str]:
    """formulas.overall_score: the groups weighed by their share, over what is actually scored."""
    zero = f"CAST(0 AS {FLOAT})"
    covered, points = [zero], [zero]
    nominal = 0
    for group, share in shares.items():
        nominal += share
        name = f"share_{side}_{group}"
        params[name] = share
        s = f"CAST(%({name})s AS {FLOAT})"
        covered.append(f"{s} * {side}_{group}_c")
        points.append(f"COALESCE({s} * {side}_{group}_c * {side}_{group}, {zero})")
    if nominal <= 0:
        return [f"CAST(NULL AS {FLOAT}) AS {side}_points", f"{zero} AS {side}_covered"]
    params[f"nominal_{side}"] = float(nominal)
    return [f"({' + '.join(points)}) AS {side}_points", f"({' + '.join(covered)}) AS {side}_covered"]


def _flags_sql(side: str, params: dict, settings: Side) -> list[str]:
    """formulas.quadrant, completeness as `OverallScore.is_complete`, and the two thresholds."""
    for name in ("attractiveness_cutoff", "relationship_cutoff", "entry_threshold", "exit_threshold"):
        params[f"{name}_{side}"] = float(getattr(settings, name))
    a, r = f"{side}_{CriterionGroup.ATTRACTIVENESS}", f"{side}_{CriterionGroup.RELATIONSHIP}"
    high = f"{a} >= CAST(%(attractiveness_cutoff_{side})s AS {FLOAT})"
    strong = f"{r} >= CAST(%(relationship_cutoff_{side})s AS {FLOAT})"
    complete = f"{side}_completeness >= CAST(%(complete)s AS {FLOAT})"
    return [
        f"CASE WHEN {a} IS NULL OR {r} IS NULL THEN '' "
        f"WHEN {high} THEN CASE WHEN {strong} THEN '{Quadrant.STRATEGIC}' ELSE '{Quadrant.STAR}' END "
        f"ELSE CASE WHEN {strong} THEN '{Quadrant.STATUS}' ELSE '{Quadrant.STREAMLINE}' END "
        f"END AS {side}_quadrant",
        f"CASE WHEN {complete} THEN 1 ELSE 0 END AS {side}_complete",
        f"CASE WHEN {complete} AND {side}_overall >= CAST(%(entry_threshold_{side})s AS {FLOAT}) "
        f"THEN 1 ELSE 0 END AS {side}_entry",
        f"CASE WHEN status = '{LifecycleStatus.KEY}' AND {complete} "
        f"AND {side}_overall < CAST(%(exit_threshold_{side})s AS {FLOAT}) THEN 1 ELSE 0 END AS {side}_exit",
    ]


def scored_sql(current: Side, proposed: Side) -> tuple[str, dict]:
    """The CTEs that score every current account on both sides; the last, `flagged`, has per account:
    id, status, {side}_attractiveness, _relationship, _overall, _completeness, _quadrant, _complete,
    _entry and _exit for both sides, and `changed` (1 when quadrant, entry or exit side differ)."""
    params: dict = {
        "lone": formulas.LONE_PERCENTILE_SCORE,
        # OverallScore.is_complete's tolerance, as the recompute decides it
        "complete": formulas.COMPLETENESS_REQUIRED - 1e-9,
    }
    read, scores = _criterion_columns([*current.rules, *proposed.rules])
    groups, group_scores, overall, finals, flags = [], [], [], [], []
    for side, settings in zip(SIDES, (current, proposed), strict=True):
        weighed = {}
        for group in GROUPS:
            groups += _group_sql(side, group, settings.rules, params)
            weighed[group] = params[f"total_{side}_{group}"] > 0
            group_scores += _group_scores(side, group, weighed[group])
        shares = {
            CriterionGroup.ATTRACTIVENESS: float(settings.attractiveness_share),
            CriterionGroup.RELATIONSHIP: 1 - float(settings.attractiveness_share),
        }
        shares = {g: share for g, share in shares.items() if weighed[g] and share > 0}
        overall += _overall_sql(side, shares, params)
        nominal = f"CAST(%(nominal_{side})s AS {FLOAT})" if shares else "1"
        finals += [
            f"{side}_{g}" for g in GROUPS
        ] + [
            f"CASE WHEN {side}_covered > 0 THEN {side}_points / {side}_covered END AS {side}_overall",
            f"CASE WHEN {side}_covered > 0 THEN {side}_covered / {nominal} ELSE 0 END AS {side}_completeness",
        ]  # fmt: skip
        flags += _flags_sql(side, params, settings)
    changed = " OR ".join(f"current_{name} <> proposed_{name}" for name in ("quadrant", "entry", "exit"))
    # MATERIALIZED where a layer's columns are read several times below (else PostgreSQL inlines the
    # expressions at every use): the values read once from JSON, the ranks, the weighted sums, the scores.
    sql = f"""
        WITH read AS MATERIALIZED (
            SELECT s.account_id AS id, a.status AS status, {", ".join(read) or "1 AS no_criteria"}
            FROM {AccountScore._meta.db_table} s JOIN accounts_account a ON a.id = s.account_id
            WHERE a.archived_at IS NULL
        ), criteria AS MATERIALIZED (
            SELECT id, status, {", ".join(scores) or "1 AS no_criteria"} FROM read
        ), weighed AS MATERIALIZED (
            SELECT id, status, {", ".join(groups)} FROM criteria
        ), grouped AS (
            SELECT id, status, {", ".join(group_scores)} FROM weighed
        ), combined AS (
            SELECT grouped.*, {", ".join(overall)} FROM grouped
        ), final AS MATERIALIZED (
            SELECT id, status, {", ".join(finals)} FROM combined
        ), quadrants AS (
            SELECT final.*, {", ".join(flags)} FROM final
        ), flagged AS (
            SELECT quadrants.*, CASE WHEN {changed} THEN 1 ELSE 0 END AS changed FROM quadrants
        )"""
    return sql, params


def scored_sql_settings() -> list[str]:
    """For the statement's length on PostgreSQL: its sorts (ranks, 100,000 rows) in memory, no JIT."""
    if connection.vendor != "postgresql":
        return []
    return ["SET LOCAL work_mem = '64MB'", "SET LOCAL jit = off"]
