"""Liveness and readiness as the orchestrator sees them, and the compose file that uses them."""

from pathlib import Path

import pytest
import yaml
from django.db.migrations.recorder import MigrationRecorder

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
DEAD_REDIS = "redis://127.0.0.1:6391/0"  # nothing listens there


def test_liveness_answers_without_login_or_database(client):
    response = client.get("/health/live")  # no django_db mark: any query would fail the test
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readiness_reports_database_and_migrations(client, settings):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = ""
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "migrations": "ok"}


@pytest.mark.django_db
def test_readiness_fails_while_a_migration_is_not_applied(client, settings):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = ""
    MigrationRecorder.Migration.objects.filter(app="programme").order_by("-id").first().delete()
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert "1 migration(s) not applied" in response.json()["checks"]["migrations"]


@pytest.mark.django_db
def test_readiness_fails_naming_an_unreachable_cache_and_broker(client, settings):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = DEAD_REDIS
    response = client.get("/health/ready")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["cache"].startswith("unavailable")
    assert checks["broker"].startswith("unavailable")


def _compose():
    return yaml.safe_load(COMPOSE.read_text())


def test_every_long_running_compose_service_has_a_healthcheck():
    services = _compose()["services"]
    for name, service in services.items():
        if name == "migrate":
            continue  # a one-shot step: it is done when it exits 0
        assert "test" in service.get("healthcheck", {}), f"{name} has no healthcheck"


def test_web_worker_and_beat_wait_for_one_migration_step():
    services = _compose()["services"]
    assert "migrate" in services["migrate"]["command"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "migrate" not in str(services[name]["command"])
