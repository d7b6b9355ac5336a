"""The measures in a real browser: the KAM records a survey (NPS 11 is caught on its field), sets the
wallet estimate and the stage; the overview shows them; the team member reads without forms.

Drives Debian's chromium through Playwright, like test_plan_journey.py.
"""

import os

import pytest
from django.utils import timezone

from accounts.models import RelationshipStageChange, Survey, TeamFunction, WalletEstimate
from tests.browser.conftest import signed_in
from tests.factories import AccountFactory, TeamMemberFactory, UserFactory

SCREENSHOTS = os.environ.get("KAM_SCREENSHOTS")  # a folder, to look at the pages while developing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def test_kam_records_measures_and_the_team_member_reads_them(browser, live_server, transactional_db):
    magda = UserFactory(username="magda", first_name="Magda", last_name="Nowak")
    tomasz = UserFactory(username="tomasz", first_name="Tomasz", function=TeamFunction.OPERATIONS)
    account = AccountFactory(name="Baltic Steel", key=True, kam=magda, currency="EUR")
    TeamMemberFactory(account=account, user=tomasz)
    url = f"{live_server.url}/accounts/{account.pk}/measures/"
    today = timezone.localdate().isoformat()

    page = signed_in(browser, live_server, "magda")
    page.goto(url)
    page.click("text=Add a survey")
    form = page.locator("#satisfaction form")
    form.get_by_label("Respondent").fill("Head of Quality")
    form.get_by_label("NPS answer (0-10)").fill("11")
    form.get_by_role("button", name="Save").click()
    page.locator("#satisfaction .error").first.wait_for()
    assert "10" in page.locator("#id_nps-error").inner_text()
    page.locator("#satisfaction form").get_by_label("NPS answer (0-10)").fill("9")
    page.locator("#satisfaction form").get_by_role("button", name="Save").click()
    page.locator("#satisfaction td", has_text="Head of Quality").wait_for(state="attached")

    page.click("text=Set the estimate")
    form = page.locator("#wallet form")
    form.get_by_label("Yearly spend in our categories").fill("400000")
    form.get_by_label("Estimated on").fill(today)
    form.get_by_role("button", name="Save").click()
    page.locator("#wallet", has_text="400,000 EUR").wait_for()

    page.click("text=Set the stage")
    form = page.locator("#stage form")
    form.get_by_label("Relationship stage").select_option("cooperative")
    form.get_by_role("button", name="Save").click()
    page.locator("#stage strong", has_text="Cooperative").wait_for()
    _shot(page, "measures")

    page.goto(f"{live_server.url}{account.get_absolute_url()}")
    page.locator("#measures-title").wait_for()  # the summary replaced the placeholder
    assert "Cooperative" in page.locator("#measures").inner_text()
    _shot(page, "account")

    reader = signed_in(browser, live_server, "tomasz")
    reader.goto(url)
    assert (
        reader.get_by_text("Set the estimate").count() == 0
        and reader.get_by_text("Add a survey").count() == 0
    )
    assert "Cooperative" in reader.locator("#stage").inner_text()

    assert Survey.objects.get().nps == 9
    assert WalletEstimate.objects.get().is_current
    assert RelationshipStageChange.objects.get().stage == "cooperative"
