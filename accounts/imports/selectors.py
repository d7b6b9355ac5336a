"""Reads of the import pages: the history, one run, the saved mappings."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.imports.models import ImportRun, ImportStatus, SavedMapping

HISTORY_LENGTH = 100
# Kept out of list reads: the file itself and its rejected rows can weigh megabytes.
HEAVY_FIELDS = ("file_data", "rejected_rows", "skipped_rows")
# A running import records a heartbeat after each batch (seconds apart): silent this long, its worker died.
STALLED_AFTER = timedelta(minutes=10)


def stalled_message() -> str:
    return _("The import stopped without finishing; import the file again.")


def with_stall_verdict(run: ImportRun, *, now=None) -> ImportRun:
    """The run as its pages show it: one still "Importing" with no heartbeat for STALLED_AFTER is failed.

    Only what is shown changes (nothing is written on a read); the run loaded here is never saved.
    """
    if run.status != ImportStatus.RUNNING:
        return run
    last_sign = run.heartbeat_at or run.created_at
    if (now or timezone.now()) - last_sign > STALLED_AFTER:
        run.status = ImportStatus.FAILED
        run.failure = run.failure or stalled_message()
    return run


def import_history(*, user) -> list[ImportRun]:
    """The latest imports `user` may see, with who made them, in one query."""
    runs = permissions.visible_imports(user).select_related("created_by").defer(*HEAVY_FIELDS)
    now = timezone.now()
    return [with_stall_verdict(run, now=now) for run in runs[:HISTORY_LENGTH]]


def visible_run(*, user, run_id: int, heavy: bool = False) -> ImportRun | None:
    runs = permissions.visible_imports(user).select_related("created_by")
    if not heavy:
        runs = runs.defer(*HEAVY_FIELDS)
    run = runs.filter(pk=run_id).first()
    return run if run is None else with_stall_verdict(run)


def saved_mappings(*, kind: str) -> QuerySet[SavedMapping]:
    return SavedMapping.objects.filter(kind=kind).order_by("name")
