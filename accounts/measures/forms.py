"""Browser forms for the account's measures. They parse; the services (accounts/measures/services.py) decide.

Each form that replaces a current value carries what the user saw (`based_on` or `version`), so a
save over someone else's newer entry is refused and shown to them.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import DateInput
from accounts.measures import calculations as measures
from accounts.models import RelationshipStage, Stakeholder, WalletEstimateSource
from kam.core.currencies import currency_codes
from kam.core.forms import VersionedForm

SHORT_TEXT = forms.Textarea(attrs={"rows": 2})


def _currency_choices():
    return [(code, code) for code in sorted(currency_codes())]


class SurveyForm(forms.Form):
    surveyed_on = forms.DateField(label=_("date"), widget=DateInput, initial=timezone.localdate)
    stakeholder = forms.ModelChoiceField(
        label=_("stakeholder"), queryset=Stakeholder.objects.none(), required=False
    )
    respondent_name = forms.CharField(
        label=_("respondent"),
        max_length=200,
        required=False,
        help_text=_("Or name the respondent if they are not on the stakeholder map."),
    )
    nps = forms.IntegerField(
        label=_("NPS answer (0-10)"), required=False, help_text=_("How likely they are to recommend us.")
    )
    csat = forms.IntegerField(label=_("CSAT (1-5)"), required=False, help_text=_("How satisfied they are."))
    comment = forms.CharField(label=_("comment"), widget=SHORT_TEXT, required=False)

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stakeholder"].queryset = (
            Stakeholder.objects.current().filter(account=account).order_by("name")
        )


class WalletEstimateForm(forms.Form):
    amount = forms.DecimalField(
        label=_("yearly spend in our categories"), max_digits=16, decimal_places=2, localize=False
    )
    currency = forms.ChoiceField(label=_("currency"), choices=_currency_choices)
    estimated_on = forms.DateField(label=_("estimated on"), widget=DateInput, initial=timezone.localdate)
    source = forms.ChoiceField(label=_("source"), choices=WalletEstimateSource.choices)
    note = forms.CharField(label=_("note"), max_length=500, required=False)
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("relationship stage"), choices=RelationshipStage.choices)
    effective_on = forms.DateField(label=_("since"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label=_("why"), max_length=500, required=False)
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)


def quarter_choices(today: date | None = None) -> list[tuple[str, str]]:
    today = today or timezone.localdate()
    quarters = [*measures.last_full_quarters(today, 7), measures.quarter_start(today)]
    return [(q.isoformat(), f"{q:%Y} Q{(q.month - 1) // 3 + 1}") for q in reversed(quarters)]


class InvestmentForm(VersionedForm):
    """A quarter's investment; opened on a recorded quarter it carries that record's version."""

    period_start = forms.TypedChoiceField(
        label=_("quarter"), choices=quarter_choices, coerce=date.fromisoformat
    )
    kam_time_cost = forms.DecimalField(label=_("KAM time"), max_digits=16, decimal_places=2, required=False)
    team_time_cost = forms.DecimalField(
        label=_("account team time"), max_digits=16, decimal_places=2, required=False
    )
    dedicated_resources_cost = forms.DecimalField(
        label=_("dedicated resources"), max_digits=16, decimal_places=2, required=False
    )
    special_terms_cost = forms.DecimalField(
        label=_("cost of special terms"), max_digits=16, decimal_places=2, required=False
    )
    currency = forms.ChoiceField(label=_("currency"), choices=_currency_choices)
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class RetentionEstimateForm(VersionedForm):
    """The account's retention estimate, with the account's version (`record=` the account)."""

    retention_estimate = forms.DecimalField(
        label=_("retention estimate"),
        max_digits=4,
        decimal_places=3,
        required=False,
        help_text=_("Probability (0-1) that the customer stays a year; blank uses the programme default."),
    )
    reason = forms.CharField(label=_("reason"), widget=SHORT_TEXT)
