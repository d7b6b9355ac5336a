"""Browser forms for criteria, the what-if, and manual scores. Each error names its field."""

from __future__ import annotations

import json
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import DateInput
from accounts.models import LifecycleStatus
from kam.core.forms import VersionedForm
from programme.models import Criterion, ScoreMapping, ScoringSource
from programme.scoring import formulas as scoring
from programme.scoring import metrics


class CriterionForm(VersionedForm, forms.ModelForm):
    metric = forms.ChoiceField(label=_("metric"), required=False)
    bands = forms.CharField(
        label=_("bands"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "[[0, 2], [100000, 6], [500000, 10]]"}),
        help_text=_("For bands: ascending [from, score] pairs; a value below the first band scores 0."),
    )

    class Meta:
        model = Criterion
        fields = [
            "name",
            "description",
            "group",
            "weight",
            "source",
            "metric",
            "mapping",
            "bands",
            "position",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", _("— scored by hand —")), *metrics.choices()]
        if self.instance.pk and not self.is_bound:
            self.initial["bands"] = json.dumps(self.instance.bands) if self.instance.bands else ""

    def clean_bands(self):
        text = (self.cleaned_data.get("bands") or "").strip()
        if not text:
            return []
        try:
            return scoring.check_bands(json.loads(text))
        except (ValueError, json.JSONDecodeError) as error:
            raise forms.ValidationError(
                _("Write bands as [[from, score], ...], ascending, scores 0-10 (%(problem)s).")
                % {"problem": error}
            ) from error

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") == ScoringSource.DATA:
            if not cleaned.get("metric"):
                self.add_error("metric", _("Pick the metric this criterion is scored from."))
            if cleaned.get("mapping") == ScoreMapping.BANDS and not cleaned.get("bands"):
                self.add_error("bands", _("Give at least one band, or map by percentile."))
        return cleaned


class WhatIfForm(forms.Form):
    """Weights per criterion and the programme's thresholds, as the champion tries them."""

    entry_threshold = forms.DecimalField(
        label=_("entry threshold"), min_value=0, max_value=100, decimal_places=2
    )
    exit_threshold = forms.DecimalField(
        label=_("exit threshold"), min_value=0, max_value=100, decimal_places=2
    )
    attractiveness_cutoff = forms.DecimalField(
        label=_("attractiveness cut-off"), min_value=0, max_value=100, decimal_places=2
    )
    relationship_cutoff = forms.DecimalField(
        label=_("relationship-strength cut-off"), min_value=0, max_value=100, decimal_places=2
    )
    attractiveness_share = forms.DecimalField(
        label=_("attractiveness share"), min_value=0, max_value=1, decimal_places=2
    )
    # The programme's settings as they were when the page was opened: saving over a newer one is refused.
    programme_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # Which page of the what-if's list of changes to show (the page buttons send it).
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, criteria, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"weight_{criterion.pk}"] = forms.DecimalField(
                label=criterion.name, min_value=0, max_digits=6, decimal_places=2, initial=criterion.weight
            )
            self.fields[f"version_{criterion.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=criterion.version
            )
        for name in self.THRESHOLDS:
            self.fields[name].initial = getattr(programme, name)
        self.fields["programme_version"].initial = programme.version

    def clean(self):
        cleaned = super().clean()
        entry, exit_ = cleaned.get("entry_threshold"), cleaned.get("exit_threshold")
        if entry is not None and exit_ is not None and exit_ >= entry:
            self.add_error(
                "exit_threshold",
                _("The exit threshold must be below the entry threshold, so that accounts do not flap."),
            )
        return cleaned

    THRESHOLDS = (
        "entry_threshold",
        "exit_threshold",
        "attractiveness_cutoff",
        "relationship_cutoff",
        "attractiveness_share",
    )

    def threshold_fields(self):
        return [self[name] for name in self.THRESHOLDS]

    def weight_fields(self):
        return [(c, self[f"weight_{c.pk}"], self[f"version_{c.pk}"]) for c in self.criteria]

    @property
    def weights(self) -> dict[int, Decimal]:
        return {c.pk: self.cleaned_data[f"weight_{c.pk}"] for c in self.criteria}

    @property
    def versions(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data.get(f"version_{c.pk}") or 0 for c in self.criteria}


class ManualScoreForm(VersionedForm):
    """A score by hand, with the version of the score it replaces (none if it was blank)."""

    score = forms.DecimalField(label=_("Score (0-10)"), min_value=0, max_value=10, decimal_places=1)
    justification = forms.CharField(label=_("Why"), max_length=500)


class LifecycleForm(forms.Form):
    to_status = forms.ChoiceField(label=_("new status"), choices=LifecycleStatus.choices)
    effective_on = forms.DateField(label=_("effective on"), widget=DateInput, initial=timezone.localdate)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    override_reason = forms.CharField(
        label=_("override reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_(
            "Needed when an account enters below the entry threshold, on an incomplete score, "
            "or before it has been scored."
        ),
    )
