"""Browser forms. Each names the field and the problem; the model's validation backs them up."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    Account,
    AccountTeamMember,
    FinancialPeriod,
    User,
)
from kam.core.currencies import country_choices
from kam.core.forms import LocalDateInputMixin, VersionedForm
from kam.core.periods import parse_month


class MonthField(forms.CharField):
    """A month written YYYY-MM (the browser's month input sends exactly that)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_month(value)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid_month") from error

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else value


class DateInput(LocalDateInputMixin, forms.DateInput):
    input_type = "date"


class AccountForm(VersionedForm, forms.ModelForm):
    """The champion's form: identity and who looks after the account.

    The retention estimate is changed on the account's Measures page, with a reason kept.
    """

    country = forms.ChoiceField(label=_("country"), choices=[("", "—"), *country_choices()], required=False)

    class Meta:
        model = Account
        fields = [
            "name",
            "external_id",
            "industry",
            "country",
            "currency",
            "kam",
            "executive_sponsor",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True).order_by("first_name", "last_name")
        for name in ("kam", "executive_sponsor"):
            if name in self.fields:
                self.fields[name].queryset = people


class AccountKamForm(AccountForm):
    """What the account's KAM may change: not who manages or sponsors it, nor its CRM identity."""

    class Meta(AccountForm.Meta):
        fields = ["industry", "country", "currency"]


class FinancialPeriodForm(forms.ModelForm):
    period = MonthField(label=_("month"))

    class Meta:
        model = FinancialPeriod
        fields = ["period", "revenue", "gross_margin", "cost_to_serve", "days_to_pay", "currency"]

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.account = account
        self.fields["currency"].initial = account.currency


class TeamMemberForm(forms.ModelForm):
    class Meta:
        model = AccountTeamMember
        fields = ["user", "function"]

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.account = account
        self.fields["user"].queryset = User.objects.filter(is_active=True).order_by("first_name", "last_name")
