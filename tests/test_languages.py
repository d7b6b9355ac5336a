# ruff: noqa: RUF001 - Persian digits and separators are what these tests are about
"""Languages: each person's own (one click in the header, kept across sessions), the browser's before
login, the digest in its reader's language, right to left for Persian, local formats on pages and
never in exports, and an API whose field names stay put while its messages follow Accept-Language."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from accounts.models import InteractionKind
from accounts.plans.forms import PlanCreateForm
from accounts.templatetags import kam_format
from kam.core import locales
from programme.digest import services as digest
from programme.models import Programme
from tests.accounts.plan_factories import ActionFactory, PlanFactory
from tests.conftest import ROLES
from tests.factories import (
    FinancialPeriodFactory,
    InteractionFactory,
    StakeholderFactory,
)
from tests.programme.dashboard_factories import AccountScoreFactory

pytestmark = pytest.mark.django_db

HTML = re.compile(r'<html lang="([^"]+)" dir="(ltr|rtl)">')
LANGUAGE_URL = reverse("accounts:language")
PASSWORD = "secret-pass-123"
# What the same amount (2 351 747) and a share (-0.7 %) look like to each reader.
AMOUNTS = {
    "en": "2,351,747 PLN",
    "de": "2.351.747 PLN",
    "pl": "2\xa0351\xa0747 PLN",
    "ru": "2\xa0351\xa0747 PLN",
    "zh-hant": "2,351,747 PLN",
    "fa": "۲٬۳۵۱٬۷۴۷ PLN",
}
DECIMALS = {"en": "-0.7", "de": "-0,7", "pl": "-0,7", "ru": "-0,7", "zh-hant": "-0.7", "fa": "-۰٫۷"}


def html_language(response) -> tuple[str, str]:
    return HTML.search(response.content.decode()).groups()


def test_before_login_the_browsers_language_decides(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="pl,en;q=0.5")
    assert html_language(response) == ("pl", "ltr")
    assert "Nazwa użytkownika" in response.content.decode()  # Django's own Polish
    assert html_language(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fa")) == ("fa", "rtl")
    assert html_language(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-TW")) == ("zh-hant", "ltr")
    assert html_language(client.get(reverse("login"))) == ("en", "ltr")


def test_the_switch_is_one_click_in_the_header_and_lasts_across_sessions(client, kam):
    client.force_login(kam)
    page = client.get(reverse("accounts:my_actions")).content.decode()
    header = page.split("</header>")[0]
    # One button per language, named in that language: one click sends it.
    assert f'action="{LANGUAGE_URL}"' in header
    assert 'name="language" value="fa" lang="fa"' in header and "فارسی" in header

    response = client.post(LANGUAGE_URL, {"language": "fa", "next": reverse("accounts:my_actions")})
    assert response.status_code == 302 and response.url == reverse("accounts:my_actions")
    kam.refresh_from_db()
    assert kam.language == "fa"
    # The browser asks for English; the person chose Persian.
    assert html_language(client.get(response.url, HTTP_ACCEPT_LANGUAGE="en")) == ("fa", "rtl")

    client.post(reverse("logout"))
    assert html_language(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")) == ("en", "ltr")
    client.post(reverse("login"), {"username": kam.username, "password": PASSWORD})
    again = client.get(reverse("accounts:my_actions"), HTTP_ACCEPT_LANGUAGE="en")
    assert html_language(again) == ("fa", "rtl")
    assert again["Content-Language"] == "fa"


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_sets_only_their_own_language(as_role, role, account, request):
    response = as_role(role).post(LANGUAGE_URL, {"language": "pl"})
    if role == "anonymous":
        assert response.status_code == 302 and reverse("login") in response.url
        return
    assert response.status_code == 302
    user = request.getfixturevalue(role)
    user.refresh_from_db()
    assert user.language == "pl"
    others = {"champion", "kam", "other_kam", "sponsor", "team_member", "outsider"} - {role}
    for other in others:
        person = request.getfixturevalue(other)
        person.refresh_from_db()
        assert person.language == ""


def test_the_switch_refuses_an_unknown_language_a_get_and_a_foreign_next(client, kam):
    client.force_login(kam)
    assert client.post(LANGUAGE_URL, {"language": "xx"}).status_code == 400
    assert client.get(LANGUAGE_URL).status_code == 405
    response = client.post(LANGUAGE_URL, {"language": "de", "next": "https://elsewhere.example/"})
    assert response.url == reverse("home")


def test_persian_pages_run_right_to_left_with_local_fonts(client, kam):
    kam.language = "fa"
    kam.save()
    client.force_login(kam)
    page = client.get(reverse("accounts:my_actions")).content.decode()
    assert html_language_from(page) == ("fa", "rtl")
    assert "vendor/noto-sans-tc/400.css" in page and "css/fonts.css" in page


def html_language_from(page: str) -> tuple[str, str]:
    return HTML.search(page).groups()


@pytest.fixture
def figures(account, champion):
    """2 351 747 PLN of revenue this year, an action due on 1 December 2026, a visit that day."""
    this_month = timezone.localdate().replace(day=1)
    FinancialPeriodFactory(account=account, period=this_month - timedelta(days=1), revenue=Decimal(2351747))
    plan = PlanFactory(account=account)
    ActionFactory(plan=plan, owner=account.kam, due_on=date(2026, 12, 1), description="Call the COO")
    InteractionFactory(account=account, kind=InteractionKind.EXECUTIVE_VISIT, occurred_on=date(2026, 11, 2))
    # The account list shows the trailing figures the recompute stores, in the reporting currency.
    Programme.objects.filter(pk=Programme.load().pk).update(reporting_currency="PLN")
    AccountScoreFactory(
        account=account,
        clv=Decimal("2351747.50"),
        clv_growth=Decimal("-0.007"),
        t12m_revenue=Decimal(2351747),
    )
    return account


@pytest.mark.parametrize("language", list(AMOUNTS))
def test_amounts_and_dates_in_each_language_on_the_page(client, figures, champion, kam, language):
    for person in (champion, kam):
        person.language = language
        person.save()
    client.force_login(champion)
    accounts_page = client.get(reverse("accounts:list")).content.decode()
    assert AMOUNTS[language] in accounts_page
    client.force_login(kam)
    actions_page = client.get(reverse("accounts:my_actions")).content.decode()
    with translation.override(language):
        shown = locales.format_local_date(date(2026, 12, 1))
    if language == "fa":
        assert shown == "۱۰ آذر ۱۴۰۵"
        assert '<time datetime="2026-12-01" title="۱ دسامبر ۲۰۲۶">۱۰ آذر ۱۴۰۵</time>' in actions_page
    else:
        with translation.override(language):
            assert shown == formats.date_format(date(2026, 12, 1), "DATE_FORMAT")
        assert f'<time datetime="2026-12-01">{shown}</time>' in actions_page


@pytest.mark.parametrize("language", list(DECIMALS))
def test_numbers_never_mix_separators(language):
    with translation.override(language):
        from_template = formats.number_format(Decimal("-0.7"), 1)
    assert locales.local_digits(from_template, language) == DECIMALS[language]
    grouping, decimal = AMOUNTS[language][1], DECIMALS[language][-2]
    assert grouping != decimal


@pytest.mark.parametrize("language", list(AMOUNTS))
def test_exports_stay_machine_readable_in_every_language(client, figures, champion, language):
    champion.language = language
    champion.save()
    client.force_login(champion)
    rows = list(csv.reader(io.StringIO(client.get(reverse("portfolio:league_csv")).content.decode())))
    header, row = rows[0], rows[1]
    assert row[header.index(_header("Account", language))] == "Baltic Steel"
    assert "2351747.50" in row  # Latin digits, a dot, no grouping, whatever the reader's language
    assert "2026-11-02" in row  # the last executive visit, ISO
    assert not any(ch in "".join(row) for ch in locales.PERSIAN_DIGITS)


def _header(text: str, language: str) -> str:
    with translation.override(language):
        return gettext(text)


def test_date_inputs_take_either_calendar_from_a_persian_reader():
    assert locales.parse_solar_hijri("۱۴۰۵/۰۹/۱۰") == date(2026, 12, 1)
    assert locales.parse_solar_hijri("1405-9-10") == date(2026, 12, 1)
    assert locales.parse_solar_hijri("2026-12-01") is None  # Gregorian: the field parses it as ever
    assert locales.parse_solar_hijri("1405/13/40") is None
    with translation.override("fa"):
        for typed in ("۱۴۰۵/۰۹/۱۰", "2026-12-01"):
            form = PlanCreateForm(
                has_previous=False, data={"period_start": typed, "period_end": "1406/09/09"}
            )
            form.is_valid()
            assert form.cleaned_data["period_start"] == date(2026, 12, 1), form.errors
            assert form.cleaned_data["period_end"] == date(2027, 11, 30)
        rendered = str(
            PlanCreateForm(has_previous=False, initial={"period_start": date(2026, 12, 1)})["period_start"]
        )
        assert 'type="text"' in rendered and 'value="۱۴۰۵/۰۹/۱۰"' in rendered
    with translation.override("pl"):
        rendered = str(
            PlanCreateForm(has_previous=False, initial={"period_start": date(2026, 12, 1)})["period_start"]
        )
        assert 'type="date"' in rendered and 'value="2026-12-01"' in rendered


def test_the_digest_is_written_in_each_readers_language(account, kam, sponsor, champion):
    plan = PlanFactory(account=account, status="submitted")
    ActionFactory(plan=plan, owner=kam, due_on=timezone.localdate() - timedelta(days=2))
    kam.language, sponsor.language = "fa", "pl"
    kam.save()
    sponsor.save()
    with translation.override("de"):
        digest.send_weekly_digests()
        # Writing everyone's digest leaves the sender's own language alone.
        assert translation.get_language() == "de"
    by_reader = {m.to[0]: m for m in mail.outbox}
    to_kam, to_sponsor = by_reader[kam.email], by_reader[sponsor.email]
    with translation.override("fa"):
        assert to_kam.subject == gettext("Your week in the key account programme")
        due = locales.format_local_date(timezone.localdate() - timedelta(days=2))
    assert to_kam.subject != "Your week in the key account programme"
    assert due in to_kam.body and any(month in due for month in locales.jdatetime.date.j_months_fa)
    with translation.override("pl"):
        assert gettext("a plan waits for your endorsement") in to_sponsor.body
        assert to_sponsor.subject == gettext("Your week in the key account programme")
    assert "a plan waits for your endorsement" not in to_sponsor.body


def test_the_api_keeps_its_fields_while_messages_follow_accept_language(client, champion, account):
    champion.language = "fa"  # a person's choice is for pages; the API follows the request's header
    champion.save()
    client.force_login(champion)
    url = f"/api/v1/accounts/{account.pk}/"

    def patch(language):
        return client.patch(
            url,
            {"name": ""},
            content_type="application/json",
            headers={"If-Match": '"1"', "Accept-Language": language},
        )

    english, polish = patch("en"), patch("pl")
    assert english.status_code == polish.status_code == 400
    strip = [{k: v for k, v in e.items() if k != "message"} for e in english.json()["errors"]]
    assert strip == [{k: v for k, v in e.items() if k != "message"} for e in polish.json()["errors"]]
    assert {e["field"] for e in polish.json()["errors"]} == {"name"}
    message = english.json()["errors"][0]["message"]
    with translation.override("pl"):
        assert polish.json()["errors"][0]["message"] == gettext(message) != message
    assert polish["Content-Language"] == "pl"


SVG = re.compile(r"<svg\b.*?</svg>", re.S)
GEOMETRY = re.compile(r'\s(x|y|x1|x2|y1|y2|cx|cy|r|width|height|rx)="([^"]*)"')
TRANSFORM = re.compile(r'\s(?:transform|viewBox)="([^"]*)"')
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@pytest.mark.parametrize("language", ["pl", "de", "ru", "fa"])
def test_pictures_keep_their_geometry_in_every_language(client, figures, champion, language):
    """A decimal comma or a grouped 1 101 inside an SVG attribute moves or hides the drawing."""
    top = StakeholderFactory(account=figures, name="مریم احمدی", influence=5)
    StakeholderFactory(account=figures, name="陳志明", reports_to=top, influence=3)
    champion.language = language
    champion.save()
    client.force_login(champion)
    for url in (reverse("portfolio:dashboard"), figures.get_absolute_url()):
        page = client.get(url).content.decode()
        pictures = SVG.findall(page)
        assert pictures, url
        for picture in pictures:
            for name, value in GEOMETRY.findall(picture):
                assert PLAIN_NUMBER.match(value), f"{url}: {name}={value!r}"
            for value in TRANSFORM.findall(picture):
                assert not set(value) & set("\xa0\u066b\u066c"), f"{url}: {value!r}"


def test_a_moment_shows_its_day_in_the_readers_calendar_and_its_time():
    moment = timezone.make_aware(datetime(2026, 12, 1, 14, 30))
    with translation.override("fa"):
        shown = kam_format.local_date(moment, "time")
    assert shown.startswith('<time datetime="2026-12-01T14:30:00')
    assert "۱۰ آذر ۱۴۰۵ ۱۴:۳۰</time>" in shown
    with translation.override("de"):
        assert kam_format.local_date_text(moment, "time") == "1. Dezember 2026 14:30"
