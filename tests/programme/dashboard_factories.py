"""Factories for scores, snapshots, reviews and the KAM team (apart from tests/factories.py)."""

from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from programme.models import (
    AccountScore,
    ProgrammeReview,
    Quadrant,
    Recommendation,
    ScoreSnapshot,
    SkillsProfile,
    TrainingRecord,
)
from tests.factories import AccountFactory, UserFactory


def quadrant_for(attractiveness, relationship, cutoff=Decimal("50")) -> str:
    high, strong = attractiveness >= cutoff, relationship >= cutoff
    return {
        (True, True): Quadrant.STRATEGIC,
        (True, False): Quadrant.STAR,
        (False, True): Quadrant.STATUS,
        (False, False): Quadrant.STREAMLINE,
    }[(high, strong)]


class AccountScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountScore

    account = factory.SubFactory(AccountFactory)
    attractiveness = Decimal("60")
    relationship = Decimal("55")
    overall = factory.LazyAttribute(lambda s: (s.attractiveness * 6 + s.relationship * 4) / 10)
    completeness = Decimal("0.9")
    clv = Decimal("1000000")
    clv_margin = Decimal("400000")
    clv_cost_to_serve = Decimal("100000")
    clv_growth = Decimal("0.05")
    clv_retention = Decimal("0.85")
    clv_discount_rate = Decimal("0.1")
    clv_horizon_years = 5
    quadrant = factory.LazyAttribute(lambda s: quadrant_for(s.attractiveness, s.relationship))
    recommendation = Recommendation.NONE
    computed_at = factory.LazyFunction(timezone.now)


class ScoreSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoreSnapshot

    account = factory.SubFactory(AccountFactory)
    taken_on = factory.LazyFunction(timezone.localdate)
    attractiveness = Decimal("60")
    relationship = Decimal("55")
    overall = Decimal("58")
    clv = Decimal("1000000")
    quadrant = Quadrant.STRATEGIC


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeReview

    title = factory.Sequence(lambda n: f"Review {n}")
    period_start = date(2026, 7, 1)
    period_end = date(2026, 9, 30)
    entry_threshold = Decimal("65")
    exit_threshold = Decimal("45")
    attractiveness_cutoff = Decimal("50")
    relationship_cutoff = Decimal("50")
    key_account_limit = 25


class SkillsProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SkillsProfile

    user = factory.SubFactory(UserFactory)
    assessed_on = date(2026, 6, 1)


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    user = factory.SubFactory(UserFactory)
    course = "Negotiating with procurement"
    skill = "influencing"
    completed_on = date(2026, 3, 1)
