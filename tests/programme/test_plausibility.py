"""Figures that cannot be true are data warnings, not facts; a score is shown with its completeness;
a recommendation's reason says when the score is too incomplete to judge."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.measures.plausibility import (
    data_warnings,
    implausible_counts,
    plausible_share_of_wallet,
    survey_impossible,
)
from accounts.models import Account, Survey
from kam.core.periods import add_months, trailing_twelve_months
from programme.dashboard.reasons import recommendation_reason
from programme.dashboard.selectors import recommendations, top_candidates
from programme.models import AccountScore, Programme, Recommendation
from tests.accounts.measures_factories import SurveyFactory, WalletEstimateFactory
from tests.factories import AccountFactory, FinancialPeriodFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def over_wallet(other_account):
    """Lyon Chimie: 12,000 EUR bought from us in the last twelve months, their whole spend put at 9,600."""
    start, _end = trailing_twelve_months()
    for month in range(12):
        FinancialPeriodFactory(
            account=other_account, period=add_months(start, month), revenue=Decimal("1000")
        )
    WalletEstimateFactory(account=other_account, amount=Decimal("9600"), estimated_on=add_months(start, 1))
    return other_account


WARNING = "Share of wallet 125 % cannot be true"


def test_a_share_of_wallet_over_100_percent_is_a_data_warning_on_the_measures_not_a_figure(
    client, champion, over_wallet
):
    client.force_login(champion)
    page = _text(client.get(reverse("accounts:measures", args=[over_wallet.pk])))
    assert WARNING in page
    shown = r"<dt>Share of wallet</dt><dd>— <small class=\"warning data-warning\">cannot be true"
    assert re.search(shown, page)
    assert "<dd>125 %</dd>" not in page
    # The account page's measures summary says the same.
    summary = _text(client.get(reverse("accounts:measures", args=[over_wallet.pk]), {"partial": "summary"}))
    assert WARNING in summary and "125 % {%" not in summary


def test_a_share_of_wallet_over_100_percent_is_a_data_warning_on_the_dashboard_and_left_out_of_its_sort(
    client, champion, over_wallet, account
):
    start, _end = trailing_twelve_months()
    for month in range(12):
        FinancialPeriodFactory(account=account, period=add_months(start, month), revenue=Decimal("1000"))
    WalletEstimateFactory(account=account, amount=Decimal("24000"), estimated_on=add_months(start, 1))  # PLN
    client.force_login(champion)
    response = client.get(reverse("portfolio:dashboard"), {"sort": "-wallet"})
    html = _text(response)
    assert "Data warnings" in html and WARNING in html
    assert [r.account.name for r in response.context["rows"]] == ["Baltic Steel", "Lyon Chimie"]
    lyon = response.context["rows"][1]
    assert lyon.share_of_wallet is None and lyon.measures.share_of_wallet == Decimal("1.25")
    assert "check data" in html and "125 %" not in html.split("league-title")[1]
    table = list(csv.reader(io.StringIO(client.get(reverse("portfolio:league_csv")).content.decode())))
    row = next(line for line in table if line[0] == "Lyon Chimie")
    assert row[table[0].index("Share of wallet")] == ""
    assert WARNING in row[table[0].index("Data warnings")]


def test_a_survey_from_the_future_is_a_data_warning_on_the_account_and_the_dashboard(
    client, kam, champion, account
):
    today = timezone.localdate()
    SurveyFactory(account=account, surveyed_on=today + timedelta(days=300), nps=10)
    client.force_login(kam)
    page = _text(client.get(reverse("accounts:detail", args=[account.pk])))
    assert "Data warnings" in page and "1 survey is dated in the future: check its date." in page
    measures = _text(client.get(reverse("accounts:measures", args=[account.pk])))
    assert "1 survey is dated in the future" in measures
    client.force_login(champion)
    dashboard = _text(client.get(reverse("portfolio:dashboard")))
    assert "1 survey is dated in the future" in dashboard


def test_the_sql_count_of_future_surveys_agrees_with_the_rule(account, other_account):
    today = timezone.localdate()
    for offset in (-400, -1, 0, 1, 30):
        SurveyFactory(account=account, surveyed_on=today + timedelta(days=offset))
    SurveyFactory(account=other_account, surveyed_on=today - timedelta(days=3))
    counted = dict(
        Account.objects.annotate(**implausible_counts(today=today)).values_list("pk", "future_surveys")
    )
    by_rule = {
        a.pk: sum(survey_impossible(s.surveyed_on, today) for s in Survey.objects.filter(account=a))
        for a in (account, other_account)
    }
    assert by_rule == {account.pk: 2, other_account.pk: 0}
    assert {pk: counted[pk] for pk in by_rule} == by_rule


def test_the_rules():
    assert plausible_share_of_wallet(Decimal("1.00")) == Decimal("1.00")
    assert plausible_share_of_wallet(Decimal("1.25")) is None
    assert [w.text for w in data_warnings(cost_to_serve=Decimal("-5"))] == [
        "Cost-to-serve over the last twelve months is negative: check the figures."
    ]
    assert data_warnings(share_of_wallet=Decimal("0.5"), cost_to_serve=Decimal("0"), future_surveys=0) == []


def _incomplete_score(account, overall="34", completeness="0.400", recommendation=Recommendation.NONE):
    return AccountScore.objects.create(
        account=account, overall=Decimal(overall), completeness=Decimal(completeness), quadrant="",
        recommendation=recommendation, computed_at=timezone.now(), attractiveness=Decimal(overall),
        relationship=Decimal(overall),
    )  # fmt: skip


def test_an_incomplete_score_is_shown_with_its_completeness_on_my_accounts_and_the_account_page(
    client, kam, account
):
    _incomplete_score(account)
    client.force_login(kam)
    html = _text(client.get(reverse("accounts:my_accounts")))
    row = re.search(r"Baltic Steel</a>.*?</tr>", html).group(0)
    assert "not scored yet" not in row
    assert "not placed: score incomplete" in row and "incomplete: 40 % scored" in row
    page = _text(client.get(reverse("accounts:detail", args=[account.pk])))
    overview = page.split('id="overview"')[1].split("</section>")[0]
    assert "incomplete: 40 % scored" in overview and "not scored yet" not in overview


def test_a_recommendations_reason_says_when_the_score_is_incomplete(programme):
    today = timezone.localdate()
    candidate = AccountFactory(name="Half Known")
    _incomplete_score(candidate, overall="84", completeness="0.400")
    (item,) = recommendations(Programme.load(), [], top_candidates(today, 10), today)
    assert item.reason.startswith(
        "Overall 84 from an incomplete score: 40 % of the criteria's weight is scored"
    )
    assert "below the entry threshold" not in item.reason


def test_a_candidate_above_the_line_but_not_proposed_says_it_has_not_held_there(programme):
    counts = {"total": 90, "above_entry": 30, "below_entry": 60}
    reason = recommendation_reason(
        Recommendation.NONE,
        Decimal("84"),
        None,
        counts,
        programme,
        status="candidate",
        completeness=Decimal("1"),
    )
    assert reason == (
        "Overall 84; at or above the entry threshold 65 in only 30 of 90 snapshots of the last 90 days: "
        "not proposed until it holds for the whole window."
    )


def test_the_league_table_shows_a_key_accounts_incomplete_score_with_its_completeness(
    client, champion, account
):
    _incomplete_score(account, overall="70", completeness="0.500", recommendation=Recommendation.WATCH)
    client.force_login(champion)
    html = _text(client.get(reverse("portfolio:dashboard")))
    league = html.split('id="league"')[1]
    assert "incomplete: 50 % scored" in league
