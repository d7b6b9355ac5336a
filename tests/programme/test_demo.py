"""The demo programme ships default criteria in both groups and a history to trend on."""

from datetime import date, timedelta

import pytest

from accounts.demo import DemoOptions, seed
from accounts.models import Account
from programme.models import AccountScore, Criterion, ManualScore, RecomputeRun, ScoreSnapshot

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
