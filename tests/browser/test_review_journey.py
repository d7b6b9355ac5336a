"""The champion's programme review from opening to closing, and a sponsor who sees only their accounts,
in a real browser (Debian's chromium through Playwright, as in test_plan_journey.py)."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Interaction, InteractionKind, LifecycleStatus, PlanStatus, TeamFunction
from programme.models import ProgrammeReview, Recommendation, ReviewStatus
from tests.accounts.plan_factories import ActionFactory, ObjectiveFactory, PlanFactory
from tests.browser.conftest import signed_in
from tests.factories import AccountFactory, StakeholderFactory, UserFactory
from tests.programme.dashboard_factories import AccountScoreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portfolio(transactional_db):
    jan = UserFactory(username="jan", first_name="Jan", last_name="Kowalski", is_champion=True)
    ewa = UserFactory(username="ewa", first_name="Ewa", last_name="Lis", function=TeamFunction.OTHER)
    adam = UserFactory(username="adam", first_name="Adam", last_name="Zieliński", function=TeamFunction.OTHER)
    magda = UserFactory(username="magda", first_name="Magda", last_name="Nowak")
    baltic = AccountFactory(name="Baltic Steel", key=True, kam=magda, executive_sponsor=ewa)
    lyon = AccountFactory(name="Lyon Chimie", key=True, kam=magda, executive_sponsor=adam)
    rising = AccountFactory(name="Rising Star")
    golf = AccountFactory(name="Golf Partner")
    AccountScoreFactory(
        account=baltic,
        attractiveness=Decimal(30),
        relationship=Decimal(30),
        overall=Decimal(30),
        recommendation=Recommendation.REVIEW_FOR_EXIT,
    )
    AccountScoreFactory(
        account=lyon,
        attractiveness=Decimal(70),
        relationship=Decimal(70),
        overall=Decimal(70),
        recommendation=Recommendation.KEEP,
    )
    AccountScoreFactory(
        account=rising,
        attractiveness=Decimal(80),
        relationship=Decimal(60),
        overall=Decimal(72),
        recommendation=Recommendation.ADD,
    )
    AccountScoreFactory(
        account=golf, attractiveness=Decimal(40), relationship=Decimal(45), overall=Decimal(42)
    )
    return {"jan": jan, "ewa": ewa, "baltic": baltic, "lyon": lyon, "rising": rising, "golf": golf}


def _decide(page, account_name, decision, rationale, override_reason=None):
    row = page.locator("tr", has_text=account_name)
    row.get_by_label("Decision").select_option(decision)
    row.get_by_label("Rationale").fill(rationale)
    if override_reason is not None:
        row.get_by_label("Override reason").fill(override_reason)
    row.get_by_role("button", name="Decide").click()
    page.locator("tr", has_text=account_name).get_by_role("button", name="Change decision").wait_for()


def test_champion_reviews_the_programme_from_opening_to_closing(browser, live_server, portfolio):
    jan = signed_in(browser, live_server, "jan")
    jan.get_by_role("link", name="Dashboard").click()
    assert jan.locator("svg.matrix circle.pt").count() == 4
    assert "Rising Star" in jan.locator("#recommendations-title + ul").inner_text()

    jan.get_by_role("link", name="Reviews").first.click()
    jan.get_by_label("Title").fill("Q4 2026")
    jan.get_by_label("Period starts").fill("2026-10-01")
    jan.get_by_label("Period ends").fill("2026-12-31")
    jan.get_by_role("button", name="Open the review").click()
    jan.get_by_role("heading", name=re.compile("Q4 2026")).wait_for()

    # Adding Golf Partner goes against the recommendation: the row asks for the override reason.
    row = jan.locator("tr", has_text="Golf Partner")
    row.get_by_label("Decision").select_option("add")
    row.get_by_label("Rationale").fill("Opens the Baltic market")
    row.get_by_role("button", name="Decide").click()
    jan.locator("tr", has_text="Golf Partner").locator(
        ".error", has_text="record the override reason"
    ).wait_for()
    assert (
        jan.locator("tr", has_text="Golf Partner").get_by_label("Rationale").input_value()
        == "Opens the Baltic market"
    )
    jan.locator("tr", has_text="Golf Partner").get_by_label("Override reason").fill("The CEO's golf partner")
    jan.locator("tr", has_text="Golf Partner").get_by_role("button", name="Decide").click()
    jan.locator("tr.override", has_text="Golf Partner").wait_for()

    _decide(jan, "Baltic Steel", "remove", "Margin after cost-to-serve negative for four quarters")
    _decide(jan, "Lyon Chimie", "keep", "Strategic and growing")
    _decide(jan, "Rising Star", "add", "Above the entry threshold all quarter")

    alignment = jan.locator("#alignment")
    for label in ("Shared values", "Style", "Skills", "Staff", "Strategy", "Structure", "Systems"):
        alignment.get_by_label(label, exact=True).select_option("3")
    alignment.get_by_label("Benchmark notes").fill("Siemens: every board member sponsors an account.")
    alignment.get_by_role("button", name="Save the assessment").click()
    jan.get_by_text("Alignment assessment and benchmark notes saved.").wait_for()

    jan.get_by_role("button", name="Apply the decisions and close the review").click()
    jan.get_by_text("A closed review can be read, never changed.").wait_for()
    assert jan.locator("main form").count() == 0
    assert "The CEO's golf partner" in jan.locator("tr", has_text="Golf Partner").inner_text()
    assert "Siemens" in jan.locator("#alignment").inner_text()

    review = ProgrammeReview.objects.get()
    assert review.status == ReviewStatus.CLOSED
    for name, status in [
        ("baltic", LifecycleStatus.EXITED),
        ("golf", LifecycleStatus.KEY),
        ("rising", LifecycleStatus.KEY),
        ("lyon", LifecycleStatus.KEY),
    ]:
        portfolio[name].refresh_from_db()
        assert portfolio[name].status == status, name


def test_a_sponsor_sees_only_their_accounts_endorses_and_logs_a_visit(browser, live_server, portfolio):
    today = timezone.localdate()
    baltic = portfolio["baltic"]
    plan = PlanFactory(
        account=baltic,
        status=PlanStatus.SUBMITTED,
        period_start=today - timedelta(days=7),
        period_end=today + timedelta(days=300),
    )
    ObjectiveFactory(plan=plan, title="Keep 70 % share of wallet in coated steel")
    ActionFactory(plan=plan, description="Agree priority allocation for Q1")
    StakeholderFactory(
        account=baltic, name="Anna Wiśniewska", title="CEO", buying_role="decision_maker", attitude=1
    )

    ewa = signed_in(browser, live_server, "ewa")
    ewa.get_by_role("link", name="My sponsored accounts").click()
    cards = ewa.locator(".sponsor-accounts > li")
    assert cards.count() == 1
    assert "Baltic Steel" in cards.inner_text() and "Lyon Chimie" not in ewa.content()
    assert "A plan waits for your endorsement." in cards.inner_text()

    cards.get_by_role("link", name="Baltic Steel").click()
    assert "Keep 70 % share of wallet in coated steel" in ewa.content()
    assert "Anna Wiśniewska" in ewa.locator("section:has(#map-title)").inner_text()
    ewa.get_by_role("button", name="Endorse and approve the plan").click()
    ewa.get_by_text("Plan endorsed and approved").wait_for()

    ewa.get_by_role("link", name="Log an executive visit").click()
    ewa.get_by_label("Anna Wiśniewska").check()
    ewa.get_by_label("Notes").fill("Dinner with the CEO; priority allocation agreed in principle")
    ewa.get_by_role("button", name="Log the visit").click()
    ewa.get_by_text("Executive visit logged.").wait_for()

    # Another sponsor's account is out of reach, by any link.
    lyon = portfolio["lyon"]
    for path in (
        f"/portfolio/sponsor/accounts/{lyon.pk}/",
        f"/accounts/{lyon.pk}/",
        f"/accounts/{lyon.pk}/plans/",
    ):
        response = ewa.goto(f"{live_server.url}{path}")
        assert response.status == 404, path
        assert "Lyon Chimie" not in ewa.content()

    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    visit = Interaction.objects.get(account=baltic)
    assert visit.kind == InteractionKind.EXECUTIVE_VISIT and visit.occurred_on == today


def test_the_board_brief_prints_on_at_most_two_pages(browser, live_server, portfolio):
    plan = PlanFactory(
        account=portfolio["baltic"],
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        needs_organisation="Security of supply. " * 10,
        value_terms="Consignment stock. " * 8,
    )
    for i in range(6):
        ObjectiveFactory(plan=plan, title=f"Objective {i}")
        ActionFactory(plan=plan, description=f"Action number {i} with a sensible length of description")
    magda = signed_in(browser, live_server, "magda")
    magda.goto(f"{live_server.url}/portfolio/accounts/{plan.account_id}/plans/{plan.pk}/board-brief/")
    magda.emulate_media(media="print")
    pdf = magda.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 2


def test_a_long_review_is_accepted_in_one_action_and_its_refusal_is_read_at_the_top(
    browser, live_server, portfolio
):
    for i in range(40):  # a real programme's review: some forty entries, a page many screens tall
        account = AccountFactory(name=f"Key account {i:02d}", key=True)
        AccountScoreFactory(account=account, overall=Decimal(50 + i % 30), recommendation=Recommendation.KEEP)
    jan = signed_in(browser, live_server, "jan")
    jan.goto(f"{live_server.url}/portfolio/reviews/")
    jan.get_by_label("Title").fill("Q4 2026")
    jan.get_by_role("button", name="Open the review").click()
    jan.get_by_role("heading", name=re.compile("Q4 2026")).wait_for()
    review_url = jan.url

    # Applying too early: the reason is on the review's own page, at the top, in view and focused.
    jan.get_by_role("button", name="Apply the decisions and close the review").click()
    error = jan.locator(".messages .error", has_text="still wait for a decision")
    error.wait_for()
    assert jan.url == review_url and "/apply/" not in jan.url
    box = error.bounding_box()
    assert box is not None and 0 <= box["y"] < 900, box
    jan.wait_for_function("() => document.activeElement.matches('.messages .error')")  # focus on the reason

    accept = re.compile(r"Accept the recommendations for the \d+ undecided accounts")
    jan.get_by_role("button", name=accept).click()
    jan.get_by_text(re.compile(r"Recommendations accepted for \d+ accounts")).wait_for()
    assert ProgrammeReview.objects.get().entries.filter(decision__isnull=True).count() == 0
    # The one exception: Baltic Steel stays, against the recommendation.
    row = jan.locator("tr", has_text="Baltic Steel")
    row.get_by_label("Decision").select_option("keep")
    row.get_by_label("Rationale").fill("New CEO, new chances")
    row.get_by_label("Override reason").fill("The board asked for one more year")
    row.get_by_role("button", name=re.compile("Decide|Change decision")).click()
    jan.locator("tr.override", has_text="Baltic Steel").wait_for()
