"""Reads for the programme's screens: the score card, the criteria page and what-if, the recompute page.

Each is a fixed number of queries whatever the number of criteria, snapshots or accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from kam import permissions

from . import metrics, scoring
from .models import (
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

TREND_DAYS = 180
TREND_WIDTH, TREND_HEIGHT = 240, 60
RUNS_SHOWN = 10
PREVIEW_ROWS = 25


# --- The account's score card ------------------------------------------------------------------


@dataclass
class CriterionLine:
    criterion: Criterion
    value: float | None
    score: float | None
    manual: ManualScore | None
    stale: bool
    unit: str = ""


@dataclass
class Trend:
    """Server-rendered SVG polylines of the overall score (0-100) and CLV (scaled to its own range)."""

    score_points: str = ""
    clv_points: str = ""
    first: date | None = None
    last: date | None = None
    days: int = 0
    width: int = TREND_WIDTH
    height: int = TREND_HEIGHT


@dataclass
class ScoreCard:
    account: object
    score: AccountScore | None
    programme: Programme
    groups: list[tuple[str, list[CriterionLine]]]
    trend: Trend
    can_score: bool
    stale_count: int = 0
    missing_manual: int = 0

    @property
    def incomplete(self) -> bool:
        return self.score is not None and not self.score.is_complete


def _points(values: list[tuple[int, float | None]], *, low: float, high: float, days: int) -> str:
    span = (high - low) or 1.0
    step = TREND_WIDTH / max(days - 1, 1)
    return " ".join(
        f"{x * step:.1f},{TREND_HEIGHT - (value - low) / span * TREND_HEIGHT:.1f}"
        for x, value in values
        if value is not None
    )


def trend(snapshots: list[tuple[date, object, object]]) -> Trend:
    """(taken_on, overall, clv) oldest first → polylines; days without a value leave a gap in x."""
    if not snapshots:
        return Trend()
    first, last = snapshots[0][0], snapshots[-1][0]
    days = (last - first).days + 1
    scores = [((d - first).days, None if o is None else float(o)) for d, o, _c in snapshots]
    clvs = [((d - first).days, None if c is None else float(c)) for d, _o, c in snapshots]
    known = [v for _x, v in clvs if v is not None]
    return Trend(
        score_points=_points(scores, low=0, high=100, days=days),
        clv_points=_points(clvs, low=min(known), high=max(known), days=days) if known else "",
        first=first,
        last=last,
        days=days,
    )


def score_card(*, user, account, today: date | None = None) -> ScoreCard:
    """The account's score, criterion by criterion, with the KAM's manual scores and the trend (5 queries)."""
    today = today or timezone.localdate()
    score = AccountScore.objects.filter(account=account).first()
    criteria = list(Criterion.objects.active())
    manual = {
        m.criterion_id: m
        for m in ManualScore.objects.filter(account=account, criterion__is_active=True).select_related(
            "scored_by"
        )
    }
    breakdown = score.breakdown if score else {}
    groups: dict[str, list[CriterionLine]] = {
        CriterionGroup.ATTRACTIVENESS: [],
        CriterionGroup.RELATIONSHIP: [],
    }
    stale_count = missing = 0
    for criterion in criteria:
        item = breakdown.get(str(criterion.pk), {})
        entry = manual.get(criterion.pk)
        stale = entry is not None and scoring.is_stale(entry.scored_on, today)
        if criterion.source == ScoringSource.MANUAL:
            stale_count += stale
            missing += entry is None
        metric = metrics.get(criterion.metric)
        groups.setdefault(criterion.group, []).append(
            CriterionLine(
                criterion=criterion,
                value=item.get("value"),
                score=item.get("score"),
                manual=entry,
                stale=stale,
                unit=metric.unit if metric else "",
            )
        )
    snapshots = list(
        ScoreSnapshot.objects.filter(account=account, taken_on__gt=today - timedelta(days=TREND_DAYS))
        .order_by("taken_on")
        .values_list("taken_on", "overall", "clv")
    )
    labels = dict(CriterionGroup.choices)
    return ScoreCard(
        account=account,
        score=score,
        programme=Programme.load(),
        groups=[(labels[g], lines) for g, lines in groups.items()],
        trend=trend(snapshots),
        can_score=permissions.can_score_by_hand(user, account),
        stale_count=stale_count,
        missing_manual=missing,
    )


# --- Criteria and the what-if --------------------------------------------------------------------


@dataclass
class CriteriaPage:
    programme: Programme
    criteria: list[Criterion]
    retired: list[Criterion]
    metric_labels: dict[str, str]


def criteria_page() -> CriteriaPage:
    criteria = list(Criterion.objects.all())
    return CriteriaPage(
        programme=Programme.load(),
        criteria=[c for c in criteria if c.is_active],
        retired=[c for c in criteria if not c.is_active],
        metric_labels={name: str(label) for name, label in metrics.choices()},
    )


@dataclass
class Movement:
    account_id: int
    name: str
    status: str
    rank_now: int | None
    rank_then: int | None
    overall_now: float | None
    overall_then: float | None
    quadrant_now: str
    quadrant_then: str


@dataclass
class PreviewSummary:
    rows: list[Movement] = field(default_factory=list)
    quadrant_changes: int = 0
    above_entry_now: int = 0
    above_entry_then: int = 0
    accounts: int = 0


def _ranks(scores: dict[int, tuple[float | None, bool]]) -> dict[int, int]:
    """Complete accounts first by score, then the incomplete ones: never ranked as if they scored zero."""
    order = sorted(scores, key=lambda a: (not scores[a][1], -(scores[a][0] or 0), a))
    return {account_id: rank for rank, account_id in enumerate(order, start=1)}


def preview_movement(*, results: dict[int, scoring.AccountResult], entry_threshold: float) -> PreviewSummary:
    """How ranking and quadrants would move against the current scores (2 queries)."""
    from accounts.models import Account

    current = {
        account_id: (None if overall is None else float(overall), float(completeness), quadrant)
        for account_id, overall, completeness, quadrant in AccountScore.objects.values_list(
            "account_id", "overall", "completeness", "quadrant"
        ).iterator(chunk_size=5000)
    }
    required = scoring.COMPLETENESS_REQUIRED
    now_ranks = _ranks({a: (c[0], c[1] >= required) for a, c in current.items()})
    then_ranks = _ranks({a: (r.overall.score, r.overall.is_complete) for a, r in results.items()})
    summary = PreviewSummary(accounts=len(results))
    for account_id, result in results.items():
        now = current.get(account_id, (None, 0.0, ""))
        summary.quadrant_changes += now[2] != result.quadrant
        summary.above_entry_now += now[0] is not None and now[1] >= required and now[0] >= entry_threshold
        summary.above_entry_then += (
            result.overall.score is not None
            and result.overall.is_complete
            and result.overall.score >= entry_threshold
        )
    # The lines worth reading: every key account, and the best candidates under the proposal.
    accounts = {
        a.pk: a
        for a in Account.objects.current().filter(
            pk__in=[a for a, r in then_ranks.items() if r <= PREVIEW_ROWS]
        )
        | Account.objects.current().key_accounts()
    }
    for account_id in sorted(accounts, key=lambda a: then_ranks.get(a, 10**9)):
        account, result = accounts[account_id], results.get(account_id)
        now = current.get(account_id, (None, 0.0, ""))
        summary.rows.append(
            Movement(
                account_id=account_id,
                name=account.name,
                status=account.get_status_display(),
                rank_now=now_ranks.get(account_id),
                rank_then=then_ranks.get(account_id),
                overall_now=now[0],
                overall_then=result.overall.score if result else None,
                quadrant_now=now[2],
                quadrant_then=result.quadrant if result else "",
            )
        )
    return summary


# --- Recompute runs --------------------------------------------------------------------------------


@dataclass
class RecomputePage:
    runs: list[RecomputeRun]
    running: RecomputeRun | None
    last_success: RecomputeRun | None


def recompute_page() -> RecomputePage:
    runs = list(RecomputeRun.objects.select_related("started_by")[:RUNS_SHOWN])
    running = next((r for r in runs if r.status == RecomputeStatus.RUNNING), None)
    last_success = next((r for r in runs if r.status == RecomputeStatus.SUCCEEDED), None)
    if last_success is None:
        last_success = RecomputeRun.objects.filter(status=RecomputeStatus.SUCCEEDED).first()
    return RecomputePage(runs=runs, running=running, last_success=last_success)
