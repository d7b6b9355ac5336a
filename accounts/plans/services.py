"""Every write on account plans: the plan and its status workflow, objectives, actions, resource
requests, risks, offerings and the opportunity map. One transaction each, version-checked, with history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from accounts import permissions
from accounts.models import (
    Account,
    AccountPlan,
    ActionStatus,
    BuyingCentre,
    Offering,
    OpportunityCell,
    PlanAction,
    PlanObjective,
    PlanRisk,
    PlanStatus,
    PlanStatusChange,
    ResourceRequest,
    ResourceRequestStatus,
)
from kam.core.versions import StaleVersion, save_versioned


@dataclass(frozen=True)
class PlanTransition:
    name: str
    label: str
    from_statuses: tuple[str, ...]
    to_status: str
    allowed: Callable  # permissions predicate taking (user, account)
    needs_comment: bool = False


PLAN_TRANSITIONS = {
    t.name: t
    for t in [
        PlanTransition(
            "submit", gettext_lazy("Submit for approval"), (PlanStatus.DRAFT,), PlanStatus.SUBMITTED,
            permissions.can_edit_plan,
        ),
        PlanTransition(
            "approve", gettext_lazy("Approve"), (PlanStatus.SUBMITTED,), PlanStatus.APPROVED,
            permissions.can_approve_plan,
        ),
        PlanTransition(
            "send_back", gettext_lazy("Send back to the KAM"), (PlanStatus.SUBMITTED,), PlanStatus.DRAFT,
            permissions.can_approve_plan, needs_comment=True,
        ),
        PlanTransition(
            "activate", gettext_lazy("Start executing"), (PlanStatus.APPROVED,), PlanStatus.ACTIVE,
            permissions.can_edit_plan,
        ),
        PlanTransition(
            "review", gettext_lazy("Record a review"), (PlanStatus.APPROVED, PlanStatus.ACTIVE), "",
            permissions.can_edit_plan,
        ),
        PlanTransition(
            "reopen", gettext_lazy("Reopen as draft"),
            (PlanStatus.SUBMITTED, PlanStatus.APPROVED, PlanStatus.ACTIVE), PlanStatus.DRAFT,
            permissions.can_edit_plan, needs_comment=True,
        ),
        PlanTransition(
            "close", gettext_lazy("Close"), (PlanStatus.APPROVED, PlanStatus.ACTIVE), PlanStatus.CLOSED,
            permissions.can_edit_plan,
        ),
    ]
}  # fmt: skip


def plan_transitions_for(*, user, plan: AccountPlan) -> list[PlanTransition]:
    """The workflow steps `user` may take on `plan` now (the page shows one button each)."""
    return [
        t
        for t in PLAN_TRANSITIONS.values()
        if plan.status in t.from_statuses and t.allowed(user, plan.account)
    ]


def _require_content_editable(plan: AccountPlan) -> None:
    if not plan.content_is_editable:
        raise ValidationError(
            _("This plan is %(status)s: reopen it as a draft to change its content.")
            % {"status": plan.get_status_display().lower()}
        )


def _require_open(plan: AccountPlan) -> None:
    if not plan.is_open:
        raise ValidationError(_("This plan is closed and can no longer change."))


def _set_reviewed(plan: AccountPlan, day: date) -> None:
    plan.reviewed_on = day
    plan.review_due_on = day + timedelta(days=plan.review_within_days)


@transaction.atomic
def plan_transition(
    *, plan: AccountPlan, name: str, by, expected_version: int | None, comment: str = ""
) -> PlanStatusChange:
    """Take one workflow step if the plan's status and the user's role allow it, and record it.

    Only on the plan as the user saw it: approving content changed since `expected_version` is refused.
    """
    given = plan
    plan = AccountPlan.objects.select_for_update().select_related("account").get(pk=plan.pk)
    if plan.version != expected_version:
        raise StaleVersion(plan)
    transition = PLAN_TRANSITIONS.get(name)
    if transition is None or plan.status not in transition.from_statuses:
        raise ValidationError(
            _("A %(status)s plan cannot take this step.") % {"status": plan.get_status_display().lower()}
        )
    if not transition.allowed(by, plan.account):
        raise PermissionDenied(_("You may not take this step on this plan."))
    comment = comment.strip()
    if transition.needs_comment and not comment:
        raise ValidationError({"comment": _("Say why, so the KAM and the approver know.")})
    if name == "submit" and not plan.objectives.exists():
        raise ValidationError(_("Add at least one objective before submitting the plan."))
    from_status = plan.status
    plan.status = transition.to_status or plan.status
    if name in ("approve", "review"):
        _set_reviewed(plan, timezone.localdate())
    plan.version += 1
    plan._history_user = by
    plan.save()
    given.status, given.version = plan.status, plan.version  # the caller's copy is current again
    given.reviewed_on, given.review_due_on = plan.reviewed_on, plan.review_due_on
    return PlanStatusChange.objects.create(
        plan=plan, from_status=from_status, to_status=plan.status, comment=comment, changed_by=by
    )


PLAN_SECTION_FIELDS = [
    "needs_organisation",
    "needs_department",
    "needs_personal",
    "value_terms",
    "value_dedicated_offer",
    "value_loyalty_terms",
    "sponsor_visits_per_year",
    "sponsor_commitments",
    "review_within_days",
]


@transaction.atomic
def plan_sections_save(*, plan: AccountPlan, expected_version: int, by) -> AccountPlan:
    """Save the plan's own sections (needs, value proposition, sponsor commitments) while it is a draft."""
    _require_content_editable(AccountPlan.objects.get(pk=plan.pk))
    if plan.reviewed_on:
        _set_reviewed(plan, plan.reviewed_on)
    return save_versioned(
        plan, expected_version=expected_version, fields=[*PLAN_SECTION_FIELDS, "review_due_on"], by=by
    )


@transaction.atomic
def plan_create(
    *, account: Account, period_start: date, period_end: date, by, copy_last: bool = False
) -> AccountPlan:
    """Start a draft plan for a period; with `copy_last`, from the latest earlier plan's content."""
    if AccountPlan.objects.filter(account=account, period_start=period_start).exists():
        raise ValidationError({"period_start": _("This account already has a plan starting that day.")})
    previous = None
    if copy_last:
        previous = account.plans.filter(period_start__lt=period_start).order_by("-period_start").first()
        if previous is None:
            raise ValidationError({"copy_last": _("There is no earlier plan to copy.")})
    plan = AccountPlan(account=account, period_start=period_start, period_end=period_end, created_by=by)
    if previous:
        for name in PLAN_SECTION_FIELDS:
            setattr(plan, name, getattr(previous, name))
        plan.copied_from = previous
    plan.full_clean()
    plan.save()
    PlanStatusChange.objects.create(
        plan=plan, from_status=PlanStatus.DRAFT, to_status=PlanStatus.DRAFT, changed_by=by,
        comment=_("Copied from the plan starting %(day)s.") % {"day": previous.period_start}
        if previous else "",
    )  # fmt: skip
    if previous:
        _copy_plan_content(previous, plan, by=by)
    return plan


def _copy_plan_content(previous: AccountPlan, plan: AccountPlan, *, by) -> None:
    # Objectives, open actions and risks carry over; resource requests do not: their answers
    # belong to the period they were asked in, and an old ask is re-asked on purpose.
    old_objectives = list(previous.objectives.prefetch_related("opportunities"))
    new_objectives = [
        PlanObjective(plan=plan, title=o.title, strategy=o.strategy, target=o.target, due_on=o.due_on)
        for o in old_objectives
    ]
    bulk_create_with_history(new_objectives, PlanObjective, default_user=by)
    # bulk_create_with_history does not hand back primary keys on every database: read them back.
    new_objectives = list(plan.objectives.order_by("id"))
    objective_map = {old.pk: new.pk for old, new in zip(old_objectives, new_objectives, strict=True)}
    Link = PlanObjective.opportunities.through
    Link.objects.bulk_create(
        [
            Link(planobjective_id=objective_map[o.pk], opportunitycell_id=cell.pk)
            for o in old_objectives
            for cell in o.opportunities.all()
        ]
    )
    actions = [
        PlanAction(
            plan=plan,
            objective_id=objective_map.get(a.objective_id),
            description=a.description,
            owner_id=a.owner_id,
            due_on=a.due_on,
            status=a.status,
            note=a.note,
            shared_with_customer=a.shared_with_customer,
        )
        for a in previous.actions.still_open()
    ]
    bulk_create_with_history(actions, PlanAction, default_user=by)
    risks = [
        PlanRisk(
            plan=plan,
            description=r.description,
            likelihood=r.likelihood,
            impact=r.impact,
            mitigation=r.mitigation,
        )
        for r in previous.risks.all()
    ]
    bulk_create_with_history(risks, PlanRisk, default_user=by)


OBJECTIVE_FIELDS = ["title", "strategy", "target", "due_on"]


@transaction.atomic
def objective_save(
    *, objective: PlanObjective, opportunities, expected_version: int | None = None, by=None
) -> PlanObjective:
    """Add or change an objective of a draft plan; its opportunities must be the account's own cells."""
    _require_content_editable(objective.plan)
    opportunities = list(opportunities)
    if any(cell.buying_centre.account_id != objective.plan.account_id for cell in opportunities):
        raise ValidationError({"opportunities": _("Pick opportunities of this account's map.")})
    save_versioned(objective, expected_version=expected_version, fields=OBJECTIVE_FIELDS, by=by)
    objective.opportunities.set(opportunities)
    return objective


@transaction.atomic
def objective_delete(*, objective: PlanObjective) -> None:
    _require_content_editable(objective.plan)
    objective.delete()


ACTION_FIELDS = [
    "objective", "description", "owner", "due_on", "status", "done_on", "note", "shared_with_customer",
]  # fmt: skip


def _check_action(action: PlanAction) -> None:
    if action.objective_id and action.objective.plan_id != action.plan_id:
        raise ValidationError({"objective": _("Pick an objective of this plan.")})
    if action.status == ActionStatus.DONE:
        action.done_on = action.done_on or timezone.localdate()
    else:
        action.done_on = None


@transaction.atomic
def action_save(*, action: PlanAction, expected_version: int | None = None, by=None) -> PlanAction:
    """Add or change an action of an open plan (owner from any function, due date, status)."""
    _require_open(action.plan)
    _check_action(action)
    return save_versioned(action, expected_version=expected_version, fields=ACTION_FIELDS, by=by)


@transaction.atomic
def action_report(*, action: PlanAction, status: str, note: str, expected_version: int, by) -> PlanAction:
    """The owner reports progress: a new status and a note (marking it done dates it today)."""
    _require_open(action.plan)
    if status == ActionStatus.DONE and not note.strip():
        raise ValidationError({"note": _("Say in a line what was done, for the KAM.")})
    action.status, action.note = status, note.strip()
    _check_action(action)
    return save_versioned(
        action, expected_version=expected_version, fields=["status", "note", "done_on"], by=by
    )


RESOURCE_REQUEST_FIELDS = ["business_unit", "request", "status", "answer", "answered_on"]


@transaction.atomic
def resource_request_save(
    *, resource_request: ResourceRequest, expected_version: int | None = None, by=None
) -> ResourceRequest:
    """Ask a business unit for something, or record its answer (dated the day it is recorded)."""
    _require_open(resource_request.plan)
    if resource_request.pk is None:
        resource_request.requested_by = by
    if resource_request.status == ResourceRequestStatus.REQUESTED:
        resource_request.answered_on = None
    else:
        if not resource_request.answer.strip():
            raise ValidationError({"answer": _("Write down the business unit's answer.")})
        resource_request.answered_on = resource_request.answered_on or timezone.localdate()
    return save_versioned(
        resource_request, expected_version=expected_version, fields=RESOURCE_REQUEST_FIELDS, by=by
    )


@transaction.atomic
def risk_save(*, risk: PlanRisk, expected_version: int | None = None, by=None) -> PlanRisk:
    _require_content_editable(risk.plan)
    return save_versioned(
        risk, expected_version=expected_version, fields=["description", "likelihood", "impact", "mitigation"],
        by=by,
    )  # fmt: skip


@transaction.atomic
def risk_delete(*, risk: PlanRisk) -> None:
    _require_content_editable(risk.plan)
    risk.delete()


@transaction.atomic
def offering_save(*, offering: Offering, expected_version: int | None = None, by=None) -> Offering:
    return save_versioned(
        offering, expected_version=expected_version,
        fields=["name", "description", "position", "archived_at"], by=by,
    )  # fmt: skip


@transaction.atomic
def buying_centre_add(*, account: Account, name: str) -> BuyingCentre:
    position = account.buying_centres.count()
    centre = BuyingCentre(account=account, name=name.strip(), position=position)
    centre.full_clean()
    centre.save()
    return centre


@transaction.atomic
def opportunity_save(
    *,
    buying_centre: BuyingCentre,
    offering: Offering,
    status: str,
    estimated_value,
    note: str = "",
    expected_version: int | None,
    by=None,
) -> OpportunityCell:
    """Set one whitespace cell. `expected_version` None means "it was blank when I opened it"."""
    cell = OpportunityCell.objects.filter(buying_centre=buying_centre, offering=offering).first()
    if cell is None:
        cell = OpportunityCell(buying_centre=buying_centre, offering=offering)
    elif expected_version is None:
        raise StaleVersion(cell)  # someone filled the cell in after this form was opened
    cell.status, cell.estimated_value, cell.note = status, estimated_value, note.strip()
    try:
        with transaction.atomic():
            return save_versioned(
                cell, expected_version=expected_version, fields=["status", "estimated_value", "note"], by=by
            )
    except IntegrityError as error:  # two people filled the same blank cell at once
        current = OpportunityCell.objects.get(buying_centre=buying_centre, offering=offering)
        raise StaleVersion(current) from error
