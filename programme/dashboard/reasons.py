"""Why the recompute recommends what it does, in a sentence: the dashboard's list and a review's entries.

The reason reads the same figures the recommendation weighed (formulas.recommendation): the score,
whether it is complete enough to judge, and how many snapshots of the window sat past a threshold.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import LifecycleStatus
from programme.models import (
    COMPLETENESS_REQUIRED,
    PORTFOLIO_SCORE_TREND_DAYS,
    Programme,
    Recommendation,
    ScoreSnapshot,
)


def window_counts(account_ids: list[int], programme: Programme, today: date) -> dict[int, dict]:
    """Per account: snapshots in the recommendation window, and how many sat past each threshold."""
    if not account_ids:
        return {}
    since = today - timedelta(days=programme.recommendation_window_days)
    counts = (
        ScoreSnapshot.objects.filter(account_id__in=account_ids, taken_on__gt=since, overall__isnull=False)
        .values("account_id")
        .annotate(
            total=Count("pk"),
            above_entry=Count("pk", filter=Q(overall__gte=programme.entry_threshold)),
            below_entry=Count("pk", filter=Q(overall__lt=programme.entry_threshold)),
            below_exit=Count("pk", filter=Q(overall__lt=programme.exit_threshold)),
        )
    )
    return {c["account_id"]: c for c in counts}


ABOVE_ENTRY = (
    "above_entry",
    gettext_lazy(
        "Overall %(overall)s; at or above the entry threshold %(entry)s "
        "in %(count)s of %(total)s snapshots of the last %(days)s days."
    ),
)
BELOW_ENTRY = (
    "below_entry",
    gettext_lazy(
        "Overall %(overall)s; below the entry threshold %(entry)s "
        "in %(count)s of %(total)s snapshots of the last %(days)s days."
    ),
)
REASONS = {
    Recommendation.ADD: ABOVE_ENTRY,
    Recommendation.REVIEW_FOR_EXIT: ("below_exit", gettext_lazy(
        "Overall %(overall)s; below the exit threshold %(exit)s "
        "in %(count)s of %(total)s snapshots of the last %(days)s days."
    )),
    Recommendation.WATCH: BELOW_ENTRY,
}  # fmt: skip
# A candidate above the line that is not proposed: it has not stayed there for the whole window.
NOT_HELD = ("above_entry", gettext_lazy(
    "Overall %(overall)s; at or above the entry threshold %(entry)s in only %(count)s of %(total)s "
    "snapshots of the last %(days)s days: not proposed until it holds for the whole window."
))  # fmt: skip
INCOMPLETE = gettext_lazy(
    "Overall %(overall)s from an incomplete score: %(share)s %% of the criteria's weight is scored, "
    "%(required)s %% is needed. It cannot be judged until the rest is scored."
)


def score_is_incomplete(completeness) -> bool:
    return completeness is not None and completeness < COMPLETENESS_REQUIRED


def recommendation_reason(
    recommendation: str, overall, trend, counts: dict, programme: Programme, *, status: str, completeness
) -> str:
    """The sentence beside a recommendation; it says first when the score is too incomplete to judge."""
    shown = f"{overall:.0f}" if overall is not None else "—"
    if score_is_incomplete(completeness):
        text = str(INCOMPLETE) % {
            "overall": shown,
            "share": f"{completeness * 100:.0f}",
            "required": f"{COMPLETENESS_REQUIRED * 100:.0f}",
        }
    else:
        counted, template = REASONS.get(recommendation, BELOW_ENTRY)
        entering = status == LifecycleStatus.CANDIDATE and recommendation != Recommendation.ADD
        if entering and overall is not None and overall >= programme.entry_threshold:
            counted, template = NOT_HELD
        text = str(template) % {
            "overall": shown,
            "entry": f"{programme.entry_threshold:.0f}",
            "exit": f"{programme.exit_threshold:.0f}",
            "days": programme.recommendation_window_days,
            "total": counts.get("total", 0),
            "count": counts.get(counted, 0),
        }
    if trend is not None:
        text += " " + _("Trend over %(days)s days: %(trend)+.0f.") % {
            "days": PORTFOLIO_SCORE_TREND_DAYS,
            "trend": trend,
        }
    return text
