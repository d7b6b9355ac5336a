"""Insert many plain rows fast: COPY on PostgreSQL, executemany elsewhere (SQLite in development).

For tables whose new ids nobody needs back (monthly figures, link tables): skipping model instances
and SQL compilation makes seeding 2.4 million rows minutes faster than bulk_create.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.db import connection, transaction


def insert_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert `rows` (tuples in the order of `columns`, database column names) into `model`'s table."""
    table = model._meta.db_table
    rows = list(rows)
    if not rows:
        return 0
    # One transaction: outside one, SQLite commits (and syncs to disk) after every row.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for row in rows:
                writer.writerow(["\\N" if value is None else value for value in row])
            buffer.seek(0)
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            target = f"{connection.ops.quote_name(table)} ({quoted})"
            copy = f"COPY {target} FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            cursor.cursor.copy_expert(copy, buffer)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})", rows
            )
    return len(rows)


def analyze(*tables: str, columns: Sequence[str] = ()) -> None:
    """Refresh the planner's statistics after a bulk load (all tables when none is named).

    PostgreSQL's autovacuum gets to it only after a while, and never to temporary tables; until
    then the planner guesses from an empty table and may choose plans that take minutes. `columns`
    (PostgreSQL) limits the statistics to the columns queries filter, join and sort on: a wide JSON or
    array column nobody filters on costs most of an ANALYZE's time."""
    quote = connection.ops.quote_name
    only = ""
    if columns and connection.vendor == "postgresql":  # SQLite's ANALYZE takes no column list
        only = f" ({', '.join(quote(c) for c in columns)})"
    with connection.cursor() as cursor:
        if not tables:
            cursor.execute("ANALYZE")
        for table in tables:
            cursor.execute(f"ANALYZE {quote(table)}{only}")


# A table is analyzed again once it has grown to twice the size its statistics were taken at, and
# only from this size on (8 kB pages; about 5,000 accounts): over a first sync of 100,000 accounts,
# a handful of ANALYZEs of a few hundred milliseconds at most, instead of waiting for autovacuum.
ANALYZE_MIN_PAGES = 128


def analyze_when_grown(*tables: str) -> list[str]:
    """Call after inserting rows in a transaction: the tables that have doubled since the planner's
    statistics were taken are analyzed once it commits (PostgreSQL; elsewhere nothing). Returns them.

    Until autovacuum gets round to them (a minute or more, long after a sync's first batches), the
    planner would plan the pages over a large table from statistics of a small or empty one."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE oid = ANY(%s::regclass[]) AND "
            "pg_relation_size(oid) / current_setting('block_size')::int >= greatest(2 * relpages, %s)",
            [list(tables), ANALYZE_MIN_PAGES],
        )
        grown = [name for (name,) in cursor.fetchall()]
    if grown:
        transaction.on_commit(lambda: analyze(*grown))
    return grown
