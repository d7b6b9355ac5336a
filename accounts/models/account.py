"""The account and its lifecycle: candidate, key, exited; its KAM, sponsor and team."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models.people import TeamFunction
from kam.core import limits
from kam.core.choices import ChoiceLabels
from kam.core.currencies import validate_country, validate_currency
from kam.core.locales import format_local_date


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


class Account(ChoiceLabels, models.Model):
    """A customer organisation: a candidate, a key account in the programme, or one that left it."""

    # The identity the CRM owns: it syncs these and, with the sync scope, may PATCH them.
    CRM_FIELDS = ("name", "industry", "country", "currency")

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
        db_index=False,  # the (kam, status) index below serves every lookup by KAM
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

    # History is read per account (its id) and by date; indexes on the other columns would only slow
    # down every sync that creates accounts.
    history = HistoricalRecords(
        excluded_fields=["updated_at"],
        no_db_index=["external_id", "status", "industry", "country", "kam", "executive_sponsor"],
    )
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
            models.Index(fields=["kam", "status"]),  # the executive sponsor's is its foreign key's own
            # The account list's default order, a page at a time. Search by name has a trigram
            # index on PostgreSQL (accounts/migrations/0017), outside the model: SQLite has none.
            models.Index(fields=["name", "id"], name="account_name_id"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:detail", args=[self.pk])

    def clean(self):
        errors = limits.check_days(self, "key_since", "exited_on") | limits.check_notes(self, "exit_reason")
        if not errors and self.key_since and self.exited_on and self.exited_on < self.key_since:
            errors["exited_on"] = _(
                "An account cannot leave the programme before it joined it (%(day)s)."
            ) % {"day": format_local_date(self.key_since)}
        if errors:
            raise ValidationError(errors)

    @property
    def is_key(self) -> bool:
        return self.status == LifecycleStatus.KEY


class LifecycleChange(ChoiceLabels, models.Model):
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


class AccountTeamMember(ChoiceLabels, models.Model):
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
