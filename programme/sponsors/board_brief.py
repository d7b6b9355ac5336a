"""The account plan as a one-to-two-page board brief: the plan page's reads plus the account's figures."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Stakeholder
from accounts.plans import selectors
from programme.models import AccountScore, Programme

STAKEHOLDERS_SHOWN = 8


@dataclass
class BoardBrief:
    plan_page: selectors.PlanPage
    score: AccountScore | None
    key_people: list[Stakeholder]
    currency: str  # the programme's reporting currency, in which scores' money figures are kept


def board_brief(*, user, account_id: int, plan_id: int) -> BoardBrief:
    """404 for a plan the user may not see (the plan page's own rule)."""
    page = selectors.plan_page(user=user, account_id=account_id, plan_id=plan_id)
    score = AccountScore.objects.filter(account_id=page.account.pk).first()
    people = list(
        Stakeholder.objects.current()
        .filter(account_id=page.account.pk)
        .order_by("-influence", "name")[:STAKEHOLDERS_SHOWN]
    )
    return BoardBrief(
        plan_page=page, score=score, key_people=people, currency=Programme.load().reporting_currency
    )
