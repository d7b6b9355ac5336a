"""Display helpers: money with its currency, dates and numbers in the reader's language, missing
figures shown as a dash rather than zero."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format
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
    compact form for tables. Nothing for a missing date: `|default:"—"` says what to show instead.
    """
    if not value:
        return ""
    day = locales.as_date(value)
    shown = locales.format_local_date(day, short=style == "short")
    if locales.uses_solar_hijri():
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            day.isoformat(),
            locales.format_gregorian_date(day),
            shown,
        )
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), shown)


@register.filter
def local_date_text(value, style=""):
    """The reader's date as plain text, for e-mails and other text without markup."""
    if not value:
        return ""
    return locales.format_local_date(value, short=style == "short")
