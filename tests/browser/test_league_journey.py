"""The champion filters the league table in a real browser: the filter reaches the address bar, a
reload keeps it, and "Export CSV" exports the rows shown; a share of wallet that cannot be true is a
data warning, not a figure.

Drives Debian's chromium through Playwright, like test_plan_journey.py.
"""

import csv
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest

from kam.core.periods import add_months, trailing_twelve_months
from tests.accounts.measures_factories import WalletEstimateFactory
from tests.browser.conftest import signed_in
from tests.factories import AccountFactory, FinancialPeriodFactory, UserFactory

SCREENSHOTS = os.environ.get("KAM_SCREENSHOTS")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_league_filter_reaches_the_address_bar_and_the_export_exports_what_is_shown(
    browser, live_server, transactional_db
):
    UserFactory(username="jan", is_champion=True)
    magda = UserFactory(username="magda", first_name="Magda", last_name="Nowak")
    oliver = UserFactory(username="oliver", first_name="Oliver", last_name="Schmidt")
    for i in range(3):
        AccountFactory(name=f"Magda's {i}", key=True, kam=magda)
    lyon = AccountFactory(name="Lyon Chimie", key=True, kam=oliver)
    start, _end = trailing_twelve_months()
    for month in range(12):
        FinancialPeriodFactory(account=lyon, period=add_months(start, month), revenue=Decimal("1000"))
    WalletEstimateFactory(account=lyon, amount=Decimal("9600"), estimated_on=add_months(start, 1))

    page = signed_in(browser, live_server, "jan", accept_downloads=True)
    page.goto(f"{live_server.url}/portfolio/")
    assert page.locator(".data-warnings").first.inner_text().count("Lyon Chimie") == 1

    page.select_option("select[name=kam]", label="Oliver Schmidt")
    page.wait_for_url(lambda url: f"kam={oliver.pk}" in url)
    league = page.locator("#league")
    assert league.locator("tbody tr").count() == 1
    assert "check data" in league.locator("tbody tr").inner_text()
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/league-filtered.png", full_page=True)

    with page.expect_download() as download:
        page.click("[data-league-export]")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    exported = list(csv.reader(io.StringIO(text)))
    assert [row[0] for row in exported[1:]] == ["Lyon Chimie"]

    page.reload()
    assert page.locator("#league tbody tr").count() == 1
    assert page.locator("select[name=kam]").input_value() == str(oliver.pk)
    page.context.close()
