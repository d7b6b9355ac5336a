"""Factories for account plans and the whitespace map (apart from tests/factories.py, to merge cleanly)."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from accounts.models import (
    AccountPlan,
    BuyingCentre,
    Offering,
    OpportunityCell,
    OpportunityStatus,
    PlanAction,
    PlanObjective,
    PlanRisk,
    ResourceRequest,
    Strategy,
    TeamFunction,
)
from tests.factories import AccountFactory, UserFactory


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountPlan

    account = factory.SubFactory(AccountFactory, key=True)
    period_start = date(2026, 1, 1)
    period_end = date(2026, 12, 31)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanObjective

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"Objective {n}")
    strategy = Strategy.PROTECT
    target = "Keep 70 % share of wallet in coated steel"


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanAction

    plan = factory.SubFactory(PlanFactory)
    description = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory, function=TeamFunction.OPERATIONS)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))


class ResourceRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourceRequest

    plan = factory.SubFactory(PlanFactory)
    business_unit = TeamFunction.ENGINEERING
    request = "An application engineer, 10 days"


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanRisk

    plan = factory.SubFactory(PlanFactory)
    description = "Competitor offers a lower price"


class OfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offering

    name = factory.Sequence(lambda n: f"Offering {n}")


class BuyingCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BuyingCentre

    account = factory.SubFactory(AccountFactory, key=True)
    name = factory.Sequence(lambda n: f"Plant {n}")


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpportunityCell

    buying_centre = factory.SubFactory(BuyingCentreFactory)
    offering = factory.SubFactory(OfferingFactory)
    status = OpportunityStatus.POTENTIAL
