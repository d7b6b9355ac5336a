"""Commands an operator trusts: refusals that say why, one line instead of a traceback, API keys."""

import io
import subprocess
import sys

import psycopg2
import pytest
import redis
from django.core.management import CommandError, call_command

from accounts.models import Account
from api.models import ApiKey
from manage import operator_error
from tests.factories import AccountFactory
from tests.operations.environment import ROOT, clean_environment
from tests.operations.services import free_port


def manage(*args: str, **environ) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_environment(**environ),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _postgresql_answers() -> bool:
    try:
        psycopg2.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2).close()
    except psycopg2.OperationalError:
        return False
    return True


@pytest.mark.django_db
def test_seed_demo_refuses_in_production_unless_forced(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match=r"production.*--force"):
        call_command("seed_demo", accounts=20, key_accounts=5, months=2, verbosity=0)
    assert not Account.objects.exists()


def test_a_bad_setting_ends_in_one_line_not_a_traceback():
    done = manage("recompute_scores", KAM_RECOMPUTE_AT="2am")
    assert done.returncode == 1
    assert done.stderr.strip() == "kam: bad settings: KAM_RECOMPUTE_AT must be HH:MM, e.g. 02:00, not '2am'."


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("", "kam: bad settings: DATABASE_URL is set but empty"),
        ("mongodb://127.0.0.1/kam", "kam: bad settings: DATABASE_URL is not a database URL kam knows"),
    ],
)
def test_an_empty_or_unknown_database_url_ends_in_one_line(url, said):
    done = manage("check", DATABASE_URL=url)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith(said)


def test_an_unmigrated_database_ends_in_one_line_saying_what_to_run(tmp_path):
    done = manage("recompute_scores", DATABASE_URL=f"sqlite:///{tmp_path}/empty.sqlite3")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].endswith("run `manage.py migrate`")
    assert "accounts [" not in done.stderr  # no progress bar before the error


@pytest.mark.skipif(not _postgresql_answers(), reason="no PostgreSQL on 127.0.0.1:5432")
def test_a_missing_database_ends_in_one_line_naming_it():
    done = manage("recompute_scores", DATABASE_URL="postgres://postgres@127.0.0.1:5432/kam_no_such_database")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert 'database "kam_no_such_database" does not exist' in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_redis_down_is_told_in_one_line():
    with pytest.raises(redis.exceptions.ConnectionError) as down:
        redis.Redis(port=free_port(), socket_connect_timeout=1).ping()
    assert operator_error(down.value).startswith("Redis (cache or broker) is unreachable: ")


def test_a_bug_keeps_its_traceback():
    assert operator_error(KeyError("x")) is None


@pytest.mark.django_db
def test_recompute_scores_on_an_empty_programme_says_why_nothing_was_scored():
    out, err = io.StringIO(), io.StringIO()
    call_command("recompute_scores", stdout=out, stderr=err)
    assert "Nothing to score: there are no accounts to score yet" in out.getvalue()
    assert "Recomputed 0" not in out.getvalue()
    assert err.getvalue() == ""  # no empty progress bar


@pytest.mark.django_db
def test_recompute_scores_shows_one_progress_bar_with_its_total():
    AccountFactory.create_batch(3)
    out, err = io.StringIO(), io.StringIO()
    call_command("recompute_scores", stdout=out, stderr=err)
    assert "Recomputed 3 accounts" in out.getvalue()
    assert "3/3" in err.getvalue()
    assert err.getvalue().count("0/3") == 1  # drawn once, then advanced in place


@pytest.mark.django_db
def test_api_keys_are_created_listed_and_revoked_from_the_command_line(client):
    out = io.StringIO()
    call_command(
        "api_keys", "create", "--name", "Salesforce nightly", "--scope", "sync", "--quiet", stdout=out
    )
    raw = out.getvalue().strip()
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/accounts/", headers=headers).status_code == 200

    listing = io.StringIO()
    call_command("api_keys", "list", stdout=listing)
    prefix = ApiKey.objects.get().prefix
    assert prefix in listing.getvalue() and "Salesforce nightly" in listing.getvalue()

    done = io.StringIO()
    call_command("api_keys", "revoke", prefix, stdout=done)
    assert "Revoked “Salesforce nightly”" in done.getvalue()
    assert client.get("/api/v1/accounts/", headers=headers).status_code == 401


@pytest.mark.django_db
def test_revoking_an_unknown_key_says_so():
    with pytest.raises(CommandError, match="No API key starts with"):
        call_command("api_keys", "revoke", "kam_nothing")
