"""The sane ranges every path keeps: browser forms, the API, the CRM sync and the admin.

One constant per rule, read by the models' `clean()` and validators, by the forms' `max_length`
and by the sync's checks, so that no path can accept what another refuses.
"""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

# Dates a customer relationship can carry: nothing before 1900 (no CRM holds older business) and
# nothing after 2099 (a year 9999 is a typo, and PostgreSQL and Python disagree at the edges).
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2099, 12, 31)

# An account plan covers a year or so; five years is already a strategy, not a plan.
LONGEST_PLAN_DAYS = 5 * 366

# A note, a comment, a need: long enough for minutes of a meeting, short enough to read. The CRM
# sync has always capped its texts at this length; the browser and the model now do the same.
NOTE_MAX_LENGTH = 10_000


def check_days(instance, *names: str) -> dict[str, str]:
    """The errors, by field, of those date fields of `instance` outside EARLIEST_DAY … LATEST_DAY."""
    return {
        name: day_out_of_range_message()
        for name in names
        if getattr(instance, name) is not None and not EARLIEST_DAY <= getattr(instance, name) <= LATEST_DAY
    }


def day_out_of_range_message() -> str:
    return _("Give a date from %(first)s to %(last)s.") % {
        "first": date_format(EARLIEST_DAY),
        "last": date_format(LATEST_DAY),
    }


def month_in_range(month: date) -> bool:
    return EARLIEST_DAY <= month <= LATEST_DAY


def month_out_of_range_message() -> str:
    return _("Give a month from %(first)s to %(last)s.") % {
        "first": EARLIEST_DAY.strftime("%Y-%m"),
        "last": LATEST_DAY.strftime("%Y-%m"),
    }


def note_too_long_message(text: str) -> str:
    return _("At most %(n)d characters (this has %(len)d).") % {"n": NOTE_MAX_LENGTH, "len": len(text)}


def check_notes(instance, *names: str) -> dict[str, str]:
    """The errors, by field, of those text fields of `instance` that are longer than NOTE_MAX_LENGTH."""
    return {
        name: note_too_long_message(getattr(instance, name))
        for name in names
        if len(getattr(instance, name) or "") > NOTE_MAX_LENGTH
    }
