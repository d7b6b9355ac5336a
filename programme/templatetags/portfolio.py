"""Small display helpers for the portfolio pages: SVG arithmetic, signed trends, sort links."""

from decimal import Decimal

from django import template
from django.utils.html import format_html_join

from accounts.models import TeamFunction

register = template.Library()


@register.filter
def add_float(value, amount):
    """SVG coordinates are floats; Django's `add` only adds integers.

    Text, not a number, so that a Polish or German page does not write the coordinate 40,5."""
    try:
        return repr(round(float(value) + float(amount), 2))
    except (TypeError, ValueError):
        return value


@register.filter
def sub(value, amount):
    try:
        return value - amount
    except TypeError:
        return ""


@register.filter
def signed(value, places=0):
    if value is None:
        return "—"
    return f"{Decimal(value):+.{int(places)}f}"


@register.filter
def sort_link(query, column):
    return query.sort_link(column)


@register.filter
def business_unit(value):
    try:
        return TeamFunction(value).label
    except ValueError:
        return value


@register.simple_tag
def matrix_marks(marks):
    """The matrix's 200-odd points as SVG, escaped, in one join (a template loop costs ~10x more)."""
    return format_html_join(
        "\n",
        '<a href="{}"><circle class="{}" cx="{}" cy="{}" r="{}"><title>{}</title></circle></a>',
        ((m.url, m.css, m.cx, m.cy, m.r, m.title) for m in marks),
    )
