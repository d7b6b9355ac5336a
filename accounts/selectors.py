"""Reads that assemble the account screens, each a fixed number of queries whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    DecimalField,
    Exists,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import (
    Account,
    FinancialPeriod,
    User,
)
from kam.core.money import MissingExchangeRate, RateTable
from kam.core.periods import trailing_twelve_months


def window_sum(field: str, start, end) -> Subquery:
    total = (
        FinancialPeriod.objects.filter(account=OuterRef("pk"), period__gte=start, period__lt=end)
        .values("account")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Subquery(total, output_field=DecimalField(max_digits=18, decimal_places=2))


def people_in_charge(*, user, role: str) -> QuerySet[User]:
    """KAMs (role='kam') or sponsors (role='executive_sponsor') of the accounts `user` can see."""
    accounts = permissions.visible_accounts(user, Account.objects.current()).filter(**{role: OuterRef("pk")})
    return User.objects.filter(Exists(accounts)).order_by("first_name", "last_name")


# The industries of every current account, one index lookup per industry (a skip scan of the
# industry index): a DISTINCT reads all 100,000 accounts to find a few dozen values.
EVERY_INDUSTRY = f"""
WITH RECURSIVE found(industry) AS (
    SELECT MIN(industry) FROM {Account._meta.db_table} WHERE archived_at IS NULL AND industry > ''
    UNION ALL
    SELECT (
        SELECT MIN(later.industry) FROM {Account._meta.db_table} later
        WHERE later.archived_at IS NULL AND later.industry > found.industry
    )
    FROM found WHERE found.industry IS NOT NULL
)
SELECT industry FROM found WHERE industry IS NOT NULL
"""


def industries(*, user) -> list[str]:
    if permissions.is_champion(user):
        with connection.cursor() as cursor:
            cursor.execute(EVERY_INDUSTRY)
            return [industry for (industry,) in cursor.fetchall()]
    visible = permissions.visible_accounts(user, Account.objects.current()).exclude(industry="")
    return list(visible.order_by("industry").values_list("industry", flat=True).distinct())


@dataclass(frozen=True)
class FinancialSummary:
    """Trailing-12-month figures in the reporting currency; None where a rate is missing."""

    currency: str
    revenue: Decimal | None
    gross_margin: Decimal | None
    cost_to_serve: Decimal | None
    months: int
    missing_rate: str = ""

    @property
    def margin_after_cost_to_serve(self) -> Decimal | None:
        if self.gross_margin is None or self.cost_to_serve is None:
            return None
        return self.gross_margin - self.cost_to_serve

    @property
    def margin_percent(self) -> Decimal | None:
        if not self.revenue or self.gross_margin is None:
            return None
        return (self.gross_margin / self.revenue * 100).quantize(Decimal("0.1"))


def summarise_financials(periods, *, rates: RateTable, today=None) -> FinancialSummary:
    start, end = trailing_twelve_months(today)
    window = [p for p in periods if start <= p.period < end]
    totals = {"revenue": Decimal(0), "gross_margin": Decimal(0), "cost_to_serve": Decimal(0)}
    try:
        for p in window:
            for name in totals:
                totals[name] += rates.convert(getattr(p, name), p.currency, p.period)
    except MissingExchangeRate as missing:
        return FinancialSummary(rates.reporting_currency, None, None, None, len(window), str(missing))
    return FinancialSummary(rates.reporting_currency, months=len(window), **totals)


def visible_account(user, account_id: int, *, change: bool = False) -> Account:
    """The account if `user` may see it (else 404: do not reveal it exists); 403 if they may not change it."""
    account = get_object_or_404(permissions.visible_accounts(user, Account.objects.current()), pk=account_id)
    if change and not permissions.can_change_account(user, account):
        raise PermissionDenied(_("Only the account's key account manager or the champion can change it."))
    return account
