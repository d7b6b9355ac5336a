"""Writes on scores: the champion's "recompute now" and a KAM's manual score of a criterion."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from accounts import permissions
from kam.core.versions import StaleVersion, save_if_unchanged
from programme.models import (
    Criterion,
    ManualScore,
    RecomputeRun,
    RecomputeStatus,
    RecomputeTrigger,
    ScoringSource,
)
from programme.scoring import engine
from programme.tasks import recompute_scores_task

logger = logging.getLogger(__name__)

# What publishing a task raises when the broker or the result store cannot be reached.
QUEUE_OUTAGE_ERRORS = (KombuOperationalError, RedisConnectionError, RedisTimeoutError)


def recompute_request(*, by) -> RecomputeRun:
    """The champion starts a recompute now; the worker picks it up (refused while one is running)."""
    if not permissions.can_start_recompute(by):
        raise PermissionDenied(_("Only the KAM champion starts a recompute."))
    # A run whose worker died is failed first: it no longer blocks a new one.
    engine.fail_silent_runs()
    if RecomputeRun.objects.filter(status=RecomputeStatus.RUNNING).exists():
        raise ValidationError(_("A recompute is already running: watch its progress below."))
    run = RecomputeRun.objects.create(
        started_at=timezone.now(), started_by=by, trigger=RecomputeTrigger.PERSON
    )
    transaction.on_commit(lambda: _queue(run))
    return run


def _queue(run: RecomputeRun) -> None:
    try:
        recompute_scores_task.delay(run_id=run.pk)
    except QUEUE_OUTAGE_ERRORS as error:
        RecomputeRun.objects.filter(pk=run.pk, status=RecomputeStatus.RUNNING).update(
            status=RecomputeStatus.FAILED,
            finished_at=timezone.now(),
            error=_("Not started: the task queue was unreachable (%(error)s).") % {"error": error},
        )
        logger.warning("recompute not queued: the broker is unreachable", extra={"run_id": run.pk})
        raise ValidationError(
            _(
                "The recompute could not start: the task queue is unreachable. Try again in a few "
                "minutes; if it keeps failing, tell whoever runs kam that Redis is down."
            )
        ) from error


@transaction.atomic
def manual_score_save(
    *,
    account,
    criterion: Criterion,
    score: Decimal,
    justification: str,
    by,
    expected_version: int | None,
) -> ManualScore:
    """The KAM scores a criterion by hand, 0-10 with a reason; a save over someone else's is refused."""
    if not permissions.can_score_by_hand(by, account):
        raise PermissionDenied(_("Only the account's key account manager or the champion scores it by hand."))
    errors = {}
    if criterion.source != ScoringSource.MANUAL or not criterion.is_active:
        errors["criterion"] = _("“%(name)s” is not scored by hand.") % {"name": criterion.name}
    justification = (justification or "").strip()
    if not justification:
        errors["justification"] = _("Say in a line why: a number nobody can explain is not used.")
    if score is None or not Decimal(0) <= score <= Decimal(10):
        errors["score"] = _("A score is between 0 and 10.")
    if errors:
        raise ValidationError(errors)
    existing = ManualScore.objects.filter(account=account, criterion=criterion).first()
    fields = {
        "score": score,
        "justification": justification,
        "scored_by": by,
        "scored_on": timezone.localdate(),
    }
    if existing is None:
        if expected_version:
            raise ValidationError(_("This score was removed meanwhile; score it again."))
        manual = ManualScore(account=account, criterion=criterion, **fields)
        manual.full_clean()
        manual.save()
        return manual
    if expected_version is None:
        raise StaleVersion(existing)  # someone scored it after this form was opened
    for name, value in fields.items():
        setattr(existing, name, value)
    existing.full_clean()
    save_if_unchanged(existing, expected_version=expected_version, fields=list(fields))
    # save_if_unchanged writes with UPDATE, which simple-history does not see: record it here.
    ManualScore.history.bulk_history_create([existing], update=True, default_user=by)
    return existing
