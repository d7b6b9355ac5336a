"""Converting money to the programme's reporting currency with the exchange-rate table."""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

CENT = Decimal("0.01")


class MissingExchangeRate(LookupError):
    def __init__(self, currency: str, on: date):
        super().__init__(f"No exchange rate for {currency} on {on:%Y-%m-%d}.")
        self.currency, self.on = currency, on


@dataclass
class RateTable:
    """All exchange rates, loaded in one query; the rate in force on a day is the latest before it."""

    reporting_currency: str
    _rates: dict[str, list[tuple[date, Decimal]]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, reporting_currency: str, rows) -> RateTable:
        """From (currency, valid_from, rate) rows ordered by currency and date."""
        table = cls(reporting_currency)
        for currency, valid_from, rate in rows:
            table._rates[currency].append((valid_from, rate))
        return table

    def convertible(self) -> set[str]:
        """The currencies this table converts: the reporting currency and every one with a rate."""
        return {self.reporting_currency} | {currency for currency, rates in self._rates.items() if rates}

    def rate(self, currency: str, on: date) -> Decimal:
        if currency == self.reporting_currency:
            return Decimal(1)
        rates = self._rates.get(currency)
        if not rates:
            raise MissingExchangeRate(currency, on)
        index = bisect.bisect_right(rates, (on, Decimal("Infinity"))) - 1
        # Before the first known rate, the earliest rate is the best estimate there is.
        return rates[max(index, 0)][1]

    def convert(self, amount: Decimal, currency: str, on: date) -> Decimal:
        return (amount * self.rate(currency, on)).quantize(CENT)
