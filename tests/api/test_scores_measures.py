"""/api/v1/scores/ returns nps, share_of_wallet, relationship_stage and return_on_investment too."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from kam.core.periods import add_months, trailing_twelve_months
from programme.models import AccountScore
from tests.accounts.measures_factories import StageChangeFactory, SurveyFactory, WalletEstimateFactory
from tests.factories import AccountFactory, FinancialPeriodFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/scores/"


def _scored(account):
    return AccountScore.objects.create(account=account, computed_at=timezone.now())


def test_scores_carry_the_accounts_measures(api, read_key, programme):
    account = AccountFactory(key=True, currency="EUR")
    bare = AccountFactory()
    for a in (account, bare):
        _scored(a)
    today = timezone.localdate()
    for nps in (10, 10, 9, 7, 3):
        SurveyFactory(account=account, surveyed_on=today - timedelta(days=2), nps=nps)
    start, _end = trailing_twelve_months(today)
    for month in range(12):
        FinancialPeriodFactory(account=account, period=add_months(start, month), revenue=D("1000"))
    WalletEstimateFactory(account=account, amount=D("48000"), estimated_on=today)
    StageChangeFactory(account=account, stage="integrated")
    response = api(read_key).get(URL)
    assert response.status_code == 200
    by_account = {row["account"]: row for row in response.json()["results"]}
    row = by_account[account.pk]
    assert (row["nps"], row["share_of_wallet"], row["relationship_stage"]) == ("40.0", "0.2500", "integrated")
    assert row["return_on_investment"] is None  # nothing invested: cannot be said
    assert {
        k: by_account[bare.pk][k] for k in ("nps", "share_of_wallet", "relationship_stage")
    } == dict.fromkeys(("nps", "share_of_wallet", "relationship_stage"))


@pytest.mark.parametrize("size", [3, 30])
def test_scores_page_query_count_does_not_grow_with_the_page(
    api, read_key, programme, django_assert_max_num_queries, size
):
    for _ in range(size):
        account = AccountFactory(key=True)
        _scored(account)
        SurveyFactory(account=account, surveyed_on=timezone.localdate(), nps=8)
        StageChangeFactory(account=account)
    with django_assert_max_num_queries(12):
        assert api(read_key).get(URL).status_code == 200


def test_one_score_carries_its_measures(api, read_key, programme):
    account = AccountFactory(key=True)
    score = _scored(account)
    StageChangeFactory(account=account, stage="basic")
    assert api(read_key).get(f"{URL}{score.pk}/").json()["relationship_stage"] == "basic"


def test_the_retention_estimate_is_not_patched_without_a_reason(client, champion):
    account = AccountFactory(key=True)
    client.force_login(champion)
    response = client.patch(
        f"/api/v1/accounts/{account.pk}/", {"retention_estimate": "0.9"}, content_type="application/json",
        headers={"If-Match": '"1"'},
    )  # fmt: skip
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "retention_estimate"
    account.refresh_from_db()
    assert account.retention_estimate is None
