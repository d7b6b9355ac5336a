"""My accounts, the KAM's home: each account's score, value, plan and what needs attention; fixed queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import BuyingRole, PlanStatus, Survey
from accounts.stakeholders.relationships import attention_items, relationship_health, unreplaced_departures
from programme.models import AccountScore, Criterion, ManualScore, ScoreSnapshot, ScoringSource
from programme.workspace.selectors import MY_ACCOUNTS_PAGE_SIZE, SPARKLINE_DAYS, SPARKLINE_POINTS, my_accounts
from tests.accounts.measures_factories import SurveyFactory
from tests.accounts.plan_factories import ActionFactory, PlanFactory
from tests.factories import (
    AccountFactory,
    InteractionFactory,
    StakeholderFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _row(user, account):
    return next(r for r in my_accounts(user=user).rows if r.account.pk == account.pk)


def _texts(user, account):
    return [item.text for item in _row(user, account).attention]


def _healthy(account, kam):
    """Nothing to flag: an approved plan in force, two contacted decision makers, a recent survey."""
    today = _today()
    PlanFactory(
        account=account,
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=300),
        status=PlanStatus.APPROVED,
        reviewed_on=today,
        review_due_on=today + timedelta(days=60),
    )
    people = [StakeholderFactory(account=account, buying_role=BuyingRole.DECISION_MAKER) for _ in range(2)]
    InteractionFactory(account=account, stakeholders=people, occurred_on=today - timedelta(days=3))
    SurveyFactory(account=account, surveyed_on=today - timedelta(days=20), nps=9)  # surveyed lately
    return people


def test_a_healthy_account_needs_no_attention(kam, account):
    _healthy(account, kam)
    assert _texts(kam, account) == []


@pytest.mark.parametrize(
    ("role", "expected"),
    [("champion", 200), ("kam", 200), ("other_kam", 200), ("sponsor", 200), ("team_member", 200),
     ("outsider", 200), ("anonymous", 302)],
)  # fmt: skip
def test_my_accounts_answers_every_role_and_shows_only_their_own(
    as_role, account, other_account, role, expected
):
    response = as_role(role).get(reverse("accounts:my_accounts"))
    assert response.status_code == expected
    if expected == 200:
        names = [row.account.name for row in response.context["page"].rows]
        mine = {"kam": ["Baltic Steel"], "sponsor": ["Baltic Steel"], "team_member": ["Baltic Steel"],
                "other_kam": ["Lyon Chimie"]}  # fmt: skip
        assert names == mine.get(role, [])


def test_each_role_lands_where_its_day_starts(as_role, account, other_account):
    for role, target in [("kam", "accounts:my_accounts"), ("team_member", "accounts:my_actions"),
                         ("champion", "portfolio:dashboard"), ("sponsor", "portfolio:sponsor_home"),
                         ("outsider", "accounts:list")]:  # fmt: skip
        response = as_role(role).get(reverse("home"))
        assert response["Location"] == reverse(target), role


def test_an_unscored_account_says_not_scored_yet(client, kam, account):
    client.force_login(kam)
    html = client.get(reverse("accounts:my_accounts")).content.decode()
    assert "Baltic Steel" in html and "not scored yet" in html


def test_score_quadrant_clv_and_trend_come_from_the_recompute(client, kam, account):
    today = _today()
    AccountScore.objects.create(
        account=account,
        overall=Decimal("72"),
        quadrant="star",
        clv=Decimal("4200000"),
        computed_at=timezone.now(),
    )
    for days, overall in [(60, 60), (35, 64), (10, 70)]:
        ScoreSnapshot.objects.create(account=account, taken_on=today - timedelta(days=days), overall=overall)
    row = _row(kam, account)
    assert row.trend == Decimal("8")  # 72 now against 64 a month ago
    assert row.sparkline  # three snapshots draw a line
    client.force_login(kam)
    html = client.get(reverse("accounts:my_accounts")).content.decode()
    assert "Star" in html and "4,200,000" in html and "+8.0" in html


def test_a_score_a_day_draws_a_line_of_the_first_and_last_and_evenly_between(kam, account):
    today = _today()
    # The nightly run keeps a snapshot a day: 120 of them for the sparkline's window.
    ScoreSnapshot.objects.bulk_create(
        ScoreSnapshot(account=account, taken_on=today - timedelta(days=days), overall=days)
        for days in range(SPARKLINE_DAYS, 0, -1)
    )
    points = [tuple(map(float, p.split(","))) for p in _row(kam, account).sparkline.split()]
    assert len(points) == SPARKLINE_POINTS
    assert points[0] == (0.0, 2.0) and points[-1] == (96.0, 22.0)  # 120 days ago at the top, yesterday low
    assert [x for x, _y in points] == sorted(x for x, _y in points)


def test_overdue_actions_and_a_plan_not_approved_are_flagged(kam, account, team_member):
    today = _today()
    plan = PlanFactory(
        account=account, period_start=today - timedelta(days=30), period_end=today + timedelta(days=300)
    )
    ActionFactory.create_batch(2, plan=plan, owner=team_member, due_on=today - timedelta(days=1))
    ActionFactory(plan=plan, owner=team_member, due_on=today + timedelta(days=5))
    texts = _texts(kam, account)
    assert (
        "2 plan actions overdue" in texts
        and "Plan not approved yet" in texts
        and "Plan review overdue" in texts
    )


def test_no_plan_for_the_current_period_is_flagged(kam, account):
    PlanFactory(
        account=account,
        period_start=_today() - timedelta(days=500),
        period_end=_today() - timedelta(days=140),
    )
    assert "No plan for the current period" in _texts(kam, account)


def test_decision_makers_never_or_not_recently_contacted_are_flagged(kam, account):
    _healthy(account, kam)
    StakeholderFactory(account=account, buying_role=BuyingRole.ECONOMIC_BUYER)
    old = StakeholderFactory(account=account, buying_role=BuyingRole.DECISION_MAKER)
    InteractionFactory(account=account, stakeholders=[old], occurred_on=_today() - timedelta(days=104))
    texts = _texts(kam, account)
    assert (
        "1 decision maker never contacted" in texts and "1 decision maker not contacted in 90 days" in texts
    )


def test_single_threaded_account_is_flagged(kam, account):
    person = StakeholderFactory(account=account)
    StakeholderFactory(account=account)
    InteractionFactory(account=account, stakeholders=[person], occurred_on=_today())
    assert "Single-threaded: one active contact only" in _texts(kam, account)


def test_a_stale_manual_score_is_flagged(kam, account):
    criterion = Criterion.objects.create(
        name="Reference value", group="attractiveness", source=ScoringSource.MANUAL
    )
    ManualScore.objects.create(account=account, criterion=criterion, score=8, justification="Opens Baltics",
                               scored_by=kam, scored_on=_today() - timedelta(days=400))  # fmt: skip
    assert "1 manual score older than a year" in _texts(kam, account)


def test_a_coach_who_left_is_flagged_until_someone_holds_the_role_again(kam, account):
    coach = StakeholderFactory(
        account=account, buying_role=BuyingRole.COACH, left_on=_today() - timedelta(days=3)
    )
    assert any("left: update the map" in t for t in _texts(kam, account))
    assert unreplaced_departures(list(account.stakeholders.all())) == [coach]
    StakeholderFactory(account=account, buying_role=BuyingRole.COACH)
    assert not any("left" in t for t in _texts(kam, account))


def test_team_member_home_links_my_actions_with_their_open_count(client, team_member, account):
    plan = PlanFactory(account=account)
    ActionFactory.create_batch(3, plan=plan, owner=team_member)
    client.force_login(team_member)
    html = client.get(reverse("accounts:my_accounts")).content.decode()
    assert reverse("accounts:my_actions") in html and "My actions (3 open)" in html and "account team" in html


def test_relationship_health_counts_decision_makers_attitude_contacts_and_visits(kam, account):
    today = _today()
    people = [
        StakeholderFactory.build(buying_role=BuyingRole.DECISION_MAKER, attitude=1, left_on=None),
        StakeholderFactory.build(buying_role=BuyingRole.ECONOMIC_BUYER, attitude=-1, left_on=None),
        StakeholderFactory.build(buying_role=BuyingRole.USER, attitude=0, left_on=None),
    ]
    for person, last in zip(
        people, [today - timedelta(days=5), None, today - timedelta(days=120)], strict=True
    ):
        person.last_contacted_on = last
    health = relationship_health(
        people, last_executive_visit=today - timedelta(days=200), today=today, nps_fell=False
    )
    assert (health.decision_makers, health.decision_makers_contacted, health.favourable_share) == (2, 1, 50)
    assert health.active_contacts == 1 and health.single_threaded
    assert health.executive_visit_due and health.never_contacted == [people[1]]


def test_attention_items_read_like_sentences():
    class Account:
        overdue_actions, plan_status, plan_review_due_on = 1, "submitted", None
        departed_deciders = deciders_never_contacted = deciders_not_recent = stale_manual_scores = 0
        active_contacts = 0

    texts = [a.text for a in attention_items(Account, today=_today())]
    assert texts == ["1 plan action overdue", "Plan not approved yet", "Plan review overdue",
                     "No contact logged in the last 90 days"]  # fmt: skip


def _world(n: int, kam):
    today = _today()
    criterion = Criterion.objects.create(
        name="Reference value", group="attractiveness", source=ScoringSource.MANUAL
    )
    for i in range(n):
        account = AccountFactory(key=True, kam=kam)
        TeamMemberFactory(account=account, user=UserFactory())
        plan = PlanFactory(
            account=account, period_start=today - timedelta(days=10), period_end=today + timedelta(days=300)
        )
        ActionFactory(plan=plan, owner=kam, due_on=today - timedelta(days=2))
        people = [
            StakeholderFactory(account=account, buying_role=BuyingRole.DECISION_MAKER) for _ in range(3)
        ]
        InteractionFactory(account=account, stakeholders=people[:1], occurred_on=today - timedelta(days=i))
        AccountScore.objects.create(
            account=account, overall=50 + i % 40, quadrant="strategic", computed_at=timezone.now()
        )
        for days in (5, 40, 80):
            ScoreSnapshot.objects.create(account=account, taken_on=today - timedelta(days=days), overall=50)
        ManualScore.objects.create(
            account=account, criterion=criterion, score=5, justification="x", scored_by=kam,
            scored_on=today - timedelta(days=500),
        )  # fmt: skip


@pytest.mark.parametrize("n", [3, MY_ACCOUNTS_PAGE_SIZE + 10])
def test_my_accounts_runs_a_fixed_number_of_queries(client, kam, n, django_assert_max_num_queries):
    _world(n, kam)
    client.force_login(kam)
    # One aggregate for the counts over all of them (with the pager's total), the page's ids by name,
    # then its rows with their figures; the page's last twelve months and the rate table, to show
    # margins in the reporting currency.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("accounts:my_accounts"))
    page = response.context["page"]
    assert len(page.rows) == min(n, MY_ACCOUNTS_PAGE_SIZE) and all(row.attention for row in page.rows)
    assert page.needing_attention == n and page.page.paginator.count == n


def test_my_accounts_pages_keep_own_accounts_first_then_by_name_and_count_them_all(
    client, kam, django_assert_max_num_queries
):
    others = UserFactory()
    for i in range(MY_ACCOUNTS_PAGE_SIZE + 5):
        account = AccountFactory(kam=kam, name=f"Own {i:03d}")
        if i % 2:
            _healthy(account, kam)
    TeamMemberFactory(account=AccountFactory(kam=others, name="Aardvark Works"), user=kam)
    client.force_login(kam)
    first = client.get(reverse("accounts:my_accounts"))
    with django_assert_max_num_queries(13):
        second = client.get(reverse("accounts:my_accounts"), {"page": 2})
    first_names = [row.account.name for row in first.context["page"].rows]
    second_names = [row.account.name for row in second.context["page"].rows]
    assert first_names == [f"Own {i:03d}" for i in range(MY_ACCOUNTS_PAGE_SIZE)]
    assert second_names == [
        f"Own {i:03d}" for i in range(MY_ACCOUNTS_PAGE_SIZE, MY_ACCOUNTS_PAGE_SIZE + 5)
    ] + ["Aardvark Works"]
    # The summary is the same on every page: all the KAM's accounts, not this page's.
    unhealthy = (MY_ACCOUNTS_PAGE_SIZE + 5 + 1) // 2 + 1  # the even ones, and the team account
    for response in (first, second):
        assert response.context["page"].needing_attention == unhealthy
        assert response.context["page"].is_team_member
    # Plain links, which work without JavaScript.
    assert 'href="?page=2"' in first.content.decode() and 'href="?page=1"' in second.content.decode()
    # A page past the end or not a number shows the last or the first, never an error.
    assert client.get(reverse("accounts:my_accounts"), {"page": 99}).context["page"].rows[
        -1
    ].account.name == ("Aardvark Works")
    assert client.get(reverse("accounts:my_accounts"), {"page": "x"}).status_code == 200


def test_satisfaction_flags_from_the_measures_show_on_my_accounts(kam, account):
    _healthy(account, kam)
    Survey.objects.create(account=account, surveyed_on=_today() - timedelta(days=2), nps=5)
    assert _texts(kam, account) == ["NPS fell by 2 or more in the last survey"]
    account.surveys.all().delete()
    assert _texts(kam, account) == ["No satisfaction survey in the last year"]
