"""The KAM opens the joint account plan beside the customer and hands them the PDF; the champion
downloads the board brief as a PDF. In a real browser, under the Content-Security-Policy.

Drives Debian's chromium through Playwright (never `playwright install`). Skipped when chromium is
missing, unless KAM_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

from datetime import date
from pathlib import Path

import pytest

from accounts.models import PlanStatus
from tests.accounts.plan_factories import ActionFactory, ObjectiveFactory, PlanFactory, RiskFactory
from tests.browser.conftest import signed_in
from tests.factories import AccountFactory, UserFactory
from tests.pdfs import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plan(transactional_db):
    magda = UserFactory(username="magda", first_name="Magda", last_name="Nowak")
    UserFactory(username="jan", is_champion=True)
    account = AccountFactory(name="Baltic Steel", key=True, kam=magda, currency="PLN")
    plan = PlanFactory(
        account=account, status=PlanStatus.ACTIVE, period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31), value_terms="Quarterly index pricing",
    )  # fmt: skip
    objective = ObjectiveFactory(plan=plan, title="Keep 70 % share of wallet")
    ActionFactory(plan=plan, objective=objective, description="Run the line trial together", owner=magda,
                  shared_with_customer=True)  # fmt: skip
    ActionFactory(plan=plan, objective=objective, description="Price below the rival quietly", owner=magda)
    RiskFactory(plan=plan, description="The buyer may switch to the rival")
    return plan


def test_the_kam_shows_the_customer_the_joint_plan_and_hands_over_its_pdf(browser, live_server, plan):
    magda = signed_in(browser, live_server, "magda")
    magda.goto(f"{live_server.url}{plan.get_absolute_url()}")
    magda.get_by_role("link", name="Joint plan, to share with the customer").click()
    magda.get_by_role("heading", name="Our shared objectives").wait_for()
    text = magda.locator("main").inner_text()
    assert "Keep 70 % share of wallet" in text and "Run the line trial together" in text
    assert "Price below the rival quietly" not in text and "switch to the rival" not in text
    assert magda.get_by_role("img", name="Our logo").is_visible()
    assert magda.get_by_role("img", name="Baltic Steel logo").is_visible()
    magda.screenshot(path="/tmp/kam-joint-plan.png", full_page=True)

    with magda.expect_download() as download:
        magda.get_by_role("link", name="Download as PDF").click()
    content = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == "baltic-steel-joint-account-plan-2026-01-01.pdf"
    assert "Run the line trial together" in pdf_text(content)


def test_the_champion_downloads_the_board_brief_as_a_pdf(browser, live_server, plan):
    jan = signed_in(browser, live_server, "jan")
    jan.goto(f"{live_server.url}{plan.get_absolute_url()}")
    jan.get_by_role("link", name="Board brief (print)").click()
    with jan.expect_download() as download:
        jan.get_by_role("link", name="Download as PDF").click()
    text = pdf_text(Path(download.value.path()).read_bytes())
    assert "Keep 70 % share of wallet" in text and "Page 1 of" in text
