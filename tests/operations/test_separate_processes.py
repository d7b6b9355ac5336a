"""Commands as an operator runs them, each in its own process on a SQLite file: Redis down, and two
recomputes at once (the lock is a file lock, so it must hold across processes)."""

import sqlite3
import subprocess
import sys
import time

import pytest

from tests.operations.environment import ROOT, clean_environment
from tests.operations.services import free_port


def run(*args: str, database: str, **environ) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean_environment(DATABASE_URL=f"sqlite:///{database}", **environ),
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def programme_file(tmp_path_factory) -> str:
    """A migrated SQLite file with a small demo programme, shared by the processes of a test."""
    database = str(tmp_path_factory.mktemp("processes") / "kam.sqlite3")
    for command in (["migrate", "--noinput"], ["seed_demo", "--accounts", "20", "--key-accounts", "5"]):
        done = run("manage.py", *command, "--verbosity", "0", database=database)
        assert done.returncode == 0, done.stderr
    return database


def redis_down() -> dict:
    """Cache and broker on a port nothing listens on."""
    url = f"redis://127.0.0.1:{free_port()}"
    return {"REDIS_URL": f"{url}/0", "CELERY_BROKER_URL": f"{url}/1"}


def test_queueing_work_with_redis_down_ends_in_one_clear_line(programme_file):
    started = time.monotonic()
    done = run(
        "manage.py",
        "shell",
        "--no-imports",
        "-c",
        "from programme.tasks import send_weekly_digest_task; send_weekly_digest_task.delay()",
        database=programme_file,
        **redis_down(),
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("kam: Redis (cache or broker) is unreachable: ") and "Connection refused" in line
    assert time.monotonic() - started < 30  # the broker's retries are few and quick


def test_a_recompute_with_redis_down_goes_on_and_warns_at_most_once(programme_file):
    """The recompute needs no cache (the dashboard's cached figures are keyed by the last run, so a new
    run makes them stale by itself); should anything in it touch the cache, one warning says so."""
    done = run("manage.py", "recompute_scores", database=programme_file, **redis_down())
    assert done.returncode == 0, done.stderr
    assert "Recomputed 20 accounts" in done.stdout
    assert "Traceback" not in done.stderr
    warnings = [line for line in done.stderr.splitlines() if "WARNING" in line]
    assert len(warnings) <= 1 and all("cache unreachable, going on without it" in w for w in warnings)


# A real recompute that stops, holding the lock, once it knows how many accounts it scores, until told
# to go on.
PAUSED_RECOMPUTE = """
import sys
import django
django.setup()
from programme.scoring import engine

def pause(total):
    print("working", flush=True)
    sys.stdin.readline()

run = engine.recompute_scores(on_total=pause)
print(run.pk, run.status, flush=True)
"""


def test_two_recomputes_at_once_on_sqlite_one_runs_and_the_other_is_refused(programme_file):
    first = subprocess.Popen(
        [sys.executable, "-c", PAUSED_RECOMPUTE],
        cwd=ROOT,
        env=clean_environment(DATABASE_URL=f"sqlite:///{programme_file}"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert first.stdout.readline().strip() == "working"
        second = run("manage.py", "recompute_scores", database=programme_file)
        first_out, first_err = first.communicate("go\n", timeout=120)
    finally:
        first.kill()
        first.wait(timeout=10)
    assert second.returncode == 1
    assert second.stderr.strip() == (
        "CommandError: Another recompute is running. Wait for it to finish (see Programme → Recompute)."
    )
    first_run, first_status = first_out.split()
    assert first_status == "succeeded", first_err
    with sqlite3.connect(programme_file) as database:
        runs = dict(
            database.execute(
                "SELECT id, status || ': ' || error FROM programme_recomputerun WHERE id >= ?", [first_run]
            )
        )
    # The refused run says so; the one at work was not marked failed by it, nor it by the one at work.
    assert runs == {
        int(first_run): "succeeded: ",
        int(first_run) + 1: "failed: Another recompute is running.",
    }
