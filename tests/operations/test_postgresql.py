"""PostgreSQL hygiene: statistics after bulk loads, and a statement timeout and no JIT for web requests."""

import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from api.models import ApiKey, ApiScope
from programme.scoring.engine import recompute_scores
from tests.factories import AccountFactory
from tests.operations.environment import PRODUCTION, ROOT, clean_environment

on_postgresql = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="PostgreSQL's planner statistics, statement_timeout and JIT"
)


def _rows_the_planner_expects(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@on_postgresql
@pytest.mark.django_db
def test_seeding_leaves_fresh_statistics_for_the_planner():
    call_command("seed_demo", accounts=40, key_accounts=5, months=3, verbosity=0)
    assert _rows_the_planner_expects("accounts_account") == 40
    assert _rows_the_planner_expects("programme_accountscore") == 40


@on_postgresql
@pytest.mark.django_db
def test_a_large_sync_refreshes_the_planners_statistics_as_the_table_grows(
    client, django_capture_on_commit_callbacks
):
    headers = {"Authorization": f"Bearer {ApiKey.issue(name='CRM', scope=ApiScope.SYNC)[1]}"}

    def sync(first: int, count: int) -> None:
        records = [
            {"external_id": f"A-{n}", "name": f"Customer {n}", "currency": "EUR"}
            for n in range(first, first + count)
        ]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/api/v1/sync/accounts/",
                {"records": records},
                content_type="application/json",
                headers=headers,
            )
        assert response.status_code == 200, response.content

    for batch in range(12):
        sync(batch * 1000, 1000)
    # Autovacuum has not seen these rows yet: without an ANALYZE the planner knows of none.
    expected = _rows_the_planner_expects("accounts_account")
    assert 6000 <= expected <= 12000
    sync(12000, 10)  # a small batch into a table already known to be large: no ANALYZE
    assert _rows_the_planner_expects("accounts_account") == expected


@on_postgresql
@pytest.mark.django_db
def test_a_recompute_that_writes_most_scores_leaves_statistics_for_what_lists_filter_and_sort_on():
    AccountFactory.create_batch(30)
    recompute_scores()
    assert _rows_the_planner_expects("programme_accountscore") == 30
    with connection.cursor() as cursor:
        cursor.execute("SELECT attname FROM pg_stats WHERE tablename = 'programme_accountscore'")
        analyzed = {name for (name,) in cursor.fetchall()}
    assert {"account_id", "overall", "quadrant", "t12m_revenue", "clv_margin"} <= analyzed
    assert not analyzed & {"breakdown", "criterion_scores"}  # never filtered on, and the costliest to sample


def _settings_of(process_setup: str, **environ) -> str:
    show = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS'))"
    code = f"{process_setup}; {show}"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_environment(**environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_the_web_server_gets_a_30_second_statement_timeout_and_commands_none():
    environ = {**PRODUCTION, "DATABASE_URL": "postgres://kam@db:5432/kam"}
    assert "statement_timeout=30000" in _settings_of("import kam.wsgi", **environ)
    assert "statement_timeout" not in _settings_of("import django; django.setup()", **environ)


def test_the_statement_timeout_comes_from_the_environment():
    environ = {**PRODUCTION, "DATABASE_URL": "postgres://kam@db:5432/kam", "KAM_WEB_STATEMENT_TIMEOUT": "5"}
    assert "statement_timeout=5000" in _settings_of("import kam.wsgi", **environ)


def test_the_web_server_runs_without_jit_unless_asked_and_commands_keep_it():
    environ = {**PRODUCTION, "DATABASE_URL": "postgres://kam@db:5432/kam"}
    assert "jit=off" in _settings_of("import kam.wsgi", **environ)
    assert "jit" not in _settings_of("import django; django.setup()", **environ)
    assert "jit" not in _settings_of("import kam.wsgi", **environ, KAM_WEB_JIT="on")
    # Without a statement timeout the web server still runs without JIT.
    assert "jit=off" in _settings_of("import kam.wsgi", **environ, KAM_WEB_STATEMENT_TIMEOUT="0")


def test_the_web_server_plans_for_data_in_memory_unless_told_otherwise():
    environ = {**PRODUCTION, "DATABASE_URL": "postgres://kam@db:5432/kam"}
    assert "random_page_cost=1.1" in _settings_of("import kam.wsgi", **environ)
    assert "random_page_cost" not in _settings_of("import django; django.setup()", **environ)
    assert "random_page_cost=2" in _settings_of("import kam.wsgi", **environ, KAM_WEB_RANDOM_PAGE_COST="2")
    assert "random_page_cost" not in _settings_of("import kam.wsgi", **environ, KAM_WEB_RANDOM_PAGE_COST="")


def _this_database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="") + (
        f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    )
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@on_postgresql
@pytest.mark.django_db
def test_a_page_and_an_api_request_in_the_web_server_run_without_jit():
    # A fresh process that loads kam as the web server does (kam/wsgi.py), on this test's database.
    serve = (
        "import kam.wsgi; from django.test import Client, override_settings\n"
        "with override_settings(ROOT_URLCONF='tests.operations.slow_urls'):\n"
        "    client = Client()\n"
        "    print(client.get('/jit/').content.decode(), client.get('/api/jit/').json()['jit'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", serve],
        cwd=ROOT,
        env=clean_environment(DATABASE_URL=_this_database_url()),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["off", "off"]


@on_postgresql
@pytest.mark.django_db
@pytest.mark.urls("tests.operations.slow_urls")
def test_a_page_whose_query_runs_too_long_says_so_instead_of_500(client):
    started = time.monotonic()
    response = client.get("/slow/")
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert "This page took too long" in response.content.decode()


@on_postgresql
@pytest.mark.django_db
@pytest.mark.urls("tests.operations.slow_urls")
def test_an_api_request_whose_query_runs_too_long_answers_503_in_json(client):
    response = client.get("/api/slow/")
    assert response.status_code == 503
    assert "took too long" in response.json()["detail"]
