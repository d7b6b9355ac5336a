"""Executive sponsors: "My accounts", the brief, endorsing, logging a visit; the champion's load page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Interaction, InteractionKind, PlanStatus
from tests.accounts.plan_factories import ActionFactory, ObjectiveFactory, PlanFactory, RiskFactory
from tests.conftest import ROLES
from tests.factories import AccountFactory, InteractionFactory, StakeholderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted_plan(account):
    today = timezone.localdate()
    plan = PlanFactory(
        account=account,
        status=PlanStatus.SUBMITTED,
        period_start=today - timedelta(days=10),
        period_end=today + timedelta(days=300),
        sponsor_visits_per_year=4,
    )
    ObjectiveFactory(plan=plan, title="Keep 70 % share of wallet")
    ActionFactory(plan=plan, description="Agree priority allocation for Q1")
    return plan


def test_my_accounts_lists_only_the_accounts_the_sponsor_sponsors(client, sponsor, account, other_account):
    AccountFactory(name="Candidate Co", executive_sponsor=UserFactory())
    client.force_login(sponsor)
    response = client.get(reverse("portfolio:sponsor_home"))
    assert [i.account for i in response.context["accounts"]] == [account]
    assert "Lyon Chimie" not in response.content.decode()


def test_my_accounts_tells_what_waits_for_the_sponsor(client, sponsor, account, submitted_plan):
    client.force_login(sponsor)
    content = client.get(reverse("portfolio:sponsor_home")).content.decode()
    assert "A plan waits for your endorsement." in content
    assert "An executive visit is due." in content


def test_the_brief_shows_objectives_map_actions_and_last_visit(client, sponsor, account, submitted_plan):
    ceo = StakeholderFactory(account=account, name="Anna CEO", buying_role="decision_maker", attitude=2)
    StakeholderFactory(account=account, name="Piotr Procurement", attitude=-1)
    InteractionFactory(
        account=account,
        kind=InteractionKind.EXECUTIVE_VISIT,
        occurred_on=timezone.localdate() - timedelta(days=150),
        stakeholders=[ceo],
    )
    client.force_login(sponsor)
    response = client.get(reverse("portfolio:sponsor_brief", args=[account.pk]))
    content = response.content.decode()
    brief = response.context["brief"]
    assert "Keep 70 % share of wallet" in content and "Agree priority allocation for Q1" in content
    assert [s.name for s in brief.supporters] == ["Anna CEO"]
    assert [s.name for s in brief.opponents] == ["Piotr Procurement"]
    assert brief.last_visit.stakeholders.get() == ceo
    assert brief.can_endorse


def test_a_sponsor_cannot_reach_another_account(client, sponsor, account, other_account):
    client.force_login(sponsor)
    assert client.get(reverse("portfolio:sponsor_brief", args=[other_account.pk])).status_code == 404
    assert client.get(reverse("portfolio:sponsor_visit", args=[other_account.pk])).status_code == 404
    assert client.get(reverse("accounts:detail", args=[other_account.pk])).status_code == 404


def test_the_sponsor_endorses_a_submitted_plan(client, sponsor, account, submitted_plan):
    client.force_login(sponsor)
    url = reverse("portfolio:sponsor_endorse", args=[account.pk, submitted_plan.pk])
    response = client.post(url, {"comment": "Good plan", "version": submitted_plan.version})
    assert response.status_code == 302
    submitted_plan.refresh_from_db()
    assert submitted_plan.status == PlanStatus.APPROVED
    change = submitted_plan.status_changes.get(to_status=PlanStatus.APPROVED)
    assert change.changed_by == sponsor and change.comment == "Good plan"


def test_endorsing_a_plan_that_is_not_submitted_changes_nothing(client, sponsor, account, submitted_plan):
    submitted_plan.status = PlanStatus.DRAFT
    submitted_plan.save()
    client.force_login(sponsor)
    client.post(reverse("portfolio:sponsor_endorse", args=[account.pk, submitted_plan.pk]))
    submitted_plan.refresh_from_db()
    assert submitted_plan.status == PlanStatus.DRAFT


def test_the_sponsor_logs_an_executive_visit(client, sponsor, account):
    ceo = StakeholderFactory(account=account)
    client.force_login(sponsor)
    url = reverse("portfolio:sponsor_visit", args=[account.pk])
    day = timezone.localdate().isoformat()
    response = client.post(
        url, {"occurred_on": day, "stakeholders": [ceo.pk], "notes": "Dinner with the CEO"}
    )
    assert response.status_code == 302
    visit = Interaction.objects.get(account=account)
    assert visit.kind == InteractionKind.EXECUTIVE_VISIT
    assert list(visit.participants.all()) == [sponsor] and visit.logged_by == sponsor


def test_a_visit_without_people_or_in_the_future_is_refused_with_field_messages(client, sponsor, account):
    StakeholderFactory(account=account)
    client.force_login(sponsor)
    url = reverse("portfolio:sponsor_visit", args=[account.pk])
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(url, {"occurred_on": future, "stakeholders": []})
    assert response.status_code == 422
    form = response.context["form"]
    assert "stakeholders" in form.errors
    assert not Interaction.objects.exists()
    ceo = StakeholderFactory(account=account)
    response = client.post(url, {"occurred_on": future, "stakeholders": [ceo.pk]})
    assert response.status_code == 422 and "occurred_on" in response.context["form"].errors


def test_the_sponsor_load_page_shows_accounts_per_sponsor_against_the_cap(
    client, champion, sponsor, account, programme
):
    programme.sponsor_account_cap = 1
    programme.save()
    AccountFactory(name="Second Key", key=True, executive_sponsor=sponsor)
    PlanFactory(
        account=account,
        period_start=timezone.localdate() - timedelta(days=5),
        period_end=timezone.localdate() + timedelta(days=100),
        sponsor_visits_per_year=3,
    )
    client.force_login(champion)
    page = client.get(reverse("portfolio:sponsor_load")).context["page"]
    (load,) = page.sponsors
    assert load.sponsor == sponsor and load.count == 2 and load.over_cap
    assert load.visits_committed == 3 and load.behind


BRIEF_EXPECTED = {
    "champion": 200,
    "sponsor": 200,
    "kam": 403,
    "team_member": 403,
    "other_kam": 404,
    "outsider": 404,
    "anonymous": 302,
}


@pytest.mark.parametrize("role", ROLES)
def test_brief_visit_and_endorse_by_role(as_role, role, account, submitted_plan):
    client = as_role(role)
    assert (
        client.get(reverse("portfolio:sponsor_brief", args=[account.pk])).status_code == BRIEF_EXPECTED[role]
    )
    assert (
        client.get(reverse("portfolio:sponsor_visit", args=[account.pk])).status_code == BRIEF_EXPECTED[role]
    )
    response = client.post(
        reverse("portfolio:sponsor_endorse", args=[account.pk, submitted_plan.pk]),
        {"version": submitted_plan.version},
    )
    assert response.status_code == (
        302 if role in ("champion", "sponsor", "anonymous") else BRIEF_EXPECTED[role]
    )
    submitted_plan.refresh_from_db()
    expected = PlanStatus.APPROVED if role in ("champion", "sponsor") else PlanStatus.SUBMITTED
    assert submitted_plan.status == expected


@pytest.mark.parametrize("role", ROLES)
def test_sponsor_home_for_every_role_and_load_page_for_the_champion_only(as_role, role, account):
    client = as_role(role)
    assert client.get(reverse("portfolio:sponsor_home")).status_code == (302 if role == "anonymous" else 200)
    expected = {"champion": 200, "anonymous": 302}.get(role, 403)
    assert client.get(reverse("portfolio:sponsor_load")).status_code == expected


def test_sponsor_pages_run_a_fixed_number_of_queries(
    client, sponsor, programme, django_assert_max_num_queries
):
    def add_accounts(n):
        for _ in range(n):
            a = AccountFactory(key=True, executive_sponsor=sponsor)
            PlanFactory(
                account=a,
                period_start=timezone.localdate() - timedelta(days=5),
                period_end=timezone.localdate() + timedelta(days=50),
            )
            StakeholderFactory(account=a)

    client.force_login(sponsor)
    add_accounts(2)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("portfolio:sponsor_home"))
    add_accounts(20)
    with django_assert_max_num_queries(12) as large:
        client.get(reverse("portfolio:sponsor_home"))
    assert len(small.captured_queries) == len(large.captured_queries)


def test_a_sponsor_cannot_reach_another_account_through_the_api(client, sponsor, account, other_account):
    client.force_login(sponsor)
    assert client.get(f"/api/v1/accounts/{account.pk}/").status_code == 200
    assert client.get(f"/api/v1/accounts/{other_account.pk}/").status_code == 404
    listed = client.get("/api/v1/accounts/").json()
    names = [a["name"] for a in listed.get("results", listed)]
    assert names == ["Baltic Steel"]


def test_the_brief_and_the_load_page_run_a_fixed_number_of_queries(
    client, champion, sponsor, account, programme, django_assert_max_num_queries
):
    today = timezone.localdate()
    plan = PlanFactory(
        account=account, period_start=today - timedelta(days=5), period_end=today + timedelta(days=50)
    )

    def grow(n):
        for _ in range(n):
            person = StakeholderFactory(account=account, buying_role="decision_maker")
            InteractionFactory(
                account=account,
                kind=InteractionKind.EXECUTIVE_VISIT,
                occurred_on=today,
                stakeholders=[person],
            )
            ActionFactory(plan=plan)
            AccountFactory(key=True, executive_sponsor=UserFactory())

    def counts():
        client.force_login(sponsor)
        with django_assert_max_num_queries(20) as brief:
            client.get(reverse("portfolio:sponsor_brief", args=[account.pk]))
        client.force_login(champion)
        with django_assert_max_num_queries(20) as load:
            client.get(reverse("portfolio:sponsor_load"))
        return len(brief.captured_queries), len(load.captured_queries)

    grow(1)
    small = counts()
    grow(12)
    assert counts() == small


# --- the brief fits: the top people, overdue actions named, endorsing said to approve ----------------


def test_the_brief_lists_the_most_influential_people_and_links_to_the_rest(client, sponsor, account):
    for i in range(12):
        StakeholderFactory(account=account, name=f"Person {i:02d}", influence=1 + i % 5, attitude=(i % 5) - 2)
    client.force_login(sponsor)
    response = client.get(reverse("portfolio:sponsor_brief", args=[account.pk]))
    content = response.content.decode()
    shown = [s.name for s in response.context["brief"].key_people]
    assert shown == ["Person 04", "Person 09", "Person 03", "Person 08", "Person 02"]
    assert "Person 00" not in content and "Person 10" not in content
    assert f'href="{account.get_absolute_url()}#stakeholders"' in content
    assert "All 12 people on the stakeholder map" in content


def test_the_brief_marks_overdue_actions_as_overdue(client, sponsor, account, submitted_plan):
    today = timezone.localdate()
    late = today - timedelta(days=9)
    ActionFactory(plan=submitted_plan, description="Send the allocation plan", due_on=late)
    client.force_login(sponsor)
    response = client.get(reverse("portfolio:sponsor_brief", args=[account.pk]))
    brief = response.context["brief"]
    assert [a.description for a in brief.overdue_actions] == ["Send the allocation plan"]
    assert [a.description for a in brief.upcoming_actions] == ["Agree priority allocation for Q1"]
    content = response.content.decode()
    overdue = content.index("Overdue actions")
    assert overdue < content.index("Send the allocation plan") < content.index("Upcoming actions")
    assert "9 days overdue" in content


def test_endorsing_says_that_it_approves_the_plan(client, sponsor, account, submitted_plan):
    client.force_login(sponsor)
    brief_url = reverse("portfolio:sponsor_brief", args=[account.pk])
    content = client.get(brief_url).content.decode()
    assert "Endorse and approve the plan" in content
    assert "Endorsing approves the plan" in content
    url = reverse("portfolio:sponsor_endorse", args=[account.pk, submitted_plan.pk])
    response = client.post(url, {"version": submitted_plan.version}, follow=True)
    assert "Plan endorsed and approved" in response.content.decode()


def test_the_brief_shows_the_worst_risks_and_links_to_the_rest(client, sponsor, account, submitted_plan):
    for impact in (1, 3, 2, 1, 3):
        RiskFactory(plan=submitted_plan, description=f"Risk of impact {impact}", impact=impact)
    client.force_login(sponsor)
    response = client.get(reverse("portfolio:sponsor_brief", args=[account.pk]))
    assert [r.impact for r in response.context["brief"].risks] == [3, 3, 2]
    content = response.content.decode()
    assert "the worst 3 of 5" in content and f"{submitted_plan.get_absolute_url()}#risks" in content
