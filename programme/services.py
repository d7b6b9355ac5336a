"""Every write on the programme's settings: criteria, weights and thresholds, and moving an account in or
out of the programme (its lifecycle). One transaction each, version-checked, with history.

Scores are written by programme/scoring (the nightly recompute and manual scores)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import (
    Account,
    LifecycleChange,
    LifecycleStatus,
)
from kam.core.versions import StaleVersion, save_if_unchanged
from programme.models import (
    AccountScore,
    Criterion,
    Programme,
    ScoreMapping,
    ScoringSource,
)
from programme.scoring import formulas as scoring
from programme.scoring import metrics

CRITERION_FIELDS = [
    "name", "description", "group", "weight", "source", "metric", "mapping", "bands", "position", "is_active"
]  # fmt: skip


def check_criterion(criterion: Criterion) -> None:
    """A criterion from data names a registered metric; bands go up with scores 0-10."""
    errors = {}
    if criterion.source == ScoringSource.DATA:
        if not metrics.get(criterion.metric):
            errors["metric"] = _("Pick the metric this criterion is scored from.")
        if criterion.mapping == ScoreMapping.BANDS:
            try:
                criterion.bands = scoring.check_bands(criterion.bands)
            except ValueError as error:
                errors["bands"] = str(error)
            else:
                if not criterion.bands:
                    errors["bands"] = _("Give at least one band, or map by percentile.")
    else:
        criterion.metric, criterion.bands = "", []
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def criterion_save(*, criterion: Criterion, by, expected_version: int | None = None) -> Criterion:
    """Add or change a criterion (champion only); it counts from the next recompute."""
    if not permissions.can_manage_criteria(by):
        raise PermissionDenied(_("Only the KAM champion sets the criteria."))
    check_criterion(criterion)
    criterion.full_clean()
    if criterion.pk is None:
        criterion.save()
        return criterion
    save_if_unchanged(criterion, expected_version=expected_version or 0, fields=CRITERION_FIELDS)
    Criterion.history.bulk_history_create([criterion], update=True, default_user=by)
    return criterion


@transaction.atomic
def criterion_set_active(*, criterion: Criterion, active: bool, by, expected_version: int) -> Criterion:
    """Retire a criterion (kept, with its manual scores, for the history) or bring it back."""
    if not permissions.can_manage_criteria(by):
        raise PermissionDenied(_("Only the KAM champion sets the criteria."))
    criterion.is_active = active
    save_if_unchanged(criterion, expected_version=expected_version, fields=["is_active"])
    Criterion.history.bulk_history_create([criterion], update=True, default_user=by)
    return criterion


@transaction.atomic
def weights_save(*, weights: dict[int, Decimal], by, versions: dict[int, int]) -> list[Criterion]:
    """Save the weights tried in the what-if, each version-checked."""
    if not permissions.can_manage_criteria(by):
        raise PermissionDenied(_("Only the KAM champion sets the criteria."))
    saved = []
    for criterion in Criterion.objects.filter(pk__in=weights):
        criterion.weight = weights[criterion.pk]
        criterion.full_clean()
        save_if_unchanged(criterion, expected_version=versions.get(criterion.pk, 0), fields=["weight"])
        saved.append(criterion)
    Criterion.history.bulk_history_create(saved, update=True, default_user=by)
    return saved


THRESHOLD_FIELDS = [
    "entry_threshold",
    "exit_threshold",
    "attractiveness_cutoff",
    "relationship_cutoff",
    "attractiveness_share",
]


@transaction.atomic
def thresholds_save(
    *,
    by,
    expected_version: int,
    entry_threshold: Decimal,
    exit_threshold: Decimal,
    attractiveness_cutoff: Decimal,
    relationship_cutoff: Decimal,
    attractiveness_share: Decimal,
) -> Programme:
    """The programme's thresholds and group shares, as tried in the what-if (champion only).

    Refused with StaleVersion when someone saved the programme's settings since `expected_version`.
    """
    if not permissions.can_manage_criteria(by):
        raise PermissionDenied(_("Only the KAM champion sets the thresholds."))
    programme = Programme.load()
    if programme.version != expected_version:
        raise StaleVersion(programme)  # before validating: their values, not ours, are what is stored
    programme.entry_threshold, programme.exit_threshold = entry_threshold, exit_threshold
    programme.attractiveness_cutoff, programme.relationship_cutoff = (
        attractiveness_cutoff,
        relationship_cutoff,
    )
    programme.attractiveness_share = attractiveness_share
    programme.full_clean()
    # The UPDATE checks the version again: a save between the read above and here is refused too.
    save_if_unchanged(programme, expected_version=expected_version, fields=THRESHOLD_FIELDS)
    return programme


@transaction.atomic
def programme_settings_save(*, programme: Programme, fields: list[str], expected_version: int) -> Programme:
    """Save the programme's settings from the admin; refused if someone saved since `expected_version`.

    Who may is the admin's own permission (the champion is the admin); the what-if's thresholds
    go through `thresholds_save`.
    """
    programme.full_clean()
    save_if_unchanged(programme, expected_version=expected_version, fields=list(fields))
    return programme


# candidate → key → exited, and an exited account may come back as key.
ALLOWED_LIFECYCLE_STEPS = {
    (LifecycleStatus.CANDIDATE, LifecycleStatus.KEY),
    (LifecycleStatus.KEY, LifecycleStatus.EXITED),
    (LifecycleStatus.EXITED, LifecycleStatus.KEY),
}


# The account's fields a lifecycle step writes its effective date into.
LIFECYCLE_DATE_FIELDS = {"key_since": "effective_on", "exited_on": "effective_on"}


@transaction.atomic
def lifecycle_change(
    *,
    account: Account,
    to_status: str,
    effective_on: date,
    reason: str = "",
    override_reason: str = "",
    by=None,
) -> LifecycleChange:
    """Move an account one lifecycle step, keeping the date and reason of every step."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    from_status = account.status
    if (from_status, to_status) not in ALLOWED_LIFECYCLE_STEPS:
        raise ValidationError(
            {
                "to_status": _("An account cannot go from %(from)s to %(to)s.")
                % {
                    "from": LifecycleStatus(from_status).label,
                    "to": LifecycleStatus(to_status).label,
                }
            }
        )
    if effective_on > timezone.localdate():
        raise ValidationError({"effective_on": _("The date cannot be in the future.")})
    reason = reason.strip()
    if to_status == LifecycleStatus.EXITED and not reason:
        raise ValidationError({"reason": _("Say why the account leaves the programme.")})
    if to_status == LifecycleStatus.KEY and not override_reason.strip():
        _require_override_below_entry(account)
    if to_status == LifecycleStatus.KEY:
        account.key_since, account.exited_on, account.exit_reason = effective_on, None, ""
    else:
        account.exited_on, account.exit_reason = effective_on, reason
    account.status = to_status
    try:
        account.full_clean()
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        # The step's date lands in key_since or exited_on; the person typed it as effective_on.
        raise ValidationError(
            {LIFECYCLE_DATE_FIELDS.get(name, name): messages for name, messages in error.message_dict.items()}
        ) from error
    # A change like any other: the version moves on, so a form or an API client that read the account
    # before is told, and the history names who moved it.
    account.version += 1
    account._history_user = by
    account.save()
    return LifecycleChange.objects.create(
        account=account,
        from_status=from_status,
        to_status=to_status,
        effective_on=effective_on,
        reason=reason,
        override_reason=override_reason.strip(),
        changed_by=by,
    )


def _require_override_below_entry(account: Account) -> None:
    """Made key below the entry threshold, on an incomplete score or unscored: the override reason is kept."""
    score = AccountScore.objects.filter(account=account).first()
    if score is None:
        # Nobody has checked it against the criteria yet: as much an override as a score below the line.
        raise ValidationError(
            {
                "override_reason": _(
                    "It has not been scored yet (the next recompute scores it), so nobody has checked it "
                    "against the criteria: say why it becomes a key account anyway."
                )
            }
        )
    entry = Programme.load().entry_threshold
    if score.overall is None or not score.is_complete or score.overall < entry:
        raise ValidationError(
            {
                "override_reason": _(
                    "Its score (%(score)s) is below the entry threshold (%(entry)s) or incomplete: "
                    "say why it becomes a key account anyway."
                )
                % {"score": "—" if score.overall is None else score.overall, "entry": entry}
            }
        )
