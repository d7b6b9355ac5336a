"""The programme's retention read from the score rows equals the one read from every account's
lifecycle and months (accounts.measures.selectors.programme_retention), and the dashboard's measures
fragment reads no monthly figures."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.measures.selectors import programme_retention
from accounts.models import LifecycleChange, LifecycleStatus
from kam.core.periods import add_months, trailing_twelve_months
from programme.measures.selectors import stored_retention
from programme.models import Programme
from programme.scoring import engine
from tests.factories import AccountFactory, FinancialPeriodFactory

pytestmark = pytest.mark.django_db


def test_key_accounts_kept_from_the_stored_status_a_year_ago(programme):
    today = date(2026, 11, 23)
    AccountFactory(status=LifecycleStatus.KEY, key_since=date(2024, 1, 1))
    AccountFactory(status=LifecycleStatus.KEY, key_since=date(2025, 3, 1))
    gone = AccountFactory(
        status=LifecycleStatus.EXITED, key_since=date(2024, 1, 1), exited_on=date(2026, 5, 1)
    )
    LifecycleChange.objects.create(
        account=gone, from_status="candidate", to_status="key", effective_on=date(2024, 1, 1)
    )
    LifecycleChange.objects.create(
        account=gone, from_status="key", to_status="exited", effective_on=date(2026, 5, 1)
    )
    AccountFactory(status=LifecycleStatus.KEY, key_since=date(2026, 6, 1))  # new this year: does not count
    engine.recompute_scores(today=today)
    key_share, _revenue = stored_retention()
    assert (
        key_share == D("0.6667") == programme_retention(today=today, rates=Programme.load().rate_table())[0]
    )


def test_candidates_revenue_kept_from_the_stored_years(programme):
    start, _end = trailing_twelve_months(timezone.localdate())
    grew, shrank, lost = (AccountFactory(currency="EUR") for _ in range(3))
    for account, before, now in [(grew, "100", "150"), (shrank, "200", "50"), (lost, "100", None)]:
        FinancialPeriodFactory(account=account, period=add_months(start, -6), revenue=D(before))
        if now:
            FinancialPeriodFactory(account=account, period=add_months(start, 6), revenue=D(now))
    AccountFactory(key=True)  # key accounts are not candidates
    engine.recompute_scores()
    _keys, revenue = stored_retention()
    assert revenue == D("0.3750")  # (100 + 50 + 0) / 400
    assert revenue == programme_retention(today=timezone.localdate(), rates=Programme.load().rate_table())[1]


def test_the_measures_fragment_reads_no_monthly_figures(client, champion, programme):
    engine.recompute_scores()
    client.force_login(champion)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("portfolio:dashboard"), {"partial": "measures"})
    assert response.status_code == 200
    assert not [q for q in queries if "accounts_financialperiod" in q["sql"] or "lifecyclechange" in q["sql"]]
