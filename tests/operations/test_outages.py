"""Outages degrade, never 500: Redis down for the cache or the broker, a recompute whose worker died."""

import logging
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from api.models import ApiKey, ApiScope
from kam.celery import app as celery_app
from kam.core.cache import FailOpenRedisCache
from programme.models import RecomputeRun, RecomputeStatus
from programme.scoring import engine
from tests.factories import UserFactory
from tests.operations.environment import PRODUCTION, ROOT, clean_environment, settings_in
from tests.operations.services import RedisServer, free_port


@pytest.fixture
def redis_server():
    if shutil.which("redis-server") is None:
        if os.environ.get("KAM_REQUIRE_SERVICES"):
            pytest.fail("redis-server is required (KAM_REQUIRE_SERVICES) but not installed")
        pytest.skip("redis-server is not installed")
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_cache(settings, redis_server):
    settings.CACHES = {
        "default": {
            "BACKEND": "kam.core.cache.FailOpenRedisCache",
            "LOCATION": f"{redis_server.url}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield redis_server
    cache.close()


def test_production_uses_the_cache_that_fails_open():
    code, output = settings_in("CACHES['default']['BACKEND']", **PRODUCTION, REDIS_URL="redis://redis:6379/0")
    assert (code, output) == (0, "kam.core.cache.FailOpenRedisCache")


@pytest.mark.django_db
def test_the_crm_sync_goes_on_while_redis_is_down(redis_cache, client, caplog):
    key = ApiKey.issue(name="Salesforce nightly", scope=ApiScope.SYNC)[1]
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/accounts/", headers=headers).status_code == 200
    redis_cache.stop()
    FailOpenRedisCache._last_warning = 0.0
    with caplog.at_level(logging.WARNING, logger="kam.core.cache"):
        response = client.get("/api/v1/accounts/", headers=headers)
    assert response.status_code == 200
    assert "cache unreachable" in caplog.text
    redis_cache.start()
    assert client.get("/api/v1/accounts/", headers=headers).status_code == 200


@pytest.mark.django_db
def test_the_portfolio_dashboard_is_computed_without_the_cache_while_redis_is_down(
    redis_cache, client, champion, account
):
    client.force_login(champion)
    assert client.get(reverse("portfolio:dashboard")).status_code == 200
    redis_cache.stop()
    response = client.get(reverse("portfolio:dashboard"))
    assert response.status_code == 200
    assert "Baltic Steel" in response.content.decode()


@pytest.fixture
def unreachable_broker():
    """Celery publishing to a Redis that does not answer, as when the broker is down."""
    dead = f"redis://127.0.0.1:{free_port()}"
    conf = celery_app.conf
    saved = {name: conf[name] for name in ("task_always_eager", "broker_url", "result_backend")}
    conf.update(task_always_eager=False, broker_url=f"{dead}/1", result_backend=f"{dead}/2")
    celery_app._after_fork()  # forget pooled connections and the result store
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)
    yield
    conf.update(saved)
    celery_app._after_fork()
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)


@pytest.mark.django_db(transaction=True)  # committed as in production, so the task is queued at once
def test_recompute_now_answers_quickly_and_clearly_when_the_broker_is_down(client, unreachable_broker):
    client.force_login(UserFactory(username="jan", is_champion=True))
    started = time.monotonic()
    response = client.post(reverse("programme:recompute"), follow=True)
    assert time.monotonic() - started < 2
    assert response.status_code == 200
    assert "the task queue is unreachable" in response.content.decode()
    run = RecomputeRun.objects.get()
    assert run.status == RecomputeStatus.FAILED
    assert "task queue was unreachable" in run.error


@pytest.mark.django_db
def test_a_run_whose_worker_died_does_not_block_the_next(client, champion):
    dead = RecomputeRun.objects.create(
        started_at=timezone.now(), status=RecomputeStatus.RUNNING, heartbeat_at=timezone.now()
    )
    client.force_login(champion)
    client.post(reverse("programme:recompute"))
    dead.refresh_from_db()
    assert dead.status == RecomputeStatus.FAILED
    assert "Stopped reporting progress" in dead.error
    assert RecomputeRun.objects.exclude(pk=dead.pk).get().started_by == champion


@pytest.mark.django_db
def test_a_queued_run_nobody_picked_up_stops_blocking_after_a_while(champion):
    queued = RecomputeRun.objects.create(started_at=timezone.now(), status=RecomputeStatus.RUNNING)
    assert engine.fail_silent_runs() == 0  # just queued: the worker may still pick it up
    RecomputeRun.objects.filter(pk=queued.pk).update(started_at=timezone.now() - engine.QUEUE_TIMEOUT * 2)
    assert engine.fail_silent_runs() == 1


@pytest.mark.django_db
def test_a_run_at_work_is_never_failed_however_long_its_step(champion):
    working = RecomputeRun.objects.create(
        started_at=timezone.now() - engine.QUEUE_TIMEOUT * 10,
        status=RecomputeStatus.RUNNING,
        heartbeat_at=timezone.now() - engine.QUEUE_TIMEOUT * 10,
    )
    if connection.vendor == "postgresql":
        other = connections.create_connection("default")
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [engine.ADVISORY_LOCK_KEY])
        try:
            assert engine.fail_silent_runs() == 0
        finally:
            other.close()
    else:
        with engine.recompute_lock():
            assert engine.fail_silent_runs() == 0
    working.refresh_from_db()
    assert working.status == RecomputeStatus.RUNNING


KILLED_WORKER = """
import time
import django
django.setup()
from programme.models import RecomputeRun
from programme.scoring import engine
run = RecomputeRun.objects.get(pk={run_id})
with engine.recompute_lock():
    engine._progress(run, accounts_total=100)  # picked up: it reports progress, then hangs
    print("working", flush=True)
    time.sleep(120)
"""


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a second process needs a shared database")
@pytest.mark.django_db(transaction=True)
def test_a_recompute_killed_mid_run_stops_blocking_the_next_one(client):
    champion = UserFactory(username="jan", is_champion=True)
    run = RecomputeRun.objects.create(started_at=timezone.now(), started_by=champion)
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    worker = subprocess.Popen(
        [sys.executable, "-c", KILLED_WORKER.format(run_id=run.pk)],
        cwd=ROOT,
        env=clean_environment(DATABASE_URL=url),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout.readline().strip() == "working"
        client.force_login(champion)
        refused = client.post(reverse("programme:recompute"), follow=True)
        assert "A recompute is already running" in refused.content.decode()
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        client.post(reverse("programme:recompute"))
    finally:
        worker.kill()
        worker.wait(timeout=10)
    run.refresh_from_db()
    assert run.status == RecomputeStatus.FAILED and "Stopped reporting progress" in run.error
    assert RecomputeRun.objects.exclude(pk=run.pk).get().status == RecomputeStatus.SUCCEEDED
