"""The joint account plan: the plan as the KAM shares it with the customer, on screen and as a PDF.

Objectives, value proposition, joint actions and review dates; nothing internal (resource requests,
risks, needs, strategies, notes, the stakeholder map, scores, lifetime value).
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import ActionStatus, PlanAction, PlanStatus
from tests.accounts.plan_factories import (
    ActionFactory,
    ObjectiveFactory,
    PlanFactory,
    ResourceRequestFactory,
    RiskFactory,
)
from tests.conftest import ROLES
from tests.factories import StakeholderFactory
from tests.pdfs import pdf_pages, pdf_text
from tests.programme.dashboard_factories import AccountScoreFactory

pytestmark = pytest.mark.django_db

EXPECTED = {
    "champion": 200,
    "kam": 200,
    "sponsor": 200,
    "team_member": 200,
    "other_kam": 404,
    "outsider": 404,
    "anonymous": 302,
}

# Distinctive values in every internal field: none of them may reach the customer.
INTERNAL = {
    "resource request": "Quarzite engineer for 12 days",
    "resource answer": "Declined by Zephyr finance",
    "risk": "Buyer Vorontsova may defect to Salzgitter",
    "mitigation": "Escalate via Kowalczyk back channel",
    "needs": "Wants a promotion before Q3",
    "sponsor commitment": "Dinner with the Xylophon board",
    "private action": "Undercut the Thyssen offer quietly",
    "action note": "Margin floor 11.7 percent",
    "stakeholder": "Brunhilde Competitorfriend",
    "lifetime value": "9,876,543",
}


@pytest.fixture
def plan(account, kam, team_member):
    today = timezone.localdate()
    plan = PlanFactory(
        account=account,
        status=PlanStatus.ACTIVE,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        value_terms="Quarterly index pricing, 45 days payment",
        value_dedicated_offer="Consignment stock in Gdańsk",
        value_loyalty_terms="Rebate of 1.5 % above 20,000 t",
        needs_personal=INTERNAL["needs"],
        sponsor_commitments=INTERNAL["sponsor commitment"],
        reviewed_on=date(2026, 9, 15),
        review_due_on=date(2026, 12, 14),
    )
    keep = ObjectiveFactory(plan=plan, title="Keep 70 % share of wallet", target="70 % in coated steel")
    ObjectiveFactory(plan=plan, title="Cut line stoppages by half", target="Fewer than 4 a month")
    ActionFactory(
        plan=plan, objective=keep, description="Run the line trial together", owner=team_member,
        shared_with_customer=True, due_on=today - timedelta(days=3),
    )  # fmt: skip
    ActionFactory(
        plan=plan, objective=keep, description=INTERNAL["private action"], owner=kam,
        note=INTERNAL["action note"],
    )  # fmt: skip
    ActionFactory(
        plan=plan, description="A dropped joint idea", owner=kam, shared_with_customer=True,
        status=ActionStatus.DROPPED,
    )  # fmt: skip
    ResourceRequestFactory(
        plan=plan, request=INTERNAL["resource request"], status="declined", answer=INTERNAL["resource answer"]
    )
    RiskFactory(plan=plan, description=INTERNAL["risk"], mitigation=INTERNAL["mitigation"])
    StakeholderFactory(
        account=account, name=INTERNAL["stakeholder"], attitude=-2, competitor_relationship_strength=3
    )
    AccountScoreFactory(account=account, clv=9876543)
    return plan


def _urls(plan):
    args = [plan.account_id, plan.pk]
    return reverse("accounts:joint_plan", args=args), reverse("accounts:joint_plan_pdf", args=args)


@pytest.mark.parametrize("role", ROLES)
def test_whoever_may_read_the_plan_may_open_the_joint_plan_and_nobody_else(as_role, role, plan):
    page_url, pdf_url = _urls(plan)
    client = as_role(role)
    assert client.get(page_url).status_code == EXPECTED[role]
    response = client.get(pdf_url)
    assert response.status_code == EXPECTED[role]
    if EXPECTED[role] == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith('attachment; filename="baltic-steel-joint-')


def test_the_joint_plan_pdf_has_the_objectives_offer_joint_actions_and_review_dates(client, kam, plan):
    client.force_login(kam)
    text = pdf_text(client.get(_urls(plan)[1]).content)
    for shared in (
        "Joint account plan",
        "Keep 70 % share of wallet",
        "70 % in coated steel",
        "Cut line stoppages by half",
        "Quarterly index pricing, 45 days payment",
        "Consignment stock in Gdańsk",
        "Rebate of 1.5 % above 20,000 t",
        "Run the line trial together",
        "late",  # the joint action is three days overdue
        date_format(date(2026, 9, 15)),  # last reviewed together
        date_format(date(2026, 12, 14)),  # next review
    ):
        assert shared in text, shared


def test_the_joint_plan_pdf_holds_nothing_internal(client, kam, plan):
    client.force_login(kam)
    text = pdf_text(client.get(_urls(plan)[1]).content)
    for what, value in INTERNAL.items():
        assert value not in text, what
    for label in ("Protect", "Opponent", "competitor", "Lifetime value", "score", "Risk", "resource"):
        assert label.lower() not in text.lower(), label
    assert "A dropped joint idea" not in text


def test_the_joint_plan_page_holds_nothing_internal_either(client, kam, plan):
    client.force_login(kam)
    content = client.get(_urls(plan)[0]).content.decode()
    assert "Keep 70 % share of wallet" in content and "Run the line trial together" in content
    for what, value in INTERNAL.items():
        assert value not in content, what
    assert _urls(plan)[1] in content  # the PDF is one click away


def test_every_page_of_the_joint_plan_pdf_has_both_logos_and_its_number(client, kam, plan):
    for i in range(60):
        ObjectiveFactory(plan=plan, title=f"Objective number {i}", target="A target long enough " * 3)
    client.force_login(kam)
    pages = pdf_pages(client.get(_urls(plan)[1]).content)
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "kam" in text and "Baltic Steel" in text  # our logo's and the customer's placeholders


def test_the_plan_page_links_to_the_joint_plan_and_marks_joint_actions(client, kam, plan):
    client.force_login(kam)
    content = client.get(plan.get_absolute_url()).content.decode()
    assert _urls(plan)[0] in content
    assert ">joint</span>" in content


def test_the_kam_marks_an_action_as_shared_with_the_customer(client, kam, plan):
    action = PlanAction.objects.get(description=INTERNAL["private action"])
    client.force_login(kam)
    url = reverse("accounts:action_edit", args=[plan.account_id, plan.pk, action.pk])
    form = client.get(url).context["form"]
    assert "shared_with_customer" in form.fields
    data = {name: form[name].value() or "" for name in form.fields} | {"shared_with_customer": "on"}
    data["owner"] = action.owner_id
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert action.shared_with_customer
    assert action.history.first().history_user == kam


@pytest.mark.parametrize("n", [2, 40])
def test_the_joint_plan_runs_a_fixed_number_of_queries(client, kam, plan, n, django_assert_max_num_queries):
    for i in range(n):
        objective = ObjectiveFactory(plan=plan)
        ActionFactory(plan=plan, objective=objective, shared_with_customer=True, description=f"Joint {i}")
    client.force_login(kam)
    with django_assert_max_num_queries(9):
        response = client.get(_urls(plan)[0])
    assert len(response.context["joint"].actions) == n + 1
