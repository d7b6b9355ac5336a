"""Exports say their currency and write figures a spreadsheet reads; a comparison shows "—", not 0,
where there is no figure."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from programme.models import ProgrammeReview, Recommendation, ReviewStatus
from programme.reviews import services
from tests.programme.dashboard_factories import AccountScoreFactory

pytestmark = pytest.mark.django_db


def _closed_review_without_figures(programme) -> ProgrammeReview:
    return ProgrammeReview.objects.create(
        title="Q3 2026", period_start=date(2026, 7, 1), period_end=date(2026, 9, 30),
        status=ReviewStatus.CLOSED, closed_at=timezone.now(), entry_threshold=programme.entry_threshold,
        exit_threshold=programme.exit_threshold, attractiveness_cutoff=programme.attractiveness_cutoff,
        relationship_cutoff=programme.relationship_cutoff, key_account_limit=programme.key_account_limit,
    )  # fmt: skip


def _open(champion):
    return services.review_open(
        title="Q4 2026", period_start=date(2026, 10, 1), period_end=date(2026, 12, 31), by=champion
    )


def test_compared_with_an_earlier_review_without_figures_shows_a_dash_not_zero(
    client, champion, programme, account
):
    _closed_review_without_figures(programme)
    AccountScoreFactory(account=account, overall=Decimal(70), clv=Decimal("1000"), clv_margin=Decimal("300"))
    review = _open(champion)
    client.force_login(champion)
    html = re.sub(
        r"\s+", " ", client.get(reverse("portfolio:review_detail", args=[review.pk])).content.decode()
    )
    assert "Compared with Q3 2026" in html
    clv_row = re.search(r"Key accounts' lifetime value</th>(.*?)</tr>", html).group(1)
    margin_row = re.search(r"Key accounts' margin after cost-to-serve</th>(.*?)</tr>", html).group(1)
    assert re.findall(r'<td class="num">(.*?)</td>', clv_row)[1] == "—"
    assert re.findall(r'<td class="num">(.*?)</td>', margin_row)[1] == "—"


def test_the_review_page_names_the_currency_of_every_amount(client, champion, programme, account):
    AccountScoreFactory(account=account, overall=Decimal(70), clv=Decimal("1000"), clv_margin=Decimal("300"))
    review = _open(champion)
    client.force_login(champion)
    html = re.sub(
        r"\s+", " ", client.get(reverse("portfolio:review_detail", args=[review.pk])).content.decode()
    )
    clv_row = re.search(r"Key accounts' lifetime value</th>(.*?)</tr>", html).group(1)
    assert re.findall(r'<td class="num">(.*?)</td>', clv_row)[0] == "1,000 EUR"
    entry_row = re.search(r'<tr id="entry-\d+".*?</tr>', html).group(0)
    assert '<td class="num">1,000 EUR</td>' in entry_row


def test_the_review_export_names_its_currency_and_writes_fixed_decimals(client, champion, programme, account):
    AccountScoreFactory(
        account=account, overall=Decimal("70.333"), clv=Decimal("1000.5"), clv_margin=Decimal("300"),
        clv_cost_to_serve=Decimal("50"), recommendation=Recommendation.KEEP,
    )  # fmt: skip
    review = _open(champion)
    client.force_login(champion)
    table = list(
        csv.reader(
            io.StringIO(client.get(reverse("portfolio:review_csv", args=[review.pk])).content.decode())
        )
    )
    header, row = table[0], table[1]
    assert "CLV (EUR)" in header and "Margin after cost-to-serve (EUR)" in header
    assert row[header.index("CLV (EUR)")] == "1000.50"
    assert row[header.index("Margin after cost-to-serve (EUR)")] == "250.00"
    assert row[header.index("Overall score")] == "70.3"
