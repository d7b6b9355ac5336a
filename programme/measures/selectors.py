"""Programme-wide measures read from the figures the nightly recompute stores on each score row."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least

from accounts.measures import calculations as measures
from accounts.models import LifecycleStatus
from programme.models import AccountScore

MONEY = DecimalField(max_digits=18, decimal_places=2)


def stored_retention() -> tuple[Decimal | None, Decimal | None]:
    """(Share of last year's key accounts still key, share of last year's candidates' revenue kept),
    as accounts.measures.selectors.programme_retention defines them, from the score rows (the status a
    year before the last recompute, the two years' revenue in the reporting currency at each month's
    rate): one aggregate over the score table instead of every account's lifecycle and months."""
    zero = Value(Decimal(0), output_field=MONEY)
    was_candidate = Q(status_a_year_ago=LifecycleStatus.CANDIDATE, previous_t12m_revenue__gt=0)
    # Capped per account, as measures.revenue_retained caps it: growth does not hide a loss.
    kept = Least(Greatest(Coalesce("t12m_revenue", zero), zero), F("previous_t12m_revenue"))
    totals = AccountScore.objects.filter(account__archived_at__isnull=True).aggregate(
        key_then=Count("pk", filter=Q(status_a_year_ago=LifecycleStatus.KEY)),
        key_still=Count(
            "pk", filter=Q(status_a_year_ago=LifecycleStatus.KEY, account__status=LifecycleStatus.KEY)
        ),
        before=Sum("previous_t12m_revenue", filter=was_candidate, output_field=MONEY),
        kept=Sum(kept, filter=was_candidate, output_field=MONEY),
    )
    # The rule wants the accounts; only how many there are matters to it.
    key_share = measures.key_account_retention(range(totals["key_then"]), range(totals["key_still"]))
    before = {0: totals["before"]} if totals["before"] else {}
    return key_share, measures.revenue_retained(before, {0: totals["kept"] or Decimal(0)})
