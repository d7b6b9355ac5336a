"""Programme reviews (DOMAIN.md, step 7): open (freeze), decide, assess the 7S, apply and close.

Every write is a service here, one transaction each, refused on a closed review: a closed review is
a record of what was decided and why, and never changes.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts import permissions
from accounts.models import LifecycleStatus
from kam.core.versions import StaleVersion, save_if_unchanged
from programme.dashboard import selectors as dashboard
from programme.models import (
    AlignmentAssessment,
    AlignmentElement,
    Programme,
    ProgrammeReview,
    Recommendation,
    ReviewDecision,
    ReviewDecisionKind,
    ReviewEntry,
    ReviewStatus,
)
from programme.services import lifecycle_change

# Candidates frozen besides every key account: all proposed for entry among the leading ones.
REVIEW_CANDIDATES = 25


# What each decision does to the account's lifecycle, and what the recommendation would have done.
OUTCOME = {
    ReviewDecisionKind.ADD: "enter",
    ReviewDecisionKind.KEEP: "stay",
    ReviewDecisionKind.WATCH: "stay",
    ReviewDecisionKind.REMOVE: "exit",
}


RECOMMENDED_OUTCOME = {Recommendation.ADD: "enter", Recommendation.REVIEW_FOR_EXIT: "exit"}


DECISIONS_FOR = {
    "key": (ReviewDecisionKind.KEEP, ReviewDecisionKind.WATCH, ReviewDecisionKind.REMOVE),
    "candidate": (ReviewDecisionKind.ADD, ReviewDecisionKind.KEEP, ReviewDecisionKind.WATCH),
}


# The decision that follows the recommendation; anything else recommended keeps the account where it is.
RECOMMENDED_DECISION = {
    "key": {
        Recommendation.REVIEW_FOR_EXIT: ReviewDecisionKind.REMOVE,
        Recommendation.WATCH: ReviewDecisionKind.WATCH,
    },
    "candidate": {Recommendation.ADD: ReviewDecisionKind.ADD, Recommendation.WATCH: ReviewDecisionKind.WATCH},
}


def recommended_decision(entry: ReviewEntry) -> str:
    return RECOMMENDED_DECISION["key" if entry.is_key else "candidate"].get(
        entry.recommendation, ReviewDecisionKind.KEEP
    )


def require_reviews(user) -> None:
    """Refuse with 403 unless `user` is the champion: this page and its changes are theirs."""
    if not permissions.can_run_reviews(user):
        raise PermissionDenied(_("Programme reviews are the KAM champion's."))


def _require_open(review: ProgrammeReview) -> None:
    if review.is_closed:
        raise ValidationError(_("This review is closed: it can be read, never changed."))


def is_override(entry: ReviewEntry, decision: str) -> bool:
    """A decision is an override when it moves the account differently from the recommendation."""
    return OUTCOME[decision] != RECOMMENDED_OUTCOME.get(entry.recommendation, "stay")


@transaction.atomic
def review_open(*, title: str, period_start: date, period_end: date, by) -> ProgrammeReview:
    """Open a review and freeze every key account and the leading candidates as they stand today."""
    require_reviews(by)
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Name the review, e.g. “Q4 2026”.")
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = _("The period must end after it starts.")
    if ProgrammeReview.objects.still_open().exists():
        errors["__all__"] = _("Another review is still open: apply and close it first.")
    if errors:
        raise ValidationError(errors)
    programme = Programme.load()
    review = ProgrammeReview(
        title=title,
        period_start=period_start,
        period_end=period_end,
        entry_threshold=programme.entry_threshold,
        exit_threshold=programme.exit_threshold,
        attractiveness_cutoff=programme.attractiveness_cutoff,
        relationship_cutoff=programme.relationship_cutoff,
        key_account_limit=programme.key_account_limit,
        opened_by=by,
    )
    review.full_clean()
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as error:  # two champions opening at once: the constraint keeps one
        raise ValidationError(_("Another review is still open: apply and close it first.")) from error
    ReviewEntry.objects.bulk_create(_frozen_entries(review, programme))
    return review


def _frozen_entries(review: ProgrammeReview, programme: Programme) -> list[ReviewEntry]:
    today = timezone.localdate()
    rows = dashboard.dashboard_key_rows(today=today)
    candidates = dashboard.top_candidates(today, REVIEW_CANDIDATES)
    proposed = dashboard.top_candidates(today, dashboard.MATRIX_CANDIDATES, recommended_only=True)
    by_id = {s.account_id: s for s in [*candidates, *proposed]}
    items = dashboard.recommendations(programme, rows, list(by_id.values()), today)
    reasons = {item.account_id: item.reason for item in items}
    entries = []
    for row in rows:
        score = row.score
        entries.append(
            ReviewEntry(
                review=review, account=row.account, account_name=row.account.name,
                lifecycle_status=LifecycleStatus.KEY,
                kam_name=str(row.account.kam or ""), sponsor_name=str(row.account.executive_sponsor or ""),
                attractiveness=score.attractiveness if score else None,
                relationship=score.relationship if score else None,
                overall=row.overall, overall_trend=row.trend, clv=row.clv,
                margin_after_cost_to_serve=row.margin_after_cost_to_serve,
                quadrant=row.quadrant, recommendation=score.recommendation if score else Recommendation.NONE,
                recommendation_reason=reasons.get(row.account.pk, "")[:300],
                plan_status=row.plan_status, decision_makers=row.decision_makers,
                contacts_90_days=row.active_contacts, last_executive_visit=row.last_executive_visit,
            )
        )  # fmt: skip
    for score in by_id.values():
        account = score.account
        trend = score.overall - score.overall_before if score.overall_before is not None else None
        entries.append(
            ReviewEntry(
                review=review, account=account, account_name=account.name,
                lifecycle_status=LifecycleStatus.CANDIDATE,
                attractiveness=score.attractiveness, relationship=score.relationship, overall=score.overall,
                overall_trend=trend, clv=score.clv,
                margin_after_cost_to_serve=(score.clv_margin - (score.clv_cost_to_serve or 0))
                if score.clv_margin is not None else None,
                quadrant=score.quadrant, recommendation=score.recommendation,
                recommendation_reason=reasons.get(account.pk, "")[:300],
            )
        )  # fmt: skip
    return entries


@transaction.atomic
def review_decide(
    *,
    review: ProgrammeReview,
    entry: ReviewEntry,
    decision: str,
    rationale: str,
    override_reason: str = "",
    expected_version: int | None = None,
    by,
) -> ReviewDecision:
    """Record (or change) the decision on one entry; against the recommendation it needs its reason."""
    require_reviews(by)
    review = ProgrammeReview.objects.select_for_update().get(pk=review.pk)
    _require_open(review)
    if entry.review_id != review.pk:
        raise ValidationError(_("This account is not part of this review."))
    errors = {}
    rationale, override_reason = (rationale or "").strip(), (override_reason or "").strip()
    allowed = DECISIONS_FOR["key" if entry.is_key else "candidate"]
    if decision not in allowed:
        errors["decision"] = _("For a %(status)s choose one of: %(choices)s.") % {
            "status": _("key account") if entry.is_key else _("candidate"),
            "choices": ", ".join(str(ReviewDecisionKind(d).label).lower() for d in allowed),
        }
    if not rationale:
        errors["rationale"] = _("Say why: the rationale stays with the review.")
    override = decision in OUTCOME and is_override(entry, decision)
    if override and not override_reason:
        errors["override_reason"] = _(
            "This goes against the recommendation (%(recommendation)s): record the override reason."
        ) % {"recommendation": entry.get_recommendation_display().lower()}
    if errors:
        raise ValidationError(errors)
    values = {
        "decision": decision,
        "rationale": rationale,
        "is_override": override,
        "override_reason": override_reason if override else "",
        "decided_by": by,
        "decided_at": timezone.now(),
    }
    existing = ReviewDecision.objects.filter(entry=entry).first()
    if existing is None:
        if expected_version:  # the form was opened on a decision someone has since removed
            raise ValidationError(_("This decision changed meanwhile; reload the review."))
        decision = ReviewDecision(review=review, entry=entry, **values)
        decision._history_user = by
        try:
            with transaction.atomic():
                decision.save()
                return decision
        except IntegrityError as error:  # decided by someone else a moment ago
            raise StaleVersion(ReviewDecision.objects.get(entry=entry)) from error
    if expected_version is None:
        raise StaleVersion(existing)  # someone decided after this form was opened
    for name, value in values.items():
        setattr(existing, name, value)
    save_if_unchanged(existing, expected_version=expected_version, fields=list(values))
    ReviewDecision.history.bulk_history_create([existing], update=True, default_user=by)
    return existing


@transaction.atomic
def review_accept_recommendations(*, review: ProgrammeReview, entry_ids, by) -> int:
    """Decide every undecided entry among `entry_ids` (those the champion saw) as recommended.

    Entries decided meanwhile, by this champion or another, keep their decision: nothing is replaced,
    so no version can be stale. The exceptions are then changed one by one. Answers how many were decided.
    """
    require_reviews(by)
    review = ProgrammeReview.objects.select_for_update().get(pk=review.pk)
    _require_open(review)
    entries = list(review.entries.filter(pk__in=list(entry_ids), decision__isnull=True).order_by("pk"))
    now = timezone.now()
    decisions = []
    for entry in entries:
        recommendation = entry.get_recommendation_display()
        reason = entry.recommendation_reason or recommendation
        decision = ReviewDecision(
            review=review,
            entry=entry,
            decision=recommended_decision(entry),
            rationale=_("Recommendation accepted: %(reason)s") % {"reason": reason},
            decided_by=by,
            decided_at=now,
        )
        decision.full_clean(exclude=["review", "entry"])
        decisions.append(decision)
    bulk_create_with_history(decisions, ReviewDecision, default_user=by, default_date=now)
    return len(decisions)


@transaction.atomic
def review_assess(
    *,
    review: ProgrammeReview,
    scores: dict[str, tuple[int, str]],
    benchmark_notes: str,
    expected_version: int | None,
    by,
) -> ProgrammeReview:
    """Score the seven elements of internal alignment (1-5, with a note) and keep the benchmark notes.

    Refused (StaleVersion) when someone saved the review since `expected_version`: the assessment is
    one whole, and a second champion's save would silently replace the first's.
    """
    require_reviews(by)
    given = review
    review = ProgrammeReview.objects.select_for_update().get(pk=review.pk)
    _require_open(review)
    if review.version != expected_version:
        raise StaleVersion(review)
    errors = {}
    for element, (score, _note) in scores.items():
        if element not in AlignmentElement.values:
            errors["__all__"] = _("Unknown alignment element.")
        elif score is None or not 1 <= int(score) <= 5:
            errors[f"{element}_score"] = _("Score %(element)s from 1 to 5.") % {
                "element": AlignmentElement(element).label
            }
    if errors:
        raise ValidationError(errors)
    for element, (score, note) in scores.items():
        AlignmentAssessment.objects.update_or_create(
            review=review, element=element, defaults={"score": int(score), "note": (note or "").strip()}
        )
    review.benchmark_notes = (benchmark_notes or "").strip()
    review.version += 1
    review.save(update_fields=["benchmark_notes", "version"])
    given.benchmark_notes, given.version = review.benchmark_notes, review.version
    return review


@transaction.atomic
def review_apply(*, review: ProgrammeReview, by, effective_on: date | None = None) -> ProgrammeReview:
    """Apply every decision to the accounts' lifecycles and close the review, all or nothing."""
    require_reviews(by)
    review = ProgrammeReview.objects.select_for_update().get(pk=review.pk)
    _require_open(review)
    effective_on = effective_on or timezone.localdate()
    undecided = review.entries.filter(decision__isnull=True).count()
    assessed = review.alignment.count()
    errors = []
    if undecided:
        errors.append(_("%(count)s accounts still wait for a decision.") % {"count": undecided})
    if assessed < len(AlignmentElement.values):
        errors.append(_("Score all seven elements of internal alignment first."))
    if errors:
        raise ValidationError(errors)
    decisions = review.decisions.select_related("entry__account").filter(
        decision__in=[ReviewDecisionKind.ADD, ReviewDecisionKind.REMOVE]
    )
    for decision in decisions:
        account = decision.entry.account
        if account is None:
            continue  # deleted since the review opened: nothing left to move
        reason = _("Programme review %(review)s: %(why)s") % {
            "review": review.title,
            "why": decision.rationale,
        }
        if decision.decision == ReviewDecisionKind.ADD:
            lifecycle_change(
                account=account,
                to_status=LifecycleStatus.KEY,
                effective_on=effective_on,
                reason=reason,
                override_reason=decision.override_reason,
                by=by,
            )
        else:
            lifecycle_change(
                account=account,
                to_status=LifecycleStatus.EXITED,
                effective_on=effective_on,
                reason=reason,
                by=by,
            )
    review.status = ReviewStatus.CLOSED
    review.applied_on = effective_on
    review.closed_at = timezone.now()
    review.closed_by = by
    review.version += 1
    review.save()
    return review
