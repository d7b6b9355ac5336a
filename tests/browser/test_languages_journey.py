"""A Persian-speaking champion and a Polish-speaking one in a real browser: the dashboard, an account
page, My accounts and a joint plan right to left (Persian) or left to right (Polish), nothing wider than
the window at 1366 and 390 pixels, the board brief's PDF in their language, the language switch one
click away, and screenshots kept as test artefacts.

Drives Debian's chromium through Playwright, as the other journeys do.
"""

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import BuyingRole
from kam.core import catalogues
from tests.accounts.plan_factories import ActionFactory, ObjectiveFactory, PlanFactory
from tests.browser.conftest import signed_in
from tests.factories import AccountFactory, StakeholderFactory, UserFactory
from tests.pdfs import pdf_text
from tests.programme.dashboard_factories import AccountScoreFactory

# Screenshots go to KAM_SCREENSHOTS when set, else test-results/languages (kept by CI as artefacts).
SCREENSHOTS = Path(
    os.environ.get("KAM_SCREENSHOTS") or Path(settings.BASE_DIR) / "test-results" / "languages"
)
WIDTHS = [1366, 390]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def programme_in_many_scripts(transactional_db):
    """Key accounts named in Persian, Chinese and Russian script, with people to match."""
    shirin = UserFactory(
        username="shirin", first_name="شیرین", last_name="رضایی", is_champion=True, language="fa"
    )
    UserFactory(username="marek", first_name="Marek", last_name="Zieliński", is_champion=True, language="pl")
    accounts = []
    for name, country, people in [
        ("داروسازی البرز", "AE", ["مریم احمدی", "علی حسینی"]),
        ("台灣精密電子", "TW", ["陳志明", "林淑芬"]),
        ("Степной пищевой комбинат", "KZ", ["Айгерим Ахметова", "Дмитрий Иванов"]),
    ]:
        account = AccountFactory(name=name, key=True, kam=shirin, country=country, currency="EUR")
        top = StakeholderFactory(
            account=account, name=people[0], buying_role=BuyingRole.DECISION_MAKER, influence=5
        )
        StakeholderFactory(account=account, name=people[1], reports_to=top, influence=4)
        AccountScoreFactory(account=account, clv=Decimal("2351747.50"))
        accounts.append(account)
    plan = PlanFactory(account=accounts[0], needs_organisation="تأمین پایدار مواد اولیه")
    objective = ObjectiveFactory(plan=plan, title="حفظ سهم 70 درصدی", target="70 درصد سهم از خرید")
    ActionFactory(plan=plan, objective=objective, owner=shirin, description="جلسه با مدیر خرید")
    return accounts


def _plan_urls(accounts) -> dict[str, str]:
    plan = accounts[0].plans.get()
    args = [accounts[0].pk, plan.pk]
    return {
        "plan": plan.get_absolute_url(),
        "joint": reverse("accounts:joint_plan", args=args),
        "mine": reverse("accounts:my_accounts"),
    }


def _pages(live_server, accounts):
    return {"dashboard": f"{live_server.url}/portfolio/", "account": accounts[0].get_absolute_url()}


def _visit(page, live_server, url):
    page.goto(url if url.startswith("http") else f"{live_server.url}{url}")
    page.wait_for_load_state("networkidle")


def _overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when nothing needs a sideways scroll)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("username, language, direction", [("shirin", "fa", "rtl"), ("marek", "pl", "ltr")])
@pytest.mark.parametrize("width", WIDTHS)
def test_pages_in_the_readers_language_and_direction_fit_the_window(
    browser, live_server, programme_in_many_scripts, username, language, direction, width
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = signed_in(browser, live_server, username, width, locale="en-US")
    pages = _pages(live_server, programme_in_many_scripts)
    plan_pages = _plan_urls(programme_in_many_scripts)
    for name, url in {**pages, "joint": plan_pages["joint"], "mine": plan_pages["mine"]}.items():
        _visit(page, live_server, url)
        html = page.locator("html")
        assert (html.get_attribute("lang"), html.get_attribute("dir")) == (language, direction), name
        page.screenshot(path=str(SCREENSHOTS / f"{language}-{name}-{width}.png"), full_page=True)
        assert _overflow(page) <= 0, f"{name} at {width}px is {_overflow(page)}px wider than the window"
    # The Chinese name is drawn with a real font, not empty boxes: Noto Sans TC was fetched.
    _visit(page, live_server, _pages(live_server, programme_in_many_scripts)["dashboard"])
    assert page.evaluate("() => document.fonts.check('16px \"Noto Sans TC\"', '台灣精密電子')")
    page.context.close()


def test_the_switch_in_the_header_changes_the_language_in_one_click(
    browser, live_server, programme_in_many_scripts
):
    page = signed_in(browser, live_server, "marek", 1366, locale="en-US")
    _visit(page, live_server, _pages(live_server, programme_in_many_scripts)["dashboard"])
    page.click("header form.languages button[value=fa]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.url.endswith("/portfolio/")
    page.context.close()


def _english_messages() -> set[str]:
    """The English catalogue's messages long enough to be told apart from names and codes."""
    ids = catalogues.message_ids(Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po")
    return {text for _context, text in ids if "%" not in text and "{" not in text and len(text.split()) >= 2}


@pytest.mark.parametrize("username", ["shirin", "marek"])
def test_no_english_is_left_on_the_pages(browser, live_server, programme_in_many_scripts, username):
    english = _english_messages()
    page = signed_in(browser, live_server, username, 1366, locale="en-US")
    left = {}
    for name, url in _pages(live_server, programme_in_many_scripts).items():
        _visit(page, live_server, url)
        text = " ".join(page.locator("body").inner_text().split())
        left[name] = sorted(m for m in english if re.search(rf"(?<!\w){re.escape(m)}(?!\w)", text))
    page.context.close()
    assert not any(left.values()), left


def _english_in(text: str) -> list[str]:
    return sorted(m for m in _english_messages() if re.search(rf"(?<!\w){re.escape(m)}(?!\w)", text))


@pytest.mark.parametrize("username, language", [("shirin", "fa"), ("marek", "pl")])
def test_the_board_brief_pdf_downloaded_from_the_plan_is_in_the_readers_language(
    browser, live_server, programme_in_many_scripts, username, language
):
    page = signed_in(browser, live_server, username, 1366, locale="en-US")
    _visit(page, live_server, _plan_urls(programme_in_many_scripts)["plan"])
    with translation.override(language):
        link_text, heading = gettext("Board brief (PDF)"), gettext("Board brief")
    with page.expect_download() as download:
        page.get_by_role("link", name=link_text).click()
    content = Path(download.value.path()).read_bytes()
    page.context.close()
    # Extraction drops zero-width non-joiners (Persian compounds): compare without them.
    text = " ".join(pdf_text(content).replace("\u200c", "").split())
    assert heading != "Board brief" and heading.replace("\u200c", "") in text
    assert not _english_in(text)
    if language == "fa":
        assert re.search("[\u0600-\u06ff]{4,}", text)  # Persian letters, drawn and extractable
