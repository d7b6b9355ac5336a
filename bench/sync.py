"""Benchmark the CRM sync through real HTTP: gunicorn on PostgreSQL, 100,000 accounts, 2.4 million months.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_api .venv/bin/python bench/sync.py

Pushes every account, then 24 months of figures per account, in batches of 1,000, then the identical
data a second time (which must change nothing), then again with one record in ten changed (a renamed
account, a corrected month's revenue: what a nightly sync sends), and prints records/second and the
counts for each pass, with the load average (the machine may be shared). Then it
reads a 100-item page of /api/v1/accounts/ and prints its server time (in-process, the same Django
stack gunicorn runs, without the network) and its query count. Prints figures; asserts nothing.
Rows it made earlier (external ids starting BENCH-) are removed first.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from api.models import ApiKey, ApiScope  # noqa: E402

BATCH = 1000
PREFIX = "BENCH-"
INDUSTRIES = ["Steel", "Chemicals", "Automotive", "Food", "Pharma", "Energy", "Logistics", "Retail"]
COUNTRIES = ["PL", "DE", "FR", "CZ", "SE", "NL", "IT", "ES"]


CHANGED_EVERY = 10  # the third pass changes one record in ten


def changed(i: int, changes: bool) -> bool:
    return changes and i % CHANGED_EVERY == 0


def account_batches(n: int, *, changes: bool = False) -> list[bytes]:
    rows = [
        {
            "external_id": f"{PREFIX}{i:07d}",
            "name": f"Bench Customer {i}" + (" (renamed)" if changed(i, changes) else ""),
            "industry": INDUSTRIES[i % len(INDUSTRIES)],
            "country": COUNTRIES[i % len(COUNTRIES)],
            "currency": "EUR",
        }
        for i in range(n)
    ]
    return [json.dumps({"records": rows[i : i + BATCH]}).encode() for i in range(0, n, BATCH)]


def financial_batches(n: int, months: int, *, changes: bool = False) -> list[bytes]:
    batches, rows = [], []
    row = 0
    for i in range(n):
        for m in range(months):
            revenue = 10_000 + (i * 7919 + m * 104729) % 90_000 + changed(row, changes)
            row += 1
            rows.append(
                {
                    "account_external_id": f"{PREFIX}{i:07d}",
                    "period": f"{2024 + m // 12}-{m % 12 + 1:02d}",
                    "revenue": f"{revenue}.00",
                    "gross_margin": f"{revenue * 0.3:.2f}",
                    "cost_to_serve": f"{revenue * 0.05:.2f}",
                    "days_to_pay": 30 + i % 60,
                }
            )
            if len(rows) == BATCH:
                batches.append(json.dumps({"records": rows}).encode())
                rows = []
    if rows:
        batches.append(json.dumps({"records": rows}).encode())
    return batches


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def clean() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM accounts_financialperiod WHERE account_id IN "
            "(SELECT id FROM accounts_account WHERE external_id LIKE %s)",
            [PREFIX + "%"],
        )
        cursor.execute("DELETE FROM accounts_historicalaccount WHERE external_id LIKE %s", [PREFIX + "%"])
        cursor.execute("DELETE FROM accounts_account WHERE external_id LIKE %s", [PREFIX + "%"])


def push(base: str, key: str, path: str, batches: list[bytes], concurrency: int) -> tuple[float, dict]:
    """Send every batch (`concurrency` at a time, retrying on 429); return seconds and summed counts."""
    totals = {"created": 0, "updated": 0, "unchanged": 0}
    sessions: dict[int, requests.Session] = {}

    def send(body: bytes) -> dict:
        import threading

        session = sessions.setdefault(threading.get_ident(), requests.Session())
        while True:
            response = session.post(
                base + path,
                data=body,
                headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            )
            if response.status_code == 429:
                time.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code} {response.text[:500]}")
            return response.json()

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for result in pool.map(send, batches):
            for name in totals:
                totals[name] += result[name]
    return time.perf_counter() - started, totals


def page_timing(key: str, base: str) -> None:
    client = Client()
    headers = {"Authorization": f"Bearer {key}"}
    url = "/api/v1/accounts/?page_size=100"
    first = client.get(url, headers=headers).json()
    cursor_url = first["next"].replace("http://testserver", "")
    for label, target in (("first page", url), ("a later page", cursor_url)):
        times = []
        for _ in range(30):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(target, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and len(response.json()["results"]) == 100
        print(
            f"GET /api/v1/accounts/ 100 items, {label}: server time "
            f"median {statistics.median(times):.1f} ms, p90 {sorted(times)[26]:.1f} ms, "
            f"{len(queries)} queries"
        )
    session = requests.Session()
    times = []
    for _ in range(30):
        started = time.perf_counter()
        session.get(base + url, headers=headers).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    print(f"  (the same through gunicorn over HTTP: median {statistics.median(times):.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--concurrency", type=int, default=4, help="batches in flight at once")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument(
        "--read-only", action="store_true", help="only time the page, on the data already there"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Run the benchmark on PostgreSQL: set DATABASE_URL.")

    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    if not args.read_only:
        clean()
    ApiKey.objects.filter(name="bench").delete()
    _api_key, key = ApiKey.issue(name="bench", scope=ApiScope.SYNC)
    if args.read_only:
        args.accounts = 0
    print(f"Building {args.accounts:,} accounts and {args.accounts * args.months:,} monthly figures …")
    unchanged = account_batches(args.accounts), financial_batches(args.accounts, args.months)

    env = {**os.environ, "KAM_API_KEY_RATE": "1000000/min", "DJANGO_DEBUG": "0", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "kam.wsgi:application", "--bind", f"127.0.0.1:{args.port}",
         "--workers", str(args.workers), "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/api/v1/", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        print(
            f"gunicorn: {args.workers} workers; client: {args.concurrency} batches of {BATCH:,} in flight\n"
        )
        print(f"load average before: {load_average()}")
        for run in ("first pass", "second pass (identical)", "third pass (10 % changed)"):
            if args.read_only:
                break
            accounts, financials = unchanged
            if run.startswith("third"):  # built before the clock starts
                accounts = account_batches(args.accounts, changes=True)
                financials = financial_batches(args.accounts, args.months, changes=True)
            for label, path, batches, records in (
                ("accounts", "/api/v1/sync/accounts/", accounts, args.accounts),
                ("financial rows", "/api/v1/sync/financials/", financials, args.accounts * args.months),
            ):
                seconds, totals = push(base, key, path, batches, args.concurrency)
                rate = records / seconds
                print(f"{run:26} {label:15} {records:>10,} in {seconds:7.1f} s = {rate:>9,.0f} /s   {totals}")
        print(f"load average after:  {load_average()}  ({os.cpu_count()} cores)")
        print()
        page_timing(key, base)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
