"""Demo measures: surveys, order counts, wallet estimates, stages, investment, retention changes.

Called once from programme/demo/seed.py after the plans. Every key account gets two years of history,
in a few bulk inserts; Baltic Steel's NPS has just fallen (the KAM's home flags it) and one account
has not been surveyed for over a year, so the flags have something to show.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Sum, Value
from django.db.models.functions import Mod, TruncQuarter
from simple_history.utils import bulk_create_with_history

from accounts.measures import calculations as measures
from accounts.models import (
    Account,
    AccountInvestment,
    FinancialPeriod,
    LifecycleStatus,
    RelationshipStage,
    RelationshipStageChange,
    RetentionEstimateChange,
    Stakeholder,
    Survey,
    WalletEstimate,
    WalletEstimateSource,
)
from kam.core.periods import trailing_twelve_months

if TYPE_CHECKING:
    from accounts.demo.records import DemoOptions
    from accounts.models import User

COMMENTS = [
    "Deliveries on time all quarter.",
    "Quality issue in March handled well.",
    "Price is high compared with the competitor.",
    "The application engineer made the difference.",
    "Too slow to answer quotations.",
    "",
]
STAGE_PATHS = [
    ["exploratory", "basic", "cooperative"],
    ["basic", "cooperative", "interdependent"],
    ["cooperative", "interdependent", "integrated"],
    ["basic", "cooperative"],
    ["exploratory", "basic"],
]
NOT_SURVEYED_FOR_A_YEAR = "Thames Infrastructure"
WALLET_OUT_OF_DATE = "Lyon Chimie"


@transaction.atomic
def seed_measures(options: DemoOptions, people: dict[str, User]) -> None:
    rng, today = random.Random(options.seed + 7), options.today
    _order_counts()
    accounts = list(Account.objects.key_accounts().select_related("kam").order_by("external_id"))
    if not accounts:
        return
    people_at = defaultdict(list)
    for person in Stakeholder.objects.current().filter(account__in=accounts).order_by("-influence", "pk"):
        people_at[person.account_id].append(person)

    surveys = []
    for account in accounts:
        respondents = people_at[account.pk][:4] or [None]
        level = rng.uniform(6.5, 9.3)
        rounds = [today - timedelta(days=d) for d in (700, 520, 340, 160, 20)]
        if account.name == NOT_SURVEYED_FOR_A_YEAR:
            rounds = rounds[:2]
        for n, day in enumerate(rounds):
            # Baltic Steel: the last round falls by three points, the KAM's home will flag it.
            drop = 3 if account.name == "Baltic Steel" and n == len(rounds) - 1 else 0
            for person in respondents:
                answer = max(0, min(10, round(rng.gauss(level - drop, 1.1))))
                surveys.append(
                    Survey(
                        account=account,
                        surveyed_on=day,
                        stakeholder=person,
                        respondent_name=person.name if person else "Purchasing team",
                        nps=answer,
                        csat=max(1, min(5, round(answer / 2))) if rng.random() < 0.8 else None,
                        comment=rng.choice(COMMENTS),
                        entered_by=account.kam,
                    )
                )
    bulk_create_with_history(surveys, Survey)

    start, end = trailing_twelve_months(today)
    revenue = dict(
        FinancialPeriod.objects.filter(account__in=accounts, period__gte=start, period__lt=end)
        .values("account")
        .annotate(total=Sum("revenue"))
        .values_list("account", "total")
    )
    estimates = []
    for account in accounts:
        ours = revenue.get(account.pk) or Decimal(100000)
        older = (ours * Decimal(rng.uniform(1.8, 3.5))).quantize(Decimal(1000))
        newer = (ours * Decimal(rng.uniform(1.5, 3.0))).quantize(Decimal(1000))
        if account.name == WALLET_OUT_OF_DATE:
            newer = (ours * Decimal("0.8")).quantize(Decimal(1000))
        for day, amount, source, current in [
            (today - timedelta(days=420), older, WalletEstimateSource.MARKET_STUDY, False),
            (today - timedelta(days=rng.randint(20, 120)), newer, WalletEstimateSource.CUSTOMER, True),
        ]:
            estimates.append(
                WalletEstimate(
                    account=account,
                    amount=amount,
                    currency=account.currency,
                    estimated_on=day,
                    source=source,
                    entered_by=account.kam,
                    is_current=current,
                )
            )
    WalletEstimate.objects.bulk_create(estimates)

    stages = []
    for index, account in enumerate(accounts):
        path = STAGE_PATHS[index % len(STAGE_PATHS)]
        for n, stage in enumerate(path):
            stages.append(
                RelationshipStageChange(
                    account=account,
                    stage=RelationshipStage(stage),
                    effective_on=today - timedelta(days=200 * (len(path) - n) + rng.randint(0, 60)),
                    note="Agreed at the annual business review" if n else "",
                    set_by=account.kam,
                    is_current=n == len(path) - 1,
                )
            )
    RelationshipStageChange.objects.bulk_create(stages)

    # Investment: a share of each quarter's margin after cost-to-serve, so that returns look plausible.
    quarters = measures.last_full_quarters(today, 8)
    margins = {
        (row["account"], row["quarter"]): row["margin"] - row["serve"]
        for row in FinancialPeriod.objects.filter(account__in=accounts, period__gte=quarters[0])
        .annotate(quarter=TruncQuarter("period"))
        .values("account", "quarter")
        .annotate(margin=Sum("gross_margin"), serve=Sum("cost_to_serve"))
    }
    investments = []
    for account in accounts:
        share = Decimal(rng.uniform(0.15, 0.6))
        for quarter in quarters:
            budget = max(margins.get((account.pk, quarter), Decimal(20000)), Decimal(20000)) * share
            investments.append(
                AccountInvestment(
                    account=account,
                    period_start=quarter,
                    kam_time_cost=(budget * Decimal("0.35")).quantize(Decimal(1)),
                    team_time_cost=(budget * Decimal("0.30")).quantize(Decimal(1)),
                    dedicated_resources_cost=(budget * Decimal("0.20")).quantize(Decimal(1)),
                    special_terms_cost=(budget * Decimal("0.15")).quantize(Decimal(1)),
                    currency=account.currency,
                    entered_by=account.kam,
                )
            )
    bulk_create_with_history(investments, AccountInvestment)

    changes, changed = [], []
    for account in accounts[::3]:
        estimate = Decimal(rng.choice(["0.85", "0.90", "0.75"]))
        changes.append(
            RetentionEstimateChange(
                account=account,
                from_estimate=None,
                to_estimate=estimate,
                reason=rng.choice(
                    ["Three-year framework signed", "Competitor tender announced", "Renewal agreed"]
                ),
                changed_by=account.kam,
            )
        )
        changed.append((account.pk, estimate))
    RetentionEstimateChange.objects.bulk_create(changes)
    for pk, estimate in changed:  # a handful of key accounts
        Account.objects.filter(pk=pk).update(retention_estimate=estimate)


def _order_counts() -> None:
    """Monthly order counts for every account in one UPDATE each: key accounts order more often."""
    key = FinancialPeriod.objects.filter(account__status=LifecycleStatus.KEY)
    key.update(order_count=Mod(F("id") * 7 + F("account_id"), Value(9)))
    FinancialPeriod.objects.exclude(account__status=LifecycleStatus.KEY).update(
        order_count=Mod(F("id") * 5 + F("account_id"), Value(3))
    )
