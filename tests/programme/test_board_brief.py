"""The plan's board brief: readable by whoever reads the plan, laid out for print."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from kam.core import catalogues
from tests.accounts.plan_factories import ActionFactory, ObjectiveFactory, PlanFactory, RiskFactory
from tests.conftest import ROLES
from tests.pdfs import pdf_font_names, pdf_pages, pdf_text
from tests.programme.dashboard_factories import AccountScoreFactory

pytestmark = pytest.mark.django_db

EXPECTED = {
    "champion": 200,
    "kam": 200,
    "sponsor": 200,
    "team_member": 200,
    "other_kam": 404,
    "outsider": 404,
    "anonymous": 302,
}


@pytest.fixture
def plan(account):
    plan = PlanFactory(account=account, needs_organisation="Security of supply")
    ObjectiveFactory(plan=plan, title="Keep 70 % share of wallet")
    ActionFactory(plan=plan, description="Agree priority allocation")
    RiskFactory(plan=plan)
    AccountScoreFactory(account=account)
    return plan


@pytest.mark.parametrize("role", ROLES)
def test_the_board_brief_follows_who_may_read_the_plan(as_role, role, plan):
    url = reverse("portfolio:plan_board_brief", args=[plan.account_id, plan.pk])
    assert as_role(role).get(url).status_code == EXPECTED[role]


def test_the_board_brief_has_the_plan_on_a_print_stylesheet(client, kam, plan):
    client.force_login(kam)
    content = client.get(
        reverse("portfolio:plan_board_brief", args=[plan.account_id, plan.pk])
    ).content.decode()
    for text in (
        "Security of supply",
        "Keep 70 % share of wallet",
        "Agree priority allocation",
        "css/board_brief.css",
    ):
        assert text in content


def test_the_plan_page_links_to_its_board_brief(client, kam, plan):
    client.force_login(kam)
    content = client.get(plan.get_absolute_url()).content.decode()
    assert reverse("portfolio:plan_board_brief", args=[plan.account_id, plan.pk]) in content


# --- the board brief as a PDF file, rendered on the server -----------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_board_brief_pdf_follows_who_may_read_the_plan(as_role, role, plan):
    url = reverse("portfolio:plan_board_brief_pdf", args=[plan.account_id, plan.pk])
    response = as_role(role).get(url)
    assert response.status_code == EXPECTED[role]
    if EXPECTED[role] == 200:
        assert response["Content-Type"] == "application/pdf"


def test_the_board_brief_pdf_shows_its_figures_with_their_currency(client, kam, plan, programme):
    client.force_login(kam)
    response = client.get(reverse("portfolio:plan_board_brief_pdf", args=[plan.account_id, plan.pk]))
    pages = pdf_pages(response.content)
    text = " ".join(pages)
    currency = programme.reporting_currency
    for figure in (f"1,000,000 {currency}", f"400,000 {currency}", f"100,000 {currency}"):
        assert figure in text, figure
    for content in ("Keep 70 % share of wallet", "Agree priority allocation", "Security of supply"):
        assert content in text, content
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page and "kam" in page  # our logo's placeholder


def test_the_board_brief_offers_its_pdf_beside_the_print_button(client, kam, plan):
    client.force_login(kam)
    args = [plan.account_id, plan.pk]
    content = client.get(reverse("portfolio:plan_board_brief", args=args)).content.decode()
    assert "data-print" in content
    assert reverse("portfolio:plan_board_brief_pdf", args=args) in content


def _english_phrases() -> set[str]:
    """The English catalogue's messages of two words or more, placeholders aside."""
    ids = catalogues.message_ids(Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po")
    return {text for _context, text in ids if "%" not in text and "{" not in text and len(text.split()) >= 2}


def _folded(text: str) -> str:
    """Whitespace folded and zero-width non-joiners dropped (text extraction loses them)."""
    return " ".join(text.replace("\u200c", "").split())


@pytest.mark.parametrize("language", ["fa", "pl"])
def test_the_board_brief_pdf_is_in_the_readers_language(client, kam, plan, language):
    kam.language = language
    kam.save()
    client.force_login(kam)
    response = client.get(reverse("portfolio:plan_board_brief_pdf", args=[plan.account_id, plan.pk]))
    text = _folded(pdf_text(response.content))
    with translation.override(language):
        headings = [gettext(m) for m in ("Board brief", "Objectives", "Sponsor commitments")]
    for english, heading in zip(("Board brief", "Objectives", "Sponsor commitments"), headings, strict=True):
        assert heading != english and _folded(heading) in text, heading
    left = sorted(m for m in _english_phrases() if re.search(rf"(?<!\w){re.escape(m)}(?!\w)", text))
    assert not left
    if language == "fa":
        # Persian letters drawn from Vazirmatn, the font kam serves, not empty boxes.
        assert re.search("[\u0600-\u06ff]{4,}", text)
        assert any("Vazirmatn" in font for font in pdf_font_names(response.content)), pdf_font_names(
            response.content
        )


def test_the_board_brief_pdf_draws_chinese_with_the_pieces_of_noto_sans_tc_it_needs(client, kam, plan):
    plan.account.name = "台灣精密電子"
    plan.account.save()
    kam.language = "zh-hant"
    kam.save()
    client.force_login(kam)
    response = client.get(reverse("portfolio:plan_board_brief_pdf", args=[plan.account_id, plan.pk]))
    fonts = pdf_font_names(response.content)
    assert any("Noto-Sans-TC" in font for font in fonts), fonts
