"""Load benchmark: concurrent people and a CRM on the pages they use, through gunicorn, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench .venv/bin/python bench/seed.py --accounts 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench .venv/bin/python bench/load.py

Starts gunicorn (kam/gunicorn.conf.py, `--workers` processes) on the seeded database, or uses one
already running (`--url`), then runs `--clients` clients (20) for `--duration` seconds (60). A third of
them are the champion (portfolio, the account list sorted and searched, a key account's page), a third
a KAM (My accounts, one of their accounts), a third an integration key reading the API (accounts,
scores, financials, a page each). Each client sends its next request as soon as the last one answered.
Prints requests/second and the 50th, 95th and 99th percentile times, overall and per page, any answer
that was not 200, and the load average before and after (the machine may be shared: figures move
with it). Needs the demo people of `seed_demo` (bench/seed.py); asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from accounts.demo.records import DEMO_PASSWORD  # noqa: E402
from accounts.models import Account, User  # noqa: E402
from api.models import ApiKey, ApiScope  # noqa: E402

CHAMPION, KAM = "jan", "magda"


def pages() -> dict[str, list[tuple[str, str]]]:
    """(label, path) each kind of client cycles through, from the seeded data."""
    champion_account = Account.objects.key_accounts().order_by("pk").values_list("pk", flat=True).first()
    kam = User.objects.get(username=KAM)
    kam_accounts = list(Account.objects.filter(kam=kam).order_by("pk").values_list("pk", flat=True)[:20])
    if champion_account is None or not kam_accounts:
        raise SystemExit("No key accounts or no accounts of the KAM: seed with bench/seed.py first.")
    return {
        "champion": [
            ("portfolio", "/portfolio/"),
            ("account list", "/accounts/"),
            ("account list by revenue", "/accounts/?sort=-revenue"),
            ("account search", "/accounts/?q=steel"),
            ("key account page", f"/accounts/{champion_account}/"),
        ],
        "kam": [("my accounts", "/accounts/mine/")]
        + [("KAM's account page", f"/accounts/{pk}/") for pk in kam_accounts[:1]],
        "api": [
            ("API accounts", "/api/v1/accounts/?page_size=100"),
            ("API scores", "/api/v1/scores/?page_size=100"),
            ("API financials", "/api/v1/financials/?page_size=100"),
        ],
    }


def signed_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    login = session.get(f"{base}/login/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
    if token is None:
        raise SystemExit(f"No login form at {base}/login/ (status {login.status_code}).")
    answer = session.post(
        f"{base}/login/",
        data={"csrfmiddlewaretoken": token.group(1), "username": username, "password": DEMO_PASSWORD},
        headers={"Referer": f"{base}/login/", "Origin": base},
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code != 302:
        raise SystemExit(f"{username} could not sign in ({answer.status_code}); seed with bench/seed.py.")
    return session


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_load(base: str, clients: int, duration: float, key: str, server_pid: int | None = None) -> None:
    mix = pages()
    sessions = []
    for index in range(clients):
        kind = ("champion", "kam", "api")[index % 3]
        if kind == "api":
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {key}"
        else:
            session = signed_in(base, CHAMPION if kind == "champion" else KAM)
        sessions.append((kind, session))

    times: dict[str, list[float]] = defaultdict(list)
    failures: dict[tuple[str, int | str], int] = defaultdict(int)
    lock = threading.Lock()
    stop_at, began, ended, cpu_before = [0.0], [0.0], [0.0], {}

    def go() -> None:
        # Once every client has warmed up: the clock and the server's CPU count from here.
        print(f"load average before: {load_average()}  ({os.cpu_count()} cores)")
        cpu_before.update({pid: t for pids in server_cpu(server_pid).values() for pid, t in pids.items()})
        began[0] = time.perf_counter()
        stop_at[0] = began[0] + duration

    start = threading.Barrier(clients + 1, action=go)

    def client(index: int, kind: str, session: requests.Session) -> None:
        rng = random.Random(index)
        own = mix[kind][:]
        rng.shuffle(own)
        for _label, path in own:  # warm-up, not counted: each worker's first request loads templates
            session.get(base + path, timeout=120, allow_redirects=False)
        start.wait()
        turn = 0
        while time.perf_counter() < stop_at[0]:
            label, path = own[turn % len(own)]
            turn += 1
            began = time.perf_counter()
            try:
                status = session.get(base + path, timeout=120, allow_redirects=False).status_code
            except requests.RequestException as error:
                status = type(error).__name__
            took = (time.perf_counter() - began) * 1000
            with lock:
                ended[0] = max(ended[0], time.perf_counter())
                times[label].append(took)
                if status != 200:
                    failures[(label, status)] += 1

    threads = [
        threading.Thread(target=client, args=(i, kind, session), daemon=True)
        for i, (kind, session) in enumerate(sessions)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    # PostgreSQL closes a backend when gunicorn's connection reaches DATABASE_CONN_MAX_AGE (60 s): look
    # every second, so that a backend gone during the run counts the CPU it had last time it was seen.
    seen: dict[str, dict[int, float]] = {}
    while any(thread.is_alive() for thread in threads):
        for part, pids in server_cpu(server_pid).items():
            seen.setdefault(part, {}).update({pid: t for pid, t in pids.items() if t})
        time.sleep(1)
    for thread in threads:
        thread.join()
    elapsed = ended[0] - began[0]
    for part, pids in server_cpu(server_pid).items():
        seen.setdefault(part, {}).update({pid: t for pid, t in pids.items() if t})
    cpu_after = seen
    print(f"load average after:  {load_average()}\n")

    every = [t for label_times in times.values() for t in label_times]
    print(
        f"{clients} clients for {elapsed:.0f} s: {len(every):,} requests = {len(every) / elapsed:.1f} req/s; "
        f"p50 {percentile(every, 0.50):.0f} ms, p95 {percentile(every, 0.95):.0f} ms, "
        f"p99 {percentile(every, 0.99):.0f} ms"
    )
    if cpu_after:
        # CPU the server spent (gunicorn's processes, PostgreSQL's backends on this database): unlike
        # the times above it hardly moves with what else runs on a shared machine.
        spent = {
            part: sum(t - cpu_before.get(pid, 0.0) for pid, t in pids.items())  # new ones: all theirs
            for part, pids in cpu_after.items()
        }
        print(
            f"server CPU per request: {1000 * (spent['gunicorn'] + spent['postgresql']) / len(every):.0f} ms "
            f"(gunicorn {1000 * spent['gunicorn'] / len(every):.0f} ms, "
            f"PostgreSQL {1000 * spent['postgresql'] / len(every):.0f} ms)"
        )
    print(f"\n{'page':26} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for label, label_times in sorted(times.items()):
        print(
            f"{label:26} {len(label_times):>8} {percentile(label_times, 0.5):>8.0f} "
            f"{percentile(label_times, 0.95):>8.0f} {percentile(label_times, 0.99):>8.0f} "
            f"{statistics.fmean(label_times):>8.0f}"
        )
    if failures:
        print("\nanswers other than 200:")
        for (label, status), count in sorted(failures.items(), key=str):
            print(f"  {label}: {status} x {count}")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of a process so far, from /proc (Linux); 0 for one that has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(server_pid: int | None) -> dict[str, dict[int, float]]:
    """CPU seconds by process of the gunicorn we started and of PostgreSQL's backends on this
    database (when they run on this machine); empty without a gunicorn of ours or without /proc."""
    if server_pid is None or not Path("/proc").is_dir():
        return {}
    workers = [server_pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == server_pid:
                workers.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [pid for (pid,) in cursor.fetchall()]
    return {
        "gunicorn": {pid: _cpu_seconds(pid) for pid in workers},
        "postgresql": {pid: _cpu_seconds(pid) for pid in backends},
    }


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60, help="seconds")
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn worker processes it starts (kam/gunicorn.conf.py's)"
    )
    parser.add_argument("--threads", type=int, default=0, help="threads per worker (kam/gunicorn.conf.py's)")
    parser.add_argument("--url", default="", help="a gunicorn already running on this database")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Run the benchmark on PostgreSQL: set DATABASE_URL.")
    ApiKey.objects.filter(name="bench load").delete()
    key = ApiKey.issue(name="bench load", scope=ApiScope.READ)[1]

    server = None
    base = args.url.rstrip("/")
    if not base:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            **({"GUNICORN_WORKERS": str(args.workers)} if args.workers else {}),
            **({"GUNICORN_THREADS": str(args.threads)} if args.threads else {}),
            "LOG_LEVEL": "WARNING",
            "DJANGO_DEBUG": "0",
            # Budgets for people and keys sized for a benchmark, not for a person.
            "KAM_API_KEY_RATE": "1000000/min",
            "KAM_API_PERSON_RATE": "1000000/min",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "kam.wsgi:application", "--config", "kam/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        workers, threads = args.workers or "configured", args.threads or "configured"
        print(f"gunicorn: {workers} workers, {threads} threads at {base}")
    try:
        for _ in range(300):
            try:
                if requests.get(f"{base}/health/live", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit(f"Nothing answers at {base}/health/live.")
        run_load(base, args.clients, args.duration, key, server.pid if server is not None else None)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
