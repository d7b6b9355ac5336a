"""The what-if's scoring as one SQL statement over the last recompute's per-criterion scores.

Weights, the attractiveness share, the cut-offs and the thresholds are the only things a what-if
changes; each criterion's 0-10 for each account does not move with them (a percentile ranks the
accounts' values, whatever the weights). So the what-if reads each account's 0-10 per criterion
scored from data as the recompute computed it, unrounded (`AccountScore.criterion_scores`, an array
on PostgreSQL: no JSON to parse), takes the scores by hand from the manual scores as the recompute
does (`sql.manual_scores_sql`, stale as of the run's day), and redoes only what the weights change,
for every account at once, with the weights as query parameters: group scores, overall,
completeness, quadrant, and which side of the entry and exit thresholds each account falls.

The arithmetic is `programme/scoring/formulas.py`'s, step for step and in the same order
(`group_score`, `overall_score`, `quadrant`), so that with the saved weights the statement gives
exactly the stored scores (tests/programme/test_what_if.py proves it on the demo programme).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection

from accounts.models import LifecycleStatus
from programme.models import AccountScore, CriterionGroup, Quadrant, ScoringSource
from programme.scoring import formulas
from programme.scoring import sql as scoring_sql

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


@dataclass(frozen=True)
class Stored:
    """What the last recompute's scores are for: its day, and the criteria of `criterion_scores` in order."""

    day: date
    order: Sequence[int] = ()


def _criterion_columns(rules: Sequence[formulas.CriterionRule], stored: Stored) -> tuple[list[str], str]:
    """(each criterion's 0-10 as SQL, one per criterion id; the join that brings the manual scores)."""
    d = scoring_sql.Dialect(connection.vendor)
    position = {criterion_id: i for i, criterion_id in enumerate(stored.order)}
    unique = list({r.id: r for r in rules}.values())
    columns = []
    for rule in unique:
        column = f"c{int(rule.id)}"
        if rule.source == ScoringSource.MANUAL:
            columns.append(f"{scoring_sql.manual_score_sql(rule, stored.day)} AS {column}")
        elif rule.id in position:
            columns.append(f"{d.list_item('s.criterion_scores', position[rule.id])} AS {column}")
        else:  # a criterion the last recompute did not score from data: no score yet
            columns.append(f"CAST(NULL AS {FLOAT}) AS {column}")
    manual = scoring_sql.manual_scores_sql(unique)
    join = f"LEFT JOIN ({manual}) ms ON ms.account_id = s.account_id" if manual else ""
    return columns, join


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


def scored_sql(current: Side, proposed: Side, stored: Stored) -> tuple[str, dict]:
    """The CTEs that score every current account on both sides; the last, `flagged`, has per account:
    id, status, {side}_attractiveness, _relationship, _overall, _completeness, _quadrant, _complete,
    _entry and _exit for both sides, and `changed` (1 when quadrant, entry or exit side differ)."""
    params: dict = {
        # OverallScore.is_complete's tolerance, as the recompute decides it
        "complete": formulas.COMPLETENESS_REQUIRED - 1e-9,
    }
    criteria, manual_join = _criterion_columns([*current.rules, *proposed.rules], stored)
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
    # Each layer a subquery behind a fence: not folded into the next (PostgreSQL would copy each
    # expression into every one that reads it and compute it again there), and not stored either (a
    # MATERIALIZED CTE writes its 100,000 rows to a tuple store and reads them back).
    fence = scoring_sql.Dialect(connection.vendor).fence
    sql = f"""
        WITH flagged AS (
          SELECT quadrants.*, CASE WHEN {changed} THEN 1 ELSE 0 END AS changed FROM (
            SELECT final.*, {", ".join(flags)} FROM (
              SELECT id, status, {", ".join(finals)} FROM (
                SELECT grouped.*, {", ".join(overall)} FROM (
                  SELECT id, status, {", ".join(group_scores)} FROM (
                    SELECT id, status, {", ".join(groups)} FROM (
                      SELECT s.account_id AS id, a.status AS status, {", ".join(criteria) or "1 AS none"}
                      FROM {AccountScore._meta.db_table} s JOIN accounts_account a ON a.id = s.account_id
                      {manual_join}
                      WHERE a.archived_at IS NULL {fence}
                    ) criteria {fence}
                  ) weighed
                ) grouped {fence}
              ) combined
            ) final {fence}
          ) quadrants
        )"""
    return sql, params


def scored_sql_settings() -> list[str]:
    """For the statement's length on PostgreSQL: its sort of the changes in memory, no JIT."""
    if connection.vendor != "postgresql":
        return []
    return ["SET LOCAL work_mem = '64MB'", "SET LOCAL jit = off"]
