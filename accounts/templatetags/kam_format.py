"""Display helpers: money with its currency, missing figures shown as a dash rather than zero."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def money(value, currency=""):
    if value is None or value == "":
        return "—"
    rounded = Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    # What intcomma writes for a whole number, without its regex loop (a dashboard shows hundreds).
    return f"{int(rounded):,} {currency}".strip()


@register.filter
def percent(value, places=0):
    if value is None:
        return "—"
    return f"{Decimal(value) * 100:.{int(places)}f} %"
