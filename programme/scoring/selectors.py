"""Reads for the score card (overall, groups, CLV and its inputs, breakdown, trend) and the recompute page."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from programme.dashboard.matrix import MatrixPoint, layout_matrix
from programme.dashboard.picture import MatrixPicture, matrix_picture
from programme.dashboard.selectors import account_url_maker
from programme.models import (
    SCORE_HISTORY_DAYS,
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
from programme.scoring import metrics, what_if

TREND_WIDTH, TREND_HEIGHT = 240, 60


RUNS_SHOWN = 10


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


def _data_line(item) -> tuple[float | None, float | None]:
    """(value, 0-10) of a criterion scored from data, from the stored breakdown: [value, score]
    (a row written before the breakdown was compact holds {"value": ..., "score": ...})."""
    if isinstance(item, list) and len(item) == 2:
        return item[0], item[1]
    if isinstance(item, dict):
        return item.get("value"), item.get("score")
    return None, None


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
        entry = manual.get(criterion.pk)
        stale = entry is not None and scoring.is_stale(entry.scored_on, today)
        if criterion.source == ScoringSource.MANUAL:
            stale_count += stale
            missing += entry is None
            value = None if entry is None else float(entry.score)
            earned = None if entry is None or stale else round(float(entry.score), 2)
        else:
            value, earned = _data_line(breakdown.get(str(criterion.pk)))
        metric = metrics.get(criterion.metric)
        groups.setdefault(criterion.group, []).append(
            CriterionLine(
                criterion=criterion,
                value=value,
                score=earned,
                manual=entry,
                stale=stale,
                unit=metric.unit if metric else "",
            )
        )
    snapshots = list(
        ScoreSnapshot.objects.filter(account=account, taken_on__gt=today - timedelta(days=SCORE_HISTORY_DAYS))
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


# --- The what-if ----------------------------------------------------------------------------------

# An account whose point moves less than this (pixels) gets no arrow: it reads as standing still.
ARROW_MIN_PIXELS = 3.0


@dataclass
class WhatIfPage:
    preview: what_if.Preview
    before: MatrixPicture
    after: MatrixPicture


def _matrix_points(changes: list[what_if.Change], side: str, url) -> list[MatrixPoint]:
    points = []
    for change in changes:
        position = getattr(change, side)
        points.append(
            MatrixPoint(
                account_id=change.account_id,
                name=change.name,
                attractiveness=position.attractiveness,
                relationship=position.relationship,
                clv=change.clv,
                status=change.status,
                quadrant=position.quadrant,
                recommendation=change.recommendation,
                url=url(change.account_id),
            )
        )
    return points


def what_if_page(*, programme: Programme, proposed: what_if.Side, page: int = 1) -> WhatIfPage:
    """The what-if's answer: counts, this page of the complete list of changes, and the 4S matrix
    now and with the proposal (key accounts and the accounts that change), arrows from now to then.
    Three queries (the saved criteria, the last run's day and criterion order, the scoring statement),
    whatever the number of accounts."""
    current = what_if.saved_side(programme)
    preview = what_if.preview(current=current, proposed=proposed, page=page)
    url = account_url_maker()
    before = layout_matrix(
        _matrix_points(preview.points, "current", url),
        attractiveness_cutoff=current.attractiveness_cutoff,
        relationship_cutoff=current.relationship_cutoff,
    )
    after = layout_matrix(
        _matrix_points(preview.points, "proposed", url),
        attractiveness_cutoff=proposed.attractiveness_cutoff,
        relationship_cutoff=proposed.relationship_cutoff,
    )
    was = {placed.point.account_id: (placed.cx, placed.cy) for placed in before.points}
    changed = {c.account_id for c in preview.points if c.position is not None}
    moved_from = {
        placed.point.account_id: was[placed.point.account_id]
        for placed in after.points
        if placed.point.account_id in was
        and (
            placed.point.account_id in changed
            or math.dist(was[placed.point.account_id], (placed.cx, placed.cy)) >= ARROW_MIN_PIXELS
        )
    }
    currency = programme.reporting_currency
    return WhatIfPage(
        preview=preview,
        before=matrix_picture(before, currency, name="what-if-now", title=_("The 4S matrix now")),
        after=matrix_picture(
            after,
            currency,
            name="what-if-then",
            title=_("The 4S matrix with these settings"),
            moved_from=moved_from,
            highlighted=changed,
        ),
    )
