"""Reads for the plan screens: the plan list and page, My actions, the opportunity map, and open
resource requests by business unit. Each a fixed number of queries whatever the plan's size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from accounts import permissions
from accounts.models import (
    OPEN_ACTION_STATUSES,
    Account,
    AccountPlan,
    ActionStatus,
    BuyingCentre,
    Offering,
    OpportunityCell,
    OpportunityStatus,
    PlanAction,
    PlanObjective,
    PlanRisk,
    PlanStatus,
    PlanStatusChange,
    ResourceRequest,
)
from accounts.plans.services import plan_transitions_for

MY_ACTIONS_DONE_SHOWN_DAYS = 30


def _plan_account(user, account_id: int) -> Account:
    queryset = Account.objects.current().select_related("kam", "executive_sponsor")
    return get_object_or_404(permissions.visible_accounts(user, queryset), pk=account_id)


@dataclass
class PlanListPage:
    account: Account
    plans: list[AccountPlan]
    can_edit: bool
    today: date


def plan_list(*, user, account_id: int) -> PlanListPage:
    """An account's plans, newest period first, each with its objective and open/overdue action counts."""
    account = _plan_account(user, account_id)
    today = timezone.localdate()
    plans = account.plans.annotate(
        objective_count=Count("objectives", distinct=True),
        open_action_count=Count("actions", filter=Q(actions__status__in=OPEN_ACTION_STATUSES), distinct=True),
        overdue_action_count=Count(
            "actions",
            filter=Q(actions__status__in=OPEN_ACTION_STATUSES, actions__due_on__lt=today),
            distinct=True,
        ),
    ).order_by("-period_start")
    return PlanListPage(
        account=account, plans=list(plans), can_edit=permissions.can_edit_plan(user, account), today=today
    )


@dataclass
class PlanPage:
    account: Account
    plan: AccountPlan
    objectives: list[PlanObjective]
    actions: list[PlanAction]
    resource_requests: list[ResourceRequest]
    risks: list[PlanRisk]
    status_changes: list[PlanStatusChange]
    transitions: list
    can_edit: bool
    can_approve: bool
    today: date

    @property
    def can_edit_content(self) -> bool:
        return self.can_edit and self.plan.content_is_editable

    @property
    def can_edit_execution(self) -> bool:
        return self.can_edit and self.plan.is_open

    @property
    def is_stale(self) -> bool:
        return self.plan.is_stale(self.today)

    @property
    def overdue_actions(self) -> int:
        return sum(1 for a in self.actions if a.is_overdue(self.today))


def plan_page(*, user, account_id: int, plan_id: int) -> PlanPage:
    """Everything the plan page shows, in a fixed number of queries; 404 for a plan the user may not see."""
    account = _plan_account(user, account_id)
    plan = get_object_or_404(AccountPlan, pk=plan_id, account=account)
    plan.account = account
    cells = OpportunityCell.objects.select_related("buying_centre", "offering")
    objectives = list(
        plan.objectives.prefetch_related(Prefetch("opportunities", queryset=cells)).annotate(
            action_count=Count("actions")
        )
    )
    actions = list(plan.actions.select_related("owner", "objective"))
    can_edit = permissions.can_edit_plan(user, account)
    for action in actions:
        action.user_may_update = can_edit or action.owner_id == user.pk
    return PlanPage(
        account=account,
        plan=plan,
        objectives=objectives,
        actions=actions,
        resource_requests=list(plan.resource_requests.select_related("requested_by")),
        risks=list(plan.risks.all()),
        status_changes=list(plan.status_changes.select_related("changed_by")),
        transitions=plan_transitions_for(user=user, plan=plan),
        can_edit=can_edit,
        can_approve=permissions.can_approve_plan(user, account),
        today=timezone.localdate(),
    )


@dataclass(frozen=True)
class JointObjective:
    title: str
    target: str
    due_on: date | None


@dataclass(frozen=True)
class JointAction:
    description: str
    objective: str
    owner: str
    due_on: date
    status: str
    is_overdue: bool


@dataclass
class JointPlan:
    """The account plan as the KAM shares it with the customer.

    Built field by field, not from the plan itself: what is not copied here (needs, strategies, notes,
    resource requests, risks, sponsor commitments, scores, lifetime value, the map) cannot reach the
    customer by a slip in a template.
    """

    account_name: str
    kam: str
    plan_url: str
    pdf_url: str
    period_start: date
    period_end: date
    value_terms: str
    value_dedicated_offer: str
    value_loyalty_terms: str
    reviewed_on: date | None
    next_review_on: date | None
    objectives: list[JointObjective]
    actions: list[JointAction]
    today: date


def joint_plan(*, user, account_id: int, plan_id: int) -> JointPlan:
    """The joint account plan: objectives, value proposition, joint actions, review dates. Four queries;
    404 for a plan the user may not see (whoever may read the plan may open it)."""
    account = _plan_account(user, account_id)
    plan = get_object_or_404(AccountPlan, pk=plan_id, account=account)
    today = timezone.localdate()
    objectives = [JointObjective(o.title, o.target, o.due_on) for o in plan.objectives.all()]
    actions = [
        JointAction(
            description=a.description,
            objective=a.objective.title if a.objective else "",
            owner=str(a.owner),
            due_on=a.due_on,
            status=a.get_status_display(),
            is_overdue=a.is_overdue(today),
        )
        for a in plan.actions.joint()
        .exclude(status=ActionStatus.DROPPED)
        .select_related("owner", "objective")
    ]
    return JointPlan(
        account_name=account.name,
        kam=str(account.kam) if account.kam else "",
        plan_url=plan.get_absolute_url(),
        pdf_url=reverse("accounts:joint_plan_pdf", args=[account.pk, plan.pk]),
        period_start=plan.period_start,
        period_end=plan.period_end,
        value_terms=plan.value_terms,
        value_dedicated_offer=plan.value_dedicated_offer,
        value_loyalty_terms=plan.value_loyalty_terms,
        reviewed_on=plan.reviewed_on,
        next_review_on=plan.review_due_on if plan.is_open else None,
        objectives=objectives,
        actions=actions,
        today=today,
    )


def my_actions(*, user) -> list[PlanAction]:
    """The actions `user` owns across accounts, open ones first by due date, with their context."""
    since = timezone.localdate() - timedelta(days=MY_ACTIONS_DONE_SHOWN_DAYS)
    queryset = (
        permissions.visible_actions(user, PlanAction.objects.owned_by(user))
        .filter(plan__account__archived_at__isnull=True)
        .exclude(plan__status=PlanStatus.CLOSED)
        .filter(Q(status__in=OPEN_ACTION_STATUSES) | Q(done_on__gte=since))
        .select_related("plan__account", "objective")
        .annotate(
            still_open=Case(
                When(status__in=OPEN_ACTION_STATUSES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("still_open", "due_on", "id")
    )
    return list(queryset)


def action_for_update(*, user, action_id: int) -> PlanAction:
    """An action `user` may read (404 otherwise), with its plan and account for the permission check."""
    queryset = PlanAction.objects.select_related("plan__account", "objective", "owner")
    return get_object_or_404(permissions.visible_actions(user, queryset), pk=action_id)


@dataclass
class OpportunityRow:
    buying_centre: BuyingCentre
    cells: list  # (offering, cell or None), in the catalogue's order


@dataclass
class OpportunityMap:
    account: Account
    offerings: list[Offering]
    rows: list[OpportunityRow]
    totals: dict[str, Decimal]
    can_edit: bool


def opportunity_map(*, user, account_id: int) -> OpportunityMap:
    """The whitespace map: the catalogue's offerings against the account's buying centres, three queries."""
    account = _plan_account(user, account_id)
    offerings = list(Offering.objects.filter(archived_at__isnull=True))
    centres = list(account.buying_centres.all())
    cells = {
        (c.buying_centre_id, c.offering_id): c
        for c in OpportunityCell.objects.filter(buying_centre__account=account)
    }
    totals = {status: Decimal(0) for status in OpportunityStatus.values}
    for cell in cells.values():
        totals[cell.status] += cell.estimated_value or 0
    rows = [
        OpportunityRow(centre, [(o, cells.get((centre.pk, o.pk))) for o in offerings]) for centre in centres
    ]
    return OpportunityMap(account, offerings, rows, totals, permissions.can_edit_plan(user, account))


def open_resource_requests_by_business_unit(*, user) -> list[dict]:
    """Open asks across the accounts `user` sees, per business unit, oldest first (one query; dashboard)."""
    visible = permissions.visible_accounts(user, Account.objects.current()).filter(
        pk=OuterRef("plan__account")
    )
    return list(
        ResourceRequest.objects.still_open()
        .exclude(plan__status=PlanStatus.CLOSED)
        .filter(Exists(visible))
        .values("business_unit")
        .annotate(open_requests=Count("pk"), oldest=Min("requested_on"))
        .order_by("-open_requests", "business_unit")
    )
