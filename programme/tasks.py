"""Background work of the programme: thin tasks that call services.py."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from programme.dashboard import selectors as dashboard
from programme.digest.services import send_weekly_digests
from programme.models import RecomputeRun, RecomputeStatus, RecomputeTrigger
from programme.scoring import engine

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def recompute_scores_task(run_id: int | None = None) -> int | None:
    """Nightly (beat) or started by the champion (run_id). Idempotent, so a redelivery is harmless."""
    run = RecomputeRun.objects.filter(pk=run_id).first() if run_id else None
    if run is not None and run.status == RecomputeStatus.SUCCEEDED:
        return run.pk  # delivered again after it finished: nothing to do
    if run_id is None:  # beat's schedule
        run = RecomputeRun.objects.create(started_at=timezone.now(), trigger=RecomputeTrigger.SCHEDULE)
    try:
        run = engine.recompute_scores(run=run)
    except engine.RecomputeBusy:
        logger.info("recompute refused: another is running", extra={"run_id": run_id})
        return None  # the run holding the lock does the work; this one is recorded as refused
    logger.info(
        "recompute finished",
        extra={"run_id": run.pk, "accounts": run.accounts_processed, "status": run.status},
    )
    dashboard.warm_after_recompute()
    return run.pk


@shared_task(name="programme.digest.send_weekly_digest_task")
def send_weekly_digest_task() -> int:
    return send_weekly_digests()
