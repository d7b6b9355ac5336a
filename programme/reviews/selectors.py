"""Reads for programme reviews: the list, a review's page and its comparison with the previous one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum
from django.shortcuts import get_object_or_404

from accounts import permissions
from accounts.models import LifecycleStatus
from programme.models import (
    AlignmentAssessment,
    AlignmentElement,
    Programme,
    ProgrammeReview,
    Quadrant,
    ReviewDecision,
    ReviewDecisionKind,
    ReviewEntry,
)
from programme.reviews.services import require_reviews

NEW_REVIEW_DAYS = 91  # a quarter, when no closed review says where the next one starts


@dataclass
class ReviewTotals:
    key_accounts: int
    candidates: int
    key_clv: Decimal | None  # None: no entry had the figure, shown as "—" rather than a false 0
    key_margin: Decimal | None
    average_key_score: Decimal | None


@dataclass
class ReviewComparison:
    previous: ProgrammeReview | None
    entries: list[ReviewEntry]  # accounts added by this review
    exits: list[ReviewEntry]  # accounts removed by this review
    movers: list[tuple[ReviewEntry, str]]  # (entry now, quadrant before) for accounts that moved
    totals: ReviewTotals
    previous_totals: ReviewTotals | None

    @property
    def moves(self) -> list[tuple[ReviewEntry, str]]:
        """(entry now, the quadrant it was in, as a label) for the accounts that moved."""
        labels = dict(Quadrant.choices)
        return [(entry, labels.get(before, before)) for entry, before in self.movers]


def _totals(review: ProgrammeReview) -> ReviewTotals:
    figures = review.entries.aggregate(
        key_accounts=Count("pk", filter=Q(lifecycle_status=LifecycleStatus.KEY)),
        candidates=Count("pk", filter=Q(lifecycle_status=LifecycleStatus.CANDIDATE)),
        key_clv=Sum("clv", filter=Q(lifecycle_status=LifecycleStatus.KEY)),
        key_margin=Sum("margin_after_cost_to_serve", filter=Q(lifecycle_status=LifecycleStatus.KEY)),
        score_sum=Sum("overall", filter=Q(lifecycle_status=LifecycleStatus.KEY, overall__isnull=False)),
        scored=Count("pk", filter=Q(lifecycle_status=LifecycleStatus.KEY, overall__isnull=False)),
    )
    average = figures["score_sum"] / figures["scored"] if figures["scored"] else None
    return ReviewTotals(
        key_accounts=figures["key_accounts"],
        candidates=figures["candidates"],
        key_clv=figures["key_clv"],
        key_margin=figures["key_margin"],
        average_key_score=average,
    )


def new_review_period(today: date) -> tuple[date, date]:
    """The period a new review proposes: from the day after the last closed review ended (never
    overlapping it) to today; a quarter back when there was none, or when the last one ended today."""
    last_end = ProgrammeReview.objects.closed().aggregate(end=Max("period_end"))["end"]
    if last_end is None or last_end >= today:
        return today - timedelta(days=NEW_REVIEW_DAYS), today
    return last_end + timedelta(days=1), today


def previous_review(review: ProgrammeReview) -> ProgrammeReview | None:
    return (
        ProgrammeReview.objects.closed()
        .exclude(pk=review.pk)
        .filter(Q(period_end__lt=review.period_end) | Q(period_end=review.period_end, pk__lt=review.pk))
        .order_by("-period_end", "-pk")
        .first()
    )


def review_comparison(review: ProgrammeReview, entries: list[ReviewEntry]) -> ReviewComparison:
    """Against the previous closed review: who entered, who left, who moved between quadrants, totals."""
    previous = previous_review(review)
    before = {}
    if previous:
        before = dict(previous.entries.filter(account__isnull=False).values_list("account_id", "quadrant"))
    decided = [e for e in entries if hasattr(e, "decision_or_none") and e.decision_or_none]
    movers = [
        (e, before[e.account_id])
        for e in entries
        if e.account_id in before
        and e.quadrant
        and before[e.account_id]
        and before[e.account_id] != e.quadrant
    ]
    return ReviewComparison(
        previous=previous,
        entries=[e for e in decided if e.decision_or_none.decision == ReviewDecisionKind.ADD],
        exits=[e for e in decided if e.decision_or_none.decision == ReviewDecisionKind.REMOVE],
        movers=movers,
        totals=_totals(review),
        previous_totals=_totals(previous) if previous else None,
    )


@dataclass
class ReviewPage:
    review: ProgrammeReview
    key_entries: list[ReviewEntry]
    candidate_entries: list[ReviewEntry]
    alignment: list[tuple[str, str, AlignmentAssessment | None]]
    comparison: ReviewComparison
    undecided: int
    overrides: int
    can_change: bool
    currency: str  # the reporting currency the entries' figures were frozen in

    @property
    def undecided_ids(self) -> list[int]:
        """The entries still waiting, as the page shows them: what "accept the recommendations" decides."""
        return [e.pk for e in [*self.key_entries, *self.candidate_entries] if e.decision_or_none is None]


def review_page(*, user, review_id: int) -> ReviewPage:
    """The review's frozen entries, decisions, 7S assessment and comparison, in a fixed number of queries."""
    require_reviews(user)
    review = get_object_or_404(ProgrammeReview.objects.select_related("opened_by", "closed_by"), pk=review_id)
    entries = list(review.entries.select_related("decision__decided_by").order_by("-overall", "account_name"))
    for entry in entries:
        entry.decision_or_none = getattr(entry, "decision", None) if _has_decision(entry) else None
    assessments = {a.element: a for a in review.alignment.all()}
    return ReviewPage(
        review=review,
        key_entries=[e for e in entries if e.is_key],
        candidate_entries=[e for e in entries if not e.is_key],
        alignment=[(e.value, e.label, assessments.get(e.value)) for e in AlignmentElement],
        comparison=review_comparison(review, entries),
        undecided=sum(1 for e in entries if e.decision_or_none is None),
        overrides=sum(1 for e in entries if e.decision_or_none and e.decision_or_none.is_override),
        can_change=not review.is_closed and permissions.can_run_reviews(user),
        currency=Programme.load().reporting_currency,
    )


def _has_decision(entry: ReviewEntry) -> bool:
    try:
        entry.decision  # noqa: B018 - filled by select_related; a missing one raises
    except ReviewDecision.DoesNotExist:
        return False
    return True


def review_list(*, user) -> list[ProgrammeReview]:
    require_reviews(user)
    return list(
        ProgrammeReview.objects.annotate(
            entry_count=Count("entries", distinct=True),
            decision_count=Count("decisions", distinct=True),
            override_count=Count("decisions", filter=Q(decisions__is_override=True), distinct=True),
        ).order_by("-period_end", "-pk")
    )
