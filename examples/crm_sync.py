"""Push a CRM's CSV export into kam through the REST API, in batches, retrying when told to slow down.

    python examples/crm_sync.py --url http://127.0.0.1:8000 --key "$KAM_SYNC_KEY" \\
        --accounts accounts.csv --contacts contacts.csv --financials financials.csv

Each CSV has a header row naming the API's fields (see /api/docs/), for example
    accounts.csv:   external_id,name,industry,country,currency
    contacts.csv:   external_id,account_external_id,name,title,department,email,phone,reports_to_external_id
    financials.csv: account_external_id,period,revenue,gross_margin,cost_to_serve,days_to_pay,currency
Empty cells are left out, so kam keeps what it has. Accounts go first (contacts and figures point at
them). A refused batch prints every problem kam named and stops: nothing of that batch was saved.
Needs only the `requests` package.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Iterator

import requests

BATCH_SIZE = 1000  # the most kam takes in one request
MAX_RETRIES = 8


def read_batches(path: str) -> Iterator[list[dict]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        batch = []
        for row in csv.DictReader(handle):
            record = {name: value for name, value in row.items() if name and value not in ("", None)}
            if "days_to_pay" in record:
                record["days_to_pay"] = int(record["days_to_pay"])
            batch.append(record)
            if len(batch) == BATCH_SIZE:
                yield batch
                batch = []
        if batch:
            yield batch


def push(session: requests.Session, url: str, records: list[dict]) -> dict:
    """POST one batch; on 429 wait as long as Retry-After says, then send it again."""
    for _attempt in range(MAX_RETRIES):
        response = session.post(url, json={"records": records}, timeout=120)
        if response.status_code == 429:
            wait = float(response.headers.get("Retry-After", "5"))
            print(f"  kam asks us to slow down; waiting {wait:.0f} s", file=sys.stderr)
            time.sleep(wait)
            continue
        if response.status_code == 400:
            for error in response.json()["errors"]:
                where = (
                    f"record {error.get('index')} ({error.get('external_id')})"
                    if "index" in error
                    else "request"
                )
                print(f"  {where}, field {error['field']}: {error['message']}", file=sys.stderr)
            raise SystemExit("The batch was refused; fix the export and run again (it is safe to repeat).")
        response.raise_for_status()
        return response.json()
    raise SystemExit(f"Still throttled after {MAX_RETRIES} tries; try again later.")


def main() -> None:
    parser = argparse.ArgumentParser(description="Push a CRM's CSV export into kam.")
    parser.add_argument("--url", required=True, help="kam's address, e.g. https://kam.example.com")
    parser.add_argument("--key", required=True, help="an integration key with the sync scope")
    for kind in ("accounts", "contacts", "financials"):
        parser.add_argument(f"--{kind}", help=f"CSV file of {kind}")
    args = parser.parse_args()

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {args.key}"
    for kind in ("accounts", "contacts", "financials"):  # in this order: later ones refer to accounts
        path = getattr(args, kind)
        if not path:
            continue
        totals = {"created": 0, "updated": 0, "unchanged": 0}
        for number, records in enumerate(read_batches(path), start=1):
            result = push(session, f"{args.url.rstrip('/')}/api/v1/sync/{kind}/", records)
            totals = {name: totals[name] + result[name] for name in totals}
            print(f"{kind} batch {number}: {result}")
        print(f"{kind}: {totals}")


if __name__ == "__main__":
    main()
