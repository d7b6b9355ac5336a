"""Forms for the KAM team page: a manager's skills profile (version-checked) and a training record."""

from __future__ import annotations

from django import forms

from accounts.forms import DateInput
from kam.core.forms import VersionedForm
from programme.models import SkillsProfile, TrainingRecord


class SkillsProfileForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = SkillsProfile
        fields = ["financial", "consulting", "planning", "interpersonal", "influencing"]
        widgets = {name: forms.NumberInput(attrs={"min": 1, "max": 5}) for name in fields}


class TrainingRecordForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["course", "skill", "provider", "completed_on", "note"]
        widgets = {"completed_on": DateInput}
