"""Writing measures: field errors for bad input, history kept, the current row current, no lost update."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.measures import services
from accounts.models import (
    AccountInvestment,
    RelationshipStage,
    RelationshipStageChange,
    RetentionEstimateChange,
    Survey,
    WalletEstimate,
)
from kam.core.periods import add_months, trailing_twelve_months
from kam.core.versions import StaleVersion
from programme.models import Programme
from tests.accounts.measures_factories import InvestmentFactory
from tests.factories import ExchangeRateFactory, FinancialPeriodFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


def _field_errors(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


def test_a_survey_records_nps_csat_and_the_stakeholder_who_answered(account, kam):
    person = StakeholderFactory(account=account, name="Anna Kowalska")
    survey = services.survey_add(
        account=account, surveyed_on=date(2026, 9, 1), nps=9, csat=5, stakeholder=person, by=kam
    )
    assert survey.respondent == "Anna Kowalska" and survey.entered_by == kam


def test_nps_of_eleven_is_refused_on_its_field(account):
    with pytest.raises(ValidationError) as excinfo:
        services.survey_add(account=account, surveyed_on=date(2026, 9, 1), nps=11, respondent_name="COO")
    assert "nps" in _field_errors(excinfo)
    assert not Survey.objects.exists()


def test_csat_outside_one_to_five_is_refused_on_its_field(account):
    with pytest.raises(ValidationError) as excinfo:
        services.survey_add(account=account, surveyed_on=date(2026, 9, 1), csat=0, respondent_name="COO")
    assert "csat" in _field_errors(excinfo)


def test_a_survey_dated_in_the_future_is_refused_on_its_field(account):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        services.survey_add(account=account, surveyed_on=tomorrow, nps=8, respondent_name="COO")
    assert "surveyed_on" in _field_errors(excinfo)


def test_a_survey_needs_an_answer_and_a_respondent(account):
    with pytest.raises(ValidationError) as excinfo:
        services.survey_add(account=account, surveyed_on=date(2026, 9, 1))
    assert {"nps", "respondent_name"} <= _field_errors(excinfo)


def test_a_survey_cannot_name_someone_at_another_account(account, other_account):
    stranger = StakeholderFactory(account=other_account)
    with pytest.raises(ValidationError) as excinfo:
        services.survey_add(account=account, surveyed_on=date(2026, 9, 1), nps=7, stakeholder=stranger)
    assert "stakeholder" in _field_errors(excinfo)


def _wallet(account, amount, *, on=date(2026, 1, 10), based_on_id=None, by=None):
    return services.wallet_estimate_set(
        account=account,
        amount=D(amount),
        currency=account.currency,
        estimated_on=on,
        source="customer",
        rates=Programme.load().rate_table(),
        based_on_id=based_on_id,
        by=by,
    )


def test_a_new_wallet_estimate_becomes_current_and_the_old_one_stays_as_history(account, kam):
    first = _wallet(account, "100000", by=kam).estimate
    second = _wallet(account, "120000", on=date(2026, 6, 1), based_on_id=first.pk, by=kam).estimate
    assert list(WalletEstimate.objects.filter(is_current=True)) == [second]
    assert WalletEstimate.objects.count() == 2


def test_a_back_dated_wallet_estimate_does_not_replace_the_newer_one(account):
    newer = _wallet(account, "100000", on=date(2026, 6, 1)).estimate
    _wallet(account, "90000", on=date(2025, 6, 1), based_on_id=newer.pk)
    assert WalletEstimate.objects.get(is_current=True) == newer


def test_wallet_estimate_set_over_one_the_user_had_not_seen_is_refused(account):
    _wallet(account, "100000")
    with pytest.raises(StaleVersion):
        _wallet(account, "110000", based_on_id=None)
    assert WalletEstimate.objects.count() == 1


def test_a_wallet_estimate_smaller_than_our_revenue_is_saved_but_flagged(account):
    ExchangeRateFactory(currency="PLN", rate=D("0.25"))
    start, _end = trailing_twelve_months()
    for month in range(12):
        FinancialPeriodFactory(account=account, period=add_months(start, month), revenue=D("1000"))
    # we sold 12,000 PLN in the last twelve months; the KAM thinks they spend 10,000 PLN in all
    saved = _wallet(account, "10000", on=timezone.localdate())
    assert saved.below_our_revenue
    assert WalletEstimate.objects.get(is_current=True).amount == D("10000")
    assert not _wallet(
        account, "50000", on=timezone.localdate(), based_on_id=saved.estimate.pk
    ).below_our_revenue


def test_a_negative_or_future_wallet_estimate_is_refused_on_its_field(account):
    with pytest.raises(ValidationError) as excinfo:
        services.wallet_estimate_set(
            account=account,
            amount=D("-5"),
            currency="PLN",
            estimated_on=timezone.localdate() + timedelta(days=3),
            source="customer",
            rates=Programme.load().rate_table(),
        )
    assert {"amount", "estimated_on"} <= _field_errors(excinfo)


def test_stage_changes_are_kept_and_the_latest_by_date_is_current(account, kam):
    first = services.relationship_stage_set(
        account=account, stage=RelationshipStage.BASIC, effective_on=date(2025, 3, 1), by=kam
    )
    second = services.relationship_stage_set(
        account=account,
        stage=RelationshipStage.COOPERATIVE,
        effective_on=date(2026, 2, 1),
        based_on_id=first.pk,
        by=kam,
    )
    assert second.is_current
    assert RelationshipStageChange.objects.get(account=account, is_current=True) == second
    assert RelationshipStageChange.objects.filter(account=account).count() == 2


def test_a_stage_dated_in_the_future_or_unknown_is_refused_on_its_field(account):
    with pytest.raises(ValidationError) as excinfo:
        services.relationship_stage_set(
            account=account, stage="married", effective_on=timezone.localdate() + timedelta(days=1)
        )
    assert {"stage", "effective_on"} <= _field_errors(excinfo)


def test_negative_investment_is_refused_on_each_field(account):
    with pytest.raises(ValidationError) as excinfo:
        services.investment_save(
            account=account,
            period_start=date(2026, 4, 1),
            currency="PLN",
            kam_time_cost=D("-1"),
            special_terms_cost=D("-200"),
        )
    assert {"kam_time_cost", "special_terms_cost"} <= _field_errors(excinfo)
    assert not AccountInvestment.objects.exists()


def test_investment_is_recorded_per_quarter(account):
    with pytest.raises(ValidationError) as excinfo:
        services.investment_save(account=account, period_start=date(2026, 5, 1), currency="PLN")
    assert "period_start" in _field_errors(excinfo)


def test_correcting_a_quarters_investment_checks_the_version_and_keeps_history(account, kam):
    investment = InvestmentFactory(account=account, period_start=date(2026, 4, 1))
    services.investment_save(
        account=account,
        period_start=date(2026, 4, 1),
        currency="PLN",
        kam_time_cost=D("900"),
        expected_version=investment.version,
        by=kam,
    )
    investment.refresh_from_db()
    assert investment.kam_time_cost == D("900") and investment.version == 2
    assert investment.history.count() == 2
    with pytest.raises(StaleVersion):
        services.investment_save(
            account=account,
            period_start=date(2026, 4, 1),
            currency="PLN",
            kam_time_cost=D("1"),
            expected_version=1,
        )


def test_recording_a_quarter_someone_else_just_recorded_is_a_conflict(account):
    InvestmentFactory(account=account, period_start=date(2026, 4, 1))
    with pytest.raises(StaleVersion):
        services.investment_save(account=account, period_start=date(2026, 4, 1), currency="PLN")


def test_retention_estimate_change_keeps_the_old_value_the_new_and_why(account, kam):
    account.refresh_from_db()
    change = services.retention_estimate_set(
        account=account,
        estimate=D("0.85"),
        reason="Three-year contract signed",
        expected_version=account.version,
        by=kam,
    )
    account.refresh_from_db()
    assert account.retention_estimate == D("0.850")
    assert (change.from_estimate, change.to_estimate, change.changed_by) == (None, D("0.85"), kam)


def test_retention_estimate_needs_a_reason_and_a_probability(account):
    with pytest.raises(ValidationError) as excinfo:
        services.retention_estimate_set(account=account, estimate=D("1.5"), reason=" ", expected_version=1)
    assert {"reason", "retention_estimate"} <= _field_errors(excinfo)
    assert not RetentionEstimateChange.objects.exists()


def test_retention_estimate_edited_over_someone_elses_is_refused(account):
    account.refresh_from_db()
    stale_version = account.version
    services.retention_estimate_set(
        account=account, estimate=D("0.9"), reason="Renewed", expected_version=stale_version
    )
    with pytest.raises(StaleVersion):
        services.retention_estimate_set(
            account=account, estimate=D("0.5"), reason="Tender lost", expected_version=stale_version
        )
    assert RetentionEstimateChange.objects.count() == 1


def test_an_answer_keeps_its_respondents_name_when_the_stakeholder_is_deleted(account):
    person = StakeholderFactory(account=account, name="Anna Kowalska")
    survey = services.survey_add(account=account, surveyed_on=date(2026, 9, 1), nps=9, stakeholder=person)
    person.delete()
    survey.refresh_from_db()
    assert survey.stakeholder is None and survey.respondent == "Anna Kowalska"
