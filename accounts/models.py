"""The account domain: customers, their people, our contacts with them and their financial figures.

Names follow ../shared/DOMAIN.md. Money is Decimal with its currency beside it, never float.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .currencies import validate_country, validate_currency

MONEY = {"max_digits": 16, "decimal_places": 2}


class TeamFunction(models.TextChoices):
    SALES = "sales", _("Sales")
    OPERATIONS = "operations", _("Operations")
    SUPPLY_CHAIN = "supply_chain", _("Supply chain")
    FINANCE = "finance", _("Finance")
    ENGINEERING = "engineering", _("Engineering")
    SERVICE = "service", _("Service")
    OTHER = "other", _("Other")


class User(AbstractUser):
    """One of our people. The champion role is programme-wide; the other roles follow from accounts."""

    function = models.CharField(
        _("function"), max_length=20, choices=TeamFunction.choices, default=TeamFunction.SALES
    )
    is_champion = models.BooleanField(
        _("KAM champion"),
        default=False,
        help_text=_("Runs the programme: criteria, reviews, dashboard; sees every account."),
    )
    receives_weekly_digest = models.BooleanField(_("weekly digest e-mail"), default=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class LifecycleStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    KEY = "key", _("Key account")
    EXITED = "exited", _("Exited")


class AccountQuerySet(models.QuerySet):
    def current(self):
        """Accounts not archived (an archived account stays only for the CRM to learn of it)."""
        return self.filter(archived_at__isnull=True)

    def key_accounts(self):
        return self.filter(status=LifecycleStatus.KEY)

    def candidates(self):
        return self.filter(status=LifecycleStatus.CANDIDATE)

    def managed_by(self, user):
        return self.filter(kam=user)

    def sponsored_by(self, user):
        return self.filter(executive_sponsor=user)

    def visible_to(self, user):
        from kam import permissions

        return permissions.visible_accounts(user, self)


class Account(models.Model):
    """A customer organisation: a candidate, a key account in the programme, or one that left it."""

    name = models.CharField(_("name"), max_length=200)
    external_id = models.CharField(
        _("CRM id"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The customer's id in the CRM that syncs it."),
    )
    status = models.CharField(
        _("lifecycle status"),
        max_length=10,
        choices=LifecycleStatus.choices,
        default=LifecycleStatus.CANDIDATE,
        db_index=True,
    )
    key_since = models.DateField(_("key account since"), null=True, blank=True)
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    exit_reason = models.TextField(_("exit reason"), blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True, db_index=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, validators=[validate_country], db_index=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR", validators=[validate_currency])
    kam = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("key account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_accounts",
    )
    executive_sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executive sponsor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sponsored_accounts",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="AccountTeamMember",
        related_name="team_accounts",
        verbose_name=_("account team"),
        blank=True,
    )
    retention_estimate = models.DecimalField(
        _("retention estimate"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Probability (0-1) that the customer stays a year; blank uses the programme default."),
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Bumped on every save; an edit based on an older version is refused."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="account_key_has_key_since",
                condition=~Q(status=LifecycleStatus.KEY) | Q(key_since__isnull=False),
            ),
            models.CheckConstraint(
                name="account_exited_has_date",
                condition=~Q(status=LifecycleStatus.EXITED) | Q(exited_on__isnull=False),
            ),
            models.CheckConstraint(
                name="account_retention_is_probability",
                condition=Q(retention_estimate__isnull=True)
                | Q(retention_estimate__gte=0, retention_estimate__lte=1),
            ),
        ]
        indexes = [
            models.Index(fields=["kam", "status"]),
            models.Index(fields=["executive_sponsor"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:detail", args=[self.pk])

    @property
    def is_key(self) -> bool:
        return self.status == LifecycleStatus.KEY


class LifecycleChange(models.Model):
    """One step of an account's lifecycle, kept forever: when, why, by whom, and any override."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="lifecycle_changes")
    from_status = models.CharField(max_length=10, choices=LifecycleStatus.choices)
    to_status = models.CharField(max_length=10, choices=LifecycleStatus.choices)
    effective_on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"), blank=True)
    override_reason = models.TextField(
        _("override reason"),
        blank=True,
        help_text=_("Why the account was made key against the programme's recommendation."),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lifecycle change")
        verbose_name_plural = _("lifecycle changes")
        ordering = ["-effective_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.account}: {self.from_status} → {self.to_status} ({self.effective_on})"


class AccountTeamMember(models.Model):
    """Someone of ours on the account team, with the function they bring (KAM is not sales-only)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    function = models.CharField(_("function"), max_length=20, choices=TeamFunction.choices)

    class Meta:
        verbose_name = _("account team member")
        verbose_name_plural = _("account team members")
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="team_member_once_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_function_display()})"


class FinancialPeriodQuerySet(models.QuerySet):
    def between(self, start: date, end_exclusive: date):
        return self.filter(period__gte=start, period__lt=end_exclusive)


class FinancialPeriod(models.Model):
    """One account's figures for one month. Profit and cash per customer, not just revenue."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="financial_periods")
    period = models.DateField(_("month"), help_text=_("The first day of the month."))
    revenue = models.DecimalField(_("revenue"), **MONEY)
    gross_margin = models.DecimalField(_("gross margin"), **MONEY)
    cost_to_serve = models.DecimalField(
        _("cost-to-serve"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    days_to_pay = models.PositiveSmallIntegerField(_("days to pay"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = FinancialPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("financial period")
        verbose_name_plural = _("financial periods")
        ordering = ["account", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["account", "period"], name="financial_period_once_per_month"),
            models.CheckConstraint(
                name="financial_period_cost_to_serve_not_negative",
                condition=Q(cost_to_serve__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.period:%Y-%m}"

    def clean(self):
        if self.period and self.period.day != 1:
            raise ValidationError({"period": _("A financial period is a month: use its first day.")})

    @property
    def margin_after_cost_to_serve(self) -> Decimal:
        return self.gross_margin - self.cost_to_serve


class ExchangeRate(models.Model):
    """How many units of the programme's reporting currency one unit of `currency` buys, from a date."""

    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    valid_from = models.DateField(_("valid from"))
    rate = models.DecimalField(
        _("rate to reporting currency"),
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
    )

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="exchange_rate_once_per_day"),
            models.CheckConstraint(name="exchange_rate_positive", condition=Q(rate__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} from {self.valid_from}"


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    ECONOMIC_BUYER = "economic_buyer", _("Economic buyer")
    TECHNICAL_BUYER = "technical_buyer", _("Technical buyer")
    USER = "user", _("User")
    INFLUENCER = "influencer", _("Influencer")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")
    COACH = "coach", _("Coach")


# Roles whose departure leaves a hole the KAM must fill (see the workspace's "people leave" alert).
DECIDING_ROLES = (BuyingRole.DECISION_MAKER, BuyingRole.ECONOMIC_BUYER, BuyingRole.COACH)


class Attitude(models.IntegerChoices):
    """Attitude to us, ordered so that "neutral or better" is attitude >= NEUTRAL."""

    OPPONENT = -2, _("Opponent")
    SCEPTIC = -1, _("Sceptic")
    NEUTRAL = 0, _("Neutral")
    SUPPORTER = 1, _("Supporter")
    ADVOCATE = 2, _("Advocate")


class RelationshipStrength(models.IntegerChoices):
    NONE = 0, _("None")
    WEAK = 1, _("Weak")
    MODERATE = 2, _("Moderate")
    STRONG = 3, _("Strong")


class StakeholderQuerySet(models.QuerySet):
    def current(self):
        """People still at the customer and not archived."""
        return self.filter(archived_at__isnull=True, left_on__isnull=True)

    def decision_makers(self):
        return self.filter(buying_role__in=[BuyingRole.DECISION_MAKER, BuyingRole.ECONOMIC_BUYER])


class Stakeholder(models.Model):
    """A person at the customer, placed on the org chart, with their role, influence and attitude."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="stakeholders")
    external_id = models.CharField(_("CRM id"), max_length=100, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_reports",
    )
    buying_role = models.CharField(
        _("buying role"), max_length=20, choices=BuyingRole.choices, default=BuyingRole.USER
    )
    influence = models.PositiveSmallIntegerField(
        _("influence"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (little) to 5 (decisive)."),
    )
    attitude = models.SmallIntegerField(
        _("attitude to us"), choices=Attitude.choices, default=Attitude.NEUTRAL
    )
    relationship_strength = models.PositiveSmallIntegerField(
        _("our relationship"),
        choices=RelationshipStrength.choices,
        default=RelationshipStrength.NONE,
    )
    competitor_relationship_strength = models.PositiveSmallIntegerField(
        _("competitor's relationship"),
        choices=RelationshipStrength.choices,
        null=True,
        blank=True,
        help_text=_("Blank when we do not know."),
    )
    relationship_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("our relationship owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_relationships",
    )
    needs_organisation = models.TextField(_("needs of the organisation"), blank=True)
    needs_department = models.TextField(_("needs of the department"), blank=True)
    needs_personal = models.TextField(_("personal needs"), blank=True)
    left_on = models.DateField(_("left the customer on"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Bumped on every save; an edit based on an older version is refused."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = StakeholderQuerySet.as_manager()

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="stakeholder_influence_1_to_5", condition=Q(influence__gte=1, influence__lte=5)
            ),
            models.CheckConstraint(
                name="stakeholder_attitude_range", condition=Q(attitude__gte=-2, attitude__lte=2)
            ),
            models.CheckConstraint(name="stakeholder_not_own_manager", condition=~Q(reports_to=F("id"))),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.title})" if self.title else self.name

    def clean(self):
        if self.reports_to_id is None:
            return
        if self.pk and self.reports_to_id == self.pk:
            raise ValidationError({"reports_to": _("A stakeholder cannot report to themself.")})
        manager = self.reports_to
        if manager.account_id != self.account_id:
            raise ValidationError(
                {"reports_to": _("%(name)s works at another account.") % {"name": manager.name}}
            )
        if self.pk:
            self._check_no_reporting_cycle()

    def _check_no_reporting_cycle(self):
        # One query for the account's whole chart, then walk up in memory.
        managers = dict(
            Stakeholder.objects.filter(account_id=self.account_id).values_list("id", "reports_to_id")
        )
        managers[self.pk] = self.reports_to_id
        seen, current = set(), self.reports_to_id
        while current is not None and current not in seen:
            if current == self.pk:
                raise ValidationError(
                    {
                        "reports_to": _("That would make %(name)s report to someone who reports to them.")
                        % {"name": self.name}
                    }
                )
            seen.add(current)
            current = managers.get(current)

    @property
    def has_left(self) -> bool:
        return self.left_on is not None


class InteractionKind(models.TextChoices):
    OFFICE_MEETING = "office_meeting", _("Office meeting")
    INFORMAL_MEETING = "informal_meeting", _("Informal meeting")
    EMAIL_LETTER = "email_letter", _("E-mail or letter")
    PRESENTATION = "presentation", _("Presentation")
    REFERENCE_VISIT = "reference_visit", _("Reference visit")
    PHONE_CONSULTATION = "phone_consultation", _("Phone consultation")
    EXECUTIVE_VISIT = "executive_visit", _("Executive visit")


class Interaction(models.Model):
    """A dated, documented contact with one or more of the customer's people."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(_("type"), max_length=20, choices=InteractionKind.choices)
    occurred_on = models.DateField(_("date"))
    stakeholders = models.ManyToManyField(
        Stakeholder, related_name="interactions", verbose_name=_("stakeholders")
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="interactions_attended",
        blank=True,
        verbose_name=_("our participants"),
    )
    notes = models.TextField(_("notes"), blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["account", "-occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


# --- Account plans and the opportunity (whitespace) map ------------------------------------------------
# A plan is lean on purpose: short fields, sensible defaults; nobody writes 150 pages (issue 5).

PLAN_FRESHNESS_DAYS = 90


def _version_field():
    return models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Bumped on every save; an edit based on an older version is refused."),
    )


class Offering(models.Model):
    """An entry of the programme's offerings catalogue (kept by the champion): a whitespace-map column."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    archived_at = models.DateTimeField(_("retired"), null=True, blank=True)
    version = _version_field()

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


class OpportunityCell(models.Model):
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
    version = _version_field()
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


class AccountPlanQuerySet(models.QuerySet):
    def in_force_on(self, day: date):
        """Plans whose period covers `day` (the account's current plan)."""
        return self.filter(period_start__lte=day, period_end__gte=day)

    def endorsed(self):
        return self.filter(status__in=[PlanStatus.APPROVED, PlanStatus.ACTIVE])

    def awaiting_approval(self):
        return self.filter(status=PlanStatus.SUBMITTED)

    def review_overdue(self, day: date):
        """Open plans not reviewed within their freshness target (or never reviewed)."""
        return self.exclude(status=PlanStatus.CLOSED).filter(
            Q(review_due_on__lt=day) | Q(review_due_on__isnull=True)
        )


class AccountPlan(models.Model):
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
    version = _version_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = AccountPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        ordering = ["account", "-period_start"]
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
        if self.period_start and self.period_end and self.period_end <= self.period_start:
            raise ValidationError({"period_end": _("The period must end after it starts.")})

    @property
    def content_is_editable(self) -> bool:
        """Sections, objectives and risks change only in a draft; execution goes on until closed."""
        return self.status == PlanStatus.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status != PlanStatus.CLOSED

    def is_stale(self, today: date) -> bool:
        return self.is_open and (self.review_due_on is None or self.review_due_on < today)


class PlanStatusChange(models.Model):
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


class PlanObjective(models.Model):
    """A measurable objective of the plan, tagged with its strategy; may point at whitespace cells."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("objective"), max_length=200)
    strategy = models.CharField(_("strategy"), max_length=10, choices=Strategy.choices)
    target = models.CharField(
        _("measurable target"),
        max_length=200,
        help_text=_("How we will know, e.g. “keep 70 % share of wallet in coated steel”."),
    )
    due_on = models.DateField(_("by"), null=True, blank=True)
    opportunities = models.ManyToManyField(
        OpportunityCell, blank=True, related_name="objectives", verbose_name=_("opportunities")
    )
    version = _version_field()
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


class PlanAction(models.Model):
    """Something someone of ours (any function) will do, by a date."""

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
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    version = _version_field()
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


class ResourceRequest(models.Model):
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
    version = _version_field()
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


class PlanRisk(models.Model):
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
    version = _version_field()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["-impact", "-likelihood", "id"]

    def __str__(self) -> str:
        return self.description
