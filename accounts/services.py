"""Every write a user or the CRM can cause on accounts: one transaction each, validated before writing."""

from __future__ import annotations

from django.db import transaction

from accounts.models import (
    Account,
    AccountTeamMember,
    FinancialPeriod,
)


@transaction.atomic
def account_save(*, account: Account) -> Account:
    account.full_clean()
    account.save()
    return account


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
