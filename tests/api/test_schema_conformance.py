"""Every answer of every read, on the demo programme, is what /api/schema/ says it is.

A typed client generated from the schema trusts it: an enum value it does not list, a null where it
promises a value or a word where it promises a decimal stops that client on the first page. So every
list (all its pages) and every record's detail read of the seeded demo is validated against the schema,
headers included.
"""

from urllib.parse import parse_qsl, urlsplit

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.demo.records import DemoOptions
from api.authentication import ApiKeyRateThrottle
from kam.wsgi import application
from programme.demo.seed import seed
from programme.models import AccountScore

CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def demo(db, monkeypatch):
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "100000/min"})
    # Requests go straight to the WSGI app, whose request signals would close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    today = timezone.localdate()
    seed(DemoOptions(accounts=24, key_accounts=6, months=14, seed=7, chunk_size=50, today=today))
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def get_operations():
    operations = [result.ok() for result in schema.get_all_operations()]
    return [op for op in operations if op.method.upper() == "GET"]


def read(operation, key, *, path_parameters=None, query=None):
    case = operation.Case(
        path_parameters=path_parameters or {},
        query=query or {},
        headers={"Authorization": f"Bearer {key}"},
    )
    response = case.call()
    assert response.status_code == 200, (operation.label, response.text[:500])
    case.validate_response(response, checks=CHECKS)
    return response.json()


def test_every_list_and_every_detail_read_of_the_demo_matches_the_schema(demo, sync_key):
    # The demo has accounts scored on one axis only: no quadrant, which the schema must allow.
    assert AccountScore.objects.filter(quadrant="").exists()
    operations = get_operations()
    lists = {op.path: op for op in operations if "{id}" not in op.path}
    details = {op.path: op for op in operations if "{id}" in op.path}
    assert len(lists) >= 7 and set(details) == {path + "{id}/" for path in lists}
    for path, operation in lists.items():
        ids, query = [], {"page_size": 1000}
        while True:
            page = read(operation, sync_key, query=query)
            ids += [item["id"] for item in page["results"]]
            if not page["next"]:
                break
            query = dict(parse_qsl(urlsplit(page["next"]).query))
        assert ids, f"the demo has no {path}"
        for pk in ids:
            read(details[path + "{id}/"], sync_key, path_parameters={"id": pk})


def test_the_schema_types_each_measure_documents_headers_and_needs_bodies_and_integer_ids(client):
    document = client.get("/api/schema/", headers={"Accept": "application/json"}).json()
    components = document["components"]["schemas"]
    score = components["Score"]["properties"]
    stage = score["relationship_stage"]
    assert "format" not in stage and stage["nullable"]
    assert {"$ref": "#/components/schemas/RelationshipStageEnum"} in stage["oneOf"]
    assert components["RelationshipStageEnum"]["enum"] == [
        "exploratory", "basic", "cooperative", "interdependent", "integrated",
    ]  # fmt: skip
    for name in ("nps", "share_of_wallet", "return_on_investment"):
        assert score[name]["format"] == "decimal", name
    assert score["quadrant"]["nullable"] and "" not in components["QuadrantEnum"]["enum"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "Retry-After" in responses["429"]["headers"], (method, path)
            if "{id}" in path:
                (identifier,) = [p for p in operation["parameters"] if p["in"] == "path"]
                assert identifier["schema"]["type"] == "integer", (method, path)
                assert responses["200"]["headers"]["ETag"]["required"], (method, path)
            else:
                assert "ETag" not in responses["200"].get("headers", {}), (method, path)
            if method in ("post", "patch"):
                assert operation["requestBody"]["required"], (method, path)
            if method == "patch":
                (if_match,) = [p for p in operation["parameters"] if p["name"] == "If-Match"]
                assert if_match["in"] == "header" and if_match["required"]
