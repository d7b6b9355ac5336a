"""Structured logs: one JSON object a line, with the request id, user, path or task, gunicorn's too."""

import io
import json
import logging
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse

from kam.core.logs import ContextFilter, KamJsonFormatter
from programme.tasks import recompute_scores_task
from tests.operations.environment import PRODUCTION, ROOT, clean_environment, settings_in
from tests.operations.services import free_port


@pytest.fixture
def json_lines():
    """What kam logs during the test, as the production handler writes it: parsed JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(KamJsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    generated = client.get(reverse("login"))["X-Request-ID"]
    assert len(generated) == 32
    assert (
        client.get(reverse("login"), headers={"X-Request-ID": "lb-7f3a-01"})["X-Request-ID"] == "lb-7f3a-01"
    )
    forged = client.get(reverse("login"), headers={"X-Request-ID": "x" * 500 + "\nfake line"})
    assert forged["X-Request-ID"] != "x" * 500 and len(forged["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_log_line_in_a_request_has_time_level_logger_request_id_user_and_path(client, kam, json_lines):
    client.force_login(kam)
    client.get("/accounts/999999/", headers={"X-Request-ID": "req-42"})
    line = next(line for line in json_lines() if line["logger"] == "django.request")
    assert line["level"] == "WARNING"
    assert line["time"].startswith("20")
    assert line["request_id"] == "req-42"
    assert line["user_id"] == str(kam.pk)
    assert line["path"] == "/accounts/999999/"


@pytest.mark.django_db
def test_a_task_log_line_names_the_task_and_the_run(json_lines):
    recompute_scores_task.apply()
    line = next(line for line in json_lines() if line["message"] == "recompute finished")
    assert line["task"] == "programme.tasks.recompute_scores_task"
    assert line["task_id"] and line["run_id"]


def test_production_logs_json_at_the_level_from_the_environment():
    assert settings_in("LOG_FORMAT", "LOGGING['root']['level']", **PRODUCTION, LOG_LEVEL="warning") == (
        0,
        "json WARNING",
    )


def test_a_bad_log_format_is_refused_at_start():
    code, output = settings_in(**PRODUCTION, LOG_FORMAT="xml")
    assert code != 0 and "LOG_FORMAT must be json or text" in output


def test_gunicorns_access_log_is_a_json_line_with_the_request_id(tmp_path):
    port = free_port()
    log = Path(tmp_path) / "gunicorn.out"
    environ = clean_environment(LOG_FORMAT="json", GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1")
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "kam.wsgi:application", "--config", "kam/gunicorn.conf.py"],
            cwd=ROOT,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/health/live", headers={"X-Request-ID": "probe-1"}
            )
            for _ in range(100):
                try:
                    with urllib.request.urlopen(request, timeout=2) as response:
                        assert response.headers["X-Request-ID"] == "probe-1"
                    break
                except OSError:
                    time.sleep(0.1)
            time.sleep(0.3)
        finally:
            server.terminate()
            server.wait(timeout=10)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    access = next(line for line in lines if line["logger"] == "gunicorn.access")
    assert access["request_id"] == "probe-1"
    assert access["status"] == 200 and access["path"] == "/health/live" and access["method"] == "GET"
    assert access["level"] == "INFO" and access["time"]
