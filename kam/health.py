"""Liveness and readiness for the orchestrator (compose healthchecks, a load balancer).

Liveness answers as long as the process serves requests. Readiness says whether this instance can do
its work: the database answers and is fully migrated, and the cache and the Celery broker answer when
they are configured. Each check gets a short timeout, so a probe never hangs on a dead service."""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 2


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_migrations() -> None:
    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if unapplied:
        raise RuntimeError(f"{len(unapplied)} migration(s) not applied; run `manage.py migrate`")


def check_cache() -> None:
    redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
        socket_timeout=PROBE_TIMEOUT_SECONDS,
    ).ping()


def check_broker() -> None:
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=PROBE_TIMEOUT_SECONDS) as broker:
        broker.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=PROBE_TIMEOUT_SECONDS
        )


def readiness_checks() -> dict[str, object]:
    """The checks that apply to this configuration, by name."""
    checks: dict[str, object] = {"database": check_database, "migrations": check_migrations}
    if settings.REDIS_URL:
        checks["cache"] = check_cache
    if settings.CELERY_BROKER_URL:
        checks["broker"] = check_broker
    return checks


@never_cache
@require_GET
def live(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request):
    results, healthy = {}, True
    for name, check in readiness_checks().items():
        if name == "migrations" and not healthy:
            results[name] = "skipped: no database"
            continue
        try:
            check()
        except Exception as error:  # any failure means "not ready", said in one line
            healthy = False
            results[name] = f"unavailable: {error.__class__.__name__}: {error}".splitlines()[0]
            logger.warning("readiness check failed", extra={"check": name, "error": results[name]})
        else:
            results[name] = "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results}, status=200 if healthy else 503
    )
