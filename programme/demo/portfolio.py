"""Demo data for the portfolio pages: last quarter's closed programme review and the KAM team's skills.

Called with one line from programme/demo/seed.py; idempotent (a second seed adds nothing).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, LifecycleStatus
from kam.core.periods import add_months, month_start
from programme.models import (
    AlignmentAssessment,
    AlignmentElement,
    Programme,
    ProgrammeReview,
    ReviewDecision,
    ReviewDecisionKind,
    ReviewEntry,
    ReviewStatus,
    SkillsProfile,
    TrainingRecord,
)

ALIGNMENT = {  # (score, note): where the organisation stands behind the programme (seed 003)
    AlignmentElement.SHARED_VALUES: (4, "The board talks about partnerships, not deals."),
    AlignmentElement.STYLE: (3, "Sponsors visit, but mostly when there is a problem."),
    AlignmentElement.SKILLS: (2, "KAMs strong in selling, weaker in financial analysis."),
    AlignmentElement.STAFF: (3, "Two KAMs carry eight accounts each: too many."),
    AlignmentElement.STRATEGY: (4, "Key accounts are in the three-year plan."),
    AlignmentElement.STRUCTURE: (2, "Engineering answers resource requests last."),
    AlignmentElement.SYSTEMS: (3, "Margins per customer only since last year."),
}
SKILLS = {  # username: financial, consulting, planning, interpersonal, influencing
    "magda": (2, 4, 4, 5, 4),
    "oliver": (4, 3, 2, 4, 3),
    "anna": (3, 2, 3, 4, 2),
}
TRAININGS = [
    ("magda", "Customer profitability for KAMs", "financial", "Cranfield School of Management", 120),
    ("oliver", "Writing an account plan in a day", "planning", "In-house academy", 45),
    ("anna", "Influencing without authority", "influencing", "In-house academy", None),
]


@transaction.atomic
def seed_portfolio_demo(options, people) -> None:
    today = options.today
    _seed_last_review(today, people)
    _seed_team(today, people)


def _seed_last_review(today, people) -> None:
    # The last complete calendar quarter.
    quarter_start = month_start(today).replace(month=(today.month - 1) // 3 * 3 + 1)
    start, end = add_months(quarter_start, -3), quarter_start - timedelta(days=1)
    title = f"Q{(end.month - 1) // 3 + 1} {end.year}"
    if ProgrammeReview.objects.filter(title=title).exists():
        return
    programme = Programme.load()
    review = ProgrammeReview.objects.create(
        title=title, period_start=start, period_end=end, status=ReviewStatus.CLOSED,
        entry_threshold=programme.entry_threshold, exit_threshold=programme.exit_threshold,
        attractiveness_cutoff=programme.attractiveness_cutoff,
        relationship_cutoff=programme.relationship_cutoff,
        key_account_limit=programme.key_account_limit, opened_by=people["jan"], closed_by=people["jan"],
        applied_on=end, closed_at=timezone.now() - timedelta(days=(today - end).days),
        benchmark_notes="Siemens: every board member sponsors at least one key account.\n"
        "Xerox: fewer than 100 key accounts even at its size; we keep ours at 25.",
    )  # fmt: skip
    accounts = Account.objects.current().key_accounts().select_related("kam", "executive_sponsor")[:25]
    entries = ReviewEntry.objects.bulk_create(
        ReviewEntry(
            review=review, account=a, account_name=a.name, lifecycle_status=LifecycleStatus.KEY,
            kam_name=str(a.kam or ""), sponsor_name=str(a.executive_sponsor or ""),
        )
        for a in accounts
    )  # fmt: skip
    ReviewDecision.objects.bulk_create(
        ReviewDecision(
            review=review, entry=e, decision=ReviewDecisionKind.KEEP, decided_by=people["jan"],
            rationale="Meets the criteria; plan in place.",
        )
        for e in entries
    )  # fmt: skip
    AlignmentAssessment.objects.bulk_create(
        AlignmentAssessment(review=review, element=element, score=score, note=note)
        for element, (score, note) in ALIGNMENT.items()
    )


def _seed_team(today, people) -> None:
    for username, scores in SKILLS.items():
        user = people.get(username)
        if user is None or SkillsProfile.objects.filter(user=user).exists():
            continue
        financial, consulting, planning, interpersonal, influencing = scores
        SkillsProfile.objects.create(
            user=user, financial=financial, consulting=consulting, planning=planning,
            interpersonal=interpersonal, influencing=influencing, assessed_on=today - timedelta(days=60),
            assessed_by=people["jan"],
        )  # fmt: skip
    for username, course, skill, provider, days_ago in TRAININGS:
        user = people.get(username)
        if user is None or TrainingRecord.objects.filter(user=user, course=course).exists():
            continue
        completed = today - timedelta(days=days_ago) if days_ago is not None else None
        TrainingRecord.objects.create(
            user=user, course=course, skill=skill, provider=provider, completed_on=completed
        )
