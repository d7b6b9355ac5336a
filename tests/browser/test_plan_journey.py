"""A plan's journey in a real browser: the KAM plans and submits, the sponsor approves, operations delivers.

Drives Debian's chromium through Playwright (never `playwright install`). Skipped when chromium is
missing, unless KAM_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

from datetime import date

import pytest

from accounts.models import ActionStatus, PlanAction, PlanObjective, PlanStatus, TeamFunction
from tests.accounts.plan_factories import PlanFactory
from tests.browser.conftest import signed_in
from tests.factories import AccountFactory, TeamMemberFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(transactional_db):
    return {
        "magda": UserFactory(username="magda", first_name="Magda", last_name="Nowak"),
        "ewa": UserFactory(username="ewa", first_name="Ewa", last_name="Lis", function=TeamFunction.OTHER),
        "tomasz": UserFactory(
            username="tomasz", first_name="Tomasz", last_name="Wójcik", function=TeamFunction.OPERATIONS
        ),
    }


@pytest.fixture
def plan(people):
    account = AccountFactory(
        name="Baltic Steel", key=True, kam=people["magda"], executive_sponsor=people["ewa"], currency="PLN"
    )
    TeamMemberFactory(account=account, user=people["tomasz"])
    return PlanFactory(account=account, period_start=date(2026, 1, 1), period_end=date(2026, 12, 31))


def _cell(page, section: str, text: str):
    return page.locator(section).get_by_role("cell", name=text, exact=True)


def test_kam_plans_sponsor_approves_operations_marks_the_action_done(browser, live_server, people, plan):
    url = f"{live_server.url}{plan.get_absolute_url()}"

    # Magda adds a protect objective with an action for Tomasz from operations, and submits.
    magda = signed_in(browser, live_server, "magda")
    magda.goto(url)
    magda.click("text=Add an objective")
    form = magda.locator("#objectives form")
    form.get_by_label("Objective").fill("Keep our share in coated steel")
    form.get_by_label("Strategy").select_option("protect")
    form.get_by_label("Measurable target").fill("Keep 70 % share of wallet in coated steel")
    form.get_by_role("button", name="Save").click()
    _cell(magda, "#objectives", "Keep our share in coated steel").wait_for()

    magda.click("text=Add an action")
    form = magda.locator("#actions form")
    form.get_by_label("Action").fill("Agree priority allocation for Q1")
    form.get_by_label("Objective").select_option(label="Keep our share in coated steel")
    form.get_by_label("Owner").select_option(label="Tomasz Wójcik (Operations)")
    form.get_by_role("button", name="Save").click()
    _cell(magda, "#actions", "Agree priority allocation for Q1").wait_for()
    assert "Tomasz Wójcik" in magda.locator("#actions").inner_text()

    magda.get_by_role("button", name="Submit for approval").click()
    magda.locator(".badge", has_text="Submitted").wait_for()
    magda.locator(".messages", has_text="Plan submitted for approval.").wait_for()  # plain words

    # Ewa, the sponsor, reads it (no edit links) and approves.
    ewa = signed_in(browser, live_server, "ewa")
    ewa.goto(url)
    assert ewa.get_by_text("Add an objective").count() == 0
    ewa.get_by_role("button", name="Approve").click()
    ewa.locator(".badge", has_text="Approved").wait_for()

    # Tomasz lands on My actions: the action with its account, objective and who assigned it. He starts
    # it, then marks it done.
    tomasz = signed_in(browser, live_server, "tomasz")
    tomasz.get_by_role("heading", name="My actions").wait_for()
    assert tomasz.url == f"{live_server.url}/accounts/my-actions/"
    row = tomasz.locator("li", has_text="Agree priority allocation for Q1")
    assert "Baltic Steel" in row.inner_text() and "Keep our share in coated steel" in row.inner_text()
    assert "assigned by Magda Nowak" in row.inner_text()
    row.get_by_role("button", name="Start").click()
    row.locator(".badge", has_text="In progress").wait_for()
    tomasz.get_by_role("link", name="In progress").click()
    row = tomasz.locator("li", has_text="Agree priority allocation for Q1")
    row.get_by_role("button", name="Mark done").click()
    row.locator(".error", has_text="Say in a line").wait_for()  # the note is asked for, field by field
    row.get_by_label("What was done").fill("Allocation agreed with planning")
    row.get_by_role("button", name="Mark done").click()
    tomasz.locator("li", has_text="Allocation agreed with planning").wait_for()

    plan.refresh_from_db()
    action = PlanAction.objects.get()
    assert plan.status == PlanStatus.APPROVED
    assert (action.status, action.note) == (ActionStatus.DONE, "Allocation agreed with planning")
    assert list(plan.status_changes.values_list("to_status", flat=True)) == ["approved", "submitted"]


def test_a_second_sessions_conflicting_edit_of_an_objective_is_caught(browser, live_server, people, plan):
    objective = PlanObjective.objects.create(
        plan=plan, title="Keep coated steel", strategy="protect", target="70 % share"
    )
    champion = UserFactory(username="jan", is_champion=True)
    assert champion.is_champion
    url = f"{live_server.url}{plan.get_absolute_url()}"
    first, second = signed_in(browser, live_server, "magda"), signed_in(browser, live_server, "jan")
    for page in (first, second):
        page.goto(url)
        page.get_by_role("link", name=f"Edit {objective.title}").click()
        page.locator("#objectives form").wait_for()
    first.locator("#objectives form").get_by_label("Measurable target").fill("75 % share")
    first.locator("#objectives form").get_by_role("button", name="Save").click()
    _cell(first, "#objectives", "75 % share").wait_for()

    form = second.locator("#objectives form")
    form.get_by_label("Measurable target").fill("80 % share by December")
    form.get_by_role("button", name="Save").click()
    second.locator(".conflict").wait_for()
    assert "75 % share" in second.locator(".conflict").inner_text()
    assert second.locator("#objectives form").get_by_label("Measurable target").input_value() == (
        "80 % share by December"
    )
    objective.refresh_from_db()
    assert objective.target == "75 % share"
