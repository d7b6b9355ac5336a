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
from kam.core.currencies import country_name
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


def _every_value(column: str) -> str:
    """The distinct non-empty values of `column` over every current account, one index lookup per
    value (a skip scan of the column's index): a DISTINCT reads all 100,000 accounts to find a few
    dozen values."""
    table = Account._meta.db_table
    return f"""
WITH RECURSIVE found(value) AS (
    SELECT MIN({column}) FROM {table} WHERE archived_at IS NULL AND {column} > ''
    UNION ALL
    SELECT (
        SELECT MIN(later.{column}) FROM {table} later
        WHERE later.archived_at IS NULL AND later.{column} > found.value
    )
    FROM found WHERE found.value IS NOT NULL
)
SELECT value FROM found WHERE value IS NOT NULL
"""


EVERY_VALUE = {column: _every_value(column) for column in ("industry", "country")}


def _values_in_use(*, user, column: str) -> list[str]:
    """The values of `column` on the accounts `user` can see, in order: the filters offer only these."""
    if permissions.is_champion(user):
        with connection.cursor() as cursor:
            cursor.execute(EVERY_VALUE[column])
            return [value for (value,) in cursor.fetchall()]
    visible = permissions.visible_accounts(user, Account.objects.current()).exclude(**{column: ""})
    return list(visible.order_by(column).values_list(column, flat=True).distinct())


def industries(*, user) -> list[str]:
    return _values_in_use(user=user, column="industry")


def countries(*, user) -> list[tuple[str, str]]:
    """(code, name) of the countries of the accounts `user` can see, by name: the list's country
    filter offers these, not the 249 countries of the world."""
    named = ((code, country_name(code)) for code in _values_in_use(user=user, column="country"))
    return sorted(named, key=lambda pair: pair[1])


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
