"""The schema and docs are served from this machine; keys are created once, stored hashed, revocable."""

import re

import pytest
from django.core.management import call_command

from api.models import ApiKey, hash_key
from tests.factories import UserFactory
from tests.operations.environment import PRODUCTION, settings_in

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_lists_every_endpoint(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).json()
    syncs = {f"/api/v1/sync/{name}/" for name in ("accounts", "contacts", "financials")}
    reads = {
        f"/api/v1/{name}/"
        for name in ("accounts", "contacts", "financials", "interactions", "scores", "plans")
    }
    assert syncs | reads <= set(schema["paths"])


def test_the_docs_load_swagger_ui_from_our_static_files_not_a_cdn(client):
    page = client.get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("drf_spectacular_sidecar/swagger-ui-dist" in s for s in sources)
    assert not [s for s in sources if s.startswith(("http://", "https://", "//"))]


def test_create_api_key_prints_the_key_once_and_stores_only_its_hash(capsys):
    call_command("create_api_key", "--name", "HubSpot", "--scope", "read", "--quiet")
    raw = capsys.readouterr().out.strip()
    key = ApiKey.objects.get(name="HubSpot")
    assert raw.startswith("kam_") and key.scope == "read"
    assert key.key_hash == hash_key(raw) and raw not in (key.key_hash, key.prefix)


def test_a_key_revoked_in_the_admin_stops_working(admin_client, client, sync_key):
    key = ApiKey.objects.get()
    admin_client.post("/admin/api/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert client.get("/api/v1/accounts/", headers={"Authorization": f"Bearer {sync_key}"}).status_code == 401


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_closed_api_docs_turn_strangers_away_but_serve_people_and_keys(url, client, sync_key, settings):
    settings.KAM_PUBLIC_API_DOCS = False
    stranger = client.get(url, headers={"Accept": "application/json"} if "schema" in url else {})
    if "docs" in url:
        assert stranger.status_code == 302 and stranger["Location"].startswith("/login/?next=/api/docs/")
    else:
        assert stranger.status_code in (401, 403) and "paths" not in stranger.content.decode()
    assert client.get(url, headers={"Authorization": f"Bearer {sync_key}"}).status_code == 200
    client.force_login(UserFactory())
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_open_api_docs_serve_anyone(url, client, settings):
    settings.KAM_PUBLIC_API_DOCS = True
    assert client.get(url).status_code == 200


def test_api_docs_are_closed_in_production_unless_opened():
    assert settings_in("KAM_PUBLIC_API_DOCS", **PRODUCTION) == (0, "False")
    assert settings_in("KAM_PUBLIC_API_DOCS", **PRODUCTION, KAM_PUBLIC_API_DOCS="1") == (0, "True")
    assert settings_in("KAM_PUBLIC_API_DOCS") == (0, "True")
