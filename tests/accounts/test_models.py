"""The data rules: constraints in the database and validation messages that name the field."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Account, FinancialPeriod, Stakeholder
from kam.core.periods import parse_month, trailing_twelve_months
from tests.factories import AccountFactory, FinancialPeriodFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


def test_influence_outside_one_to_five_is_refused_with_the_field_named():
    person = StakeholderFactory.build(account=AccountFactory(), influence=0)
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "influence" in error.value.message_dict


def test_database_refuses_influence_above_five_even_when_validation_is_skipped():
    person = StakeholderFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Stakeholder.objects.filter(pk=person.pk).update(influence=6)


def test_stakeholder_cannot_report_to_themself():
    person = StakeholderFactory()
    person.reports_to = person
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert error.value.message_dict["reports_to"] == ["A stakeholder cannot report to themself."]


def test_stakeholder_cannot_report_to_a_person_at_another_account():
    boss = StakeholderFactory(name="Ines Other")
    person = StakeholderFactory.build(account=AccountFactory(), reports_to=boss)
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    # Named by no one: whoever tried may not be allowed to see the other account's people.
    assert error.value.message_dict["reports_to"] == ["Choose someone at this account."]


def test_reporting_cycle_is_refused():
    account = AccountFactory()
    ceo = StakeholderFactory(account=account)
    coo = StakeholderFactory(account=account, reports_to=ceo)
    ceo.reports_to = coo
    with pytest.raises(ValidationError) as error:
        ceo.full_clean()
    assert "reports_to" in error.value.message_dict


def test_unknown_currency_is_refused_by_name():
    account = AccountFactory.build(currency="XXY")
    with pytest.raises(ValidationError) as error:
        account.full_clean()
    assert "“XXY” is not an ISO 4217 currency code" in error.value.message_dict["currency"][0]


def test_unknown_country_is_refused():
    with pytest.raises(ValidationError) as error:
        AccountFactory.build(country="QQ").full_clean()
    assert "country" in error.value.message_dict


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-01", "March", ""])
def test_a_month_that_does_not_exist_is_refused(text):
    with pytest.raises(ValueError, match="is not a month"):
        parse_month(text)


def test_month_parses_to_its_first_day():
    assert parse_month("2026-03") == date(2026, 3, 1)


def test_one_row_per_account_and_month():
    row = FinancialPeriodFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        FinancialPeriod.objects.create(
            account=row.account,
            period=row.period,
            revenue=1,
            gross_margin=1,
            cost_to_serve=0,
            currency="EUR",
        )


def test_external_id_is_unique_but_may_be_missing_for_many():
    AccountFactory(external_id=None)
    AccountFactory(external_id=None)
    AccountFactory(external_id="CRM-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountFactory(external_id="CRM-1")


def test_money_is_kept_as_exact_decimals():
    row = FinancialPeriodFactory(revenue=Decimal("0.10"), gross_margin=Decimal("0.20"))
    row.refresh_from_db()
    assert row.revenue + row.gross_margin == Decimal("0.30")
    assert isinstance(row.margin_after_cost_to_serve, Decimal)


def test_financial_period_must_be_a_first_of_month():
    row = FinancialPeriodFactory.build(account=AccountFactory(), period=date(2026, 3, 15))
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "period" in error.value.message_dict


def test_key_account_needs_a_key_since_date_in_the_database():
    account = AccountFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(status="key")


def test_trailing_twelve_months_are_the_full_months_before_this_one():
    assert trailing_twelve_months(date(2026, 11, 23)) == (date(2025, 11, 1), date(2026, 11, 1))
