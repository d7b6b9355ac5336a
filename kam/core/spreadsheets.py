"""Cells of the CSV files people open in a spreadsheet (the league table, a review's decisions)."""

from __future__ import annotations


def cell(value) -> str:
    """A figure or date as its text; nothing for a missing one."""
    return "" if value is None else str(value)


def text_cell(value) -> str:
    """Text someone else wrote (CRM-synced names): a spreadsheet runs a cell starting with = + - @ as
    a formula, so such a cell is quoted to stay text."""
    text = cell(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
