"""Every screen that compares accounts converts into the reporting currency with the dated rates.

Three key accounts of one KAM, in EUR, PLN and SEK, with the same figures every month of the last
twelve; PLN's rate changes half-way through the year. Worked by hand (margin after cost-to-serve):

    EUR  12 x (300 - 50)                                 = 3,000.00 EUR
    PLN   6 x (300 - 50) x 0.25 + 6 x (300 - 50) x 0.20  =   675.00 EUR   (3,000 PLN)
    SEK  12 x (3,000 - 500) x 0.09                       = 2,700.00 EUR   (30,000 SEK)
                                                   total = 6,375.00 EUR

In their own currencies SEK (30,000) would come first and PLN (3,000) tie with EUR: a list
sorted on raw amounts would be wrong.
"""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, ExchangeRate
from kam.core.periods import add_months, trailing_twelve_months
from kam.core.spreadsheets import number_cell
from programme.dashboard.selectors import league_table, portfolio_dashboard
from programme.models import ScoreSnapshot
from programme.scoring import engine
from programme.workspace.selectors import my_accounts
from tests.accounts.measures_factories import InvestmentFactory
from tests.accounts.plan_factories import PlanFactory
from tests.factories import AccountFactory, FinancialPeriodFactory
from tests.programme.factories import CriterionFactory

pytestmark = pytest.mark.django_db

EXPECTED = {
    "Euro Steel": Decimal("3000.00"),
    "Polska Stal": Decimal("675.00"),
    "Svensk Stål": Decimal("2700.00"),
}
OWN = {"Polska Stal": "3,000 PLN", "Svensk Stål": "30,000 SEK"}


@pytest.fixture
def three_currencies(programme, kam):
    today = timezone.localdate()
    start, _end = trailing_twelve_months(today)
    ExchangeRate.objects.create(currency="PLN", valid_from=add_months(start, -24), rate=Decimal("0.25"))
    ExchangeRate.objects.create(currency="PLN", valid_from=add_months(start, 6), rate=Decimal("0.20"))
    ExchangeRate.objects.create(currency="SEK", valid_from=add_months(start, -24), rate=Decimal("0.09"))
    figures = {"EUR": ("300", "50"), "PLN": ("300", "50"), "SEK": ("3000", "500")}
    names = {"EUR": "Euro Steel", "PLN": "Polska Stal", "SEK": "Svensk Stål"}
    for currency, (margin, serve) in figures.items():
        account = AccountFactory(name=names[currency], currency=currency, kam=kam, key=True)
        for month in range(12):
            FinancialPeriodFactory(
                account=account,
                period=add_months(start, month),
                revenue=Decimal(margin) * 4,
                gross_margin=Decimal(margin),
                cost_to_serve=Decimal(serve),
            )
    CriterionFactory(name="Revenue")
    engine.recompute_scores(today=today)
    return today


def _numbers(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_my_accounts_league_table_and_dashboard_totals_agree_with_a_hand_worked_conversion(
    client, kam, champion, three_currencies
):
    # My accounts: each margin in EUR, the account's own currency beneath.
    rows = {row.account.name: row for row in my_accounts(user=kam).rows}
    assert {name: row.margin_after_cost_to_serve for name, row in rows.items()} == EXPECTED
    client.force_login(kam)
    html = _numbers(client.get(reverse("accounts:my_accounts")).content.decode())
    assert "Margin after cost-to-serve, 12 months (EUR)" in html
    for name, amount in EXPECTED.items():
        assert f"{amount:,.0f} EUR" in html, name
    for own in OWN.values():
        assert own in html

    # The league table, its sort and its export: the same figures, sorted on the converted amounts.
    _programme, _query, league = league_table(params={"sort": "-margin"})
    assert [(r.account.name, r.margin_after_cost_to_serve) for r in league] == [
        ("Euro Steel", Decimal("3000.00")),
        ("Svensk Stål", Decimal("2700.00")),
        ("Polska Stal", Decimal("675.00")),
    ]
    client.force_login(champion)
    exported = client.get(reverse("portfolio:league_csv"), {"sort": "-margin"}).content.decode()
    table = list(csv.reader(io.StringIO(exported)))
    margin_column = table[0].index("Margin after cost-to-serve (EUR)")
    assert [(line[0], line[margin_column]) for line in table[1:]] == [
        ("Euro Steel", "3000.00"),
        ("Svensk Stål", "2700.00"),
        ("Polska Stal", "675.00"),
    ]

    # The dashboard's totals per KAM: the sum of the converted figures.
    page = portfolio_dashboard(user=champion)
    (figures,) = page.kams
    assert figures.margin_after_cost_to_serve == Decimal("6375.00")
    html = _numbers(client.get(reverse("portfolio:dashboard")).content.decode())
    assert "6,375 EUR" in html
    assert "in EUR, the reporting currency" in html


def test_the_board_brief_names_its_currency_and_which_margin(client, kam, three_currencies):
    account = Account.objects.get(name="Polska Stal")
    plan = PlanFactory(account=account)
    client.force_login(kam)
    html = _numbers(
        client.get(reverse("portfolio:plan_board_brief", args=[account.pk, plan.pk])).content.decode()
    )
    assert "Margin after cost-to-serve, 12 months" in html and "675 EUR" in html
    assert "Gross margin, 12 months" in html and "810 EUR" in html  # 6 x 300 x 0.25 + 6 x 300 x 0.20
    assert "Money in EUR" in html


def test_the_measures_table_shows_each_investment_component_converted_beside_what_was_entered(
    client, kam, three_currencies
):
    account = Account.objects.get(name="Polska Stal")
    start, _end = trailing_twelve_months(three_currencies)
    quarter = add_months(start, 9)  # at the 0.20 rate
    quarter = quarter.replace(month=(quarter.month - 1) // 3 * 3 + 1)
    InvestmentFactory(account=account, period_start=quarter)  # 500, 300, 150, 50 PLN
    client.force_login(kam)
    html = _numbers(client.get(reverse("accounts:measures", args=[account.pk])).content.decode())
    row = re.search(r"<td>\d{4} Q\d</td>(.*?)</tr>", html).group(1)
    cells = re.findall(r'<td class="num[^"]*">(.*?)</td>', row)
    # KAM time, team time, dedicated resources, special terms, total: all in EUR, entered PLN beneath.
    assert [re.sub(r"<[^>]+>", "|", c) for c in cells[:5]] == [
        "100 EUR||500 PLN|",
        "60 EUR||300 PLN|",
        "30 EUR||150 PLN|",
        "10 EUR||50 PLN|",
        "200 EUR",
    ]


def test_the_league_filters_reach_the_address_bar_and_the_export_exports_the_rows_shown(
    client, champion, other_kam, three_currencies
):
    AccountFactory(name="Elsewhere", kam=other_kam, key=True)
    client.force_login(champion)
    url = reverse("portfolio:dashboard")
    shown = client.get(url, {"partial": "league", "kam": str(other_kam.pk)}, HTTP_HX_REQUEST="true")
    assert shown["HX-Push-Url"] == f"{url}?kam={other_kam.pk}&sort=-clv"
    html = shown.content.decode()
    assert "Elsewhere" in html and "Euro Steel" not in html
    # The export link is in the swapped table, so it carries the filters just chosen.
    export = re.search(r'href="([^"]*league\.csv[^"]*)"', html).group(1)
    exported = client.get(export.replace("&amp;", "&")).content.decode()
    assert [line[0] for line in csv.reader(io.StringIO(exported))][1:] == ["Elsewhere"]
    # A full page at the pushed address shows the same rows.
    page = client.get(shown["HX-Push-Url"])
    assert [r.account.name for r in page.context["rows"]] == ["Elsewhere"]


def test_exported_figures_have_fixed_decimals():
    assert number_cell(Decimal("-1.2200000000000"), 1) == "-1.2"
    assert number_cell(Decimal("3000"), 2) == "3000.00"
    assert number_cell(Decimal("0.125"), 2) == "0.13"
    assert number_cell(None) == ""


def test_the_league_export_writes_every_figure_with_fixed_decimals(client, champion, three_currencies):
    account = Account.objects.get(name="Euro Steel")
    ScoreSnapshot.objects.create(
        account=account, taken_on=three_currencies - timedelta(days=120), overall=Decimal("12.78")
    )
    client.force_login(champion)
    table = list(csv.reader(io.StringIO(client.get(reverse("portfolio:league_csv")).content.decode())))
    trend = table[0].index("Trend")
    row = next(line for line in table if line[0] == "Euro Steel")
    assert re.fullmatch(r"-?\d+\.\d", row[trend]), row[trend]
    for line in table[1:]:
        for value in line[4:8]:
            assert value == "" or re.fullmatch(r"-?\d+\.\d{1,2}", value), value


def test_the_account_page_shows_the_margin_in_the_reporting_currency_with_the_own_currency_beside(
    client, kam, three_currencies
):
    account = Account.objects.get(name="Polska Stal")
    client.force_login(kam)
    html = _numbers(client.get(reverse("accounts:detail", args=[account.pk])).content.decode())
    overview = html.split('id="overview"')[1].split("</section>")[0]
    assert "675 EUR" in overview and "3,000 PLN" in overview
