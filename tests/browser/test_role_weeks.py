"""Each role's week from JOURNEYS.md, walked in a real browser over the demo programme (seed_demo), on
whichever database the suite runs on. On every page and every opened editor along the way, axe-core
reports no serious or critical violation, and a screenshot is kept (tests/browser/artifacts/<test>/).
"""

import io
import re

import pytest
from django.core.management import call_command

from accounts.demo.records import DEMO_PASSWORD
from accounts.models import Account, AccountPlan, PlanAction, PlanStatus, Stakeholder, User
from accounts.plans import services as plan_services
from programme.models import ProgrammeReview
from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    """The demo programme, smaller than the default (40 accounts, 13 months) but with every named account."""
    call_command("seed_demo", accounts=40, months=13, stdout=io.StringIO(), stderr=io.StringIO())
    return Account.objects.get(name="Baltic Steel")


class Week:
    """One person's browser, checking and photographing every step."""

    def __init__(self, browser, live_server, artefacts, username, *, width=1280):
        self.url = live_server.url
        self.folder = artefacts
        self.steps = 0
        self.page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        self.page.set_default_timeout(15_000)
        self.page.goto(f"{self.url}/login/")
        self.check("login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url(lambda url: "/login/" not in url)

    def go(self, path: str, step: str):
        self.page.goto(f"{self.url}{path}")
        self.check(step)

    def check(self, step: str):
        self.page.wait_for_load_state("networkidle")
        self.steps += 1
        name = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        self.page.screenshot(path=self.folder / f"{self.steps:02d}-{name}.png", full_page=True)
        assert_accessible(self.page, step)


def test_magdas_monday_as_key_account_manager(browser, live_server, demo, artefacts):
    week = Week(browser, live_server, artefacts, "magda")
    page = week.page
    # 1. She lands on My accounts.
    page.get_by_role("heading", name="My accounts").wait_for()
    week.check("my accounts")
    # 2. Opens Baltic Steel: overview, score card, map, interactions, history.
    page.get_by_role("link", name="Baltic Steel").first.click()
    page.locator("#stakeholders svg.org-chart").wait_for()
    week.check("account page")
    # 3. The map: the other views, then the new head of quality under someone, supportive.
    for view in ("Influence and attitude", "List", "Org chart"):
        page.locator("#stakeholders").get_by_role("link", name=view).click()
        page.locator("#stakeholders .map-views .current", has_text=view).wait_for()
        week.check(f"map as {view}")
    people = Stakeholder.objects.filter(account=demo, left_on__isnull=True, archived_at__isnull=True)
    manager = people.order_by("-influence", "name").first()
    page.locator("#stakeholders").get_by_role("link", name="Add a stakeholder").click()
    editor = page.locator("#stakeholders aside.editor")
    editor.wait_for()
    week.check("add a stakeholder")
    editor.get_by_label("Name").fill("Ola Kwiatkowska")
    editor.get_by_label("Title").fill("Head of Quality")
    editor.get_by_label("Reports to").select_option(label=str(manager))
    editor.get_by_label("Influence").fill("4")
    editor.get_by_label("Attitude to us").select_option(label="Supporter")
    editor.get_by_role("button", name="Save").click()
    page.locator('#stakeholders g.person.just-changed[data-name="Ola Kwiatkowska"]').wait_for()
    week.check("stakeholder added")
    # 4. Logs last Thursday's meeting with both.
    page.get_by_text("Log an interaction").click()
    quick = page.locator("#interactions form").first
    their_people = quick.get_by_role("combobox", name="Their people")
    for typed, name in (("kwiatkowska", "Ola Kwiatkowska"), (manager.name.lower(), manager.name)):
        their_people.fill(typed)
        page.locator(".ts-dropdown .option", has_text=name).first.click()
    page.keyboard.press("Escape")
    week.check("log an interaction")
    quick.get_by_label("Notes").fill("Quality review, allocation for Q1")
    quick.get_by_role("button", name="Log it").click()
    page.locator("#interactions li", has_text="Quality review").wait_for()
    week.check("interaction logged")
    # 6. Re-scores a manual criterion, in the score card.
    page.locator("#score-card").get_by_role("link", name=re.compile(r"^(Re-score|Score)$")).first.click()
    page.locator("#score-editor input[name=score]").wait_for()
    week.check("manual score editor")
    page.locator("#score-editor").get_by_label("Score (0-10)").fill("9")
    page.locator("#score-editor").get_by_label("Why").fill("Second reference visit this year")
    page.locator("#score-editor").get_by_role("button", name="Save score").click()
    page.locator("#score-editor input[name=score]").wait_for(state="detached")
    # 5. The plan: its page, a new objective's form; then submits it.
    plan = AccountPlan.objects.filter(account=demo).latest("period_start")
    week.go(plan.get_absolute_url(), "account plan")
    week.go(f"{plan.get_absolute_url()}objectives/new/", "new objective")
    week.go(plan.get_absolute_url(), "account plan again")
    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_load_state("networkidle")
    week.check("plan submitted")
    week.go(f"/accounts/{demo.pk}/measures/", "measures")
    week.go(f"/accounts/{demo.pk}/opportunities/", "opportunity map")
    week.go("/accounts/my-actions/", "my actions")
    week.go("/portfolio/digest/", "weekly digest")
    assert AccountPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


def test_tomaszs_week_as_account_team_member(browser, live_server, demo, artefacts):
    week = Week(browser, live_server, artefacts, "tomasz")
    week.check("landing page")
    week.go("/portfolio/digest/", "weekly digest")
    week.go("/accounts/my-actions/", "my actions")
    action = PlanAction.objects.filter(owner__username="tomasz", status="open").order_by("due_on").first()
    form = week.page.locator(f"#action-{action.pk}")
    form.get_by_label("What was done").fill("Priority allocation agreed with their COO")
    form.get_by_role("button", name="Mark done").click()
    week.page.locator(f"#action-{action.pk}", has_text="Priority allocation agreed").wait_for()
    week.check("action done")
    week.go(demo.get_absolute_url(), "account page")
    week.go("/accounts/mine/", "my accounts")
    assert PlanAction.objects.get(pk=action.pk).status == "done"


def test_ewas_visit_as_executive_sponsor(browser, live_server, demo, artefacts):
    plan = AccountPlan.objects.filter(account=demo).latest("period_start")
    plan_services.plan_transition(plan=plan, name="submit", by=demo.kam, expected_version=plan.version)
    week = Week(browser, live_server, artefacts, "ewa", width=820)  # on a tablet
    week.check("sponsor home")
    week.page.get_by_role("link", name="Baltic Steel").first.click()
    week.page.wait_for_url(re.compile(r"/sponsor/accounts/\d+/$"))
    week.check("one-page brief")
    week.go(plan.get_absolute_url(), "the full plan")
    week.page.go_back()
    week.page.get_by_role("button", name=re.compile("Endorse")).click()
    week.page.wait_for_load_state("networkidle")
    week.check("plan endorsed")
    week.go(f"/portfolio/sponsor/accounts/{demo.pk}/visit/", "log an executive visit")
    week.go(demo.get_absolute_url(), "account page")
    assert AccountPlan.objects.get(pk=plan.pk).status != PlanStatus.SUBMITTED


def test_jans_quarter_end_as_champion_and_administrator(browser, live_server, demo, artefacts):
    week = Week(browser, live_server, artefacts, "jan")
    week.check("dashboard")
    week.go("/accounts/?status=candidate&sort=-margin", "candidates")
    week.go("/accounts/?status=key", "key accounts")
    week.go("/programme/criteria/", "criteria")
    week.page.locator("#what-if").get_by_role("button", name="Preview").click()
    week.page.wait_for_load_state("networkidle")
    week.check("what-if preview")
    week.go("/portfolio/reviews/", "reviews")
    review = ProgrammeReview.objects.order_by("-pk").first()
    week.go(f"/portfolio/reviews/{review.pk}/", "review")
    week.go("/portfolio/team/", "KAM team")
    jan = User.objects.get(username="jan")
    week.go(f"/portfolio/team/{demo.kam_id}/skills/", "skills")
    week.go("/portfolio/sponsors/", "sponsor load")
    week.go("/programme/recompute/", "recompute")
    plan = AccountPlan.objects.filter(account=demo).latest("period_start")
    week.go(f"/portfolio/accounts/{demo.pk}/plans/{plan.pk}/board-brief/", "board brief")
    week.go(f"/accounts/{demo.pk}/lifecycle/", "lifecycle change")
    week.go(demo.get_absolute_url(), "account page")
    assert jan.is_staff
    week.go("/admin/", "administration")
