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
