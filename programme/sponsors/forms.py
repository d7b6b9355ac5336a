"""The executive sponsor's form: log an executive visit with the customer's people met."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import DateInput
from accounts.models import Account, Stakeholder


class ExecutiveVisitForm(forms.Form):
    occurred_on = forms.DateField(label=_("Date of the visit"), widget=DateInput)
    stakeholders = forms.ModelMultipleChoiceField(
        label=_("Whom you met"), queryset=Stakeholder.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stakeholders"].queryset = (
            Stakeholder.objects.current().filter(account=account).order_by("name")
        )
        self.fields["occurred_on"].initial = timezone.localdate
