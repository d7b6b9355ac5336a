"""The querysets behind each API list and detail: scoped by accounts/permissions.py, in fixed queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from accounts import permissions
from accounts.models import AccountPlan, FinancialPeriod, Interaction, PlanAction, Stakeholder, Survey
from programme.models import AccountScore


def accounts(*, user) -> QuerySet:
    return permissions.api_visible_accounts(user).select_related("kam", "executive_sponsor")


def contacts(*, user) -> QuerySet:
    return Stakeholder.objects.filter(account__in=permissions.api_visible_accounts(user)).select_related(
        "account", "reports_to", "relationship_owner"
    )


def financials(*, user) -> QuerySet:
    return FinancialPeriod.objects.filter(account__in=permissions.api_visible_accounts(user)).select_related(
        "account"
    )


def interactions(*, user) -> QuerySet:
    return (
        Interaction.objects.filter(account__in=permissions.api_visible_accounts(user))
        .select_related("account")
        .prefetch_related("stakeholders")
    )


def scores(*, user) -> QuerySet:
    return AccountScore.objects.filter(account__in=permissions.api_visible_accounts(user)).select_related(
        "account"
    )


def plans(*, user) -> QuerySet:
    return (
        AccountPlan.objects.filter(account__in=permissions.api_visible_accounts(user))
        .select_related("account")
        .prefetch_related(
            "objectives",
            Prefetch("actions", queryset=PlanAction.objects.select_related("owner", "assigned_by")),
        )
    )


def surveys(*, user) -> QuerySet:
    return Survey.objects.filter(account__in=permissions.api_visible_accounts(user)).select_related(
        "account", "stakeholder"
    )
