"""Cells of the CSV files people open in a spreadsheet (the league table, a review's decisions)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def cell(value) -> str:
    """A figure or date as its text; nothing for a missing one."""
    return "" if value is None else str(value)


def text_cell(value) -> str:
    """Text someone else wrote (CRM-synced names): a spreadsheet runs a cell starting with = + - @ as
    a formula, so such a cell is quoted to stay text."""
    text = cell(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def number_cell(value, places: int = 2) -> str:
    """A figure with a fixed number of decimals and a dot, for a spreadsheet to read as a number
    (Decimal arithmetic otherwise leaks its working precision: -1.2200000000000)."""
    if value is None:
        return ""
    exponent = Decimal(1).scaleb(-places)
    return f"{Decimal(value).quantize(exponent, rounding=ROUND_HALF_UP):f}"
