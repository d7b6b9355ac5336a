"""Figures that cannot be true, shown as data warnings rather than as fact.

The one home of the plausibility rules: a share of wallet over 100 % (we cannot sell them more than
they spend in our categories: the estimate is out of date or in the wrong currency), a negative
cost-to-serve, a survey dated after today. The rules run in Python on figures a screen has loaded
(`share_of_wallet_impossible`, `cost_to_serve_impossible`, `survey_impossible`); for many accounts
at once the survey rule is also a SQL count built from the same rule (`implausible_counts`), which
the account page annotates in the query it already runs; the dashboard counts them in its one read of
the key accounts' surveys (`accounts.measures.selectors.survey_measures`). (A month's negative
cost-to-serve is refused by the database itself; the rule guards the totals and scores derived
from the months.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Survey

# A share of wallet is our revenue over their whole spend in our categories: at most all of it.
SHARE_OF_WALLET_LIMIT = Decimal(1)


def share_of_wallet_impossible(share: Decimal | None) -> bool:
    return share is not None and share > SHARE_OF_WALLET_LIMIT


def plausible_share_of_wallet(share: Decimal | None) -> Decimal | None:
    """The share to show, compare and sort on: none where it cannot be true."""
    return None if share_of_wallet_impossible(share) else share


def cost_to_serve_impossible(amount: Decimal | None) -> bool:
    return amount is not None and amount < 0


def survey_impossible(surveyed_on: date | None, today: date) -> bool:
    return surveyed_on is not None and surveyed_on > today


def survey_impossible_q(today: date) -> Q:
    return Q(surveyed_on__gt=today)


def _count(queryset) -> Coalesce:
    counted = queryset.order_by().values("account").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def implausible_counts(*, today: date) -> dict:
    """Annotations per account: surveys dated after `today`; a correlated count, so it adds no
    query and no row."""
    surveys = Survey.objects.current().filter(survey_impossible_q(today), account=OuterRef("pk"))
    return {"future_surveys": _count(surveys)}


@dataclass(frozen=True)
class DataWarning:
    """A figure on the account that cannot be true, and where to correct it."""

    text: str
    anchor: str = "measures"


def data_warnings(
    *, share_of_wallet: Decimal | None = None, cost_to_serve: Decimal | None = None, future_surveys: int = 0
) -> list[DataWarning]:
    """What cannot be true on one account, each as a sentence that says what to check."""
    warnings = []
    if share_of_wallet_impossible(share_of_wallet):
        warnings.append(
            DataWarning(
                _(
                    "Share of wallet %(share)s %% cannot be true: we sold them more than the estimate of "
                    "their whole spend. Check the wallet estimate (amount, currency, date)."
                )
                % {"share": f"{share_of_wallet * 100:.0f}"}
            )
        )
    if cost_to_serve_impossible(cost_to_serve):
        warnings.append(
            DataWarning(
                _("Cost-to-serve over the last twelve months is negative: check the figures."), "financials"
            )
        )
    if future_surveys:
        warnings.append(
            DataWarning(
                ngettext(
                    "%(n)d survey is dated in the future: check its date.",
                    "%(n)d surveys are dated in the future: check their dates.",
                    future_surveys,
                )
                % {"n": future_surveys}
            )
        )
    return warnings
