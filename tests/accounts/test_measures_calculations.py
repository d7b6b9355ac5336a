"""The measures' formulas against numbers worked out by hand (no database)."""

from datetime import date
from decimal import Decimal as D

from accounts.measures import calculations as measures


def test_nps_is_share_of_promoters_minus_share_of_detractors():
    # 10, 9 promoters; 8, 7 passives; 6, 0 detractors: (2 - 2) / 6 = 0
    assert measures.net_promoter_score([10, 9, 8, 7, 6, 0]) == D("0.0")
    # 3 promoters, 1 passive, 1 detractor of 5: (3 - 1) / 5 = +40
    assert measures.net_promoter_score([10, 10, 9, 7, 3]) == D("40.0")
    # 1 promoter of 3, 2 detractors: (1 - 2) / 3 = -33.3
    assert measures.net_promoter_score([9, 5, 6]) == D("-33.3")
    assert measures.net_promoter_score([10]) == D("100.0")
    assert measures.net_promoter_score([0, 6]) == D("-100.0")


def test_nps_of_no_answers_cannot_be_said():
    assert measures.net_promoter_score([]) is None
    assert measures.net_promoter_score([None]) is None


def test_mean_answer_skips_surveys_that_did_not_ask():
    assert measures.mean([4, 5, None, 3]) == D("4.0")
    assert measures.mean([4, 5]) == D("4.5")
    assert measures.mean([]) is None


def test_nps_fell_flags_a_drop_of_two_points_or_more():
    assert measures.nps_fell(D("8.5"), D("6.5"))
    assert measures.nps_fell(D("9"), D("6"))
    assert not measures.nps_fell(D("8.5"), D("6.6"))
    assert not measures.nps_fell(D("6"), D("9"))
    assert not measures.nps_fell(None, D("3"))


def test_survey_older_than_a_year_or_missing_is_stale():
    today = date(2026, 11, 23)
    assert measures.survey_is_stale(None, today)
    assert measures.survey_is_stale(date(2025, 11, 22), today)
    assert not measures.survey_is_stale(date(2025, 11, 23), today)


def test_repeat_order_rate_is_share_of_months_with_an_order():
    # ordered in 9 of 12 months
    counts = [3, 1, 0, 2, 2, 0, 1, 1, 0, 4, 2, 1]
    assert measures.repeat_order_rate(counts) == D("0.7500")
    assert measures.repeat_order_rate([1] * 12) == D("1.0000")
    # one order in the year
    assert measures.repeat_order_rate([0] * 11 + [1]) == D("0.0833")


def test_repeat_order_rate_ignores_months_without_a_known_count():
    assert measures.repeat_order_rate([2, None, 0, None]) == D("0.5000")
    assert measures.repeat_order_rate([None, None]) is None


def test_share_of_wallet_and_headroom():
    # we sell 1.2 M of their 4 M yearly spend: 30 %, 2.8 M still bought from others
    assert measures.share_of_wallet(D("1200000"), D("4000000")) == D("0.3000")
    assert measures.headroom(D("1200000"), D("4000000")) == D("2800000")
    assert not measures.wallet_below_our_revenue(D("1200000"), D("4000000"))


def test_wallet_smaller_than_our_revenue_is_flagged_and_leaves_no_headroom():
    assert measures.share_of_wallet(D("500"), D("400")) == D("1.2500")
    assert measures.headroom(D("500"), D("400")) == D("0")
    assert measures.wallet_below_our_revenue(D("500"), D("400"))


def test_share_of_wallet_without_an_estimate_cannot_be_said():
    assert measures.share_of_wallet(D("500"), None) is None
    assert measures.share_of_wallet(D("500"), D("0")) is None
    assert measures.headroom(None, D("400")) is None


def test_return_on_investment_is_margin_after_cost_to_serve_less_investment_over_investment():
    # margin after cost-to-serve 300 k, invested 120 k: (300 - 120) / 120 = 1.5
    assert measures.return_on_investment(D("300000"), D("120000")) == D("1.5000")
    # the account does not pay back what we put in: (90 - 120) / 120 = -0.25
    assert measures.return_on_investment(D("90000"), D("120000")) == D("-0.2500")
    assert measures.return_on_investment(D("90000"), D("0")) is None
    assert measures.return_on_investment(None, D("10")) is None


def test_clv_per_unit_of_investment():
    # CLV 1.8 M against 120 k a year
    assert measures.clv_to_investment(D("1800000"), D("120000")) == D("15.0000")
    assert measures.clv_to_investment(D("1800000"), None) is None


def test_programme_retention_is_share_of_last_years_key_accounts_still_key():
    # 4 key last year; 3 of them still key; 2 new ones do not count
    assert measures.key_account_retention({1, 2, 3, 4}, {1, 2, 4, 7, 8}) == D("0.7500")
    assert measures.key_account_retention(set(), {1}) is None


def test_candidates_revenue_retained_caps_growth_per_account():
    previous = {1: D("100"), 2: D("200"), 3: D("100")}
    # 1 grew to 150 (counts 100), 2 fell to 50, 3 was lost: (100 + 50 + 0) / 400 = 0.375
    current = {1: D("150"), 2: D("50")}
    assert measures.revenue_retained(previous, current) == D("0.3750")
    assert measures.revenue_retained({}, current) is None


def test_last_full_quarters_end_before_the_current_one():
    assert measures.last_full_quarters(date(2026, 11, 23), 4) == [
        date(2025, 10, 1),
        date(2026, 1, 1),
        date(2026, 4, 1),
        date(2026, 7, 1),
    ]
    assert measures.quarter_start(date(2026, 3, 31)) == date(2026, 1, 1)
