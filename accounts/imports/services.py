"""Imports of CRM export files: upload, map the columns, preview, then write through the sync's upserts.

The file goes through the same services as the API's sync (accounts/sync), so a row is refused for the
same reasons with the same words, and counted created, updated or unchanged the same way. Each batch
of rows is one of the sync's transactions: written whole or not at all. Rows refused by a batch are set
aside with their reasons and the rest of the batch is sent again (unless the importer asked for a strict
import, where a refused row keeps its whole batch out), so a big file goes in with a list of what to fix.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.imports.models import ImportKind, ImportRun, ImportStatus, SavedMapping
from accounts.sync import files
from accounts.sync.measures import surveys_upsert
from accounts.sync.records import (
    MAX_BATCH,
    BatchRejected,
    accounts_upsert,
    contacts_upsert,
    financials_upsert,
)

logger = logging.getLogger(__name__)

IMPORT_CHANGE_REASON = "Import from a file"
PREVIEW_ROWS = 20
MAX_PASSES = 5  # a batch sent again without its refused rows; a reference may then fail in turn

UPSERTS: dict[str, Callable] = {
    ImportKind.ACCOUNTS: accounts_upsert,
    ImportKind.CONTACTS: contacts_upsert,
    ImportKind.FINANCIALS: financials_upsert,
    ImportKind.SURVEYS: surveys_upsert,
}
# The field naming the account a record belongs to (for an account, its own id).
ACCOUNT_FIELD = {
    ImportKind.ACCOUNTS: "external_id",
    ImportKind.CONTACTS: "account_external_id",
    ImportKind.FINANCIALS: "account_external_id",
    ImportKind.SURVEYS: "account_external_id",
}


@dataclass
class RowOutcome:
    """One row as kam reads it: the record for the sync and every problem, by field ("" for the row)."""

    line: int
    cells: tuple[str, ...]
    record: dict
    problems: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str | None, message: str) -> None:
        self.problems.setdefault(name or "", []).append(message)


@dataclass
class Preview:
    rows: list[RowOutcome]
    missing: list[str]  # required fields no column is mapped to
    counts: dict[str, int] | None  # what the first rows would do, when none was refused
    skipped: list[dict]


# --- Upload and mapping --------------------------------------------------------------------------


def read(run: ImportRun) -> files.Table:
    return files.read_table(bytes(run.file_data))


@transaction.atomic
def import_upload(*, by, kind: str, file_name: str, data: bytes, size: int | None = None) -> ImportRun:
    """Keep an uploaded export for mapping; refuses (ValidationError) a file that is not a readable table."""
    if not permissions.can_import(by):
        raise PermissionDenied(_("Only the champion and key account managers import files."))
    try:
        files.check_size(len(data) if size is None else size)
        table = files.read_table(data)
    except files.UnreadableFile as error:
        raise ValidationError({"file": str(error)}) from None
    if not table.rows:
        raise ValidationError({"file": _("The file has a header row but no records.")})
    preset = files.detect_preset(table.headers, kind)
    run = ImportRun(
        kind=kind,
        created_by=by,
        file_name=(file_name or "upload.csv")[:255],
        file_data=data,
        encoding=table.encoding,
        delimiter=table.delimiter,
        headers=table.headers,
        mapping=files.suggest_mapping(table.headers, kind, preset),
        mapping_name=files.PRESET_NAMES.get(preset, ""),
        total_rows=len(table.rows),
        skipped_rows=[{"line": s.line, "text": s.text, "reason": s.reason} for s in table.skipped],
    )
    run.full_clean()
    run.save()
    return run


@transaction.atomic
def import_map(
    *, run: ImportRun, by, mapping: dict[str, str], date_format: str = "", save_as: str = "", name: str = ""
) -> ImportRun:
    """Set how the file's columns are read; with `save_as`, keep the mapping under that name too."""
    _check_may_change(run, by)
    fields = files.FIELDS[run.kind]
    errors = {}
    unknown = sorted({t for t in mapping.values() if t and t not in fields})
    if unknown:
        errors["mapping"] = _("Not a field of these records: %(names)s.") % {"names": ", ".join(unknown)}
    if date_format and date_format not in files.DATE_FORMATS:
        errors["date_format"] = _("Choose one of the date formats offered.")
    if errors:
        raise ValidationError(errors)
    run.mapping = {h: t for h, t in mapping.items() if t and h in run.headers}
    run.date_format = date_format
    run.mapping_name = name
    if save_as.strip():
        saved, _created = SavedMapping.objects.update_or_create(
            kind=run.kind,
            name=save_as.strip()[:100],
            defaults={"mapping": run.mapping, "date_format": date_format, "created_by": by},
        )
        saved.full_clean()
        run.mapping_name = saved.name
    run.full_clean()
    run.save(update_fields=["mapping", "date_format", "mapping_name"])
    return run


def mapping_named(*, run: ImportRun, choice: str) -> tuple[dict[str, str], str, str]:
    """The mapping, date format and name of a CRM's preset ("preset:hubspot") or a saved one ("saved:3")."""
    kind, _sep, key = choice.partition(":")
    if kind == "preset" and key in files.PRESETS:
        return files.suggest_mapping(run.headers, run.kind, key), run.date_format, files.PRESET_NAMES[key]
    saved = SavedMapping.objects.filter(kind=run.kind, pk=int(key) if key.isdigit() else None).first()
    if kind != "saved" or saved is None:
        raise ValidationError({"preset": _("Choose one of the mappings offered.")})
    return {h: t for h, t in saved.mapping.items() if h in run.headers}, saved.date_format, saved.name


def _check_may_change(run: ImportRun, by) -> None:
    if not permissions.can_view_import(by, run):
        raise PermissionDenied(_("This import is someone else's."))
    if run.status != ImportStatus.MAPPING:
        raise ValidationError(_("This file has already been imported; upload it again to import it again."))


def missing_fields(run: ImportRun) -> list[str]:
    mapped = set(run.mapping.values())
    return [name for name in files.REQUIRED[run.kind] if name not in mapped]


# --- Reading rows as the sync will ----------------------------------------------------------------


def _outcomes(run: ImportRun, table: files.Table, rows, options, allowed) -> list[RowOutcome]:
    """The rows as records, with what could not be read and what the importer may not touch."""
    outcomes = []
    account_field = ACCOUNT_FIELD[run.kind]
    for row, reading in zip(
        rows, files.records_from_rows(rows, table.headers, run.mapping, options=options), strict=True
    ):
        outcome = RowOutcome(row.line, row.cells, reading.record)
        for name, message in reading.problems.items():
            outcome.add(name, message)
        reference = reading.record.get(account_field)
        if allowed is not None and reference and reference not in allowed:
            if run.kind == ImportKind.ACCOUNTS:
                outcome.add(
                    account_field,
                    _("Not one of your accounts: only the champion creates accounts or changes others'."),
                )
            else:
                outcome.add(
                    account_field,
                    _("Not one of your accounts: only its KAM or the champion imports its records."),
                )
        outcomes.append(outcome)
    return outcomes


def _allowed_references(by) -> set[str] | None:
    """The external ids of the accounts `by` may import for; None when that is every account."""
    if permissions.is_champion(by):
        return None
    return set(
        permissions.importable_accounts(by).exclude(external_id=None).values_list("external_id", flat=True)
    )


def _send(run: ImportRun, outcomes: list[RowOutcome], *, by, strict: bool, write: bool) -> dict[str, int]:
    """Send the readable rows through the sync's upsert; refused rows get the sync's reasons.

    With `write` false nothing is kept (the upsert runs in a transaction that is rolled back): the
    preview shows the sync's own verdict without writing anything.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    ready = [o for o in outcomes if not o.problems]
    if len(ready) < len(outcomes):
        _check_refused_rows(run, outcomes, by=by)
    if strict and len(ready) < len(outcomes):
        _refuse_with_batch(ready, outcomes)
        return counts
    for _pass in range(MAX_PASSES):
        if not ready:
            return counts
        try:
            with transaction.atomic():
                result = UPSERTS[run.kind](
                    records=[o.record for o in ready], by=by, reason=IMPORT_CHANGE_REASON
                )
                if not write:
                    transaction.set_rollback(True)
        except BatchRejected as rejection:
            named = False
            for error in rejection.errors:
                index = error.get("index")
                if index is not None and 0 <= index < len(ready):
                    ready[index].add(error.get("field"), error["message"])
                    named = True
            if not named:  # a refusal of the batch as such: every row of it shares the reason
                for outcome in ready:
                    for error in rejection.errors:
                        outcome.add(error.get("field"), error["message"])
            if strict:
                _refuse_with_batch([o for o in ready if not o.problems], outcomes)
                return counts
            ready = [o for o in ready if not o.problems]
            continue
        return result.as_dict()
    for outcome in ready:
        outcome.add("", _("Not saved: rows it depends on were refused."))
    return counts


def _check_refused_rows(run: ImportRun, outcomes: list[RowOutcome], *, by) -> None:
    """A row already refused for a value kam could not read is still checked against the sync's rules
    (without that value, written nowhere), so that one pass over the file names all of its problems."""
    refused = {index for index, outcome in enumerate(outcomes) if outcome.problems}
    try:
        with transaction.atomic():
            UPSERTS[run.kind](records=[o.record for o in outcomes], by=by, reason=IMPORT_CHANGE_REASON)
            transaction.set_rollback(True)
    except BatchRejected as rejection:
        for error in rejection.errors:
            index, name = error.get("index"), error.get("field") or ""
            if index in refused and name not in outcomes[index].problems:
                outcomes[index].add(name, error["message"])


def _refuse_with_batch(clean: list[RowOutcome], outcomes: list[RowOutcome]) -> None:
    lines = ", ".join(str(o.line) for o in outcomes if o.problems)[:200]
    for outcome in clean:
        outcome.add("", _("Not saved: its batch had refused rows (lines %(lines)s).") % {"lines": lines})


def import_preview(*, run: ImportRun, by, limit: int = PREVIEW_ROWS) -> Preview:
    """The first rows as kam will read them, with every problem the import would report; writes nothing."""
    if not permissions.can_view_import(by, run):
        raise PermissionDenied(_("This import is someone else's."))
    table = read(run)
    rows = table.rows[:limit]
    options = files.read_options(table, run.mapping, date_format=run.date_format)
    outcomes = _outcomes(run, table, rows, options, _allowed_references(by))
    missing = missing_fields(run)
    counts = _send(run, outcomes, by=by, strict=False, write=False)
    if missing or any(o.problems for o in outcomes):
        counts = None
    return Preview(rows=outcomes, missing=missing, counts=counts, skipped=run.skipped_rows)


# --- The import itself ---------------------------------------------------------------------------


@transaction.atomic
def import_queue(*, run: ImportRun, by, strict: bool = False) -> ImportRun:
    """Ready a mapped file to be imported (by import_file); refuses a mapping without the required fields."""
    _check_may_change(run, by)
    missing = missing_fields(run)
    if missing:
        raise ValidationError(
            {"mapping": _("Map a column to each required field: %(names)s.") % {"names": ", ".join(missing)}}
        )
    run.status, run.strict = ImportStatus.QUEUED, strict
    run.save(update_fields=["status", "strict"])
    return run


def import_file(*, run_id: int) -> ImportRun | None:
    """Import a queued file batch by batch, recording progress after each; safe to run twice."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().select_related("created_by").filter(pk=run_id).first()
        if run is None or run.status != ImportStatus.QUEUED:
            return run  # delivered again after it started or finished: nothing to do
        run.status, run.heartbeat_at = ImportStatus.RUNNING, timezone.now()
        run.save(update_fields=["status", "heartbeat_at"])
    by = run.created_by
    totals = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    rejected: list[dict] = []
    try:
        table = read(run)
        options = files.read_options(table, run.mapping, date_format=run.date_format)
        allowed = _allowed_references(by)
        for start in range(0, len(table.rows), MAX_BATCH):
            rows = table.rows[start : start + MAX_BATCH]
            outcomes = _outcomes(run, table, rows, options, allowed)
            counts = _send(run, outcomes, by=by, strict=run.strict, write=True)
            refused = [o for o in outcomes if o.problems]
            rejected += [_rejected_row(o) for o in refused]
            totals = {k: totals[k] + counts.get(k, 0) for k in totals} | {"rejected": len(rejected)}
            ImportRun.objects.filter(pk=run.pk).update(
                processed_rows=start + len(rows), heartbeat_at=timezone.now(), **totals
            )
    except Exception as error:  # the run must end, and say so, whatever stopped it
        logger.exception("Import %s stopped", run.pk)
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.FAILED,
            failure=_("The import stopped: %(error)s") % {"error": str(error)[:500]},
            finished_at=timezone.now(),
            rejected_rows=rejected,
        )
        run.refresh_from_db()
        return run
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.DONE, finished_at=timezone.now(), rejected_rows=rejected, **totals
    )
    run.refresh_from_db()
    return run


def _rejected_row(outcome: RowOutcome) -> dict:
    reasons = [
        f"{name}: {message}" if name else message
        for name, messages in outcome.problems.items()
        for message in messages
    ]
    return {"line": outcome.line, "cells": list(outcome.cells), "reasons": reasons}


def rejected_rows_csv(run: ImportRun) -> str:
    """The refused rows as they were in the file, with line and reasons, ready to fix and import again."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*run.headers, _("Line in the file"), _("Why it was refused")])
    for row in run.rejected_rows:
        writer.writerow([*row["cells"], row["line"], "; ".join(row["reasons"])])
    return "\ufeff" + out.getvalue()  # the BOM tells Excel it is UTF-8
