"""Background work of imports: a file too big to import while the person waits."""

from __future__ import annotations

from celery import shared_task

from accounts.imports import services


@shared_task(acks_late=True)
def import_file_task(run_id: int) -> int | None:
    """Idempotent: a run delivered again after it started is left alone."""
    run = services.import_file(run_id=run_id)
    return run.pk if run else None
