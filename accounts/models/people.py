"""Our people: users and the functions they serve in an account team."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.choices import ChoiceLabels


class TeamFunction(models.TextChoices):
    SALES = "sales", _("Sales")
    OPERATIONS = "operations", _("Operations")
    SUPPLY_CHAIN = "supply_chain", _("Supply chain")
    FINANCE = "finance", _("Finance")
    ENGINEERING = "engineering", _("Engineering")
    SERVICE = "service", _("Service")
    OTHER = "other", _("Other")


class User(ChoiceLabels, AbstractUser):
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
    # Blank: the browser's Accept-Language decides. Pages, the weekly digest and PDFs follow it.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, default=""
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username
