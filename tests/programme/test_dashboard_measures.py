"""The champion's dashboard shows the measures (NPS, share of wallet, stage, return): league-table
columns and programme KPIs."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.core.periods import add_months, trailing_twelve_months
from tests.accounts.measures_factories import StageChangeFactory, SurveyFactory, WalletEstimateFactory
from tests.factories import ExchangeRateFactory, FinancialPeriodFactory

pytestmark = pytest.mark.django_db

URL = reverse("portfolio:dashboard")


@pytest.fixture
def measured(account, other_account):
    ExchangeRateFactory(currency="PLN", rate=D("0.25"))
    today = timezone.localdate()
    for nps in (10, 10, 9, 7, 3):
        SurveyFactory(account=account, surveyed_on=today - timedelta(days=3), nps=nps)
    start, _end = trailing_twelve_months(today)
    for month in range(12):
        FinancialPeriodFactory(account=account, period=add_months(start, month), revenue=D("1000"))
    WalletEstimateFactory(account=account, amount=D("48000"), currency="PLN", estimated_on=today)
    StageChangeFactory(account=account, stage="interdependent")
    StageChangeFactory(account=other_account, stage="basic")


def test_league_table_shows_nps_share_of_wallet_stage_and_return(client, champion, measured):
    client.force_login(champion)
    html = client.get(URL).content.decode()
    for text in [
        "NPS",
        "Share of wallet",
        "Relationship stage",
        "Return on investment",
        "Interdependent",
        "25 %",
    ]:
        assert text in html, text


def test_league_table_sorts_by_relationship_stage(client, champion, measured, account, other_account):
    client.force_login(champion)
    rows = client.get(URL, {"sort": "-stage"}).context["rows"]
    assert [r.account.pk for r in rows] == [account.pk, other_account.pk]


def test_programme_kpis_show_average_nps_and_accounts_per_stage(client, champion, measured):
    client.force_login(champion)
    # The KPIs arrive as a fragment the page loads after it is shown (their retention reads every account).
    assert "partial=measures" in client.get(URL).content.decode()
    response = client.get(URL, {"partial": "measures"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="tiles" id="programme-measures"')
    assert '<span class="tile-figure">40</span>' in html
    assert "1 basic" in html and "1 interdependent" in html
    assert "key accounts&#x27; average NPS" in html or "key accounts' average NPS" in html


def test_league_csv_carries_the_measures(client, champion, measured):
    client.force_login(champion)
    text = client.get(reverse("portfolio:league_csv")).content.decode()
    header, *lines = text.splitlines()
    assert header.endswith("NPS,Share of wallet,Relationship stage,Return on investment,Data warnings")
    assert any(line.endswith("40.0,0.2500,Interdependent,,") for line in lines)


def test_after_the_nightly_recompute_the_programme_kpis_come_without_reading_every_account(
    client, champion, measured
):
    """The nightly task leaves the KPIs ready: the champion's first look reads no monthly figures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programme.tasks import recompute_scores_task

    recompute_scores_task()
    client.force_login(champion)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(URL, {"partial": "measures"}, HTTP_HX_REQUEST="true").content.decode()
    assert '<span class="tile-figure">40</span>' in html
    assert not [q for q in queries if "accounts_financialperiod" in q["sql"]]
