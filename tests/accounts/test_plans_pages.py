"""Plan, whitespace-map, offerings and My actions pages: who gets in, what they see, fixed query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ActionStatus, PlanObjective, PlanStatus
from tests.accounts.plan_factories import (
    ActionFactory,
    BuyingCentreFactory,
    ObjectiveFactory,
    OfferingFactory,
    OpportunityFactory,
    PlanFactory,
    ResourceRequestFactory,
    RiskFactory,
)
from tests.conftest import ROLES
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db

READERS = {"champion": 200, "kam": 200, "sponsor": 200, "team_member": 200, "other_kam": 404, "outsider": 404}
EDITORS = {"champion": 200, "kam": 200, "sponsor": 403, "team_member": 403, "other_kam": 404, "outsider": 404}
APPROVERS = {
    "champion": 200,
    "sponsor": 200,
    "kam": 403,
    "team_member": 403,
    "other_kam": 404,
    "outsider": 404,
}
CHAMPION_ONLY = {
    "champion": 200,
    "kam": 403,
    "sponsor": 403,
    "team_member": 403,
    "other_kam": 403,
    "outsider": 403,
}
OWNER_OR_EDITOR = {
    "champion": 200,
    "kam": 200,
    "team_member": 200,
    "sponsor": 403,
    "other_kam": 404,
    "outsider": 404,
}


@pytest.fixture
def world(account, team_member):
    plan = PlanFactory(account=account)
    objective = ObjectiveFactory(plan=plan)
    action = ActionFactory(plan=plan, objective=objective, owner=team_member)
    ask = ResourceRequestFactory(plan=plan)
    risk = RiskFactory(plan=plan)
    cell = OpportunityFactory(buying_centre=BuyingCentreFactory(account=account))
    return {"plan": plan, "objective": objective, "action": action, "ask": ask, "risk": risk, "cell": cell}


def _urls(w):
    a, p = w["plan"].account_id, w["plan"].pk
    return {
        "plan_list": (reverse("accounts:plan_list", args=[a]), READERS),
        "plan_detail": (reverse("accounts:plan_detail", args=[a, p]), READERS),
        "plan_partial": (reverse("accounts:plan_detail", args=[a, p]) + "?partial=actions", READERS),
        "plan_create": (reverse("accounts:plan_create", args=[a]), EDITORS),
        "plan_sections": (reverse("accounts:plan_sections", args=[a, p]), EDITORS),
        "submit": (reverse("accounts:plan_step", args=[a, p, "submit"]), EDITORS),
        "approve": (reverse("accounts:plan_step", args=[a, p, "approve"]), APPROVERS),
        "objective_create": (reverse("accounts:objective_create", args=[a, p]), EDITORS),
        "objective_edit": (reverse("accounts:objective_edit", args=[a, p, w["objective"].pk]), EDITORS),
        "action_create": (reverse("accounts:action_create", args=[a, p]), EDITORS),
        "action_edit": (reverse("accounts:action_edit", args=[a, p, w["action"].pk]), OWNER_OR_EDITOR),
        "request_create": (reverse("accounts:resource_request_create", args=[a, p]), EDITORS),
        "request_edit": (reverse("accounts:resource_request_edit", args=[a, p, w["ask"].pk]), EDITORS),
        "risk_create": (reverse("accounts:risk_create", args=[a, p]), EDITORS),
        "risk_edit": (reverse("accounts:risk_edit", args=[a, p, w["risk"].pk]), EDITORS),
        "opportunity_map": (reverse("accounts:opportunity_map", args=[a]), READERS),
        "opportunity_edit": (
            reverse("accounts:opportunity_edit", args=[a, w["cell"].buying_centre_id, w["cell"].offering_id]),
            EDITORS,
        ),
        "offerings": (reverse("accounts:offerings"), CHAMPION_ONLY),
        "my_actions": (reverse("accounts:my_actions"), dict.fromkeys(READERS, 200)),
    }


PAGES = list(_urls({k: type("X", (), {"pk": 1, "account_id": 1, "buying_centre_id": 1, "offering_id": 1})()
                    for k in ("plan", "objective", "action", "ask", "risk", "cell")}))  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_plan_page_answers_each_role_as_the_permission_module_says(as_role, world, page, role):
    url, expected = _urls(world)[page]
    response = as_role(role).get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == expected[role], (page, role)


@pytest.mark.parametrize("role", ["sponsor", "team_member", "other_kam", "outsider"])
def test_only_editors_can_add_an_objective(as_role, world, role):
    url, expected = _urls(world)["objective_create"]
    data = {"title": "Grow", "strategy": "expand", "target": "+10 %"}
    assert as_role(role).post(url, data).status_code == expected[role]
    assert PlanObjective.objects.count() == 1


def test_plan_page_shows_objectives_actions_requests_risks_and_status(client, kam, world):
    client.force_login(kam)
    html = client.get(world["plan"].get_absolute_url()).content.decode()
    for text in [world["objective"].title, "Protect", world["action"].description, "Operations",
                 "An application engineer, 10 days", "Requested", "Competitor offers a lower price", "Draft",
                 "Submit for approval"]:  # fmt: skip
        assert text in html, text


def test_sponsor_reads_the_plan_without_edit_links_and_can_approve_once_submitted(client, sponsor, world):
    plan = world["plan"]
    plan.status = PlanStatus.SUBMITTED
    plan.save()
    client.force_login(sponsor)
    html = client.get(plan.get_absolute_url()).content.decode()
    assert "Add an objective" not in html and "Add an action" not in html
    assert "Approve" in html
    response = client.post(
        reverse("accounts:plan_step", args=[plan.account_id, plan.pk, "approve"]), {"version": plan.version}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED


def test_submitting_without_objectives_tells_the_kam_why(client, kam, account):
    plan = PlanFactory(account=account)
    client.force_login(kam)
    response = client.post(
        reverse("accounts:plan_step", args=[account.pk, plan.pk, "submit"]), {"version": plan.version}
    )
    assert response.status_code == 422
    assert "Add at least one objective" in response.content.decode()


def test_htmx_objective_with_missing_fields_rerenders_the_form_with_field_messages(client, kam, world):
    client.force_login(kam)
    url = reverse("accounts:objective_create", args=[world["plan"].account_id, world["plan"].pk])
    response = client.post(url, {"title": "Grow coated steel"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 422
    assert "<html" not in html and "This field is required." in html and 'value="Grow coated steel"' in html
    assert PlanObjective.objects.count() == 1


def test_htmx_objective_saved_answers_with_the_refreshed_section(client, kam, world):
    client.force_login(kam)
    url = reverse("accounts:objective_create", args=[world["plan"].account_id, world["plan"].pk])
    data = {"title": "Enter the Gdańsk plant", "strategy": "penetrate", "target": "First order by June",
            "opportunities": [world["cell"].pk]}  # fmt: skip
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="objectives"' in html and "<html" not in html
    assert "Enter the Gdańsk plant" in html and world["cell"].offering.name in html


def test_second_editor_of_an_objective_is_told_sees_the_change_and_keeps_what_they_typed(client, kam, world):
    objective = world["objective"]
    url = reverse("accounts:objective_edit", args=[world["plan"].account_id, world["plan"].pk, objective.pk])
    client.force_login(kam)
    first = {"title": "Keep coated steel", "strategy": "protect", "target": "70 % share", "version": 1}
    assert client.post(url, first, HTTP_HX_REQUEST="true").status_code == 200
    second = {"title": "My own wording", "strategy": "protect", "target": "75 % share", "version": 1}
    response = client.post(url, second, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 409
    assert (
        "Someone else saved this" in html and "Keep coated steel" in html and 'value="My own wording"' in html
    )
    assert 'name="version" value="2"' in html
    objective.refresh_from_db()
    assert objective.title == "Keep coated steel"
    # Saving again is deliberate and goes through.
    assert client.post(url, second | {"version": 2}, HTTP_HX_REQUEST="true").status_code == 200


def test_team_member_updates_only_the_status_and_note_of_their_action(client, team_member, world):
    action = world["action"]
    url = reverse("accounts:action_edit", args=[world["plan"].account_id, world["plan"].pk, action.pk])
    client.force_login(team_member)
    data = {"status": "in_progress", "note": "Call booked", "version": 1, "description": "Hijacked"}
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert (action.status, action.note, action.description != "Hijacked") == (
        "in_progress",
        "Call booked",
        True,
    )


def test_team_member_cannot_update_someone_elses_action(client, team_member, world, kam):
    other = ActionFactory(plan=world["plan"], owner=kam)
    url = reverse("accounts:action_edit", args=[world["plan"].account_id, world["plan"].pk, other.pk])
    client.force_login(team_member)
    assert client.post(url, {"status": "done", "note": "x", "version": 1}).status_code == 403


def test_my_actions_lists_own_actions_with_account_and_objective_and_marks_done(
    client, team_member, world, kam
):
    ActionFactory(plan=world["plan"], owner=kam, description="Not Tomasz's")
    client.force_login(team_member)
    html = client.get(reverse("accounts:my_actions")).content.decode()
    assert world["action"].description in html and "Baltic Steel" in html and world["objective"].title in html
    assert "Not Tomasz's" not in html
    url = reverse("accounts:my_action_done", args=[world["action"].pk])
    response = client.post(
        url, {"status": "done", "note": "Allocation agreed", "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Allocation agreed" in response.content.decode()
    world["action"].refresh_from_db()
    assert world["action"].status == ActionStatus.DONE


def test_an_action_says_who_assigned_it_set_from_whoever_gives_it_an_owner(client, kam, champion, world):
    plan, url = (
        world["plan"],
        reverse("accounts:action_create", args=[world["plan"].account_id, world["plan"].pk]),
    )
    client.force_login(kam)
    data = {"description": "Book the plant visit", "owner": world["action"].owner_id, "status": "open",
            "due_on": (timezone.localdate() + timedelta(days=7)).isoformat(), "note": ""}  # fmt: skip
    assert client.post(url, data).status_code == 302
    action = plan.actions.get(description="Book the plant visit")
    assert action.assigned_by == kam
    # The champion changes the due date only: it was still Magda who assigned it.
    edit = reverse("accounts:action_edit", args=[plan.account_id, plan.pk, action.pk])
    client.force_login(champion)
    assert (
        client.post(edit, data | {"due_on": timezone.localdate().isoformat(), "version": 1}).status_code
        == 302
    )
    action.refresh_from_db()
    assert action.assigned_by == kam and action.history.first().history_user == champion
    # Given to someone else, the one who reassigned it assigned it.
    assert client.post(edit, data | {"owner": kam.pk, "version": 2}).status_code == 302
    action.refresh_from_db()
    assert action.assigned_by == champion


def test_my_actions_shows_who_assigned_each_and_filters_by_status(client, kam, team_member, world):
    plan = world["plan"]
    ActionFactory(
        plan=plan, owner=team_member, assigned_by=kam, description="Started one", status="in_progress"
    )
    ActionFactory(plan=plan, owner=team_member, description="Finished one", status="done",
                  done_on=timezone.localdate(), note="ok")  # fmt: skip
    client.force_login(team_member)
    html = client.get(reverse("accounts:my_actions")).content.decode()
    assert f"assigned by {kam}" in html and "In progress" in html
    for status, shown, hidden in [
        ("in_progress", "Started one", "Finished one"),
        ("done", "Finished one", "Started one"),
        ("open", world["action"].description, "Started one"),
    ]:
        response = client.get(reverse("accounts:my_actions"), {"status": status})
        descriptions = [a.description for a in response.context["actions"]]
        assert shown in descriptions and hidden not in descriptions, status
    response = client.get(reverse("accounts:my_actions"), {"status": "nonsense"})
    assert len(response.context["actions"]) == 3


def test_an_owner_starts_an_action_from_my_actions(client, team_member, world):
    client.force_login(team_member)
    html = client.get(reverse("accounts:my_actions")).content.decode()
    assert 'name="status" value="in_progress"' in html
    url = reverse("accounts:my_action_done", args=[world["action"].pk])
    response = client.post(url, {"status": "in_progress", "note": "", "version": 1}, follow=True)
    assert "Action marked in progress." in response.content.decode()
    world["action"].refresh_from_db()
    assert world["action"].status == ActionStatus.IN_PROGRESS and world["action"].done_on is None


def test_marking_done_without_a_note_names_the_field(client, team_member, world):
    client.force_login(team_member)
    url = reverse("accounts:my_action_done", args=[world["action"].pk])
    response = client.post(url, {"status": "done", "note": "", "version": 1}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "Say in a line what was done" in response.content.decode()


@pytest.mark.parametrize(("role", "status"), [("sponsor", 403), ("other_kam", 404), ("outsider", 404)])
def test_others_cannot_mark_an_action_done(as_role, world, role, status):
    url = reverse("accounts:my_action_done", args=[world["action"].pk])
    assert as_role(role).post(url, {"status": "done", "note": "x", "version": 1}).status_code == status
    world["action"].refresh_from_db()
    assert world["action"].status == ActionStatus.OPEN


def test_an_owner_outside_the_account_team_still_sees_and_closes_their_action(client, world):
    finance = UserFactory(username="sofia")
    action = ActionFactory(plan=world["plan"], owner=finance)
    client.force_login(finance)
    assert action.description in client.get(reverse("accounts:my_actions")).content.decode()
    assert client.get(world["plan"].get_absolute_url()).status_code == 404  # the account itself stays closed
    url = reverse("accounts:my_action_done", args=[action.pk])
    assert client.post(url, {"status": "done", "note": "Credit line agreed", "version": 1}).status_code == 302


def test_whitespace_cell_edited_inline(client, kam, world):
    cell = world["cell"]
    url = reverse(
        "accounts:opportunity_edit", args=[world["plan"].account_id, cell.buying_centre_id, cell.offering_id]
    )
    client.force_login(kam)
    bad = client.post(url, {"status": "won", "estimated_value": "-5", "version": 1}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "greater than or equal to 0" in bad.content.decode()
    good = client.post(
        url, {"status": "won", "estimated_value": "250000", "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert good.status_code == 200 and "Won" in good.content.decode()


def test_blank_cell_can_be_filled_and_buying_centres_added(client, kam, account):
    offering = OfferingFactory(name="Coated steel")
    client.force_login(kam)
    map_url = reverse("accounts:opportunity_map", args=[account.pk])
    assert client.post(map_url, {"name": ""}).status_code == 422
    assert client.post(map_url, {"name": "Gdańsk plant"}).status_code == 302
    centre = account.buying_centres.get()
    url = reverse("accounts:opportunity_edit", args=[account.pk, centre.pk, offering.pk])
    assert client.post(url, {"status": "potential", "estimated_value": "1000"}).status_code == 302
    html = client.get(map_url).content.decode()
    assert "Gdańsk plant" in html and "Coated steel" in html and "Potential" in html


def test_champion_keeps_the_offerings_catalogue(client, champion):
    client.force_login(champion)
    assert client.post(reverse("accounts:offerings"), {"name": "", "position": 0}).status_code == 422
    assert (
        client.post(reverse("accounts:offerings"), {"name": "Coated steel", "position": 1}).status_code == 302
    )
    assert "Coated steel" in client.get(reverse("accounts:offerings")).content.decode()


def test_kam_starts_a_plan_copying_the_last_one(client, kam, world):
    client.force_login(kam)
    url = reverse("accounts:plan_create", args=[world["plan"].account_id])
    bad = client.post(url, {"period_start": "2027-01-01", "period_end": "2026-01-01"})
    assert bad.status_code == 422 and "must end after it starts" in bad.content.decode()
    response = client.post(url, {"period_start": "2027-01-01", "period_end": "2027-12-31", "copy_last": "on"})
    assert response.status_code == 302
    new = world["plan"].account.plans.get(period_start="2027-01-01")
    assert new.objectives.count() == 1 and new.actions.count() == 1


def _fill(account, n: int, owner):
    plan = PlanFactory(
        account=account, period_start=timezone.localdate().replace(day=1) - timedelta(days=400)
    )
    objectives = ObjectiveFactory.create_batch(n, plan=plan)
    cells = [
        OpportunityFactory(buying_centre=BuyingCentreFactory(account=account)) for _ in range(min(n, 12))
    ]
    for i, objective in enumerate(objectives):
        objective.opportunities.add(cells[i % len(cells)])
        ActionFactory(plan=plan, objective=objective, owner=owner if i % 2 else UserFactory())
        ResourceRequestFactory(plan=plan)
        RiskFactory(plan=plan)
    return plan


@pytest.mark.parametrize("n", [3, 40])
def test_plan_page_runs_a_fixed_number_of_queries(
    client, kam, account, team_member, n, django_assert_max_num_queries
):
    plan = _fill(account, n, team_member)
    client.force_login(kam)
    with django_assert_max_num_queries(14):
        response = client.get(plan.get_absolute_url())
    assert response.status_code == 200 and len(response.context["page"].actions) == n


@pytest.mark.parametrize("n", [3, 40])
def test_my_actions_runs_a_fixed_number_of_queries(client, team_member, n, django_assert_max_num_queries):
    for _ in range(n):
        account = AccountFactory(key=True)
        plan = PlanFactory(account=account)
        ActionFactory(
            plan=plan, owner=team_member, objective=ObjectiveFactory(plan=plan), assigned_by=plan.account.kam
        )
    client.force_login(team_member)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("accounts:my_actions"))
    assert len(response.context["actions"]) == n


@pytest.mark.parametrize("n", [2, 30])
def test_opportunity_map_and_plan_list_run_a_fixed_number_of_queries(
    client, kam, account, n, django_assert_max_num_queries
):
    offerings = OfferingFactory.create_batch(n)
    for i in range(n):
        centre = BuyingCentreFactory(account=account)
        OpportunityFactory(buying_centre=centre, offering=offerings[i])
        start = timezone.localdate().replace(day=1, year=1990 + i)
        PlanFactory(account=account, period_start=start, period_end=start + timedelta(days=300))
    client.force_login(kam)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("accounts:opportunity_map", args=[account.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("accounts:plan_list", args=[account.pk])).status_code == 200
