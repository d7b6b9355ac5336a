"""PATCH with If-Match: each role changes what it may change in the web app; a stale ETag changes nothing."""

import pytest

from accounts.models import Attitude, Stakeholder
from tests.api.test_reads import KEYS, caller
from tests.conftest import ROLES
from tests.factories import StakeholderFactory

pytestmark = pytest.mark.django_db

# What each caller may do to Magda's account: the champion's form, Magda's form, the CRM's fields.
ACCOUNT_PATCH = {
    "champion": {"name": 200, "industry": 200, "kam": 200},
    "kam": {"name": 403, "industry": 200, "kam": 403},
    "other_kam": {"name": 404, "industry": 404, "kam": 404},
    "sponsor": {"name": 403, "industry": 403, "kam": 403},
    "team_member": {"name": 403, "industry": 403, "kam": 403},
    "outsider": {"name": 404, "industry": 404, "kam": 404},
    "anonymous": {"name": 401, "industry": 401, "kam": 401},
    "sync_key": {"name": 200, "industry": 200, "kam": 403},
    "read_key": {"name": 403, "industry": 403, "kam": 403},
    "revoked_key": {"name": 401, "industry": 401, "kam": 401},
    "no_key": {"name": 401, "industry": 401, "kam": 401},
}
VALUES = {"name": "Baltic Steel SA", "industry": "Metals", "kam": "oliver"}


@pytest.mark.parametrize("field", ["name", "industry", "kam"])
@pytest.mark.parametrize("role", ROLES + KEYS)
def test_each_role_patches_an_account_as_in_the_web_app(
    request, api, as_role, account, other_kam, role, field
):
    response = caller(role, request, api, as_role).patch(
        f"/api/v1/accounts/{account.pk}/", {field: VALUES[field]}, **{"If-Match": '"1"'}
    )
    expected = ACCOUNT_PATCH[role][field]
    assert response.status_code == expected, response.content
    account.refresh_from_db()
    stored = account.kam.username if field == "kam" else getattr(account, field)
    assert (stored == VALUES[field]) == (expected == 200)
    if expected == 200:
        assert response["ETag"] == '"2"'
        assert response.json()["version"] == 2


@pytest.mark.parametrize("role", ROLES + KEYS)
def test_each_role_patches_a_contact_as_in_the_web_app(request, api, as_role, account, role):
    person = StakeholderFactory(account=account, name="Anna")
    body = {"attitude": Attitude.SUPPORTER} if role != "sync_key" else {"title": "CFO"}
    response = caller(role, request, api, as_role).patch(
        f"/api/v1/contacts/{person.pk}/", body, **{"If-Match": '"1"'}
    )
    expected = {"champion": 200, "kam": 200, "sync_key": 200, "sponsor": 403, "team_member": 403,
                "read_key": 403, "other_kam": 404, "outsider": 404}.get(role, 401)  # fmt: skip
    assert response.status_code == expected
    person.refresh_from_db()
    assert (person.version == 2) == (expected == 200)


def test_the_crm_may_not_patch_what_people_entered(api, sync_key, account):
    person = StakeholderFactory(account=account)
    response = api(sync_key).patch(
        f"/api/v1/contacts/{person.pk}/", {"influence": 5, "title": "CEO"}, **{"If-Match": '"1"'}
    )
    assert response.status_code == 403
    assert response.json()["errors"] == [
        {"field": "influence", "message": "Your role may not change this field."}
    ]
    person.refresh_from_db()
    assert (person.title, person.version) == ("Procurement Director", 1)


def test_a_stale_if_match_gets_412_and_changes_nothing(client, kam, account):
    client.force_login(kam)
    url = f"/api/v1/accounts/{account.pk}/"
    etag = client.get(url)["ETag"]
    assert etag == '"1"'
    first = client.patch(
        url, {"industry": "Metals"}, content_type="application/json", headers={"If-Match": etag}
    )
    assert first.status_code == 200
    second = client.patch(
        url, {"industry": "Mining"}, content_type="application/json", headers={"If-Match": etag}
    )
    assert second.status_code == 412
    assert "changed" in second.json()["errors"][0]["message"]
    account.refresh_from_db()
    assert (account.industry, account.version) == ("Metals", 2)


def test_a_patch_without_if_match_gets_428(client, kam, account):
    client.force_login(kam)
    response = client.patch(
        f"/api/v1/accounts/{account.pk}/", {"industry": "X"}, content_type="application/json"
    )
    assert response.status_code == 428


def test_a_crm_rename_makes_an_old_etag_stale(api, sync_key, client, kam, account):
    client.force_login(kam)
    etag = client.get(f"/api/v1/accounts/{account.pk}/")["ETag"]
    api(sync_key).post(
        "/api/v1/sync/accounts/",
        {"records": [{"external_id": account.external_id, "name": "Baltic Steel SA"}]},
    )
    response = client.patch(
        f"/api/v1/accounts/{account.pk}/", {"industry": "X"}, content_type="application/json",
        headers={"If-Match": etag},
    )  # fmt: skip
    assert response.status_code == 412


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"currency": "EURO"}, "currency"),
        ({"kam": "nobody-by-that-name"}, "kam"),
        ({"colour": "red"}, "colour"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_patch_values_name_the_field(client, champion, account, body, field):
    client.force_login(champion)
    response = client.patch(
        f"/api/v1/accounts/{account.pk}/", body, content_type="application/json", headers={"If-Match": '"1"'}
    )
    assert response.status_code == 400
    assert field in {e["field"] for e in response.json()["errors"]}
    account.refresh_from_db()
    assert account.version == 1


def test_a_patch_is_kept_in_history_with_its_author(client, kam, account):
    client.force_login(kam)
    client.patch(
        f"/api/v1/accounts/{account.pk}/", {"industry": "Metals"}, content_type="application/json",
        headers={"If-Match": '"1"'},
    )  # fmt: skip
    latest = account.history.first()
    assert (latest.industry, latest.history_user) == ("Metals", kam)
    assert Stakeholder.history.count() == 0


def test_a_kam_moves_a_contact_on_the_org_chart_and_names_our_relationship_owner(api, as_role, account, kam):
    boss, person = StakeholderFactory(account=account, name="Boss"), StakeholderFactory(account=account)
    response = as_role("kam").patch(
        f"/api/v1/contacts/{person.pk}/",
        {"reports_to": boss.pk, "relationship_owner": kam.username},
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.content
    assert response.json()["reports_to"] == boss.pk
    assert response.json()["relationship_owner"] == kam.username
    person.refresh_from_db()
    assert (person.reports_to_id, person.relationship_owner_id) == (boss.pk, kam.pk)


def test_a_contact_cannot_report_to_someone_elsewhere_or_in_a_circle(api, as_role, account, other_account):
    boss, person = StakeholderFactory(account=account), StakeholderFactory(account=account)
    elsewhere = StakeholderFactory(account=other_account, name="Someone Elsewhere")
    Stakeholder.objects.filter(pk=person.pk).update(reports_to=boss)
    client = as_role("kam")
    for target, version in ((elsewhere, '"1"'), (person, '"1"')):
        response = client.patch(
            f"/api/v1/contacts/{boss.pk}/",
            {"reports_to": target.pk},
            content_type="application/json",
            headers={"If-Match": version},
        )
        assert response.status_code == 400, response.content
        assert [e["field"] for e in response.json()["errors"]] == ["reports_to"]
        assert "Someone Elsewhere" not in response.content.decode()
    boss.refresh_from_db()
    assert boss.reports_to_id is None and boss.version == 1


def test_the_crm_moves_people_on_the_chart_only_through_the_sync(api, sync_key, account):
    boss, person = StakeholderFactory(account=account), StakeholderFactory(account=account)
    response = api(sync_key).patch(
        f"/api/v1/contacts/{person.pk}/", {"reports_to": boss.pk}, **{"If-Match": '"1"'}
    )
    assert response.status_code == 403
