"""Integration keys of each scope, and a client that sends one."""

import pytest

from api.models import ApiKey, ApiScope


@pytest.fixture
def sync_key(db):
    return ApiKey.issue(name="Salesforce nightly", scope=ApiScope.SYNC)[1]


@pytest.fixture
def read_key(db):
    return ApiKey.issue(name="BI dashboard", scope=ApiScope.READ)[1]


@pytest.fixture
def revoked_key(db):
    api_key, raw = ApiKey.issue(name="Old ERP", scope=ApiScope.SYNC)
    api_key.revoke()
    return raw


@pytest.fixture
def api(client):
    """api(key).get/post/patch(...): JSON in and out, sending `Authorization: Bearer <key>` if given."""

    class Api:
        def __init__(self, key=None):
            self.headers = {"Authorization": f"Bearer {key}"} if key else {}

        def get(self, url, data=None, **headers):
            return client.get(url, data, headers={**self.headers, **headers})

        def post(self, url, body, **headers):
            return client.post(
                url, body, content_type="application/json", headers={**self.headers, **headers}
            )

        def patch(self, url, body, **headers):
            return client.patch(
                url, body, content_type="application/json", headers={**self.headers, **headers}
            )

    return Api
