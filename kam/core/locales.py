"""Dates and digits as the active language's reader expects them.

Persian readers get the Solar Hijri calendar (jdatetime) and Persian digits; everyone else Django's
own formats for their language. Only pages use these: exports and the API keep ISO dates and Latin
digits whatever the language.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import jdatetime
from django.utils import formats, timezone, translation

SOLAR_HIJRI_LANGUAGES = frozenset({"fa"})
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
# Persian and Arabic-Indic digits typed by people, read back as Latin ones.
_TO_LATIN = str.maketrans(PERSIAN_DIGITS + "٠١٢٣٤٥٦٧٨٩", "0123456789" * 2)
_TO_PERSIAN = str.maketrans("0123456789", PERSIAN_DIGITS)
# A Solar Hijri year is below 1700 for centuries yet, a Gregorian one above it: that tells them apart.
_YMD = re.compile(r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*$")
SOLAR_HIJRI_BEFORE_YEAR = 1700


def uses_solar_hijri(language: str | None = None) -> bool:
    return (language or translation.get_language() or "") in SOLAR_HIJRI_LANGUAGES


def local_digits(text: str, language: str | None = None) -> str:
    """Persian digits for a Persian reader, the text unchanged for everyone else."""
    return text.translate(_TO_PERSIAN) if uses_solar_hijri(language) else text


def latin_digits(text: str) -> str:
    return text.translate(_TO_LATIN)


def as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def solar_hijri(value: date, *, short: bool = False) -> str:
    """`10 آذر 1405`, or `1405/09/10` when short, in Latin digits (local_digits converts)."""
    day = jdatetime.date.fromgregorian(date=value)
    if short:
        return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"
    return f"{day.day} {jdatetime.date.j_months_fa[day.month - 1]} {day.year}"


def format_local_date(value: date | datetime, *, short: bool = False) -> str:
    """A date for a page, in the active language's calendar, digits and format."""
    value = as_date(value)
    if uses_solar_hijri():
        return local_digits(solar_hijri(value, short=short))
    return formats.date_format(value, "SHORT_DATE_FORMAT" if short else "DATE_FORMAT")


def format_gregorian_date(value: date | datetime) -> str:
    """The Gregorian date in the active language, for the hover title of a Solar Hijri one."""
    return local_digits(formats.date_format(as_date(value), "DATE_FORMAT"))


def parse_solar_hijri(text: str) -> date | None:
    """The Gregorian date of a typed Solar Hijri `1405/09/10` (any digits), or None if it is not one."""
    match = _YMD.match(latin_digits(text or ""))
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    if year >= SOLAR_HIJRI_BEFORE_YEAR:
        return None
    try:
        return jdatetime.date(year, month, day).togregorian()
    except ValueError:
        return None
