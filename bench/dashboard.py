"""Benchmark: the champion's portfolio dashboard's server time on PostgreSQL with 100,000 accounts.

Usage (a PostgreSQL database holding the 100k seed, e.g. a copy of kam_bench):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_dashboard_bench .venv/bin/python bench/dashboard.py \
        --runs 30 [--key-accounts 100]

The machine's load matters: on a shared 2-core box, run it when nothing else is; `uptime` is printed.

Renders the whole page (selectors, SVG matrix, template) through Django's test client as a logged-in
champion, after one warm-up request, and prints the median, 90th percentile and the query count; the
same for the league table's CSV export. `--key-accounts N` first promotes the best-scored candidates
(or demotes key accounts) until there are N key accounts: it changes data, so use a scratch copy.
Target: median under 150 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")


def _set_key_accounts(target: int) -> None:
    from datetime import date

    from accounts.models import Account, LifecycleStatus

    key = Account.objects.current().key_accounts()
    missing = target - key.count()
    if missing > 0:
        ids = list(
            Account.objects.current()
            .candidates()
            .filter(score__overall__isnull=False)
            .order_by("-score__overall")
            .values_list("pk", flat=True)[:missing]
        )
        Account.objects.filter(pk__in=ids).update(status=LifecycleStatus.KEY, key_since=date(2025, 1, 1))
    elif missing < 0:
        ids = list(key.order_by("pk").values_list("pk", flat=True)[:-missing])
        Account.objects.filter(pk__in=ids).update(status=LifecycleStatus.CANDIDATE, key_since=None)


def _time(client, url: str, runs: int) -> tuple[list[float], int]:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        assert client.get(url).status_code == 200  # first view after a recompute: totals not cached yet
        first = (time.perf_counter() - started) * 1000
    print(f"  {url}: first view {first:.1f} ms, {len(queries.captured_queries)} queries")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    steady_queries = len(queries)
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
    print(
        f"  {url}: Python CPU per view, median {statistics.median(cpu):.1f} ms (the rest: database, waiting)"
    )
    return times, steady_queries


def _time_what_if(client) -> None:
    """The criteria page's what-if (every account scored under the weights typed): cold, then warm."""
    from django.core.cache import cache
    from django.urls import reverse

    from programme.models import Criterion, Programme

    programme = Programme.load()
    data = {
        name: str(getattr(programme, name))
        for name in (
            "entry_threshold", "exit_threshold", "attractiveness_cutoff", "relationship_cutoff",
            "attractiveness_share",
        )
    }  # fmt: skip
    data["programme_version"] = str(programme.version)
    for criterion in Criterion.objects.active():
        data[f"weight_{criterion.pk}"] = str(criterion.weight)
        data[f"version_{criterion.pk}"] = str(criterion.version)
    cache.clear()
    times = []
    for _ in range(4):
        started = time.perf_counter()
        response = client.post(reverse("programme:criteria_preview"), data, HTTP_HX_REQUEST="true")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:500]
    print(
        f"what-if:               first {times[0]:7.0f} ms (after emptying the cache), "
        f"then median {statistics.median(times[1:]):7.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--key-accounts", type=int, default=None)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database holding the 100k seed.")

    import django

    django.setup()
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, reset_queries
    from django.test import Client
    from django.urls import reverse

    # Keep one connection across requests, as a server with persistent connections does, so that the
    # figures are the page's own work (and the query count can be captured).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request_started.disconnect(reset_queries)  # else each request empties the captured query log

    from accounts.models import Account, User

    if args.key_accounts is not None:
        _set_key_accounts(args.key_accounts)
    champion, _ = User.objects.get_or_create(username="bench-champion", defaults={"is_champion": True})
    if not champion.is_champion:
        champion.is_champion = True
        champion.save(update_fields=["is_champion"])
    client = Client()
    client.force_login(champion)

    accounts = Account.objects.count()
    key = Account.objects.current().key_accounts().count()
    print(f"accounts:              {accounts:>10,}")
    print(f"key accounts:          {key:>10,}")
    dashboard = reverse("portfolio:dashboard")
    pages = [
        ("dashboard", dashboard, args.runs),
        ("league CSV", reverse("portfolio:league_csv"), args.runs),
        # Loaded by the page after it is shown; slow by nature (retention reads every account), so few runs.
        ("measures fragment", f"{dashboard}?partial=measures", min(args.runs, 3)),
    ]
    for label, url, runs in pages:
        times, queries = _time(client, url, runs)
        times.sort()
        p90 = times[max(0, int(len(times) * 0.9) - 1)]
        print(
            f"{label + ':':<22} median {statistics.median(times):7.1f} ms   p90 {p90:7.1f} ms   "
            f"min {times[0]:7.1f} ms   {queries} queries   ({runs} runs)"
        )
    _time_what_if(client)
    print("target:                median < 150 ms for the dashboard")
    print("load average:          " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
