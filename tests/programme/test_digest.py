"""The weekly digest: KAMs, sponsors and the champion get what concerns them; nobody else; off means off."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import LifecycleStatus, PlanStatus
from programme import tasks
from programme.digest import services
from programme.models import Recommendation
from programme.services import lifecycle_change
from tests.accounts.plan_factories import ActionFactory, PlanFactory
from tests.conftest import ROLES
from tests.factories import AccountFactory
from tests.programme.dashboard_factories import AccountScoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(account, team_member, champion, programme):
    """A submitted plan, an overdue action for Magda, a new one for Tomasz; one entry this week."""
    today = timezone.localdate()
    plan = PlanFactory(
        account=account,
        status=PlanStatus.SUBMITTED,
        period_start=today - timedelta(days=10),
        period_end=today + timedelta(days=300),
    )
    ActionFactory(plan=plan, owner=account.kam, description="Call the COO", due_on=today - timedelta(days=2))
    ActionFactory(plan=plan, owner=team_member, description="Agree priority allocation for Q1")
    newcomer = AccountFactory(name="Newcomer")
    AccountScoreFactory(account=newcomer, overall=Decimal(80), recommendation=Recommendation.ADD)
    lifecycle_change(account=newcomer, to_status=LifecycleStatus.KEY, effective_on=today, by=champion)
    return plan


def _mail_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_each_role_gets_what_concerns_them(week, kam, sponsor, team_member, champion, other_kam, outsider):
    sent = services.send_weekly_digests()
    assert sent == len(mail.outbox) == 4  # Magda, Ewa, Tomasz, Jan; Oliver and the outsider have nothing
    (to_kam,) = _mail_to(kam)
    assert "Baltic Steel" in to_kam.body and "1 overdue plan actions" in to_kam.body
    assert "plan not approved yet" in to_kam.body and "OVERDUE" in to_kam.body
    (to_sponsor,) = _mail_to(sponsor)
    assert "a plan waits for your endorsement" in to_sponsor.body
    assert "an executive visit is due" in to_sponsor.body
    (to_member,) = _mail_to(team_member)
    assert "Agree priority allocation for Q1" in to_member.body
    (to_champion,) = _mail_to(champion)
    assert "entered: Newcomer" in to_champion.body
    assert not _mail_to(other_kam) and not _mail_to(outsider)


def test_links_in_the_digest_point_at_the_app(week, kam):
    services.send_weekly_digests()
    (to_kam,) = _mail_to(kam)
    assert settings.KAM_BASE_URL + reverse("portfolio:digest_preference") in to_kam.body
    assert settings.KAM_BASE_URL + week.account.get_absolute_url() in to_kam.body


def test_a_user_who_turned_the_digest_off_gets_nothing(client, week, kam):
    client.force_login(kam)
    response = client.post(reverse("portfolio:digest_preference"), {})
    assert response.status_code == 302
    kam.refresh_from_db()
    assert not kam.receives_weekly_digest
    services.send_weekly_digests()
    assert not _mail_to(kam)


def test_the_digest_is_built_in_a_fixed_number_of_queries(week, django_assert_max_num_queries):
    with django_assert_max_num_queries(16) as few:
        services.build_weekly_digests()
    for _ in range(10):
        account = AccountFactory(
            key=True, kam=week.account.kam, executive_sponsor=week.account.executive_sponsor
        )
        ActionFactory(plan=PlanFactory(account=account), owner=week.account.kam)
    with django_assert_max_num_queries(16) as more:
        services.build_weekly_digests()
    assert len(few.captured_queries) == len(more.captured_queries)


def test_the_beat_schedule_runs_the_digest_task_weekly():
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-digest"]
    assert entry["task"] == tasks.send_weekly_digest_task.name
    assert entry["schedule"].day_of_week == {1}


def test_the_task_sends_the_digests(week):
    assert tasks.send_weekly_digest_task.delay().get() == len(mail.outbox) > 0


@pytest.mark.parametrize("role", ROLES)
def test_every_user_may_switch_only_their_own_digest(as_role, role, account):
    response = as_role(role).get(reverse("portfolio:digest_preference"))
    assert response.status_code == (302 if role == "anonymous" else 200)
