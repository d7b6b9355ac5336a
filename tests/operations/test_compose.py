"""The compose file as an operator deploys it: secrets from .env, a broker that keeps its queue."""

import re
from pathlib import Path

import yaml

from tests.operations.environment import settings_in

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)


def test_no_password_is_written_in_the_compose_file():
    postgres = COMPOSE["services"]["postgres"]["environment"]
    assert postgres["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    web = COMPOSE["services"]["web"]["environment"]
    assert "${POSTGRES_PASSWORD" in web["DATABASE_URL"]
    assert web["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")


def test_the_example_env_file_names_every_variable_compose_requires():
    required = set(re.findall(r"\$\{(\w+):\?", COMPOSE_TEXT))
    example = (ROOT / ".env.example").read_text()
    named = set(re.findall(r"^(\w+)=", example, flags=re.MULTILINE))
    assert required and required <= named
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_the_broker_keeps_queued_tasks_across_a_restart():
    redis = COMPOSE["services"]["redis"]
    assert "--appendonly" in redis["command"]
    assert redis["command"][redis["command"].index("--appendonly") + 1] == "yes"
    assert any(volume.endswith(":/data") for volume in redis["volumes"])


def test_the_image_build_can_load_the_production_settings_for_collectstatic():
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    build_line = next(line for line in dockerfile.splitlines() if "collectstatic" in line and "RUN" in line)
    environ = dict(re.findall(r"(\w+)=(\S+)", build_line.split("python manage.py")[0]))
    code, output = settings_in("STATIC_ROOT", KAM_ENVIRONMENT="production", **environ)
    assert code == 0, output


def test_every_image_is_pinned_by_digest():
    images = [service["image"] for service in COMPOSE["services"].values() if "image" in service]
    images += re.findall(r"^FROM (\S+)", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    assert len(images) == 4
    for image in images:
        assert re.fullmatch(r"[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}", image), image
