"""Programme reviews (DOMAIN.md, step 7): a frozen snapshot, a decision per account, the 7S alignment.

A review is opened (the entries are frozen then), decided, assessed, applied (lifecycles change in
one transaction) and closed. A closed review is read, never changed: the services refuse it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kam.core.choices import ChoiceLabels
from programme.models.scores import MONEY, Quadrant, Recommendation
from programme.models.settings import PERCENT


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ProgrammeReviewQuerySet(models.QuerySet):
    def closed(self):
        return self.filter(status=ReviewStatus.CLOSED)

    def still_open(self):
        return self.filter(status=ReviewStatus.OPEN)


class ProgrammeReview(ChoiceLabels, models.Model):
    """One periodic review of the key-account portfolio; its thresholds are frozen with its entries."""

    title = models.CharField(_("title"), max_length=120, help_text=_("E.g. “Q4 2026”."))
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    status = models.CharField(
        _("status"), max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.OPEN, db_index=True
    )
    # The programme's settings as they stood when the review was opened.
    entry_threshold = models.DecimalField(_("entry threshold"), **PERCENT)
    exit_threshold = models.DecimalField(_("exit threshold"), **PERCENT)
    attractiveness_cutoff = models.DecimalField(_("attractiveness cut-off"), **PERCENT)
    relationship_cutoff = models.DecimalField(_("relationship-strength cut-off"), **PERCENT)
    key_account_limit = models.PositiveSmallIntegerField(_("key-account size limit"))
    benchmark_notes = models.TextField(
        _("benchmark notes"), blank=True, help_text=_("Good practice seen elsewhere, worth copying.")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = ProgrammeReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme review")
        verbose_name_plural = _("programme reviews")
        ordering = ["-period_end", "-id"]
        constraints = [
            # At most one review in progress: two open reviews could apply contradicting decisions.
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="open"), name="one_open_programme_review"
            ),
            models.CheckConstraint(
                name="review_closed_has_date", condition=~Q(status="closed") | Q(closed_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return str(self.title)

    def get_absolute_url(self) -> str:
        return reverse("portfolio:review_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status == ReviewStatus.CLOSED


class ReviewEntry(ChoiceLabels, models.Model):
    """One account as it stood when the review was opened: frozen, never updated."""

    review = models.ForeignKey(ProgrammeReview, on_delete=models.CASCADE, related_name="entries")
    # Kept when the account is deleted later: the review is a record of what was known then.
    account = models.ForeignKey(
        "accounts.Account", null=True, on_delete=models.SET_NULL, related_name="review_entries"
    )
    account_name = models.CharField(_("account"), max_length=200)
    lifecycle_status = models.CharField(_("lifecycle status"), max_length=10)
    kam_name = models.CharField(_("key account manager"), max_length=200, blank=True)
    sponsor_name = models.CharField(_("executive sponsor"), max_length=200, blank=True)
    attractiveness = models.DecimalField(_("attractiveness"), null=True, blank=True, **PERCENT)
    relationship = models.DecimalField(_("relationship strength"), null=True, blank=True, **PERCENT)
    overall = models.DecimalField(_("overall score"), null=True, blank=True, **PERCENT)
    overall_trend = models.DecimalField(
        _("overall score trend"), null=True, blank=True, max_digits=6, decimal_places=2
    )
    clv = models.DecimalField(_("lifetime value"), null=True, blank=True, **MONEY)
    margin_after_cost_to_serve = models.DecimalField(
        _("margin after cost-to-serve"), null=True, blank=True, **MONEY
    )
    quadrant = models.CharField(_("quadrant"), max_length=12, choices=Quadrant.choices, blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=12, choices=Recommendation.choices, default=Recommendation.NONE
    )
    recommendation_reason = models.CharField(_("why"), max_length=300, blank=True)
    plan_status = models.CharField(_("plan status"), max_length=10, blank=True)
    decision_makers = models.PositiveSmallIntegerField(_("decision makers mapped"), default=0)
    contacts_90_days = models.PositiveSmallIntegerField(_("contacts in 90 days"), default=0)
    last_executive_visit = models.DateField(_("last executive visit"), null=True, blank=True)

    class Meta:
        verbose_name = _("review entry")
        verbose_name_plural = _("review entries")
        ordering = ["review", "-overall", "account_name"]
        constraints = [
            models.UniqueConstraint(fields=["review", "account"], name="review_entry_once_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.account_name}"

    @property
    def is_key(self) -> bool:
        return self.lifecycle_status == "key"


class ReviewDecisionKind(models.TextChoices):
    ADD = "add", _("Add")
    KEEP = "keep", _("Keep")
    WATCH = "watch", _("Watch")
    REMOVE = "remove", _("Remove")


class ReviewDecision(ChoiceLabels, models.Model):
    """The champion's decision on one entry, with its rationale; against the recommendation, an override."""

    review = models.ForeignKey(ProgrammeReview, on_delete=models.CASCADE, related_name="decisions")
    entry = models.OneToOneField(ReviewEntry, on_delete=models.CASCADE, related_name="decision")
    decision = models.CharField(_("decision"), max_length=8, choices=ReviewDecisionKind.choices)
    rationale = models.TextField(_("rationale"))
    is_override = models.BooleanField(_("against the recommendation"), default=False)
    override_reason = models.TextField(_("override reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        constraints = [
            models.CheckConstraint(
                name="review_override_has_reason",
                condition=Q(is_override=False) | ~Q(override_reason=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry.account_name}: {self.get_decision_display()}"


class AlignmentElement(models.TextChoices):
    """McKinsey's 7S: is the organisation behind the programme (seed 003)?"""

    SHARED_VALUES = "shared_values", _("Shared values")
    STYLE = "style", _("Style")
    SKILLS = "skills", _("Skills")
    STAFF = "staff", _("Staff")
    STRATEGY = "strategy", _("Strategy")
    STRUCTURE = "structure", _("Structure")
    SYSTEMS = "systems", _("Systems")


class AlignmentAssessment(ChoiceLabels, models.Model):
    """One of the seven elements scored 1-5 for a review, with a note."""

    review = models.ForeignKey(ProgrammeReview, on_delete=models.CASCADE, related_name="alignment")
    element = models.CharField(_("element"), max_length=16, choices=AlignmentElement.choices)
    score = models.PositiveSmallIntegerField(
        _("score"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (weak) to 5 (strong)."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("alignment assessment")
        verbose_name_plural = _("alignment assessments")
        constraints = [
            models.UniqueConstraint(fields=["review", "element"], name="alignment_element_once_per_review"),
            models.CheckConstraint(name="alignment_score_1_to_5", condition=Q(score__gte=1, score__lte=5)),
        ]

    def __str__(self) -> str:
        return f"{self.get_element_display()}: {self.score}"
