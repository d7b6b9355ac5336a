"""Qualification criteria, the KAM's manual scores, and each account's computed score and CLV.

The formulas live in `programme/scoring/formulas.py` (pure functions); the nightly recompute in
`programme/scoring/engine.py` writes `AccountScore` (the current figures) and `ScoreSnapshot` (one per
account and day, the history that trends and recommendations read).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kam.core.choices import ChoiceLabels
from kam.core.fields import FloatListField
from programme.models.settings import PERCENT

SCORE_0_10 = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))]
MONEY = {"max_digits": 16, "decimal_places": 2}
# An account scored on less than this share of its criteria's weight is shown as incomplete.
COMPLETENESS_REQUIRED = Decimal("0.60")
MANUAL_SCORE_STALE_DAYS = 365
# How far back a score's trend looks, one window per screen that shows one:
# the account page and My accounts show the overall score's change over the last 30 days;
ACCOUNT_SCORE_TREND_DAYS = 30
# the champion's league table, recommendations and review snapshots over the last 90 days (a quarter);
PORTFOLIO_SCORE_TREND_DAYS = 90
# the score card charts the last 180 days of daily snapshots.
SCORE_HISTORY_DAYS = 180


class CriterionGroup(models.TextChoices):
    ATTRACTIVENESS = "attractiveness", _("Attractiveness")
    RELATIONSHIP = "relationship", _("Relationship strength")


class ScoringSource(models.TextChoices):
    DATA = "data", _("From data")
    MANUAL = "manual", _("By hand")


class ScoreMapping(models.TextChoices):
    BANDS = "bands", _("Bands the champion sets")
    PERCENTILE = "percentile", _("Percentile rank across all accounts")


class Quadrant(models.TextChoices):
    """McDonald's 4S portfolio matrix (DOMAIN.md, Numbers)."""

    STRATEGIC = "strategic", _("Strategic")
    STAR = "star", _("Star")
    STATUS = "status", _("Status")
    STREAMLINE = "streamline", _("Streamline")


class Recommendation(models.TextChoices):
    ADD = "add", _("Candidate to add")
    KEEP = "keep", _("Keep")
    WATCH = "watch", _("Watch")
    REVIEW_FOR_EXIT = "review_exit", _("Review for exit")
    NONE = "none", _("No change")


class CriterionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_group(self, group: str):
        return self.filter(group=group)


class Criterion(ChoiceLabels, models.Model):
    """A named, weighted qualification factor, scored from data or by the KAM."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    group = models.CharField(_("group"), max_length=16, choices=CriterionGroup.choices)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Relative within its group; weights are normalised."),
    )
    source = models.CharField(
        _("scored"), max_length=8, choices=ScoringSource.choices, default=ScoringSource.DATA
    )
    metric = models.CharField(
        _("metric"),
        max_length=48,
        blank=True,
        help_text=_("For criteria scored from data: the metric from the registry."),
    )
    mapping = models.CharField(
        _("mapped by"), max_length=12, choices=ScoreMapping.choices, default=ScoreMapping.PERCENTILE
    )
    bands = models.JSONField(
        _("bands"),
        default=list,
        blank=True,
        help_text=_("Ascending metric thresholds, each with the 0-10 score it earns: [[from, score], ...]."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = CriterionQuerySet.as_manager()

    class Meta:
        ordering = ["group", "position", "name"]
        verbose_name = _("qualification criterion")
        verbose_name_plural = _("qualification criteria")
        constraints = [
            models.CheckConstraint(name="criterion_weight_not_negative", condition=models.Q(weight__gte=0)),
        ]

    def __str__(self) -> str:
        return str(self.name)


class ManualScore(models.Model):
    """The KAM's 0-10 for a criterion scored by hand, with why, who and when."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="manual_scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="manual_scores")
    score = models.DecimalField(_("score"), max_digits=3, decimal_places=1, validators=SCORE_0_10)
    justification = models.CharField(_("justification"), max_length=500)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("scored by")
    )
    scored_on = models.DateField(_("scored on"))
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("manual score")
        verbose_name_plural = _("manual scores")
        constraints = [
            models.UniqueConstraint(fields=["account", "criterion"], name="one_manual_score_per_criterion"),
            models.CheckConstraint(
                name="manual_score_0_to_10", condition=models.Q(score__gte=0, score__lte=10)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} {self.score}"


class ScoreFigures(ChoiceLabels, models.Model):
    """What a recompute produces for one account; shared by the current score and the daily snapshot."""

    attractiveness = models.DecimalField(_("attractiveness"), null=True, blank=True, **PERCENT)
    relationship = models.DecimalField(_("relationship strength"), null=True, blank=True, **PERCENT)
    overall = models.DecimalField(_("overall score"), null=True, blank=True, **PERCENT)
    attractiveness_completeness = models.DecimalField(max_digits=4, decimal_places=3, default=0)
    relationship_completeness = models.DecimalField(max_digits=4, decimal_places=3, default=0)
    completeness = models.DecimalField(
        _("completeness"),
        max_digits=4,
        decimal_places=3,
        default=0,
        help_text=_("Share of the criteria's weight actually scored."),
    )
    clv = models.DecimalField(_("lifetime value"), null=True, blank=True, **MONEY)
    # CLV's inputs, kept beside it: a number nobody can explain is not used.
    clv_margin = models.DecimalField(_("M0 trailing-12-month gross margin"), null=True, blank=True, **MONEY)
    clv_cost_to_serve = models.DecimalField(
        _("C0 trailing-12-month cost-to-serve"), null=True, blank=True, **MONEY
    )
    clv_growth = models.DecimalField(_("g growth"), max_digits=6, decimal_places=4, null=True, blank=True)
    clv_retention = models.DecimalField(
        _("r retention"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    clv_discount_rate = models.DecimalField(
        _("d discount rate"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    clv_horizon_years = models.PositiveSmallIntegerField(_("H horizon (years)"), null=True, blank=True)
    quadrant = models.CharField(_("quadrant"), max_length=12, choices=Quadrant.choices, blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=12, choices=Recommendation.choices, default=Recommendation.NONE
    )
    # Per criterion scored from data: {"<criterion id>": [metric value or null, 0-10 or null]}; the
    # scores by hand are the manual scores' own (rows from before compaction hold {"value", "score"}).
    breakdown = models.JSONField(_("breakdown by criterion"), default=dict, blank=True)

    class Meta:
        abstract = True

    @property
    def is_complete(self) -> bool:
        return self.completeness >= COMPLETENESS_REQUIRED


# The score table's fillfactor on PostgreSQL: room on each page for the nightly rewrite of a row to
# stay on its page (a HOT update, no index touched) rather than bloat the table.
ACCOUNT_SCORE_FILLFACTOR = 70


class AccountScore(ScoreFigures):
    """The account's current score: the latest recompute's figures.

    With the trailing-12-month figures the account list sorts by, in the programme's reporting
    currency: revenue here, gross margin and cost-to-serve as CLV's inputs (clv_margin,
    clv_cost_to_serve), and the margin after cost-to-serve. Indexed with the account's id so that
    a page sorted by one of them is an index scan in either direction; they change when a month
    closes or a rate is entered, so most nights' rewrites leave these indexes alone.
    """

    account = models.OneToOneField("accounts.Account", on_delete=models.CASCADE, related_name="score")
    computed_at = models.DateTimeField(_("computed at"))
    t12m_revenue = models.DecimalField(
        _("revenue, trailing 12 months (reporting currency)"), null=True, blank=True, **MONEY
    )
    t12m_margin_after_cost_to_serve = models.DecimalField(
        _("margin after cost-to-serve, trailing 12 months (reporting currency)"),
        null=True,
        blank=True,
        **MONEY,
    )

    # For the programme's retention (the champion's measures): the 12 months before the trailing
    # year, and the account's lifecycle status a year before the run (from its recorded steps).
    previous_t12m_revenue = models.DecimalField(
        _("revenue, the 12 months before (reporting currency)"), null=True, blank=True, **MONEY
    )
    status_a_year_ago = models.CharField(_("lifecycle status a year ago"), max_length=10, blank=True)
    # Each criterion scored from data, its 0-10 as computed (unrounded), in the order of the run's
    # `criterion_order`: what the what-if weighs again, read without parsing JSON.
    criterion_scores = FloatListField(_("scores by criterion"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("account score")
        verbose_name_plural = _("account scores")
        indexes = [
            models.Index(fields=["quadrant"]),
            models.Index(fields=["overall"]),
            models.Index(fields=["t12m_revenue", "account"], name="score_t12m_revenue"),
            models.Index(fields=["clv_margin", "account"], name="score_t12m_gross_margin"),
            models.Index(
                fields=["t12m_margin_after_cost_to_serve", "account"], name="score_t12m_margin_after_cts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.overall}"


class ScoreSnapshot(ScoreFigures):
    """One account's figures on one day; a second run that day replaces it."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="score_snapshots")
    taken_on = models.DateField(_("taken on"))

    class Meta:
        verbose_name = _("score snapshot")
        verbose_name_plural = _("score snapshots")
        # By the id, not the account's name: ordering by name joins every account into each query,
        # aggregates included (Django keeps the join after dropping the ORDER BY).
        ordering = ["account_id", "-taken_on"]
        constraints = [
            models.UniqueConstraint(fields=["account", "taken_on"], name="one_snapshot_per_account_and_day"),
        ]
        indexes = [models.Index(fields=["taken_on"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.taken_on}: {self.overall}"


class RecomputeStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class RecomputeTrigger(models.TextChoices):
    """What started a run, as the recompute page says it."""

    SCHEDULE = "schedule", _("Nightly schedule")
    PERSON = "person", _("Started by hand")
    COMMAND = "command", _("Command line")
    SEED = "seed", _("Demo data load")


class RecomputeRunQuerySet(models.QuerySet):
    def cache_key(self, prefix: str) -> str:
        """A cache key that changes with every successful recompute (for figures only a run changes)."""
        run = (
            self.filter(status=RecomputeStatus.SUCCEEDED)
            .order_by("-started_at")
            .values_list("pk", "finished_at")
            .first()
        )
        return f"{prefix}:{run[0]}:{run[1].timestamp() if run[1] else ''}" if run else prefix


class RecomputeRun(ChoiceLabels, models.Model):
    """One run of the scoring recompute: nightly, started by the champion, a command or the demo load."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("outcome"), max_length=10, choices=RecomputeStatus.choices, default=RecomputeStatus.RUNNING
    )
    accounts_total = models.PositiveIntegerField(_("accounts to process"), default=0)
    accounts_processed = models.PositiveIntegerField(_("accounts processed"), default=0)
    error = models.TextField(_("error"), blank=True)
    heartbeat_at = models.DateTimeField(
        _("last heard from"),
        null=True,
        blank=True,
        help_text=_("When the run last reported progress; a silent run's worker has died."),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who asked for the run, when a person did."),
    )
    trigger = models.CharField(
        _("how it started"),
        max_length=10,
        choices=RecomputeTrigger.choices,
        # A run created without saying is one started from code: a command, a script, a bench.
        default=RecomputeTrigger.COMMAND,
    )
    # What a succeeded run's scores are for: the day (manual scores' staleness is judged on it) and
    # the criteria scored from data, in the order of each score's `criterion_scores`.
    scored_on = models.DateField(_("scored for"), null=True, blank=True)
    criterion_order = models.JSONField(_("criteria scored from data, in order"), default=list, blank=True)

    objects = RecomputeRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("recompute run")
        verbose_name_plural = _("recompute runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"
