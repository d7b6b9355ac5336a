"""The review and team tables hold their own rules: one open review, overrides with reasons, 1-5 scores."""

import pytest
from django.db import IntegrityError, transaction

from programme.models import AlignmentAssessment, ReviewStatus
from tests.programme.dashboard_factories import ReviewFactory, SkillsProfileFactory

pytestmark = pytest.mark.django_db


def test_only_one_review_can_be_open_at_a_time():
    ReviewFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory()


def test_a_closed_review_does_not_block_the_next():
    from django.utils import timezone

    ReviewFactory(status=ReviewStatus.CLOSED, closed_at=timezone.now())
    assert ReviewFactory().status == ReviewStatus.OPEN


def test_alignment_is_scored_one_to_five():
    review = ReviewFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AlignmentAssessment.objects.create(review=review, element="skills", score=6)


def test_low_skills_show_as_training_needs():
    profile = SkillsProfileFactory(financial=2, influencing=1, planning=4)
    assert [str(n) for n in profile.training_needs()] == ["Financial", "Influencing"]
