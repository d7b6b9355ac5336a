"""Reads for executive sponsors ("My accounts", the one-page brief) and the champion's sponsor load page.

A sponsor reads only the accounts they sponsor: every read here starts from
`permissions.sponsored_accounts` (or, for the brief, asks `can_read_sponsor_brief`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, Max, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import (
    OPEN_ACTION_STATUSES,
    Account,
    AccountPlan,
    Interaction,
    InteractionKind,
    PlanAction,
    PlanStatus,
    Stakeholder,
)
from accounts.stakeholders.relationships import RelationshipHealth, executive_visit_due, relationship_health
from accounts.stakeholders.selectors import mapped_people
from programme.models import Programme

# The brief is one printed page and at most three phone screens: the most influential people, the
# first overdue and next actions, the worst risks; each with the way to the rest (an account can map
# 150 people).
KEY_PEOPLE_SHOWN = 5
ACTIONS_SHOWN = 3  # overdue, and as many upcoming
RISKS_SHOWN = 3
VISITS_COUNTED_DAYS = 365


def _visits(outer: str = "pk"):
    return Interaction.objects.filter(
        account=OuterRef(outer), kind=InteractionKind.EXECUTIVE_VISIT, archived_at__isnull=True
    ).order_by()


def _sponsor_annotations(today: date) -> dict:
    current_plan = (
        AccountPlan.objects.filter(account=OuterRef("pk")).in_force_on(today).order_by("-period_start")
    )
    since = today - timedelta(days=VISITS_COUNTED_DAYS)
    return {
        "last_executive_visit": Subquery(
            _visits().values("account").annotate(last=Max("occurred_on")).values("last")
        ),
        "visits_last_year": Coalesce(
            Subquery(
                _visits().filter(occurred_on__gt=since).values("account").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            0,
        ),
        "plan_status": Subquery(current_plan.values("status")[:1]),
        "plan_id": Subquery(current_plan.values("pk")[:1]),
        "visits_committed": Subquery(current_plan.values("sponsor_visits_per_year")[:1]),
        "awaiting_endorsement": Subquery(
            AccountPlan.objects.filter(account=OuterRef("pk"), status=PlanStatus.SUBMITTED)
            .order_by("-period_start")
            .values("pk")[:1]
        ),
    }


@dataclass
class SponsoredAccount:
    account: Account
    today: date

    @property
    def visit_due(self) -> bool:
        return executive_visit_due(self.account.last_executive_visit, self.today)

    @property
    def behind_commitment(self) -> bool:
        committed = self.account.visits_committed
        return bool(committed) and self.account.visits_last_year < committed

    @property
    def plan_status_label(self) -> str:
        status = self.account.plan_status
        return PlanStatus(status).label if status else _("No plan")


def my_sponsored_accounts(*, user, today: date | None = None) -> list[SponsoredAccount]:
    """The sponsor's home: each account they sponsor, what waits for them (visit, endorsement). One query."""
    today = today or timezone.localdate()
    accounts = (
        permissions.sponsored_accounts(user, Account.objects.current())
        .select_related("kam", "score")
        .annotate(**_sponsor_annotations(today))
        .order_by("name")
    )
    return [SponsoredAccount(account, today) for account in accounts]


@dataclass
class SponsorBrief:
    account: Account
    plan: AccountPlan | None
    plan_awaiting_endorsement: AccountPlan | None
    objectives: list
    risks: list  # the worst first
    risks_total: int
    overdue_actions: list  # open and past their due date, each with `days_overdue`; the first few
    overdue_total: int
    upcoming_actions: list
    stakeholders: list[Stakeholder]  # everyone at the customer now, most influential first
    last_visit: Interaction | None
    health: RelationshipHealth
    can_endorse: bool
    can_log_visit: bool
    today: date

    @property
    def key_people(self) -> list[Stakeholder]:
        return self.stakeholders[:KEY_PEOPLE_SHOWN]

    @property
    def more_people(self) -> int:
        return max(len(self.stakeholders) - KEY_PEOPLE_SHOWN, 0)

    @property
    def supporters(self) -> list[Stakeholder]:
        return [s for s in self.stakeholders if s.attitude > 0]

    @property
    def neutral(self) -> list[Stakeholder]:
        return [s for s in self.stakeholders if s.attitude == 0]

    @property
    def opponents(self) -> list[Stakeholder]:
        return [s for s in self.stakeholders if s.attitude < 0]


def brief_account(*, user, account_id: int) -> Account:
    """The account if `user` may read its sponsor brief: 404 if they cannot see it, 403 if not its sponsor."""
    account = get_object_or_404(
        permissions.visible_accounts(
            user, Account.objects.current().select_related("kam", "executive_sponsor")
        ),
        pk=account_id,
    )
    if not permissions.can_read_sponsor_brief(user, account):
        raise PermissionDenied(_("This brief is for the account's executive sponsor."))
    return account


def sponsor_brief(*, user, account_id: int, today: date | None = None) -> SponsorBrief:
    """The sponsor's one-page brief: plan objectives and status, the map, health, next actions, last visit."""
    today = today or timezone.localdate()
    account = brief_account(user=user, account_id=account_id)
    plans = list(
        account.plans.exclude(status=PlanStatus.CLOSED)
        .filter(period_end__gte=today)
        .prefetch_related(
            "objectives",
            "risks",
            Prefetch(
                "actions",
                queryset=PlanAction.objects.filter(status__in=OPEN_ACTION_STATUSES)
                .select_related("owner")
                .order_by("due_on", "id"),
                to_attr="open_actions",
            ),
        )
        .order_by("period_start")
    )
    in_force = [p for p in plans if p.period_start <= today]
    plan = in_force[-1] if in_force else (plans[0] if plans else None)
    awaiting = next((p for p in plans if p.status == PlanStatus.SUBMITTED), None)
    people = list(
        mapped_people()
        .filter(account=account)
        .select_related("relationship_owner")
        .order_by("-influence", "name")
    )
    last_visit = (
        Interaction.objects.filter(
            account=account, kind=InteractionKind.EXECUTIVE_VISIT, archived_at__isnull=True
        )
        .prefetch_related("stakeholders", "participants")
        .order_by("-occurred_on", "-id")
        .first()
    )
    health = relationship_health(
        people, last_executive_visit=last_visit.occurred_on if last_visit else None, today=today
    )
    # The brief shows who is at the customer now; those who left count only in the health verdict.
    stakeholders = [s for s in people if s.left_on is None]
    open_actions = plan.open_actions if plan else []
    overdue = [a for a in open_actions if a.is_overdue(today)]
    for action in overdue:
        action.days_overdue = (today - action.due_on).days
    upcoming = [a for a in open_actions if not a.is_overdue(today)]
    risks = list(plan.risks.all()) if plan else []
    return SponsorBrief(
        account=account,
        plan=plan,
        plan_awaiting_endorsement=awaiting,
        objectives=list(plan.objectives.all()) if plan else [],
        risks=risks[:RISKS_SHOWN],
        risks_total=len(risks),
        overdue_actions=overdue[:ACTIONS_SHOWN],
        overdue_total=len(overdue),
        upcoming_actions=upcoming[:ACTIONS_SHOWN],
        stakeholders=stakeholders,
        last_visit=last_visit,
        health=health,
        can_endorse=awaiting is not None and permissions.can_approve_plan(user, account),
        can_log_visit=permissions.can_log_executive_visit(user, account),
        today=today,
    )


# --- the champion's sponsor load page ------------------------------------------------------------


@dataclass
class SponsorLoad:
    sponsor: object
    accounts: list[SponsoredAccount]
    cap: int

    @property
    def count(self) -> int:
        return len(self.accounts)

    @property
    def over_cap(self) -> bool:
        return self.count > self.cap

    @property
    def visits_last_year(self) -> int:
        return sum(a.account.visits_last_year for a in self.accounts)

    @property
    def visits_committed(self) -> int:
        return sum(a.account.visits_committed or 0 for a in self.accounts)

    @property
    def behind(self) -> bool:
        return self.visits_last_year < self.visits_committed


@dataclass
class SponsorLoadPage:
    sponsors: list[SponsorLoad]
    unsponsored: list[Account]
    cap: int


def sponsor_load(*, user, today: date | None = None) -> SponsorLoadPage:
    """Key accounts per sponsor against the programme's cap, and visits against the plans' commitments."""
    if not permissions.can_view_portfolio(user):
        raise PermissionDenied(_("The sponsor load page is the KAM champion's."))
    today = today or timezone.localdate()
    cap = Programme.load().sponsor_account_cap
    accounts = (
        Account.objects.current()
        .key_accounts()
        .select_related("executive_sponsor", "kam")
        .annotate(**_sponsor_annotations(today))
        .order_by("name")
    )
    by_sponsor: dict[int, SponsorLoad] = {}
    unsponsored = []
    for account in accounts:
        if account.executive_sponsor_id is None:
            unsponsored.append(account)
            continue
        load = by_sponsor.setdefault(
            account.executive_sponsor_id, SponsorLoad(account.executive_sponsor, [], cap)
        )
        load.accounts.append(SponsoredAccount(account, today))
    sponsors = sorted(by_sponsor.values(), key=lambda s: (-s.count, str(s.sponsor)))
    return SponsorLoadPage(sponsors=sponsors, unsponsored=unsponsored, cap=cap)
