"""A 150-person account in a real browser, as the demo's Vistula Foods is: the org chart fits the
screen with the CEO in sight, zooms, finds a person, folds a manager's people away, and shows whom a
save just touched; people are picked for an interaction by typing; older interactions are paged;
focus follows the editors and Escape closes them; a manual score saves from a tab of its own.
"""

import contextlib
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from accounts.models import BuyingRole, Interaction, Stakeholder
from programme.models import ManualScore
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import signed_in
from tests.factories import AccountFactory, InteractionFactory, StakeholderFactory, UserFactory
from tests.programme.factories import CriterionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DIRECTORS = [
    "Hans Andersson", "Emma Taylor", "Katarzyna Brown", "Nina Bernard", "Ingrid Dubois", "Sophie Kowalski"
]  # fmt: skip


@pytest.fixture
def vistula(transactional_db):
    """Vistula Foods' shape: a CEO, six directors, 143 people in their teams; 30 contacts logged."""
    magda = UserFactory(username="magda", first_name="Magda", last_name="Nowak")
    account = AccountFactory(name="Vistula Foods", key=True, kam=magda, currency="PLN")
    ceo = StakeholderFactory(account=account, name="Nina Moreau", title="Chief Executive Officer",
                             buying_role=BuyingRole.DECISION_MAKER, influence=5)  # fmt: skip
    directors = [
        StakeholderFactory(account=account, name=name, title="Director", reports_to=ceo, influence=4)
        for name in DIRECTORS
    ]
    Stakeholder.objects.bulk_create(
        Stakeholder(account=account, name=f"Olga Kaczmarek {i}", title="Planner", reports_to=directors[i % 6])
        for i in range(1, 144)
    )
    today = timezone.localdate()
    for i in range(30):
        day = today - timedelta(days=3 * i + 1)
        InteractionFactory(
            account=account,
            stakeholders=[directors[i % 6]],
            logged_by=magda,
            notes=f"Contact {i + 1}",
            occurred_on=day,
        )
    CriterionFactory(name="Reference value", by_hand=True)
    return account


def _box(page, name):
    return page.locator(f'#stakeholders g.person[data-name="{name}"]')


def _inside_the_canvas(page, name) -> bool:
    return page.evaluate(
        """(name) => {
          const outer = document.querySelector("#stakeholders .map-canvas").getBoundingClientRect();
          const inner = document.querySelector(`#stakeholders g.person[data-name="${name}"] .box`)
            .getBoundingClientRect();
          return inner.width > 0 && inner.left >= outer.left - 1 && inner.right <= outer.right + 1
            && inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1;
        }""",
        name,
    )


def _chart_ready(page):
    """The chart just swapped in has been set up to pan and zoom (static/js/stakeholder-map.js)."""
    page.locator("#stakeholders svg.org-chart[data-pan-zoom=on]").wait_for()


def _width(page, name) -> float:
    return _box(page, name).locator(".box").bounding_box()["width"]


_FOCUSED = (
    "() => { const e = document.activeElement;"
    " return e.tagName + ' ' + (e.id || e.getAttribute('hx-get') || ''); }"
)


def _focused(page) -> str:
    return page.evaluate(_FOCUSED)


def _wait_focused(page, expected: str) -> None:
    """Focus moves when htmx has settled, a moment after the swap a locator waits for."""
    with contextlib.suppress(PlaywrightTimeoutError):  # then the assertion says where focus is instead
        page.wait_for_function(f"(expected) => ({_FOCUSED})() === expected", arg=expected, timeout=5000)
    assert _focused(page) == expected


def test_the_150_person_chart_fits_zooms_finds_folds_and_shows_what_changed(
    browser, live_server, vistula, artefacts
):
    page = signed_in(browser, live_server, "magda")
    page.goto(f"{live_server.url}{vistula.get_absolute_url()}#stakeholders")
    page.locator("#stakeholders .chart-tools").wait_for()  # shown once the chart can pan and zoom

    # The whole chart fits its box: the CEO is in sight, however wide the chart is.
    assert _inside_the_canvas(page, "Nina Moreau")
    canvas = page.locator("#stakeholders .map-canvas").bounding_box()
    assert canvas["height"] <= 900 * 0.7 + 2 and canvas["width"] < 1280
    page.screenshot(path=artefacts / "1-fitted.png")
    assert_accessible(page, "the fitted chart")

    fitted = _width(page, "Nina Moreau")
    page.get_by_role("button", name="Zoom in").click()
    assert _width(page, "Nina Moreau") > fitted * 1.2
    page.get_by_role("button", name="Fit to screen").click()
    assert abs(_width(page, "Nina Moreau") - fitted) < 1 and _inside_the_canvas(page, "Nina Moreau")

    # Find a person: centred, readable and highlighted.
    page.get_by_label("Find a person").fill("Olga Kaczmarek 137")
    page.get_by_role("button", name="Find", exact=True).click()
    found = _box(page, "Olga Kaczmarek 137")
    assert "found" in found.get_attribute("class")
    assert _inside_the_canvas(page, "Olga Kaczmarek 137")
    assert _width(page, "Olga Kaczmarek 137") >= 224 * 0.8 - 1  # readable
    page.screenshot(path=artefacts / "2-found.png")

    # Fold a director's people away, and back.
    page.get_by_role("button", name="Fit to screen").click()
    toggle = _box(page, "Emma Taylor").get_by_role("button", name="People under Emma Taylor")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert _box(page, "Olga Kaczmarek 1").is_hidden() and _box(page, "Olga Kaczmarek 2").is_visible()
    page.screenshot(path=artefacts / "3-folded.png")
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and _box(page, "Olga Kaczmarek 1").is_visible()

    # Add someone: the chart centres on them, highlighted, and says what happened.
    page.locator("#stakeholders").get_by_role("link", name="Add a stakeholder").click()
    form = page.locator("#stakeholders aside form").first
    page.wait_for_function("() => document.activeElement.name === 'name'")  # focus moved into the editor
    form.get_by_label("Name").fill("Ola Kwiatkowska")
    form.get_by_label("Title").fill("Head of Quality")
    form.get_by_label("Reports to").select_option(label="Sophie Kowalski (Director)")
    form.get_by_role("button", name="Save").click()
    _box(page, "Ola Kwiatkowska").wait_for()
    _chart_ready(page)
    assert "just-changed" in _box(page, "Ola Kwiatkowska").get_attribute("class")
    assert _inside_the_canvas(page, "Ola Kwiatkowska")
    feedback = page.locator("#stakeholders [data-map-feedback]")
    assert feedback.inner_text() == "Ola Kwiatkowska added under Sophie Kowalski."
    # Back on "Add a stakeholder".
    page.wait_for_function("() => (document.activeElement.getAttribute('hx-get') || '').includes('map/add')")
    page.screenshot(path=artefacts / "4-added.png")

    # Move her, then mark her as left: each says so, on the person.
    _box(page, "Ola Kwiatkowska").get_by_role("link").click()
    page.locator("#stakeholders aside").get_by_role("link", name="Move").click()
    move = page.locator("#stakeholders aside form").first.get_by_role("button", name="Move")
    move.wait_for()
    page.locator("#stakeholders aside form").first.get_by_label("Reports to").select_option(
        label="Hans Andersson (Director)"
    )
    move.click()
    feedback.filter(has_text="now reports to").wait_for()
    _chart_ready(page)
    assert feedback.inner_text() == "Ola Kwiatkowska now reports to Hans Andersson."
    assert "just-changed" in _box(page, "Ola Kwiatkowska").get_attribute("class")
    assert _inside_the_canvas(page, "Ola Kwiatkowska")
    _box(page, "Ola Kwiatkowska").get_by_role("link").click()
    page.locator("#stakeholders aside").get_by_role("link", name="Mark as left").click()
    mark = page.locator("#stakeholders aside form").first.get_by_role("button", name="Mark as left")
    mark.wait_for()
    mark.click()
    feedback.filter(has_text="marked as left").wait_for()
    assert "gone" in _box(page, "Ola Kwiatkowska").get_attribute("class")
    page.screenshot(path=artefacts / "5-left.png")
    assert Stakeholder.objects.get(name="Ola Kwiatkowska").reports_to.name == "Hans Andersson"


def test_logging_picks_people_by_typing_and_older_contacts_are_paged(
    browser, live_server, vistula, artefacts
):
    page = signed_in(browser, live_server, "magda")
    page.goto(f"{live_server.url}{vistula.get_absolute_url()}#interactions")
    page.get_by_text("Log an interaction").click()
    quick = page.locator("#interactions form").first
    their_people = quick.get_by_role("combobox", name="Their people")
    for typed, name in (("kaczmarek 42", "Olga Kaczmarek 42 (Planner)"), ("emma", "Emma Taylor (Director)")):
        their_people.fill(typed)
        page.locator(".ts-dropdown .option", has_text=name).click()
    page.screenshot(path=artefacts / "1-picked.png")
    assert_accessible(page, "the interaction form with people picked")
    quick.get_by_label("Notes").fill("Allocation for Q1")
    quick.get_by_role("button", name="Log it").click()
    page.locator("#interactions li", has_text="Allocation for Q1").wait_for()
    logged = Interaction.objects.get(notes="Allocation for Q1")
    assert sorted(logged.stakeholders.values_list("name", flat=True)) == ["Emma Taylor", "Olga Kaczmarek 42"]

    # 31 contacts: 25 shown, then the older ones a page at a time, focus on the first loaded.
    assert page.locator("#interactions li", has_text="Contact 24").count() == 1
    assert page.locator("#interactions li", has_text="Contact 30").count() == 0
    page.get_by_role("link", name="Older interactions").click()
    page.locator("#interactions li", has_text="Contact 30").wait_for()
    page.wait_for_function("() => document.activeElement.textContent.includes('Contact 25')")
    assert page.get_by_role("link", name="Older interactions").count() == 0
    page.screenshot(path=artefacts / "2-older.png")


def test_focus_follows_the_editors_and_escape_closes_them(browser, live_server, vistula, artefacts):
    page = signed_in(browser, live_server, "magda")
    page.goto(f"{live_server.url}{vistula.get_absolute_url()}")

    # The interaction editor: opened from the keyboard, focus inside; Escape closes it and focus returns.
    edit = page.locator("#interactions .edit-link").first
    opener = edit.get_attribute("hx-get")
    edit.focus()
    page.keyboard.press("Enter")
    page.locator("#interactions .interaction-editor").wait_for()
    page.wait_for_function("() => document.activeElement.closest('.interaction-editor') !== null")
    assert_accessible(page, "the interaction editor")
    page.keyboard.press("Escape")
    page.locator("#interactions .interaction-editor").wait_for(state="detached")
    _wait_focused(page, f"A {opener}")

    # The stakeholder editor, saved: focus back on the person's box.
    person = _box(page, "Hans Andersson").get_by_role("link")
    opener = person.get_attribute("hx-get")
    person.focus()
    page.keyboard.press("Enter")
    editor = page.locator("#stakeholders aside.editor")
    editor.wait_for()
    page.wait_for_function("() => document.activeElement.closest('aside.editor') !== null")
    assert_accessible(page, "the stakeholder editor")
    editor.get_by_label("Title").fill("Chief Operating Officer")
    editor.get_by_role("button", name="Save").click()
    editor.wait_for(state="detached")
    page.wait_for_function("(url) => document.activeElement.getAttribute('hx-get') === url", arg=opener)
    page.screenshot(path=artefacts / "1-focus-back.png")

    # The manual score: inline, Escape closes it; in a tab of its own, it saves.
    score = page.locator("#score-card").get_by_role("link", name="Score", exact=True)
    href = score.get_attribute("href")
    score.focus()
    page.keyboard.press("Enter")
    page.locator("#score-editor input[name=score]").wait_for()
    _wait_focused(page, "INPUT id_score")
    page.keyboard.press("Escape")
    assert page.locator("#score-editor").inner_html().strip() == ""
    _wait_focused(page, f"A {href}")

    tab = page.context.new_page()
    tab.goto(f"{live_server.url}{href}")
    assert_accessible(tab, "the manual score page")
    tab.get_by_label("Score (0-10)").fill("8")
    tab.get_by_label("Why").fill("Two reference visits this year")
    tab.get_by_role("button", name="Save score").click()
    tab.wait_for_url(f"{live_server.url}{vistula.get_absolute_url()}")
    assert "Score saved" in tab.locator(".messages").inner_text()
    assert ManualScore.objects.get(account=vistula).justification == "Two reference visits this year"
