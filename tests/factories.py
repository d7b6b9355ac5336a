"""factory_boy factories: each test states only what matters to it."""

from datetime import date
from decimal import Decimal

import factory

from accounts.models import (
    Account,
    AccountTeamMember,
    ExchangeRate,
    FinancialPeriod,
    Interaction,
    InteractionKind,
    LifecycleStatus,
    Stakeholder,
    TeamFunction,
    User,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@kam.example")
    function = TeamFunction.SALES
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Customer {n:04d}")
    external_id = factory.Sequence(lambda n: f"CRM-T{n:05d}")
    industry = "Steel"
    country = "PL"
    currency = "EUR"
    status = LifecycleStatus.CANDIDATE

    class Params:
        key = factory.Trait(status=LifecycleStatus.KEY, key_since=date(2024, 1, 1))


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountTeamMember

    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory, function=TeamFunction.OPERATIONS)
    function = TeamFunction.OPERATIONS


class StakeholderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stakeholder

    account = factory.SubFactory(AccountFactory)
    name = factory.Faker("name")
    title = "Procurement Director"


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction
        skip_postgeneration_save = True

    account = factory.SubFactory(AccountFactory)
    kind = InteractionKind.OFFICE_MEETING
    occurred_on = date(2026, 10, 1)

    @factory.post_generation
    def stakeholders(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.stakeholders.set(extracted)


class FinancialPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancialPeriod

    account = factory.SubFactory(AccountFactory)
    period = date(2026, 1, 1)
    revenue = Decimal("1000.00")
    gross_margin = Decimal("300.00")
    cost_to_serve = Decimal("50.00")
    days_to_pay = 30
    currency = factory.LazyAttribute(lambda p: p.account.currency)


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    currency = "PLN"
    valid_from = date(2020, 1, 1)
    rate = Decimal("0.25")
