"""Reads of the import pages: the history, one run, the saved mappings."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts import permissions
from accounts.imports.models import ImportRun, SavedMapping

HISTORY_LENGTH = 100
# Kept out of list reads: the file itself and its rejected rows can weigh megabytes.
HEAVY_FIELDS = ("file_data", "rejected_rows", "skipped_rows")


def import_history(*, user) -> list[ImportRun]:
    """The latest imports `user` may see, with who made them, in one query."""
    runs = permissions.visible_imports(user).select_related("created_by").defer(*HEAVY_FIELDS)
    return list(runs[:HISTORY_LENGTH])


def visible_run(*, user, run_id: int, heavy: bool = False) -> ImportRun | None:
    runs = permissions.visible_imports(user).select_related("created_by")
    if not heavy:
        runs = runs.defer(*HEAVY_FIELDS)
    return runs.filter(pk=run_id).first()


def saved_mappings(*, kind: str) -> QuerySet[SavedMapping]:
    return SavedMapping.objects.filter(kind=kind).order_by("name")
