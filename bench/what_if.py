"""Benchmark: the criteria page's what-if on PostgreSQL (target: under 1 s at 100,000 accounts).

Usage (a PostgreSQL database holding a seed with a recompute behind it, e.g. from bench/seed.py):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench .venv/bin/python bench/what_if.py --runs 7

Posts the what-if as the champion through Django's test client (scoring statement, both matrices,
the page of changes, the template) with a proposal that moves accounts: the first relationship
criterion's weight tripled and the attractiveness share at 0.5. Prints

- cold: each run on a new database connection (a new PostgreSQL backend: no plan or catalog cache)
  after emptying Django's cache: what the champion's first what-if of the day pays;
- warm: runs on one connection after a first one;
- the scoring statement alone (`what_if.preview`), warm;

each as a median, with the query count, the page's size, and `uptime` (the machine is shared: a
figure means little without its load).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")


def _form(proposal: bool) -> dict:
    from programme.models import Criterion, Programme

    programme = Programme.load()
    names = ("entry_threshold", "exit_threshold", "attractiveness_cutoff", "relationship_cutoff")
    data = {name: str(getattr(programme, name)) for name in names}
    data["attractiveness_share"] = "0.5" if proposal else str(programme.attractiveness_share)
    data["programme_version"] = str(programme.version)
    tripled = False
    for criterion in Criterion.objects.active():
        weight = criterion.weight
        if proposal and not tripled and criterion.group == "relationship" and criterion.source == "data":
            weight, tripled = weight * 3, True
        data[f"weight_{criterion.pk}"] = str(weight)
        data[f"version_{criterion.pk}"] = str(criterion.version)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database holding a seed with its recompute.")

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User
    from programme.models import AccountScore, Programme
    from programme.scoring import what_if
    from programme.scoring.engine import ScoringSettings

    # One connection across requests unless a run closes it on purpose (the cold runs).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request_started.disconnect(reset_queries)

    champion, _ = User.objects.get_or_create(username="bench-champion", defaults={"is_champion": True})
    if not champion.is_champion:
        champion.is_champion = True
        champion.save(update_fields=["is_champion"])
    client = Client()
    client.force_login(champion)
    url = reverse("programme:criteria_preview")
    data = _form(proposal=True)
    print(f"accounts scored:       {AccountScore.objects.count():>10,}")

    def post() -> tuple[float, int, int]:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.post(url, data, HTTP_HX_REQUEST="true")
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.content[:500]
        return elapsed, len(queries), len(response.content)

    cold = []
    for _ in range(args.runs):
        connection.close()
        cache.clear()
        cold.append(post()[0])
    post()
    warm, counts = [], set()
    for _ in range(args.runs):
        elapsed, queries, size = post()
        warm.append(elapsed)
        counts.add(queries)
    current = what_if.saved_side()
    proposed = what_if.side(current.rules, ScoringSettings.of(Programme.load(), attractiveness_share=0.5))
    statement = []
    for _ in range(args.runs):
        started = time.perf_counter()
        result = what_if.preview(current=current, proposed=proposed)
        statement.append((time.perf_counter() - started) * 1000)
    print(f"accounts that change:  {result.changed:>10,}   (share 0.5 alone; the page's proposal differs)")
    print(
        f"cold, median:          {statistics.median(cold):>10.0f} ms   (new connection, empty cache; < 1000)"
    )
    print(f"warm, median:          {statistics.median(warm):>10.0f} ms   (target < 1000)")
    print(f"statement, median:     {statistics.median(statement):>10.0f} ms   (what_if.preview alone)")
    print(f"queries per what-if:   {sorted(counts)}   page: {size / 1024:.0f} KiB")
    print("load:                 ", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
