"""Reads that assemble the account screens, each a fixed number of queries whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kam import permissions

from .models import (
    OPEN_ACTION_STATUSES,
    Account,
    AccountPlan,
    AccountTeamMember,
    BuyingCentre,
    FinancialPeriod,
    Interaction,
    LifecycleChange,
    Offering,
    OpportunityCell,
    OpportunityStatus,
    PlanAction,
    PlanObjective,
    PlanRisk,
    PlanStatus,
    PlanStatusChange,
    ResourceRequest,
    Stakeholder,
    User,
)
from .money import MissingExchangeRate, RateTable
from .periods import add_months, trailing_twelve_months

RECENT_INTERACTIONS = 25
FINANCIAL_MONTHS_SHOWN = 24


def _window_sum(field: str, start, end) -> Subquery:
    total = (
        FinancialPeriod.objects.filter(account=OuterRef("pk"), period__gte=start, period__lt=end)
        .values("account")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Subquery(total, output_field=DecimalField(max_digits=18, decimal_places=2))


def account_list(*, user) -> QuerySet[Account]:
    """The accounts `user` may see, with KAM, sponsor and trailing-12-month figures in the account's rows."""
    start, end = trailing_twelve_months()
    return (
        permissions.visible_accounts(user, Account.objects.current())
        .select_related("kam", "executive_sponsor")
        .annotate(
            t12m_revenue=_window_sum("revenue", start, end),
            t12m_margin_after_cost_to_serve=_window_sum("gross_margin", start, end)
            - Coalesce(_window_sum("cost_to_serve", start, end), Value(Decimal("0"))),
        )
    )


def people_in_charge(*, user, role: str) -> QuerySet[User]:
    """KAMs (role='kam') or sponsors (role='executive_sponsor') of the accounts `user` can see."""
    accounts = permissions.visible_accounts(user, Account.objects.current()).filter(**{role: OuterRef("pk")})
    return User.objects.filter(Exists(accounts)).order_by("first_name", "last_name")


def industries(*, user) -> list[str]:
    visible = permissions.visible_accounts(user, Account.objects.current()).exclude(industry="")
    return list(visible.order_by("industry").values_list("industry", flat=True).distinct())


@dataclass(frozen=True)
class FinancialSummary:
    """Trailing-12-month figures in the reporting currency; None where a rate is missing."""

    currency: str
    revenue: Decimal | None
    gross_margin: Decimal | None
    cost_to_serve: Decimal | None
    months: int
    missing_rate: str = ""

    @property
    def margin_after_cost_to_serve(self) -> Decimal | None:
        if self.gross_margin is None or self.cost_to_serve is None:
            return None
        return self.gross_margin - self.cost_to_serve

    @property
    def margin_percent(self) -> Decimal | None:
        if not self.revenue or self.gross_margin is None:
            return None
        return (self.gross_margin / self.revenue * 100).quantize(Decimal("0.1"))


def summarise_financials(periods, *, rates: RateTable, today=None) -> FinancialSummary:
    start, end = trailing_twelve_months(today)
    window = [p for p in periods if start <= p.period < end]
    totals = {"revenue": Decimal(0), "gross_margin": Decimal(0), "cost_to_serve": Decimal(0)}
    try:
        for p in window:
            for name in totals:
                totals[name] += rates.convert(getattr(p, name), p.currency, p.period)
    except MissingExchangeRate as missing:
        return FinancialSummary(rates.reporting_currency, None, None, None, len(window), str(missing))
    return FinancialSummary(rates.reporting_currency, months=len(window), **totals)


@dataclass
class AccountPage:
    account: Account
    stakeholders: list[Stakeholder]
    interactions: list[Interaction]
    financial_periods: list[FinancialPeriod]
    summary: FinancialSummary
    lifecycle_changes: list[LifecycleChange]
    can_change: bool
    can_log_interaction: bool
    can_manage_programme: bool


def account_page(*, user, account_id: int) -> AccountPage:
    """Everything the account page shows; 404 for an account the user may not see."""
    from programme.models import Programme

    stakeholders = (
        Stakeholder.objects.filter(archived_at__isnull=True)
        .select_related("reports_to", "relationship_owner")
        .annotate(last_contacted_on=Max("interactions__occurred_on"))
        .order_by(F("left_on").asc(nulls_first=True), "-influence", "name")
    )
    interactions = (
        Interaction.objects.filter(archived_at__isnull=True)
        .select_related("logged_by")
        .prefetch_related("stakeholders", "participants")
        .order_by("-occurred_on", "-id")
    )
    queryset = (
        Account.objects.current()
        .select_related("kam", "executive_sponsor")
        .prefetch_related(
            Prefetch("team_members", queryset=AccountTeamMember.objects.select_related("user")),
            Prefetch("stakeholders", queryset=stakeholders, to_attr="current_stakeholders"),
            Prefetch(
                "interactions",
                queryset=interactions[:RECENT_INTERACTIONS],
                to_attr="recent_interactions",
            ),
            Prefetch("lifecycle_changes", queryset=LifecycleChange.objects.select_related("changed_by")),
        )
    )
    account = get_object_or_404(permissions.visible_accounts(user, queryset), pk=account_id)
    _start, end = trailing_twelve_months()
    periods = list(
        account.financial_periods.filter(period__gte=add_months(end, -FINANCIAL_MONTHS_SHOWN)).order_by(
            "-period"
        )
    )
    rates = RateTable.load(Programme.load().reporting_currency)
    return AccountPage(
        account=account,
        stakeholders=account.current_stakeholders,
        interactions=account.recent_interactions,
        financial_periods=periods,
        summary=summarise_financials(periods, rates=rates),
        lifecycle_changes=list(account.lifecycle_changes.all()),
        can_change=permissions.can_change_account(user, account),
        can_log_interaction=permissions.can_log_interaction(user, account),
        can_manage_programme=permissions.can_manage_programme(user),
    )


# --- Account plans, whitespace map, My actions (issue 5) -------------------------------------------

MY_ACTIONS_DONE_SHOWN_DAYS = 30


def _visible_account(user, account_id: int) -> Account:
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
    account = _visible_account(user, account_id)
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
    from .services import plan_transitions_for

    account = _visible_account(user, account_id)
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
    account = _visible_account(user, account_id)
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
