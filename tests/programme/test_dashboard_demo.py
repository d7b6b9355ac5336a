"""The demo shows the portfolio pages at work: last quarter's closed review and the KAM team's skills."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.demo.records import DemoOptions
from accounts.models import User
from programme.demo.portfolio import seed_portfolio_demo
from programme.demo.seed import seed
from programme.models import ProgrammeReview, ReviewStatus, SkillsProfile, TrainingRecord

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_closed_review_and_skills_and_seeding_twice_adds_nothing(client):
    options = DemoOptions(
        accounts=30, key_accounts=15, months=3, seed=5, chunk_size=30, today=date(2026, 11, 23)
    )
    people = seed(options)
    seed_portfolio_demo(options, people)
    review = ProgrammeReview.objects.get()
    assert review.status == ReviewStatus.CLOSED and review.title == "Q3 2026"
    assert review.entries.count() == 15 and review.decisions.count() == 15 and review.alignment.count() == 7
    assert SkillsProfile.objects.count() == 3 and TrainingRecord.objects.count() == 3
    client.force_login(User.objects.get(username="jan"))
    for name in ("dashboard", "review_list", "kam_team", "sponsor_load"):
        assert client.get(reverse(f"portfolio:{name}")).status_code == 200
    assert client.get(review.get_absolute_url()).status_code == 200
