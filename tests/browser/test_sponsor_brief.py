"""The sponsor's one-page brief holds up with a real account's 150 people: one printed page, and at most
three screens on a 390 px wide phone.

Drives Debian's chromium through Playwright (never `playwright install`). Skipped when chromium is
missing, unless KAM_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import InteractionKind, PlanStatus, Stakeholder, TeamFunction
from tests.accounts.plan_factories import ActionFactory, ObjectiveFactory, PlanFactory, RiskFactory
from tests.browser.conftest import signed_in
from tests.factories import AccountFactory, InteractionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
THREE_SCREENS = 2_500  # px: what a sponsor scrolls through on a phone before giving up


@pytest.fixture
def account(transactional_db):
    """Vistula Foods as the demo has it: 150 people mapped, a submitted plan, overdue actions."""
    today = timezone.localdate()
    ewa = UserFactory(username="ewa", first_name="Ewa", last_name="Lis", function=TeamFunction.OTHER)
    magda = UserFactory(username="magda")
    account = AccountFactory(name="Vistula Foods", key=True, kam=magda, executive_sponsor=ewa)
    Stakeholder.objects.bulk_create(
        Stakeholder(
            account=account, name=f"Person {i:03d} with a longer family name",
            title="Category manager, dairy",
            buying_role=["decision_maker", "influencer", "user", "technical_buyer"][i % 4],
            influence=1 + i % 5, attitude=(i % 5) - 2,
        )
        for i in range(150)
    )  # fmt: skip
    plan = PlanFactory(
        account=account, status=PlanStatus.SUBMITTED, period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=330), sponsor_commitments="Quarterly call with the CEO",
    )  # fmt: skip
    objectives = [ObjectiveFactory(plan=plan, title=f"Objective {i} for the year") for i in range(4)]
    for i in range(8):
        ActionFactory(
            plan=plan, objective=objectives[i % 4], description=f"Action {i} agreed with the buyers",
            due_on=today + timedelta(days=-10 + 4 * i),
        )  # fmt: skip
    for i in range(3):
        RiskFactory(plan=plan, description=f"Risk {i}: a competitor offers a lower price", mitigation="Visit")
    InteractionFactory(
        account=account, kind=InteractionKind.EXECUTIVE_VISIT, occurred_on=today - timedelta(days=40),
        stakeholders=list(Stakeholder.objects.filter(account=account)[:3]), notes="Met the board.",
    )  # fmt: skip
    return account


def test_the_sponsor_brief_fits_three_phone_screens_and_one_printed_page(browser, live_server, account):
    page = signed_in(browser, live_server, "ewa", PHONE["width"], height=PHONE["height"])

    page.goto(f"{live_server.url}/portfolio/sponsor/accounts/{account.pk}/")
    height = page.evaluate("document.documentElement.scrollHeight")
    page.screenshot(path="/tmp/kam-sponsor-brief-phone.png", full_page=True)
    print(f"sponsor brief on a 390 px phone: {height} px")
    assert height <= THREE_SCREENS, f"the brief is {height} px tall on a 390 px phone"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the brief is {width} px wide: it scrolls sideways"

    # The five most influential people, and the way to the other 145.
    assert page.locator("#map-title").is_visible()
    assert page.get_by_role("link", name="All 150 people on the stakeholder map").is_visible()
    # Overdue actions say so; endorsing says it approves the plan.
    assert page.get_by_text("overdue", exact=False).first.is_visible()
    assert page.get_by_role("button", name="Endorse and approve the plan").is_visible()

    pdf = page.pdf(format="A4")
    Path("/tmp/kam-sponsor-brief.pdf").write_bytes(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages == 1, f"the brief prints on {pages} pages"
