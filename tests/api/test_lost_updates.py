"""A CRM reading an account through the API is told when the account changed in the browser since."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import LifecycleStatus
from programme.services import lifecycle_change
from tests.test_lost_updates import _opened_form

pytestmark = pytest.mark.django_db


def _browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_a_crm_patch_based_on_the_version_before_a_browser_rename_is_refused(
    api, sync_key, champion, account
):
    assert api(sync_key).get(f"/api/v1/accounts/{account.pk}/")["ETag"] == '"1"'
    industry = account.industry
    jan = _browser(champion)
    url = reverse("accounts:edit", args=[account.pk])
    assert jan.post(url, _opened_form(jan, url) | {"name": "Baltic Steel Group"}).status_code == 302
    response = api(sync_key).patch(
        f"/api/v1/accounts/{account.pk}/", {"industry": "Metals"}, **{"If-Match": '"1"'}
    )
    assert response.status_code == 412
    account.refresh_from_db()
    assert (account.name, account.industry) == ("Baltic Steel Group", industry)


def test_a_lifecycle_change_moves_the_version_and_the_etag(api, sync_key, champion, account):
    before = api(sync_key).get(f"/api/v1/accounts/{account.pk}/")["ETag"]
    lifecycle_change(
        account=account,
        to_status=LifecycleStatus.EXITED,
        effective_on=date.today(),
        reason="Left",
        by=champion,
    )
    after = api(sync_key).get(f"/api/v1/accounts/{account.pk}/")["ETag"]
    assert after != before
    assert account.history.latest("history_date").history_user == champion
