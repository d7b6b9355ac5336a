"""The demo programme has measures to show: every key account surveyed, staged, estimated and invested in."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.demo.records import DemoOptions
from accounts.measures import calculations as measures
from accounts.models import (
    Account,
    AccountInvestment,
    FinancialPeriod,
    RelationshipStageChange,
    Survey,
    WalletEstimate,
)
from programme.demo.seed import seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return seed(DemoOptions(accounts=20, key_accounts=15, months=6))


def test_every_key_account_has_surveys_a_stage_a_wallet_estimate_and_investment(demo):
    for account in Account.objects.key_accounts():
        assert Survey.objects.filter(account=account).exists(), account
        assert RelationshipStageChange.objects.filter(account=account, is_current=True).count() == 1
        assert WalletEstimate.objects.filter(account=account, is_current=True).count() == 1
        assert AccountInvestment.objects.filter(account=account).count() == 8
    assert not FinancialPeriod.objects.filter(order_count__isnull=True).exists()


def test_demo_gives_the_kam_home_flags_something_to_show(demo):
    today = timezone.localdate()
    baltic = Survey.objects.filter(account__name="Baltic Steel")
    rounds = sorted(set(baltic.values_list("surveyed_on", flat=True)))
    previous = measures.mean(baltic.filter(surveyed_on=rounds[-2]).values_list("nps", flat=True))
    latest = measures.mean(baltic.filter(surveyed_on=rounds[-1]).values_list("nps", flat=True))
    assert measures.nps_fell(previous, latest)
    thames = Survey.objects.filter(account__name="Thames Infrastructure").order_by("-surveyed_on").first()
    assert measures.survey_is_stale(thames.surveyed_on, today)


def test_magda_opens_baltic_steels_measures_in_the_demo(client, demo):
    client.force_login(demo["magda"])
    baltic = Account.objects.get(name="Baltic Steel")
    response = client.get(reverse("accounts:measures", args=[baltic.pk]))
    assert response.status_code == 200
    assert response.context["page"].return_on_investment is not None


def test_champion_opens_the_measures_admin(client, demo):
    jan = demo["jan"]
    jan.is_staff = jan.is_superuser = True
    jan.save()
    client.force_login(jan)
    for model in [
        "survey",
        "accountinvestment",
        "walletestimate",
        "relationshipstagechange",
        "retentionestimatechange",
    ]:
        assert client.get(reverse(f"admin:accounts_{model}_changelist")).status_code == 200, model
