"""What every page shares: our own error pages, the icon, one date format per language, plain messages."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.staticfiles import finders
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.views import defaults

from accounts.stakeholders import services as stakeholder_services
from tests.accounts.plan_factories import ObjectiveFactory, PlanFactory
from tests.factories import FinancialPeriodFactory, InteractionFactory, StakeholderFactory
from tests.programme.dashboard_factories import ReviewFactory

ISO_DAY = re.compile(r"\b20\d\d-\d\d-\d\d\b")
US_DAY = re.compile(
    r"\b[A-Z][a-z]{2}\. \d{1,2}, 20\d\d\b|\b\d\d/\d\d/20\d\d\b|\b[A-Z][a-z]+ \d{1,2}, 20\d\d\b"
)
ONE_FORMAT = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20\d\d\b")


def _visible_text(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", response.content.decode(), flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.django_db
def test_a_missing_page_is_ours_with_the_users_navigation(client, kam, account):
    client.force_login(kam)
    response = client.get("/accounts/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This page does not exist, or is not yours to see" in html
    assert reverse("accounts:my_actions") in html and 'class="topbar"' in html  # the navigation
    assert reverse("home") in html and "Go to your start page" in html
    assert "Not Found" not in html  # Django's bare page


@pytest.mark.django_db
def test_a_refused_page_says_why_with_the_navigation(client, kam, account):
    client.force_login(kam)
    response = client.get(reverse("portfolio:review_list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot do this here" in html and "Programme reviews are the KAM champion&#x27;s." in html
    assert reverse("accounts:my_accounts") in html and "403 Forbidden" not in html


@pytest.mark.django_db
def test_a_missing_page_for_someone_not_logged_in_offers_the_login(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and reverse("login") in response.content.decode()


def test_the_server_error_page_needs_no_database_and_leads_back():
    # No django_db mark: any query here fails the test, as the page must render when the database is down.
    response = defaults.server_error(RequestFactory().get("/accounts/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and 'href="/"' in html and "favicon.svg" in html


@pytest.mark.django_db
def test_every_page_has_the_icon_and_favicon_ico_finds_it(client, kam):
    assert finders.find("img/favicon.svg")
    response = client.get("/favicon.ico")  # no login asked: browsers fetch it on their own
    assert response.status_code == 301 and response["Location"].endswith("img/favicon.svg")
    client.force_login(kam)
    assert 'rel="icon"' in client.get(reverse("accounts:my_actions")).content.decode()


@pytest.mark.django_db
def test_the_account_page_shows_every_day_in_one_format(client, kam, account):
    today = timezone.localdate()
    coo = StakeholderFactory(account=account, name="Irena Zając")
    InteractionFactory(
        account=account, stakeholders=[coo], logged_by=kam, occurred_on=today - timedelta(days=3)
    )
    left = StakeholderFactory(account=account, name="Giulia Brown")
    stakeholder_services.stakeholder_mark_left(stakeholder=left, left_on=today, expected_version=1, by=kam)
    FinancialPeriodFactory(account=account, period=today.replace(day=1))
    client.force_login(kam)
    for language in ("en", "pl"):
        response = client.get(
            reverse("accounts:detail", args=[account.pk]), {"map": "chart"}, HTTP_ACCEPT_LANGUAGE=language
        )
        text = _visible_text(response)
        assert not ISO_DAY.findall(text) and not US_DAY.findall(text), language
    assert (
        len(ONE_FORMAT.findall(_visible_text(client.get(reverse("accounts:detail", args=[account.pk]))))) >= 3
    )


@pytest.mark.django_db
def test_the_review_pages_show_days_in_the_same_format(client, champion):
    review = ReviewFactory(period_start=date(2026, 7, 1), period_end=date(2026, 9, 30))
    client.force_login(champion)
    for url in (reverse("portfolio:review_list"), review.get_absolute_url()):
        text = _visible_text(client.get(url))
        assert not ISO_DAY.findall(text) and not US_DAY.findall(text), url
        with translation.override("en"):
            assert "1 Jul 2026" in text and "30 Sep 2026" in text, url


@pytest.mark.django_db
def test_a_plan_step_is_confirmed_in_plain_words(client, kam, account):
    plan = PlanFactory(account=account)
    ObjectiveFactory(plan=plan)
    client.force_login(kam)
    url = reverse("accounts:plan_step", args=[account.pk, plan.pk, "submit"])
    html = client.post(url, {"version": plan.version}, follow=True).content.decode()
    assert "Plan submitted for approval." in html and "Plan: Submit for approval done." not in html
