"""Demo scoring: the default criteria, the KAMs' manual scores, and ~120 days of history to trend on.

Called with one line from `accounts.demo.seed`; `seed_criteria` is also what the benchmark uses.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.demo.records import KEY_ACCOUNT_NAMES, KEY_ACCOUNT_STORIES
from accounts.models import Account
from accounts.stakeholders.relationships import CONTACT_WINDOW_DAYS
from kam.core.bulk_insert import insert_rows
from programme.models import (
    AccountScore,
    Criterion,
    CriterionGroup,
    ManualScore,
    Programme,
    RecomputeRun,
    RecomputeTrigger,
    ScoreMapping,
    ScoreSnapshot,
    ScoringSource,
)
from programme.scoring import engine
from programme.scoring import formulas as scoring

A, R = CriterionGroup.ATTRACTIVENESS, CriterionGroup.RELATIONSHIP
PERCENTILE, BANDS = ScoreMapping.PERCENTILE, ScoreMapping.BANDS
# The factors the source articles name (DOMAIN.md, "Qualification criterion"), six a group.
# (name, group, weight, metric or "" for by hand, mapping, bands, description)
DEFAULT_CRITERIA = [
    ("Sales value", A, "2", "revenue_t12m", PERCENTILE, [], "Turnover compared with other customers."),
    ("Profit after cost-to-serve", A, "3", "margin_after_cost_to_serve", PERCENTILE, [],
     "What the customer leaves us once served: profit per customer, not revenue."),
    ("Lifetime value", A, "3", "clv", PERCENTILE, [], "Margin-based CLV over the programme's horizon."),
    ("Sales potential", A, "1.5", "revenue_growth", BANDS,
     [[-100, 0], [-10, 2], [0, 5], [5, 7], [10, 10]], "Growth year on year, %."),
    ("Payment behaviour", A, "1", "days_to_pay", BANDS,
     [[0, 10], [30, 8], [45, 6], [60, 3], [90, 0]], "Average days to pay: lower is better."),
    ("Reference or strategic value", A, "1.5", "", PERCENTILE, [],
     "Opens a new market, a reference name, a technology partner: the KAM judges."),
    ("People we meet", R, "2", "active_contacts_90d", BANDS,
     [[0, 0], [1, 3], [3, 6], [5, 8], [8, 10]],
     f"Their people we met in the last {CONTACT_WINDOW_DAYS} days."),
    ("Decision makers covered", R, "2", "decision_makers_covered", BANDS,
     [[0, 0], [1, 5], [2, 8], [3, 10]], "Decision makers and economic buyers we have a relationship with."),
    ("Decision makers on our side", R, "2", "decision_makers_favourable", BANDS,
     [[0, 0], [25, 3], [50, 6], [75, 8], [100, 10]], "Share of decision makers neutral or better, %."),
    ("Competitor's relations", R, "1.5", "", PERCENTILE, [],
     "How weak the competitor's relations are with their people (10: no competitor in sight)."),
    ("Our image with them", R, "1", "", PERCENTILE, [], "How they speak of us."),
    ("Probability of winning and keeping them", R, "1.5", "", PERCENTILE, [],
     "The KAM's judgement of the relationship's future."),
]  # fmt: skip
BACKFILL_DAYS = 120
# Beyond this many accounts only key accounts and the best candidates get a backfilled history.
BACKFILL_ALL_UP_TO = 2000
BACKFILL_CANDIDATES = 300
JUSTIFICATIONS = [
    "Reference customer in their home market",
    "Met the board at the trade fair; warm",
    "Competitor lost their tender last year",
    "New CEO, relationship to rebuild",
    "Long-standing partner, speaks well of us",
]


def seed_criteria() -> list[Criterion]:
    """The default criteria, added if missing (idempotent)."""
    criteria = []
    for position, (name, group, weight, metric, mapping, bands, description) in enumerate(DEFAULT_CRITERIA):
        criterion, _created = Criterion.objects.get_or_create(
            name=name,
            defaults={
                "group": group,
                "weight": Decimal(weight),
                "source": ScoringSource.DATA if metric else ScoringSource.MANUAL,
                "metric": metric,
                "mapping": mapping,
                "bands": bands,
                "description": description,
                "position": position,
            },
        )
        criteria.append(criterion)
    return criteria


# What the KAMs give by hand, by how warm the account's people are to us (accounts.demo.WARMTH).
MANUAL_SCORE_RANGE = {"warm": (4, 10), "cool": (3, 6), "cold": (1, 4)}


def seed_scores(*, today: date, seed: int = 2026) -> None:
    """Criteria, manual scores for the key accounts, a recompute, history behind it, and a final recompute."""
    rng = random.Random(seed)
    warmth = {KEY_ACCOUNT_NAMES[index][0]: story[-1] for index, story in KEY_ACCOUNT_STORIES.items()}
    criteria = [c for c in seed_criteria() if c.source == ScoringSource.MANUAL]
    with transaction.atomic():
        rows = []
        for account in Account.objects.key_accounts().exclude(kam=None).order_by("pk"):
            low, high = MANUAL_SCORE_RANGE[warmth.get(account.name, "warm")]
            for criterion in criteria:
                # One in five scores is over a year old, so the card's stale flag shows.
                age = rng.choice([10, 40, 90, 200, 400])
                rows.append(
                    ManualScore(
                        account=account,
                        criterion=criterion,
                        score=Decimal(rng.randint(low, high)),
                        justification=rng.choice(JUSTIFICATIONS),
                        scored_by_id=account.kam_id,
                        scored_on=today - timedelta(days=age),
                    )
                )
        ManualScore.objects.bulk_create(rows, ignore_conflicts=True)
    engine.recompute_scores(run=_seed_run(), today=today)
    backfill_history(today=today, rng=rng)
    engine.recompute_scores(run=_seed_run(), today=today)


def _seed_run() -> RecomputeRun:
    return RecomputeRun.objects.create(started_at=timezone.now(), trigger=RecomputeTrigger.SEED)


def backfill_history(*, today: date, rng: random.Random) -> None:
    """Daily snapshots for the last BACKFILL_DAYS days, drifting towards today's figures.

    A few key accounts slide (were stronger before), so the matrix and the watch list have a story.
    """
    programme = Programme.load()
    scores = AccountScore.objects.select_related("account").order_by("-overall")
    if scores.count() > BACKFILL_ALL_UP_TO:
        key = scores.filter(account__status="key")
        candidates = scores.filter(account__status="candidate")[:BACKFILL_CANDIDATES]
        scores = list(key) + list(candidates)
    ScoreSnapshot.objects.filter(
        taken_on__lt=today, taken_on__gte=today - timedelta(days=BACKFILL_DAYS)
    ).delete()
    rows = []
    for score in scores:
        sliding = score.account.status == "key" and score.quadrant in ("streamline", "status")
        drift = rng.uniform(-6, 6)  # how much higher it was BACKFILL_DAYS ago
        if sliding:  # one served at a loss has been sliding for longer: it was already low in the window
            losing = (score.clv_margin or 0) < (score.clv_cost_to_serve or 0)
            drift = 8.0 if losing else 18.0
        clv_drift = rng.uniform(-0.15, 0.1)
        for day in range(1, BACKFILL_DAYS + 1):
            share = day / BACKFILL_DAYS

            def past(value, spread=1.5, share=share, drift=drift):
                if value is None:
                    return None
                return min(100.0, max(0.0, float(value) + drift * share + rng.uniform(-spread, spread)))

            attractiveness, relationship, overall = (
                past(score.attractiveness),
                past(score.relationship),
                past(score.overall),
            )
            clv = None if score.clv is None else float(score.clv) * (1 + clv_drift * share)
            rows.append(
                (
                    score.account_id,
                    today - timedelta(days=day),
                    _fixed(attractiveness, 2),
                    _fixed(relationship, 2),
                    _fixed(overall, 2),
                    score.attractiveness_completeness,
                    score.relationship_completeness,
                    score.completeness,
                    _fixed(clv, 2),
                    scoring.quadrant(
                        attractiveness,
                        relationship,
                        attractiveness_cutoff=float(programme.attractiveness_cutoff),
                        relationship_cutoff=float(programme.relationship_cutoff),
                    ),
                    "none",
                    "{}",
                )
            )
    columns = [
        "account_id", "taken_on", "attractiveness", "relationship", "overall",
        "attractiveness_completeness", "relationship_completeness", "completeness", "clv",
        "quadrant", "recommendation", "breakdown",
    ]  # fmt: skip
    for start in range(0, len(rows), 20000):
        insert_rows(ScoreSnapshot, columns, rows[start : start + 20000])


def _fixed(value: float | None, places: int) -> str | None:
    return None if value is None else f"{value:.{places}f}"
