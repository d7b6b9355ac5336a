"""Factories for the measures (apart from tests/factories.py, to merge cleanly)."""

from datetime import date
from decimal import Decimal

import factory

from accounts.models import (
    AccountInvestment,
    RelationshipStage,
    RelationshipStageChange,
    Survey,
    WalletEstimate,
    WalletEstimateSource,
)
from tests.factories import AccountFactory


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    account = factory.SubFactory(AccountFactory, key=True)
    surveyed_on = date(2026, 6, 15)
    respondent_name = "Head of Quality"
    nps = 9
    csat = 4


class WalletEstimateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WalletEstimate

    account = factory.SubFactory(AccountFactory, key=True)
    amount = Decimal("40000.00")
    currency = factory.LazyAttribute(lambda w: w.account.currency)
    estimated_on = date(2026, 1, 15)
    source = WalletEstimateSource.CUSTOMER
    is_current = True


class StageChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelationshipStageChange

    account = factory.SubFactory(AccountFactory, key=True)
    stage = RelationshipStage.COOPERATIVE
    effective_on = date(2026, 3, 1)
    is_current = True


class InvestmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountInvestment

    account = factory.SubFactory(AccountFactory, key=True)
    period_start = date(2026, 4, 1)
    kam_time_cost = Decimal("500.00")
    team_time_cost = Decimal("300.00")
    dedicated_resources_cost = Decimal("150.00")
    special_terms_cost = Decimal("50.00")
    currency = factory.LazyAttribute(lambda i: i.account.currency)
