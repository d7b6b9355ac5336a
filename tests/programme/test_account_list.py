"""The account list: figures in the reporting currency from the score row, sorted through its
indexes, accounts not scored yet last; search by name; a fixed number of queries whatever the size."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, ExchangeRate
from programme.scoring import engine
from tests.factories import AccountFactory, UserFactory
from tests.programme.factories import monthly_figures

pytestmark = pytest.mark.django_db


def _names(response):
    return [a.name for a in response.context["page"].object_list]


def _this_month():
    return timezone.localdate().replace(day=1)


@pytest.fixture
def three_currencies(programme):
    """Margin after cost-to-serve over 12 months: 3,000,000 CZK (120,000 EUR), 1,500,000 SEK
    (135,000 EUR) and 130,000 EUR: by raw amount CZK first, in euros SEK first."""
    ExchangeRate.objects.create(currency="CZK", valid_from=date(2020, 1, 1), rate=Decimal("0.04"))
    ExchangeRate.objects.create(currency="SEK", valid_from=date(2020, 1, 1), rate=Decimal("0.09"))
    czk = AccountFactory(name="Praha Kov", currency="CZK")
    sek = AccountFactory(name="Svensk Stål", currency="SEK")
    eur = AccountFactory(name="Euro Chem", currency="EUR")
    until = _this_month()
    monthly_figures(czk, months=12, until=until, revenue="1000000", margin="260000", serve="10000")
    monthly_figures(sek, months=12, until=until, revenue="500000", margin="130000", serve="5000")
    monthly_figures(eur, months=12, until=until, revenue="39000", margin="11000", serve="166.67")
    return {"czk": czk, "sek": sek, "eur": eur}


def test_the_list_sorts_by_margin_after_cost_to_serve_in_the_reporting_currency(
    client, champion, three_currencies
):
    engine.recompute_scores()
    not_scored = AccountFactory(name="Aardvark New")  # added after the recompute
    client.force_login(champion)
    response = client.get(reverse("accounts:list"), {"sort": "-margin"})
    assert _names(response) == ["Svensk Stål", "Euro Chem", "Praha Kov", "Aardvark New"]
    scores = {a.name: a.score for a in response.context["page"].object_list if a != not_scored}
    # Worked by hand: 12 x (130,000 - 5,000) SEK x 0.09; 12 x (260,000 - 10,000) CZK x 0.04;
    # 12 x (11,000 - 166.67) EUR.
    assert scores["Svensk Stål"].t12m_margin_after_cost_to_serve == Decimal("135000.00")
    assert scores["Praha Kov"].t12m_margin_after_cost_to_serve == Decimal("120000.00")
    assert scores["Euro Chem"].t12m_margin_after_cost_to_serve == Decimal("129999.96")
    assert scores["Praha Kov"].t12m_revenue == Decimal("480000.00")  # 12,000,000 CZK
    html = response.content.decode()
    assert "Margin after cost-to-serve, last 12 months (EUR)" in html
    assert "Gross margin, last 12 months (EUR)" in html and "Revenue, last 12 months (EUR)" in html
    assert "135,000 EUR" in html and "not scored yet" in html
    # Ascending: the figures' order reversed, the account not scored yet still last.
    ascending = client.get(reverse("accounts:list"), {"sort": "margin"})
    assert _names(ascending) == ["Praha Kov", "Euro Chem", "Svensk Stål", "Aardvark New"]
    by_revenue = client.get(reverse("accounts:list"), {"sort": "-revenue", "status": "candidate"})
    assert _names(by_revenue) == ["Svensk Stål", "Praha Kov", "Euro Chem", "Aardvark New"]


def test_accounts_without_figures_come_after_those_with_and_before_those_not_scored(
    client, champion, programme
):
    with_figures = AccountFactory(name="Zeta Figures")
    monthly_figures(with_figures, months=12, until=_this_month())
    AccountFactory(name="Beta No Figures")
    engine.recompute_scores()
    AccountFactory(name="Alpha Not Scored")
    client.force_login(champion)
    for sort in ("-gross_margin", "gross_margin", "-revenue"):
        names = _names(client.get(reverse("accounts:list"), {"sort": sort}))
        assert names == ["Zeta Figures", "Beta No Figures", "Alpha Not Scored"]


def test_pages_of_a_sort_by_figures_cross_from_the_scored_to_the_rest(client, champion, programme):
    for i in range(30):
        monthly_figures(
            AccountFactory(name=f"Scored {i:02}"), months=1, until=_this_month(), revenue=str(1000 + i)
        )
    engine.recompute_scores()
    for i in range(30):
        AccountFactory(name=f"New {i:02}")
    client.force_login(champion)
    first = _names(client.get(reverse("accounts:list"), {"sort": "-revenue"}))
    second = _names(client.get(reverse("accounts:list"), {"sort": "-revenue", "page": 2}))
    assert first[:30] == [f"Scored {i:02}" for i in range(29, -1, -1)]
    assert first[30:] + second == [f"New {i:02}" for i in range(30)]


def test_search_counts_and_pages_its_matches(client, champion):
    for i in range(55):
        AccountFactory(name=f"Steelworks {i:02}")
    AccountFactory(name="Timber Trade")
    client.force_login(champion)
    first = client.get(reverse("accounts:list"), {"q": "steel"})
    assert first.context["page"].paginator.count == 55 and len(_names(first)) == 50
    second = client.get(reverse("accounts:list"), {"q": "STEEL", "page": 2})
    assert _names(second) == [f"Steelworks {i:02}" for i in range(50, 55)]
    past_the_end = client.get(reverse("accounts:list"), {"q": "steel", "page": 9})
    assert _names(past_the_end) == _names(second)  # the last page, as the paginator answers
    assert client.get(reverse("accounts:list"), {"q": "nothing like it"}).context["page"].paginator.count == 0


@pytest.mark.parametrize("accounts", [5, 60])
@pytest.mark.parametrize(
    "params", [{}, {"sort": "-margin"}, {"sort": "revenue", "page": "2"}, {"q": "acc"}, {"sort": "-kam"}]
)
def test_the_list_runs_a_fixed_number_of_queries(
    client, champion, programme, accounts, params, django_assert_max_num_queries
):
    kams = UserFactory.create_batch(3)
    for i in range(accounts):
        account = AccountFactory(name=f"Account {i}", kam=kams[i % 3], executive_sponsor=kams[(i + 1) % 3])
        if i % 2:
            monthly_figures(account, months=2, until=_this_month())
    engine.recompute_scores()
    AccountFactory(name="Account not scored")
    client.force_login(champion)
    # session, user, roles, programme, KAMs, sponsors, industries, countries, the count, and for a page sorted
    # by figures that lies past them: the figures' part, their count and the rest
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:list"), params)
    assert response.status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are PostgreSQL's")
def test_search_and_sort_by_figures_are_index_scans(client, champion, programme):
    Account.objects.bulk_create(Account(name=f"Customer {i}") for i in range(3000))
    AccountFactory(name="Baltic Steel")
    engine.recompute_scores()
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('account_name_trigram')")  # as autovacuum does
        cursor.execute("ANALYZE accounts_account")
        cursor.execute("ANALYZE programme_accountscore")
        # The search as Django writes name__icontains on PostgreSQL. (With a few thousand rows a
        # sequential scan is still cheaper: the point is that the plan can use the index.)
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM accounts_account WHERE UPPER(name::text) LIKE UPPER('%steel%')"
        )
        assert "Bitmap Index Scan on account_name_trigram" in " ".join(row[0] for row in cursor.fetchall())
        cursor.execute(
            "EXPLAIN SELECT account_id FROM programme_accountscore WHERE t12m_margin_after_cost_to_serve "
            "IS NOT NULL ORDER BY t12m_margin_after_cost_to_serve DESC, account_id DESC LIMIT 50"
        )
        plan = " ".join(row[0] for row in cursor.fetchall())
        assert "Scan Backward using score_t12m_margin_after_cts" in plan and "Sort" not in plan


def _industry_choices(response):
    return [value for value, _label in response.context["filter"].filters["industry"].extra["choices"]]


def test_the_industry_filter_offers_the_industries_of_current_accounts_in_order(client, champion, kam):
    AccountFactory(industry="Steel", kam=kam)
    AccountFactory(industry="Chemicals")
    AccountFactory(industry="Chemicals")
    AccountFactory(industry="")
    AccountFactory(industry="Aerospace", archived_at=timezone.now())  # archived: not offered
    client.force_login(champion)
    assert _industry_choices(client.get(reverse("accounts:list"))) == ["Chemicals", "Steel"]
    client.force_login(kam)
    assert _industry_choices(client.get(reverse("accounts:list"))) == ["Steel"]


def _country_options(response) -> list[str]:
    html = response.content.decode()
    select = html[html.index('name="country"') : html.index("</select>", html.index('name="country"'))]
    return re.findall(r'<option value="[A-Z]{2}"[^>]*>([^<]*)</option>', select)


def test_the_country_filter_offers_the_countries_of_the_accounts_one_can_see_by_name(client, champion, kam):
    AccountFactory(country="PL", kam=kam)
    AccountFactory(country="DE")
    AccountFactory(country="CZ")
    AccountFactory(country="")
    AccountFactory(country="FR", archived_at=timezone.now())  # archived: not offered
    client.force_login(champion)
    assert _country_options(client.get(reverse("accounts:list"))) == ["Czechia", "Germany", "Poland"]
    client.force_login(kam)
    assert _country_options(client.get(reverse("accounts:list"))) == ["Poland"]
    # Filtering by one of them lists its accounts.
    assert len(client.get(reverse("accounts:list"), {"country": "PL"}).context["page"]) == 1
