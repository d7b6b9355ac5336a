"""Reads that assemble the account screens, each a fixed number of queries whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass, field
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
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kam import permissions

from .models import (
    OPEN_ACTION_STATUSES,
    Account,
    AccountPlan,
    AccountTeamMember,
    BuyingCentre,
    FinancialPeriod,
    Interaction,
    InteractionKind,
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
        .annotate(
            last_contacted_on=Max(
                "interactions__occurred_on", filter=Q(interactions__archived_at__isnull=True)
            )
        )
        .order_by(F("left_on").asc(nulls_first=True), "-influence", "name")
    )
    interactions = (
        Interaction.objects.filter(archived_at__isnull=True)
        .select_related("logged_by")
        .prefetch_related("stakeholders", "participants")
        .order_by("-occurred_on", "-id")
    )
    queryset = (
        with_attention(Account.objects.current(), today=timezone.localdate())
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


# --- The KAM's workspace: My accounts and the account page (issue 5) --------------------------------
# Both read "what needs attention" from the same annotations (`with_attention`), one SQL query for any
# number of accounts; accounts/relationships.py turns them into sentences.

TREND_DAYS = 30
SPARKLINE_DAYS = 120
HISTORY_SHOWN = 30


def _count(queryset, group_by: str = "account") -> Coalesce:
    """A correlated COUNT(*) of `queryset` (already filtered on OuterRef) as an integer annotation."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_attention(queryset: QuerySet[Account], *, today: date) -> QuerySet[Account]:
    """Annotate accounts with their score, current plan and every "needs attention" count, in one query."""
    from programme.models import MANUAL_SCORE_STALE_DAYS, ManualScore, ScoreSnapshot, ScoringSource

    from .models import DECIDING_ROLES, InteractionKind
    from .relationships import CONTACT_WINDOW_DAYS, DECISION_MAKING_ROLES

    since = today - timedelta(days=CONTACT_WINDOW_DAYS)
    start, end = trailing_twelve_months(today)
    current_people = Stakeholder.objects.filter(
        account=OuterRef("pk"), archived_at__isnull=True, left_on__isnull=True
    )
    logged = Interaction.objects.filter(archived_at__isnull=True, stakeholders=OuterRef("pk"))
    deciders = current_people.filter(buying_role__in=DECISION_MAKING_ROLES)
    plan_now = AccountPlan.objects.filter(account=OuterRef("pk")).in_force_on(today).order_by("-period_start")
    replaced = Stakeholder.objects.filter(
        account=OuterRef("account"),
        archived_at__isnull=True,
        left_on__isnull=True,
        buying_role=OuterRef("buying_role"),
        updated_at__date__gte=OuterRef("left_on"),
    )
    departed = Stakeholder.objects.filter(
        account=OuterRef("pk"),
        archived_at__isnull=True,
        left_on__isnull=False,
        buying_role__in=DECIDING_ROLES,
    ).filter(~Exists(replaced))
    earlier = ScoreSnapshot.objects.filter(
        account=OuterRef("pk"), taken_on__lte=today - timedelta(days=TREND_DAYS)
    ).order_by("-taken_on")
    executive_visits = Interaction.objects.filter(
        account=OuterRef("pk"), archived_at__isnull=True, kind=InteractionKind.EXECUTIVE_VISIT
    ).order_by("-occurred_on")
    from .measures_selectors import with_satisfaction_flags

    annotated = queryset.annotate(
        score_overall=F("score__overall"),
        score_quadrant=F("score__quadrant"),
        score_clv=F("score__clv"),
        score_computed_at=F("score__computed_at"),
        score_before=Subquery(earlier.values("overall")[:1]),
        t12m_margin_after_cost_to_serve=_window_sum("gross_margin", start, end)
        - Coalesce(_window_sum("cost_to_serve", start, end), Value(Decimal("0"))),
        plan_id=Subquery(plan_now.values("pk")[:1]),
        plan_status=Subquery(plan_now.values("status")[:1]),
        plan_review_due_on=Subquery(plan_now.values("review_due_on")[:1]),
        overdue_actions=_count(
            PlanAction.objects.filter(plan__account=OuterRef("pk"))
            .exclude(plan__status=PlanStatus.CLOSED)
            .overdue(today),
            "plan__account",
        ),
        deciders_never_contacted=_count(deciders.filter(~Exists(logged))),
        deciders_not_recent=_count(
            deciders.filter(Exists(logged)).filter(~Exists(logged.filter(occurred_on__gte=since)))
        ),
        active_contacts=_count(current_people.filter(Exists(logged.filter(occurred_on__gte=since)))),
        departed_deciders=_count(departed),
        stale_manual_scores=_count(
            ManualScore.objects.filter(
                account=OuterRef("pk"),
                criterion__is_active=True,
                criterion__source=ScoringSource.MANUAL,
                scored_on__lt=today - timedelta(days=MANUAL_SCORE_STALE_DAYS),
            )
        ),
        last_executive_visit=Subquery(executive_visits.values("occurred_on")[:1]),
    )
    return with_satisfaction_flags(annotated, today=today)  # NPS fell, no survey for a year (issue 7)


@dataclass
class AccountRow:
    account: Account
    attention: list
    sparkline: str
    role: str

    @property
    def trend(self) -> Decimal | None:
        return _trend(self.account)

    @property
    def plan_status_label(self) -> str:
        return PlanStatus(self.account.plan_status).label if self.account.plan_status else ""


def sparkline_points(values: list, *, width: int = 96, height: int = 24) -> str:
    """SVG polyline points for a small trend line; empty when fewer than two values are known."""
    values = [v for v in values if v is not None]
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1
    step = width / (len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - float((v - low) / span) * (height - 4):.1f}"
        for i, v in enumerate(values)
    )


@dataclass
class MyAccountsPage:
    rows: list[AccountRow]
    currency: str
    today: date
    open_actions: int
    is_team_member: bool

    @property
    def needing_attention(self) -> int:
        return sum(1 for row in self.rows if row.attention)


def my_accounts(*, user) -> MyAccountsPage:
    """The accounts `user` manages, sponsors or works on, each with its score, plan and what needs
    attention; a fixed number of queries whatever the number of accounts."""
    from programme.models import Programme, ScoreSnapshot

    from .relationships import attention_items

    today = timezone.localdate()
    on_team = AccountTeamMember.objects.filter(account=OuterRef("pk"), user=user)
    snapshots = ScoreSnapshot.objects.filter(taken_on__gte=today - timedelta(days=SPARKLINE_DAYS)).order_by(
        "taken_on"
    )
    accounts = (
        with_attention(permissions.working_accounts(user, Account.objects.current()), today=today)
        .annotate(on_team=Exists(on_team))
        .prefetch_related(Prefetch("score_snapshots", queryset=snapshots, to_attr="recent_snapshots"))
        .order_by(
            Case(When(kam=user, then=Value(0)), default=Value(1), output_field=IntegerField()), "name", "pk"
        )
    )
    rows = []
    for account in accounts:
        role = "kam" if account.kam_id == user.pk else "team" if account.on_team else "sponsor"
        rows.append(
            AccountRow(
                account=account,
                attention=attention_items(account, today=today),
                sparkline=sparkline_points([s.overall for s in account.recent_snapshots]),
                role=role,
            )
        )
    open_actions = (
        PlanAction.objects.owned_by(user).still_open().exclude(plan__status=PlanStatus.CLOSED).count()
    )
    return MyAccountsPage(
        rows=rows,
        currency=Programme.load().reporting_currency,
        today=today,
        open_actions=open_actions,
        is_team_member=any(row.role == "team" for row in rows),
    )


@dataclass
class HistoryEntry:
    when: object
    who: object
    person: str  # for an interaction: which contact ("office meeting of 3 Nov 2026")
    kind: str  # "+", "~", "-"
    changes: list  # (label, old, new)
    subject: str = "stakeholder"  # or "interaction"


def _history_value(field_name: str, value, *, names: dict, users: dict):
    from .models import Attitude, BuyingRole, RelationshipStrength

    if value in (None, ""):
        return "—"
    choices = {
        "buying_role": BuyingRole,
        "attitude": Attitude,
        "relationship_strength": RelationshipStrength,
        "competitor_relationship_strength": RelationshipStrength,
    }
    if field_name in choices:
        try:
            return choices[field_name](value).label
        except ValueError:
            return str(value)
    if field_name == "reports_to_id":
        return names.get(value, f"#{value}")
    if field_name == "relationship_owner_id":
        return str(users.get(value, f"#{value}"))
    if field_name == "archived_at":
        return _("removed from the map")
    return str(value)


def stakeholder_history(*, account: Account, limit: int = HISTORY_SHOWN) -> list[HistoryEntry]:
    """The latest changes to the account's people, each with who, when and old → new (three queries)."""
    from .services import STAKEHOLDER_FIELDS

    model = Stakeholder.history.model
    recent = list(
        model.objects.filter(account_id=account.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    if not recent:
        return []
    ids = {h.id for h in recent}
    chains: dict = {}
    for record in model.objects.filter(id__in=ids).order_by("history_date", "history_id"):
        chains.setdefault(record.id, []).append(record)
    names = {r.id: r.name for chain in chains.values() for r in chain}
    fields = [
        f"{name}_id" if name in ("reports_to", "relationship_owner") else name for name in STAKEHOLDER_FIELDS
    ]
    fields.append("archived_at")
    owner_ids = {r.relationship_owner_id for chain in chains.values() for r in chain} - {None}
    users = {u.pk: u for u in User.objects.filter(pk__in=owner_ids)} if owner_ids else {}
    labels = {f.attname: f.verbose_name for f in Stakeholder._meta.concrete_fields}
    labels["archived_at"] = _("on the map")
    entries = []
    for record in recent:
        chain = chains[record.id]
        index = next(i for i, r in enumerate(chain) if r.history_id == record.history_id)
        before = chain[index - 1] if index else None
        changes = []
        if before is not None:
            for name in fields:
                old, new = getattr(before, name), getattr(record, name)
                if old != new:
                    label = labels.get(name, name)
                    changes.append(
                        (
                            label,
                            _history_value(name, old, names=names, users=users),
                            _history_value(name, new, names=names, users=users),
                        )
                    )
            if not changes:
                continue  # a save that changed nothing shown (e.g. only the version)
        kind = {"+": "+", "-": "-"}.get(record.history_type, "~")
        if record.archived_at and before is not None and before.archived_at is None:
            kind = "-"
        entries.append(HistoryEntry(record.history_date, record.history_user, record.name, kind, changes))
    return entries


def interaction_history(*, account: Account, limit: int = HISTORY_SHOWN) -> list[HistoryEntry]:
    """The latest corrections and removals of the account's contacts, who made them and old → new.

    Logging a contact is not repeated here (the log shows who logged it); at most four queries.
    """
    model = Interaction.history.model
    recent = list(
        model.objects.filter(account_id=account.pk, history_type="~")
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    if not recent:
        return []
    chains: dict = {}
    for record in model.objects.filter(id__in={h.id for h in recent}).order_by("history_date", "history_id"):
        chains.setdefault(record.id, []).append(record)
    records = [r for chain in chains.values() for r in chain]
    stakeholder_ids = {i for r in records for i in r.stakeholder_ids or ()}
    user_ids = {i for r in records for i in r.participant_ids or ()}
    # Removed people and users who left keep their names here: filtered by id only, never by visibility
    # (a contact's people are shown to everyone who may see the account's log).
    names = (
        dict(Stakeholder.objects.filter(pk__in=stakeholder_ids).values_list("pk", "name"))
        if stakeholder_ids
        else {}
    )
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}

    def people(ids, lookup):
        return ", ".join(sorted(lookup.get(i, f"#{i}") for i in ids)) or "—"

    entries = []
    for record in recent:
        chain = chains[record.id]
        index = next(i for i, r in enumerate(chain) if r.history_id == record.history_id)
        before = chain[index - 1] if index else None
        label = _("%(kind)s of %(day)s") % {
            "kind": InteractionKind(record.kind).label.lower()
            if record.kind in InteractionKind.values
            else record.kind,
            "day": date_format(record.occurred_on),
        }
        if record.archived_at and (before is None or before.archived_at is None):
            entries.append(
                HistoryEntry(record.history_date, record.history_user, label, "-", [], "interaction")
            )
            continue
        if before is None:
            continue
        changes = []
        if before.kind != record.kind:
            changes.append((_("type"), _kind_label(before.kind), _kind_label(record.kind)))
        if before.occurred_on != record.occurred_on:
            changes.append((_("date"), date_format(before.occurred_on), date_format(record.occurred_on)))
        if before.notes != record.notes:
            changes.append((_("notes"), before.notes or "—", record.notes or "—"))
        # A row without people (created by a plain save) cannot say what they were: no change shown.
        for name, title, lookup in (
            ("stakeholder_ids", _("their people"), names),
            ("participant_ids", _("our people"), users),
        ):
            old, new = getattr(before, name), getattr(record, name)
            if old is not None and new is not None and sorted(old) != sorted(new):
                changes.append((title, people(old, lookup), people(new, lookup)))
        if changes:
            entries.append(
                HistoryEntry(record.history_date, record.history_user, label, "~", changes, "interaction")
            )
    return entries


def _kind_label(kind: str) -> str:
    return InteractionKind(kind).label if kind in InteractionKind.values else kind


def account_history(*, account: Account, limit: int = HISTORY_SHOWN) -> list[HistoryEntry]:
    """The page's History: changes to the stakeholder map and to the interaction log, newest first."""
    entries = stakeholder_history(account=account, limit=limit) + interaction_history(
        account=account, limit=limit
    )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


MAP_VIEWS = ("chart", "grid", "list")


@dataclass
class Workspace:
    """Everything the account page shows beyond `AccountPage`: attention, health, the map, history."""

    attention: list
    health: object
    departures: list
    chart: object
    grid: object
    history: list
    plans: list
    can_change: bool
    today: date
    interaction_editable: set = field(default_factory=set)
    trend: Decimal | None = None
    plan_status_label: str = ""


def account_workspace(*, user, page: AccountPage) -> Workspace:
    """The workspace parts of the account page, from what `account_page` loaded plus three queries."""
    from .relationships import attention_items, contact_freshness, relationship_health, unreplaced_departures
    from .stakeholder_map import influence_grid, org_chart

    today = timezone.localdate()
    account = page.account
    for person in page.stakeholders:
        person.freshness = contact_freshness(person.last_contacted_on, today)
    placed = list(page.stakeholders)
    editable = {i.pk for i in page.interactions if permissions.can_change_interaction(user, i, account)}
    return Workspace(
        attention=attention_items(account, today=today),
        health=relationship_health(
            page.stakeholders, last_executive_visit=account.last_executive_visit, today=today
        ),
        departures=unreplaced_departures(page.stakeholders),
        chart=org_chart(placed),
        grid=influence_grid([p for p in placed if p.left_on is None]),
        history=account_history(account=account),
        plans=list(account.plans.order_by("-period_start")[:3]),
        can_change=permissions.can_change_account(user, account),
        today=today,
        interaction_editable=editable,
        trend=_trend(account),
        plan_status_label=PlanStatus(account.plan_status).label if account.plan_status else "",
    )


def _trend(account) -> Decimal | None:
    if account.score_overall is None or account.score_before is None:
        return None
    return account.score_overall - account.score_before
