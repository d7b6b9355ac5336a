"""The measures as metrics in the scoring registry: computed for all accounts by the recompute."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import ExchangeRate, FinancialPeriod, RelationshipStage
from programme.models import AccountScore
from programme.scoring import engine, metrics
from tests.accounts.measures_factories import (
    InvestmentFactory,
    StageChangeFactory,
    SurveyFactory,
    WalletEstimateFactory,
)
from tests.factories import AccountFactory
from tests.programme.factories import CriterionFactory, monthly_figures

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)
MEASURES = [
    "nps",
    "csat",
    "repeat_order_rate",
    "share_of_wallet",
    "relationship_stage",
    "return_on_investment",
]


@pytest.fixture
def world(programme):
    """A PLN account (0.25 EUR) with 24 flat months, surveys, orders, a wallet, a stage and investment."""
    ExchangeRate.objects.create(currency="PLN", valid_from=date(2020, 1, 1), rate=Decimal("0.25"))
    account = AccountFactory(name="Baltic Steel", currency="PLN", key=True)
    bare = AccountFactory(name="Nothing measured")
    monthly_figures(account)  # revenue 1000, margin 300, cost-to-serve 50 a month
    # Ordered in 9 of the last 12 months.
    last_year = FinancialPeriod.objects.filter(account=account).order_by("-period")[:12]
    for n, period in enumerate(last_year):
        FinancialPeriod.objects.filter(pk=period.pk).update(order_count=0 if n % 4 == 0 else 2)
    for nps, csat in [(10, 4), (10, 5), (9, None), (7, None), (3, None)]:
        SurveyFactory(account=account, surveyed_on=date(2026, 6, 1), nps=nps, csat=csat)
    SurveyFactory(account=account, surveyed_on=date(2025, 6, 1), nps=0, csat=1)  # before the 12 months
    WalletEstimateFactory(account=account, amount=Decimal("48000"), currency="PLN")
    StageChangeFactory(account=account, stage=RelationshipStage.INTERDEPENDENT)
    for quarter in [
        date(2025, 10, 1),
        date(2026, 1, 1),
        date(2026, 4, 1),
        date(2026, 7, 1),
        date(2026, 10, 1),
    ]:
        InvestmentFactory(account=account, period_start=quarter)  # 1,000 PLN each
    criteria = {name: CriterionFactory(name=name, metric=name) for name in MEASURES}
    return {"account": account, "bare": bare, "criteria": criteria}


def test_every_measure_is_in_the_registry():
    assert set(MEASURES) <= set(metrics.REGISTRY)


def test_the_recompute_measures_each_account_against_hand_worked_numbers(world):
    engine.recompute_scores(today=TODAY)
    breakdown = AccountScore.objects.get(account=world["account"]).breakdown
    value = {name: breakdown[str(c.pk)][0] for name, c in world["criteria"].items()}
    assert value["nps"] == pytest.approx(40.0)  # (3 promoters - 1 detractor) / 5
    assert value["csat"] == pytest.approx(4.5)
    assert value["repeat_order_rate"] == pytest.approx(75.0)  # 9 of 12 months
    # 12,000 PLN of revenue against 48,000 PLN of spend in our categories
    assert value["share_of_wallet"] == pytest.approx(25.0)
    assert value["relationship_stage"] == 4
    # last four full quarters: margin after cost-to-serve 12 x 250 = 3,000 PLN, invested 4 x 1,000 PLN
    assert value["return_on_investment"] == pytest.approx(-25.0)


def test_an_account_without_measures_is_missing_on_them_not_zero(world):
    engine.recompute_scores(today=TODAY)
    breakdown = AccountScore.objects.get(account=world["bare"]).breakdown
    assert all(breakdown[str(c.pk)][0] is None for c in world["criteria"].values())


def test_the_registry_names_the_recomputes_financials_table():
    assert metrics._FINANCIALS == engine.FINANCIALS_TABLE
