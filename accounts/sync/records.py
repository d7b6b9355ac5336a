"""Set-based upserts from a CRM: accounts, contacts and monthly financials, by external id.

The contract: a batch is validated whole before anything is written, and written in one
transaction or not at all; references are resolved for the whole batch in one query; rows that would
not change are not touched (their `updated_at` and version stay); the CRM owns identity fields only,
so what people entered in kam (lifecycle, KAM, sponsor, influence, attitude, relationships, needs,
plans, scores) is never in an update's field list. Absent optional fields leave stored values alone.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Account, FinancialPeriod, Stakeholder
from accounts.stakeholders import services as stakeholder_services
from accounts.sync import files, merges, quick
from kam.core import limits
from kam.core.bulk_insert import analyze_when_grown
from kam.core.currencies import UNKNOWN_CURRENCY, country_codes, currency_codes
from kam.core.periods import parse_month

MAX_BATCH = 1000
SYNC_CHANGE_REASON = "CRM sync"

# What the CRM owns; everything else on these rows belongs to the people using kam.
ACCOUNT_CRM_FIELDS = Account.CRM_FIELDS
CONTACT_CRM_FIELDS = ("account_id", *Stakeholder.CRM_FIELDS, "reports_to_id")
FINANCIAL_CRM_FIELDS = ("revenue", "gross_margin", "cost_to_serve", "days_to_pay", "currency", "order_count")

MONEY_LIMIT = Decimal(10) ** 14  # DecimalField(max_digits=16, decimal_places=2)
CENT = Decimal("0.01")
UNKNOWN_COUNTRY = gettext_noop("“%(value)s” is not an ISO 3166 country code (e.g. PL, DE, US).")


@dataclass(frozen=True)
class SyncResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


class BatchTooLarge(Exception):
    def __init__(self, size: int):
        super().__init__(
            _("A batch holds at most %(max)d records; this one has %(size)d. Split it and send the parts.")
            % {"max": MAX_BATCH, "size": size}
        )
        self.size = size


class BatchRejected(Exception):
    """The batch was refused whole; `errors` names every record, field and problem."""

    def __init__(self, errors: list[dict]):
        super().__init__(_("The batch was not saved: %(n)d problems.") % {"n": len(errors)})
        self.errors = errors


class BatchChecker:
    """Collects every problem of a batch (not just the first), each naming record, field and message."""

    def __init__(self, records: Any, allowed: Sequence[str]):
        if not isinstance(records, list):
            raise BatchRejected([_error(None, None, "records", _("Send the records as a list."))])
        if len(records) > MAX_BATCH:
            raise BatchTooLarge(len(records))
        self.allowed = frozenset(allowed)
        self.errors: list[dict] = []
        self.index = 0
        self.external_id: str | None = None
        self.record: dict = {}

    def start(self, index: int, record: Any, id_field: str | None = "external_id") -> bool:
        self.index, self.record = index, record if isinstance(record, dict) else {}
        raw_id = self.record.get(id_field) if id_field else None
        self.external_id = raw_id if isinstance(raw_id, str) else None
        if not isinstance(record, dict):
            self.add(None, _("Each record must be a JSON object."))
            return False
        for name in record.keys() - self.allowed:
            self.add(
                name,
                _("Unknown field; the fields are: %(fields)s.") % {"fields": ", ".join(sorted(self.allowed))},
            )
        return True

    def add(self, field: str | None, message: str) -> None:
        self.errors.append(_error(self.index, self.external_id, field, message))

    def text(self, name: str, *, max_length: int, required: bool = False, upper: bool = False):
        """A string field; returns the stripped value, MISSING when absent, or None after an error."""
        if name not in self.record:
            if required:
                self.add(name, _("This field is required."))
                return None
            return MISSING
        value = self.record[name]
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            self.add(name, _("Must be a string."))
            return None
        if "\x00" in value:  # PostgreSQL cannot store it in text: refuse it here, not with a 500
            self.add(name, _("Must not contain NUL (\\x00) characters."))
            return None
        value = value.strip()
        if upper:
            value = value.upper()
        if required and not value:
            self.add(name, _("This field may not be blank."))
            return None
        if len(value) > max_length:
            self.add(
                name, _("At most %(n)d characters (this has %(len)d).") % {"n": max_length, "len": len(value)}
            )
            return None
        return value

    def code(self, name: str, codes: frozenset[str], message: str, *, blank_ok: bool):
        # No length check first: "Poland" is not a code, which says more than "at most 3 characters".
        value = self.text(name, max_length=10_000)
        if value is None or value is MISSING:
            return value
        if value == "" and blank_ok:
            return value
        if value.upper() not in codes:
            shown = value if len(value) <= 40 else value[:40] + "…"
            self.add(name, _(message) % {"value": shown})
            return None
        return value.upper()

    def money(self, name: str, *, required: bool = True, not_negative: bool = False):
        value = self.record.get(name)
        if value is None:
            if required:
                self.add(name, _("This field is required."))
            return None
        kind = type(value)
        if kind is not str and kind is not int and kind is not float:  # bool is not a number here
            self.add(name, _("Must be a number, e.g. 1234.50."))
            return None
        try:
            amount = Decimal(value.strip() if kind is str else repr(value) if kind is float else value)
            cents = amount.quantize(CENT)
        except (InvalidOperation, ValueError):
            if kind is str and value.strip() and _is_number(value):
                self.add(name, _("Must be below 100,000,000,000,000 in absolute value."))
            else:
                self.add(name, _("“%(value)s” is not a number, e.g. 1234.50.") % {"value": str(value)[:50]})
            return None
        if not cents.is_finite():
            self.add(name, _("Must be a finite number."))
        elif cents != amount:
            self.add(name, _("At most 2 decimal places."))
        elif not -MONEY_LIMIT < cents < MONEY_LIMIT:
            self.add(name, _("Must be below 100,000,000,000,000 in absolute value."))
        elif not_negative and cents < 0:
            self.add(name, _("Cannot be negative."))
        else:
            return cents
        return None

    def duplicate(self, key, seen: dict, name: str) -> bool:
        if key in seen:
            self.add(name, _("Appears twice in this batch (also at index %(i)d).") % {"i": seen[key]})
            return True
        seen[key] = self.index
        return False

    def raise_if_any(self) -> None:
        if self.errors:
            raise BatchRejected(self.errors)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def _is_number(text: str) -> bool:
    try:
        return Decimal(text.strip()).is_finite()
    except InvalidOperation:
        return False


def _error(index, external_id, field, message) -> dict:
    return {"index": index, "external_id": external_id, "field": field, "message": str(message)}


def account_ids_by_external_id(external_ids) -> dict[str, int]:
    """One query for the whole batch's account references."""
    return dict(Account.objects.filter(external_id__in=set(external_ids)).values_list("external_id", "id"))


def record_changed(row: dict, values: dict) -> bool:
    return any(row[name] != value for name, value in values.items())


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


class UpsertTable:
    """Writes plain rows (dicts keyed by attname) of one model, a whole batch per statement.

    On PostgreSQL one INSERT … ON CONFLICT DO UPDATE built with psycopg2's mogrify (what bulk_create
    does, without the per-value SQL compilation that takes most of its time); elsewhere bulk_create
    with update_conflicts. Either way the statement goes through Django's cursor, so it is counted.
    """

    def __init__(self, model, *, unique: tuple[str, ...], update: tuple[str, ...]):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = [f.attname for f in self.fields]
        self.defaults = {f.attname: _plain(f.get_default()) for f in self.fields}
        self.unique, self.update = unique, (*update, "updated_at")
        history = getattr(model, "history", None)
        self.history = history.model if history is not None else None

    def new_row(self, values: dict) -> dict:
        return {**self.defaults, **values}

    def existing(self, *conditions, **lookup) -> list[dict]:
        """The stored rows of the batch, locked until the transaction ends, as dicts."""
        rows = self.model.objects.select_for_update().filter(*conditions, **lookup)
        return list(rows.values("id", *self.columns))

    def upsert(self, created: list[dict], updated: list[dict]) -> tuple[list[dict], list[dict]]:
        """Insert new rows and update changed ones; returns the rows really created and really updated.

        Every row gets its id. On PostgreSQL the database has the last word: a row planned as new that
        another sync inserted meanwhile becomes an update if it differs (its version moving on from the
        stored one) and is left alone if it does not, so concurrent syncs count each creation once.
        """
        rows = created + updated
        if not rows:
            return [], []
        now = timezone.now()
        for row in rows:
            row["updated_at"] = now
            if row.get("created_at") is None:
                row["created_at"] = now
        if connection.vendor != "postgresql":
            # SQLite lets one writer at a time hold the database: the plan read under it stays true.
            objects = [self.model(**row) for row in rows]
            self.model.objects.bulk_create(
                objects,
                update_conflicts=True,
                unique_fields=list(self.unique),
                update_fields=list(self.update),
            )
            ids = {tuple(getattr(o, name) for name in self.unique): o.pk for o in objects}
            if None in ids.values():  # a backend that does not return ids from an upsert
                ids = self._read_ids(rows)
            for row in rows:
                row["id"] = ids[tuple(row[name] for name in self.unique)]
            return created, updated
        written = self._merge(rows)
        really_created, really_updated, untouched = [], [], []
        for row in rows:
            hit = written.get(tuple(row[name] for name in self.unique))
            if hit is None:
                untouched.append(row)  # written the same by a concurrent sync: nothing changed
                continue
            stored, inserted = hit
            row.update(stored)
            (really_created if inserted else really_updated).append(row)
        if untouched:
            ids = self._read_ids(untouched)
            for row in untouched:
                row["id"] = ids[tuple(row[name] for name in self.unique)]
        return really_created, really_updated

    def _merge(self, rows: list[dict]) -> dict[tuple, tuple[dict, bool]]:
        """One INSERT … ON CONFLICT DO UPDATE … WHERE changed … RETURNING the rows written, new or not."""
        sql, columns = self._merge_statement
        now = rows[0]["updated_at"]
        with connection.cursor() as cursor:
            values = self._values(rows, columns).replace("%", "%%")  # a "%" in a name: not a placeholder
            cursor.execute(sql.replace("%(values)s", values), {"now": now})
            written = {}
            for pk, *values, inserted in cursor.fetchall():
                stored = dict(zip(self.columns, values, strict=True), id=pk)
                written[tuple(stored[name] for name in self.unique)] = (stored, inserted)
        return written

    @functools.cached_property
    def _merge_statement(self) -> tuple[str, list[str]]:
        """The statement, built once, and the columns each row sends: the batch's time is one parameter
        (quoting an aware datetime per row took most of the quoting's time), a new row's created_at too."""
        quote = connection.ops.quote_name
        column = {f.attname: f.column for f in self.fields}
        sent = [n for n in self.columns if n not in ("created_at", "updated_at")]
        field = self.model._meta.get_field
        table = quote(self.model._meta.db_table)
        compared = [n for n in self.update if n not in ("version", "updated_at")]
        updates = [f"{quote(column[n])} = EXCLUDED.{quote(column[n])}" for n in self.update if n != "version"]
        if "version" in self.update:
            # From the stored version, not the planned one: the row may have been written since it was read.
            updates.append(f"{quote('version')} = stored.{quote('version')} + 1")
        stored_values = ", ".join(f"stored.{quote(column[n])}" for n in compared)
        new_values = ", ".join(f"EXCLUDED.{quote(column[n])}" for n in compared)
        returning = ", ".join(quote(column[n]) for n in self.columns)
        # VALUES in a subquery types its columns from the literals alone: cast each to its column's type.
        selected = ", ".join(f"v.{quote(column[n])}::{field(n).db_type(connection)}" for n in sent)
        sql = (
            f"INSERT INTO {table} AS stored ({', '.join(quote(column[n]) for n in sent)}, "
            f"{quote('created_at')}, {quote('updated_at')}) "
            f"SELECT {selected}, %(now)s, %(now)s "
            f"FROM (VALUES %(values)s) AS v ({', '.join(quote(column[n]) for n in sent)}) "
            f"ON CONFLICT ({', '.join(quote(column[n]) for n in self.unique)}) "
            f"DO UPDATE SET {', '.join(updates)} "
            f"WHERE ({stored_values}) IS DISTINCT FROM ({new_values}) "
            f"RETURNING {quote('id')}, {returning}, (xmax = 0)"
        )
        return sql, sent  # no "%" in it but its two placeholders: names are plain identifiers

    def _read_ids(self, rows):
        values = [row[self.unique[0]] for row in rows]
        found = self.model.objects.filter(**{f"{self.unique[0]}__in": values}).values_list("id", *self.unique)
        return {tuple(key): pk for pk, *key in found}

    @staticmethod
    def _values(rows: list[dict], names: list[str]) -> str:
        # One mogrify call for the whole batch: psycopg2 quotes every value, in C.
        connection.ensure_connection()
        row_placeholder = "(" + ", ".join(["%s"] * len(names)) + ")"
        params = [row[name] for row in rows for name in names]
        return (
            connection.connection.cursor().mogrify(", ".join([row_placeholder] * len(rows)), params).decode()
        )

    def record_history(
        self, created: list[dict], updated: list[dict], *, by=None, reason: str = SYNC_CHANGE_REASON
    ) -> None:
        """Bulk writes skip simple-history's signals: keep the batch's changes, by whoever sent it
        (the CRM when nobody is named), in one insert."""
        if self.history is None or not (created or updated):
            return
        now = timezone.now()
        if connection.vendor != "postgresql":
            names = [f.attname for f in self.history._meta.concrete_fields if f.attname != "history_id"]
            rows = []
            for kind, batch in (("+", created), ("~", updated)):
                for row in batch:
                    extra = {"history_date": now, "history_change_reason": reason}
                    rows.append(
                        {**row, **extra, "history_type": kind, "history_user_id": by.pk if by else None}
                    )
            self.history.objects.bulk_create([self.history(**{n: r[n] for n in names}) for r in rows])
            return
        # PostgreSQL: the history rows are copied from the rows just written, inside the database.
        with connection.cursor() as cursor:
            cursor.execute(
                self._history_statement,
                {
                    "now": now,
                    "reason": reason,
                    "user": by.pk if by else None,
                    "created": [row["id"] for row in created],
                    "written": [row["id"] for row in created + updated],
                },
            )

    @functools.cached_property
    def _history_statement(self) -> str:
        quote = connection.ops.quote_name
        own = {"history_date", "history_change_reason", "history_type", "history_user_id"}
        copied = [
            f
            for f in self.history._meta.concrete_fields
            if f.attname != "history_id" and f.attname not in own
        ]
        column = {f.attname: f.column for f in self.model._meta.concrete_fields}
        return (
            f"INSERT INTO {quote(self.history._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in copied)}, history_date, history_change_reason, "
            f"history_type, history_user_id) "
            f"SELECT {', '.join('written.' + quote(column[f.attname]) for f in copied)}, "
            f"%(now)s, %(reason)s, "
            f"CASE WHEN written.id = ANY(%(created)s) THEN '+' ELSE '~' END, %(user)s "
            f"FROM {quote(self.model._meta.db_table)} written WHERE written.id = ANY(%(written)s)"
        )


# --- Accounts ----------------------------------------------------------------------------------------

ACCOUNT_RECORD_FIELDS = files.FIELDS["accounts"]
ACCOUNTS = UpsertTable(Account, unique=("external_id",), update=(*ACCOUNT_CRM_FIELDS, "version"))


@transaction.atomic
def accounts_upsert(*, records: list, by=None, reason: str = SYNC_CHANGE_REASON) -> SyncResult:
    """Create or update accounts by external id; only their identity fields, never kam's own."""
    check = BatchChecker(records, ACCOUNT_RECORD_FIELDS)
    countries, currencies = country_codes(), currency_codes()
    batch = quick.accounts(records, check.allowed, countries, currencies)
    if batch is None:
        batch = _checked_accounts(check, records, countries, currencies)
    if connection.vendor == "postgresql":
        rows = [{"external_id": external_id, **values} for external_id, values in batch.items()]
        created_count, updated_count = merges.merge_accounts(rows, by=by, reason=reason)
        if created_count:
            analyze_when_grown(Account._meta.db_table)
        return SyncResult(created_count, updated_count, len(batch) - created_count - updated_count)
    existing = {row["external_id"]: row for row in ACCOUNTS.existing(external_id__in=batch)}
    created, updated = [], []
    for external_id, values in batch.items():
        row = existing.get(external_id)
        if row is None:
            created.append(ACCOUNTS.new_row({"external_id": external_id, **values}))
        elif record_changed(row, values):
            updated.append({**row, **values, "version": row["version"] + 1})
    created, updated = ACCOUNTS.upsert(created, updated)
    ACCOUNTS.record_history(created, updated, by=by, reason=reason)
    if created:
        analyze_when_grown(Account._meta.db_table)
    return SyncResult(len(created), len(updated), len(batch) - len(created) - len(updated))


def _checked_accounts(check: BatchChecker, records: list, countries, currencies) -> dict[str, dict]:
    """Every record checked field by field: refuses the batch naming each problem, else its values."""
    batch: dict[str, dict] = {}
    seen: dict = {}
    for index, record in enumerate(records):
        if not check.start(index, record):
            continue
        external_id = check.text("external_id", max_length=100, required=True)
        values = {
            "name": check.text("name", max_length=200, required=True),
            "industry": check.text("industry", max_length=100),
            "country": check.code("country", countries, UNKNOWN_COUNTRY, blank_ok=True),
            "currency": check.code("currency", currencies, UNKNOWN_CURRENCY, blank_ok=False),
        }
        if external_id and not check.duplicate(external_id, seen, "external_id"):
            batch[external_id] = {k: v for k, v in values.items() if v is not MISSING}
    check.raise_if_any()
    return batch


# --- Contacts (the customer's people) -----------------------------------------------------------------

CONTACT_RECORD_FIELDS = files.FIELDS["contacts"]


CONTACTS = UpsertTable(Stakeholder, unique=("external_id",), update=(*CONTACT_CRM_FIELDS, "version"))


@transaction.atomic
def contacts_upsert(*, records: list, by=None, reason: str = SYNC_CHANGE_REASON) -> SyncResult:
    """Create or update the customer's people by external id; influence, attitude and needs stay kam's."""
    check = BatchChecker(records, CONTACT_RECORD_FIELDS)
    parsed: dict[str, tuple[int, dict, str | None]] = {}
    seen: dict = {}
    for index, record in enumerate(records):
        if not check.start(index, record):
            continue
        external_id = check.text("external_id", max_length=100, required=True)
        account_ref = check.text("account_external_id", max_length=100, required=True)
        values = {
            "name": check.text("name", max_length=200, required=True),
            "title": check.text("title", max_length=200),
            "department": check.text("department", max_length=200),
            "email": check.text("email", max_length=254),
            "phone": check.text("phone", max_length=50),
        }
        if values["email"] not in (None, MISSING, ""):
            try:
                validate_email(values["email"])
            except ValidationError:
                check.add("email", _("“%(value)s” is not an e-mail address.") % {"value": values["email"]})
        manager_ref = check.text("reports_to_external_id", max_length=100)
        if manager_ref is not None and manager_ref == external_id:
            check.add("reports_to_external_id", _("A contact cannot report to themself."))
        if external_id and not check.duplicate(external_id, seen, "external_id"):
            values["account_external_id"] = account_ref
            parsed[external_id] = (index, values, manager_ref)
    check.raise_if_any()

    # Every reference of the batch in two queries: its accounts, and the people it names or touches.
    account_ids = account_ids_by_external_id(v["account_external_id"] for _i, v, _m in parsed.values())
    named = set(parsed) | {m for _i, _v, m in parsed.values() if m not in (MISSING, "")}
    people = {
        row["id"]: row
        for row in CONTACTS.existing(Q(external_id__in=named) | Q(account_id__in=account_ids.values()))
    }
    by_external_id = {row["external_id"]: row for row in people.values() if row["external_id"]}

    rows: dict[str, dict] = {}
    created, updated, pending_managers, moved = [], [], {}, []
    for external_id, (index, values, manager_ref) in parsed.items():
        check.index, check.external_id = index, external_id
        account_id = account_ids.get(values["account_external_id"])
        if account_id is None:
            check.add(
                "account_external_id",
                _("No account has this external id; sync the account first (or in an earlier batch)."),
            )
            continue
        values = {k: v for k, v in values.items() if v is not MISSING and k != "account_external_id"}
        values["account_id"] = account_id
        if manager_ref is not MISSING:
            values["reports_to_id"] = None
            if manager_ref:
                manager_account = _manager_account(manager_ref, parsed, account_ids, by_external_id)
                if manager_account is None:
                    check.add(
                        "reports_to_external_id",
                        _("No contact has this external id, in this batch or synced before."),
                    )
                    continue
                if manager_account != account_id:
                    check.add("reports_to_external_id", _("That contact works at another account."))
                    continue
                manager = by_external_id.get(manager_ref)
                if manager is not None:
                    values["reports_to_id"] = manager["id"]
                else:
                    pending_managers[external_id] = manager_ref  # new in this batch: linked after insert
        contact = by_external_id.get(external_id)
        if contact is not None and contact["account_id"] != account_id:
            moved.append(external_id)
            if manager_ref is MISSING and not _stays_at(
                contact["reports_to_id"], account_id, parsed, account_ids, people
            ):
                values["reports_to_id"] = None  # a manager left behind at the old account
        if contact is None:
            contact = CONTACTS.new_row({"external_id": external_id, **values})
            created.append(contact)
        elif record_changed(contact, values) or external_id in pending_managers:
            contact = {**contact, **values, "version": contact["version"] + 1}
            updated.append(contact)
        rows[external_id] = contact
    _check_no_reporting_cycles(check, parsed, rows, people, pending_managers)
    check.raise_if_any()

    created, updated = CONTACTS.upsert(created, updated)
    if pending_managers:
        updated += _link_new_managers(rows, pending_managers, written={r["id"] for r in created + updated})
    CONTACTS.record_history(created, updated, by=by, reason=reason)
    if created:
        analyze_when_grown(Stakeholder._meta.db_table)
    if moved:
        stakeholder_services.stakeholders_moved_account(moved_ids=[rows[e]["id"] for e in moved])
    return SyncResult(len(created), len(updated), len(parsed) - len(created) - len(updated))


def _link_new_managers(rows: dict, pending_managers: dict, *, written: set) -> list[dict]:
    """Point people at managers inserted by the same batch; returns rows changed by that alone."""
    linked = []
    for external_id, manager_ref in pending_managers.items():
        rows[external_id]["reports_to_id"] = rows[manager_ref]["id"]
        linked.append(Stakeholder(pk=rows[external_id]["id"], reports_to_id=rows[manager_ref]["id"]))
    Stakeholder.objects.bulk_update(linked, ["reports_to"])
    # A row the upsert found unchanged changes here: its version moves on, and its history says so.
    relinked = [rows[e]["id"] for e in pending_managers if rows[e]["id"] not in written]
    if not relinked:
        return []
    Stakeholder.objects.filter(pk__in=relinked).update(version=F("version") + 1)
    return list(Stakeholder.objects.filter(pk__in=relinked).values("id", *CONTACTS.columns))


def _stays_at(manager_id, account_id: int, parsed, account_ids, people) -> bool:
    """Whether the stored manager `manager_id` works at `account_id` once the batch is written."""
    manager = people.get(manager_id)
    if manager is None:
        return False  # every person at the batch's accounts was loaded: this one works elsewhere
    if manager["external_id"] in parsed:
        return account_ids.get(parsed[manager["external_id"]][1]["account_external_id"]) == account_id
    return manager["account_id"] == account_id


def _manager_account(manager_ref, parsed, account_ids, by_external_id) -> int | None:
    if manager_ref in parsed:
        return account_ids.get(parsed[manager_ref][1].get("account_external_id"), -1)
    manager = by_external_id.get(manager_ref)
    return manager["account_id"] if manager else None


def _check_no_reporting_cycles(check, parsed, rows, people, pending_managers) -> None:
    """Walk the org chart as it would be after the batch, in memory, and refuse any loop."""
    node_of = {external_id: (row.get("id") or external_id) for external_id, row in rows.items()}
    manager_of: dict = {pk: person["reports_to_id"] for pk, person in people.items()}
    for external_id, row in rows.items():
        manager_of[node_of[external_id]] = row["reports_to_id"]
    for external_id, manager_ref in pending_managers.items():
        manager_of[node_of[external_id]] = node_of.get(manager_ref)
    for external_id in rows:
        start = node_of[external_id]
        seen, current = {start}, manager_of.get(start)
        while current is not None:
            if current in seen:
                check.index, check.external_id = parsed[external_id][0], external_id
                check.add(
                    "reports_to_external_id", _("That would make the reporting line go round in a circle.")
                )
                break
            seen.add(current)
            current = manager_of.get(current)


# --- Financial figures --------------------------------------------------------------------------------

FINANCIAL_RECORD_FIELDS = files.FIELDS["financials"]


FINANCIALS = UpsertTable(FinancialPeriod, unique=("account_id", "period"), update=FINANCIAL_CRM_FIELDS)


@transaction.atomic
def financials_upsert(*, records: list, by=None, reason: str = SYNC_CHANGE_REASON) -> SyncResult:
    """Create or update monthly figures; the key is account and month.

    `by` and `reason` are accepted as on the other upserts; monthly figures keep no history rows."""
    check = BatchChecker(records, FINANCIAL_RECORD_FIELDS)
    currencies = currency_codes()
    parsed = quick.financials(records, check.allowed, currencies)
    if parsed is None:
        parsed = _checked_financials(check, records, currencies)
    if connection.vendor == "postgresql":
        rows = [{"account_external_id": ref, "period": month, **values} for _i, ref, month, values in parsed]
        created, updated, unknown = merges.merge_financials(rows)
    else:
        created, updated, unknown = _upsert_financials_generic(parsed)
    if unknown:
        message = _("No account has this external id; sync the account first.")
        for index, account_ref, _period, _values in parsed:
            if account_ref in unknown:
                check.index, check.external_id = index, account_ref
                check.add("account_external_id", message)
        check.raise_if_any()  # the transaction undoes whatever the merge wrote
    if created:
        analyze_when_grown(FinancialPeriod._meta.db_table)
    return SyncResult(created, updated, len(parsed) - created - updated)


def _checked_financials(check: BatchChecker, records: list, currencies) -> list[tuple[int, str, Any, dict]]:
    """Every record checked field by field: refuses the batch naming each problem, else its values."""
    parsed: list[tuple[int, str, Any, dict]] = []
    seen: dict = {}
    for index, record in enumerate(records):
        if not check.start(index, record, id_field="account_external_id"):
            continue
        account_ref = check.text("account_external_id", max_length=100, required=True)
        period = check.text("period", max_length=7, required=True)
        if period:
            try:
                period = parse_month(period)
            except ValueError as error:
                check.add("period", str(error))
                period = None
            if period and not limits.month_in_range(period):
                check.add("period", limits.month_out_of_range_message())
                period = None
        values = {
            "revenue": check.money("revenue"),
            "gross_margin": check.money("gross_margin"),
            "cost_to_serve": check.money("cost_to_serve", not_negative=True),
            "currency": check.code("currency", currencies, UNKNOWN_CURRENCY, blank_ok=False),
        }
        days = record.get("days_to_pay", MISSING)
        if (
            days is not MISSING
            and days is not None
            and (isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 32767)
        ):
            check.add("days_to_pay", _("Must be a whole number of days from 0 to 32767."))
        elif days is not MISSING:
            values["days_to_pay"] = days
        orders = record.get("order_count", MISSING)  # optional: gives the repeat-order rate
        if (
            orders is not MISSING
            and orders is not None
            and (isinstance(orders, bool) or not isinstance(orders, int) or not 0 <= orders <= 2147483647)
        ):
            check.add("order_count", _("Must be a whole number of orders, 0 or more."))
        elif orders is not MISSING:
            values["order_count"] = orders
        if account_ref and period and not check.duplicate((account_ref, period), seen, "period"):
            parsed.append((index, account_ref, period, {k: v for k, v in values.items() if v is not MISSING}))
    check.raise_if_any()
    return parsed


def _upsert_financials_generic(parsed: list[tuple]) -> tuple[int, int, set[str]]:
    """Any database: read the batch's accounts and stored months, compare in Python, write new and
    changed rows; returns (created, updated, unknown account external ids), writing nothing with those."""
    accounts = {
        a["external_id"]: a
        for a in Account.objects.filter(external_id__in={p[1] for p in parsed}).values(
            "id", "external_id", "currency"
        )
    }
    unknown = {account_ref for _index, account_ref, _period, _values in parsed if account_ref not in accounts}
    if unknown:
        return 0, 0, unknown
    rows = [
        {"account_id": accounts[account_ref]["id"], "period": period, **values}
        for _index, account_ref, period, values in parsed
    ]
    currency_of = {a["id"]: a["currency"] for a in accounts.values()}  # a new month's default
    stored = {
        (row["account_id"], row["period"]): row
        for row in FinancialPeriod.objects.filter(
            account_id__in=currency_of, period__in={r["period"] for r in rows}
        ).values("id", *FINANCIALS.columns)
    }
    created, updated = [], []
    for values in rows:
        row = stored.get((values["account_id"], values["period"]))
        if row is None:
            values.setdefault("currency", currency_of[values["account_id"]])
            created.append(FINANCIALS.new_row(values))
        elif record_changed(row, values):
            updated.append({**row, **values})
    created, updated = FINANCIALS.upsert(created, updated)
    return len(created), len(updated), set()
