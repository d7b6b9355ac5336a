"""The metric registry: what a criterion scored from data can measure, each computed for all accounts at once.

A metric is one of:
- an `expression` over `f`, the account's financial figures for the last 24 full months, already in
  the programme's reporting currency (the recompute aggregates them once, see FINANCIAL_COLUMNS);
- an `sql` subquery returning `account_id, value` for every account that has a value, which may use
  the parameters `%(today)s`, `%(recent_start)s` (first month of the trailing 12), `%(month_end)s`
  and `%(contacts_since)s` (first day of the contact window, accounts.stakeholders.relationships),
  and the work tables `scoring_financials` (as `f` above) and `scoring_rates` (currency, period, rate);
- or `derive`d in Python from the lifetime-value figures (CLV needs per-account retention).

To add a metric (satisfaction surveys, share of wallet, ...) register one more entry below; the
criteria form offers it at once, and percentiles and bands work on it unchanged. An account without
a value for the metric is *missing* on the criteria using it, never zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import DECISION_MAKING_ROLES, Attitude
from accounts.stakeholders.relationships import CONTACT_WINDOW_DAYS

# The per-account financial aggregate (a temporary table built by each recompute) has these columns.
FINANCIAL_COLUMNS = (
    "revenue",  # trailing 12 full months
    "gross_margin",
    "cost_to_serve",
    "months",  # months on record in the trailing 12
    "previous_revenue",  # the 12 months before those
    "previous_margin",
    "previous_months",
    "days_to_pay",  # average over the trailing 12, months with a figure
)


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    higher_is_better: bool = True
    unit: str = ""  # "money", "percent", "days", "months", "people"
    expression: str = ""
    sql: str = ""
    derive: Callable | None = None

    def __post_init__(self):
        if sum(map(bool, (self.expression, self.sql, self.derive))) != 1:
            raise ValueError(f"Metric {self.name} needs exactly one of expression, sql, derive.")


REGISTRY: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    REGISTRY[metric.name] = metric
    return metric


def get(name: str) -> Metric | None:
    return REGISTRY.get(name)


def choices() -> list[tuple[str, str]]:
    return [(m.name, m.label) for m in REGISTRY.values()]


def _ratio(numerator: str, denominator: str, *, times: int = 100) -> str:
    return f"CASE WHEN {denominator} > 0 THEN {times} * ({numerator}) / ({denominator}) END"


# --- Money: profit per customer, not revenue alone (DOMAIN.md, 003) ----------------------------------
register(Metric("revenue_t12m", _("Revenue, trailing 12 months"), unit="money", expression="f.revenue"))
register(
    Metric(
        "gross_margin_t12m", _("Gross margin, trailing 12 months"), unit="money", expression="f.gross_margin"
    )
)
register(
    Metric(
        "margin_after_cost_to_serve",
        _("Margin after cost-to-serve, trailing 12 months"),
        unit="money",
        expression="f.gross_margin - f.cost_to_serve",
    )
)
register(
    Metric(
        "margin_percent",
        _("Gross margin %"),
        unit="percent",
        expression=_ratio("f.gross_margin", "f.revenue"),
    )
)
register(
    Metric(
        "revenue_growth",
        _("Revenue growth year on year %"),
        unit="percent",
        # Monthly averages, so that an account with a short first year is not read as exploding.
        expression=(
            "CASE WHEN f.months > 0 AND f.previous_months > 0 AND f.previous_revenue > 0 THEN "
            "100 * ((f.revenue / f.months) / (f.previous_revenue / f.previous_months) - 1) END"
        ),
    )
)
register(
    Metric(
        "cost_to_serve_ratio",
        _("Cost-to-serve as a share of revenue, %"),
        higher_is_better=False,
        unit="percent",
        expression=_ratio("f.cost_to_serve", "f.revenue"),
    )
)
register(
    Metric(
        "days_to_pay",
        _("Average days to pay"),
        higher_is_better=False,
        unit="days",
        expression="f.days_to_pay",
    )
)
register(Metric("clv", _("Customer lifetime value"), unit="money", derive=lambda figures: figures.clv))
register(
    Metric(
        "months_as_customer",
        _("Months as a customer (months of figures on record)"),
        unit="months",
        # Counted, not date arithmetic: portable, and one pass over the (account, month) index.
        sql="SELECT account_id, COUNT(*) AS value FROM accounts_financialperiod GROUP BY account_id",
    )
)


# --- Relationship health (DOMAIN.md: decision makers covered, attitude, active contacts) ----------
# The SQL twins of accounts/stakeholders/relationships.py, built from the same constants: the
# decision-making roles as an IN list, the contact window as the `contacts_since` parameter.
def _sql_strings(values) -> str:
    """Values as a comma-separated list of SQL string literals (quotes doubled)."""
    return ", ".join("'" + str(value).replace("'", "''") + "'" for value in values)


_CURRENT_PEOPLE = "s.archived_at IS NULL AND s.left_on IS NULL"
_DECIDING = f"s.buying_role IN ({_sql_strings(DECISION_MAKING_ROLES)})"
# People with a logged (not removed) interaction within the contact window ending on `today`.
_RECENTLY_CONTACTED = (
    "SELECT DISTINCT link.stakeholder_id FROM accounts_interaction_stakeholders link "
    "JOIN accounts_interaction i ON i.id = link.interaction_id "
    "WHERE i.archived_at IS NULL AND i.occurred_on >= %(contacts_since)s AND i.occurred_on <= %(today)s"
)
register(
    Metric(
        "stakeholders",
        _("Stakeholders mapped"),
        unit="people",
        sql=(
            "SELECT s.account_id, COUNT(*) AS value FROM accounts_stakeholder s "
            f"WHERE {_CURRENT_PEOPLE} GROUP BY s.account_id"
        ),
    )
)
register(
    Metric(
        "decision_makers_covered",
        _("Decision makers we have a relationship with"),
        unit="people",
        # Zero, not missing, for an account whose people are mapped but no decision maker is
        # covered: that is what we know of it. Missing only when nobody is mapped at all.
        sql=(
            "SELECT s.account_id, "
            f"SUM(CASE WHEN {_DECIDING} AND s.relationship_strength > 0 THEN 1 ELSE 0 END) AS value "
            f"FROM accounts_stakeholder s WHERE {_CURRENT_PEOPLE} GROUP BY s.account_id"
        ),
    )
)
register(
    Metric(
        "decision_makers_contacted",
        format_lazy(_("Decision makers contacted in the last {days} days"), days=CONTACT_WINDOW_DAYS),
        unit="people",
        # As relationship health's "decision makers contacted"; zero when people are mapped.
        sql=(
            "SELECT s.account_id, "
            f"SUM(CASE WHEN {_DECIDING} AND recent.stakeholder_id IS NOT NULL THEN 1 ELSE 0 END) AS value "
            f"FROM accounts_stakeholder s LEFT JOIN ({_RECENTLY_CONTACTED}) recent "
            f"ON recent.stakeholder_id = s.id WHERE {_CURRENT_PEOPLE} GROUP BY s.account_id"
        ),
    )
)
register(
    Metric(
        "decision_makers_favourable",
        _("Share of decision makers neutral or better %"),
        unit="percent",
        sql=(
            "SELECT s.account_id, "
            f"100.0 * SUM(CASE WHEN s.attitude >= {int(Attitude.NEUTRAL)} THEN 1 ELSE 0 END) / COUNT(*) "
            "AS value "
            f"FROM accounts_stakeholder s WHERE {_CURRENT_PEOPLE} AND {_DECIDING} GROUP BY s.account_id"
        ),
    )
)
register(
    Metric(
        # The name is stored on criteria; the window it counts is CONTACT_WINDOW_DAYS.
        "active_contacts_90d",
        format_lazy(_("People contacted in the last {days} days"), days=CONTACT_WINDOW_DAYS),
        unit="people",
        # Current people only, as relationship health's active contacts. Zero for an account with
        # people mapped and nobody contacted lately (a fact, not a gap).
        sql=(
            "SELECT s.account_id, COUNT(recent.stakeholder_id) AS value "
            f"FROM accounts_stakeholder s LEFT JOIN ({_RECENTLY_CONTACTED}) recent "
            f"ON recent.stakeholder_id = s.id WHERE {_CURRENT_PEOPLE} GROUP BY s.account_id"
        ),
    )
)

# --- Programme measures: satisfaction, orders, share of wallet, stage, return -----------------------
# The recompute's per-account figures in the reporting currency (programme/scoring/engine.py
# FINANCIALS_TABLE).
_FINANCIALS = "scoring_financials"


def _rate(currency: str, day: str) -> str:
    """The exchange rate in force on `day` (the earliest known before any), 1 for the reporting currency.

    A correlated lookup on the (currency, valid_from) index: used only on the few rows of accounts
    with a wallet estimate or investment, never on every account's months.
    """
    rates = f"SELECT er.rate FROM accounts_exchangerate er WHERE er.currency = {currency}"
    return (
        f"CASE WHEN {currency} = %(reporting_currency)s THEN 1.0 ELSE COALESCE("
        f"({rates} AND er.valid_from <= {day} ORDER BY er.valid_from DESC LIMIT 1), "
        f"({rates} ORDER BY er.valid_from LIMIT 1)) END"
    )


_SURVEYS = "FROM accounts_survey sv WHERE sv.archived_at IS NULL AND sv.surveyed_on >= %(recent_start)s"
register(
    Metric(
        "nps",
        _("Net promoter score, last 12 months"),
        unit="score",
        # % promoters (9-10) - % detractors (0-6), as accounts.measures.net_promoter_score.
        sql=(
            "SELECT sv.account_id, 100.0 * (SUM(CASE WHEN sv.nps >= 9 THEN 1 ELSE 0 END) "
            "- SUM(CASE WHEN sv.nps <= 6 THEN 1 ELSE 0 END)) / COUNT(*) AS value "
            f"{_SURVEYS} AND sv.nps IS NOT NULL GROUP BY sv.account_id"
        ),
    )
)
register(
    Metric(
        "csat",
        _("Customer satisfaction (CSAT 1-5), last 12 months"),
        unit="score",
        sql=(
            f"SELECT sv.account_id, AVG(sv.csat) AS value {_SURVEYS} "
            "AND sv.csat IS NOT NULL GROUP BY sv.account_id"
        ),
    )
)
register(
    Metric(
        "repeat_order_rate",
        _("Repeat-order rate: months with an order %"),
        unit="percent",
        # Months whose order count is unknown are left out, as accounts.measures.repeat_order_rate.
        sql=(
            "SELECT fp.account_id, "
            "100.0 * SUM(CASE WHEN fp.order_count > 0 THEN 1 ELSE 0 END) / COUNT(*) AS value "
            "FROM accounts_financialperiod fp WHERE fp.order_count IS NOT NULL "
            "AND fp.period >= %(recent_start)s AND fp.period < %(month_end)s GROUP BY fp.account_id"
        ),
    )
)
register(
    Metric(
        "share_of_wallet",
        _("Share of wallet %"),
        unit="percent",
        # The current estimate at its date's rate, against trailing-12-month revenue (as the page).
        sql=(
            f"SELECT w.account_id, 100.0 * f.revenue / (w.amount * {_rate('w.currency', 'w.estimated_on')}) "
            f"AS value FROM accounts_walletestimate w JOIN {_FINANCIALS} f ON f.account_id = w.account_id "
            "WHERE w.is_current AND w.amount > 0"
        ),
    )
)
register(
    Metric(
        "relationship_stage",
        _("Relationship stage (1 exploratory … 5 integrated)"),
        unit="stage",
        sql=(
            "SELECT account_id, CASE stage WHEN 'exploratory' THEN 1 WHEN 'basic' THEN 2 "
            "WHEN 'cooperative' THEN 3 WHEN 'interdependent' THEN 4 WHEN 'integrated' THEN 5 END AS value "
            "FROM accounts_relationshipstagechange WHERE is_current"
        ),
    )
)
_INVESTMENT = "(i.kam_time_cost + i.team_time_cost + i.dedicated_resources_cost + i.special_terms_cost)"
register(
    Metric(
        "return_on_investment",
        _("Return on investment %, last four full quarters"),
        unit="percent",
        # (margin after cost-to-serve - investment) / investment, as accounts.measures.return_on_investment.
        sql=(
            "SELECT inv.account_id, 100.0 * (mg.margin - inv.total) / inv.total AS value FROM ("
            f"SELECT i.account_id, SUM({_INVESTMENT} * {_rate('i.currency', 'i.period_start')}) AS total "
            "FROM accounts_accountinvestment i "
            "WHERE i.period_start >= %(quarters_start)s AND i.period_start < %(quarter_end)s "
            "GROUP BY i.account_id) inv JOIN ("
            "SELECT fp.account_id, "
            f"SUM((fp.gross_margin - fp.cost_to_serve) * {_rate('fp.currency', 'fp.period')}) AS margin "
            "FROM accounts_financialperiod fp "
            "WHERE fp.period >= %(quarters_start)s AND fp.period < %(quarter_end)s "
            "AND fp.account_id IN (SELECT account_id FROM accounts_accountinvestment) "
            "GROUP BY fp.account_id) mg ON mg.account_id = inv.account_id WHERE inv.total > 0"
        ),
    )
)
