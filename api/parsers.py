"""JSON in: a request nested deeper than any record of ours is refused with 400, not a RecursionError,
and so is text that is not Unicode (a lone surrogate escape such as \\ud800, which no database stores)."""

from __future__ import annotations

import io
import re

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

# {"records": [{"field": value}]} is three levels deep; nothing we accept needs more than a few.
MAX_JSON_DEPTH = 20


# A surrogate reaches parsed text only through a \\uD800-\\uDFFF escape: other bodies skip the walk.
SURROGATE_ESCAPE = re.compile(rb"\\[uU][dD][89a-fA-F]")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read() if stream is not None else b""
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_too_deep()) from None
        if _depth_exceeds(data, MAX_JSON_DEPTH):
            raise exceptions.ParseError(_too_deep())
        if SURROGATE_ESCAPE.search(body) and (where := _lone_surrogate_at(data)) is not None:
            raise exceptions.ParseError(
                _("%(where)s is not valid text: it holds a lone surrogate escape (\\ud800 to \\udfff).")
                % {"where": where}
            )
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


def _lone_surrogate_at(data) -> str | None:
    """Where the first text holding a lone surrogate is (records[3].name), or None."""
    stack = [(data, "")]
    while stack:
        value, path = stack.pop()
        if type(value) is str and not _is_unicode(value):
            return path or _("The body")
        if type(value) is dict:
            for key, item in value.items():
                where = f"{path}.{key}" if path else key
                if not _is_unicode(key):
                    return path or _("The body")
                stack.append((item, where))
        elif type(value) is list:
            stack.extend((item, f"{path}[{index}]") for index, item in enumerate(value))
    return None


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
