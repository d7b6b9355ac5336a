"""The formulas of qualification and lifetime value: pure functions on plain values.

No database here: `programme/scoring/engine.py` feeds these functions the figures its SQL aggregates for
every account, and the what-if preview feeds them a proposed set of criteria. Floats inside (100,000
accounts a night); results are rounded when they are stored.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from programme.models.scores import COMPLETENESS_REQUIRED as _COMPLETENESS_REQUIRED
from programme.models.scores import MANUAL_SCORE_STALE_DAYS

# Growth from one year to the next is bounded: a customer that doubled once will not double forever,
# and a tiny base year must not turn into an absurd lifetime value.
GROWTH_BOUNDS = (-0.30, 0.30)
COMPLETENESS_REQUIRED = float(_COMPLETENESS_REQUIRED)
# What a lone account scores by percentile: with nobody to compare against it is in the middle.
LONE_PERCENTILE_SCORE = 5.0


# --- Lifetime value -----------------------------------------------------------------------------


def growth_rate(
    *,
    recent_total: float | None,
    recent_months: int,
    previous_total: float | None,
    previous_months: int,
    bounds: tuple[float, float] = GROWTH_BOUNDS,
) -> float:
    """Yearly growth: the last 12 months' monthly average against the 12 before, bounded.

    Monthly averages, so that a customer with a few months on record is not read as growing wildly.
    No comparable year (no months, or a base that is not positive) means no growth assumed.
    """
    if not recent_months or not previous_months or recent_total is None or previous_total is None:
        return 0.0
    base = previous_total / previous_months
    if base <= 0:
        return 0.0
    growth = (recent_total / recent_months) / base - 1
    return min(max(growth, bounds[0]), bounds[1])


def lifetime_value(
    *,
    margin: float | None,
    cost_to_serve: float | None,
    growth: float,
    retention: float,
    discount_rate: float,
    horizon_years: int,
) -> float | None:
    """CLV = Σ_{t=1..H} (M0 - C0)·(1+g)^t · r^t / (1+d)^t; None without financials (never 0).

    Summed in closed form as a geometric series with ratio q = (1+g)·r/(1+d).
    """
    if margin is None or cost_to_serve is None:
        return None
    yearly = margin - cost_to_serve
    ratio = (1 + growth) * retention / (1 + discount_rate)
    if abs(ratio - 1) < 1e-12:
        return yearly * horizon_years
    return yearly * ratio * (1 - ratio**horizon_years) / (1 - ratio)


def convert(amount: float, rate: float) -> float:
    """An amount in the reporting currency, `rate` being what one unit of its own currency buys."""
    return amount * rate


# --- From metric values to 0-10 -------------------------------------------------------------------


def band_score(value: float | None, bands: Sequence[Sequence[float]]) -> float | None:
    """The score of the highest band whose lower bound `value` reaches; below every band scores 0.

    `bands` are [from, score] pairs in ascending order of `from`, as the champion sets them; a
    lower-is-better metric simply gives its low bands the high scores.
    """
    if value is None or not bands:
        return None
    earned = 0.0
    for lower, score in bands:
        if value >= lower:
            earned = float(score)
        else:
            break
    return earned


def percentile_score(
    value: float | None, population: Sequence[float], *, higher_is_better: bool
) -> float | None:
    """10 times the share of the other accounts that this one beats (ties share the lower rank).

    `population` is every account's value, sorted ascending, this one's included (as SQL's
    PERCENT_RANK computes it).
    """
    if value is None or not population:
        return None
    others = len(population) - 1
    if others == 0:
        return LONE_PERCENTILE_SCORE
    if higher_is_better:
        beaten = bisect.bisect_left(population, value)
    else:
        beaten = len(population) - bisect.bisect_right(population, value)
    return 10.0 * beaten / others


def check_bands(bands) -> list[list[float]]:
    """Bands as the champion may save them: [from, score] pairs, ascending, scores 0-10."""
    if not isinstance(bands, list | tuple):
        raise ValueError("Bands are a list of [from, score] pairs.")
    cleaned: list[list[float]] = []
    for pair in bands:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError("Each band is a pair: [from, score].")
        try:
            lower, score = float(pair[0]), float(pair[1])
        except (TypeError, ValueError) as error:
            raise ValueError("Each band's bound and score must be numbers.") from error
        if not 0 <= score <= 10:
            raise ValueError("A band's score is between 0 and 10.")
        if cleaned and lower <= cleaned[-1][0]:
            raise ValueError("Bands go up: each starts above the one before.")
        cleaned.append([lower, score])
    return cleaned


# --- Manual scores --------------------------------------------------------------------------------


def is_stale(scored_on: date | None, today: date, *, stale_after_days: int = MANUAL_SCORE_STALE_DAYS) -> bool:
    """A KAM's score older than a year no longer says much: it counts as missing until re-scored."""
    return scored_on is not None and scored_on < today - timedelta(days=stale_after_days)


# --- Criteria, groups, overall ----------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionRule:
    """One criterion as the formulas need it (a saved Criterion, or a proposed one in a what-if)."""

    id: int
    group: str
    weight: float
    source: str  # "data" or "manual"
    metric: str = ""
    mapping: str = "percentile"  # or "bands"
    bands: tuple = ()
    higher_is_better: bool = True


def normalise_weights(weights: dict) -> dict:
    """Weights relative within their group, summing to 1; a group whose weights are all 0 weighs nothing."""
    total = sum(max(float(w), 0.0) for w in weights.values())
    if total <= 0:
        return {key: 0.0 for key in weights}
    return {key: max(float(w), 0.0) / total for key, w in weights.items()}


# GroupScore, OverallScore and History are built for every account each night: slotted, not frozen
# (a frozen dataclass pays object.__setattr__ per field).
@dataclass(slots=True)
class GroupScore:
    score: float | None  # 0-100, over the criteria actually scored; None when none is
    completeness: float  # share of the group's weight actually scored, 0-1
    weighed: bool = True  # False when the group has no weight at all (no criteria)


def group_score(scored: Iterable[tuple[float, float | None]]) -> GroupScore:
    """(weight, 0-10 score or None) pairs → 0-100 over what is scored; a missing score is not a zero."""
    total = scored_weight = points = 0.0
    for weight, score in scored:
        weight = max(float(weight), 0.0)
        total += weight
        if score is not None:
            scored_weight += weight
            points += weight * score
    if total <= 0:
        return GroupScore(None, 0.0, weighed=False)
    if scored_weight <= 0:
        return GroupScore(None, 0.0)
    return GroupScore(points / scored_weight * 10, scored_weight / total)


@dataclass(slots=True)
class OverallScore:
    score: float | None
    completeness: float

    @property
    def is_complete(self) -> bool:
        return self.completeness >= COMPLETENESS_REQUIRED - 1e-9


def overall_score(
    attractiveness: GroupScore, relationship: GroupScore, *, attractiveness_share: float
) -> OverallScore:
    """The two groups combined by the programme's share (default 60/40), over what is actually scored.

    Completeness is the share of the whole weight scored; a group with no criteria at all is left out
    of the weighting rather than counted as missing.
    """
    parts = [
        (attractiveness, float(attractiveness_share)),
        (relationship, 1 - float(attractiveness_share)),
    ]
    parts = [(group, share) for group, share in parts if group.weighed and share > 0]
    nominal = sum(share for _group, share in parts)
    if nominal <= 0:
        return OverallScore(None, 0.0)
    covered = sum(share * group.completeness for group, share in parts)
    if covered <= 0:
        return OverallScore(None, 0.0)
    points = sum(
        share * group.completeness * group.score for group, share in parts if group.score is not None
    )
    return OverallScore(points / covered, covered / nominal)


def quadrant(
    attractiveness: float | None,
    relationship: float | None,
    *,
    attractiveness_cutoff: float,
    relationship_cutoff: float,
) -> str:
    """McDonald's 4S: y attractiveness, x relationship strength, each cut at its threshold ('' if unknown)."""
    if attractiveness is None or relationship is None:
        return ""
    high = attractiveness >= float(attractiveness_cutoff)
    strong = relationship >= float(relationship_cutoff)
    if high:
        return "strategic" if strong else "star"
    return "status" if strong else "streamline"


# --- Recommendations with hysteresis --------------------------------------------------------------


@dataclass(slots=True)
class History:
    """An account's earlier snapshots within the recommendation window, summarised."""

    snapshots: int = 0
    scored: int = 0  # snapshots with an overall score (an incomplete one has none to compare)
    lowest: float | None = None
    highest: float | None = None
    first_taken_on: date | None = None  # the account's earliest snapshot of all

    def covers(self, window_start: date) -> bool:
        """History reaches back to the window's start: an account seen for a week proves nothing."""
        return self.first_taken_on is not None and self.first_taken_on <= window_start

    def always_at_or_above(self, threshold: float) -> bool:
        return self.scored == self.snapshots and (self.lowest is None or self.lowest >= threshold)

    def always_below(self, threshold: float) -> bool:
        return self.scored == self.snapshots and (self.highest is None or self.highest < threshold)


@dataclass(frozen=True)
class Thresholds:
    entry: float
    exit: float
    window_days: int = 90


def recommend(
    *,
    status: str,
    overall: OverallScore,
    history: History,
    thresholds: Thresholds,
    today: date,
) -> str:
    """Candidate to add, keep, watch or review for exit, stable against nightly noise.

    A candidate must hold the entry threshold today and in every snapshot of the window; a key
    account must stay under the (lower) exit threshold as long before it is proposed for exit.
    Between the two a key account is on watch, so one bad night moves nothing.
    """
    window_start = today - timedelta(days=thresholds.window_days)
    held = history.covers(window_start)
    score = overall.score
    if status == "candidate":
        if (
            overall.is_complete
            and score is not None
            and score >= thresholds.entry
            and held
            and history.always_at_or_above(thresholds.entry)
        ):
            return "add"
        return "none"
    if status == "key":
        if not overall.is_complete or score is None:
            return "watch"  # it cannot be judged: the KAM has scoring to do
        if score < thresholds.exit and held and history.always_below(thresholds.exit):
            return "review_exit"
        if score < thresholds.entry:
            return "watch"
        return "keep"
    return "none"


# --- One account, all criteria ------------------------------------------------------------------------


@dataclass(frozen=True)
class ManualEntry:
    score: float
    scored_on: date


@dataclass
class AccountResult:
    """Everything a recompute (or a preview) decides for one account."""

    account_id: int
    attractiveness: GroupScore
    relationship: GroupScore
    overall: OverallScore
    quadrant: str
    recommendation: str


def data_scores(
    rule: CriterionRule, values: Sequence[float | None], population: Sequence[float]
) -> list[float | None]:
    """Every account's 0-10 on one criterion scored from data, column-wise (one pass per criterion)."""
    if rule.mapping == "bands":
        bands = rule.bands
        return [band_score(value, bands) for value in values]
    higher = rule.higher_is_better
    return [percentile_score(value, population, higher_is_better=higher) for value in values]


def data_item(value: float | None, score: float | None) -> dict:
    """A data criterion's line in the breakdown the score card shows."""
    return {
        "value": None if value is None else round(value, 4),
        "score": None if score is None else round(score, 2),
        "source": "data",
    }


def manual_item(entry: ManualEntry | None, today: date) -> tuple[float | None, dict]:
    """A criterion scored by hand: its 0-10 (None when missing or stale) and its breakdown line."""
    if entry is None:
        return None, {"value": None, "score": None, "source": "manual"}
    stale = is_stale(entry.scored_on, today)
    score = None if stale else entry.score
    item = {
        "value": entry.score,
        "score": None if score is None else round(score, 2),
        "source": "manual",
        "scored_on": entry.scored_on.isoformat(),
        "stale": stale,
    }
    return score, item


def score_criteria(
    rules: Sequence[CriterionRule],
    *,
    values: dict[str, float | None],
    manual: dict[int, ManualEntry],
    populations: dict[str, Sequence[float]],
    today: date,
) -> tuple[dict[str, list[tuple[float, float | None]]], dict]:
    """Each criterion's 0-10 for one account, grouped, and the breakdown the score card shows."""
    groups: dict[str, list[tuple[float, float | None]]] = {"attractiveness": [], "relationship": []}
    breakdown = {}
    for rule in rules:
        if rule.source == "manual":
            score, item = manual_item(manual.get(rule.id), today)
        else:
            value = values.get(rule.metric)
            (score,) = data_scores(rule, [value], populations.get(rule.metric, ()))
            item = data_item(value, score)
        groups.setdefault(rule.group, []).append((rule.weight, score))
        breakdown[str(rule.id)] = item
    return groups, breakdown
