"""The champion's portfolio dashboard: matrix, league table, programme health, recommendations."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import InteractionKind, PlanStatus, TeamFunction
from programme.models import Quadrant, Recommendation
from tests.accounts.plan_factories import ActionFactory, PlanFactory, ResourceRequestFactory
from tests.conftest import ROLES
from tests.factories import (
    AccountFactory,
    InteractionFactory,
    StakeholderFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.programme.dashboard_factories import AccountScoreFactory, ScoreSnapshotFactory

pytestmark = pytest.mark.django_db
URL = reverse("portfolio:dashboard")


def build_portfolio(key: int, candidates: int, *, kam=None):
    """`key` key accounts with a plan, team, stakeholders and a visit; `candidates` scored candidates."""
    today = timezone.localdate()
    kam = kam or UserFactory()
    for i in range(key):
        account = AccountFactory(key=True, kam=kam, executive_sponsor=UserFactory(), industry="Steel")
        AccountScoreFactory(
            account=account, attractiveness=Decimal(40 + i % 50), relationship=Decimal(30 + i % 60)
        )
        ScoreSnapshotFactory(account=account, taken_on=today - timedelta(days=100), overall=Decimal(50))
        plan = PlanFactory(
            account=account, period_start=today - timedelta(days=30), period_end=today + timedelta(days=300)
        )
        ActionFactory(plan=plan, due_on=today - timedelta(days=3))
        ResourceRequestFactory(plan=plan)
        TeamMemberFactory(account=account, function=TeamFunction.OPERATIONS)
        dm = StakeholderFactory(account=account, buying_role="decision_maker")
        InteractionFactory(
            account=account, kind=InteractionKind.EXECUTIVE_VISIT, occurred_on=today, stakeholders=[dm]
        )
    for i in range(candidates):
        AccountScoreFactory(
            account=AccountFactory(),
            attractiveness=Decimal(i % 100),
            relationship=Decimal((i * 7) % 100),
            recommendation=Recommendation.ADD if i % 20 == 0 else Recommendation.NONE,
        )


@pytest.mark.parametrize("role", ROLES)
def test_only_the_champion_sees_the_dashboard(as_role, role, account):
    response = as_role(role).get(URL)
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == (200 if role == "champion" else 403)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_champion_exports_the_league_table(as_role, role, account):
    response = as_role(role).get(reverse("portfolio:league_csv"))
    expected = {"champion": 200, "anonymous": 302}.get(role, 403)
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_only_the_champion_gets_the_league_and_measures_fragments(as_role, role, account):
    expected = {"champion": 200, "anonymous": 302}.get(role, 403)
    client = as_role(role)
    assert client.get(URL, {"partial": "league"}, HTTP_HX_REQUEST="true").status_code == expected
    assert client.get(URL, {"partial": "measures"}, HTTP_HX_REQUEST="true").status_code == expected


def test_matrix_shows_every_key_account_and_the_leading_candidates_linked_to_their_pages(client, champion):
    build_portfolio(3, 5)
    client.force_login(champion)
    page = client.get(URL)
    content = page.content.decode()
    assert content.count('class="pt pt-key') == 3
    assert content.count('class="pt pt-candidate') == 5
    assert "<title>" in content and 'class="cut"' in content
    assert page.context["page"].matrix.key_count == 3


def test_size_above_the_limit_is_a_clear_warning(client, champion, programme):
    programme.key_account_limit = 2
    programme.save()
    build_portfolio(3, 0)
    client.force_login(champion)
    content = client.get(URL).content.decode()
    assert "3 / 2" in content
    assert "1 above the programme's limit" in content


def test_health_flags_accounts_without_sponsor_team_outside_sales_or_recent_visit(client, champion, kam):
    today = timezone.localdate()
    lonely = AccountFactory(name="Lonely Ltd", key=True, kam=kam)
    TeamMemberFactory(account=lonely, function=TeamFunction.SALES)
    dm = StakeholderFactory(account=lonely, buying_role="decision_maker")
    long_ago = today - timedelta(days=200)
    InteractionFactory(
        account=lonely, kind=InteractionKind.EXECUTIVE_VISIT, occurred_on=long_ago, stakeholders=[dm]
    )
    client.force_login(champion)
    health = client.get(URL).context["page"].health
    assert [r.account.name for r in health.without_sponsor] == ["Lonely Ltd"]
    assert [r.account.name for r in health.without_team_outside_sales] == ["Lonely Ltd"]
    assert [r.account.name for r in health.without_recent_visit] == ["Lonely Ltd"]
    assert [r.account.name for r in health.plans_missing] == ["Lonely Ltd"]
    assert health.review_overdue  # never reviewed


def test_health_counts_overdue_actions_unapproved_plans_and_open_requests_by_unit(client, champion, account):
    today = timezone.localdate()
    plan = PlanFactory(
        account=account,
        status=PlanStatus.SUBMITTED,
        period_start=today.replace(day=1),
        period_end=today + timedelta(days=200),
    )
    ActionFactory(plan=plan, due_on=today - timedelta(days=1))
    ActionFactory(plan=plan, due_on=today + timedelta(days=1))
    ResourceRequestFactory(plan=plan, business_unit=TeamFunction.ENGINEERING)
    ResourceRequestFactory(plan=plan, business_unit=TeamFunction.ENGINEERING)
    client.force_login(champion)
    health = client.get(URL).context["page"].health
    assert health.overdue_actions == 1
    assert [r.account for r in health.plans_not_approved] == [account]
    assert health.resource_requests[0]["business_unit"] == TeamFunction.ENGINEERING
    assert health.resource_requests[0]["open_requests"] == 2


def test_key_accounts_share_of_margin_and_clv(client, champion, account):
    AccountScoreFactory(account=account, clv=Decimal(300), clv_margin=Decimal(60))
    AccountScoreFactory(account=AccountFactory(), clv=Decimal(700), clv_margin=Decimal(140))
    client.force_login(champion)
    health = client.get(URL).context["page"].health
    assert health.key_share_of_clv == Decimal("0.3")
    assert health.key_share_of_margin == Decimal("0.3")


def test_recommendations_give_their_reasons(client, champion, account, programme):
    today = timezone.localdate()
    AccountScoreFactory(
        account=account,
        attractiveness=Decimal(30),
        relationship=Decimal(30),
        overall=Decimal(30),
        recommendation=Recommendation.REVIEW_FOR_EXIT,
    )
    rising = AccountFactory(name="Rising Star")
    AccountScoreFactory(account=rising, overall=Decimal(80), recommendation=Recommendation.ADD)
    for days in (1, 30, 60):
        ScoreSnapshotFactory(account=rising, taken_on=today - timedelta(days=days), overall=Decimal(78))
        ScoreSnapshotFactory(account=account, taken_on=today - timedelta(days=days), overall=Decimal(31))
    client.force_login(champion)
    items = {i.name: i for i in client.get(URL).context["page"].recommendations}
    assert "at or above the entry threshold 65 in 3 of 3 snapshots" in items["Rising Star"].reason
    assert "below the exit threshold 45 in 3 of 3 snapshots" in items["Baltic Steel"].reason


def test_league_table_filters_by_quadrant_and_sorts_by_clv(client, champion, kam):
    for name, clv, a in [("Alpha", 100, 80), ("Beta", 300, 80), ("Gamma", 200, 20)]:
        AccountScoreFactory(
            account=AccountFactory(name=name, key=True, kam=kam),
            clv=Decimal(clv),
            attractiveness=Decimal(a),
            relationship=Decimal(80),
        )
    client.force_login(champion)
    rows = client.get(URL, {"quadrant": Quadrant.STRATEGIC, "sort": "clv"}).context["rows"]
    assert [r.account.name for r in rows] == ["Alpha", "Beta"]
    rows = client.get(URL, {"sort": "-clv"}).context["rows"]
    assert [r.account.name for r in rows] == ["Beta", "Gamma", "Alpha"]


def test_league_table_filters_by_kam_sponsor_industry_and_country(client, champion, account, other_account):
    client.force_login(champion)
    for params in (
        {"kam": account.kam_id},
        {"sponsor": account.executive_sponsor_id},
        {"industry": "Steel", "country": "PL"},
    ):
        rows = client.get(URL, params).context["rows"]
        assert [r.account for r in rows] == [account]


def test_league_fragment_answers_htmx_with_only_the_table(client, champion, account):
    client.force_login(champion)
    response = client.get(URL, {"partial": "league", "country": "FR"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="league"')
    assert "Baltic Steel" not in content


def test_csv_export_follows_the_filters_and_defuses_formulas(client, champion, kam):
    AccountScoreFactory(account=AccountFactory(name="=HYPERLINK(evil)", key=True, kam=kam), clv=Decimal(5))
    AccountScoreFactory(account=AccountFactory(name="Other", key=True, kam=kam, country="DE"), clv=Decimal(9))
    client.force_login(champion)
    response = client.get(reverse("portfolio:league_csv"), {"country": "PL"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Account"
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(evil)"]
    assert "attachment" in response["Content-Disposition"]


def test_per_kam_view_shows_clv_growth_and_margin_after_cost_to_serve(client, champion, kam):
    today = timezone.localdate()
    for clv in (110, 220):
        account = AccountFactory(key=True, kam=kam)
        AccountScoreFactory(
            account=account, clv=Decimal(clv), clv_margin=Decimal(50), clv_cost_to_serve=Decimal(20)
        )
        ScoreSnapshotFactory(
            account=account, taken_on=today - timedelta(days=120), clv=Decimal(clv) / Decimal("1.1")
        )
    client.force_login(champion)
    (figures,) = client.get(URL).context["page"].kams
    assert figures.kam == kam
    assert figures.margin_after_cost_to_serve == Decimal(60)
    assert figures.clv_growth.quantize(Decimal("0.001")) == Decimal("0.100")


def test_an_unscored_portfolio_still_renders(client, champion, account):
    client.force_login(champion)
    response = client.get(URL)
    assert response.status_code == 200
    assert "not scored yet" in response.content.decode()


def _dashboard_queries(client, champion, django_assert_max_num_queries, limit):
    from django.core.cache import cache

    cache.clear()  # measure the first view after a recompute: the portfolio totals are then read, not cached
    client.force_login(champion)
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(URL).status_code == 200
    return len(captured.captured_queries)


def test_dashboard_runs_the_same_number_of_queries_for_25_and_100_key_accounts(
    client, champion, programme, django_assert_max_num_queries
):
    build_portfolio(25, 30)
    # 10 for the dashboard, 8 for the measures: rates, five per-account reads, retention twice.
    small = _dashboard_queries(client, champion, django_assert_max_num_queries, 20)
    build_portfolio(75, 220)
    large = _dashboard_queries(client, champion, django_assert_max_num_queries, 20)
    assert small == large


def test_navigation_links_the_champion_to_the_portfolio_and_the_sponsor_to_their_accounts(
    client, champion, sponsor, account
):
    client.force_login(champion)
    content = client.get(reverse("accounts:list")).content.decode()
    for name in ("dashboard", "review_list", "kam_team", "sponsor_load"):
        assert f'href="{reverse(f"portfolio:{name}")}"' in content
    client.force_login(sponsor)
    content = client.get(reverse("accounts:list")).content.decode()
    assert f'href="{reverse("portfolio:sponsor_home")}"' in content
    assert f'href="{URL}"' not in content


def test_the_whole_portfolio_totals_are_read_once_per_recompute(client, champion, account, programme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(champion)
    client.get(URL)
    with CaptureQueriesContext(connection) as again:
        client.get(URL)
    assert not any('SUM("programme_accountscore"."clv_margin")' in q["sql"] for q in again.captured_queries)
