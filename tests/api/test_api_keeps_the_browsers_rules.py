"""The API refuses what the browser refuses, and bad input gets a clear 400, never a 500."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Account, Stakeholder
from tests.factories import AccountFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


def _patch(client, url, body, etag='"1"'):
    return client.patch(url, body, content_type="application/json", headers={"If-Match": etag})


def _fields(response) -> set:
    return {error["field"] for error in response.json()["errors"]}


def test_a_contact_cannot_be_marked_as_gone_in_the_future_through_the_api(client, kam, account):
    person = StakeholderFactory(account=account, name="Anna")
    client.force_login(kam)
    tomorrow = timezone.localdate() + timedelta(days=1)
    for day in ("2099-01-01", tomorrow.isoformat()):
        response = _patch(client, f"/api/v1/contacts/{person.pk}/", {"left_on": day})
        assert response.status_code == 400, response.content
        assert _fields(response) == {"left_on"}
    person.refresh_from_db()
    assert (person.left_on, person.version) == (None, 1)


def test_a_contact_removed_from_the_map_is_not_found_for_a_patch_as_in_the_browser(client, kam, account):
    person = StakeholderFactory(account=account, name="Anna", archived_at=timezone.now())
    client.force_login(kam)
    response = _patch(client, f"/api/v1/contacts/{person.pk}/", {"title": "CFO"})
    assert response.status_code == 404
    browser = client.post(f"/accounts/{account.pk}/map/{person.pk}/", {"name": "Anna", "version": 1})
    assert browser.status_code == 404
    person.refresh_from_db()
    assert (person.title, person.version) == ("Procurement Director", 1)


def test_a_contact_patch_is_kept_in_history_with_its_author(client, kam, account):
    person = StakeholderFactory(account=account, name="Anna")
    client.force_login(kam)
    response = _patch(client, f"/api/v1/contacts/{person.pk}/", {"title": "CFO"})
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    last = person.history.order_by("-history_id").first()
    assert (last.title, last.version, last.history_user) == ("CFO", 2, kam)


def _deep(depth: int):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("kind", ["accounts", "contacts", "financials", "surveys"])
def test_json_nested_a_thousand_deep_is_refused_by_every_sync_endpoint(sync_key, client, kind):
    body = '{"records": ' + _deep(1000) + "}"
    response = client.post(
        f"/api/v1/sync/{kind}/",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {sync_key}"},
    )
    assert response.status_code == 400
    assert "nested" in response.json()["errors"][0]["message"]


def test_json_nested_a_thousand_deep_is_refused_by_a_patch(client, kam, account):
    person = StakeholderFactory(account=account)
    client.force_login(kam)
    response = client.patch(
        f"/api/v1/contacts/{person.pk}/",
        '{"title": ' + _deep(1000) + "}",
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 400
    assert "nested" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("depth", [19, 50, 500, 950])
def test_json_nested_deeper_than_any_record_is_refused_naming_the_nesting(client, sync_key, depth):
    response = client.post(
        "/api/v1/sync/accounts/",
        '{"records": [{"external_id": "SF-1", "name": ' + _deep(depth) + "}]}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {sync_key}"},
    )
    assert response.status_code == 400
    assert "nested" in response.json()["errors"][0]["message"]


def test_json_exactly_as_deep_as_allowed_reaches_the_field_checks(client, sync_key):
    # {"records": [{"name": ...}]} is three levels; 17 more make the 20 allowed.
    response = client.post(
        "/api/v1/sync/accounts/",
        '{"records": [{"external_id": "SF-1", "name": ' + _deep(17) + "}]}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {sync_key}"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"


def test_a_list_where_a_name_belongs_gets_a_field_error(api, sync_key):
    response = api(sync_key).post(
        "/api/v1/sync/accounts/", {"records": [{"external_id": "SF-1", "name": [[1]]}]}
    )
    assert response.status_code == 400
    assert "name" in _fields(response)


@pytest.mark.parametrize("cursor", ["cj0xJnA9eA==", "cD14", "cD0xZTk5OQ=="])
def test_a_malformed_cursor_is_refused_not_a_server_error(api, read_key, cursor):
    AccountFactory.create_batch(3)
    response = api(read_key).get("/api/v1/accounts/", {"cursor": cursor})
    assert response.status_code in (400, 404)
    assert "cursor" in response.json()["errors"][0]["message"].lower()


def test_a_contact_patch_names_nobody_at_another_account(client, kam, account, other_account):
    stranger = StakeholderFactory(account=other_account, name="Pierre Secret")
    person = StakeholderFactory(account=account, name="Anna")
    client.force_login(kam)
    response = _patch(client, f"/api/v1/contacts/{person.pk}/", {"reports_to": stranger.pk})
    assert response.status_code == 400
    assert "Pierre" not in response.content.decode()
    assert Stakeholder.objects.get(pk=person.pk).reports_to_id is None


def test_a_financial_month_in_year_9999_is_refused_by_the_sync(api, sync_key, account):
    response = api(sync_key).post(
        "/api/v1/sync/financials/",
        {"records": [{"account_external_id": account.external_id, "period": "9999-12", "revenue": 1,
                      "gross_margin": 1, "cost_to_serve": 0, "currency": "PLN"}]},
    )  # fmt: skip
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"period"}


@pytest.mark.parametrize("kind", ["accounts", "contacts", "financials", "surveys"])
def test_a_lone_surrogate_escape_is_refused_naming_where_it_is(sync_key, client, kind):
    """JSON may escape half of a UTF-16 pair (\\ud800); no database stores it, so it is a 400, not a 500."""
    body = '{"records": [{"external_id": "SF-1", "name": "Acme \\ud800 Steel"}]}'
    response = client.post(
        f"/api/v1/sync/{kind}/",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {sync_key}"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("records[0].name is not valid text")


def test_a_lone_surrogate_in_a_patch_is_refused(client, kam, account):
    person = StakeholderFactory(account=account)
    client.force_login(kam)
    response = client.patch(
        f"/api/v1/contacts/{person.pk}/",
        '{"title": "CFO \\udfff"}',
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert (
        response.status_code == 400 and "title is not valid text" in response.json()["errors"][0]["message"]
    )


def test_a_whole_surrogate_pair_is_text_like_any_other(client, sync_key):
    body = (
        '{"records": [{"external_id": "SF-9", "name": "Acme \\ud83d\\ude80", "currency": "EUR", '
        '"country": "PL"}]}'
    )
    response = client.post(
        "/api/v1/sync/accounts/",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {sync_key}"},
    )
    assert response.status_code == 200, response.content
    assert Account.objects.get(external_id="SF-9").name == "Acme 🚀"
