"""A backup taken as README says (pg_dump -Fc) restores into a fresh database with every row."""

import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

on_postgresql = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="pg_dump and pg_restore back up PostgreSQL"
)


def _server() -> list[str]:
    settings = connection.settings_dict
    return [
        "--host",
        settings["HOST"] or "127.0.0.1",
        "--port",
        str(settings["PORT"] or 5432),
        "--username",
        settings["USER"] or "postgres",
    ]


def _run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120).stdout


def _rows_per_table_sql() -> str:
    tables = sorted(connection.introspection.table_names())
    return " UNION ALL ".join(
        f"SELECT '{table}', count(*) FROM {connection.ops.quote_name(table)}" for table in tables
    )


@on_postgresql
@pytest.mark.django_db(transaction=True)  # pg_dump reads from its own connection: the demo must be committed
def test_a_seeded_programme_backed_up_and_restored_into_a_fresh_database_has_every_row():
    call_command("seed_demo", accounts=12, key_accounts=3, months=2, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(_rows_per_table_sql())
        original = {table: count for table, count in cursor.fetchall()}
    assert original["accounts_account"] == 12 and original["programme_accountscore"] == 12

    restored_name = f"kam_restore_{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory() as folder:
        backup = Path(folder) / "kam.dump"
        _run(
            "pg_dump", *_server(), "--format=custom", "--file", str(backup), connection.settings_dict["NAME"]
        )
        _run("createdb", *_server(), restored_name)
        try:
            _run(
                "pg_restore",
                *_server(),
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                restored_name,
                str(backup),
            )
            output = _run(
                "psql",
                *_server(),
                "--no-psqlrc",
                "-At",
                "-F",
                "\t",
                "-d",
                restored_name,
                "-c",
                _rows_per_table_sql(),
            )
        finally:
            _run("dropdb", *_server(), "--if-exists", "--force", restored_name)
    restored = {table: int(count) for table, count in (line.split("\t") for line in output.splitlines())}
    assert restored == original
