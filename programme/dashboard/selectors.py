"""Reads for the champion's portfolio dashboard: matrix, league table, programme health, recommendations.

Each function is a fixed number of queries whatever the portfolio's size: key accounts are few by
definition (the programme's limit), so they are read once with everything the screen needs annotated
and then filtered, sorted and grouped in memory; candidates are read as the top N by score only.
Figures come from the nightly recompute (`AccountScore`, `ScoreSnapshot`), in the reporting currency.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.measures.plausibility import data_warnings, plausible_share_of_wallet
from accounts.measures.selectors import (
    AccountMeasures,
    ProgrammeMeasures,
    measures_by_account,
    programme_measures,
    survey_measures,
)
from accounts.models import (
    OPEN_ACTION_STATUSES,
    Account,
    AccountPlan,
    AccountTeamMember,
    LifecycleStatus,
    PlanAction,
    PlanStatus,
    TeamFunction,
)
from accounts.plans.selectors import open_resource_requests_by_business_unit
from accounts.stakeholders.relationships import HealthVerdict, RelationshipHealth, health_from_figures
from accounts.stakeholders.selectors import relationship_figures
from kam.core.money import RateTable
from kam.core.periods import add_months
from programme.dashboard.matrix import MatrixLayout, MatrixPoint, layout_matrix
from programme.dashboard.picture import MatrixPicture, matrix_picture
from programme.dashboard.reasons import recommendation_reason, window_counts
from programme.measures.selectors import stored_retention
from programme.models import (
    PORTFOLIO_SCORE_TREND_DAYS,
    AccountScore,
    Programme,
    ProgrammeReview,
    Quadrant,
    Recommendation,
    RecomputeRun,
    ReviewCadence,
    ReviewStatus,
    ScoreSnapshot,
)

MATRIX_CANDIDATES = 200
RECOMMENDED_CANDIDATES_SHOWN = 25
CADENCE_MONTHS = {ReviewCadence.QUARTERLY: 3, ReviewCadence.HALF_YEARLY: 6, ReviewCadence.YEARLY: 12}
MONEY_FIELD = DecimalField(max_digits=18, decimal_places=2)


def _count(queryset) -> Coalesce:
    """A correlated COUNT as an annotation (no join fan-out in the outer query)."""
    counted = queryset.order_by().values("account").annotate(n=Count("pk", distinct=True)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _snapshot_before(day: date, field_name: str) -> Subquery:
    snapshots = ScoreSnapshot.objects.filter(account=OuterRef("pk"), taken_on__lte=day).order_by("-taken_on")
    return Subquery(snapshots.values(field_name)[:1])


def key_accounts_annotated(*, today: date):
    """Every current key account with what the league table, matrix and health checks read, one query."""
    current_plan = (
        AccountPlan.objects.filter(account=OuterRef("pk")).in_force_on(today).order_by("-period_start")
    )
    overdue = PlanAction.objects.filter(
        plan__account=OuterRef("pk"), status__in=OPEN_ACTION_STATUSES, due_on__lt=today
    ).exclude(plan__status=PlanStatus.CLOSED)
    overdue = overdue.order_by().values("plan__account").annotate(n=Count("pk")).values("n")
    before = today - timedelta(days=PORTFOLIO_SCORE_TREND_DAYS)
    return (
        Account.objects.current()
        .key_accounts()
        .select_related("kam", "executive_sponsor", "score")
        .defer("score__breakdown")  # per-criterion detail: the score card's, not the portfolio's
        .annotate(
            plan_status=Subquery(current_plan.values("status")[:1]),
            plan_id=Subquery(current_plan.values("pk")[:1]),
            has_team_outside_sales=Exists(
                AccountTeamMember.objects.filter(account=OuterRef("pk")).exclude(function=TeamFunction.SALES)
            ),
            overdue_actions=Coalesce(Subquery(overdue, output_field=IntegerField()), Value(0)),
            overall_before=_snapshot_before(before, "overall"),
            clv_before=_snapshot_before(before, "clv"),
            **relationship_figures(today=today),
        )
        .order_by("name")
    )


# --- the league table's rows ---------------------------------------------------------------------


@dataclass
class LeagueRow:
    account: Account
    score: AccountScore | None
    plan_status: str
    plan_id: int | None
    relationship: RelationshipHealth
    has_team_outside_sales: bool
    overdue_actions: int
    overall_before: Decimal | None
    clv_before: Decimal | None
    today: date
    url: str = ""
    plan_url: str = ""
    # NPS, share of wallet, relationship stage and return, filled for all rows at once.
    measures: AccountMeasures = field(default_factory=AccountMeasures)

    @property
    def clv(self):
        return self.score.clv if self.score else None

    @property
    def margin_after_cost_to_serve(self):
        if not self.score or self.score.clv_margin is None:
            return None
        return self.score.clv_margin - (self.score.clv_cost_to_serve or 0)

    @property
    def overall(self):
        return self.score.overall if self.score else None

    @property
    def trend(self) -> Decimal | None:
        if self.overall is None or self.overall_before is None:
            return None
        return self.overall - self.overall_before

    @property
    def quadrant(self) -> str:
        return self.score.quadrant if self.score else ""

    @property
    def quadrant_label(self) -> str:
        return QUADRANT_LABELS.get(self.score.quadrant, "") if self.score else ""

    @property
    def recommendation(self) -> str:
        return self.score.recommendation if self.score else ""

    @property
    def plan_status_label(self) -> str:
        return PLAN_STATUS_LABELS.get(self.plan_status) or _("No plan")

    @property
    def plan_approved(self) -> bool:
        return self.plan_status in (PlanStatus.APPROVED, PlanStatus.ACTIVE)

    @property
    def last_executive_visit(self) -> date | None:
        return self.relationship.last_executive_visit

    @property
    def decision_makers(self) -> int:
        return self.relationship.decision_makers

    @property
    def active_contacts(self) -> int:
        return self.relationship.active_contacts

    @property
    def visit_overdue(self) -> bool:
        return self.relationship.executive_visit_due

    @property
    def health(self) -> str:
        """weak / at_risk / good: relationships.RelationshipHealth.verdict, as on every screen."""
        return self.relationship.verdict

    @property
    def health_label(self) -> str:
        return self.relationship.label

    @property
    def share_of_wallet(self) -> Decimal | None:
        """Shown, sorted and exported only where it can be true; otherwise a data warning says why."""
        return plausible_share_of_wallet(self.measures.share_of_wallet)

    @cached_property  # read by the dashboard's warnings card and again by the league table's cell
    def data_warnings(self) -> list:
        return data_warnings(
            share_of_wallet=self.measures.share_of_wallet,
            cost_to_serve=self.score.clv_cost_to_serve if self.score else None,
            future_surveys=self.account.future_surveys,
        )


# Choice labels looked up once, not through get_FOO_display() per row (it rebuilds the choices each
# call: about a tenth of the league table's rendering). The labels stay lazy: translated when shown.
QUADRANT_LABELS = dict(Quadrant.choices)
PLAN_STATUS_LABELS = dict(PlanStatus.choices)
RECOMMENDATION_LABELS = dict(Recommendation.choices)


def _row(account: Account, today: date) -> LeagueRow:
    return LeagueRow(
        account=account,
        score=getattr(account, "score", None) if _has_score(account) else None,
        plan_status=account.plan_status or "",
        plan_id=account.plan_id,
        relationship=health_from_figures(account, today=today),
        has_team_outside_sales=account.has_team_outside_sales,
        overdue_actions=account.overdue_actions,
        overall_before=account.overall_before,
        clv_before=account.clv_before,
        today=today,
    )


def _has_score(account: Account) -> bool:
    try:
        account.score  # noqa: B018 - select_related filled it; a missing one raises
    except AccountScore.DoesNotExist:
        return False
    return True


# --- filters and sorting, in memory over the key accounts ----------------------------------------

LEAGUE_FILTERS = ("kam", "sponsor", "industry", "country", "quadrant")
LEAGUE_SORTS = {
    "name": lambda r: r.account.name.lower(),
    "clv": lambda r: r.clv,
    "margin": lambda r: r.margin_after_cost_to_serve,
    "overall": lambda r: r.overall,
    "trend": lambda r: r.trend,
    "quadrant": lambda r: r.quadrant,
    "kam": lambda r: str(r.account.kam or ""),
    "sponsor": lambda r: str(r.account.executive_sponsor or ""),
    "plan": lambda r: r.plan_status,
    "visit": lambda r: r.last_executive_visit,
    "health": lambda r: list(HealthVerdict).index(r.health),
    "nps": lambda r: r.measures.nps,
    "wallet": lambda r: r.share_of_wallet,
    "stage": lambda r: r.measures.relationship_stage_rank,
    "return": lambda r: r.measures.return_on_investment,
}
DEFAULT_SORT = "-clv"
# (sort key, heading, numeric): the league table's columns, in order.
LEAGUE_COLUMNS = [
    ("name", gettext_lazy("Account"), False),
    ("clv", gettext_lazy("Lifetime value"), True),
    ("margin", gettext_lazy("Margin after cost-to-serve"), True),
    ("overall", gettext_lazy("Score"), True),
    ("trend", format_lazy(gettext_lazy("Trend, {days} days"), days=PORTFOLIO_SCORE_TREND_DAYS), True),
    ("quadrant", gettext_lazy("Quadrant"), False),
    ("kam", gettext_lazy("KAM"), False),
    ("sponsor", gettext_lazy("Sponsor"), False),
    ("plan", gettext_lazy("Plan"), False),
    ("visit", gettext_lazy("Last executive visit"), False),
    ("health", gettext_lazy("Relationship health"), False),
    ("nps", gettext_lazy("NPS"), True),
    ("wallet", gettext_lazy("Share of wallet"), True),
    ("stage", gettext_lazy("Relationship stage"), False),
    ("return", gettext_lazy("Return on investment"), True),
]


@dataclass(frozen=True)
class LeagueQuery:
    """What the champion asked for: filters (by id or value) and a sort key, validated."""

    kam: str = ""
    sponsor: str = ""
    industry: str = ""
    country: str = ""
    quadrant: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_params(cls, params) -> LeagueQuery:
        sort = params.get("sort", DEFAULT_SORT)
        if sort.lstrip("-") not in LEAGUE_SORTS:
            sort = DEFAULT_SORT  # an unknown sort is ignored rather than refused: it is only an order
        return cls(sort=sort, **{name: params.get(name, "").strip() for name in LEAGUE_FILTERS})

    def matches(self, row: LeagueRow) -> bool:
        account = row.account
        return (
            (not self.kam or str(account.kam_id) == self.kam)
            and (not self.sponsor or str(account.executive_sponsor_id) == self.sponsor)
            and (not self.industry or account.industry == self.industry)
            and (not self.country or account.country == self.country)
            and (not self.quadrant or row.quadrant == self.quadrant)
        )

    def ordered(self, rows: list[LeagueRow]) -> list[LeagueRow]:
        key = LEAGUE_SORTS[self.sort.lstrip("-")]
        known = [r for r in rows if key(r) is not None]
        unknown = [r for r in rows if key(r) is None]  # missing figures go last in either direction
        known.sort(key=key, reverse=self.sort.startswith("-"))
        return known + unknown

    def params(self, **changes) -> str:
        """The query string for a link that keeps the filters and changes one thing (e.g. the sort)."""
        values = {name: getattr(self, name) for name in (*LEAGUE_FILTERS, "sort")}
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v})

    def sort_link(self, column: str) -> str:
        descending = f"-{column}"
        return self.params(sort=column if self.sort == descending else descending)


def league_rows(rows: list[LeagueRow], query: LeagueQuery) -> list[LeagueRow]:
    return query.ordered([r for r in rows if query.matches(r)])


# --- the page ------------------------------------------------------------------------------------


@dataclass
class KamFigures:
    """One manager's key accounts: the measures the programme rewards (CLV growth, margin), not revenue."""

    kam: object
    accounts: int = 0
    clv: Decimal = Decimal(0)
    clv_before: Decimal = Decimal(0)
    comparable_clv: Decimal = Decimal(0)
    margin_after_cost_to_serve: Decimal = Decimal(0)
    overdue_actions: int = 0

    @property
    def clv_growth(self) -> Decimal | None:
        """Growth of the CLV of accounts that had a CLV a trend period ago, as a share."""
        if not self.clv_before:
            return None
        return (self.comparable_clv - self.clv_before) / self.clv_before


def kam_figures(rows: list[LeagueRow]) -> list[KamFigures]:
    by_kam: dict[int | None, KamFigures] = {}
    for row in rows:
        figures = by_kam.setdefault(row.account.kam_id, KamFigures(kam=row.account.kam))
        figures.accounts += 1
        figures.clv += row.clv or 0
        figures.margin_after_cost_to_serve += row.margin_after_cost_to_serve or 0
        figures.overdue_actions += row.overdue_actions
        if row.clv is not None and row.clv_before is not None:
            figures.clv_before += row.clv_before
            figures.comparable_clv += row.clv
    return sorted(by_kam.values(), key=lambda f: (f.kam is None, -f.clv))


@dataclass
class RecommendationItem:
    account_id: int
    name: str
    recommendation: str
    label: str
    overall: Decimal | None
    trend: Decimal | None
    quadrant: str
    reason: str
    url: str


@dataclass
class ProgrammeHealth:
    key_accounts: int
    limit: int
    key_share_of_margin: Decimal | None
    key_share_of_clv: Decimal | None
    plans_missing: list[LeagueRow]
    plans_not_approved: list[LeagueRow]
    overdue_actions: int
    resource_requests: list[dict]
    without_sponsor: list[LeagueRow]
    without_team_outside_sales: list[LeagueRow]
    without_recent_visit: list[LeagueRow]
    last_review: ProgrammeReview | None
    open_review: ProgrammeReview | None
    next_review_due: date | None
    today: date

    @property
    def over_limit(self) -> bool:
        return self.key_accounts > self.limit

    @property
    def review_overdue(self) -> bool:
        return self.open_review is None and (
            self.next_review_due is None or self.next_review_due < self.today
        )


@dataclass
class Dashboard:
    programme: Programme
    rows: list[LeagueRow]
    all_rows: list[LeagueRow]
    query: LeagueQuery
    matrix: MatrixLayout
    matrix_key: str  # the matrix's points and cut-offs, hashed: its drawing is kept under this key
    health: ProgrammeHealth
    recommendations: list[RecommendationItem]
    kams: list[KamFigures]
    filter_options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    trend_days = PORTFOLIO_SCORE_TREND_DAYS  # the league table's trend and each KAM's CLV growth

    @cached_property
    def picture(self) -> MatrixPicture:
        """The matrix ready to draw: points, labels and legend (composed here, not in the template)."""
        return matrix_picture(self.matrix, self.currency)

    @property
    def currency(self) -> str:
        return self.programme.reporting_currency

    @cached_property
    def data_warnings(self) -> list[tuple[LeagueRow, list]]:
        """Key accounts with a figure that cannot be true, and what to check."""
        return [(row, warnings) for row in self.all_rows if (warnings := row.data_warnings)]


def _share(part, whole) -> Decimal | None:
    if not whole:
        return None
    return Decimal(part) / Decimal(whole)


TOTALS_CACHE_SECONDS = 3600


def _whole_portfolio_totals() -> dict:
    """CLV and gross margin summed over every current account's score.

    A scan of every score (100,000 rows) is the one costly read on the page, and its inputs only
    change with a recompute: cached per successful run (and for an hour at most, for archived accounts).
    """
    key = RecomputeRun.objects.cache_key("kam:portfolio-totals")
    totals = cache.get(key)
    if totals is None:
        totals = AccountScore.objects.filter(account__archived_at__isnull=True).aggregate(
            clv=Coalesce(Sum("clv", filter=Q(clv__gt=0)), Value(Decimal(0)), output_field=MONEY_FIELD),
            margin=Coalesce(Sum("clv_margin"), Value(Decimal(0)), output_field=MONEY_FIELD),
        )
        cache.set(key, totals, TOTALS_CACHE_SECONDS)
    return totals


def _portfolio_totals(rows: list[LeagueRow]) -> dict:
    totals = _whole_portfolio_totals()
    key_clv = sum((r.clv for r in rows if r.clv and r.clv > 0), Decimal(0))
    key_margin = sum((r.score.clv_margin for r in rows if r.score and r.score.clv_margin), Decimal(0))
    return {
        "key_share_of_clv": _share(key_clv, totals["clv"]),
        "key_share_of_margin": _share(key_margin, totals["margin"]),
    }


def next_review_due(last_review: ProgrammeReview | None, cadence: str) -> date | None:
    """The day after the last closed review's period plus the cadence; None when there never was one."""
    if last_review is None:
        return None
    return add_months(last_review.period_end.replace(day=1), CADENCE_MONTHS.get(cadence, 3) + 1)


def _health(programme, rows, today, *, user) -> ProgrammeHealth:
    reviews = list(
        ProgrammeReview.objects.filter(
            Q(status=ReviewStatus.OPEN)
            | Q(pk=Subquery(ProgrammeReview.objects.closed().order_by("-period_end", "-pk").values("pk")[:1]))
        )
    )
    last_review = next((r for r in reviews if r.is_closed), None)
    open_review = next((r for r in reviews if not r.is_closed), None)
    return ProgrammeHealth(
        key_accounts=len(rows),
        limit=programme.key_account_limit,
        **_portfolio_totals(rows),
        plans_missing=[r for r in rows if not r.plan_status],
        plans_not_approved=[r for r in rows if r.plan_status and not r.plan_approved],
        overdue_actions=sum(r.overdue_actions for r in rows),
        resource_requests=open_resource_requests_by_business_unit(user=user),
        without_sponsor=[r for r in rows if r.account.executive_sponsor_id is None],
        without_team_outside_sales=[r for r in rows if not r.has_team_outside_sales],
        without_recent_visit=[r for r in rows if r.visit_overdue],
        last_review=last_review,
        open_review=open_review,
        next_review_due=next_review_due(last_review, programme.review_cadence),
        today=today,
    )


# What the matrix, recommendations and a review's frozen entries read of a candidate; no more.
CANDIDATE_FIELDS = [
    "account__id", "account__name", "account__status", "attractiveness", "relationship", "overall", "clv",
    "clv_margin", "clv_cost_to_serve", "quadrant", "recommendation", "completeness",
]  # fmt: skip


def top_candidates(today: date, limit: int, *, recommended_only: bool = False):
    before = today - timedelta(days=PORTFOLIO_SCORE_TREND_DAYS)
    scores = AccountScore.objects.filter(
        account__status=LifecycleStatus.CANDIDATE, account__archived_at__isnull=True, overall__isnull=False
    )
    if recommended_only:
        scores = scores.filter(recommendation=Recommendation.ADD)
    snapshot = ScoreSnapshot.objects.filter(account=OuterRef("account"), taken_on__lte=before).order_by(
        "-taken_on"
    )
    return list(
        scores.select_related("account")
        .only(*CANDIDATE_FIELDS)
        .annotate(overall_before=Subquery(snapshot.values("overall")[:1]))
        .order_by("-overall", "account_id")[:limit]
    )


def _item(account: Account, score: AccountScore, trend, counts, programme, url) -> RecommendationItem:
    return RecommendationItem(
        account_id=account.pk,
        name=account.name,
        recommendation=score.recommendation,
        label=RECOMMENDATION_LABELS.get(score.recommendation, score.recommendation),
        overall=score.overall,
        trend=trend,
        quadrant=score.quadrant,
        reason=recommendation_reason(
            score.recommendation,
            score.overall,
            trend,
            counts.get(account.pk, {}),
            programme,
            status=account.status,
            completeness=score.completeness,
        ),
        url=url(account.pk),
    )


def recommendations(programme, rows, candidates, today) -> list[RecommendationItem]:
    """Candidates proposed for entry and key accounts proposed for exit review or on watch, with reasons."""
    key = [r for r in rows if r.recommendation in (Recommendation.REVIEW_FOR_EXIT, Recommendation.WATCH)]
    counts = window_counts([r.account.pk for r in key] + [s.account_id for s in candidates], programme, today)
    items, url = [], account_url_maker()
    for score in candidates:
        trend = score.overall - score.overall_before if score.overall_before is not None else None
        items.append(_item(score.account, score, trend, counts, programme, url))
    order = {Recommendation.REVIEW_FOR_EXIT: 0, Recommendation.WATCH: 1}
    for row in sorted(key, key=lambda r: (order[r.recommendation], r.overall or 0)):
        items.append(_item(row.account, row.score, row.trend, counts, programme, url))
    return items


def url_maker(name: str, arity: int = 1):
    """`(*ids) -> URL` with one reverse() instead of hundreds (each costs ~0.1-0.3 ms on a busy server)."""
    sentinels = [str(2147483647 - i) for i in range(arity)]
    pattern = reverse(name, args=sentinels)

    def make(*ids) -> str:
        url = pattern
        for sentinel, value in zip(sentinels, ids, strict=True):
            url = url.replace(sentinel, str(value))
        return url

    return make


def account_url_maker():
    return url_maker("accounts:detail")


def _matrix(programme, rows, candidates) -> tuple[MatrixLayout, str]:
    """The 4S matrix's layout and the key it is kept under. Placing 200 points and labelling every key
    account without overlaps costs tens of milliseconds; the same points and cut-offs give the same
    picture, so it is kept until they change (the key is all that a view computes when it is)."""
    figures = [
        (s.account_id, s.account.name, s.attractiveness, s.relationship, s.clv, LifecycleStatus.CANDIDATE,
         s.quadrant, s.recommendation)
        for s in candidates
    ] + [
        (r.account.pk, r.account.name, r.score.attractiveness, r.score.relationship, r.clv,
         LifecycleStatus.KEY, r.quadrant, r.recommendation)
        for r in rows
        if r.score
    ]  # fmt: skip
    inputs = (figures, programme.attractiveness_cutoff, programme.relationship_cutoff)
    key = "kam:matrix-layout:" + hashlib.sha256(repr(inputs).encode()).hexdigest()
    layout = cache.get(key)
    if layout is None:
        url = account_url_maker()
        points = [
            MatrixPoint(
                account_id=account_id, name=name, attractiveness=attractiveness, relationship=relationship,
                clv=clv, status=status, quadrant=quadrant, recommendation=recommendation, url=url(account_id),
            )
            for (account_id, name, attractiveness, relationship, clv, status, quadrant, recommendation)
            in figures
        ]  # fmt: skip
        layout = layout_matrix(
            points,
            attractiveness_cutoff=programme.attractiveness_cutoff,
            relationship_cutoff=programme.relationship_cutoff,
        )
        cache.set(key, layout, TOTALS_CACHE_SECONDS)
    return layout, key


def _filter_options(rows: list[LeagueRow]) -> dict[str, list[tuple[str, str]]]:
    kams = {r.account.kam_id: str(r.account.kam) for r in rows if r.account.kam_id}
    sponsors = {
        r.account.executive_sponsor_id: str(r.account.executive_sponsor)
        for r in rows
        if r.account.executive_sponsor_id
    }
    return {
        "kam": sorted(((str(k), v) for k, v in kams.items()), key=lambda kv: kv[1]),
        "sponsor": sorted(((str(k), v) for k, v in sponsors.items()), key=lambda kv: kv[1]),
        "industry": [(i, i) for i in sorted({r.account.industry for r in rows if r.account.industry})],
        "country": [(c, c) for c in sorted({r.account.country for r in rows if r.account.country})],
        "quadrant": [(q.value, str(q.label)) for q in Quadrant],
    }  # fmt: skip


def dashboard_key_rows(
    *, today: date | None = None, rates: RateTable | None = None, measures: bool = False
) -> list[LeagueRow]:
    """The key accounts' rows (two queries: the accounts, and their surveys, which relationship health
    and the data warnings read); with `measures`, also NPS, share of wallet, stage and return (5 queries
    in all after the accounts')."""
    today = today or timezone.localdate()
    account_url, plan_url = account_url_maker(), url_maker("accounts:plan_detail", 2)
    accounts = list(key_accounts_annotated(today=today))
    ids = [a.pk for a in accounts]
    if measures:
        measured = measures_by_account(ids, today=today, rates=rates)
        surveyed = {pk: figures.surveys for pk, figures in measured.items()}
    else:
        surveyed = survey_measures(ids, today=today)
    for account in accounts:
        account.nps_fell = surveyed[account.pk].nps_fell
        account.future_surveys = surveyed[account.pk].future_surveys
    rows = [_row(account, today) for account in accounts]
    for row in rows:
        row.url = account_url(row.account.pk)
        row.plan_url = plan_url(row.account.pk, row.plan_id) if row.plan_id else ""
        if measures:
            row.measures = measured[row.account.pk]
    return rows


def portfolio_dashboard(*, user, params=None, today: date | None = None) -> Dashboard:
    """Everything the champion's dashboard shows, in a fixed number of queries; the view checks permission."""
    today = today or timezone.localdate()
    programme = Programme.load()
    rates = programme.rate_table()
    query = LeagueQuery.from_params(params or {})
    all_rows = dashboard_key_rows(today=today, rates=rates, measures=True)
    candidates = top_candidates(today, MATRIX_CANDIDATES)
    # Proposed entries score high by definition, so the top candidates by score hold them.
    proposed = [s for s in candidates if s.recommendation == Recommendation.ADD][
        :RECOMMENDED_CANDIDATES_SHOWN
    ]
    matrix, matrix_key = _matrix(programme, all_rows, candidates)
    return Dashboard(
        programme=programme,
        rows=league_rows(all_rows, query),
        all_rows=all_rows,
        query=query,
        matrix=matrix,
        matrix_key=matrix_key,
        health=_health(programme, all_rows, today, user=user),
        recommendations=recommendations(programme, all_rows, proposed, today),
        kams=kam_figures(all_rows),
        filter_options=_filter_options(all_rows),
    )


def dashboard_programme_measures(*, today: date | None = None) -> tuple[Programme, ProgrammeMeasures]:
    """The programme's measures (NPS, retention, return, stages): a fragment loaded after the page.

    Its retention figures are one aggregate over the score rows (the recompute stores each account's
    status a year ago and both years' revenue), not a read of every account's lifecycle and months.
    """
    today = today or timezone.localdate()
    programme = Programme.load()
    rates = programme.rate_table()
    # Like the portfolio totals: the same until the next recompute (or an hour), so only the first
    # view after a night pays for reading every account.
    key = f"{RecomputeRun.objects.cache_key('kam:programme-measures')}:{today.isoformat()}"
    cached = cache.get(key)
    if cached is None:
        rows = dashboard_key_rows(today=today, rates=rates, measures=True)
        measured = {r.account.pk: r.measures for r in rows}
        cached = programme_measures(measured, today=today, rates=rates, retention=stored_retention())
        cache.set(key, cached, TOTALS_CACHE_SECONDS)
    return programme, cached


def warm_after_recompute(*, today: date | None = None) -> None:
    """Fill the caches a recompute emptied (portfolio totals, programme measures), so the champion's
    first look after the night does not pay seconds for reading every account."""
    _whole_portfolio_totals()
    dashboard_programme_measures(today=today)


def league_table(*, params=None, today: date | None = None) -> tuple[Programme, LeagueQuery, list[LeagueRow]]:
    """The league table alone (CSV export, HTMX refresh): two queries."""
    today = today or timezone.localdate()
    query = LeagueQuery.from_params(params or {})
    programme = Programme.load()
    rates = programme.rate_table()
    return programme, query, league_rows(dashboard_key_rows(today=today, rates=rates, measures=True), query)
