"""The programme's measures as pure functions on plain values: no database, no request.

Selectors and the nightly scoring feed them numbers; the tests check them against hand-worked
figures. None means "cannot be said" (no answers, no estimate, nothing invested), never zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from kam.core.periods import add_months

ONE_DECIMAL = Decimal("0.1")
RATIO = Decimal("0.0001")
# An NPS answer of 9-10 is a promoter, 0-6 a detractor (Reichheld); 7-8 are passives.
PROMOTER_FROM = 9
DETRACTOR_TO = 6
# The KAM's home flags an account whose NPS answers fell by this many points (0-10 scale).
NPS_FALL_FLAG = Decimal("2")
SURVEY_STALE_DAYS = 365


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal:
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO, rounding=ROUND_HALF_UP)


# --- satisfaction ------------------------------------------------------------------------------------


def net_promoter_score(answers: Iterable[int]) -> Decimal | None:
    """% promoters (9-10) - % detractors (0-6) of a set of 0-10 answers: -100 … +100."""
    answers = [a for a in answers if a is not None]
    if not answers:
        return None
    promoters = sum(1 for a in answers if a >= PROMOTER_FROM)
    detractors = sum(1 for a in answers if a <= DETRACTOR_TO)
    return nps_from_counts(promoters, detractors, len(answers))


def nps_from_counts(promoters: int, detractors: int, answers: int) -> Decimal | None:
    """The same score from counts, as SQL aggregates them."""
    if not answers:
        return None
    return (Decimal(promoters - detractors) * 100 / answers).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def mean(values: Iterable[int | Decimal | None]) -> Decimal | None:
    """The average of the answers given (CSAT 1-5, or NPS answers 0-10), to one decimal."""
    values = [Decimal(v) for v in values if v is not None]
    if not values:
        return None
    return (sum(values) / len(values)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def nps_fell(previous_mean: Decimal | None, latest_mean: Decimal | None) -> bool:
    """True when the latest survey round's mean NPS answer is 2 or more points below the previous one's."""
    if previous_mean is None or latest_mean is None:
        return False
    return previous_mean - latest_mean >= NPS_FALL_FLAG


def survey_is_stale(last_surveyed_on: date | None, today: date) -> bool:
    """No survey at all, or the last one is more than a year old: the KAM should ask again."""
    return last_surveyed_on is None or (today - last_surveyed_on).days > SURVEY_STALE_DAYS


# --- orders ------------------------------------------------------------------------------------------


def repeat_order_rate(monthly_order_counts: Iterable[int | None]) -> Decimal | None:
    """Share of the months on record in which the customer ordered (again): 1.0 orders every month.

    Months whose order count is unknown (None) are left out rather than counted as no order.
    """
    known = [count for count in monthly_order_counts if count is not None]
    if not known:
        return None
    return _ratio(sum(1 for count in known if count > 0), len(known))


# --- share of wallet ---------------------------------------------------------------------------------


def share_of_wallet(our_revenue: Decimal | None, wallet: Decimal | None) -> Decimal | None:
    """Our trailing-12-month revenue / the customer's yearly spend in our categories (above 1 is flagged)."""
    if our_revenue is None or not wallet:
        return None
    return _ratio(max(our_revenue, Decimal(0)), wallet)


def headroom(our_revenue: Decimal | None, wallet: Decimal | None) -> Decimal | None:
    """What the customer spends in our categories with others: the room left to grow into."""
    if our_revenue is None or wallet is None:
        return None
    return max(wallet - max(our_revenue, Decimal(0)), Decimal(0))


def wallet_below_our_revenue(our_revenue: Decimal | None, wallet: Decimal | None) -> bool:
    """An estimate smaller than what they already buy from us is allowed, but probably out of date."""
    return our_revenue is not None and wallet is not None and wallet < our_revenue


# --- investment and return ---------------------------------------------------------------------------


def return_on_investment(
    margin_after_cost_to_serve: Decimal | None, investment: Decimal | None
) -> Decimal | None:
    """(margin after cost-to-serve - investment) / investment, same period; None if nothing invested."""
    if margin_after_cost_to_serve is None or not investment:
        return None
    return _ratio(margin_after_cost_to_serve - investment, investment)


def clv_to_investment(clv: Decimal | None, yearly_investment: Decimal | None) -> Decimal | None:
    """Lifetime value per unit of a year's investment: what the account is worth as an asset we invest in."""
    if clv is None or not yearly_investment:
        return None
    return _ratio(clv, yearly_investment)


# --- retention ---------------------------------------------------------------------------------------


def key_account_retention(key_a_year_ago: Iterable[int], key_now: Iterable[int]) -> Decimal | None:
    """Share of last year's key accounts that are still key today."""
    before = set(key_a_year_ago)
    if not before:
        return None
    return _ratio(len(before & set(key_now)), len(before))


def revenue_retained(previous: Mapping[int, Decimal], current: Mapping[int, Decimal]) -> Decimal | None:
    """Share of a group's revenue of the year before kept this year: Σ min(now, then) / Σ then.

    Capped per account (gross retention), so that one customer's growth does not hide another's loss.
    """
    base = {k: v for k, v in previous.items() if v and v > 0}
    if not base:
        return None
    kept = sum((min(max(current.get(k) or Decimal(0), Decimal(0)), v) for k, v in base.items()), Decimal(0))
    return _ratio(kept, sum(base.values(), Decimal(0)))


# --- quarters, for trends and investment -------------------------------------------------------------


def quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def last_full_quarters(today: date, count: int) -> list[date]:
    """The first days of the `count` full quarters before today's, oldest first."""
    current = quarter_start(today)
    return [add_months(current, -3 * n) for n in range(count, 0, -1)]
