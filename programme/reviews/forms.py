"""Browser forms for programme reviews: open one, decide an entry, assess the 7S alignment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import DateInput
from kam.core.forms import VersionedForm
from programme.models import AlignmentElement, ReviewDecisionKind
from programme.reviews.services import DECISIONS_FOR

SHORT_TEXT = forms.Textarea(attrs={"rows": 2})
ONE_TO_FIVE = [("", "—"), *[(str(n), str(n)) for n in range(1, 6)]]


class ReviewOpenForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, help_text=_("E.g. “Q4 2026”."))
    period_start = forms.DateField(label=_("Period starts"), widget=DateInput)
    period_end = forms.DateField(label=_("Period ends"), widget=DateInput)

    def __init__(self, *args, period: tuple, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_start"].initial, self.fields["period_end"].initial = period


class DecisionForm(VersionedForm):
    """One entry's decision, with the version of the decision it replaces (none if undecided)."""

    decision = forms.ChoiceField(label=_("Decision"), choices=ReviewDecisionKind.choices)
    rationale = forms.CharField(label=_("Rationale"), widget=SHORT_TEXT, required=False)
    override_reason = forms.CharField(
        label=_("Override reason"),
        widget=SHORT_TEXT,
        required=False,
        help_text=_("Needed when the decision goes against the recommendation."),
    )

    def __init__(self, *args, entry, **kwargs):
        super().__init__(*args, **kwargs)

        allowed = DECISIONS_FOR["key" if entry.is_key else "candidate"]
        self.fields["decision"].choices = [(d.value, d.label) for d in ReviewDecisionKind if d in allowed]
        prefix = f"entry-{entry.pk}"
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("id", f"{prefix}-{name}")


class AlignmentForm(VersionedForm):
    """The seven elements, each 1-5 with a note, and the benchmark notes, at the review's version."""

    benchmark_notes = forms.CharField(
        label=_("Benchmark notes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Good practice seen elsewhere, worth copying."),
    )

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, record=review, **kwargs)
        current = {a.element: a for a in review.alignment.all()}
        for element in AlignmentElement:
            assessment = current.get(element.value)
            self.fields[f"{element.value}_score"] = forms.TypedChoiceField(
                label=element.label, choices=ONE_TO_FIVE, coerce=int, required=False,
                initial=assessment.score if assessment else "",
            )  # fmt: skip
            self.fields[f"{element.value}_note"] = forms.CharField(
                label=_("Note on %(element)s") % {"element": element.label}, max_length=500, required=False,
                initial=assessment.note if assessment else "",
            )  # fmt: skip
        self.fields["benchmark_notes"].initial = review.benchmark_notes
        self.order_fields([*(n for n in self.fields if n != "benchmark_notes"), "benchmark_notes"])

    def element_rows(self):
        return [(self[f"{e.value}_score"], self[f"{e.value}_note"]) for e in AlignmentElement]

    def scores(self) -> dict[str, tuple[int | None, str]]:
        data = self.cleaned_data
        return {
            e.value: (data.get(f"{e.value}_score") or None, data.get(f"{e.value}_note", ""))
            for e in AlignmentElement
        }
