"""Small display helpers for the portfolio pages: SVG arithmetic, signed trends, sort links."""

from decimal import Decimal

from django import template

from accounts.models import TeamFunction

register = template.Library()


@register.filter
def add_float(value, amount):
    """SVG coordinates are floats; Django's `add` only adds integers."""
    try:
        return round(float(value) + float(amount), 2)
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
