"""Importing a CRM export in a real browser: the champion uploads a Salesforce report as it comes
(BOM, CRLF, footer, a Persian and a Chinese name, "Poland"), sees what the preview refuses, maps the
missing column, imports, finds the counts; the same file again leaves everything unchanged. A Windows
(cp1252) export keeps its accents, and a semicolon-separated file of monthly figures written with local
numbers goes in once the account it names exists.
"""

from pathlib import Path

import pytest

from accounts.models import Account, FinancialPeriod
from tests.browser.conftest import PASSWORD, signed_in
from tests.factories import AccountFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILES = Path(__file__).parent.parent / "accounts" / "import_files"
EXPORT = FILES / "salesforce_accounts_custom.csv"


def _upload(page, live_server, export=EXPORT, kind="accounts"):
    page.goto(f"{live_server.url}/accounts/")
    page.click("text=Import a CRM export")
    page.get_by_label("The file holds").select_option(kind)
    page.get_by_label("Export file").set_input_files(str(export))
    page.get_by_role("button", name="Upload and map the columns").click()
    page.wait_for_url("**/mapping/")


def test_champion_imports_a_salesforce_export_and_imports_it_again(browser, live_server, transactional_db):
    UserFactory(username="jan", first_name="Jan", is_champion=True, password=PASSWORD)
    page = signed_in(browser, live_server, "jan")

    _upload(page, live_server)
    assert "Currency" in page.locator("#missing").inner_text()
    assert page.get_by_role("button", name="Import 5 records").is_disabled()
    page.locator("#skipped summary").click()
    assert "Confidential Information" in page.locator("#skipped").inner_text()
    assert page.locator("#preview td", has_text="宝山钢铁股份有限公司").count() == 1
    assert page.locator("#preview td", has_text="شرکت فولاد مبارکه").count() == 1

    page.get_by_label("Currency Code").select_option("currency")
    page.get_by_label("Save this mapping as").fill("Salesforce with our currency column")
    page.get_by_role("button", name="Check the mapping").click()
    page.locator("#preview-counts").wait_for()
    assert "5 would be created" in page.locator("#preview-counts").inner_text()
    assert page.locator("#preview td", has_text="PL").count() >= 1  # "Poland" read as PL

    page.get_by_role("button", name="Import 5 records").click()
    page.wait_for_url("**/imports/*/")
    page.locator("#status", has_text="Done").wait_for()
    assert page.locator("#count-created").inner_text() == "5"
    assert Account.objects.get(external_id="001A000001").country == "PL"

    _upload(page, live_server)
    page.get_by_label("Use the columns of").select_option(label="—")
    page.get_by_role("button", name="Apply").click()
    page.locator("#preset-form [role=alert]", has_text="Choose a mapping in the list").wait_for()
    page.get_by_label("Use the columns of").select_option(label="Salesforce with our currency column")
    page.get_by_role("button", name="Apply").click()
    page.locator("#preview-counts").wait_for()
    assert "5 unchanged" in page.locator("#preview-counts").inner_text()
    page.get_by_role("button", name="Import 5 records").click()
    page.locator("#status", has_text="Done").wait_for()
    assert page.locator("#count-unchanged").inner_text() == "5"
    assert page.locator("#count-created").inner_text() == "0"
    assert page.locator("#count-updated").inner_text() == "0"

    page.goto(f"{live_server.url}/accounts/imports/")
    assert page.locator("#history tbody tr").count() == 2
    assert "Salesforce with our currency column" in page.locator("#history").inner_text()


def _import_and_wait(page, records):
    page.get_by_role("button", name=f"Import {records} records").click()
    page.wait_for_url("**/imports/*/")
    page.locator("#status", has_text="Done").wait_for()


def test_a_windows_cp1252_export_keeps_its_accents(browser, live_server, transactional_db):
    UserFactory(username="jan", first_name="Jan", is_champion=True, password=PASSWORD)
    page = signed_in(browser, live_server, "jan")

    _upload(page, live_server, FILES / "accounts_cp1252.csv")
    assert "cp1252" in page.locator("main").inner_text()
    assert page.locator("#preview td", has_text="Müller Präzisionstechnik AG").count() == 1
    assert page.locator("#preview td", has_text="Café Colón S.L. \u2013 “Señor”").count() == 1
    assert "3 would be created" in page.locator("#preview-counts").inner_text()

    _import_and_wait(page, 3)
    assert page.locator("#count-created").inner_text() == "3"
    assert page.locator("#count-rejected").inner_text() == "0"
    assert Account.objects.get(external_id="002B000002").name == "Société Générale d'Ingénierie"


def test_a_semicolon_file_of_monthly_figures_imports_once_its_account_exists(
    browser, live_server, transactional_db
):
    UserFactory(username="jan", first_name="Jan", is_champion=True, password=PASSWORD)
    AccountFactory(external_id="001A000001", currency="PLN")
    page = signed_in(browser, live_server, "jan")

    _upload(page, live_server, FILES / "financials_semicolon.csv", kind="financials")
    assert "semicolon-separated" in page.locator("main").inner_text()
    refused = page.locator("#preview tr.refused")
    assert refused.count() == 1 and "001A000005" in refused.inner_text()  # no such account yet
    assert page.locator("#preview-counts").count() == 0

    AccountFactory(external_id="001A000005")
    page.get_by_role("button", name="Check the mapping").click()
    page.locator("#preview-counts").wait_for()
    assert "3 would be created" in page.locator("#preview-counts").inner_text()

    _import_and_wait(page, 3)
    assert page.locator("#count-created").inner_text() == "3"
    january = FinancialPeriod.objects.get(account__external_id="001A000001", period="2026-01-01")
    assert str(january.revenue) == "1234567.89"
