"""The customer's people, their buying roles and attitudes, and our contacts with them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models.account import Account
from kam.core import limits
from kam.core.choices import ChoiceLabels


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    ECONOMIC_BUYER = "economic_buyer", _("Economic buyer")
    TECHNICAL_BUYER = "technical_buyer", _("Technical buyer")
    USER = "user", _("User")
    INFLUENCER = "influencer", _("Influencer")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")
    COACH = "coach", _("Coach")


# The people who decide a purchase: relationship health counts and courts them (DOMAIN.md, Numbers),
# and so does the recompute's SQL (programme/scoring/metrics.py builds its IN list from this).
DECISION_MAKING_ROLES = (BuyingRole.DECISION_MAKER, BuyingRole.ECONOMIC_BUYER)
# Roles whose departure leaves a hole the KAM must fill: the deciders and the coach who guides us
# (the workspace's "people leave" alert, and relationship health).
DEPARTURE_ALERT_ROLES = (*DECISION_MAKING_ROLES, BuyingRole.COACH)


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
        return self.filter(buying_role__in=DECISION_MAKING_ROLES)


class Stakeholder(ChoiceLabels, models.Model):
    """A person at the customer, placed on the org chart, with their role, influence and attitude."""

    # Who they are, as the CRM knows them: it syncs these (with their account and manager) and, with
    # the sync scope, may PATCH them. Everything else on the map is the KAM's.
    CRM_FIELDS = ("name", "title", "department", "email", "phone")

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
        errors = limits.check_notes(self, "needs_organisation", "needs_department", "needs_personal")
        if self.left_on is not None and self.left_on > timezone.localdate():
            errors["left_on"] = _("Mark people as gone once they have left.")
        errors = limits.check_days(self, "left_on") | errors
        if errors:
            raise ValidationError(errors)
        if self.reports_to_id is None:
            return
        if self.pk and self.reports_to_id == self.pk:
            raise ValidationError({"reports_to": _("A stakeholder cannot report to themself.")})
        # Names nobody: the caller may not be allowed to see who works at the other account.
        if self.reports_to.account_id != self.account_id:
            raise ValidationError({"reports_to": _("Choose someone at this account.")})
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


class InteractionPeopleRecord(models.Model):
    """Who took part, kept on each historical row of an interaction (ids, sorted; null = not recorded).

    Not simple-history's `m2m_fields`: it writes one more historical row on every m2m signal (a
    `.set()` can fire a remove and an add, so one correction would become up to five rows, some with
    no user), it misses the through-table writes of the seeds and of removing a person, and
    `bulk_history_create` copies no m2m at all. The services write exactly one row per change
    instead, with the people as they stand after it.
    """

    stakeholder_ids = models.JSONField(null=True, blank=True, editable=False)
    participant_ids = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Interaction(ChoiceLabels, models.Model):
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
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Bumped on every correction or removal; an edit based on an older version is refused."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    # Written by the services (see InteractionPeopleRecord); bulk-created rows (the seeds) get none,
    # and their first correction records the state before it.
    history = HistoricalRecords(excluded_fields=["updated_at"], bases=[InteractionPeopleRecord])

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["account", "-occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"

    def clean(self):
        errors = limits.check_days(self, "occurred_on") | limits.check_notes(self, "notes")
        if errors:
            raise ValidationError(errors)


# --- Account plans and the opportunity (whitespace) map ------------------------------------------------
# A plan is lean on purpose: short fields, sensible defaults; nobody writes 150 pages.
