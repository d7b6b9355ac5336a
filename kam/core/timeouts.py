"""A web request whose query ran past the statement timeout gets a clear page, not a 500."""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout


def is_statement_timeout(error: BaseException) -> bool:
    return isinstance(error, OperationalError) and getattr(error.__cause__, "pgcode", None) == QUERY_CANCELED


class StatementTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_statement_timeout(exception):
            return None
        logger.warning("query cancelled by statement_timeout", extra={"path": request.path})
        message = _(
            "This took too long to answer and was stopped. Try again in a minute; "
            "if it keeps happening, tell whoever runs kam."
        )
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=503, headers={"Retry-After": "60"})
        response = render(request, "statement_timeout.html", {"message": message}, status=503)
        response["Retry-After"] = "60"
        return response
