"""POST /api/v1/sync/…: the CRM's night, over HTTP."""

import pytest

from accounts.models import Account, Stakeholder
from accounts.sync.records import MAX_BATCH
from api.models import ApiKey
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

ACCOUNTS = "/api/v1/sync/accounts/"
CONTACTS = "/api/v1/sync/contacts/"
FINANCIALS = "/api/v1/sync/financials/"


def accounts(n):
    return [
        {"external_id": f"SF-{i}", "name": f"Customer {i}", "country": "DE", "currency": "EUR"}
        for i in range(n)
    ]


def test_a_sync_key_pushes_accounts_contacts_and_figures(api, sync_key):
    crm = api(sync_key)
    assert crm.post(ACCOUNTS, {"records": accounts(2)}).json() == {"created": 2, "updated": 0, "unchanged": 0}
    contacts = [{"external_id": "C-1", "account_external_id": "SF-0", "name": "Anna", "title": "CFO"}]
    assert crm.post(CONTACTS, {"records": contacts}).json() == {"created": 1, "updated": 0, "unchanged": 0}
    figures = [
        {
            "account_external_id": "SF-1",
            "period": "2026-09",
            "revenue": "100",
            "gross_margin": "30",
            "cost_to_serve": 5,
        }
    ]
    assert crm.post(FINANCIALS, {"records": figures}).json() == {"created": 1, "updated": 0, "unchanged": 0}
    assert crm.post(ACCOUNTS, {"records": accounts(2)}).json() == {"created": 0, "updated": 0, "unchanged": 2}
    assert ApiKey.objects.get(name="Salesforce nightly").last_used_at is not None


def test_a_contact_at_an_unknown_account_refuses_the_batch_naming_record_and_field(api, sync_key):
    crm = api(sync_key)
    crm.post(ACCOUNTS, {"records": accounts(1)})
    response = crm.post(
        CONTACTS,
        {
            "records": [
                {"external_id": "C-1", "account_external_id": "SF-0", "name": "Anna"},
                {"external_id": "C-2", "account_external_id": "SF-404", "name": "Piotr"},
            ]
        },
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["index"], error["external_id"], error["field"]) == (1, "C-2", "account_external_id")
    assert "sync the account first" in error["message"]
    assert not Stakeholder.objects.exists()


def test_more_than_a_thousand_records_get_413_with_a_clear_message(api, sync_key):
    response = api(sync_key).post(ACCOUNTS, {"records": accounts(MAX_BATCH + 1)})
    assert response.status_code == 413
    assert "at most 1000 records" in response.json()["errors"][0]["message"]
    assert not Account.objects.exists()


@pytest.mark.parametrize(
    "body",
    [[], {"rows": []}, {"records": {}}, {"records": [], "extra": 1}, {"records": [None]}, {"records": [[]]}],
)
def test_a_malformed_body_is_a_400_naming_the_problem(api, sync_key, body):
    response = api(sync_key).post(ACCOUNTS, body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


def test_invalid_json_is_a_400(api, sync_key, client):
    response = client.post(
        ACCOUNTS,
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {sync_key}"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] is None


def test_a_read_key_may_not_push(api, read_key):
    response = api(read_key).post(ACCOUNTS, {"records": accounts(1)})
    assert response.status_code == 403
    assert not Account.objects.exists()


@pytest.mark.parametrize("key", [None, "kam_not-a-key"])
def test_no_key_or_an_unknown_key_gets_401(api, key):
    response = api(key).post(ACCOUNTS, {"records": accounts(1)})
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"]


def test_a_revoked_key_gets_401(api, revoked_key):
    response = api(revoked_key).get("/api/v1/accounts/")
    assert response.status_code == 401
    assert "revoked" in response.json()["errors"][0]["message"]


def test_a_person_signed_in_may_not_push_even_the_champion(client, champion):
    client.force_login(champion)
    response = client.post(ACCOUNTS, {"records": accounts(1)}, content_type="application/json")
    assert response.status_code == 403


def test_too_many_requests_for_one_key_get_429_with_retry_after(api, sync_key, read_key, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "3/min", "api_person": "3/min"},
    }
    from api.authentication import ApiKeyRateThrottle

    # Kept before the change: restored from api_settings, it would still be the overridden 3/min.
    original = ApiKeyRateThrottle.THROTTLE_RATES
    ApiKeyRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    try:
        statuses = [api(sync_key).get("/api/v1/accounts/").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        response = api(sync_key).get("/api/v1/accounts/")
        assert int(response["Retry-After"]) > 0
        assert response.json()["errors"][0]["message"]
        assert api(read_key).get("/api/v1/accounts/").status_code == 200  # each key has its own budget
    finally:
        ApiKeyRateThrottle.THROTTLE_RATES = original


@pytest.mark.parametrize("path", [ACCOUNTS, CONTACTS, FINANCIALS])
@pytest.mark.parametrize("role", [*ROLES, "sync_key", "read_key", "revoked_key"])
def test_only_a_sync_key_may_push_to_any_sync_endpoint(request, api, as_role, account, role, path):
    if role.endswith("_key"):
        response = api(request.getfixturevalue(role)).post(path, {"records": []})
    else:
        response = as_role(role).post(path, {"records": []}, content_type="application/json")
    expected = {"sync_key": 200, "anonymous": 401, "revoked_key": 401}.get(role, 403)
    assert response.status_code == expected
    if expected == 200:
        assert response.json() == {"created": 0, "updated": 0, "unchanged": 0}
    else:
        assert response.json()["errors"][0]["message"]


def test_a_country_name_is_refused_as_not_a_code_rather_than_as_too_long(api, sync_key):
    records = [{"external_id": "SF-1", "name": "Huta", "country": "Poland", "currency": "pln"}]
    answer = api(sync_key).post(ACCOUNTS, {"records": records})
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {
            "index": 0,
            "external_id": "SF-1",
            "field": "country",
            "message": "“Poland” is not an ISO 3166 country code (e.g. PL, DE, US).",
        }
    ]
    records[0]["country"] = "pl"
    assert api(sync_key).post(ACCOUNTS, {"records": records}).json()["created"] == 1
    assert (Account.objects.get().country, Account.objects.get().currency) == ("PL", "PLN")


def test_a_month_of_year_zero_is_refused_naming_the_period_not_a_server_error(api, sync_key):
    crm = api(sync_key)
    crm.post(ACCOUNTS, {"records": accounts(1)})
    figures = [
        {
            "account_external_id": "SF-0",
            "period": "0000-05",
            "revenue": 0,
            "gross_margin": 0,
            "cost_to_serve": 0,
        }
    ]
    answer = crm.post(FINANCIALS, {"records": figures})
    assert answer.status_code == 400
    assert [(e["index"], e["field"]) for e in answer.json()["errors"]] == [(0, "period")], answer.json()
