"""The demo programme ships default criteria in both groups and a history to trend on."""

from datetime import date, timedelta

import pytest

from accounts.demo.records import DemoOptions
from accounts.models import Account
from programme.dashboard.selectors import portfolio_dashboard
from programme.demo.seed import seed
from programme.models import (
    AccountScore,
    Criterion,
    ManualScore,
    Quadrant,
    Recommendation,
    RecomputeRun,
    ScoreSnapshot,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


def test_demo_seeds_criteria_scores_and_four_months_of_daily_snapshots():
    seed(DemoOptions(accounts=40, key_accounts=15, months=24, seed=7, chunk_size=20, today=TODAY))
    groups = set(Criterion.objects.values_list("group", flat=True))
    assert groups == {"attractiveness", "relationship"}
    assert (
        Criterion.objects.filter(source="manual").exists()
        and Criterion.objects.filter(source="data").exists()
    )
    assert AccountScore.objects.count() == Account.objects.current().count()
    baltic = Account.objects.get(name="Baltic Steel")
    days = ScoreSnapshot.objects.filter(account=baltic).values_list("taken_on", flat=True)
    assert min(days) == TODAY - timedelta(days=120) and max(days) == TODAY and len(days) == 121
    assert ManualScore.objects.filter(account=baltic).exists()
    assert RecomputeRun.objects.filter(status="succeeded").count() == 2
    # The history reaches back past the window, so key accounts get keep/watch/review advice.
    assert set(
        AccountScore.objects.filter(account__status="key").values_list("recommendation", flat=True)
    ) - {"none"}


def test_the_full_demo_proposes_a_handful_for_entry_flags_key_accounts_and_fills_every_quadrant():
    people = seed(DemoOptions(today=TODAY))  # the demo `seed_demo` loads: 15 key accounts, 500 candidates
    scores = AccountScore.objects.filter(account__status="candidate")
    proposed = scores.filter(recommendation=Recommendation.ADD).count()
    assert 3 <= proposed <= 20, "a programme proposes a handful of entries, not every big customer"
    flagged = set(AccountScore.objects.filter(account__status="key").values_list("recommendation", flat=True))
    assert {Recommendation.REVIEW_FOR_EXIT, Recommendation.WATCH} <= flagged
    board = portfolio_dashboard(user=people["jan"], today=TODAY)
    assert {placed.point.quadrant for placed in board.matrix.points} == set(Quadrant.values)
    entries = [item for item in board.recommendations if item.recommendation == Recommendation.ADD]
    assert len(entries) == proposed
