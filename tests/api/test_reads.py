"""Reads for every role and key: each list shows exactly what accounts/permissions.py allows, in fixed
queries."""

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Account
from programme.models import AccountScore, Quadrant
from tests.accounts.plan_factories import ActionFactory, ObjectiveFactory, PlanFactory
from tests.conftest import ROLES
from tests.factories import AccountFactory, FinancialPeriodFactory, InteractionFactory, StakeholderFactory

pytestmark = pytest.mark.django_db

LISTS = ["accounts", "contacts", "financials", "interactions", "scores", "plans"]
KEYS = ["sync_key", "read_key", "revoked_key", "no_key"]


def populate(account, n=1):
    """n of everything the API lists, for one account."""
    if not hasattr(account, "score"):
        AccountScore.objects.create(
            account=account, computed_at=timezone.now(), overall=50, quadrant=Quadrant.STAR, clv=1000
        )
    start = account.stakeholders.count()
    for i in range(start, start + n):
        person = StakeholderFactory(account=account, external_id=f"{account.external_id}-C{i}")
        FinancialPeriodFactory(account=account, period=date(2020 + i // 12, i % 12 + 1, 1))
        InteractionFactory(account=account, stakeholders=[person])
        plan = PlanFactory(
            account=account, period_start=date(2000 + i, 1, 1), period_end=date(2000 + i, 12, 31)
        )
        ActionFactory(plan=plan, objective=ObjectiveFactory(plan=plan))


@pytest.fixture
def world(account, other_account):
    archived = AccountFactory(name="Gone GmbH", archived_at=timezone.now())
    for each in (account, other_account, archived):
        populate(each)
    return {"account": account, "other": other_account, "archived": archived}


def caller(role, request, api, as_role):
    """A client for a role from tests/conftest.py, or for a key (or no key)."""
    if role in KEYS:
        key = None if role == "no_key" else request.getfixturevalue(role)
        return api(key)
    client = as_role(role)

    class Session:
        def get(self, url, data=None, **headers):
            return client.get(url, data, headers=headers)

        def patch(self, url, body, **headers):
            return client.patch(url, body, content_type="application/json", headers=headers)

    return Session()


def account_refs(item):
    return item.get("account_external_id", item.get("external_id"))


def expected_accounts(role, world):
    a, o, x = (world[k].external_id for k in ("account", "other", "archived"))
    return {
        "champion": {a, o, x},
        "kam": {a},
        "other_kam": {o},
        "sponsor": {a},
        "team_member": {a},
        "outsider": set(),
        "sync_key": {a, o, x},
        "read_key": {a, o, x},
    }.get(role)


@pytest.mark.parametrize("resource", LISTS)
@pytest.mark.parametrize("role", ROLES + KEYS)
def test_every_list_shows_each_role_and_key_exactly_what_they_may_see(
    request, api, as_role, world, role, resource
):
    response = caller(role, request, api, as_role).get(f"/api/v1/{resource}/")
    expected = expected_accounts(role, world)
    if expected is None:
        assert response.status_code == 401
        assert response.json()["errors"][0]["message"]
        return
    assert response.status_code == 200
    assert {account_refs(item) for item in response.json()["results"]} == expected


@pytest.mark.parametrize("resource", LISTS)
@pytest.mark.parametrize("role", ROLES + KEYS)
def test_every_detail_is_found_only_by_those_who_may_see_it(request, api, as_role, world, role, resource):
    client = caller(role, request, api, as_role)
    expected = expected_accounts(role, world)
    for which in ("account", "other"):
        account = world[which]
        row = {
            "accounts": account,
            "contacts": account.stakeholders.first(),
            "financials": account.financial_periods.first(),
            "interactions": account.interactions.first(),
            "scores": getattr(account, "score", None),
            "plans": account.plans.first(),
        }[resource]
        response = client.get(f"/api/v1/{resource}/{row.pk}/")
        if expected is None:
            assert response.status_code == 401
        elif account.external_id in expected:
            assert response.status_code == 200
            assert response["ETag"]
        else:
            assert response.status_code == 404


def test_an_archived_account_stays_visible_to_sync_marked_archived(api, read_key, world):
    results = api(read_key).get("/api/v1/accounts/").json()["results"]
    archived = {item["external_id"]: item["archived"] for item in results}
    assert archived == {world["account"].external_id: False, world["other"].external_id: False,
                        world["archived"].external_id: True}  # fmt: skip
    only = api(read_key).get("/api/v1/accounts/", {"archived": "true"}).json()["results"]
    assert [item["external_id"] for item in only] == [world["archived"].external_id]


def test_the_months_of_an_archived_account_are_marked_archived_too(api, read_key, world):
    results = api(read_key).get("/api/v1/financials/", {"page_size": 1000}).json()["results"]
    archived = {item["account_external_id"] for item in results if item["archived"]}
    assert archived == {world["archived"].external_id}
    only = api(read_key).get("/api/v1/financials/", {"archived": "false", "page_size": 1000}).json()
    assert world["archived"].external_id not in {item["account_external_id"] for item in only["results"]}


def test_updated_since_returns_only_what_changed_after_it(api, read_key, world):
    since = timezone.now()
    Account.objects.filter(pk=world["other"].pk).update(updated_at=timezone.now())
    results = api(read_key).get("/api/v1/accounts/", {"updated_since": since.isoformat()}).json()["results"]
    assert [item["external_id"] for item in results] == [world["other"].external_id]


def test_updated_since_takes_any_iso_offset_and_refuses_a_time_out_of_range(api, read_key, world):
    # ISO 8601 allows offsets PostgreSQL refuses (past ±16 hours): the time is read in UTC first.
    since = (timezone.now() - timezone.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S") + "+18:30"
    assert api(read_key).get("/api/v1/accounts/", {"updated_since": since}).status_code == 200
    response = api(read_key).get("/api/v1/accounts/", {"updated_since": "0001-01-01T00:00:00+05:00"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["updated_since"]


def test_a_bad_filter_value_is_a_400_naming_the_filter(api, read_key, world):
    response = api(read_key).get("/api/v1/accounts/", {"updated_since": "last tuesday", "status": "vip"})
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"updated_since", "status"}


def test_lists_filter_by_status_kam_industry_country_and_quadrant(api, read_key, world, kam):
    crm = api(read_key)
    Account.objects.filter(pk=world["other"].pk).update(industry="Chemicals")
    assert {
        i["external_id"] for i in crm.get("/api/v1/accounts/", {"industry": "Chemicals"}).json()["results"]
    } == {world["other"].external_id}
    for resource in LISTS:
        results = crm.get(f"/api/v1/{resource}/", {"kam": kam.username, "country": "PL", "status": "key",
                                                   "quadrant": "star"}).json()["results"]  # fmt: skip
        assert {account_refs(item) for item in results} == {world["account"].external_id}, resource


def test_cursor_pages_walk_every_record_once_in_a_stable_order(api, read_key):
    AccountFactory.create_batch(7)
    crm, seen, url = api(read_key), [], "/api/v1/accounts/?page_size=3"
    while url:
        page = crm.get(url).json()
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
    assert seen == sorted(Account.objects.values_list("id", flat=True))


def test_a_broken_cursor_is_a_404_not_a_500(api, read_key):
    response = api(read_key).get("/api/v1/accounts/", {"cursor": "garbage"})
    assert response.status_code == 404


def test_scores_carry_clv_quadrant_and_recommendation(api, read_key, world):
    [score] = (
        api(read_key)
        .get("/api/v1/scores/", {"account_external_id": world["account"].external_id})
        .json()["results"]
    )
    assert score["external_id"] == world["account"].external_id
    assert (score["quadrant"], score["clv"], score["recommendation"]) == ("star", "1000.00", "none")


def test_plans_come_with_their_objectives_and_actions(api, read_key, world):
    [plan] = (
        api(read_key)
        .get("/api/v1/plans/", {"account_external_id": world["account"].external_id})
        .json()["results"]
    )
    assert len(plan["objectives"]) == 1 and len(plan["actions"]) == 1
    assert plan["actions"][0]["objective"] == plan["objectives"][0]["id"]
    action = plan["actions"][0]
    assert "assigned_by" in action and action["status"] in ("open", "in_progress", "done")


@pytest.mark.parametrize("resource", LISTS)
def test_lists_run_a_fixed_number_of_queries_for_small_and_large_data(
    api, read_key, client, champion, programme, resource, django_assert_max_num_queries
):
    accounts = AccountFactory.create_batch(2)
    # Scores also carry the page's measures: programme, rates and five reads for the whole page.
    measures = 7 if resource == "scores" else 0
    for size in (1, 12):
        for account in accounts:
            populate(account, size if size == 1 else 11)
        with django_assert_max_num_queries(
            5 + measures
        ):  # key and its last use, page, two prefetches at most
            response = api(read_key).get(f"/api/v1/{resource}/")
        assert response.status_code == 200
        client.force_login(champion)
        with django_assert_max_num_queries(7 + measures):  # session, user, page, two prefetches, role scope
            assert client.get(f"/api/v1/{resource}/").status_code == 200


def test_the_browser_session_needs_its_csrf_token_to_write(champion, world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(champion)
    account = world["account"]
    response = browser.patch(
        f"/api/v1/accounts/{account.pk}/",
        {"name": "X"},
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["errors"][0]["message"]
    account.refresh_from_db()
    assert account.name == "Baltic Steel"


def test_the_hand_written_account_output_matches_drf_field_by_field(world, kam):
    from decimal import Decimal

    from rest_framework import serializers as drf

    from api.serializers import AccountSerializer

    account = world["account"]
    Account.objects.filter(pk=account.pk).update(
        retention_estimate=Decimal("0.85"), exited_on=date(2025, 1, 2)
    )
    account = Account.objects.select_related("kam", "executive_sponsor").get(pk=account.pk)
    by_drf = drf.ModelSerializer.to_representation(AccountSerializer(), account)
    assert AccountSerializer(account).data == by_drf
