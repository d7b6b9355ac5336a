"""A KAM's morning in a real browser: My accounts, the account, the stakeholder map, a meeting logged;
a second session's conflicting edit of a stakeholder caught; a mistyped meeting corrected inline.

Drives Debian's chromium through Playwright, as tests/browser/test_plan_journey.py does.
"""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Attitude, BuyingRole, Interaction, Stakeholder, TeamFunction
from tests.browser.conftest import signed_in
from tests.factories import (
    AccountFactory,
    InteractionFactory,
    StakeholderFactory,
    TeamMemberFactory,
    UserFactory,
)

SCREENSHOTS = os.environ.get("KAM_SCREENSHOTS")  # a folder to keep pictures of each step, when set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def account(transactional_db):
    magda = UserFactory(username="magda", first_name="Magda", last_name="Nowak")
    UserFactory(username="jan", first_name="Jan", last_name="Kowal", is_champion=True)
    tomasz = UserFactory(
        username="tomasz", first_name="Tomasz", last_name="Wójcik", function=TeamFunction.OPERATIONS
    )
    account = AccountFactory(name="Baltic Steel", key=True, kam=magda, currency="PLN")
    TeamMemberFactory(account=account, user=tomasz)
    ceo = StakeholderFactory(
        account=account, name="Piotr Lis", title="CEO", buying_role=BuyingRole.DECISION_MAKER, influence=5
    )
    StakeholderFactory(account=account, name="Adam Nowak", title="COO", reports_to=ceo, influence=4)
    StakeholderFactory(account=account, name="Irena Zając", title="Procurement Director", reports_to=ceo,
                       buying_role=BuyingRole.DECISION_MAKER, influence=5)  # fmt: skip
    return account


def _shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def test_a_kams_morning_adds_a_stakeholder_under_the_coo_and_logs_a_meeting(browser, live_server, account):
    magda = signed_in(browser, live_server, "magda")
    # She lands on My accounts and sees what needs attention.
    magda.get_by_role("heading", name="My accounts").wait_for()
    row = magda.locator("tr", has_text="Baltic Steel")
    assert "not scored yet" in row.inner_text() and "No plan for the current period" in row.inner_text()
    _shot(magda, "1-my-accounts")

    row.get_by_role("link", name="Baltic Steel").click()
    magda.locator("#stakeholders svg.org-chart").wait_for()

    # She adds the new head of quality under the COO, influence 4, supportive, without a reload.
    magda.evaluate("window.notReloaded = true")
    magda.locator("#stakeholders").get_by_role("link", name="Add a stakeholder").click()
    form = magda.locator("#stakeholders aside form").first
    form.get_by_label("Name").fill("Ola Kwiatkowska")
    form.get_by_label("Title").fill("Head of Quality")
    form.get_by_label("Reports to").select_option(label="Adam Nowak (COO)")
    form.get_by_label("Influence").fill("4")
    form.get_by_label("Attitude to us").select_option(label="Supporter")
    form.get_by_role("button", name="Save").click()
    new_box = magda.locator('#stakeholders g.person[data-name="Ola Kwiatkowska"]')
    new_box.wait_for()
    assert "Supporter" in new_box.text_content() and "last contact: never" in new_box.text_content()
    assert magda.evaluate("window.notReloaded") is True
    _shot(magda, "2-map-with-new-stakeholder")

    # She logs last Thursday's meeting with the COO and the head of quality; both marks turn fresh.
    day = timezone.localdate() - timedelta(days=4)
    magda.get_by_text("Log an interaction").click()
    quick = magda.locator("#interactions form").first
    quick.get_by_label("Type").select_option(label="Office meeting")
    quick.get_by_label("Date").fill(day.isoformat())
    their_people = quick.get_by_role("combobox", name="Their people")  # type a few letters, pick
    for typed, name in (("adam", "Adam Nowak (COO)"), ("ola", "Ola Kwiatkowska (Head of Quality)")):
        their_people.fill(typed)
        magda.locator(".ts-dropdown .option", has_text=name).click()
    quick.get_by_label("Notes").fill("Quality review, allocation for Q1")
    quick.get_by_role("button", name="Log it").click()
    magda.locator("#interactions li", has_text="Quality review").wait_for()
    for name in ("Adam Nowak", "Ola Kwiatkowska"):
        box = magda.locator(f'#stakeholders g.person[data-name="{name}"] .contact-fresh')
        box.wait_for()
        assert date_format(day) in box.text_content()  # one date format per language
    assert magda.evaluate("window.notReloaded") is True
    _shot(magda, "3-meeting-logged")

    # The second view: influence against attitude.
    magda.locator("#stakeholders").get_by_role("link", name="Influence and attitude").click()
    magda.locator("#stakeholders svg.influence-grid").wait_for()
    _shot(magda, "4-influence-grid")

    added = Stakeholder.objects.get(name="Ola Kwiatkowska")
    assert added.reports_to.name == "Adam Nowak" and (added.influence, added.attitude) == (
        4,
        Attitude.SUPPORTER,
    )
    interaction = Interaction.objects.get()
    assert sorted(interaction.stakeholders.values_list("name", flat=True)) == [
        "Adam Nowak",
        "Ola Kwiatkowska",
    ]

    # On a tablet the page still works: the map scrolls inside its frame, nothing spills.
    tablet = signed_in(browser, live_server, "magda", width=820)
    tablet.goto(f"{live_server.url}{account.get_absolute_url()}")
    assert tablet.evaluate("document.documentElement.scrollWidth") <= 820
    _shot(tablet, "5-tablet")


def test_a_second_sessions_conflicting_stakeholder_edit_is_caught(browser, live_server, account):
    url = f"{live_server.url}{account.get_absolute_url()}"
    first, second = signed_in(browser, live_server, "magda"), signed_in(browser, live_server, "jan")
    for page in (first, second):
        page.goto(url)
        page.get_by_role("link", name="Edit Irena Zając").click()
        page.locator("#stakeholders aside form").first.wait_for()
    first.locator("#stakeholders aside form").first.get_by_label("Title").fill("Chief Procurement Officer")
    first.locator("#stakeholders aside form").first.get_by_role("button", name="Save").click()
    first.locator('#stakeholders g.person[data-name="Irena Zając"]', has_text="Chief Procurement").wait_for()

    form = second.locator("#stakeholders aside form").first
    form.get_by_label("Title").fill("Head of Purchasing")
    form.get_by_label("Attitude to us").select_option(label="Sceptic")
    form.get_by_role("button", name="Save").click()
    second.locator(".conflict").wait_for()
    assert "Chief Procurement Officer" in second.locator(".conflict").inner_text()
    # The map behind the editor shows the other change; the form keeps what this editor typed.
    assert (
        "Chief Procurement"
        in second.locator('#stakeholders g.person[data-name="Irena Zając"]').text_content()
    )
    form = second.locator("#stakeholders aside form").first
    assert form.get_by_label("Title").input_value() == "Head of Purchasing"
    _shot(second, "6-conflict")
    person = Stakeholder.objects.get(name="Irena Zając")
    assert (person.title, person.attitude) == ("Chief Procurement Officer", Attitude.NEUTRAL)

    # Saving again is deliberate, and wins.
    form.get_by_role("button", name="Save").click()
    second.locator(
        '#stakeholders g.person[data-name="Irena Zając"]', has_text="Head of Purchasing"
    ).wait_for()
    person.refresh_from_db()
    assert (person.title, person.attitude) == ("Head of Purchasing", Attitude.SCEPTIC)


def test_a_mistyped_meeting_is_corrected_inline_and_a_second_sessions_correction_is_caught(
    browser, live_server, account
):
    adam = Stakeholder.objects.get(name="Adam Nowak")
    two_days_ago = timezone.localdate() - timedelta(days=2)
    meeting = InteractionFactory(
        account=account, stakeholders=[adam], logged_by=account.kam, occurred_on=two_days_ago,
        notes="Quality reveiw",
    )  # fmt: skip
    url = f"{live_server.url}{account.get_absolute_url()}"
    first, second = signed_in(browser, live_server, "magda"), signed_in(browser, live_server, "jan")
    for page in (first, second):
        page.goto(url)
        page.evaluate("window.notReloaded = true")
        page.locator("#interactions li", has_text="Quality reveiw").get_by_role("link", name="Edit").click()
        page.locator("#interactions li.editing form").wait_for()

    # Magda fixes the date (it was last Thursday), the typo, and adds the procurement director.
    day = timezone.localdate() - timedelta(days=4)
    form = first.locator("#interactions li.editing form")
    assert form.get_by_label("Notes").input_value() == "Quality reveiw"
    form.get_by_label("Date").fill(day.isoformat())
    form.get_by_label("Notes").fill("Quality review")
    form.get_by_role("combobox", name="Their people").fill("irena")
    first.locator(".ts-dropdown .option", has_text="Irena Zając (Procurement Director)").click()
    form.get_by_role("button", name="Save").click()
    first.locator("#interactions li", has_text="Quality review").wait_for()
    assert first.locator("#interactions li.editing").count() == 0
    box = first.locator('#stakeholders g.person[data-name="Irena Zając"] .contact-fresh')
    box.wait_for()  # her last-contact mark follows at once
    assert date_format(day) in box.text_content() and first.evaluate("window.notReloaded") is True
    _shot(first, "7-interaction-corrected")

    # Jan, who opened the same meeting before Magda saved, is told and keeps what he typed.
    form = second.locator("#interactions li.editing form")
    form.get_by_label("Notes").fill("Quality review with the COO")
    form.get_by_role("button", name="Save").click()
    second.locator("#interactions .conflict").wait_for()
    assert "Someone else changed this interaction" in second.locator("#interactions .conflict").inner_text()
    form = second.locator("#interactions li.editing form")
    assert form.get_by_label("Notes").input_value() == "Quality review with the COO"
    assert second.evaluate("window.notReloaded") is True
    _shot(second, "8-interaction-conflict")
    meeting.refresh_from_db()
    assert (meeting.notes, meeting.occurred_on, meeting.version) == ("Quality review", day, 2)
    assert meeting.logged_by == account.kam
