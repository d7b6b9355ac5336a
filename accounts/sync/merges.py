"""PostgreSQL: a validated batch written by one statement per table, nothing read back row by row.

Each batch is sent as one array per column (a single string each: no per-value adaptation), merged
with INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE … WHERE the CRM's fields differ, so that
unchanged rows are not rewritten, and answered with two counts. The statements are built once per
shape of record (which optional fields the records send) and kept.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.db import connection
from django.utils import timezone

from accounts.models import Account, FinancialPeriod

# Fields a record may leave out; left out, an update keeps the stored value and a new row gets the
# model's default. The other CRM fields are required.
ACCOUNT_KEY_FIELDS = ("external_id", "name")
ACCOUNT_OPTIONAL_FIELDS = tuple(n for n in Account.CRM_FIELDS if n not in ACCOUNT_KEY_FIELDS)

FINANCIAL_FIELDS = ("revenue", "gross_margin", "cost_to_serve", "days_to_pay", "currency", "order_count")
REQUIRED_FIGURES = ("revenue", "gross_margin", "cost_to_serve")
OPTIONAL_FINANCIAL_FIELDS = tuple(f for f in FINANCIAL_FIELDS if f not in REQUIRED_FIGURES)
FINANCIAL_ARRAY_COLUMNS = ("account_id", "period", *FINANCIAL_FIELDS)


def _shape(row: dict, optional: Sequence[str]) -> tuple[str, ...]:
    return tuple(name for name in optional if name in row)


def _by_shape(rows, optional: Sequence[str]) -> dict[tuple[str, ...], list[dict]]:
    shapes: dict[tuple[str, ...], list[dict]] = {}
    for row in rows:
        shapes.setdefault(_shape(row, optional), []).append(row)
    return shapes


def text_array(values: list[str]) -> str:
    """A PostgreSQL array literal of strings (validated text: no NUL), every element double-quoted."""
    if not values:
        return "{}"
    joined = "".join(values)
    if '"' in joined or "\\" in joined:  # rare: escape element by element
        values = [v.replace("\\", "\\\\").replace('"', '\\"') for v in values]
    return '{"' + '","'.join(values) + '"}'


def plain_array(values) -> str:
    """An array literal of values whose text needs no quoting: ints, Decimals, dates, ISO codes, None."""
    return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"


# --- Accounts: the merge and its history rows in one statement ------------------------------------


def merge_accounts(rows: list[dict], *, by=None, reason: str) -> tuple[int, int]:
    """Create or update accounts by external id; returns (created, updated).

    A row changes only where a CRM field differs (its version moves on from the stored one, which may
    have moved since anyone read it); the history rows of what was written are copied from the
    merge's own RETURNING in the same statement. Rows are written in external-id order, so that two
    syncs of overlapping batches lock them in the same order.
    """
    now = timezone.now()
    user = by.pk if by is not None else None
    created = updated = 0
    with connection.cursor() as cursor:
        for shape, batch in _by_shape(rows, ACCOUNT_OPTIONAL_FIELDS).items():
            batch.sort(key=lambda row: row["external_id"])
            arrays = [text_array([row[name] for row in batch]) for name in (*ACCOUNT_KEY_FIELDS, *shape)]
            cursor.execute(_account_statement(shape), [*arrays, now, now, reason, user])
            inserted, changed = cursor.fetchone()
            created, updated = created + inserted, updated + changed
    return created, updated


@functools.cache
def _account_statement(shape: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    fields = [f for f in Account._meta.concrete_fields if not f.primary_key]
    sent = (*ACCOUNT_KEY_FIELDS, *shape)
    compared = ("name", *shape)
    field = Account._meta.get_field
    unnest = ", ".join("%s::text[]" for _n in sent)  # the INSERT casts (and checks the lengths)
    selected = []
    for f in fields:
        if f.attname in sent:
            selected.append(f"i.{quote(f.column)}")
        elif f.attname in ("created_at", "updated_at"):
            selected.append("%s")  # the batch's time
        else:
            selected.append(_literal(f))
    updates = [f"{quote(field(n).column)} = EXCLUDED.{quote(field(n).column)}" for n in compared]
    stored = ", ".join(f"stored.{quote(field(n).column)}" for n in compared)
    excluded = ", ".join(f"EXCLUDED.{quote(field(n).column)}" for n in compared)
    history = Account.history.model
    own = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}
    copied = [quote(f.column) for f in history._meta.concrete_fields if f.attname not in own]
    table = quote(Account._meta.db_table)
    return f"""
        WITH incoming ({", ".join(quote(field(n).column) for n in sent)}) AS (
            SELECT * FROM unnest({unnest})
        ),
        merged AS (
            INSERT INTO {table} AS stored ({", ".join(quote(f.column) for f in fields)})
            SELECT {", ".join(selected)} FROM incoming i
            ON CONFLICT ({quote(field("external_id").column)}) DO UPDATE SET
                {", ".join(updates)}, updated_at = EXCLUDED.updated_at, version = stored.version + 1
            WHERE ({stored}) IS DISTINCT FROM ({excluded})
            RETURNING *, (xmax = 0) AS inserted
        ),
        history AS (
            INSERT INTO {quote(history._meta.db_table)} ({", ".join(copied)},
                history_date, history_change_reason, history_type, history_user_id)
            SELECT {", ".join(copied)}, merged.updated_at, %s,
                CASE WHEN inserted THEN '+' ELSE '~' END, %s
            FROM merged
        )
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged
    """


def _null(field) -> str:
    return f"NULL::{field.db_type(connection)}"


def _literal(field) -> str:
    """A column's default as SQL, for the rows a batch creates (constants: built into the statement)."""
    value = field.get_default()
    value = getattr(value, "value", value)  # an enum member: its stored value
    if value is None or (value == "" and field.null):
        return f"NULL::{field.db_type(connection)}"
    if isinstance(value, bool | int):
        return f"{int(value)}::{field.db_type(connection)}"
    if isinstance(value, str) and (value.isalnum() or value == ""):
        return f"'{value}'::{field.db_type(connection)}"
    raise ValueError(f"{field.name}: a default the merge statement cannot hold ({value!r})")


# --- Monthly financial figures ------------------------------------------------------------------------


def merge_financials(rows: list[dict]) -> tuple[int, int, set[str]]:
    """The batch, keyed by account external id and month, as one INSERT … SELECT FROM unnest(arrays)
    … ON CONFLICT DO UPDATE per shape of record; returns (created, updated, unknown external ids).

    The accounts are looked up inside the statement (a new month takes its account's currency when
    the record names none). Nothing is read back into Python: months whose figures are unchanged are
    skipped inside the statement (an index lookup, no row lock, no write), new months are inserted,
    changed ones updated with a fresh `updated_at`; RETURNING tells inserts (xmax = 0) from updates.
    Records that leave out an optional figure form their own statement, whose update keeps the
    stored value. With unknown accounts the caller refuses the batch, and its transaction undoes
    what was written.
    """
    now = timezone.now()
    created = updated = 0
    unknown: set[str] = set()
    with connection.cursor() as cursor:
        for shape, batch in _by_shape(rows, OPTIONAL_FINANCIAL_FIELDS).items():
            arrays = [text_array([row["account_external_id"] for row in batch])]
            for name in ("period", *REQUIRED_FIGURES, *shape):
                arrays.append(plain_array([row[name] for row in batch]))
            cursor.execute(_financial_statement(shape), [*arrays, now, now])
            inserted, changed, missing = cursor.fetchone()
            created, updated = created + inserted, updated + changed
            unknown.update(missing or ())
    return created, updated, unknown


@functools.cache  # one per shape of record, built once
def _financial_statement(shape: tuple[str, ...]) -> str:
    figures = [*REQUIRED_FIGURES, *shape]
    sent = ("period", *figures)
    columns = FINANCIAL_ARRAY_COLUMNS
    field = FinancialPeriod._meta.get_field
    unnest = ", ".join(["%s::text[]", *(f"%s::{field(c).db_type(connection)}[]" for c in sent)])
    resolved = {"account_id": "a.id", **{c: f"i.{c}" for c in sent}}
    for name in OPTIONAL_FINANCIAL_FIELDS:
        if name not in shape:  # a new month's: its account's currency, no days or orders
            resolved[name] = "a.currency" if name == "currency" else _null(field(name))
    stored_figures = ", ".join(f"stored.{c}" for c in figures)
    table = FinancialPeriod._meta.db_table
    accounts = Account._meta.db_table
    return f"""
        WITH incoming (account_external_id, {", ".join(sent)}) AS (SELECT * FROM unnest({unnest})),
        resolved AS (
            SELECT {", ".join(f"{resolved[c]} AS {c}" for c in columns)}
            FROM incoming i JOIN {accounts} a ON a.external_id = i.account_external_id
        ),
        merged AS (
            INSERT INTO {table} AS stored ({", ".join(columns)}, created_at, updated_at)
            SELECT {", ".join(f"r.{c}" for c in columns)}, %s, %s FROM resolved r
            WHERE NOT EXISTS (
                SELECT 1 FROM {table} stored
                WHERE stored.account_id = r.account_id AND stored.period = r.period
                AND ({stored_figures}) IS NOT DISTINCT FROM ({", ".join(f"r.{c}" for c in figures)})
            )
            ON CONFLICT (account_id, period) DO UPDATE SET
                {", ".join(f"{c} = EXCLUDED.{c}" for c in figures)}, updated_at = EXCLUDED.updated_at
            WHERE ({stored_figures}) IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in figures)})
            RETURNING xmax = 0 AS inserted
        )
        SELECT
            (SELECT count(*) FILTER (WHERE inserted) FROM merged),
            (SELECT count(*) FILTER (WHERE NOT inserted) FROM merged),
            CASE WHEN (SELECT count(*) FROM resolved) < (SELECT count(*) FROM incoming) THEN ARRAY(
                SELECT DISTINCT i.account_external_id FROM incoming i
                WHERE NOT EXISTS (SELECT 1 FROM {accounts} a WHERE a.external_id = i.account_external_id)
            ) END
    """
