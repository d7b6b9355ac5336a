"""Financial figures per account and month, and the exchange rates to the reporting currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models.account import Account
from accounts.models.fields import MONEY
from kam.core import limits
from kam.core.currencies import validate_currency
from kam.core.money import RateTable


class FinancialPeriodQuerySet(models.QuerySet):
    def between(self, start: date, end_exclusive: date):
        return self.filter(period__gte=start, period__lt=end_exclusive)


class FinancialPeriod(models.Model):
    """One account's figures for one month. Profit and cash per customer, not just revenue."""

    # No index of its own: the unique (account, period) constraint's index serves lookups by account,
    # and one index fewer to keep up is what 2.4 million synced months a night feel.
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="financial_periods", db_index=False
    )
    period = models.DateField(_("month"), help_text=_("The first day of the month."))
    revenue = models.DecimalField(_("revenue"), **MONEY)
    gross_margin = models.DecimalField(_("gross margin"), **MONEY)
    cost_to_serve = models.DecimalField(
        _("cost-to-serve"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    days_to_pay = models.PositiveSmallIntegerField(_("days to pay"), null=True, blank=True)
    order_count = models.PositiveIntegerField(_("orders"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = FinancialPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("financial period")
        verbose_name_plural = _("financial periods")
        # By the id, not the account's name: ordering by name joins every account into each query,
        # aggregates included (Django keeps the join after dropping the ORDER BY).
        ordering = ["account_id", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["account", "period"], name="financial_period_once_per_month"),
            models.CheckConstraint(
                name="financial_period_cost_to_serve_not_negative",
                condition=Q(cost_to_serve__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.period:%Y-%m}"

    def clean(self):
        if self.period and self.period.day != 1:
            raise ValidationError({"period": _("A financial period is a month: use its first day.")})
        if self.period and not limits.month_in_range(self.period):
            raise ValidationError({"period": limits.month_out_of_range_message()})

    @property
    def margin_after_cost_to_serve(self) -> Decimal:
        return self.gross_margin - self.cost_to_serve


class ExchangeRateQuerySet(models.QuerySet):
    def rate_table(self, reporting_currency: str) -> RateTable:
        """Every rate, in one query, for converting into `reporting_currency`."""
        rows = self.order_by("currency", "valid_from").values_list("currency", "valid_from", "rate")
        return RateTable.of(reporting_currency, rows)


class ExchangeRate(models.Model):
    """How many units of the programme's reporting currency one unit of `currency` buys, from a date."""

    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    valid_from = models.DateField(_("valid from"))
    rate = models.DecimalField(
        _("rate to reporting currency"),
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
    )

    objects = ExchangeRateQuerySet.as_manager()

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="exchange_rate_once_per_day"),
            models.CheckConstraint(name="exchange_rate_positive", condition=Q(rate__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} from {self.valid_from}"
