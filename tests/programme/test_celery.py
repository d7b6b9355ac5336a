"""The recompute task on a real Celery worker, with Redis as the broker (db 1), as in production."""

import os
import time
from decimal import Decimal

import pytest
import redis
from celery.contrib.testing.worker import start_worker

from kam.celery import app
from programme.models import AccountScore, RecomputeRun, RecomputeStatus, ScoreSnapshot
from programme.tasks import recompute_scores_task
from tests.factories import AccountFactory
from tests.programme.factories import CriterionFactory, monthly_figures

REDIS_URL = os.environ.get("KAM_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


@pytest.fixture
def redis_broker():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("KAM_REQUIRE_SERVICES"):
            pytest.fail(f"Redis is required (KAM_REQUIRE_SERVICES) but unreachable at {REDIS_URL}")
        pytest.skip(f"Redis unreachable at {REDIS_URL}")
    # No result backend: the test reads the outcome where the champion does, in the run records.
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    _forget_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        _forget_connections()


def _forget_connections():
    # Connection pools made before the broker changed would still publish to the old one.
    app._pool = None
    app.amqp._producer_pool = None


def wait_for_run(fetch, seconds=120):  # generous: the CI machine may be busy
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = fetch()
        if run is not None and run.status != RecomputeStatus.RUNNING:
            return run
        time.sleep(0.2)
    pytest.fail("The worker did not finish the recompute in time.")


@pytest.mark.django_db(transaction=True)
def test_the_recompute_task_runs_through_a_real_worker_and_writes_the_scores(redis_broker):
    accounts = [AccountFactory() for _ in range(3)]
    for i, account in enumerate(accounts):
        monthly_figures(account, revenue=str(1000 * (i + 1)))
    CriterionFactory(name="Sales value")
    with start_worker(app, perform_ping_check=False, loglevel="WARNING"):
        recompute_scores_task.delay()
        run = wait_for_run(lambda: RecomputeRun.objects.first())
        # Delivered again (acks_late after a lost worker): harmless, nothing doubles.
        recompute_scores_task.delay(run_id=run.pk)
        time.sleep(1)
        run = wait_for_run(lambda: RecomputeRun.objects.get(pk=run.pk))
    assert run.status == RecomputeStatus.SUCCEEDED and run.accounts_processed == 3
    assert RecomputeRun.objects.count() == 1
    assert AccountScore.objects.count() == 3 and ScoreSnapshot.objects.count() == 3
    best = AccountScore.objects.get(account=accounts[-1])
    assert best.attractiveness == Decimal("100") and best.clv is not None
