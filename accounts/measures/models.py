"""What the programme promises to measure per account: satisfaction, share of wallet,
relationship stage, what we invest and the retention estimate's history.

Each measure keeps its history as rows. Where a screen or the nightly scoring needs "the current
one" (wallet estimate, relationship stage), the row carries `is_current`, kept by the service under
a lock, with a partial unique index so there is at most one: one join reads it for every account.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models.account import Account
from accounts.models.fields import MONEY, version_field
from kam.core import limits
from kam.core.choices import ChoiceLabels
from kam.core.currencies import validate_currency
from kam.core.periods import quarter_label

NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]
# What the investment service says too: a negative cost reads the same from the page and the admin.
NOT_NEGATIVE_COST = [MinValueValidator(Decimal("0"), message=_("A cost cannot be negative."))]


class SurveyQuerySet(models.QuerySet):
    def current(self):
        return self.filter(archived_at__isnull=True)


class Survey(models.Model):
    """One respondent's satisfaction answer: NPS (0-10), CSAT (1-5) or both."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="surveys")
    surveyed_on = models.DateField(_("date"))
    # Filled from the stakeholder too, so that the answer keeps its name if the person is deleted.
    respondent_name = models.CharField(_("respondent"), max_length=200, blank=True)
    stakeholder = models.ForeignKey(
        "accounts.Stakeholder",
        verbose_name=_("stakeholder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    nps = models.PositiveSmallIntegerField(
        _("NPS answer (0-10)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=_("How likely they are to recommend us, 0-10."),
    )
    csat = models.PositiveSmallIntegerField(
        _("CSAT (1-5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("How satisfied they are, 1-5."),
    )
    comment = models.TextField(_("comment"), blank=True)
    external_id = models.CharField(_("CRM id"), max_length=100, unique=True, null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    version = version_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-surveyed_on", "-id"]
        indexes = [models.Index(fields=["account", "surveyed_on"])]
        constraints = [
            models.CheckConstraint(
                name="survey_has_nps_or_csat", condition=Q(nps__isnull=False) | Q(csat__isnull=False)
            ),
            models.CheckConstraint(
                name="survey_nps_0_to_10", condition=Q(nps__isnull=True) | Q(nps__gte=0, nps__lte=10)
            ),
            models.CheckConstraint(
                name="survey_csat_1_to_5", condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.surveyed_on}"

    def clean(self):
        errors = {}
        if self.nps is None and self.csat is None:
            errors["nps"] = _("Give an NPS answer (0-10), a CSAT (1-5), or both.")
        if not self.respondent_name.strip() and not self.stakeholder_id:
            errors["respondent_name"] = _("Name the respondent or pick the stakeholder who answered.")
        if self.stakeholder_id and self.account_id and self.stakeholder.account_id != self.account_id:
            errors["stakeholder"] = _("This person is not at this account.")
        errors |= limits.check_notes(self, "comment")
        if errors:
            raise ValidationError(errors)

    @property
    def respondent(self) -> str:
        return self.respondent_name or (self.stakeholder.name if self.stakeholder_id else "")


class WalletEstimateSource(models.TextChoices):
    CUSTOMER = "customer", _("The customer told us")
    ANNUAL_REPORT = "annual_report", _("Their annual report")
    MARKET_STUDY = "market_study", _("Market study")
    TENDER = "tender", _("Tender volumes")
    KAM_JUDGEMENT = "kam_judgement", _("The KAM's judgement")


class WalletEstimate(ChoiceLabels, models.Model):
    """The customer's yearly spend in our categories, as the KAM estimates it; every estimate is kept."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="wallet_estimates")
    amount = models.DecimalField(_("yearly spend in our categories"), validators=NOT_NEGATIVE, **MONEY)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    estimated_on = models.DateField(_("estimated on"))
    source = models.CharField(_("source"), max_length=20, choices=WalletEstimateSource.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_current = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    CURRENT_ORDER = ("-estimated_on", "-id")

    class Meta:
        verbose_name = _("wallet estimate")
        verbose_name_plural = _("wallet estimates")
        ordering = ["-estimated_on", "-id"]
        constraints = [
            models.CheckConstraint(name="wallet_estimate_not_negative", condition=Q(amount__gte=0)),
            models.UniqueConstraint(
                fields=["account"], condition=Q(is_current=True), name="one_current_wallet_estimate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount} {self.currency} ({self.estimated_on})"


class RelationshipStage(models.TextChoices):
    """The KAM relationship development model (Millman & Wilson), from first contact to one team."""

    EXPLORATORY = "exploratory", _("Exploratory")
    BASIC = "basic", _("Basic")
    COOPERATIVE = "cooperative", _("Cooperative")
    INTERDEPENDENT = "interdependent", _("Interdependent")
    INTEGRATED = "integrated", _("Integrated")

    @classmethod
    def rank(cls, value: str) -> int | None:
        """1 (exploratory) … 5 (integrated); a number the scoring can map to 0-10."""
        return cls.values.index(value) + 1 if value in cls.values else None


class RelationshipStageChange(ChoiceLabels, models.Model):
    """The stage the relationship reached, from a date; the latest by date is the current one."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(_("relationship stage"), max_length=16, choices=RelationshipStage.choices)
    effective_on = models.DateField(_("since"))
    note = models.CharField(_("why"), max_length=500, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_current = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    CURRENT_ORDER = ("-effective_on", "-id")

    class Meta:
        verbose_name = _("relationship stage change")
        verbose_name_plural = _("relationship stage changes")
        ordering = ["-effective_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(is_current=True), name="one_current_relationship_stage"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.get_stage_display()} ({self.effective_on})"

    @property
    def rank(self) -> int | None:
        return RelationshipStage.rank(self.stage)


class AccountInvestment(models.Model):
    """What we put into one key account in one quarter; set against its margin, it gives the return."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="investments")
    period_start = models.DateField(_("quarter"), help_text=_("The first day of the quarter."))
    kam_time_cost = models.DecimalField(
        _("KAM time"), default=Decimal("0"), validators=NOT_NEGATIVE_COST, **MONEY
    )
    team_time_cost = models.DecimalField(
        _("account team time"), default=Decimal("0"), validators=NOT_NEGATIVE_COST, **MONEY
    )
    dedicated_resources_cost = models.DecimalField(
        _("dedicated resources"), default=Decimal("0"), validators=NOT_NEGATIVE_COST, **MONEY
    )
    special_terms_cost = models.DecimalField(
        _("cost of special terms"), default=Decimal("0"), validators=NOT_NEGATIVE_COST, **MONEY
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    note = models.CharField(_("note"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = version_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    COST_FIELDS = ("kam_time_cost", "team_time_cost", "dedicated_resources_cost", "special_terms_cost")

    class Meta:
        verbose_name = _("account investment")
        verbose_name_plural = _("account investments")
        # By the id, not the account's name: ordering by name joins every account into each query,
        # aggregates included (Django keeps the join after dropping the ORDER BY).
        ordering = ["account_id", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["account", "period_start"], name="one_investment_per_quarter"),
            models.CheckConstraint(
                name="investment_not_negative",
                condition=Q(kam_time_cost__gte=0)
                & Q(team_time_cost__gte=0)
                & Q(dedicated_resources_cost__gte=0)
                & Q(special_terms_cost__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.period_start:%Y}-Q{(self.period_start.month - 1) // 3 + 1}"

    def clean(self):
        start = self.period_start
        if start and (start.day != 1 or start.month not in (1, 4, 7, 10)):
            message = _("Investment is recorded per quarter: use the quarter's first day.")
            raise ValidationError({"period_start": message})

    @property
    def total(self) -> Decimal:
        return sum((getattr(self, name) or Decimal(0) for name in self.COST_FIELDS), Decimal(0))

    @property
    def quarter_label(self) -> str:
        return quarter_label(self.period_start)


class RetentionEstimateChange(models.Model):
    """The per-account retention estimate CLV uses, each change with its reason: a number explained."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="retention_changes")
    from_estimate = models.DecimalField(_("was"), max_digits=4, decimal_places=3, null=True, blank=True)
    to_estimate = models.DecimalField(
        _("now"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("retention estimate change")
        verbose_name_plural = _("retention estimate changes")
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(name="retention_change_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.from_estimate} → {self.to_estimate}"
