"""Factories for criteria, manual scores and a year or two of monthly figures."""

from datetime import date
from decimal import Decimal

import factory

from kam.core.periods import add_months
from programme.models import Criterion, CriterionGroup, ManualScore, ScoreMapping, ScoringSource
from tests.factories import FinancialPeriodFactory, UserFactory


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    name = factory.Sequence(lambda n: f"Criterion {n}")
    group = CriterionGroup.ATTRACTIVENESS
    weight = Decimal("1")
    source = ScoringSource.DATA
    metric = "revenue_t12m"
    mapping = ScoreMapping.PERCENTILE

    class Params:
        by_hand = factory.Trait(source=ScoringSource.MANUAL, metric="", group=CriterionGroup.RELATIONSHIP)


class ManualScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ManualScore

    criterion = factory.SubFactory(CriterionFactory, by_hand=True)
    score = Decimal("7.0")
    justification = "Reference customer in the region"
    scored_by = factory.SubFactory(UserFactory)
    scored_on = date(2026, 11, 1)


def monthly_figures(account, *, months=24, until=date(2026, 11, 1), revenue="1000", margin="300", serve="50"):
    """`months` months of identical figures ending the month before `until`."""
    return [
        FinancialPeriodFactory(
            account=account,
            period=add_months(until, -i),
            revenue=Decimal(revenue),
            gross_margin=Decimal(margin),
            cost_to_serve=Decimal(serve),
        )
        for i in range(1, months + 1)
    ]
