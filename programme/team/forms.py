"""Forms for the KAM team page: a manager's skills profile (version-checked) and a training record."""

from __future__ import annotations

from django import forms

from accounts.forms import DateInput
from programme.models import SkillsProfile, TrainingRecord


class SkillsProfileForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = SkillsProfile
        fields = ["financial", "consulting", "planning", "interpersonal", "influencing"]
        widgets = {name: forms.NumberInput(attrs={"min": 1, "max": 5}) for name in fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class TrainingRecordForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["course", "skill", "provider", "completed_on", "note"]
        widgets = {"completed_on": DateInput}
