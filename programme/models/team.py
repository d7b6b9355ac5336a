"""The KAM team's skills and training, so that the champion sees where training is needed."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kam.core.choices import ChoiceLabels

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class KamSkill(models.TextChoices):
    FINANCIAL = "financial", _("Financial")
    CONSULTING = "consulting", _("Consulting")
    PLANNING = "planning", _("Planning")
    INTERPERSONAL = "interpersonal", _("Interpersonal")
    INFLUENCING = "influencing", _("Influencing")


# A skill scored at or below this is shown as a training need.
TRAINING_NEED_AT_OR_BELOW = 2


def _skill_field(label):
    return models.PositiveSmallIntegerField(label, default=3, validators=ONE_TO_FIVE)


class SkillsProfile(models.Model):
    """A key account manager's skills, each 1-5, as last assessed by the champion."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kam_skills")
    financial = _skill_field(_("financial"))
    consulting = _skill_field(_("consulting"))
    planning = _skill_field(_("planning"))
    interpersonal = _skill_field(_("interpersonal"))
    influencing = _skill_field(_("influencing"))
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("KAM skills profile")
        verbose_name_plural = _("KAM skills profiles")
        constraints = [
            models.CheckConstraint(
                name=f"skills_{skill}_1_to_5", condition=Q(**{f"{skill}__gte": 1, f"{skill}__lte": 5})
            )
            for skill in KamSkill.values
        ]

    def __str__(self) -> str:
        return f"{self.user}"

    def scores(self) -> list[tuple[str, str, int]]:
        """(skill, label, score) in the profile's order."""
        return [(skill.value, skill.label, getattr(self, skill.value)) for skill in KamSkill]

    def training_needs(self) -> list[str]:
        return [label for _skill, label, score in self.scores() if score <= TRAINING_NEED_AT_OR_BELOW]


class TrainingRecord(ChoiceLabels, models.Model):
    """A course a KAM took (or is booked on), and the skill it builds."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kam_trainings")
    course = models.CharField(_("course"), max_length=200)
    skill = models.CharField(_("skill"), max_length=16, choices=KamSkill.choices)
    provider = models.CharField(_("provider"), max_length=120, blank=True)
    completed_on = models.DateField(
        _("completed on"), null=True, blank=True, help_text=_("Blank while booked.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["user", "-completed_on", "course"]

    def __str__(self) -> str:
        return str(self.course)
