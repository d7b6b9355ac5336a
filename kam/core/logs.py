"""Structured logs: one JSON object a line with time, level, logger, the request id, the user and the
path (or the Celery task), so that an operator can follow one request or one run through every line.

The request id comes from the proxy's X-Request-ID when it sends a sane one, else a new one; it is
returned in the response's X-Request-ID and gunicorn's access line carries it too."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

from celery import current_task
from django.utils.functional import SimpleLazyObject, empty
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_current_request = contextvars.ContextVar("kam_current_request", default=None)


def request_id_from(header: str | None) -> str:
    return header if header and _SANE_REQUEST_ID.match(header) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


def _user_id(request) -> str | None:
    user = getattr(request, "user", None)
    # Only a user already loaded: a log line never costs a query.
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    if not getattr(user, "is_authenticated", False):
        return None
    return str(user.pk) if user.pk is not None else getattr(user, "username", None)


class ContextFilter(logging.Filter):
    """Adds request_id, user_id and path inside a request, task_id and task inside a Celery task."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None) or _current_request.get()
        if request is not None and hasattr(request, "META"):
            record.request_id = getattr(request, "request_id", None)
            record.user_id = _user_id(request)
            record.path = request.path
        task = current_task
        if task and getattr(task, "request", None) is not None and task.request.id:
            record.task_id = task.request.id
            record.task = task.name
        return True


class KamJsonFormatter(JsonFormatter):
    """time, level, logger, message, then whatever the line carries (request_id, user_id, path, …)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        super().__init__("%(levelname)s %(name)s %(message)s", *args, **kwargs)

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        log_data.pop("request", None)  # Django's request object: its path and id are there already


class AccessJsonFormatter(KamJsonFormatter):
    """gunicorn's access line as the same JSON, its fields from gunicorn's atoms."""

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        atoms = record.args if isinstance(record.args, dict) else {}
        if atoms:
            log_data.update(
                message="request",
                method=atoms.get("m"),
                path=atoms.get("U"),
                query=atoms.get("q") or None,
                status=int(atoms["s"]) if str(atoms.get("s", "")).isdigit() else atoms.get("s"),
                duration_ms=atoms.get("M"),
                bytes=atoms.get("B"),
                remote_addr=atoms.get("h"),
                user_agent=atoms.get("a"),
                request_id=atoms.get("{x-request-id}o"),
            )
