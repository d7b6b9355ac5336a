"""Programme-wide settings: one programme, loaded with `Programme.load()`."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import ExchangeRate
from kam.core.choices import ChoiceLabels
from kam.core.currencies import validate_currency
from kam.core.money import RateTable

PERCENT = {"max_digits": 5, "decimal_places": 2}
SCORE_RANGE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class ReviewCadence(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every six months")
    YEARLY = "yearly", _("Yearly")


class Programme(ChoiceLabels, models.Model):
    """The KAM programme's settings. There is one programme: `Programme.load()` returns it."""

    name = models.CharField(_("name"), max_length=200, default=_("Key account programme"))
    reporting_currency = models.CharField(
        _("reporting currency"), max_length=3, default="EUR", validators=[validate_currency]
    )
    key_account_limit = models.PositiveSmallIntegerField(
        _("key-account size limit"),
        default=25,
        help_text=_("The dashboard warns when there are more key accounts than this."),
    )
    entry_threshold = models.DecimalField(
        _("entry threshold"),
        default=Decimal("65"),
        validators=SCORE_RANGE,
        **PERCENT,
        help_text=_("Overall score (0-100) a candidate must hold to be proposed for entry."),
    )
    exit_threshold = models.DecimalField(
        _("exit threshold"),
        default=Decimal("45"),
        validators=SCORE_RANGE,
        **PERCENT,
        help_text=_("Overall score below which a key account is proposed for review for exit."),
    )
    attractiveness_cutoff = models.DecimalField(
        _("attractiveness cut-off"),
        default=Decimal("50"),
        validators=SCORE_RANGE,
        **PERCENT,
        help_text=_("Where the portfolio matrix splits high from low attractiveness."),
    )
    relationship_cutoff = models.DecimalField(
        _("relationship-strength cut-off"),
        default=Decimal("50"),
        validators=SCORE_RANGE,
        **PERCENT,
        help_text=_("Where the portfolio matrix splits strong from weak relationships."),
    )
    attractiveness_share = models.DecimalField(
        _("attractiveness share of the overall score"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.60"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    recommendation_window_days = models.PositiveSmallIntegerField(
        _("recommendation window (days)"),
        default=90,
        help_text=_("An account must stay past a threshold this long before it is proposed."),
    )
    clv_discount_rate = models.DecimalField(
        _("CLV discount rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.1000"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    clv_horizon_years = models.PositiveSmallIntegerField(
        _("CLV horizon (years)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    default_retention = models.DecimalField(
        _("default retention"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.800"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    review_cadence = models.CharField(
        _("review cadence"),
        max_length=12,
        choices=ReviewCadence.choices,
        default=ReviewCadence.QUARTERLY,
    )
    sponsor_account_cap = models.PositiveSmallIntegerField(
        _("accounts per executive sponsor"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("The sponsor load page warns when a sponsor has more key accounts than this."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Bumped on every save from a form; an edit based on an older version is refused."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programme")
        constraints = [
            models.CheckConstraint(
                name="programme_exit_below_entry",
                condition=Q(exit_threshold__lt=F("entry_threshold")),
            ),
        ]

    def __str__(self) -> str:
        return str(self.name)

    def clean(self):
        if (
            self.exit_threshold is not None
            and self.entry_threshold is not None
            and self.exit_threshold >= self.entry_threshold
        ):
            raise ValidationError(
                {
                    "exit_threshold": _(
                        "The exit threshold must be below the entry threshold, "
                        "so that accounts do not flap in and out."
                    )
                }
            )

    @classmethod
    def load(cls) -> Programme:
        programme, _created = cls.objects.get_or_create(pk=1)
        return programme

    def rate_table(self) -> RateTable:
        """Every exchange rate, for converting money into the reporting currency (one query)."""
        return ExchangeRate.objects.rate_table(self.reporting_currency)
