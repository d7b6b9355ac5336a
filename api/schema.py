"""OpenAPI: every operation documents the errors it can answer, all in the one error shape."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from accounts.sync import records as sync
from api.serializers import ErrorListSerializer

ERROR_DESCRIPTIONS = {
    400: "The request is invalid; each error names the field (and, in a batch, the record).",
    401: "No key or session, an unknown key, or a revoked key.",
    403: "Authenticated, but this key's scope or this person's role does not allow it.",
    404: "No such record among those you may see (or an invalid cursor).",
    412: "If-Match names a version that is no longer current; nothing was changed.",
    413: "More records than a batch may hold.",
    428: "If-Match is required for a change.",
    429: "Too many requests for this key; wait for Retry-After seconds.",
}


ETAG_HEADER = {
    "schema": {"type": "string", "example": '"3"'},
    "required": True,
    "description": "The record's version; send it back as If-Match to change the record.",
}
RETRY_AFTER_HEADER = {
    "schema": {"type": "integer", "minimum": 0},
    "required": True,
    "description": "Seconds to wait before the next request with this key.",
}


class ApiSchema(AutoSchema):
    def _error_codes(self) -> list[int]:
        codes = [401, 403, 429]
        method = self.method.upper()
        if method == "GET" and self._is_list_view():
            codes += [400, 404]
        elif method == "GET":
            codes += [404]
        elif method == "PATCH":
            codes += [400, 404, 412, 428]
        elif method == "POST":
            codes += [400, 413]
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        error = self.resolve_serializer(ErrorListSerializer, "response").ref
        for code in self._error_codes():
            responses.setdefault(
                str(code),
                {"content": {"application/json": {"schema": error}}, "description": ERROR_DESCRIPTIONS[code]},
            )
        responses["429"]["headers"] = {"Retry-After": RETRY_AFTER_HEADER}
        return responses

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        # One record read or changed carries its version (views.etag_of); a list does not.
        method = self.method.upper()
        one_record = method == "PATCH" or (method == "GET" and not self._is_list_view())
        if str(status_code) == "200" and one_record:
            headers["ETag"] = ETAG_HEADER
        return headers

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        # A sync batch and a PATCH both need a JSON object; an empty request is refused.
        if body is not None:
            body["required"] = True
        return body

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        # Every record is found by its integer id (the viewsets' lookup_value_regex).
        for parameter in parameters:
            if parameter["name"] == "id":
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


def _text(max_length: int, *, required: bool = False, nullable: bool = False) -> dict:
    schema = {"type": "string", "maxLength": max_length}
    if required:
        schema["minLength"] = 1
    if nullable:
        schema["nullable"] = True
    return schema


MONEY = {"oneOf": [{"type": "number"}, {"type": "string"}], "example": "1234.50"}


def _batch(name: str, properties: dict, required: list[str]) -> dict:
    return {
        "type": "object",
        "title": name,
        "required": ["records"],
        "properties": {
            "records": {
                "type": "array",
                "maxItems": sync.MAX_BATCH,
                "items": {
                    "type": "object",
                    "properties": properties,
                    "required": required,
                    "additionalProperties": False,
                },
            }
        },
    }


ACCOUNT_BATCH = _batch(
    "AccountBatch",
    {
        "external_id": _text(100, required=True),
        "name": _text(200, required=True),
        "industry": _text(100, nullable=True),
        "country": {**_text(3, nullable=True), "description": "ISO 3166 alpha-2, e.g. PL"},
        "currency": {**_text(3, nullable=True), "description": "ISO 4217, e.g. EUR"},
    },
    ["external_id", "name"],
)
CONTACT_BATCH = _batch(
    "ContactBatch",
    {
        "external_id": _text(100, required=True),
        "account_external_id": _text(100, required=True),
        "name": _text(200, required=True),
        "title": _text(200, nullable=True),
        "department": _text(200, nullable=True),
        "email": _text(254, nullable=True),
        "phone": _text(50, nullable=True),
        "reports_to_external_id": {
            **_text(100, nullable=True),
            "description": "A contact in this batch or synced before; null or empty clears it.",
        },
    },
    ["external_id", "account_external_id", "name"],
)
FINANCIAL_BATCH = _batch(
    "FinancialBatch",
    {
        "account_external_id": _text(100, required=True),
        "period": {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-03"},
        "revenue": MONEY,
        "gross_margin": MONEY,
        "cost_to_serve": MONEY,
        "days_to_pay": {"type": "integer", "minimum": 0, "maximum": 32767, "nullable": True},
        "currency": {
            **_text(3, nullable=True),
            "description": "ISO 4217; the account's currency if left out",
        },
        "order_count": {"type": "integer", "minimum": 0, "maximum": 2147483647, "nullable": True},
    },
    ["account_external_id", "period", "revenue", "gross_margin", "cost_to_serve"],
)


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A key from `manage.py create_api_key --name NAME --scope sync|read`.",
        }


SURVEY_BATCH = _batch(
    "SurveyBatch",
    {
        "external_id": _text(100, required=True),
        "account_external_id": _text(100, required=True),
        "surveyed_on": {"type": "string", "format": "date", "example": "2026-03-15"},
        "respondent_name": _text(200, nullable=True),
        "stakeholder_external_id": {**_text(100, nullable=True), "description": "A contact at the account."},
        "nps": {"type": "integer", "minimum": 0, "maximum": 10, "nullable": True},
        "csat": {"type": "integer", "minimum": 1, "maximum": 5, "nullable": True},
        "comment": _text(10_000, nullable=True),
    },
    ["external_id", "account_external_id", "surveyed_on"],
)
