"""Every write a user or the CRM can cause on accounts: one transaction each, validated before writing."""

from __future__ import annotations

from django.db import transaction

from accounts.models import (
    Account,
    AccountTeamMember,
    FinancialPeriod,
    User,
)
from kam.core.versions import save_versioned

# What a person or the CRM edits on an account; the lifecycle moves only through its own service.
ACCOUNT_FIELDS = ["name", "external_id", "industry", "country", "currency", "kam", "executive_sponsor"]


@transaction.atomic
def account_save(
    *, account: Account, expected_version: int | None = None, fields: list[str] | None = None, by=None
) -> Account:
    """Add an account, or change `fields` of one if nobody saved it since `expected_version`."""
    return save_versioned(account, expected_version=expected_version, fields=fields or ACCOUNT_FIELDS, by=by)


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
def user_language_set(*, user: User, language: str) -> User:
    """Each user chooses the language kam speaks to them, on every page and in e-mails."""
    # Only this field is checked: an old account's other fields must not stop a language change.
    user.language = User._meta.get_field("language").clean(language, user)
    user.save(update_fields=["language"])
    return user
