"""Display helpers: money with its currency, dates and numbers in the reader's language, missing
figures shown as a dash rather than zero."""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import timezone
from django.utils.formats import number_format, time_format
from django.utils.html import format_html
from django.utils.translation import get_language_bidi

from kam.core import locales

register = template.Library()


def _figure(text: str) -> str:
    """A figure in the reader's digits; on a right-to-left page kept left to right as one piece, so
    that `-4.2 %` or `2 351 747 EUR` is not reordered around its sign or currency."""
    text = locales.local_digits(text)
    return f"\u2066{text}\u2069" if get_language_bidi() else text


@register.filter
def money(value, currency=""):
    """A whole amount grouped the active language's way, then its ISO currency: `2 351 747 EUR`."""
    if value is None or value == "":
        return "—"
    rounded = Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    text = number_format(int(rounded), 0, force_grouping=True)
    return _figure(f"{text} {currency}".strip())


@register.filter
def percent(value, places=0):
    if value is None:
        return "—"
    # Django's number_format cuts decimals off; round first, as the f-string this replaced did.
    share = (Decimal(value) * 100).quantize(Decimal(1).scaleb(-int(places)))
    return _figure(f"{number_format(share, int(places))} %")


@register.filter
def number(value, places=None):
    """A figure grouped and written in the reader's digits; `places` fixes the decimals."""
    if value is None or value == "":
        return "—"
    if places is not None:
        value = Decimal(value).quantize(Decimal(1).scaleb(-int(places)))
    return _figure(number_format(value, None if places is None else int(places), force_grouping=True))


@register.filter
def local_date(value, style=""):
    """`<time>` with the ISO date for machines, the reader's calendar for people.

    Persian readers see the Solar Hijri date with the Gregorian one on hover; `style` "short" gives the
    compact form for tables, "time" adds the time of day to a moment (a history entry, a run).
    Nothing for a missing date: `|default:"—"` says what to show instead.
    """
    if not value:
        return ""
    day = locales.as_date(value)
    shown = local_date_text(value, style)
    machine = day.isoformat()
    if style == "time" and isinstance(value, datetime):
        machine = (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if locales.uses_solar_hijri():
        return format_html(
            '<time datetime="{}" title="{}">{}</time>', machine, locales.format_gregorian_date(day), shown
        )
    return format_html('<time datetime="{}">{}</time>', machine, shown)


@register.filter
def local_date_text(value, style=""):
    """The reader's date as plain text, for e-mails, SVG labels and other text without markup."""
    if not value:
        return ""
    shown = locales.format_local_date(value, short=style == "short")
    if style == "time" and isinstance(value, datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        shown = f"{shown} {locales.local_digits(time_format(moment, 'TIME_FORMAT'))}"
    return shown
