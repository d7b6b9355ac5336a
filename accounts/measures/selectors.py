"""Reads for the account's Measures page: a fixed number of queries whatever the history's size.

Money is converted to the programme's reporting currency with the rate table (one query); a
missing rate leaves the figure blank and says which, rather than adding unlike currencies.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DecimalField,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncQuarter
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.measures import calculations as measures
from accounts.measures import plausibility
from accounts.models import (
    Account,
    AccountInvestment,
    FinancialPeriod,
    LifecycleChange,
    LifecycleStatus,
    RelationshipStage,
    RelationshipStageChange,
    RetentionEstimateChange,
    Survey,
    WalletEstimate,
)
from kam.core.money import MissingExchangeRate, RateTable
from kam.core.periods import add_months, quarter_label, trailing_twelve_months

TREND_QUARTERS = 8
SHOWN_ROWS = 20
ORDER_MONTHS_SHOWN = 24


@dataclass
class Converter:
    """Converts into the reporting currency, remembering the first missing rate to show it."""

    rates: RateTable
    missing: str = ""

    @property
    def currency(self) -> str:
        return self.rates.reporting_currency

    def __call__(self, amount: Decimal | None, currency: str, on: date) -> Decimal | None:
        if amount is None:
            return None
        try:
            return self.rates.convert(amount, currency, on)
        except MissingExchangeRate as error:
            self.missing = self.missing or str(error)
            return None

    def total(self, rows, field_name: str) -> Decimal | None:
        values = [self(getattr(r, field_name), r.currency, r.period) for r in rows]
        return None if any(v is None for v in values) else sum(values, Decimal(0))


@dataclass(frozen=True)
class TrailingRevenue:
    amount: Decimal | None
    convert: Converter


def our_trailing_revenue(account: Account, *, rates: RateTable, today: date | None = None) -> TrailingRevenue:
    """Our trailing-12-month revenue from the account in the reporting currency (one query)."""
    start, end = trailing_twelve_months(today)
    convert = Converter(rates)
    periods = list(FinancialPeriod.objects.filter(account=account, period__gte=start, period__lt=end))
    amount = convert.total(periods, "revenue") if periods else None
    return TrailingRevenue(amount, convert)


@dataclass
class InvestmentRow:
    investment: AccountInvestment
    total: Decimal | None
    margin_after_cost_to_serve: Decimal | None
    return_on_investment: Decimal | None
    # KAM time, team time, dedicated resources, special terms: converted like the total they add up to.
    components: list[Decimal | None] = field(default_factory=list)

    @property
    def in_own_currency(self) -> list[tuple[Decimal | None, Decimal]]:
        """(converted, as entered) per component, for a table showing both."""
        entered = [getattr(self.investment, name) for name in AccountInvestment.COST_FIELDS]
        return list(zip(self.components, entered, strict=True))


@dataclass
class MeasuresPage:
    account: Account
    currency: str
    today: date
    can_record: bool
    can_set_wallet: bool
    # satisfaction, over the last twelve months
    surveys: list[Survey]
    survey_count: int
    nps: Decimal | None
    nps_mean: Decimal | None
    csat: Decimal | None
    last_surveyed_on: date | None
    nps_trend: list[tuple[str, Decimal | None]]
    csat_trend: list[tuple[str, Decimal | None]]
    # orders
    repeat_order_rate: Decimal | None
    order_trend: list[tuple[str, int | None]]
    # share of wallet
    wallet: WalletEstimate | None
    wallet_history: list[WalletEstimate]
    wallet_amount: Decimal | None
    our_revenue: Decimal | None
    share_of_wallet: Decimal | None
    headroom: Decimal | None
    share_trend: list[tuple[str, Decimal | None]]
    # relationship stage
    stage: RelationshipStageChange | None
    stage_history: list[RelationshipStageChange]
    stage_trend: list[tuple[str, int | None]]
    # investment and return, over the last four full quarters
    investments: list[InvestmentRow]
    yearly_investment: Decimal | None
    yearly_margin: Decimal | None
    return_on_investment: Decimal | None
    clv: Decimal | None
    clv_to_investment: Decimal | None
    roi_trend: list[tuple[str, Decimal | None]]
    # retention estimate
    default_retention: Decimal
    retention_changes: list[RetentionEstimateChange]
    missing_rate: str = ""
    stages: list = field(default_factory=lambda: RelationshipStage.choices)
    cost_to_serve: Decimal | None = None
    future_surveys: int = 0

    @property
    def plausible_share_of_wallet(self) -> Decimal | None:
        return plausibility.plausible_share_of_wallet(self.share_of_wallet)

    @property
    def data_warnings(self) -> list[plausibility.DataWarning]:
        return plausibility.data_warnings(
            share_of_wallet=self.share_of_wallet,
            cost_to_serve=self.cost_to_serve,
            future_surveys=self.future_surveys,
        )

    @property
    def survey_is_stale(self) -> bool:
        return measures.survey_is_stale(self.last_surveyed_on, self.today)

    @property
    def wallet_below_our_revenue(self) -> bool:
        return measures.wallet_below_our_revenue(self.our_revenue, self.wallet_amount)


def _in_force(rows, day_field: str, before: date):
    """The newest row dated before `before` (rows newest first)."""
    return next((r for r in rows if getattr(r, day_field) < before), None)


def measures_page(
    *, user, account_id: int, rates: RateTable, default_retention: Decimal, today: date | None = None
) -> MeasuresPage:
    """Everything the Measures page shows, in a fixed number of queries; 404 for an account not visible.

    `rates` converts into the programme's reporting currency; `default_retention` is the programme's,
    shown where the account has no estimate of its own."""
    today = today or timezone.localdate()
    queryset = (
        Account.objects.current()
        .select_related("kam", "executive_sponsor", "score")
        .prefetch_related("team_members")
    )
    account = get_object_or_404(permissions.visible_accounts(user, queryset), pk=account_id)
    convert = Converter(rates)

    # Satisfaction: the last year's figures and the trend by quarter, aggregated in SQL.
    year_ago = today - timedelta(days=365)
    surveys = Survey.objects.current().filter(account=account)
    conditions = {
        "answers": Q(nps__isnull=False),
        "promoters": Q(nps__gte=measures.PROMOTER_FROM),
        "detractors": Q(nps__lte=measures.DETRACTOR_TO),
    }
    counts = {name: Count("pk", filter=condition) for name, condition in conditions.items()}
    recent = Q(surveyed_on__gt=year_ago)
    last_year = surveys.aggregate(
        responses=Count("pk", filter=recent),
        nps_mean=Avg("nps", filter=recent),
        csat=Avg("csat", filter=recent),
        last_surveyed_on=Max("surveyed_on"),
        future_surveys=Count("pk", filter=plausibility.survey_impossible_q(today)),
        **{name: Count("pk", filter=condition & recent) for name, condition in conditions.items()},
    )
    quarters = [*measures.last_full_quarters(today, TREND_QUARTERS - 1), measures.quarter_start(today)]
    by_quarter = {
        row["quarter"]: row
        for row in surveys.filter(surveyed_on__gte=quarters[0])
        .annotate(quarter=TruncQuarter("surveyed_on"))
        .values("quarter")
        .annotate(csat=Avg("csat"), **counts)
    }

    def _nps(row) -> Decimal | None:
        if not row or not row["answers"]:
            return None
        return measures.nps_from_counts(row["promoters"], row["detractors"], row["answers"])

    def _csat(row) -> Decimal | None:
        return measures.mean([row["csat"]]) if row and row["csat"] is not None else None

    # Financials: 36 months cover the trailing year at each of the eight quarter ends.
    periods = list(
        FinancialPeriod.objects.filter(account=account, period__gte=add_months(quarters[0], -12)).order_by(
            "period"
        )
    )
    t12_start, t12_end = trailing_twelve_months(today)
    t12 = [p for p in periods if t12_start <= p.period < t12_end]
    our_revenue = convert.total(t12, "revenue") if t12 else None
    order_months = [add_months(t12_end, -n) for n in range(ORDER_MONTHS_SHOWN, 0, -1)]
    orders = {p.period: p.order_count for p in periods}

    # Share of wallet, with the estimate in force at each quarter's end.
    wallet_history = list(WalletEstimate.objects.filter(account=account).select_related("entered_by"))
    wallet = next((w for w in wallet_history if w.is_current), None)
    wallet_amount = convert(wallet.amount, wallet.currency, wallet.estimated_on) if wallet else None
    share_trend = []
    for start in quarters:
        end = add_months(start, 3)
        window = [p for p in periods if add_months(end, -12) <= p.period < end]
        estimate = _in_force(wallet_history, "estimated_on", end)
        share = None
        if window and estimate:
            revenue = convert.total(window, "revenue")
            share = measures.share_of_wallet(
                revenue, convert(estimate.amount, estimate.currency, estimate.estimated_on)
            )
        share_trend.append((quarter_label(start), share))

    # Relationship stage.
    stage_history = list(RelationshipStageChange.objects.filter(account=account).select_related("set_by"))
    stage = next((s for s in stage_history if s.is_current), None)
    stage_trend = []
    for start in quarters:
        in_force = _in_force(stage_history, "effective_on", add_months(start, 3))
        stage_trend.append((quarter_label(start), in_force.rank if in_force else None))

    # Investment and return, per quarter and over the last four full quarters.
    investments = {
        i.period_start: i
        for i in AccountInvestment.objects.filter(
            account=account, period_start__gte=quarters[0]
        ).select_related("entered_by")
    }
    rows = []
    for start in quarters:
        investment = investments.get(start)
        if investment is None:
            continue
        window = [p for p in periods if start <= p.period < add_months(start, 3)]
        margin = _margin(convert, window)
        total = convert(investment.total, investment.currency, start)
        components = [
            convert(getattr(investment, name), investment.currency, start)
            for name in AccountInvestment.COST_FIELDS
        ]
        roi = measures.return_on_investment(margin, total)
        rows.append(InvestmentRow(investment, total, margin, roi, components))
    full_year = quarters[-5:-1]
    year_rows = [r for r in rows if r.investment.period_start in full_year]
    yearly_investment = (
        sum((r.total for r in year_rows), Decimal(0))
        if year_rows and all(r.total is not None for r in year_rows)
        else None
    )
    year_window = [p for p in periods if full_year[0] <= p.period < add_months(full_year[-1], 3)]
    yearly_margin = _margin(convert, year_window)
    score = getattr(account, "score", None)
    clv = score.clv if score else None

    return MeasuresPage(
        account=account,
        currency=convert.currency,
        today=today,
        can_record=permissions.can_record_measures(user, account),
        can_set_wallet=permissions.can_set_wallet_estimate(user, account),
        surveys=list(surveys.select_related("stakeholder")[:SHOWN_ROWS]),
        survey_count=last_year["responses"],
        nps=_nps(last_year),
        nps_mean=measures.mean([last_year["nps_mean"]]) if last_year["nps_mean"] is not None else None,
        csat=_csat(last_year),
        last_surveyed_on=last_year["last_surveyed_on"],
        nps_trend=[(quarter_label(q), _nps(by_quarter.get(q))) for q in quarters],
        csat_trend=[(quarter_label(q), _csat(by_quarter.get(q))) for q in quarters],
        repeat_order_rate=measures.repeat_order_rate([p.order_count for p in t12]),
        order_trend=[(f"{m:%Y-%m}", orders.get(m)) for m in order_months],
        wallet=wallet,
        wallet_history=wallet_history[:SHOWN_ROWS],
        wallet_amount=wallet_amount,
        our_revenue=our_revenue,
        share_of_wallet=measures.share_of_wallet(our_revenue, wallet_amount),
        headroom=measures.headroom(our_revenue, wallet_amount),
        share_trend=share_trend,
        stage=stage,
        stage_history=stage_history[:SHOWN_ROWS],
        stage_trend=stage_trend,
        investments=list(reversed(rows)),
        yearly_investment=yearly_investment,
        yearly_margin=yearly_margin,
        return_on_investment=measures.return_on_investment(yearly_margin, yearly_investment),
        clv=clv,
        clv_to_investment=measures.clv_to_investment(clv, yearly_investment),
        roi_trend=[(quarter_label(r.investment.period_start), r.return_on_investment) for r in rows],
        default_retention=default_retention,
        retention_changes=list(
            RetentionEstimateChange.objects.filter(account=account).select_related("changed_by")[:SHOWN_ROWS]
        ),
        missing_rate=convert.missing,
        cost_to_serve=convert.total(t12, "cost_to_serve") if t12 else None,
        future_surveys=last_year["future_surveys"],
    )


def _margin(convert: Converter, window) -> Decimal | None:
    if not window:
        return None
    margin, cost = convert.total(window, "gross_margin"), convert.total(window, "cost_to_serve")
    return None if margin is None or cost is None else margin - cost


def measure_account(*, user, account_id: int) -> Account:
    """The account whose measures `user` opens a form for; 404 if they may not see it."""
    return get_object_or_404(permissions.visible_accounts(user, Account.objects.current()), pk=account_id)


# --- Flags for the KAM's home: NPS fell by 2+, or no survey for over a year ---------------


def with_satisfaction_flags(queryset: QuerySet[Account], *, today: date | None = None) -> QuerySet[Account]:
    """Annotate each account with its survey rounds and two flags, in the same single query.

    A round is the answers of one day. `nps_fell`: the latest round's mean NPS answer is 2 or more
    below the round before (measures.nps_fell); `survey_stale`: no survey, or none for over a year.
    """
    today = today or timezone.localdate()
    answers = Survey.objects.current().filter(account=OuterRef("pk"), nps__isnull=False)

    def mean_on(day_field: str) -> Subquery:
        round_ = answers.filter(surveyed_on=OuterRef(day_field)).values("account").annotate(m=Avg("nps"))
        return Subquery(round_.values("m"), output_field=DecimalField(max_digits=4, decimal_places=2))

    last_any = Survey.objects.current().filter(account=OuterRef("pk")).order_by("-surveyed_on")
    stale_before = today - timedelta(days=measures.SURVEY_STALE_DAYS)
    return (
        queryset.annotate(
            last_surveyed_on=Subquery(last_any.values("surveyed_on")[:1]),
            nps_latest_on=Subquery(answers.order_by("-surveyed_on").values("surveyed_on")[:1]),
        )
        .annotate(
            nps_previous_on=Subquery(
                answers.filter(surveyed_on__lt=OuterRef("nps_latest_on"))
                .order_by("-surveyed_on")
                .values("surveyed_on")[:1]
            ),
            nps_latest_mean=mean_on("nps_latest_on"),
        )
        .annotate(nps_previous_mean=mean_on("nps_previous_on"))
        .annotate(
            nps_fell=Case(
                When(
                    nps_previous_mean__gte=F("nps_latest_mean") + Value(measures.NPS_FALL_FLAG),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
            survey_stale=Case(
                When(
                    Q(last_surveyed_on__isnull=True) | Q(last_surveyed_on__lt=stale_before), then=Value(True)
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )


@dataclass
class SurveyMeasures:
    """One account's surveys as a screen of many accounts reads them: NPS and CSAT of the last 12
    months, whether NPS fell (`with_satisfaction_flags`' `nps_fell`) and the surveys dated after
    today, which cannot be true (a data warning)."""

    nps: Decimal | None = None
    csat: Decimal | None = None
    nps_fell: bool = False
    future_surveys: int = 0


def survey_measures(account_ids, *, today: date) -> dict[int, SurveyMeasures]:
    """`SurveyMeasures` per account in one query over the accounts' survey rounds (the answers of one
    day), newest first; not `with_satisfaction_flags`' correlated subqueries, which cost per row."""
    ids = list(account_ids)
    result = {pk: SurveyMeasures() for pk in ids}
    if not ids:
        return result
    rounds = (
        Survey.objects.current()
        .filter(account_id__in=ids)
        .values("account_id", "surveyed_on")
        .annotate(
            surveys=Count("pk"),
            answers=Count("nps"),
            promoters=Count("pk", filter=Q(nps__gte=measures.PROMOTER_FROM)),
            detractors=Count("pk", filter=Q(nps__lte=measures.DETRACTOR_TO)),
            nps_mean=Avg("nps"),
            csat_total=Sum("csat"),
            csat_answers=Count("csat"),
        )
        .order_by("account_id", "-surveyed_on")
        .values_list(
            "account_id", "surveyed_on", "surveys", "answers", "promoters", "detractors", "nps_mean",
            "csat_total", "csat_answers",
        )
    )  # fmt: skip
    year_ago = today - timedelta(days=365)
    year: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # the counts of the last 12 months
    nps_means: dict[int, list] = defaultdict(list)  # the two latest rounds' mean NPS answers
    for account_id, day, surveys, answers, promoters, detractors, nps_mean, csat_total, csat_n in rounds:
        if plausibility.survey_impossible(day, today):
            result[account_id].future_surveys += surveys
        if day > year_ago:
            for i, n in enumerate((answers, promoters, detractors, csat_total or 0, csat_n)):
                year[account_id][i] += n
        if nps_mean is not None and len(nps_means[account_id]) < 2:
            nps_means[account_id].append(Decimal(nps_mean))
    for account_id, (answers, promoters, detractors, csat_total, csat_answers) in year.items():
        figures = result[account_id]
        figures.nps = measures.nps_from_counts(promoters, detractors, answers)
        if csat_answers:
            figures.csat = measures.mean([Decimal(csat_total) / csat_answers])
    for account_id, means in nps_means.items():
        if len(means) == 2:
            result[account_id].nps_fell = measures.nps_fell(means[1], means[0])
    return result


def satisfaction_flags(*, user, today: date | None = None) -> list[Account]:
    """The key accounts `user` manages whose NPS fell by 2+ or whose last survey is over a year old."""
    accounts = permissions.visible_accounts(user, Account.objects.current().key_accounts().managed_by(user))
    flagged = with_satisfaction_flags(accounts, today=today).filter(Q(nps_fell=True) | Q(survey_stale=True))
    return list(flagged.order_by("name"))


# --- Measures of many accounts at once (dashboard league table, API), and the programme's KPIs -------


@dataclass
class AccountMeasures:
    nps: Decimal | None = None
    csat: Decimal | None = None
    surveys: SurveyMeasures = field(default_factory=SurveyMeasures)
    share_of_wallet: Decimal | None = None
    relationship_stage: str = ""
    yearly_investment: Decimal | None = None
    yearly_margin: Decimal | None = None
    return_on_investment: Decimal | None = None

    @property
    def relationship_stage_label(self) -> str:
        return RelationshipStage(self.relationship_stage).label if self.relationship_stage else ""

    @property
    def relationship_stage_rank(self) -> int | None:
        return RelationshipStage.rank(self.relationship_stage)


def measures_by_account(
    account_ids, *, rates: RateTable, today: date | None = None
) -> dict[int, AccountMeasures]:
    """NPS and CSAT (12 months), share of wallet, stage and return (last four full quarters) per account.

    Five queries whatever the number of accounts,
    the same definitions as the Measures page.
    """
    ids = list(account_ids)
    result = {pk: AccountMeasures() for pk in ids}
    if not ids:
        return result
    today = today or timezone.localdate()
    convert = Converter(rates)
    for account_id, surveys in survey_measures(ids, today=today).items():
        figures = result[account_id]
        figures.surveys = surveys
        figures.nps, figures.csat = surveys.nps, surveys.csat
    for account_id, stage in RelationshipStageChange.objects.filter(
        account_id__in=ids, is_current=True
    ).values_list("account_id", "stage"):
        result[account_id].relationship_stage = stage

    t12_start, t12_end = trailing_twelve_months(today)
    quarter_end = measures.quarter_start(today)
    quarters_start = add_months(quarter_end, -12)
    wallets = list(WalletEstimate.objects.filter(account_id__in=ids, is_current=True))
    investments = list(
        AccountInvestment.objects.filter(
            account_id__in=ids, period_start__gte=quarters_start, period_start__lt=quarter_end
        )
    )
    # Our figures divide a wallet estimate or an investment: only the accounts with one need them (an
    # API page of 100 accounts read 1,500 months for the few that have).
    measured = {w.account_id for w in wallets} | {i.account_id for i in investments}
    periods = defaultdict(list)
    if measured:
        months = FinancialPeriod.objects.filter(
            account_id__in=sorted(measured),
            period__gte=min(t12_start, quarters_start),
            period__lt=max(t12_end, quarter_end),
        )
        for period in months.values_list(  # plain named rows, no model instances needed
            "account_id", "period", "revenue", "gross_margin", "cost_to_serve", "currency", named=True
        ):
            periods[period.account_id].append(period)
    for wallet in wallets:
        t12 = [p for p in periods[wallet.account_id] if t12_start <= p.period < t12_end]
        revenue = convert.total(t12, "revenue") if t12 else None
        amount = convert(wallet.amount, wallet.currency, wallet.estimated_on)
        result[wallet.account_id].share_of_wallet = measures.share_of_wallet(revenue, amount)
    invested = defaultdict(list)
    for investment in investments:
        invested[investment.account_id].append(
            convert(investment.total, investment.currency, investment.period_start)
        )
    for account_id, totals in invested.items():
        figures = result[account_id]
        figures.yearly_investment = None if None in totals else sum(totals, Decimal(0))
        window = [p for p in periods[account_id] if quarters_start <= p.period < quarter_end]
        figures.yearly_margin = _margin(convert, window)
        figures.return_on_investment = measures.return_on_investment(
            figures.yearly_margin, figures.yearly_investment
        )
    return result


@dataclass
class ProgrammeMeasures:
    """The champion's programme KPIs for the measures."""

    average_nps: Decimal | None
    key_account_retention: Decimal | None
    candidate_revenue_retained: Decimal | None
    total_investment: Decimal | None
    total_margin: Decimal | None
    return_on_investment: Decimal | None
    stages: list[tuple[str, str, int]]  # (stage, label, key accounts), in the model's order; "" = not set


def programme_measures(
    measured: dict[int, AccountMeasures],
    *,
    rates: RateTable,
    today: date | None = None,
    retention: tuple[Decimal | None, Decimal | None] | None = None,
) -> ProgrammeMeasures:
    """KPIs over the key accounts' measures, plus retention from the lifecycle history (two queries).

    `retention` (key accounts kept, candidates' revenue kept), when the caller has it stored per
    account, spares reading every account's lifecycle and months."""
    today = today or timezone.localdate()
    values = list(measured.values())
    nps = [m.nps for m in values if m.nps is not None]
    with_return = [m for m in values if m.yearly_investment and m.yearly_margin is not None]
    investment = sum((m.yearly_investment for m in with_return), Decimal(0)) if with_return else None
    margin = sum((m.yearly_margin for m in with_return), Decimal(0)) if with_return else None
    counts = defaultdict(int)
    for m in values:
        counts[m.relationship_stage] += 1
    stages = [(s, str(label), counts[s]) for s, label in RelationshipStage.choices]
    if counts[""]:
        stages.append(("", str(_("Not set")), counts[""]))
    retained_keys, revenue_retained = retention or programme_retention(today=today, rates=rates)
    return ProgrammeMeasures(
        average_nps=measures.mean(nps),
        key_account_retention=retained_keys,
        candidate_revenue_retained=revenue_retained,
        total_investment=investment,
        total_margin=margin,
        return_on_investment=measures.return_on_investment(margin, investment),
        stages=stages,
    )


# Retention compares today with this many days ago.
RETENTION_LOOKBACK_DAYS = 365


def status_a_year_ago_sql(day_parameter: str) -> str:
    """SQL twin of the status retention reads for each current account: its last recorded lifecycle
    step on the day (`day_parameter`, a named parameter), or without one, key if key since before
    it, candidate if never key, '' otherwise. Columns `account_id, status_then`."""
    day = f"%({day_parameter})s"
    return (
        "SELECT a.id AS account_id, COALESCE(step.to_status, CASE "
        f"WHEN a.key_since <= {day} THEN '{LifecycleStatus.KEY}' "
        f"WHEN a.key_since IS NULL THEN '{LifecycleStatus.CANDIDATE}' ELSE '' END) AS status_then "
        "FROM accounts_account a LEFT JOIN (SELECT account_id, to_status, ROW_NUMBER() OVER ("
        "PARTITION BY account_id ORDER BY effective_on DESC, created_at DESC, id DESC) AS latest "
        f"FROM accounts_lifecyclechange WHERE effective_on <= {day}) step "
        "ON step.account_id = a.id AND step.latest = 1 WHERE a.archived_at IS NULL"
    )


def _status_on(day: date):
    """The lifecycle status an account had on `day`, from its recorded steps (None if it has none then)."""
    steps = LifecycleChange.objects.filter(account=OuterRef("pk"), effective_on__lte=day)
    return Subquery(steps.order_by("-effective_on", "-created_at", "-pk").values("to_status")[:1])


def programme_retention(*, rates: RateTable, today: date | None = None):
    """(Share of last year's key accounts still key, share of last year's candidates' revenue kept).

    Key a year ago: the last recorded lifecycle step on that day says so, or, for accounts without
    recorded steps, key since before it. Revenue kept is capped per account (measures.revenue_retained),
    summed in SQL per currency and converted at the latest rate: one row per currency, not per account.
    """
    today = today or timezone.localdate()
    a_year_ago = today - timedelta(days=RETENTION_LOOKBACK_DAYS)
    accounts = Account.objects.current().annotate(status_then=_status_on(a_year_ago))
    key_then = Q(status_then=LifecycleStatus.KEY) | Q(status_then__isnull=True, key_since__lte=a_year_ago)
    rows = list(accounts.filter(key_then).values_list("pk", "status"))
    key_share = measures.key_account_retention(
        [pk for pk, _status in rows], [pk for pk, status in rows if status == LifecycleStatus.KEY]
    )

    start, end = trailing_twelve_months(today)
    previous_start = add_months(start, -12)
    candidates_then = Account.objects.annotate(status_then=_status_on(a_year_ago)).filter(
        Q(status_then=LifecycleStatus.CANDIDATE) | Q(status_then__isnull=True, key_since__isnull=True)
    )
    # One pass over the two years of months, both sums per account at once (correlated sums per
    # account read every account's months four times: 8 s at 100,000 accounts).
    per_account = (
        FinancialPeriod.objects.filter(
            account__in=candidates_then.values("pk"), period__gte=previous_start, period__lt=end
        )
        .order_by()
        .values("account_id")  # grouped by account alone (its currency rides along): a hash, not a sort
        .annotate(
            currency=Max("account__currency"),
            before=Sum("revenue", filter=Q(period__lt=start)),
            now=Sum("revenue", filter=Q(period__gte=start)),
        )
        .filter(before__gt=0)
        .values_list("account_id", "currency", "before", "now")
    )
    by_currency_before, by_currency_kept = defaultdict(Decimal), defaultdict(Decimal)
    zero = Decimal(0)
    for _account_id, currency, before, now in per_account.iterator(chunk_size=10_000):
        by_currency_before[currency] += before
        by_currency_kept[currency] += min(max(now or zero, zero), before)  # capped per account
    convert = Converter(rates)
    base, kept = {}, {}
    for currency, total in by_currency_before.items():
        base[currency] = convert(total, currency, end) or zero
        kept[currency] = convert(by_currency_kept[currency], currency, end) or zero
    return key_share, measures.revenue_retained(base, kept)
