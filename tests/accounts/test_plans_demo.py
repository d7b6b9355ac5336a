"""The demo programme has plans in every state, overdue actions and open resource requests."""

import pytest
from django.utils import timezone

from accounts.demo.records import DemoOptions
from accounts.models import AccountPlan, PlanAction, PlanStatus, ResourceRequest
from programme.demo.seed import seed

pytestmark = pytest.mark.django_db


def test_demo_gives_each_key_account_but_one_a_plan_in_a_mix_of_states():
    seed(DemoOptions(accounts=16, key_accounts=15, months=2))
    statuses = set(AccountPlan.objects.values_list("status", flat=True))
    assert {PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.APPROVED} <= statuses
    assert AccountPlan.objects.count() == 14
    baltic = AccountPlan.objects.get(account__name="Baltic Steel")
    assert baltic.actions.overdue(timezone.localdate()).count() >= 2
    assert PlanAction.objects.filter(owner__username="tomasz").exists()
    assert ResourceRequest.objects.still_open().exists()
