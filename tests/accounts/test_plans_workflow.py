"""The plan's workflow and content rules, as the services enforce them (views and API share them)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AccountPlan, ActionStatus, PlanAction, PlanStatus, ResourceRequestStatus, Strategy
from accounts.plans import services
from kam.core.versions import StaleVersion
from tests.accounts.plan_factories import (
    ActionFactory,
    BuyingCentreFactory,
    ObjectiveFactory,
    OpportunityFactory,
    PlanFactory,
    ResourceRequestFactory,
    RiskFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(account):
    return PlanFactory(account=account)


def test_a_plan_cannot_be_submitted_without_an_objective(plan, kam):
    with pytest.raises(ValidationError, match="at least one objective"):
        services.plan_transition(plan=plan, expected_version=plan.version, name="submit", by=kam)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_kam_submits_sponsor_approves_and_each_step_is_recorded(plan, kam, sponsor):
    ObjectiveFactory(plan=plan)
    services.plan_transition(plan=plan, expected_version=plan.version, name="submit", by=kam)
    services.plan_transition(
        plan=plan, expected_version=plan.version, name="approve", by=sponsor, comment="Go ahead"
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert plan.reviewed_on == timezone.localdate()
    assert plan.review_due_on == timezone.localdate() + timedelta(days=90)
    steps = [(s.from_status, s.to_status, s.changed_by, s.comment) for s in plan.status_changes.all()]
    assert steps == [
        (PlanStatus.SUBMITTED, PlanStatus.APPROVED, sponsor, "Go ahead"),
        (PlanStatus.DRAFT, PlanStatus.SUBMITTED, kam, ""),
    ]


@pytest.mark.parametrize("role", ["kam", "team_member", "other_kam", "outsider"])
def test_only_the_champion_or_the_accounts_sponsor_may_approve(plan, role, request):
    ObjectiveFactory(plan=plan)
    services.plan_transition(
        plan=plan, expected_version=plan.version, name="submit", by=request.getfixturevalue("kam")
    )
    with pytest.raises(PermissionDenied):
        services.plan_transition(
            plan=plan, expected_version=plan.version, name="approve", by=request.getfixturevalue(role)
        )


def test_champion_may_approve(plan, kam, champion):
    ObjectiveFactory(plan=plan)
    services.plan_transition(plan=plan, expected_version=plan.version, name="submit", by=kam)
    services.plan_transition(plan=plan, expected_version=plan.version, name="approve", by=champion)
    assert AccountPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED


def test_a_draft_cannot_be_approved(plan, sponsor):
    ObjectiveFactory(plan=plan)
    with pytest.raises(ValidationError, match="cannot take this step"):
        services.plan_transition(plan=plan, expected_version=plan.version, name="approve", by=sponsor)


def test_sending_back_needs_a_reason(plan, kam, sponsor):
    ObjectiveFactory(plan=plan)
    services.plan_transition(plan=plan, expected_version=plan.version, name="submit", by=kam)
    with pytest.raises(ValidationError) as error:
        services.plan_transition(plan=plan, expected_version=plan.version, name="send_back", by=sponsor)
    assert "comment" in error.value.message_dict
    services.plan_transition(
        plan=plan,
        expected_version=plan.version,
        name="send_back",
        by=sponsor,
        comment="Targets are not measurable",
    )
    assert AccountPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_whole_lifecycle_to_closed(plan, kam, sponsor):
    ObjectiveFactory(plan=plan)
    for name, by in [
        ("submit", kam),
        ("approve", sponsor),
        ("activate", kam),
        ("review", kam),
        ("close", kam),
    ]:
        services.plan_transition(plan=plan, expected_version=plan.version, name=name, by=by)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    assert plan.status_changes.count() == 5


def test_content_is_fixed_once_submitted_but_actions_go_on(plan, kam, team_member):
    objective = ObjectiveFactory(plan=plan)
    services.plan_transition(plan=plan, expected_version=plan.version, name="submit", by=kam)
    objective.refresh_from_db()
    objective.title = "Changed after submission"
    with pytest.raises(ValidationError, match="reopen it as a draft"):
        services.objective_save(objective=objective, opportunities=[], expected_version=objective.version)
    action = PlanAction(
        plan=plan, description="Agree priority allocation", owner=team_member, due_on=date(2026, 12, 1)
    )
    services.action_save(action=action, by=kam)
    assert plan.actions.count() == 1


def test_a_closed_plan_takes_no_more_actions(plan, kam, team_member):
    plan.status = PlanStatus.CLOSED
    plan.save()
    with pytest.raises(ValidationError, match="closed"):
        services.action_save(
            action=PlanAction(plan=plan, description="Late", owner=team_member, due_on=date(2026, 12, 1)),
            by=kam,
        )


def test_reopening_an_approved_plan_needs_a_reason_and_returns_it_to_draft(plan, kam, sponsor):
    ObjectiveFactory(plan=plan)
    services.plan_transition(plan=plan, expected_version=plan.version, name="submit", by=kam)
    services.plan_transition(plan=plan, expected_version=plan.version, name="approve", by=sponsor)
    with pytest.raises(ValidationError):
        services.plan_transition(plan=plan, expected_version=plan.version, name="reopen", by=kam)
    services.plan_transition(
        plan=plan, expected_version=plan.version, name="reopen", by=kam, comment="New competitor entered"
    )
    assert AccountPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_owner_marks_action_done_with_a_note_and_it_is_dated_today(plan, team_member):
    action = ActionFactory(plan=plan, owner=team_member)
    with pytest.raises(ValidationError) as error:
        services.action_report(
            action=action, status=ActionStatus.DONE, note=" ", expected_version=1, by=team_member
        )
    assert "note" in error.value.message_dict
    services.action_report(
        action=action, status=ActionStatus.DONE, note="Allocation agreed", expected_version=1, by=team_member
    )
    action.refresh_from_db()
    assert (action.status, action.done_on, action.note, action.version) == (
        ActionStatus.DONE,
        timezone.localdate(),
        "Allocation agreed",
        2,
    )
    assert action.history.first().history_user == team_member


def test_second_saver_of_an_action_is_told_and_sees_the_first_change(plan, team_member, kam):
    action = ActionFactory(plan=plan, owner=team_member)
    services.action_report(action=action, status=ActionStatus.IN_PROGRESS, note="Talking to planning",
                           expected_version=1, by=team_member)  # fmt: skip
    stale_copy = PlanAction.objects.get(pk=action.pk)
    stale_copy.description = "Agree allocation for Q1 and Q2"
    with pytest.raises(StaleVersion) as stale:
        services.action_save(action=stale_copy, expected_version=1, by=kam)
    assert stale.value.current.note == "Talking to planning"
    action.refresh_from_db()
    assert action.description != "Agree allocation for Q1 and Q2"


def test_answering_a_resource_request_dates_it_and_a_decline_needs_the_answer(plan, kam):
    ask = ResourceRequestFactory(plan=plan)
    ask.status = ResourceRequestStatus.DECLINED
    with pytest.raises(ValidationError) as error:
        services.resource_request_save(resource_request=ask, expected_version=1, by=kam)
    assert "answer" in error.value.message_dict
    ask.answer = "No engineer free before March"
    services.resource_request_save(resource_request=ask, expected_version=1, by=kam)
    ask.refresh_from_db()
    assert ask.answered_on == timezone.localdate() and ask.version == 2


def test_objective_points_only_at_cells_of_its_own_account(plan, other_account):
    own = OpportunityFactory(buying_centre=BuyingCentreFactory(account=plan.account))
    foreign = OpportunityFactory(buying_centre=BuyingCentreFactory(account=other_account))
    objective = ObjectiveFactory.build(plan=plan, strategy=Strategy.EXPAND)
    with pytest.raises(ValidationError):
        services.objective_save(objective=objective, opportunities=[foreign])
    services.objective_save(objective=objective, opportunities=[own])
    assert list(objective.opportunities.all()) == [own]


def test_copy_last_periods_plan_carries_content_open_actions_and_risks(plan, kam, team_member):
    plan.needs_organisation = "Secure supply"
    plan.save()
    cell = OpportunityFactory(buying_centre=BuyingCentreFactory(account=plan.account))
    objective = ObjectiveFactory(plan=plan)
    objective.opportunities.add(cell)
    ActionFactory(plan=plan, objective=objective, owner=team_member, description="Still to do")
    ActionFactory(plan=plan, owner=team_member, status=ActionStatus.DONE, done_on=date(2026, 3, 1))
    RiskFactory(plan=plan)
    ResourceRequestFactory(plan=plan)
    new = services.plan_create(
        account=plan.account, period_start=date(2027, 1, 1), period_end=date(2027, 12, 31), by=kam,
        copy_last=True,
    )  # fmt: skip
    assert new.status == PlanStatus.DRAFT and new.copied_from == plan
    assert new.needs_organisation == "Secure supply"
    copied = new.objectives.get()
    assert copied.pk != objective.pk and list(copied.opportunities.all()) == [cell]
    assert [(a.description, a.objective_id) for a in new.actions.all()] == [("Still to do", copied.pk)]
    assert new.risks.count() == 1 and new.resource_requests.count() == 0
    assert copied.history.count() == 1


def test_copy_needs_an_earlier_plan(account, kam):
    with pytest.raises(ValidationError) as error:
        services.plan_create(
            account=account,
            period_start=date(2027, 1, 1),
            period_end=date(2027, 12, 31),
            by=kam,
            copy_last=True,
        )
    assert "copy_last" in error.value.message_dict


def test_one_plan_per_account_and_period_start(plan, kam):
    with pytest.raises(ValidationError) as error:
        services.plan_create(
            account=plan.account, period_start=plan.period_start, period_end=date(2027, 1, 1), by=kam
        )
    assert "period_start" in error.value.message_dict


def test_review_overdue_and_overdue_actions_are_plain_filters(plan, kam, sponsor, team_member):
    today = timezone.localdate()
    ActionFactory(plan=plan, owner=team_member, due_on=today - timedelta(days=1))
    ActionFactory(plan=plan, owner=team_member, due_on=today + timedelta(days=1))
    assert PlanAction.objects.overdue(today).count() == 1
    assert list(AccountPlan.objects.review_overdue(today)) == [plan]
    ObjectiveFactory(plan=plan)
    services.plan_transition(plan=plan, expected_version=plan.version, name="submit", by=kam)
    services.plan_transition(plan=plan, expected_version=plan.version, name="approve", by=sponsor)
    assert not AccountPlan.objects.review_overdue(today).exists()
    assert list(AccountPlan.objects.review_overdue(today + timedelta(days=91))) == [plan]


def test_a_whitespace_cell_filled_by_two_people_at_once_tells_the_second(account, kam):
    cell = OpportunityFactory(buying_centre=BuyingCentreFactory(account=account))
    with pytest.raises(StaleVersion):
        services.opportunity_save(
            buying_centre=cell.buying_centre, offering=cell.offering, status="won", estimated_value=None,
            expected_version=None, by=kam,
        )  # fmt: skip


def test_open_resource_requests_are_counted_per_business_unit_for_what_the_user_sees(
    plan, champion, other_account
):
    from accounts.plans.selectors import open_resource_requests_by_business_unit

    ResourceRequestFactory.create_batch(2, plan=plan, business_unit="engineering")
    ResourceRequestFactory(plan=plan, business_unit="finance", status="agreed", answer="Yes")
    ResourceRequestFactory(plan=PlanFactory(account=other_account), business_unit="engineering")
    rows = open_resource_requests_by_business_unit(user=champion)
    assert [(r["business_unit"], r["open_requests"]) for r in rows] == [("engineering", 3)]
    rows = open_resource_requests_by_business_unit(user=plan.account.kam)
    assert [(r["business_unit"], r["open_requests"]) for r in rows] == [("engineering", 2)]
