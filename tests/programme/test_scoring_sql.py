"""The recompute's SQL scoring (programme/scoring/sql.py) against the Python formulas
(programme/scoring/formulas.py, through engine.score_all) on the same gathered figures: percentile
ranks with ties, missing values and lower-is-better, bands, manual scores fresh and stale, group and
overall scores with completeness, CLV, quadrants and recommendations with their history."""

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import ExchangeRate, FinancialPeriod
from programme.models import Programme, ScoreSnapshot
from programme.scoring import engine, formulas
from programme.scoring import sql as scoring_sql
from tests.factories import AccountFactory
from tests.programme.factories import CriterionFactory, ManualScoreFactory, monthly_figures

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)
A, R = "attractiveness", "relationship"


@pytest.fixture
def world(programme):
    ExchangeRate.objects.create(currency="PLN", valid_from=date(2020, 1, 1), rate=Decimal("0.25"))
    criteria = [
        CriterionFactory(group=A, weight=Decimal("2"), metric="revenue_t12m"),
        CriterionFactory(group=A, weight=Decimal("3"), metric="margin_after_cost_to_serve"),
        CriterionFactory(group=A, weight=Decimal("3"), metric="clv"),
        CriterionFactory(group=A, weight=Decimal("1.5"), metric="cost_to_serve_ratio"),  # lower is better
        CriterionFactory(
            group=A, weight=Decimal("1.5"), metric="revenue_growth", mapping="bands",
            bands=[[-100, 0], [-10, 2], [0, 5], [5, 7], [10, 10]],
        ),
        CriterionFactory(
            group=R, weight=Decimal("2"), metric="stakeholders", mapping="bands", bands=[[0, 0], [1, 5]]
        ),
        CriterionFactory(group=R, weight=Decimal("1.5"), by_hand=True),
        CriterionFactory(group=R, weight=Decimal("1"), by_hand=True),
    ]  # fmt: skip
    manual_a, manual_b = criteria[-2], criteria[-1]
    accounts = []
    for i, (revenue, margin, serve, months) in enumerate(
        [
            ("1000", "300", "50", 24),
            ("1000", "300", "50", 24),  # a tie with the first on every figure
            ("2500", "400", "300", 24),
            ("700", "100", "120", 24),  # margin after cost-to-serve below zero
            ("4000", "900", "10", 14),  # a short previous year: growth from monthly averages
            ("3000", "50", "20", 6),  # no previous year at all
            ("900", "333.33", "47.77", 24),
        ]
    ):
        account = AccountFactory(key=i % 3 == 0, currency="PLN" if i == 2 else "EUR")
        monthly_figures(
            account, months=months, until=date(2026, 11, 1), revenue=revenue, margin=margin, serve=serve
        )
        accounts.append(account)
    accounts.append(AccountFactory())  # no figures: missing, not zero
    accounts.append(AccountFactory(key=True))
    # Growth: the last year's months higher than the year before for one account.
    FinancialPeriod.objects.filter(account=accounts[2], period__gte=date(2025, 11, 1)).update(
        revenue=Decimal("2600"), gross_margin=Decimal("430")
    )
    ManualScoreFactory(account=accounts[0], criterion=manual_a, score=Decimal("8"), scored_on=TODAY)
    ManualScoreFactory(
        account=accounts[1], criterion=manual_a, score=Decimal("6.5"), scored_on=date(2025, 1, 1)
    )
    ManualScoreFactory(account=accounts[1], criterion=manual_b, score=Decimal("9"), scored_on=TODAY)
    ManualScoreFactory(account=accounts[3], criterion=manual_b, score=Decimal("2"), scored_on=TODAY)
    # History: one candidate above the entry threshold for the whole window, one key account low.
    for day in range(1, 100):
        ScoreSnapshot.objects.create(
            account=accounts[4], taken_on=TODAY - timedelta(days=day), overall=Decimal("90")
        )
        ScoreSnapshot.objects.create(
            account=accounts[3], taken_on=TODAY - timedelta(days=day), overall=Decimal("10")
        )
    return accounts


def _sql_results(rules, settings):
    """Every account's unrounded SQL figures, by account id."""
    d = scoring_sql.Dialect(connection.vendor)
    values, window, _names = engine.values_sql(rules=rules, settings=settings, today=TODAY)
    ranked = scoring_sql.ranked_sql(values, rules=rules, settings=settings.sql, today=TODAY, d=d)
    scored = scoring_sql.scored_sql(ranked, rules=rules, settings=settings.sql, today=TODAY, d=d)
    try:
        with connection.cursor() as cursor:
            engine._prepare_financials(cursor, window=window, reporting_currency=settings.reporting_currency)
            cursor.execute(scored, window)
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        with connection.cursor() as cursor:
            engine._drop_work_tables(cursor)
    return {row["account_id"]: row for row in rows}


def _close(sql_value, python_value):
    if python_value is None:
        return sql_value is None
    return sql_value is not None and math.isclose(float(sql_value), python_value, rel_tol=1e-12, abs_tol=1e-9)


@pytest.mark.parametrize("share", [0.6, 1.0, 0.0])
def test_sql_ranks_and_weighted_scores_equal_the_python_formulas(world, share):
    settings = engine.ScoringSettings.of(Programme.load(), attractiveness_share=share)
    rules = engine.active_rules()
    sql = _sql_results(rules, settings)
    with engine.tuned_session():
        gathered = engine.gather(rules=rules, settings=settings, today=TODAY)
    with connection.cursor() as cursor:
        engine._drop_work_tables(cursor)
    scored = list(
        engine.score_all(gathered, rules=rules, settings=settings, manual=engine.manual_entries(rules=rules))
    )
    assert len(scored) == len(sql) == len(world)
    # Each criterion's 0-10, as the formulas compute it column by column.
    clvs = engine.clv_figures(gathered, settings)
    for rule in rules:
        if rule.source != "data":
            continue
        values = [f.clv for f in clvs] if rule.metric == "clv" else gathered.floats(rule.metric)
        population = sorted(v for v in values if v is not None)
        expected = formulas.data_scores(rule, values, population)
        for account_id, score in zip(gathered.account_ids, expected, strict=True):
            assert _close(sql[account_id][f"s_{rule.id}"], score), (rule, account_id)
    for item in scored:
        row, result = sql[item.result.account_id], item.result
        assert _close(row["a_score"], result.attractiveness.score)
        assert _close(row["r_score"], result.relationship.score)
        assert _close(row["a_completeness"], result.attractiveness.completeness)
        assert _close(row["r_completeness"], result.relationship.completeness)
        assert _close(row["overall"], result.overall.score)
        assert _close(row["completeness"], result.overall.completeness)
        assert _close(row["clv"], item.clv.clv) and _close(row["growth"], item.clv.growth)
        assert (row["quadrant"], row["recommendation"]) == (result.quadrant, result.recommendation)
    if share == 0.6:  # the world reaches every recommendation, and completeness exactly at the bar
        assert {"add", "review_exit", "watch", "none"} <= {item.result.recommendation for item in scored}
