"""Every write a user or the CRM can cause on accounts: one transaction each, validated before writing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from kam import permissions

from .concurrency import StaleVersion, save_if_unchanged
from .models import (
    Account,
    AccountPlan,
    AccountTeamMember,
    ActionStatus,
    BuyingCentre,
    FinancialPeriod,
    Interaction,
    LifecycleChange,
    LifecycleStatus,
    Offering,
    OpportunityCell,
    PlanAction,
    PlanObjective,
    PlanRisk,
    PlanStatus,
    PlanStatusChange,
    ResourceRequest,
    ResourceRequestStatus,
    Stakeholder,
)

# candidate → key → exited, and an exited account may come back as key.
ALLOWED_LIFECYCLE_STEPS = {
    (LifecycleStatus.CANDIDATE, LifecycleStatus.KEY),
    (LifecycleStatus.KEY, LifecycleStatus.EXITED),
    (LifecycleStatus.EXITED, LifecycleStatus.KEY),
}


@transaction.atomic
def account_save(*, account: Account) -> Account:
    account.full_clean()
    account.save()
    return account


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
    account.full_clean()
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
    from programme.models import AccountScore, Programme

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


@transaction.atomic
def stakeholder_save(*, stakeholder: Stakeholder) -> Stakeholder:
    stakeholder.full_clean()
    stakeholder.save()
    return stakeholder


@transaction.atomic
def team_member_add(*, account: Account, user, function: str) -> AccountTeamMember:
    member = AccountTeamMember(account=account, user=user, function=function)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def financial_period_save(*, financial_period: FinancialPeriod) -> FinancialPeriod:
    financial_period.full_clean()
    financial_period.save()
    return financial_period


def _check_interaction(*, account: Account, occurred_on: date, stakeholders) -> list[Stakeholder]:
    """The rules a logged contact keeps, when logged and when corrected: it happened, with their people."""
    errors = {}
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = _("Log contacts that happened: the date cannot be in the future.")
    stakeholders = list(stakeholders)
    if not stakeholders:
        errors["stakeholders"] = _("Name at least one of the customer's people.")
    elif any(s.account_id != account.pk for s in stakeholders):
        errors["stakeholders"] = _("Every stakeholder must work at %(account)s.") % {"account": account.name}
    if errors:
        raise ValidationError(errors)
    return stakeholders


@transaction.atomic
def interaction_log(
    *,
    account: Account,
    kind: str,
    occurred_on: date,
    stakeholders,
    participants=(),
    notes: str = "",
    by=None,
) -> Interaction:
    """Record a contact with the customer's people; it feeds their last-contact marks."""
    stakeholders = _check_interaction(account=account, occurred_on=occurred_on, stakeholders=stakeholders)
    interaction = Interaction(
        account=account, kind=kind, occurred_on=occurred_on, notes=notes.strip(), logged_by=by
    )
    interaction.full_clean()
    interaction.skip_history_when_saving = True  # recorded below, once the people are linked
    interaction.save()
    del interaction.skip_history_when_saving
    interaction.stakeholders.set(stakeholders)
    interaction.participants.set(participants)
    _record_interaction(
        interaction, by=by, stakeholders=stakeholders, participants=participants, update=False
    )
    return interaction


def _ids(objects) -> list[int]:
    return sorted({o if isinstance(o, int) else o.pk for o in objects})


def _record_interaction(interaction: Interaction, *, by, stakeholders, participants, update=True, when=None):
    """One historical row: the interaction as it stands, with its people (see InteractionPeopleRecord)."""
    Interaction.history.bulk_history_create(
        [interaction],
        update=update,
        default_user=by,
        default_date=when,
        custom_historical_attrs={
            "stakeholder_ids": _ids(stakeholders),
            "participant_ids": _ids(participants),
        },
    )


def _record_interaction_before_change(stored: Interaction) -> None:
    """Keep the state a correction starts from when no history holds it yet with its people.

    Seeded interactions are bulk-created without history, and ones created by a plain save (the
    admin) have a first row without people: their first correction would otherwise have no old values.
    """
    last = Interaction.history.filter(id=stored.pk).order_by("-history_date", "-history_id").first()
    if last is not None and last.stakeholder_ids is not None:
        return
    through = Interaction.stakeholders.through.objects.filter(interaction_id=stored.pk)
    people = Interaction.participants.through.objects.filter(interaction_id=stored.pk)
    _record_interaction(
        stored,
        by=stored.logged_by if last is None else None,
        stakeholders=list(through.values_list("stakeholder_id", flat=True)),
        participants=list(people.values_list("user_id", flat=True)),
        update=last is not None,
        when=stored.created_at if last is None else None,
    )


# --- Account plans (issue 5) ----------------------------------------------------------------------
# The workflow, decided: a plan's *content* (needs, value proposition, sponsor commitments,
# objectives, risks) changes only while it is a draft, so what the sponsor approved is what stands;
# the KAM reopens it (with a reason, recorded) to change it. Its *execution* (actions, resource
# requests) goes on in every state but closed. Every step is a PlanStatusChange (who, when, comment).


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


def _save_versioned(instance, *, expected_version: int | None, fields: list[str], by=None):
    """Validate, then insert, or update only if nobody saved since `expected_version` (with history)."""
    instance.full_clean()
    if instance.pk is None:
        instance.save()
        return instance
    save_if_unchanged(instance, expected_version=expected_version or 0, fields=fields)
    # save_if_unchanged writes with UPDATE, which simple-history does not see: record it here.
    type(instance).history.bulk_history_create([instance], update=True, default_user=by)
    return instance


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
def plan_transition(*, plan: AccountPlan, name: str, by, comment: str = "") -> PlanStatusChange:
    """Take one workflow step if the plan's status and the user's role allow it, and record it."""
    plan = AccountPlan.objects.select_for_update().select_related("account").get(pk=plan.pk)
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
    plan.save()
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
    return _save_versioned(
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
    _save_versioned(objective, expected_version=expected_version, fields=OBJECTIVE_FIELDS, by=by)
    objective.opportunities.set(opportunities)
    return objective


@transaction.atomic
def objective_delete(*, objective: PlanObjective) -> None:
    _require_content_editable(objective.plan)
    objective.delete()


ACTION_FIELDS = ["objective", "description", "owner", "due_on", "status", "done_on", "note"]


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
    return _save_versioned(action, expected_version=expected_version, fields=ACTION_FIELDS, by=by)


@transaction.atomic
def action_report(*, action: PlanAction, status: str, note: str, expected_version: int, by) -> PlanAction:
    """The owner reports progress: a new status and a note (marking it done dates it today)."""
    _require_open(action.plan)
    if status == ActionStatus.DONE and not note.strip():
        raise ValidationError({"note": _("Say in a line what was done, for the KAM.")})
    action.status, action.note = status, note.strip()
    _check_action(action)
    return _save_versioned(
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
    return _save_versioned(
        resource_request, expected_version=expected_version, fields=RESOURCE_REQUEST_FIELDS, by=by
    )


@transaction.atomic
def risk_save(*, risk: PlanRisk, expected_version: int | None = None, by=None) -> PlanRisk:
    _require_content_editable(risk.plan)
    return _save_versioned(
        risk, expected_version=expected_version, fields=["description", "likelihood", "impact", "mitigation"],
        by=by,
    )  # fmt: skip


@transaction.atomic
def risk_delete(*, risk: PlanRisk) -> None:
    _require_content_editable(risk.plan)
    risk.delete()


@transaction.atomic
def offering_save(*, offering: Offering, expected_version: int | None = None, by=None) -> Offering:
    return _save_versioned(
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
            return _save_versioned(
                cell, expected_version=expected_version, fields=["status", "estimated_value", "note"], by=by
            )
    except IntegrityError as error:  # two people filled the same blank cell at once
        current = OpportunityCell.objects.get(buying_centre=buying_centre, offering=offering)
        raise StaleVersion(current) from error


# --- The stakeholder map and interactions in the workspace (issue 5) ---------------------------------
# Every change to a person on the map is version-checked (the second editor is told) and kept in the
# stakeholder's history with who made it. Removing takes a person off the map (archived), never deletes:
# their interactions and history stay.

STAKEHOLDER_FIELDS = [
    "name",
    "title",
    "department",
    "email",
    "phone",
    "reports_to",
    "buying_role",
    "influence",
    "attitude",
    "relationship_strength",
    "competitor_relationship_strength",
    "relationship_owner",
    "needs_organisation",
    "needs_department",
    "needs_personal",
    "left_on",
]


def _stakeholder_write(stakeholder: Stakeholder, *, expected_version, fields: list[str], by) -> Stakeholder:
    if stakeholder.pk is not None:
        current = Stakeholder.objects.filter(pk=stakeholder.pk).values_list("version", "archived_at").get()
        if current[1] is not None:
            raise ValidationError(_("%(name)s was removed from the map.") % {"name": stakeholder.name})
    return _save_versioned(stakeholder, expected_version=expected_version, fields=fields, by=by)


@transaction.atomic
def stakeholder_record(
    *, stakeholder: Stakeholder, expected_version: int | None = None, by=None
) -> Stakeholder:
    """Add a person to the map, or change one if nobody saved them since `expected_version`."""
    if stakeholder.left_on and stakeholder.left_on > timezone.localdate():
        raise ValidationError({"left_on": _("Mark people as gone once they have left.")})
    return _stakeholder_write(
        stakeholder, expected_version=expected_version, fields=STAKEHOLDER_FIELDS, by=by
    )


@transaction.atomic
def stakeholder_move(
    *, stakeholder: Stakeholder, reports_to: Stakeholder | None, expected_version: int, by=None
) -> Stakeholder:
    """Place a person under another manager (or at the top); a move closing a reporting loop is refused."""
    stakeholder.reports_to = reports_to
    return _stakeholder_write(stakeholder, expected_version=expected_version, fields=["reports_to"], by=by)


@transaction.atomic
def stakeholder_mark_left(
    *, stakeholder: Stakeholder, left_on: date, expected_version: int, by=None
) -> Stakeholder:
    """The person left the customer: kept on the map, greyed, with the date."""
    if left_on > timezone.localdate():
        raise ValidationError({"left_on": _("Mark people as gone once they have left.")})
    stakeholder.left_on = left_on
    return _stakeholder_write(stakeholder, expected_version=expected_version, fields=["left_on"], by=by)


@transaction.atomic
def stakeholder_remove(*, stakeholder: Stakeholder, expected_version: int, by=None) -> Stakeholder:
    """Take a person off the map (entered by mistake, or long gone); their reports move up one level."""
    stakeholder.archived_at = timezone.now()
    _stakeholder_write(stakeholder, expected_version=expected_version, fields=["archived_at"], by=by)
    reports = list(Stakeholder.objects.filter(reports_to=stakeholder, archived_at__isnull=True))
    for person in reports:
        person.reports_to_id = stakeholder.reports_to_id
        _save_versioned(person, expected_version=person.version, fields=["reports_to"], by=by)
    return stakeholder


INTERACTION_FIELDS = ["kind", "occurred_on", "notes"]


@transaction.atomic
def interaction_update(
    *,
    interaction: Interaction,
    by,
    expected_version: int,
    kind: str,
    occurred_on: date,
    stakeholders,
    participants=(),
    notes: str = "",
) -> Interaction:
    """Correct a logged contact (type, date, people, notes) if nobody changed it since `expected_version`.

    Who logged it and when stay: a correction is not a new contact.
    """
    account = interaction.account
    if not permissions.can_change_interaction(by, interaction, account):
        raise PermissionDenied(_("Only whoever logged this contact, the KAM or the champion can change it."))
    stakeholders = _check_interaction(account=account, occurred_on=occurred_on, stakeholders=stakeholders)
    interaction.kind, interaction.occurred_on, interaction.notes = kind, occurred_on, notes.strip()
    interaction.full_clean()
    stored = Interaction.objects.get(pk=interaction.pk)
    if stored.archived_at is not None:
        if stored.version != expected_version:
            raise StaleVersion(stored)  # removed after this editor opened it: they are told, as for an edit
        raise ValidationError(_("This contact was removed from the log; log it again if it happened."))
    if stored.version != expected_version:
        raise StaleVersion(stored)  # told before writing any history; save_if_unchanged catches a race
    _record_interaction_before_change(stored)  # undone with the rest if the version check refuses
    save_if_unchanged(interaction, expected_version=expected_version, fields=INTERACTION_FIELDS)
    interaction.stakeholders.set(stakeholders)
    interaction.participants.set(participants)
    # save_if_unchanged writes with UPDATE, which simple-history does not see: record it here.
    _record_interaction(interaction, by=by, stakeholders=stakeholders, participants=participants)
    return interaction


@transaction.atomic
def interaction_remove(*, interaction: Interaction, by) -> Interaction:
    """Take a wrongly logged contact out of the log (kept, archived); last-contact marks follow."""
    if not permissions.can_change_interaction(by, interaction, interaction.account):
        raise PermissionDenied(_("Only whoever logged this contact, the KAM or the champion can remove it."))
    interaction.archived_at = timezone.now()
    # Not version-checked (removing needs no form), but the version moves on, so that an edit opened
    # before the removal is told and the API's ETag changes.
    Interaction.objects.filter(pk=interaction.pk).update(
        archived_at=interaction.archived_at, updated_at=interaction.archived_at, version=F("version") + 1
    )
    interaction.updated_at = interaction.archived_at
    interaction.refresh_from_db(fields=["version"])
    _record_interaction(
        interaction,
        by=by,
        stakeholders=Interaction.stakeholders.through.objects.filter(
            interaction_id=interaction.pk
        ).values_list("stakeholder_id", flat=True),
        participants=Interaction.participants.through.objects.filter(
            interaction_id=interaction.pk
        ).values_list("user_id", flat=True),
        when=interaction.archived_at,
    )
    return interaction
