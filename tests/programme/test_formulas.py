"""The formulas, against numbers worked out by hand (no database)."""

from datetime import date, timedelta

import pytest

from programme.scoring import formulas as scoring
from programme.scoring.formulas import (
    CriterionRule,
    GroupScore,
    History,
    ManualEntry,
    OverallScore,
    Thresholds,
)

TODAY = date(2026, 11, 23)


# --- Lifetime value ---------------------------------------------------------------------------


def clv(**overrides):
    inputs = {
        "margin": 1000.0,
        "cost_to_serve": 200.0,
        "growth": 0.0,
        "retention": 0.8,
        "discount_rate": 0.1,
        "horizon_years": 3,
    }
    return scoring.lifetime_value(**{**inputs, **overrides})


def test_clv_one_year_is_margin_after_cost_to_serve_kept_and_discounted():
    # 800 · 0.8 / 1.1
    assert clv(horizon_years=1) == pytest.approx(581.818, abs=0.001)


def test_clv_three_years_without_growth_matches_the_sum_worked_by_hand():
    # 800 · (8/11 + 64/121 + 512/1331) = 800 · 1.640872
    assert clv() == pytest.approx(1312.70, abs=0.01)


def test_clv_with_growth_compounds_it_each_year():
    # q = 1.05 · 0.9 / 1.1 = 0.859091; 800 · (q + q²) = 800 · 1.597128
    assert clv(growth=0.05, retention=0.9, horizon_years=2) == pytest.approx(1277.70, abs=0.01)


def test_clv_with_no_growth_and_a_long_horizon_is_gupta_lehmann_within_a_tenth_of_a_percent():
    m, r, d = 800.0, 0.8, 0.1
    assert clv(horizon_years=200) == pytest.approx(m * r / (1 + d - r), rel=0.001)


def test_clv_when_growth_cancels_discounting_is_margin_times_horizon():
    assert clv(growth=0.1, retention=1.0, horizon_years=4) == pytest.approx(3200.0)


def test_no_financials_means_no_lifetime_value_not_zero():
    assert clv(margin=None, cost_to_serve=None) is None


def test_a_loss_making_customer_has_a_negative_lifetime_value():
    assert clv(margin=100.0, cost_to_serve=300.0, horizon_years=1) < 0


def growth(recent, recent_months, previous, previous_months):
    return scoring.growth_rate(
        recent_total=recent,
        recent_months=recent_months,
        previous_total=previous,
        previous_months=previous_months,
    )


def test_growth_compares_monthly_averages_and_is_bounded():
    assert scoring.growth_rate(
        recent_total=1200, recent_months=12, previous_total=1000, previous_months=12
    ) == (pytest.approx(0.2))
    # Six months on record last year at 100 a month, 110 a month now: 10 %, not 120 %.
    assert scoring.growth_rate(
        recent_total=1320, recent_months=12, previous_total=600, previous_months=6
    ) == (pytest.approx(0.1))
    assert growth(5000, 12, 100, 12) == 0.30
    assert growth(10, 12, 1000, 12) == -0.30


def test_growth_without_a_comparable_year_is_assumed_zero():
    assert growth(1000, 12, None, 0) == 0
    assert growth(1000, 12, -50, 12) == 0


def test_currency_conversion_multiplies_by_the_rate_to_the_reporting_currency():
    assert scoring.convert(1000.0, 0.25) == 250.0


# --- Bands and percentiles -------------------------------------------------------------------


def test_bands_give_the_score_of_the_highest_band_reached():
    bands = [[0, 2], [100, 5], [500, 8], [1000, 10]]
    assert scoring.band_score(99.99, bands) == 2
    assert scoring.band_score(100, bands) == 5
    assert scoring.band_score(700, bands) == 8
    assert scoring.band_score(10**9, bands) == 10
    assert scoring.band_score(-1, bands) == 0
    assert scoring.band_score(None, bands) is None


def test_bands_for_lower_is_better_give_low_values_high_scores():
    days_to_pay = [[0, 10], [30, 7], [60, 3], [90, 0]]
    assert scoring.band_score(25, days_to_pay) == 10
    assert scoring.band_score(75, days_to_pay) == 3


def test_bands_must_go_up_with_scores_between_0_and_10():
    assert scoring.check_bands([[0, 1], ["5", "4"]]) == [[0.0, 1.0], [5.0, 4.0]]
    for bad in ([[5, 1], [5, 2]], [[0, 11]], [[0]], "x", [["a", 1]]):
        with pytest.raises(ValueError):
            scoring.check_bands(bad)


def test_percentile_is_the_share_of_other_accounts_beaten():
    population = sorted([10.0, 20.0, 30.0, 40.0, 50.0])
    assert scoring.percentile_score(50.0, population, higher_is_better=True) == 10.0
    assert scoring.percentile_score(10.0, population, higher_is_better=True) == 0.0
    assert scoring.percentile_score(30.0, population, higher_is_better=True) == 5.0
    assert scoring.percentile_score(10.0, population, higher_is_better=False) == 10.0
    assert scoring.percentile_score(40.0, population, higher_is_better=False) == 2.5


def test_percentile_ties_share_the_lower_rank():
    population = [1.0, 2.0, 2.0, 2.0, 3.0]
    assert scoring.percentile_score(2.0, population, higher_is_better=True) == 2.5
    assert scoring.percentile_score(2.0, population, higher_is_better=False) == 2.5


def test_percentile_of_a_missing_value_is_missing():
    assert scoring.percentile_score(None, [1.0, 2.0], higher_is_better=True) is None


# --- Weights, groups, completeness -------------------------------------------------------------


def test_weights_are_normalised_within_their_group():
    assert scoring.normalise_weights({"a": 3, "b": 1}) == {"a": 0.75, "b": 0.25}
    assert scoring.normalise_weights({"a": 0, "b": 0}) == {"a": 0.0, "b": 0.0}


def test_group_score_is_the_weighted_mean_over_what_is_scored_on_0_to_100():
    group = scoring.group_score([(3, 8.0), (1, 4.0)])
    assert group.score == pytest.approx(70.0)
    assert group.completeness == 1.0


def test_a_missing_score_is_not_a_zero_it_lowers_completeness():
    group = scoring.group_score([(3, 8.0), (1, None)])
    assert group.score == pytest.approx(80.0)
    assert group.completeness == pytest.approx(0.75)
    assert scoring.group_score([(1, None)]) == GroupScore(None, 0.0)


def test_overall_combines_groups_sixty_forty():
    attractiveness, relationship = GroupScore(80.0, 1.0), GroupScore(30.0, 1.0)
    overall = scoring.overall_score(attractiveness, relationship, attractiveness_share=0.6)
    assert overall.score == pytest.approx(60.0)  # 0.6·80 + 0.4·30
    assert overall.completeness == 1.0 and overall.is_complete


def test_overall_completeness_is_the_share_of_all_weight_scored():
    # Attractiveness fully scored, relationship half: 0.6·1 + 0.4·0.5 = 0.8
    overall = scoring.overall_score(GroupScore(50.0, 1.0), GroupScore(100.0, 0.5), attractiveness_share=0.6)
    assert overall.completeness == pytest.approx(0.8)
    assert overall.score == pytest.approx((0.6 * 50 + 0.2 * 100) / 0.8)


def test_an_account_scored_on_less_than_sixty_percent_of_the_weight_is_incomplete():
    overall = scoring.overall_score(GroupScore(None, 0.0), GroupScore(90.0, 1.0), attractiveness_share=0.6)
    assert overall.completeness == pytest.approx(0.4)
    assert not overall.is_complete
    assert overall.score == pytest.approx(90.0)


def test_a_group_without_criteria_is_left_out_not_counted_missing():
    no_criteria = scoring.group_score([])
    overall = scoring.overall_score(GroupScore(70.0, 1.0), no_criteria, attractiveness_share=0.6)
    assert (overall.score, overall.completeness) == (pytest.approx(70.0), 1.0)


# --- Manual scores -----------------------------------------------------------------------------


def rules():
    return [
        CriterionRule(id=1, group="attractiveness", weight=2, source="data", metric="revenue"),
        CriterionRule(
            id=2, group="attractiveness", weight=1, source="data", metric="days", mapping="bands",
            bands=((0, 10), (30, 6), (60, 2)), higher_is_better=False,
        ),
        CriterionRule(id=3, group="relationship", weight=1, source="manual"),
    ]  # fmt: skip


def test_a_manual_score_older_than_a_year_is_stale_and_counts_as_missing():
    assert scoring.is_stale(TODAY - timedelta(days=366), TODAY)
    assert not scoring.is_stale(TODAY - timedelta(days=365), TODAY)
    groups, breakdown = scoring.score_criteria(
        rules(),
        values={"revenue": 5.0, "days": 45},
        manual={3: ManualEntry(9.0, TODAY - timedelta(days=400))},
        populations={"revenue": [1.0, 5.0, 9.0]},
        today=TODAY,
    )
    assert groups["relationship"] == [(1, None)]
    assert breakdown["3"] == {
        "value": 9.0,
        "score": None,
        "source": "manual",
        "scored_on": "2025-10-19",
        "stale": True,
    }


def test_criteria_are_scored_by_percentile_bands_or_hand_and_kept_in_the_breakdown():
    groups, breakdown = scoring.score_criteria(
        rules(),
        values={"revenue": 5.0, "days": 45},
        manual={3: ManualEntry(7.0, TODAY)},
        populations={"revenue": [1.0, 5.0, 9.0]},
        today=TODAY,
    )
    assert groups == {"attractiveness": [(2, 5.0), (1, 6.0)], "relationship": [(1, 7.0)]}
    assert breakdown["1"] == {"value": 5.0, "score": 5.0, "source": "data"}
    assert breakdown["3"]["stale"] is False


def test_a_manual_criterion_never_scored_is_missing():
    groups, breakdown = scoring.score_criteria(rules(), values={}, manual={}, populations={}, today=TODAY)
    assert groups["relationship"] == [(1, None)]
    assert breakdown["3"] == {"value": None, "score": None, "source": "manual"}


# --- Quadrants ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attractiveness", "relationship", "expected"),
    [
        (50, 50, "strategic"),  # on the cut-off counts as high
        (80, 20, "star"),
        (20, 80, "status"),
        (49.99, 49.99, "streamline"),
        (None, 80, ""),
    ],
)
def test_quadrants_cut_at_the_programme_thresholds(attractiveness, relationship, expected):
    assert (
        scoring.quadrant(attractiveness, relationship, attractiveness_cutoff=50, relationship_cutoff=50)
        == expected
    )


# --- Recommendations with hysteresis -------------------------------------------------------------

THRESHOLDS = Thresholds(entry=65, exit=45, window_days=90)
LONG_AGO = TODAY - timedelta(days=120)


def recommend(status, score, history, complete=True):
    overall = OverallScore(score, 1.0 if complete else 0.5)
    return scoring.recommend(
        status=status, overall=overall, history=history, thresholds=THRESHOLDS, today=TODAY
    )


def history_of(scores, first=LONG_AGO):
    scored = [s for s in scores if s is not None]
    return History(
        snapshots=len(scores), scored=len(scored), lowest=min(scored, default=None),
        highest=max(scored, default=None), first_taken_on=first,
    )  # fmt: skip


def test_candidate_above_entry_in_every_snapshot_of_the_window_is_proposed_for_entry():
    assert recommend("candidate", 70, history_of([66, 70, 80] * 30)) == "add"


def test_candidate_that_dipped_once_below_entry_is_not_proposed():
    assert recommend("candidate", 70, history_of([66, 70, 64.9] + [70] * 87)) == "none"


def test_candidate_seen_for_less_than_the_window_is_not_proposed_yet():
    assert recommend("candidate", 90, history_of([90] * 10, first=TODAY - timedelta(days=10))) == "none"


def test_incomplete_candidate_is_never_proposed():
    assert recommend("candidate", 90, history_of([90] * 90), complete=False) == "none"


def test_a_snapshot_without_a_score_breaks_the_streak():
    assert recommend("candidate", 90, history_of([90] * 89 + [None])) == "none"


def test_key_account_below_exit_in_every_snapshot_is_proposed_for_review_for_exit():
    assert recommend("key", 40, history_of([44, 30, 40] * 30)) == "review_exit"


def test_key_account_below_exit_only_lately_is_on_watch_not_out():
    assert recommend("key", 40, history_of([50] * 60 + [40] * 30)) == "watch"


def test_key_account_between_exit_and_entry_is_on_watch():
    assert recommend("key", 55, history_of([55] * 90)) == "watch"


def test_key_account_above_entry_is_kept():
    assert recommend("key", 65, history_of([40] * 90)) == "keep"


def test_incomplete_key_account_is_on_watch():
    assert recommend("key", 90, history_of([90] * 90), complete=False) == "watch"


def test_nightly_noise_around_a_threshold_does_not_make_an_account_flap():
    # A candidate hovering at the entry line, night after night: never proposed.
    scores, seen = [], set()
    for night in range(200):
        score = 65 + (3 if night % 2 else -3)
        seen.add(recommend("candidate", score, history_of(scores[-90:] or [score])))
        scores.append(score)
    assert seen == {"none"}


def test_exited_accounts_get_no_recommendation():
    assert recommend("exited", 99, history_of([99] * 90)) == "none"
