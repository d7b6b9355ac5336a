"""JSON in: a request nested deeper than any record of ours is refused with 400, not a RecursionError."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

# {"records": [{"field": value}]} is three levels deep; nothing we accept needs more than a few.
MAX_JSON_DEPTH = 20


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_too_deep()) from None
        if _depth_exceeds(data, MAX_JSON_DEPTH):
            raise exceptions.ParseError(_too_deep())
        return data


def _too_deep() -> str:
    return _("The JSON is nested too deeply: at most %(n)d levels of objects and lists.") % {
        "n": MAX_JSON_DEPTH
    }


def _depth_exceeds(data, limit: int) -> bool:
    """Walk without recursion, so that the check cannot itself run out of stack; only objects and
    lists are visited (a batch's thousands of plain values are passed over in one loop)."""
    stack = [(data, 1)] if type(data) is dict or type(data) is list else []
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        for item in value.values() if type(value) is dict else value:
            if type(item) is dict or type(item) is list:  # all json gives: no subclasses
                stack.append((item, depth + 1))
    return False
