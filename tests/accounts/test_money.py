"""Currency conversion to the programme's reporting currency and the trailing-12-month figures."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import ExchangeRate
from accounts.selectors import summarise_financials
from kam.core.money import MissingExchangeRate
from tests.factories import AccountFactory, ExchangeRateFactory, FinancialPeriodFactory

pytestmark = pytest.mark.django_db


def test_the_rate_in_force_is_the_latest_before_the_day():
    ExchangeRateFactory(currency="PLN", valid_from=date(2026, 1, 1), rate=Decimal("0.20"))
    ExchangeRateFactory(currency="PLN", valid_from=date(2026, 6, 1), rate=Decimal("0.25"))
    rates = ExchangeRate.objects.rate_table("EUR")
    assert rates.convert(Decimal("100"), "PLN", date(2026, 5, 31)) == Decimal("20.00")
    assert rates.convert(Decimal("100"), "PLN", date(2026, 6, 1)) == Decimal("25.00")
    assert rates.convert(Decimal("100"), "EUR", date(2026, 6, 1)) == Decimal("100.00")


def test_a_missing_rate_is_an_error_not_a_silent_zero():
    with pytest.raises(MissingExchangeRate, match="No exchange rate for USD"):
        ExchangeRate.objects.rate_table("EUR").convert(Decimal("1"), "USD", date(2026, 1, 1))


def test_trailing_figures_convert_each_month_and_leave_older_months_out():
    ExchangeRateFactory(currency="PLN", valid_from=date(2020, 1, 1), rate=Decimal("0.25"))
    account = AccountFactory(currency="PLN")
    in_window = FinancialPeriodFactory(
        account=account,
        period=date(2026, 10, 1),
        revenue=Decimal("4000"),
        gross_margin=Decimal("1000"),
        cost_to_serve=Decimal("200"),
    )
    older = FinancialPeriodFactory(account=account, period=date(2025, 10, 1), revenue=Decimal("99999"))
    summary = summarise_financials(
        [in_window, older], rates=ExchangeRate.objects.rate_table("EUR"), today=date(2026, 11, 23)
    )
    assert summary.revenue == Decimal("1000.00")
    assert summary.gross_margin == Decimal("250.00")
    assert summary.cost_to_serve == Decimal("50.00")
    assert summary.margin_after_cost_to_serve == Decimal("200.00")
    assert summary.months == 1


def test_summary_reports_a_missing_rate_instead_of_wrong_totals():
    account = AccountFactory(currency="USD")
    row = FinancialPeriodFactory(account=account, period=date(2026, 10, 1))
    summary = summarise_financials(
        [row], rates=ExchangeRate.objects.rate_table("EUR"), today=date(2026, 11, 23)
    )
    assert summary.revenue is None and "USD" in summary.missing_rate
