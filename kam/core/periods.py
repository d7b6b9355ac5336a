"""Months as periods: the first day stands for the month; trailing windows end at the last full month."""

from __future__ import annotations

import re
from datetime import date

from django.utils import timezone

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def parse_month(text: str) -> date:
    """'2026-03' -> date(2026, 3, 1); ValueError with a message for anything that is not a month."""
    match = _MONTH.match(text.strip()) if isinstance(text, str) else None
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise ValueError(f"“{text}” is not a month; write it as YYYY-MM, for example 2026-03.")
    return date(int(match.group(1)), int(match.group(2)), 1)


def trailing_twelve_months(today: date | None = None) -> tuple[date, date]:
    """[start, end): the twelve full months before the current one (the current one is not complete)."""
    end = month_start(today or timezone.localdate())
    return add_months(end, -12), end


def quarter_label(start: date) -> str:
    """'2026 Q2' for the quarter that `start` falls in."""
    return f"{start:%Y} Q{(start.month - 1) // 3 + 1}"
