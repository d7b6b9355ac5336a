"""Every write a user or the CRM can cause on accounts: one transaction each, validated before writing."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    Account,
    AccountTeamMember,
    FinancialPeriod,
    Interaction,
    LifecycleChange,
    LifecycleStatus,
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
    interaction = Interaction(
        account=account, kind=kind, occurred_on=occurred_on, notes=notes.strip(), logged_by=by
    )
    interaction.full_clean()
    interaction.save()
    interaction.stakeholders.set(stakeholders)
    interaction.participants.set(participants)
    return interaction
