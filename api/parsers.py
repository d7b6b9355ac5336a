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
    """Walk without recursion, so that the check cannot itself run out of stack."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        stack.extend((item, depth + 1) for item in value if isinstance(item, (dict, list)))
    return False
