"""Reads for the KAM's workspace: My accounts and the account page.

They live in the programme because they show programme figures (scores, trends, stale manual scores)
beside the account's own records (plan, people, interactions, financials).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import permissions
from accounts.history import latest_rows
from accounts.measures.plausibility import data_warnings, implausible_counts
from accounts.measures.selectors import with_satisfaction_flags
from accounts.models import (
    Account,
    AccountPlan,
    AccountTeamMember,
    FinancialPeriod,
    Interaction,
    LifecycleChange,
    PlanAction,
    PlanStatus,
    Stakeholder,
    User,
)
from accounts.selectors import (
    FinancialSummary,
    countries,
    industries,
    people_in_charge,
    summarise_financials,
    window_sum,
)
from accounts.stakeholders.pictures import influence_grid, org_chart
from accounts.stakeholders.relationships import (
    attention_items,
    contact_freshness,
    needs_attention,
    relationship_health,
    unreplaced_departures,
)
from accounts.stakeholders.selectors import (
    account_history,
    account_history_key,
    mapped_people,
    org_chart_key,
    relationship_figures,
)
from kam.core.periods import add_months, trailing_twelve_months
from programme.models import (
    ACCOUNT_SCORE_TREND_DAYS,
    COMPLETENESS_REQUIRED,
    MANUAL_SCORE_STALE_DAYS,
    ManualScore,
    Programme,
    ScoreSnapshot,
    ScoringSource,
)
from programme.workspace.filters import AccountListFilter

SPARKLINE_DAYS = 120
MY_ACCOUNTS_PAGE_SIZE = 50


def _count(queryset, group_by: str = "account") -> Coalesce:
    """A correlated COUNT(*) of `queryset` (already filtered on OuterRef) as an integer annotation."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_attention(queryset: QuerySet[Account], *, today: date) -> QuerySet[Account]:
    """Annotate accounts with their score, current plan, relationship figures and every "needs
    attention" count, in one query."""
    start, end = trailing_twelve_months(today)
    plan_now = AccountPlan.objects.filter(account=OuterRef("pk")).in_force_on(today).order_by("-period_start")
    earlier = ScoreSnapshot.objects.filter(
        account=OuterRef("pk"), taken_on__lte=today - timedelta(days=ACCOUNT_SCORE_TREND_DAYS)
    ).order_by("-taken_on")
    annotated = queryset.annotate(
        score_overall=F("score__overall"),
        score_quadrant=F("score__quadrant"),
        score_clv=F("score__clv"),
        score_completeness=F("score__completeness"),
        score_computed_at=F("score__computed_at"),
        score_before=Subquery(earlier.values("overall")[:1]),
        t12m_margin_after_cost_to_serve=window_sum("gross_margin", start, end)
        - Coalesce(window_sum("cost_to_serve", start, end), Value(Decimal("0"))),
        plan_id=Subquery(plan_now.values("pk")[:1]),
        plan_status=Subquery(plan_now.values("status")[:1]),
        plan_review_due_on=Subquery(plan_now.values("review_due_on")[:1]),
        overdue_actions=_count(
            PlanAction.objects.filter(plan__account=OuterRef("pk"))
            .exclude(plan__status=PlanStatus.CLOSED)
            .overdue(today),
            "plan__account",
        ),
        stale_manual_scores=_count(
            ManualScore.objects.filter(
                account=OuterRef("pk"),
                criterion__is_active=True,
                criterion__source=ScoringSource.MANUAL,
                scored_on__lt=today - timedelta(days=MANUAL_SCORE_STALE_DAYS),
            )
        ),
        **relationship_figures(today=today),
        **implausible_counts(today=today),  # figures that cannot be true, shown as data warnings
    )
    return with_satisfaction_flags(annotated, today=today)  # NPS fell, no survey for a year


@functools.lru_cache(maxsize=1)
def _current_accounts_with_attention(today: date) -> QuerySet[Account]:
    return with_attention(Account.objects.current(), today=today)


def attention_accounts(*, today: date) -> QuerySet[Account]:
    """The current accounts with `with_attention`'s figures, to filter further. Building its thirty
    annotations costs about 10 ms of Python, the same for every view of a day: built once per day
    and process, and cloned for each use (`.all()`), so that no view evaluates the kept queryset
    and leaves its rows in it."""
    return _current_accounts_with_attention(today).all()


def score_is_complete(completeness) -> bool:
    """Whether enough of the criteria's weight is scored for the score to place the account."""
    return completeness is not None and completeness >= COMPLETENESS_REQUIRED


@dataclass
class AccountRow:
    account: Account
    attention: list
    sparkline: str
    role: str
    # The trailing twelve months in the reporting currency, so that rows compare.
    financials: FinancialSummary | None = None

    @property
    def score_is_complete(self) -> bool:
        return score_is_complete(self.account.score_completeness)

    @property
    def margin_after_cost_to_serve(self) -> Decimal | None:
        """In the reporting currency; None without figures (not zero) or without a rate."""
        if self.financials is None or not self.financials.months:
            return None
        return self.financials.margin_after_cost_to_serve

    @property
    def trend(self) -> Decimal | None:
        return _trend(self.account)

    @property
    def plan_status_label(self) -> str:
        return PlanStatus(self.account.plan_status).label if self.account.plan_status else ""


SPARKLINE_POINTS = 25  # a 96-pixel line: one point every four pixels says all it can


def sparkline_points(values: list, *, width: int = 96, height: int = 24) -> str:
    """SVG polyline points for a small trend line; empty when fewer than two values are known. A
    long series (a score a day) is thinned to `SPARKLINE_POINTS`, keeping the first and the last."""
    values = [v for v in values if v is not None]
    if len(values) < 2:
        return ""
    if len(values) > SPARKLINE_POINTS:
        last = len(values) - 1
        values = [values[round(i * last / (SPARKLINE_POINTS - 1))] for i in range(SPARKLINE_POINTS)]
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
    page: Page
    currency: str
    today: date
    open_actions: int
    is_team_member: bool
    needing_attention: int


def my_accounts(*, user, page_number=None) -> MyAccountsPage:
    """One page of the accounts `user` manages, sponsors or works on (their own first, then by name),
    each with its score, plan and what needs attention; the counts cover all of them. A fixed number
    of queries whatever the number of accounts."""
    today = timezone.localdate()
    on_team = AccountTeamMember.objects.filter(account=OuterRef("pk"), user=user)
    working = permissions.working_accounts(user, Account.objects.current())
    # Over every account of the user, in one aggregate query, not row by row.
    totals = (
        permissions.working_accounts(user, attention_accounts(today=today))
        .annotate(on_team=Exists(on_team))
        .aggregate(
            total=Count("pk"),
            needing_attention=Count("pk", filter=needs_attention(today=today)),
            team=Count("pk", filter=Q(on_team=True) & ~Q(kam=user)),
        )
    )
    # The page is chosen by name alone, and only its fifty accounts are given their figures: sorting
    # all of a KAM's accounts with every figure attached read each one's score (1,400 of them).
    own_first = Case(When(kam=user, then=Value(0)), default=Value(1), output_field=IntegerField())
    paginator = Paginator(
        working.order_by(own_first, "name", "pk").values_list("pk", flat=True), MY_ACCOUNTS_PAGE_SIZE
    )
    paginator.count = totals["total"]  # already counted above: no second COUNT query
    page = paginator.get_page(page_number)
    shown = list(page.object_list)
    accounts = attention_accounts(today=today).annotate(on_team=Exists(on_team)).in_bulk(shown)
    trailing = _trailing_periods(shown, today=today)
    recent_scores = _recent_scores(shown, today=today)
    programme = Programme.load()
    rates = programme.rate_table()
    rows = []
    for pk in shown:
        account = accounts[pk]
        role = "kam" if account.kam_id == user.pk else "team" if account.on_team else "sponsor"
        rows.append(
            AccountRow(
                account=account,
                attention=attention_items(account, today=today),
                sparkline=sparkline_points(recent_scores.get(pk, [])),
                role=role,
                financials=summarise_financials(trailing.get(pk, []), rates=rates, today=today),
            )
        )
    open_actions = (
        PlanAction.objects.owned_by(user).still_open().exclude(plan__status=PlanStatus.CLOSED).count()
    )
    return MyAccountsPage(
        rows=rows,
        page=page,
        currency=programme.reporting_currency,
        today=today,
        open_actions=open_actions,
        is_team_member=totals["team"] > 0,
        needing_attention=totals["needing_attention"],
    )


def _recent_scores(account_ids: list[int], *, today: date) -> dict[int, list]:
    """Each account's overall score of the last `SPARKLINE_DAYS`, oldest first, as plain values: the
    nightly run keeps a snapshot a day, so a page of 50 accounts reads 6,000 of them."""
    since = today - timedelta(days=SPARKLINE_DAYS)
    rows = ScoreSnapshot.objects.filter(account_id__in=account_ids, taken_on__gte=since).order_by(
        "account_id", "taken_on"
    )
    scores: dict[int, list] = {}
    for account_id, overall in rows.values_list("account_id", "overall"):
        scores.setdefault(account_id, []).append(overall)
    return scores


def _trailing_periods(account_ids: list[int], *, today: date) -> dict[int, list]:
    """The trailing twelve months of each account, as plain rows (summarise_financials reads their
    attributes): a page's 600 months as model instances cost more than the rest of its figures."""
    start, end = trailing_twelve_months(today)
    rows = FinancialPeriod.objects.filter(account_id__in=account_ids, period__gte=start, period__lt=end)
    periods: dict[int, list] = {}
    for row in rows.values_list(
        "account_id", "period", "revenue", "gross_margin", "cost_to_serve", "currency", named=True
    ):
        periods.setdefault(row.account_id, []).append(row)
    return periods


MAP_VIEWS = ("chart", "grid", "list")


@dataclass
class Workspace:
    """Everything the account page shows beyond `AccountPage`: attention, health, the map, history."""

    attention: list
    health: object
    departures: list
    chart: object
    grid: object
    history: Callable[[], list]  # read only where the section's kept drawing lapsed (templates call it)
    history_key: str
    plans: list
    can_change: bool
    today: date
    interaction_editable: set = field(default_factory=set)
    trend: Decimal | None = None
    plan_status_label: str = ""
    data_warnings: list = field(default_factory=list)
    score_is_complete: bool = False
    trend_days = ACCOUNT_SCORE_TREND_DAYS

    @property
    def chart_key(self) -> str:
        """The key the org chart's drawing is kept under (see org_chart_key); only the chart view reads it."""
        return org_chart_key(self.chart)


def account_workspace(*, user, page: AccountPage) -> Workspace:
    """The workspace parts of the account page, from what `account_page` loaded plus three queries (its
    plans, the history listing and the key its drawing is kept under); the history entries are read
    only when the section is drawn anew."""
    today = timezone.localdate()
    account = page.account
    for person in page.stakeholders:
        person.freshness = contact_freshness(person.last_contacted_on, today)
    placed = list(page.stakeholders)
    latest = latest_rows(account)  # the history's listing: its key, and its rows if it is drawn
    editable = {i.pk for i in page.interactions if permissions.can_change_interaction(user, i, account)}
    return Workspace(
        attention=attention_items(account, today=today),
        health=relationship_health(
            page.stakeholders,
            last_executive_visit=account.last_executive_visit,
            today=today,
            nps_fell=account.nps_fell,
        ),
        departures=unreplaced_departures(page.stakeholders),
        chart=org_chart(placed),
        grid=influence_grid([p for p in placed if p.left_on is None]),
        history=functools.partial(account_history, account=account, latest=latest),
        history_key=account_history_key(account=account, latest=latest),
        plans=list(account.plans.order_by("-period_start")[:3]),
        can_change=permissions.can_change_account(user, account),
        today=today,
        interaction_editable=editable,
        trend=_trend(account),
        plan_status_label=PlanStatus(account.plan_status).label if account.plan_status else "",
        data_warnings=data_warnings(
            cost_to_serve=page.summary.cost_to_serve,
            future_surveys=account.future_surveys,
        ),
        score_is_complete=score_is_complete(account.score_completeness),
    )


def _trend(account) -> Decimal | None:
    if account.score_overall is None or account.score_before is None:
        return None
    return account.score_overall - account.score_before


RECENT_INTERACTIONS = 25  # the account page shows these; older ones come a page at a time


def interaction_cursor(interaction: Interaction) -> str:
    """Where the next page of older interactions starts: after this one, newest first."""
    return f"{interaction.occurred_on.isoformat()}.{interaction.pk}"


def _interaction_page(rows: list[Interaction]) -> tuple[list[Interaction], str | None]:
    """One page out of `RECENT_INTERACTIONS + 1` rows: the extra row only says an older page exists."""
    shown = rows[:RECENT_INTERACTIONS]
    return shown, interaction_cursor(shown[-1]) if len(rows) > RECENT_INTERACTIONS else None


def _current_interactions() -> QuerySet[Interaction]:
    # A line of the log names the people on it, no more: their other fields would be read and
    # turned into models for nothing, 25 lines at a time.
    return (
        Interaction.objects.filter(archived_at__isnull=True)
        .select_related("logged_by")
        .prefetch_related(
            Prefetch("stakeholders", queryset=Stakeholder.objects.only("name")),
            Prefetch("participants", queryset=User.objects.only("username", "first_name", "last_name")),
        )
        .order_by("-occurred_on", "-id")
    )


@dataclass
class OlderInteractions:
    account: Account
    interactions: list[Interaction]
    older_than: str | None
    editable: set


def older_interactions(*, user, account_id: int, before: str) -> OlderInteractions:
    """The page of interactions logged before the cursor `before` (see `interaction_cursor`), in a
    fixed number of queries; 404 for an account the user may not see or a cursor that is not one."""
    try:
        day, pk = before.split(".")
        day, pk = date.fromisoformat(day), int(pk)
    except ValueError as error:
        raise Http404 from error
    account = get_object_or_404(permissions.visible_accounts(user, Account.objects.current()), pk=account_id)
    rows = list(
        _current_interactions()
        .filter(account=account)
        .filter(Q(occurred_on__lt=day) | Q(occurred_on=day, pk__lt=pk))[: RECENT_INTERACTIONS + 1]
    )
    shown, older_than = _interaction_page(rows)
    editable = {i.pk for i in shown if permissions.can_change_interaction(user, i, account)}
    return OlderInteractions(account=account, interactions=shown, older_than=older_than, editable=editable)


FINANCIAL_MONTHS_SHOWN = 24


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
    older_interactions: str | None = None  # the cursor of the next, older page; None when none is left


def account_page(*, user, account_id: int) -> AccountPage:
    """Everything the account page shows; 404 for an account the user may not see."""
    stakeholders = (
        mapped_people()
        .select_related("reports_to", "relationship_owner")
        .order_by(F("left_on").asc(nulls_first=True), "-influence", "name")
    )
    interactions = _current_interactions()
    queryset = (
        attention_accounts(today=timezone.localdate())
        .select_related("kam", "executive_sponsor")
        .prefetch_related(
            Prefetch("team_members", queryset=AccountTeamMember.objects.select_related("user")),
            Prefetch("stakeholders", queryset=stakeholders, to_attr="current_stakeholders"),
            Prefetch(
                "interactions",
                queryset=interactions[: RECENT_INTERACTIONS + 1],
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
    rates = Programme.load().rate_table()
    shown, older_than = _interaction_page(account.recent_interactions)
    return AccountPage(
        account=account,
        stakeholders=account.current_stakeholders,
        interactions=shown,
        older_interactions=older_than,
        financial_periods=periods,
        summary=summarise_financials(periods, rates=rates),
        lifecycle_changes=list(account.lifecycle_changes.all()),
        can_change=permissions.can_change_account(user, account),
        can_log_interaction=permissions.can_log_interaction(user, account),
        can_manage_programme=permissions.can_manage_programme(user),
    )


# --- The account list -------------------------------------------------------------------------------

ACCOUNT_LIST_PAGE_SIZE = 50


class FiguresFirst:
    """Accounts sorted by a trailing-12-month figure of the score row, paged through the figure's
    index: the accounts with the figure in its order (ties by account id, as indexed), then the rest
    by name: scored without figures, then not scored yet. The paginator counts the accounts (one
    query, no join) and slices: one query for a page of figures, a second only where the page
    reaches past them (and a count of them for a page wholly past them)."""

    def __init__(self, accounts: QuerySet[Account], field: str, *, descending: bool):
        tie = F("score__account_id")
        order = [F(field).desc(), tie.desc()] if descending else [F(field).asc(), tie.asc()]
        self.accounts = accounts
        self.ranked = accounts.filter(**{f"{field}__isnull": False}).order_by(*order)
        not_scored = Case(
            When(score__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
        self.rest = accounts.filter(**{f"{field}__isnull": True}).order_by(not_scored, "name", "pk")

    def count(self) -> int:
        return self.accounts.order_by().count()

    def __getitem__(self, index: slice) -> list[Account]:
        start, stop = index.start or 0, index.stop
        rows = list(self.ranked[start:stop])
        if len(rows) == stop - start:
            return rows
        with_figure = start + len(rows) if rows or not start else self.ranked.order_by().count()
        return rows + list(self.rest[max(start - with_figure, 0) : stop - with_figure])


@dataclass
class AccountList:
    filter: AccountListFilter
    page: Page
    query: str  # the filters and sort, without the page, for the pager's links
    currency: str  # the programme's reporting currency, which the figures are in
    can_create: bool


def account_list(*, user, params) -> AccountList:
    """The accounts `user` may see, searched, filtered and sorted, a page at a time in a fixed number
    of queries, with the score row's trailing-12-month figures in the reporting currency."""
    accounts = (
        permissions.visible_accounts(user, Account.objects.current())
        .select_related("kam", "executive_sponsor", "score")
        .defer("score__breakdown")
    )
    account_filter = AccountListFilter(
        params,
        queryset=accounts,
        kams=people_in_charge(user=user, role="kam"),
        sponsors=people_in_charge(user=user, role="executive_sponsor"),
        industries=industries(user=user),
        countries=countries(user=user),
    )
    valid = account_filter.is_valid()
    listed = account_filter.qs if valid else Account.objects.none()
    figure = account_filter.figure_sort() if valid else None
    page_number = params.get("page")
    # A search counts its matches and reads its page in two queries: the count is a bitmap scan of
    # the trigram index; the page walks the name index to its first 50 matches. (One query with
    # COUNT(*) OVER () would join every match to read 50: slower for a common word.)
    if figure:
        rows = FiguresFirst(listed, figure[0], descending=figure[1])
    elif not account_filter.form.cleaned_data.get("sort"):
        rows = listed.order_by("name", "pk")  # the (name, id) index
    else:
        rows = listed
    query = params.copy()
    query.pop("page", None)
    return AccountList(
        filter=account_filter,
        page=Paginator(rows, ACCOUNT_LIST_PAGE_SIZE).get_page(page_number),
        query=query.urlencode(),
        currency=Programme.load().reporting_currency,
        can_create=permissions.can_manage_programme(user),
    )
