"""The Measures page and its forms: who gets in, what they see, field errors, conflicts, query counts."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.measures.calculations import last_full_quarters
from accounts.models import (
    AccountInvestment,
    RelationshipStageChange,
    RetentionEstimateChange,
    Survey,
    WalletEstimate,
)
from kam.core.periods import add_months, trailing_twelve_months
from tests.accounts.measures_factories import (
    InvestmentFactory,
    StageChangeFactory,
    SurveyFactory,
    WalletEstimateFactory,
)
from tests.conftest import ROLES
from tests.factories import ExchangeRateFactory, FinancialPeriodFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

READERS = {"champion": 200, "kam": 200, "sponsor": 200, "team_member": 200, "other_kam": 404, "outsider": 404}
EDITORS = {"champion": 200, "kam": 200, "sponsor": 403, "team_member": 403, "other_kam": 404, "outsider": 404}


def _urls(account_id: int) -> dict[str, tuple[str, dict]]:
    return {
        "page": (reverse("accounts:measures", args=[account_id]), READERS),
        "partial": (reverse("accounts:measures", args=[account_id]) + "?partial=wallet", READERS),
        "summary": (reverse("accounts:measures", args=[account_id]) + "?partial=summary", READERS),
        "survey": (reverse("accounts:measures_survey_add", args=[account_id]), EDITORS),
        "wallet": (reverse("accounts:measures_wallet", args=[account_id]), EDITORS),
        "stage": (reverse("accounts:measures_stage", args=[account_id]), EDITORS),
        "investment": (reverse("accounts:measures_investment", args=[account_id]), EDITORS),
        "retention": (reverse("accounts:measures_retention", args=[account_id]), EDITORS),
    }


@pytest.mark.parametrize("name", list(_urls(1)))
@pytest.mark.parametrize("role", ROLES)
def test_every_measures_page_and_form_answers_each_role_as_the_permission_module_says(
    as_role, account, name, role
):
    url, expected = _urls(account.pk)[name]
    response = as_role(role).get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == expected[role], (name, role)


def _wallet_post(account, amount="50000", based_on=""):
    today = timezone.localdate().isoformat()
    return {"amount": amount, "currency": account.currency, "estimated_on": today, "source": "customer",
            "based_on": based_on}  # fmt: skip


@pytest.mark.parametrize("role", ["team_member", "sponsor"])
def test_team_member_and_sponsor_cannot_change_the_wallet_estimate(as_role, account, role):
    url = reverse("accounts:measures_wallet", args=[account.pk])
    assert as_role(role).post(url, _wallet_post(account)).status_code == 403
    assert not WalletEstimate.objects.exists()


@pytest.mark.parametrize("role", ["sponsor", "team_member", "other_kam", "outsider"])
def test_only_the_kam_and_champion_add_surveys(as_role, account, role):
    url = reverse("accounts:measures_survey_add", args=[account.pk])
    data = {"surveyed_on": "2026-09-01", "respondent_name": "COO", "nps": "8"}
    assert as_role(role).post(url, data).status_code in (403, 404)
    assert not Survey.objects.exists()


def test_sponsor_reads_every_measure_without_edit_links(client, sponsor, account):
    SurveyFactory(account=account, surveyed_on=timezone.localdate(), nps=10)
    StageChangeFactory(account=account)
    client.force_login(sponsor)
    html = client.get(reverse("accounts:measures", args=[account.pk])).content.decode()
    for text in ["Satisfaction", "Repeat orders", "Share of wallet", "Relationship stage", "Cooperative",
                 "Investment and return", "Retention estimate", "<svg"]:  # fmt: skip
        assert text in html, text
    for link in [
        "Add a survey",
        "Set the estimate",
        "Set the stage",
        "Record a quarter",
        "Edit the estimate",
    ]:
        assert link not in html, link


def test_the_account_page_links_to_its_measures(client, kam, account):
    client.force_login(kam)
    html = client.get(account.get_absolute_url()).content.decode()
    assert reverse("accounts:measures", args=[account.pk]) in html


def test_kam_adds_a_survey_through_htmx_and_gets_the_refreshed_section(client, kam, account):
    person = StakeholderFactory(account=account, name="Anna Kowalska")
    client.force_login(kam)
    url = reverse("accounts:measures_survey_add", args=[account.pk])
    data = {
        "surveyed_on": timezone.localdate().isoformat(),
        "stakeholder": person.pk,
        "nps": "10",
        "csat": "5",
    }
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="satisfaction"' in html and "Anna Kowalska" in html and "<html" not in html
    assert Survey.objects.get().entered_by == kam


def test_nps_of_eleven_answers_with_the_field_named_and_nothing_saved(client, kam, account):
    client.force_login(kam)
    url = reverse("accounts:measures_survey_add", args=[account.pk])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        url, {"surveyed_on": tomorrow, "respondent_name": "COO", "nps": "11"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_nps-error"' in html and 'id="id_surveyed_on-error"' in html
    assert not Survey.objects.exists()


def test_negative_investment_answers_with_the_field_named(client, kam, account):
    client.force_login(kam)
    url = reverse("accounts:measures_investment", args=[account.pk])
    quarter = last_full_quarters(timezone.localdate(), 1)[0].isoformat()
    data = {"period_start": quarter, "kam_time_cost": "-100", "currency": "PLN"}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert 'id="id_kam_time_cost-error"' in response.content.decode()
    assert not AccountInvestment.objects.exists()


def test_kam_records_a_quarter_and_sees_the_return(client, kam, account):
    ExchangeRateFactory(currency="PLN", rate=D("0.25"))
    quarter = last_full_quarters(timezone.localdate(), 1)[0]
    for month in range(3):
        FinancialPeriodFactory(account=account, period=add_months(quarter, month), gross_margin=D("1000"),
                               cost_to_serve=D("200"))  # fmt: skip
    client.force_login(kam)
    url = reverse("accounts:measures_investment", args=[account.pk])
    data = {"period_start": quarter.isoformat(), "kam_time_cost": "1000", "team_time_cost": "200",
            "currency": "PLN"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    # margin after cost-to-serve 3 x 800 = 2,400 PLN against 1,200 PLN invested: (2400 - 1200) / 1200 = 100 %
    html = client.get(reverse("accounts:measures", args=[account.pk])).content.decode()
    assert "100 %" in html


def test_a_wallet_estimate_below_our_revenue_is_saved_and_flagged_on_the_page(client, kam, account):
    ExchangeRateFactory(currency="PLN", rate=D("0.25"))
    start, _end = trailing_twelve_months()
    for month in range(12):
        FinancialPeriodFactory(account=account, period=add_months(start, month), revenue=D("1000"))
    client.force_login(kam)
    url = reverse("accounts:measures_wallet", args=[account.pk])
    response = client.post(url, _wallet_post(account, "5000"), follow=True)
    assert response.status_code == 200
    assert WalletEstimate.objects.get().amount == D("5000")
    assert "smaller than what they bought from us" in response.content.decode()


def test_second_editor_of_the_wallet_is_told_and_keeps_what_they_typed(client, kam, champion, account):
    first = WalletEstimateFactory(account=account)
    url = reverse("accounts:measures_wallet", args=[account.pk])
    client.force_login(champion)
    assert client.post(url, _wallet_post(account, "60000", based_on=first.pk)).status_code == 302
    client.force_login(kam)
    response = client.post(url, _wallet_post(account, "70000", based_on=first.pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this" in html and 'value="70000"' in html and "60000" in html
    assert WalletEstimate.objects.count() == 2


def test_retention_estimate_is_edited_with_a_reason_and_the_change_is_listed(client, kam, account):
    account.refresh_from_db()
    client.force_login(kam)
    url = reverse("accounts:measures_retention", args=[account.pk])
    data = {"retention_estimate": "0.9", "reason": "Three-year contract signed", "version": account.version}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Three-year contract signed" in response.content.decode()
    assert RetentionEstimateChange.objects.get().to_estimate == D("0.900")
    missing_reason = client.post(
        url, data | {"reason": "", "version": account.version + 1}, HTTP_HX_REQUEST="true"
    )
    assert missing_reason.status_code == 422 and 'id="id_reason-error"' in missing_reason.content.decode()


def test_stage_is_set_and_kept_as_history(client, kam, account):
    client.force_login(kam)
    url = reverse("accounts:measures_stage", args=[account.pk])
    client.post(url, {"stage": "basic", "effective_on": "2025-01-10"})
    current = RelationshipStageChange.objects.get()
    client.post(url, {"stage": "interdependent", "effective_on": "2026-02-01", "based_on": current.pk})
    assert list(
        RelationshipStageChange.objects.order_by("effective_on").values_list("stage", "is_current")
    ) == [
        ("basic", False),
        ("interdependent", True),
    ]


def _history(account, n: int):
    """`n` of everything a Measures page shows, spread over the last two years."""
    today = timezone.localdate()
    for i in range(n):
        day = today - timedelta(days=30 * i + 1)
        SurveyFactory(account=account, surveyed_on=day, nps=i % 11)
        FinancialPeriodFactory(
            account=account, period=add_months(today.replace(day=1), -i - 1), order_count=i % 3
        )
        WalletEstimateFactory(account=account, estimated_on=day, is_current=i == 0)
        StageChangeFactory(account=account, effective_on=day, is_current=i == 0)
    for quarter in last_full_quarters(today, min(n, 8)):
        InvestmentFactory(account=account, period_start=quarter)
    RetentionEstimateChange.objects.create(account=account, to_estimate=D("0.8"), reason="Renewal")


@pytest.mark.parametrize("size", [1, 20])
def test_measures_page_query_count_does_not_grow_with_history(
    client, kam, account, programme, django_assert_max_num_queries, size
):
    ExchangeRateFactory(currency="PLN", rate=D("0.25"))
    _history(account, size)
    client.force_login(kam)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("accounts:measures", args=[account.pk]))
    assert response.status_code == 200


def test_measures_page_shows_hand_worked_nps_and_share_of_wallet(client, kam, account):
    today = timezone.localdate()
    for nps in (10, 10, 9, 7, 3):
        SurveyFactory(account=account, surveyed_on=today - timedelta(days=10), nps=nps)
    start, _end = trailing_twelve_months()
    for month in range(12):
        FinancialPeriodFactory(
            account=account, period=add_months(start, month), revenue=D("1000"), currency="EUR"
        )
    WalletEstimateFactory(account=account, amount=D("40000"), currency="EUR", estimated_on=date(2026, 1, 1))
    client.force_login(kam)
    page = client.get(reverse("accounts:measures", args=[account.pk])).context["page"]
    assert page.nps == D("40.0") and page.survey_count == 5
    assert page.our_revenue == D("12000.00") and page.share_of_wallet == D("0.3000")
    assert page.headroom == D("28000.00")


def test_the_account_overview_loads_the_measures_summary_with_trends(client, kam, account):
    SurveyFactory(account=account, surveyed_on=timezone.localdate() - timedelta(days=100), nps=9)
    SurveyFactory(account=account, surveyed_on=timezone.localdate(), nps=10)
    client.force_login(kam)
    summary_url = reverse("accounts:measures", args=[account.pk]) + "?partial=summary"
    assert summary_url.replace("&", "&amp;") in client.get(account.get_absolute_url()).content.decode()
    html = client.get(summary_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="measures"' in html and "<svg" in html and "<html" not in html


def test_the_account_edit_form_leaves_the_retention_estimate_to_the_measures_page(
    client, kam, champion, account
):
    for user in (kam, champion):
        client.force_login(user)
        html = client.get(reverse("accounts:edit", args=[account.pk])).content.decode()
        assert 'name="retention_estimate"' not in html
