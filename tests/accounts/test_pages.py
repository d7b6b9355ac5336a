"""What people see on the account list and the account page, and that data size never adds queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.core.periods import add_months, month_start
from tests.factories import (
    AccountFactory,
    ExchangeRateFactory,
    FinancialPeriodFactory,
    InteractionFactory,
    StakeholderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _names(response):
    return [a.name for a in response.context["page"].object_list]


def test_search_by_name_and_filter_by_status(client, champion, account, other_account):
    client.force_login(champion)
    AccountFactory(name="Baltic Timber")
    assert _names(client.get(reverse("accounts:list"), {"q": "baltic"})) == [
        "Baltic Steel",
        "Baltic Timber",
    ]
    assert _names(client.get(reverse("accounts:list"), {"q": "baltic", "status": "key"})) == ["Baltic Steel"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "FR"}, ["Lyon Chimie"]),
        ({"industry": "Steel"}, ["Baltic Steel", "Lyon Chimie"]),
    ],
)
def test_filter_by_country_and_industry(client, champion, account, other_account, params, expected):
    client.force_login(champion)
    assert _names(client.get(reverse("accounts:list"), params)) == expected


def test_filter_by_kam_and_sponsor(client, champion, account, other_account, kam, sponsor):
    client.force_login(champion)
    assert _names(client.get(reverse("accounts:list"), {"kam": kam.pk})) == ["Baltic Steel"]
    assert _names(client.get(reverse("accounts:list"), {"executive_sponsor": sponsor.pk})) == ["Baltic Steel"]


def test_list_is_paginated(client, champion):
    client.force_login(champion)
    AccountFactory.create_batch(55)
    first = client.get(reverse("accounts:list"))
    second = client.get(reverse("accounts:list"), {"page": 2})
    assert len(_names(first)) == 50 and len(_names(second)) == 5


def test_htmx_filtering_returns_only_the_results_fragment(client, champion, account):
    client.force_login(champion)
    response = client.get(reverse("accounts:list"), {"q": "Baltic"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="results"' in html and "<html" not in html and "Baltic Steel" in html


def test_account_page_shows_identity_team_stakeholders_interactions_and_financials(client, kam, account):
    ExchangeRateFactory(currency="PLN", rate=Decimal("0.25"))
    director = StakeholderFactory(account=account, name="Irena Zając", title="Procurement Director")
    InteractionFactory(
        account=account, stakeholders=[director], occurred_on=date(2026, 7, 1), notes="Price talks"
    )
    last_month = add_months(month_start(timezone.localdate()), -1)
    FinancialPeriodFactory(
        account=account,
        period=last_month,
        revenue=Decimal("40000"),
        gross_margin=Decimal("12000"),
        cost_to_serve=Decimal("2000"),
    )
    client.force_login(kam)
    html = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    for text in [
        "Baltic Steel",
        str(kam),
        "Operations",
        "Irena Zając",
        "Price talks",
        "1 Jul 2026",  # one date format per language (kam/formats)
        "10,000 EUR",
        "2,500 EUR",
        "3,000 EUR",
        "500 EUR",
        "40,000 PLN",
    ]:
        assert text in html, text


def test_a_person_who_left_is_kept_and_marked(client, kam, account):
    StakeholderFactory(account=account, name="Gone Person", left_on=date(2026, 5, 1))
    client.force_login(kam)
    html = client.get(reverse("accounts:detail", args=[account.pk]), {"map": "list"}).content.decode()
    assert "Gone Person" in html and 'class="gone"' in html


def _populate(account, stakeholders: int):
    people = [StakeholderFactory(account=account) for _ in range(stakeholders)]
    for person in people[1:]:
        person.reports_to = people[0]
        person.save()
    owner = UserFactory()
    for i, person in enumerate(people):
        person.relationship_owner = owner
        person.save()
        InteractionFactory(
            account=account, stakeholders=[person], occurred_on=date(2026, 1, 1) + timedelta(days=i)
        )
    for months_back in range(1, 25):
        FinancialPeriodFactory(
            account=account, period=add_months(month_start(timezone.localdate()), -months_back)
        )


def _correct_every_interaction(account, kam):
    """Every contact corrected (people and notes), and the oldest removed: history of every kind."""
    from accounts.stakeholders import services

    interactions = list(account.interactions.order_by("occurred_on"))
    for interaction in interactions:
        services.interaction_update(
            interaction=interaction, by=kam, expected_version=interaction.version, kind="presentation",
            occurred_on=interaction.occurred_on, stakeholders=list(interaction.stakeholders.all()),
            participants=[kam], notes="Corrected",
        )  # fmt: skip
    services.interaction_remove(interaction=interactions[0], by=kam)


@pytest.mark.parametrize("stakeholders", [5, 50])
def test_account_page_runs_a_fixed_number_of_queries(
    client, kam, account, stakeholders, django_assert_max_num_queries
):
    ExchangeRateFactory(currency="PLN")
    _populate(account, stakeholders)
    _correct_every_interaction(account, kam)
    client.force_login(kam)
    # 16 for the page, +5 the records' history (accounts/history.py: the latest rows of every record
    # type, those of each type shown, here people, and the names they point to: users, people then and
    # now), +4 the interaction history (corrections, their earlier rows, the people's names, our people),
    # +1 the plans, +2 the quick interaction form (workspace), +5 the score card (criteria, manual
    # scores, snapshots for the trend, programme, last run), +1 the history's key (the newest
    # correction of the interaction log)
    with django_assert_max_num_queries(34):
        response = client.get(reverse("accounts:detail", args=[account.pk]))
    assert response.status_code == 200
    assert len(response.context["page"].stakeholders) == stakeholders
    # Viewed again, the history is drawn from what was kept: its listing and key, not its 8 reads.
    with django_assert_max_num_queries(26):
        again = client.get(reverse("accounts:detail", args=[account.pk]))
    assert _history_section(again) == _history_section(response)


def _history_section(response) -> str:
    html = response.content.decode()
    return html[html.index('id="history"') : html.index("</section>", html.index('id="history"'))]


@pytest.mark.parametrize("accounts", [5, 50])
def test_account_list_runs_a_fixed_number_of_queries(
    client, champion, accounts, django_assert_max_num_queries
):
    kams = UserFactory.create_batch(3)
    for i in range(accounts):
        AccountFactory(kam=kams[i % 3], executive_sponsor=kams[(i + 1) % 3])
    client.force_login(champion)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("accounts:list"))
    assert response.status_code == 200
