"""The what-if: every account scored with weights and thresholds the champion has not saved yet,
against the same accounts scored with the saved ones. Nothing is written.

Both sides are scored by one SQL statement over the last recompute's per-criterion scores and the
manual scores (`programme/scoring/what_if_sql.py`), so the answer takes the same time the first time
and the tenth, and nothing big is kept in the cache. What it returns is everything the page says:
how many accounts change quadrant or cross the entry or exit threshold, every one of them (a page
at a time), the entry line's counts on both sides, and the key accounts and movers for the matrix
before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import LifecycleStatus
from programme.models import AccountScore, CriterionGroup, Programme, RecomputeRun, RecomputeStatus
from programme.scoring import formulas
from programme.scoring.engine import ScoringSettings, active_rules
from programme.scoring.sql import Dialect
from programme.scoring.what_if_sql import LISTED_STATUSES, Side, Stored, scored_sql, scored_sql_settings

PAGE_SIZE = 100  # accounts listed per page of the complete list of changes
MATRIX_MOVERS = 150  # accounts that change drawn on the matrices, beside every key account

A, R = CriterionGroup.ATTRACTIVENESS, CriterionGroup.RELATIONSHIP


def side(rules, settings: ScoringSettings) -> Side:
    return Side(
        rules=list(rules),
        attractiveness_share=settings.attractiveness_share,
        attractiveness_cutoff=settings.attractiveness_cutoff,
        relationship_cutoff=settings.relationship_cutoff,
        entry_threshold=settings.entry_threshold,
        exit_threshold=settings.exit_threshold,
    )


def saved_side(programme: Programme | None = None) -> Side:
    """The saved criteria, weights and thresholds: what the last recompute scored with."""
    return side(active_rules(), ScoringSettings.of(programme or Programme.load()))


def stored() -> Stored:
    """What the current scores are for: the last succeeded recompute's day and criterion order (one query)."""
    run = (
        RecomputeRun.objects.filter(status=RecomputeStatus.SUCCEEDED, scored_on__isnull=False)
        .order_by("-finished_at")
        .values_list("scored_on", "criterion_order")
        .first()
    )
    if run is None:  # no recompute yet: no stored score to weigh
        return Stored(day=timezone.localdate())
    return Stored(day=run[0], order=tuple(run[1] or ()))


@dataclass(frozen=True)
class Position:
    """An account's place on one side: scores 0-100 (None when not scored) and what follows from them."""

    attractiveness: float | None
    relationship: float | None
    overall: float | None
    completeness: float
    quadrant: str
    at_entry: bool = False  # complete and at or above the entry threshold
    under_exit: bool = False  # a key account, complete and under the exit threshold

    @property
    def is_complete(self) -> bool:
        return self.completeness >= formulas.COMPLETENESS_REQUIRED - 1e-9


@dataclass(frozen=True)
class Change:
    account_id: int
    name: str
    status: str
    clv: float | None
    recommendation: str  # the stored one (the what-if does not judge history)
    current: Position
    proposed: Position
    position: int | None = None  # its line in the complete list of changes, from 1

    @property
    def changes_quadrant(self) -> bool:
        return self.current.quadrant != self.proposed.quadrant

    @property
    def crosses_entry(self) -> bool:
        return self.current.at_entry != self.proposed.at_entry

    @property
    def crosses_exit(self) -> bool:
        return self.current.under_exit != self.proposed.under_exit

    @property
    def is_key(self) -> bool:
        return self.status == LifecycleStatus.KEY


@dataclass
class Preview:
    accounts: int = 0  # key accounts and candidates scored
    changed: int = 0  # accounts that change quadrant or cross the entry or exit threshold
    quadrant_changes: int = 0
    entry_current: int = 0
    entry_proposed: int = 0
    entry_rise: int = 0  # reach the entry threshold only with the proposal
    entry_fall: int = 0  # fall under it with the proposal
    exit_current: int = 0
    exit_proposed: int = 0
    exit_fall: int = 0  # key accounts that fall under the exit threshold with the proposal
    exit_rise: int = 0
    rows: list[Change] = field(default_factory=list)  # this page of the complete list of changes
    points: list[Change] = field(default_factory=list)  # for the matrices: key accounts and movers
    page: int = 1
    page_size: int = PAGE_SIZE
    current: Side | None = None
    proposed: Side | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.changed // self.page_size))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


COUNTS = {
    "accounts": "1",
    "changed": "changed",
    "quadrant_changes": "CASE WHEN current_quadrant <> proposed_quadrant THEN 1 ELSE 0 END",
    "entry_current": "current_entry",
    "entry_proposed": "proposed_entry",
    "entry_rise": "CASE WHEN proposed_entry > current_entry THEN 1 ELSE 0 END",
    "entry_fall": "CASE WHEN proposed_entry < current_entry THEN 1 ELSE 0 END",
    "exit_current": "current_exit",
    "exit_proposed": "proposed_exit",
    "exit_fall": "CASE WHEN proposed_exit > current_exit THEN 1 ELSE 0 END",
    "exit_rise": "CASE WHEN proposed_exit < current_exit THEN 1 ELSE 0 END",
}
SIDE_COLUMNS = (A, R, "overall", "completeness", "quadrant", "entry", "exit")


def preview(*, current: Side, proposed: Side, page: int = 1, page_size: int = PAGE_SIZE) -> Preview:
    """Score every account on both sides and say what moves: one statement, whatever the data's size.

    Returns the counts, the page asked for of the complete list of accounts that change quadrant or
    cross a threshold (best first with the proposal), and for the matrices every key account and the
    first MATRIX_MOVERS of that list. Only the changes are sorted, not every account.
    """
    cte, params = scored_sql(current, proposed, stored())
    page = max(1, int(page))
    params |= {
        "first": (page - 1) * page_size + 1,
        "last": page * page_size,
        "movers": MATRIX_MOVERS,
        "key": LifecycleStatus.KEY,
    }
    statuses = ", ".join(f"'{status}'" for status in LISTED_STATUSES)
    counts = ", ".join(f"SUM({expression}) AS n_{name}" for name, expression in COUNTS.items())
    columns = ", ".join(f"l.{s}_{c}" for s in ("current", "proposed") for c in SIDE_COLUMNS)
    score = AccountScore._meta.db_table
    fence = Dialect(connection.vendor).fence
    sql = f"""{cte}, listed AS MATERIALIZED (
            SELECT * FROM flagged WHERE status IN ({statuses})
        ), counts AS (
            SELECT {counts} FROM listed
        ), changes AS (
            SELECT id, ROW_NUMBER() OVER (
              ORDER BY proposed_complete DESC, COALESCE(proposed_overall, 0) DESC, id) AS position
            FROM listed WHERE changed = 1
        )
        SELECT {", ".join(f"n.n_{name}" for name in COUNTS)}, p.* FROM counts n LEFT JOIN (
          SELECT l.id, (SELECT a.name FROM accounts_account a WHERE a.id = l.id) AS name, l.status,
            (SELECT CAST(s.clv AS double precision) FROM {score} s WHERE s.account_id = l.id) AS clv,
            (SELECT s.recommendation FROM {score} s WHERE s.account_id = l.id) AS recommendation,
            l.position, {columns}
          FROM (
            SELECT listed.*, c.position FROM listed LEFT JOIN changes c ON c.id = listed.id
            WHERE c.position BETWEEN %(first)s AND %(last)s OR c.position <= %(movers)s
              OR listed.status = %(key)s {fence}
          ) l
        ) p ON 1 = 1
    """  # the few rows shown look up their names and figures by key: no join over every account
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in scored_sql_settings():
            cursor.execute(setting)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result = Preview(page=page, page_size=page_size, current=current, proposed=proposed)
    for name, value in zip(COUNTS, rows[0], strict=False):
        setattr(result, name, int(value or 0))
    width = len(SIDE_COLUMNS)
    for row in rows:
        row = row[len(COUNTS) :]
        if row[0] is None:  # no account to list: the counts alone
            continue
        account_id, name, status, clv, recommendation, position = row[:6]
        now, then = (row[6 + i * width : 6 + (i + 1) * width] for i in range(2))
        change = Change(
            account_id=account_id,
            name=name,
            status=status,
            clv=clv,
            recommendation=recommendation,
            current=_position(now),
            proposed=_position(then),
            position=position,
        )
        if position is not None and params["first"] <= position <= params["last"]:
            result.rows.append(change)
        if status == LifecycleStatus.KEY or (position is not None and position <= MATRIX_MOVERS):
            result.points.append(change)
    result.rows.sort(key=lambda c: c.position)
    result.points.sort(key=lambda c: c.account_id)
    return result


def _position(values) -> Position:
    attractiveness, relationship, overall, completeness, quadrant, entry, exit_ = values
    return Position(
        attractiveness=attractiveness,
        relationship=relationship,
        overall=overall,
        completeness=float(completeness or 0),
        quadrant=quadrant or "",
        at_entry=bool(entry),
        under_exit=bool(exit_),
    )


def scores(proposed: Side) -> dict[int, Position]:
    """Every current account's position with the given rules and settings (the what-if's arithmetic
    for all accounts, exited ones too: what a test compares with the stored scores)."""
    cte, params = scored_sql(proposed, proposed, stored())
    columns = ", ".join(f"proposed_{c}" for c in SIDE_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in scored_sql_settings():
            cursor.execute(setting)
        cursor.execute(f"{cte} SELECT id, {columns} FROM flagged", params)
        rows = cursor.fetchall()
    return {row[0]: _position(row[1:]) for row in rows}
