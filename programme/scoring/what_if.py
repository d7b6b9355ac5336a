"""The what-if: every account scored with weights and thresholds the champion has not saved yet,
and how ranks and quadrants would move. Nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from accounts.models import Account
from programme.models import (
    AccountScore,
)
from programme.scoring import formulas as scoring
from programme.scoring.engine import (
    PREVIEW_CACHE_SECONDS,
    ScoringSettings,
    _drop_work_tables,
    gather,
    manual_entries,
    preview_cache_key,
    score_all,
    tuned_session,
)


def preview_scores(
    *, rules: list[scoring.CriterionRule], settings: ScoringSettings, today: date | None = None
) -> dict[int, scoring.AccountResult]:
    """Score every account under a proposed set of criteria, weights and thresholds; writes nothing.

    The champion tries several weightings in a row and only weights and thresholds change between
    them, so the gathered figures (the costly part: seconds at 100,000 accounts) are cached until the
    next recompute, keyed by what they depend on; the recompute leaves its own there.
    """
    today = today or timezone.localdate()
    key = preview_cache_key(rules, settings, today)
    gathered = cache.get(key)
    if gathered is None:
        with tuned_session():
            try:
                gathered = gather(rules=rules, settings=settings, today=today)
            finally:
                with connection.cursor() as cursor:
                    _drop_work_tables(cursor)
        cache.set(key, gathered, PREVIEW_CACHE_SECONDS)
    manual = manual_entries(rules=rules)
    scored = score_all(gathered, rules=rules, settings=settings, manual=manual, breakdown=False)
    return {s.result.account_id: s.result for s in scored}


PREVIEW_ROWS = 25


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
