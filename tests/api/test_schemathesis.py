"""Property-based checks of the live OpenAPI schema: no input gets a 500 or an answer the schema forbids.

schemathesis generates requests for every operation of /api/schema/ (a bounded number each) and sends
them in-process to the WSGI app, on the test database, with a sync key.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.authentication import ApiKeyRateThrottle
from kam.wsgi import application
from tests.factories import AccountFactory, FinancialPeriodFactory, InteractionFactory, StakeholderFactory

EXAMPLES_PER_OPERATION = 20
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# Loaded from the running app at collection time (the schema view needs no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def world(db, account, monkeypatch):
    # Generated requests come fast; the throttle has its own test.
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "100000/min"})
    # Requests go straight to the WSGI app, whose request signals would close the test's database
    # connection (inside the test's transaction, on PostgreSQL); Django's test client unhooks them too.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    person = StakeholderFactory(account=account, external_id="C-1")
    FinancialPeriodFactory(account=account)
    InteractionFactory(account=account, stakeholders=[person])
    AccountFactory(external_id="SF-1")
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_input_gets_a_server_error_or_breaks_the_schema(case, world, sync_key):
    case.call_and_validate(headers={"Authorization": f"Bearer {sync_key}"}, checks=CHECKS)
