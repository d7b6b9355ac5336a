"""Every API error as JSON naming the field and the problem: {"errors": [{"field", "message"}, ...]}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("Someone else changed this after you read it; read it again and re-apply your change.")
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("Send If-Match with the ETag you read, so that nobody's change is lost.")
    default_code = "precondition_required"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_many_records"


def flatten(detail, field: str | None = None) -> list[dict]:
    """DRF's nested error details as a flat list, each naming its field (dotted for nesting)."""
    if isinstance(detail, dict):
        errors = []
        for name, value in detail.items():
            name = None if name in ("non_field_errors", "__all__", "detail") else str(name)
            errors += flatten(value, f"{field}.{name}" if field and name else (name or field))
        return errors
    if isinstance(detail, list):
        errors = []
        for position, value in enumerate(detail):
            nested = isinstance(value, (dict, list)) and value
            errors += flatten(value, f"{field}.{position}" if nested and field else field)
        return errors
    return [{"field": field, "message": str(detail)}]


def error_response(errors: list[dict], status_code: int, headers: dict | None = None) -> Response:
    return Response({"errors": errors}, status=status_code, headers=headers)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args[:1])
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = {"errors": flatten(response.data)}
    return response
