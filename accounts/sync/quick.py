"""One pass over a well-formed batch, in plain Python: the values the full checks would give.

A CRM sends thousands of records a second, nearly all of them clean. These functions accept a batch
only when every record is plainly valid (the common shapes of each field) and give up at the first
doubt, returning None: the batch then goes through records.BatchChecker, which names every problem
with its message. So they decide nothing the full checks would decide otherwise; they only skip the
per-field bookkeeping for batches with nothing to report.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from kam.core import limits

# An amount as the full check accepts it without rounding: at most 14 digits before the point
# (below 10^14) and 2 after; anything else (exponents, more places, spaces inside) takes the long way.
_AMOUNT = re.compile(r"-?[0-9]{1,14}(?:\.[0-9]{1,2})?", re.ASCII).fullmatch
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)
_MISSING = object()


def _text(value, max_length: int) -> str | None:
    """A stripped, non-blank string without NUL of at most `max_length` characters, else None."""
    if type(value) is not str or "\x00" in value:
        return None
    value = value.strip()
    return value if value and len(value) <= max_length else None


def _optional_text(record: dict, name: str, max_length: int):
    """_MISSING when absent, "" for null or blank, the stripped string, or None when in doubt."""
    value = record.get(name, _MISSING)
    if value is _MISSING:
        return value
    if value is None or value == "":
        return ""
    return _text(value, max_length)


def _code(record: dict, name: str, codes: frozenset[str], *, blank_ok: bool):
    value = _optional_text(record, name, 10_000)
    if value is _MISSING or value is None:
        return value
    if value == "":
        return value if blank_ok else None
    value = value.upper()
    return value if value in codes else None


def accounts(records, allowed: frozenset[str], countries, currencies) -> dict[str, dict] | None:
    """{external_id: values} with only the fields sent, or None (the full checks will speak)."""
    batch: dict[str, dict] = {}
    for record in records:
        if type(record) is not dict or not record.keys() <= allowed:
            return None
        external_id = _text(record.get("external_id"), 100)
        name = _text(record.get("name"), 200)
        if external_id is None or name is None or external_id in batch:
            return None
        values = {"name": name}
        for field, value in (
            ("industry", _optional_text(record, "industry", 100)),
            ("country", _code(record, "country", countries, blank_ok=True)),
            ("currency", _code(record, "currency", currencies, blank_ok=False)),
        ):
            if value is None:
                return None
            if value is not _MISSING:
                values[field] = value
        batch[external_id] = values
    return batch


def _amount(value, *, not_negative: bool = False) -> Decimal | None:
    kind = type(value)
    if kind is str:
        text = value.strip()
    elif kind is int:
        text = str(value)
    elif kind is float:
        text = repr(value)
    else:
        return None
    if _AMOUNT(text) is None or (not_negative and text[0] == "-"):
        return None
    return Decimal(text)


def _whole(record: dict, name: str, maximum: int):
    value = record.get(name, _MISSING)
    if value is _MISSING or value is None:
        return value
    return value if type(value) is int and 0 <= value <= maximum else False


def _month(text, cache: dict[str, date]) -> date | None:
    if type(text) is not str:
        return None
    month = cache.get(text)
    if month is None:
        match = _MONTH.fullmatch(text.strip())
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:  # no year 0 in a date()
            return None
        month = date(int(match[1]), int(match[2]), 1)
        if not limits.month_in_range(month):
            return None
        cache[text] = month
    return month


def financials(records, allowed: frozenset[str], currencies) -> list[tuple[int, str, date, dict]] | None:
    """[(index, account external id, month, values with only the fields sent)], or None."""
    parsed: list[tuple[int, str, date, dict]] = []
    seen: set = set()
    months: dict[str, date] = {}
    amount = _amount
    for index, record in enumerate(records):
        if type(record) is not dict or not record.keys() <= allowed:
            return None
        account_ref = _text(record.get("account_external_id"), 100)
        month = _month(record.get("period"), months)
        key = (account_ref, month)
        if account_ref is None or month is None or key in seen:
            return None
        seen.add(key)
        revenue = amount(record.get("revenue"))
        margin = amount(record.get("gross_margin"))
        cost = amount(record.get("cost_to_serve"), not_negative=True)
        if revenue is None or margin is None or cost is None:
            return None
        values = {"revenue": revenue, "gross_margin": margin, "cost_to_serve": cost}
        if len(record) > 5:  # some of the optional fields too
            currency = _code(record, "currency", currencies, blank_ok=False)
            days = _whole(record, "days_to_pay", 32767)
            orders = _whole(record, "order_count", 2147483647)
            if currency is None or days is False or orders is False:
                return None
            for field, value in (("currency", currency), ("days_to_pay", days), ("order_count", orders)):
                if value is not _MISSING:
                    values[field] = value
        parsed.append((index, account_ref, month, values))
    return parsed
