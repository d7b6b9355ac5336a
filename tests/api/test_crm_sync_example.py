"""examples/crm_sync.py pushes a CSV export through a live server, and waits out 429s."""

import importlib.util
import sys
from pathlib import Path

import pytest

from accounts.models import Account, FinancialPeriod, Stakeholder
from api.authentication import ApiKeyRateThrottle

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "crm_sync.py"


def load_example():
    spec = importlib.util.spec_from_file_location("crm_sync", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def export(tmp_path):
    accounts = ["external_id,name,industry,country,currency"] + [
        f"A{i},Customer {i},Steel,PL,PLN" for i in range(5)
    ]
    contacts = [
        "external_id,account_external_id,name,title,email,reports_to_external_id",
        "C1,A0,Anna Nowak,CEO,anna@example.com,",
        "C2,A0,Piotr Lis,CFO,,C1",
    ]
    figures = ["account_external_id,period,revenue,gross_margin,cost_to_serve,days_to_pay"] + [
        f"A{i},2026-0{m},1000.00,300.00,50.00,30" for i in range(5) for m in range(1, 4)
    ]
    files = {}
    for name, lines in (("accounts", accounts), ("contacts", contacts), ("financials", figures)):
        files[name] = tmp_path / f"{name}.csv"
        files[name].write_text("\n".join(lines) + "\n")
    return files


def run(monkeypatch, live_server, key, export):
    argv = ["crm_sync.py", "--url", live_server.url, "--key", key]
    for name, path in export.items():
        argv += [f"--{name}", str(path)]
    monkeypatch.setattr(sys, "argv", argv)
    load_example().main()


def test_the_example_client_pushes_an_export_in_batches_and_retries_on_429(
    transactional_db, live_server, sync_key, export, monkeypatch, capsys
):
    example = load_example()
    monkeypatch.setattr(example, "BATCH_SIZE", 2)
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "3/s"})
    argv = ["crm_sync.py", "--url", live_server.url, "--key", sync_key]
    for name, path in export.items():
        argv += [f"--{name}", str(path)]
    monkeypatch.setattr(sys, "argv", argv)
    example.main()
    out, err = capsys.readouterr()
    assert "slow down" in err
    assert "accounts: {'created': 5, 'updated': 0, 'unchanged': 0}" in out
    assert Account.objects.count() == 5 and FinancialPeriod.objects.count() == 15
    assert Stakeholder.objects.get(external_id="C2").reports_to.name == "Anna Nowak"


def test_a_refused_batch_prints_the_problems_and_stops(
    transactional_db, live_server, sync_key, export, monkeypatch, capsys
):
    export["contacts"].write_text("external_id,account_external_id,name\nC9,NOPE,Somebody\n")
    with pytest.raises(SystemExit):
        run(monkeypatch, live_server, sync_key, {"contacts": export["contacts"]})
    assert "field account_external_id" in capsys.readouterr().err
    assert not Stakeholder.objects.exists()
