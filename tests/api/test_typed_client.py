"""A client generated from /api/schema/ with openapi-python-client runs a CRM's sync against a live server.

Generated into a temporary folder on every run (nothing generated is committed): a schema that lies
(an enum value it does not list, a null it does not allow) makes the generated models raise while
parsing, so reading every list of the demo back through the client proves the schema true.
"""

import importlib
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from django.utils import timezone

from accounts.demo.records import DemoOptions
from accounts.models import Account
from api.authentication import ApiKeyRateThrottle
from programme.demo.seed import seed

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "kam_client"
CONFIG = f"package_name_override: {PACKAGE}\nproject_name_override: {PACKAGE}\npost_hooks: []\n"


@pytest.fixture
def kam_client(live_server, tmp_path):
    """The generated package, imported from the temporary folder and forgotten afterwards."""
    schema = httpx.get(f"{live_server.url}/api/schema/", headers={"Accept": "application/json"}, timeout=60)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    (tmp_path / "config.yaml").write_text(CONFIG)
    generated = subprocess.run(
        [GENERATOR, "generate", "--path", "schema.json", "--config", "config.yaml", "--meta", "none",
         "--output-path", PACKAGE],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout + generated.stderr
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    try:
        yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def read_all(operation, client, **filters) -> list:
    """Every page of a list, each parsed into the generated models."""
    items, cursor = [], None
    while True:
        extra = {"cursor": cursor} if cursor else {}
        page = operation.sync(client=client, page_size=1000, **filters, **extra)
        items += page.results
        if not page.next_:
            return items
        cursor = httpx.URL(page.next_).params["cursor"]


def test_a_generated_client_pushes_resends_reads_incrementally_patches_and_reads_every_enum(
    transactional_db, live_server, sync_key, kam_client, monkeypatch
):
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "100000/min"})
    seed(
        DemoOptions(accounts=12, key_accounts=4, months=14, seed=7, chunk_size=50, today=timezone.localdate())
    )
    client_module, models = kam_client("client"), kam_client("models")
    sync_accounts = kam_client("api.sync.sync_accounts_create")
    accounts_list = kam_client("api.accounts.accounts_list")
    accounts_retrieve = kam_client("api.accounts.accounts_retrieve")
    accounts_patch = kam_client("api.accounts.accounts_partial_update")
    client = client_module.AuthenticatedClient(
        base_url=live_server.url, token=sync_key, raise_on_unexpected_status=True
    )

    def batch(names):
        return models.SyncAccountsCreateAccountBatch(
            records=[
                models.SyncAccountsCreateAccountBatchRecordsItem(
                    external_id=f"SF-{i}", name=name, country="PL", currency="PLN"
                )
                for i, name in enumerate(names)
            ]
        )

    pushed = sync_accounts.sync(client=client, body=batch(["Baltic Foods", "Wisła Steel", "Łódź Paper"]))
    assert (pushed.created, pushed.updated, pushed.unchanged) == (3, 0, 0)
    again = sync_accounts.sync(client=client, body=batch(["Baltic Foods", "Wisła Steel", "Łódź Paper"]))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    since = datetime.now(UTC)
    renamed = sync_accounts.sync(client=client, body=batch(["Baltic Foods", "Wisła Steel", "Lodz Paper"]))
    assert (renamed.updated, renamed.unchanged) == (1, 2)
    changed = read_all(accounts_list, client, updated_since=since)
    assert [account.external_id for account in changed] == ["SF-2"]

    read = accounts_retrieve.sync_detailed(id=changed[0].id, client=client)
    etag = read.headers["ETag"]
    body = models.PatchedAccountPatchRequest(industry="Paper")
    assert (
        accounts_patch.sync_detailed(id=changed[0].id, client=client, body=body, if_match=etag).status_code
        == 200
    )
    stale = accounts_patch.sync_detailed(
        id=changed[0].id,
        client=client,
        body=models.PatchedAccountPatchRequest(industry="Pulp"),
        if_match=etag,
    )
    assert stale.status_code == 412 and isinstance(stale.parsed, models.ErrorList)
    assert Account.objects.get(external_id="SF-2").industry == "Paper"

    # Every list read back through the generated models: each enum value and null must parse.
    for name in ("accounts", "contacts", "financials", "interactions", "plans", "surveys"):
        assert read_all(kam_client(f"api.{name}.{name}_list"), client), name
    scores = read_all(kam_client("api.scores.scores_list"), client)
    assert None in {score.quadrant for score in scores}
    assert {score.quadrant for score in scores} - {None} <= set(models.QuadrantEnum)
    assert {score.relationship_stage for score in scores} - {None} <= set(models.RelationshipStageEnum)
    assert {type(score.recommendation) for score in scores} == {models.RecommendationEnum}
