"""Account plans and the opportunity (whitespace) map."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models.account import Account
from accounts.models.fields import MONEY, version_field
from accounts.models.people import TeamFunction
from kam.core import limits
from kam.core.choices import ChoiceLabels

# --- Account plans and the opportunity (whitespace) map ------------------------------------------------
# A plan is lean on purpose: short fields, sensible defaults; nobody writes 150 pages.

PLAN_FRESHNESS_DAYS = 90


class Offering(models.Model):
    """An entry of the programme's offerings catalogue (kept by the champion): a whitespace-map column."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    archived_at = models.DateTimeField(_("retired"), null=True, blank=True)
    version = version_field()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class BuyingCentre(models.Model):
    """A business unit or buying centre at the customer: a row of the account's whitespace map."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="buying_centres")
    name = models.CharField(_("business unit or buying centre"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("buying centre")
        verbose_name_plural = _("buying centres")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="buying_centre_once_per_account")
        ]

    def __str__(self) -> str:
        return self.name


class OpportunityStatus(models.TextChoices):
    NOT_RELEVANT = "not_relevant", _("Not relevant")
    POTENTIAL = "potential", _("Potential")
    IN_PROGRESS = "in_progress", _("In progress")
    WON = "won", _("Won")


class OpportunityCell(ChoiceLabels, models.Model):
    """What one offering means to one buying centre. A missing cell reads as "not relevant"."""

    buying_centre = models.ForeignKey(BuyingCentre, on_delete=models.CASCADE, related_name="cells")
    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="cells")
    status = models.CharField(
        _("status"), max_length=12, choices=OpportunityStatus.choices, default=OpportunityStatus.POTENTIAL
    )
    estimated_value = models.DecimalField(
        _("estimated yearly value"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("In the account's currency."),
        **MONEY,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = version_field()
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            models.UniqueConstraint(fields=["buying_centre", "offering"], name="opportunity_cell_once"),
            models.CheckConstraint(
                name="opportunity_value_not_negative",
                condition=Q(estimated_value__isnull=True) | Q(estimated_value__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.buying_centre} / {self.offering}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


# A plan the champion or the sponsor has endorsed: the account's plan is settled while it is one of these.
ENDORSED_PLAN_STATUSES = (PlanStatus.APPROVED, PlanStatus.ACTIVE)


class AccountPlanQuerySet(models.QuerySet):
    def in_force_on(self, day: date):
        """Plans whose period covers `day` (the account's current plan)."""
        return self.filter(period_start__lte=day, period_end__gte=day)

    def endorsed(self):
        return self.filter(status__in=ENDORSED_PLAN_STATUSES)

    def awaiting_approval(self):
        return self.filter(status=PlanStatus.SUBMITTED)

    def review_overdue(self, day: date):
        """Open plans not reviewed within their freshness target (or never reviewed)."""
        return self.exclude(status=PlanStatus.CLOSED).filter(
            Q(review_due_on__lt=day) | Q(review_due_on__isnull=True)
        )


class AccountPlan(ChoiceLabels, models.Model):
    """An account's plan for one period: needs, objectives, value proposition, actions, asks, risks."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="plans")
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT, db_index=True
    )
    # Needs analysis at three levels (001): the organisation, its departments, the people.
    needs_organisation = models.TextField(_("needs of the organisation"), blank=True)
    needs_department = models.TextField(_("needs of the departments"), blank=True)
    needs_personal = models.TextField(_("personal needs of the key people"), blank=True)
    # The customised value proposition (001).
    value_terms = models.TextField(_("own trade terms"), blank=True)
    value_dedicated_offer = models.TextField(_("dedicated products or services"), blank=True)
    value_loyalty_terms = models.TextField(_("loyalty terms"), blank=True)
    # What the executive sponsor commits to; the sponsor's view compares visits against it.
    sponsor_visits_per_year = models.PositiveSmallIntegerField(
        _("executive visits per year"), default=2, validators=[MaxValueValidator(52)]
    )
    sponsor_commitments = models.TextField(_("other sponsor commitments"), blank=True)
    review_within_days = models.PositiveSmallIntegerField(
        _("review within (days)"),
        default=PLAN_FRESHNESS_DAYS,
        validators=[MinValueValidator(7), MaxValueValidator(366)],
        help_text=_("The plan is flagged when it has not been reviewed for this long."),
    )
    reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    # Stored so that "review overdue" is a plain indexed filter across the portfolio.
    review_due_on = models.DateField(_("review due"), null=True, blank=True, editable=False)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = version_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AccountPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        # By the id, not the account's name: ordering by name joins every account into each query,
        # aggregates included (Django keeps the join after dropping the ORDER BY).
        ordering = ["account_id", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["account", "period_start"], name="plan_once_per_period"),
            models.CheckConstraint(
                name="plan_period_ends_after_start", condition=Q(period_end__gt=F("period_start"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.period_start:%Y-%m-%d} to {self.period_end:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:plan_detail", args=[self.account_id, self.pk])

    def clean(self):
        errors = limits.check_days(self, "period_start", "period_end")
        if errors:
            raise ValidationError(errors)
        if self.period_start and self.period_end and self.period_end <= self.period_start:
            raise ValidationError({"period_end": _("The period must end after it starts.")})
        if (
            self.period_start
            and self.period_end
            and ((self.period_end - self.period_start).days > limits.LONGEST_PLAN_DAYS)
        ):
            raise ValidationError(
                {
                    "period_end": _("A plan covers at most %(years)d years.")
                    % {"years": limits.LONGEST_PLAN_DAYS // 366}
                }
            )

    @property
    def content_is_editable(self) -> bool:
        """Sections, objectives and risks change only in a draft; execution goes on until closed."""
        return self.status == PlanStatus.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status != PlanStatus.CLOSED

    def is_stale(self, today: date) -> bool:
        return self.is_open and (self.review_due_on is None or self.review_due_on < today)


class PlanStatusChange(ChoiceLabels, models.Model):
    """One workflow step of a plan, kept forever: who moved it, when, and what they said."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=PlanStatus.choices)
    to_status = models.CharField(max_length=10, choices=PlanStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("plan status change")
        verbose_name_plural = _("plan status changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.plan}: {self.from_status} → {self.to_status}"


class Strategy(models.TextChoices):
    PENETRATE = "penetrate", _("Penetrate")
    EXPAND = "expand", _("Expand")
    PROTECT = "protect", _("Protect")


class PlanObjective(ChoiceLabels, models.Model):
    """A measurable objective of the plan, tagged with its strategy; may point at whitespace cells."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("objective"), max_length=200)
    strategy = models.CharField(_("strategy"), max_length=10, choices=Strategy.choices)
    target = models.CharField(
        _("measurable target"),
        max_length=200,
        # xgettext:no-python-format (a percent sign in prose, not a placeholder)
        help_text=_("How we will know, e.g. “keep 70 % share of wallet in coated steel”."),
    )
    due_on = models.DateField(_("by"), null=True, blank=True)
    opportunities = models.ManyToManyField(
        OpportunityCell, blank=True, related_name="objectives", verbose_name=_("opportunities")
    )
    version = version_field()
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class PlanActionQuerySet(models.QuerySet):
    def still_open(self):
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def overdue(self, day: date):
        return self.still_open().filter(due_on__lt=day)

    def owned_by(self, user):
        return self.filter(owner=user)

    def joint(self):
        """The actions agreed with the customer: the joint account plan shows these and no others."""
        return self.filter(shared_with_customer=True)


class PlanAction(ChoiceLabels, models.Model):
    """What one of ours (any function) will do, by a date; a joint action is agreed with the customer."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="actions")
    objective = models.ForeignKey(
        PlanObjective,
        verbose_name=_("objective"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    description = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="plan_actions",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_plan_actions",
        help_text=_("Who gave the action to its owner; set from whoever saves a new owner."),
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # A joint action: agreed with the customer, so it appears in the joint account plan they see.
    shared_with_customer = models.BooleanField(
        _("shared with the customer"),
        default=False,
        help_text=_("A joint action: shown in the joint account plan that you share with the customer."),
    )
    version = version_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = PlanActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"], name="plan_action_owner_open"),
            models.Index(fields=["status", "due_on"], name="plan_action_open_due"),
        ]
        constraints = [
            models.CheckConstraint(
                name="plan_action_done_has_date", condition=~Q(status="done") | Q(done_on__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, today: date) -> bool:
        return self.status in OPEN_ACTION_STATUSES and self.due_on < today


class ResourceRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    AGREED = "agreed", _("Agreed")
    DECLINED = "declined", _("Declined")


class ResourceRequestQuerySet(models.QuerySet):
    def still_open(self):
        return self.filter(status=ResourceRequestStatus.REQUESTED)


class ResourceRequest(ChoiceLabels, models.Model):
    """What the KAM needs from one of our business units, and its answer: the internal fight made visible."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="resource_requests")
    business_unit = models.CharField(_("business unit"), max_length=20, choices=TeamFunction.choices)
    request = models.CharField(
        _("what is asked"), max_length=300, help_text=_("E.g. “an application engineer, 10 days”.")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ResourceRequestStatus.choices,
        default=ResourceRequestStatus.REQUESTED,
        db_index=True,
    )
    answer = models.TextField(_("answer"), blank=True)
    requested_on = models.DateField(_("requested on"), default=timezone.localdate)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = version_field()
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ResourceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource request")
        verbose_name_plural = _("resource requests")
        ordering = ["requested_on", "id"]
        indexes = [models.Index(fields=["status", "business_unit"], name="resource_request_open_unit")]

    def __str__(self) -> str:
        return self.request


class RiskLevel(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")


class PlanRisk(ChoiceLabels, models.Model):
    """A risk to the account or the plan, and what we do about it."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="risks")
    description = models.CharField(_("risk"), max_length=300)
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"), choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"), choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )
    mitigation = models.CharField(_("mitigation"), max_length=300, blank=True)
    version = version_field()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["-impact", "-likelihood", "id"]

    def __str__(self) -> str:
        return self.description
