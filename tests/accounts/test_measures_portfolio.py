"""Measures of many accounts at once and the programme's KPIs, against hand-worked numbers."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from accounts.measures.calculations import last_full_quarters
from accounts.measures.selectors import measures_by_account, programme_measures, programme_retention
from accounts.models import LifecycleChange, LifecycleStatus
from kam.core.periods import add_months, trailing_twelve_months
from programme.models import Programme
from tests.accounts.measures_factories import (
    InvestmentFactory,
    StageChangeFactory,
    SurveyFactory,
    WalletEstimateFactory,
)
from tests.factories import AccountFactory, ExchangeRateFactory, FinancialPeriodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def measured(account, other_account):
    """Baltic Steel (PLN at 0.25) fully measured; Lyon Chimie (EUR) with a stage only."""
    ExchangeRateFactory(currency="PLN", rate=D("0.25"))
    today = timezone.localdate()
    for nps in (10, 10, 9, 7, 3):
        SurveyFactory(account=account, surveyed_on=today - timedelta(days=5), nps=nps, csat=4)
    start, _end = trailing_twelve_months(today)
    quarters = last_full_quarters(today, 4)
    months = {add_months(start, m) for m in range(12)} | {add_months(quarters[0], m) for m in range(12)}
    for month in months:
        FinancialPeriodFactory(account=account, period=month, revenue=D("1000"), gross_margin=D("300"),
                               cost_to_serve=D("50"))  # fmt: skip
    WalletEstimateFactory(account=account, amount=D("48000"), currency="PLN", estimated_on=today)
    for quarter in quarters:
        InvestmentFactory(account=account, period_start=quarter)  # 1,000 PLN a quarter
    StageChangeFactory(account=account, stage="integrated")
    StageChangeFactory(account=other_account, stage="basic")
    return measures_by_account([account.pk, other_account.pk], rates=Programme.load().rate_table())


def test_measures_of_many_accounts_match_the_hand_worked_numbers(measured, account, other_account):
    baltic = measured[account.pk]
    assert (baltic.nps, baltic.csat) == (D("40.0"), D("4.0"))
    assert baltic.share_of_wallet == D("0.2500")  # 12,000 of 48,000 PLN
    # margin after cost-to-serve 12 x 250 PLN = 750 EUR, invested 4 x 1,000 PLN = 1,000 EUR
    assert (baltic.yearly_margin, baltic.yearly_investment) == (D("750.00"), D("1000.00"))
    assert baltic.return_on_investment == D("-0.2500")
    assert baltic.relationship_stage_label == "Integrated" and baltic.relationship_stage_rank == 5
    lyon = measured[other_account.pk]
    assert lyon.nps is None and lyon.share_of_wallet is None and lyon.return_on_investment is None
    assert lyon.relationship_stage == "basic"


def test_measures_of_many_accounts_take_a_fixed_number_of_queries(
    measured, account, programme, django_assert_num_queries
):
    more = [AccountFactory(key=True).pk for _ in range(10)]
    with django_assert_num_queries(7):
        measures_by_account([account.pk, *more], rates=Programme.load().rate_table())


def test_accounts_with_no_wallet_estimate_or_investment_have_their_months_left_unread(
    account, programme, django_assert_num_queries
):
    # Months are read only to divide a wallet estimate or an investment: an API page of accounts
    # without either reads none (surveys, stages, wallet estimates, investments).
    more = [AccountFactory(key=True) for _ in range(10)]
    for each in more:
        FinancialPeriodFactory(account=each, period=trailing_twelve_months()[0], revenue=D("1000"))
    rates = Programme.load().rate_table()
    with django_assert_num_queries(4):
        figures = measures_by_account([a.pk for a in more], rates=rates)
    assert all(f.share_of_wallet is None and f.return_on_investment is None for f in figures.values())


def test_programme_kpis_average_nps_total_return_and_stage_distribution(measured):
    kpis = programme_measures(measured, rates=Programme.load().rate_table())
    assert kpis.average_nps == D("40.0")
    assert (kpis.total_investment, kpis.total_margin, kpis.return_on_investment) == (
        D("1000.00"),
        D("750.00"),
        D("-0.2500"),
    )
    stages = {stage: n for stage, _label, n in kpis.stages}
    assert stages["integrated"] == 1 and stages["basic"] == 1 and stages["cooperative"] == 0


def test_retention_is_the_share_of_last_years_key_accounts_still_key(db):
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
    key_share, _revenue = programme_retention(today=today, rates=Programme.load().rate_table())
    assert key_share == D("0.6667")  # 2 of the 3 key a year ago


def test_candidates_revenue_retained_is_capped_per_account(db):
    today = timezone.localdate()
    start, _end = trailing_twelve_months(today)
    grew, shrank, lost = (AccountFactory(currency="EUR") for _ in range(3))
    for account, before, now in [(grew, "100", "150"), (shrank, "200", "50"), (lost, "100", None)]:
        FinancialPeriodFactory(account=account, period=add_months(start, -6), revenue=D(before))
        if now:
            FinancialPeriodFactory(account=account, period=add_months(start, 6), revenue=D(now))
    AccountFactory(key=True)  # key accounts are not candidates
    _keys, revenue = programme_retention(today=today, rates=Programme.load().rate_table())
    assert revenue == D("0.3750")  # (100 + 50 + 0) / 400
