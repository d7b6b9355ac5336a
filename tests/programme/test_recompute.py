"""The recompute for all accounts: figures in the database, idempotent, all or nothing, one at a time."""

from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ExchangeRate
from programme.models import AccountScore, ManualScore, RecomputeRun, RecomputeStatus, ScoreSnapshot
from programme.scoring import engine, what_if
from tests.factories import AccountFactory
from tests.programme.factories import CriterionFactory, ManualScoreFactory, monthly_figures

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


@pytest.fixture
def world(programme):
    """Three accounts: one in EUR, one in PLN (0.25 EUR), one without figures; revenue and a manual score."""
    eur = AccountFactory(name="Euro Steel", currency="EUR")
    pln = AccountFactory(name="Polska Stal", currency="PLN", key=True)
    bare = AccountFactory(name="No Figures")
    ExchangeRate.objects.create(currency="PLN", valid_from=date(2020, 1, 1), rate=Decimal("0.25"))
    monthly_figures(eur)
    monthly_figures(pln)
    revenue = CriterionFactory(name="Revenue", weight=Decimal("3"))
    manual = CriterionFactory(name="Reference value", by_hand=True)
    ManualScoreFactory(account=eur, criterion=manual, score=Decimal("8"), scored_on=TODAY)
    return {"eur": eur, "pln": pln, "bare": bare, "revenue": revenue, "manual": manual}


def test_the_recompute_and_the_what_if_run_with_every_query_logged_as_in_development(world):
    """`bin/dev` runs with DEBUG on, where Django logs each query with its parameters filled in: a
    literal percent sign in the SQL (SQLite's printf) broke that and stopped the demo from loading."""
    with CaptureQueriesContext(connection) as logged:
        engine.recompute_scores(today=TODAY)
        saved = what_if.saved_side()
        what_if.preview(current=saved, proposed=saved)
    assert AccountScore.objects.count() == 3 and len(logged) > 10


def test_lifetime_value_is_computed_in_the_reporting_currency_with_its_inputs(world):
    engine.recompute_scores(today=TODAY)
    eur = AccountScore.objects.get(account=world["eur"])
    pln = AccountScore.objects.get(account=world["pln"])
    # M0 = 12 · 300, C0 = 12 · 50; flat year: g = 0; r = 0.8, d = 0.1, H = 5 (programme defaults)
    q = 0.8 / 1.1
    expected = 3000 * q * (1 - q**5) / (1 - q)
    assert float(eur.clv) == pytest.approx(expected, abs=0.01)
    assert (eur.clv_margin, eur.clv_cost_to_serve, eur.clv_growth) == (Decimal("3600"), Decimal("600"), 0)
    assert (eur.clv_retention, eur.clv_discount_rate, eur.clv_horizon_years) == (
        Decimal("0.8"),
        Decimal("0.1"),
        5,
    )
    assert pln.clv_margin == Decimal("900.00")  # 3600 PLN at 0.25
    assert float(pln.clv) == pytest.approx(expected / 4, abs=0.01)


def test_an_account_without_financials_has_no_lifetime_value_not_zero(world):
    engine.recompute_scores(today=TODAY)
    bare = AccountScore.objects.get(account=world["bare"])
    assert bare.clv is None and bare.clv_margin is None and bare.clv_growth is None


def test_account_retention_estimate_replaces_the_programme_default(world):
    world["eur"].retention_estimate = Decimal("0.9")
    world["eur"].save()
    engine.recompute_scores(today=TODAY)
    assert AccountScore.objects.get(account=world["eur"]).clv_retention == Decimal("0.9")


def test_scores_groups_completeness_and_breakdown_are_stored(world):
    engine.recompute_scores(today=TODAY)
    eur = AccountScore.objects.get(account=world["eur"])
    # Revenue: EUR 12,000 beats PLN's 3,000 EUR; the account without figures has no value.
    assert eur.breakdown[str(world["revenue"].pk)] == [12000.0, 10.0]  # [value, 0-10]
    assert eur.attractiveness == Decimal("100") and eur.relationship == Decimal("80")
    assert eur.overall == Decimal("92")  # 0.6 · 100 + 0.4 · 80
    assert eur.completeness == Decimal("1") and eur.quadrant == "strategic"
    pln = AccountScore.objects.get(account=world["pln"])
    # Not scored by hand: relationship missing, completeness 60 %, still complete by a hair.
    assert pln.relationship is None and pln.completeness == Decimal("0.6")
    assert pln.quadrant == ""
    bare = AccountScore.objects.get(account=world["bare"])
    assert bare.overall is None and bare.completeness == 0 and not bare.is_complete


def test_two_runs_on_one_day_leave_one_snapshot_per_account(world):
    engine.recompute_scores(today=TODAY)
    engine.recompute_scores(today=TODAY)
    assert ScoreSnapshot.objects.filter(taken_on=TODAY).count() == 3
    assert AccountScore.objects.count() == 3
    engine.recompute_scores(today=TODAY + timedelta(days=1))
    assert ScoreSnapshot.objects.count() == 6


def test_a_second_run_the_same_day_replaces_that_days_figures(world):
    engine.recompute_scores(today=TODAY)
    world["revenue"].weight = Decimal("0")
    world["revenue"].save()
    engine.recompute_scores(today=TODAY)
    snapshot = ScoreSnapshot.objects.get(account=world["eur"], taken_on=TODAY)
    assert snapshot.attractiveness is None


def test_every_run_is_recorded_with_its_outcome(world, champion):
    run = engine.recompute_scores(today=TODAY, started_by=champion)
    run.refresh_from_db()
    assert run.status == RecomputeStatus.SUCCEEDED
    assert (run.accounts_total, run.accounts_processed, run.started_by) == (3, 3, champion)
    assert run.finished_at >= run.started_at


def test_a_run_that_fails_halfway_leaves_the_previous_results(world, monkeypatch):
    engine.recompute_scores(today=TODAY, chunk_size=1)
    before = AccountScore.objects.get(account=world["eur"]).overall
    world["revenue"].weight = Decimal("0")
    world["revenue"].save()
    staged = []
    real_stage = engine._stage

    def dies_on_the_second_chunk(batch, run, done, progress):
        if staged:
            raise RuntimeError("worker lost")
        staged.append(batch)
        return real_stage(batch, run, done, progress)

    monkeypatch.setattr(engine, "_stage", dies_on_the_second_chunk)
    with pytest.raises(RuntimeError):
        engine.recompute_scores(today=TODAY + timedelta(days=1), chunk_size=1)
    assert AccountScore.objects.get(account=world["eur"]).overall == before
    assert not ScoreSnapshot.objects.filter(taken_on=TODAY + timedelta(days=1)).exists()
    failed = RecomputeRun.objects.order_by("-pk").first()
    assert failed.status == RecomputeStatus.FAILED and "worker lost" in failed.error
    assert failed.accounts_processed == 1

    monkeypatch.setattr(engine, "_stage", real_stage)
    engine.recompute_scores(today=TODAY + timedelta(days=1))
    assert AccountScore.objects.get(account=world["eur"]).overall == Decimal("80")


@contextmanager
def lock_held_by_another_worker():
    if connection.vendor != "postgresql":
        with engine.recompute_lock():
            yield
        return
    # Advisory locks are re-entrant within a session: take it from a second connection.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [engine.ADVISORY_LOCK_KEY])
        yield
    finally:
        other.close()


def test_two_runs_never_overlap(world):
    with lock_held_by_another_worker(), pytest.raises(engine.RecomputeBusy):
        engine.recompute_scores(today=TODAY)
    refused = RecomputeRun.objects.get()
    assert refused.status == RecomputeStatus.FAILED and refused.error
    assert not AccountScore.objects.exists()


def test_a_run_left_running_by_a_dead_worker_is_marked_interrupted(world):
    dead = RecomputeRun.objects.create(started_at=timezone.now(), status=RecomputeStatus.RUNNING)
    engine.recompute_scores(today=TODAY)
    dead.refresh_from_db()
    assert dead.status == RecomputeStatus.FAILED and "Interrupted" in dead.error


def test_recommendation_reads_the_history_of_snapshots(world, programme):
    # The EUR account scored 92 every day for 100 days: a candidate proposed for entry.
    for day in range(1, 101):
        ScoreSnapshot.objects.create(
            account=world["eur"], taken_on=TODAY - timedelta(days=day), overall=Decimal("92")
        )
    engine.recompute_scores(today=TODAY)
    assert AccountScore.objects.get(account=world["eur"]).recommendation == "add"
    ScoreSnapshot.objects.filter(account=world["eur"], taken_on=TODAY - timedelta(days=30)).update(
        overall=Decimal("50")
    )
    engine.recompute_scores(today=TODAY)
    assert AccountScore.objects.get(account=world["eur"]).recommendation == "none"


def test_a_score_that_did_not_change_keeps_its_time_so_the_crm_rereads_only_changes(world):
    engine.recompute_scores(today=TODAY)
    first = AccountScore.objects.get(account=world["eur"]).computed_at
    engine.recompute_scores(today=TODAY + timedelta(days=1))
    assert AccountScore.objects.get(account=world["eur"]).computed_at == first
    ManualScore.objects.filter(account=world["eur"]).update(score=Decimal("2"))
    engine.recompute_scores(today=TODAY + timedelta(days=1))
    changed = AccountScore.objects.get(account=world["eur"])
    assert changed.computed_at > first and changed.relationship == Decimal("20")
