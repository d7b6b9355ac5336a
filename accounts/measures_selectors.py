"""Reads for the account's Measures page (issue 7): a fixed number of queries whatever the history's size.

Money is converted to the programme's reporting currency with the rate table (one query); a
missing rate leaves the figure blank and says which, rather than adding unlike currencies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, Max, Q
from django.db.models.functions import TruncQuarter
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kam import permissions

from . import measures
from .models import (
    Account,
    AccountInvestment,
    FinancialPeriod,
    RelationshipStage,
    RelationshipStageChange,
    RetentionEstimateChange,
    Survey,
    WalletEstimate,
)
from .money import MissingExchangeRate, RateTable
from .periods import add_months, trailing_twelve_months

TREND_QUARTERS = 8
SHOWN_ROWS = 20
ORDER_MONTHS_SHOWN = 24


def _reporting_rates() -> RateTable:
    from programme.models import Programme

    return RateTable.load(Programme.load().reporting_currency)


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


def our_trailing_revenue(account: Account, *, today: date | None = None) -> TrailingRevenue:
    """Our trailing-12-month revenue from the account in the reporting currency (two queries)."""
    start, end = trailing_twelve_months(today)
    convert = Converter(_reporting_rates())
    periods = list(FinancialPeriod.objects.filter(account=account, period__gte=start, period__lt=end))
    amount = convert.total(periods, "revenue") if periods else None
    return TrailingRevenue(amount, convert)


@dataclass
class InvestmentRow:
    investment: AccountInvestment
    total: Decimal | None
    margin_after_cost_to_serve: Decimal | None
    return_on_investment: Decimal | None


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

    @property
    def survey_is_stale(self) -> bool:
        return measures.survey_is_stale(self.last_surveyed_on, self.today)

    @property
    def wallet_below_our_revenue(self) -> bool:
        return measures.wallet_below_our_revenue(self.our_revenue, self.wallet_amount)


def _quarter_label(start: date) -> str:
    return f"{start:%Y} Q{(start.month - 1) // 3 + 1}"


def _in_force(rows, day_field: str, before: date):
    """The newest row dated before `before` (rows newest first)."""
    return next((r for r in rows if getattr(r, day_field) < before), None)


def measures_page(*, user, account_id: int, today: date | None = None) -> MeasuresPage:
    """Everything the Measures page shows, in a fixed number of queries; 404 for an account not visible."""
    from programme.models import Programme

    today = today or timezone.localdate()
    queryset = (
        Account.objects.current()
        .select_related("kam", "executive_sponsor", "score")
        .prefetch_related("team_members")
    )
    account = get_object_or_404(permissions.visible_accounts(user, queryset), pk=account_id)
    programme = Programme.load()
    convert = Converter(RateTable.load(programme.reporting_currency))

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
        share_trend.append((_quarter_label(start), share))

    # Relationship stage.
    stage_history = list(RelationshipStageChange.objects.filter(account=account).select_related("set_by"))
    stage = next((s for s in stage_history if s.is_current), None)
    stage_trend = []
    for start in quarters:
        in_force = _in_force(stage_history, "effective_on", add_months(start, 3))
        stage_trend.append((_quarter_label(start), in_force.rank if in_force else None))

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
        rows.append(InvestmentRow(investment, total, margin, measures.return_on_investment(margin, total)))
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
        nps_trend=[(_quarter_label(q), _nps(by_quarter.get(q))) for q in quarters],
        csat_trend=[(_quarter_label(q), _csat(by_quarter.get(q))) for q in quarters],
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
        roi_trend=[(_quarter_label(r.investment.period_start), r.return_on_investment) for r in rows],
        default_retention=programme.default_retention,
        retention_changes=list(
            RetentionEstimateChange.objects.filter(account=account).select_related("changed_by")[:SHOWN_ROWS]
        ),
        missing_rate=convert.missing,
    )


def _margin(convert: Converter, window) -> Decimal | None:
    if not window:
        return None
    margin, cost = convert.total(window, "gross_margin"), convert.total(window, "cost_to_serve")
    return None if margin is None or cost is None else margin - cost


def measure_account(*, user, account_id: int) -> Account:
    """The account whose measures `user` opens a form for; 404 if they may not see it."""
    return get_object_or_404(permissions.visible_accounts(user, Account.objects.current()), pk=account_id)
