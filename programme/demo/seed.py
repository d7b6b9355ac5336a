"""The demo programme in one call: people, accounts and their records, then criteria, scores and the
portfolio. What `manage.py seed_demo` runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.db import transaction

from accounts.demo.measures import seed_measures
from accounts.demo.plans import seed_plans
from accounts.demo.records import DemoBuilder, DemoOptions, demo_people, seed_exchange_rates
from accounts.demo.workspace import seed_workspace
from accounts.models import (
    User,
)
from kam.core.bulk_insert import analyze
from programme.demo import criteria as programme_demo
from programme.demo.portfolio import seed_portfolio_demo
from programme.models import Programme


def seed(options: DemoOptions, progress: Callable[[int], None] = lambda n: None) -> dict[str, User]:
    """Create the demo programme; `progress` is told how many accounts each chunk added."""
    people = demo_people()
    programme = Programme.load()
    programme.name = "Northwind Materials key account programme"
    programme.reporting_currency = "EUR"
    programme.save()
    seed_exchange_rates(months=options.months, today=options.today)
    builder = DemoBuilder(options, people)
    for start in _chunks(options.accounts, options.chunk_size):
        with transaction.atomic():
            builder.build_chunk(start, min(start + options.chunk_size, options.accounts))
        progress(min(options.chunk_size, options.accounts - start))
    with transaction.atomic():
        seed_plans(options, people)
    seed_measures(options, people)
    with transaction.atomic():
        seed_workspace(options, people)
    # After everything above, so that the scores see it; the closed review reads the scores.
    programme_demo.seed_scores(today=options.today, seed=options.seed)  # criteria, scores, history
    seed_portfolio_demo(options, people)
    analyze()  # the pages' first queries plan with the loaded data's statistics
    return people


def _chunks(total: int, size: int) -> Iterator[int]:
    return iter(range(0, total, size))
