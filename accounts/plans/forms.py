"""Browser forms for account plans and the whitespace map. Each carries the row version it was loaded at."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import DateInput
from accounts.models import (
    AccountPlan,
    ActionStatus,
    Offering,
    OpportunityCell,
    OpportunityStatus,
    PlanAction,
    PlanObjective,
    PlanRisk,
    ResourceRequest,
    User,
)
from accounts.plans.services import PLAN_SECTION_FIELDS
from kam.core.forms import VersionedForm

SHORT_TEXT = forms.Textarea(attrs={"rows": 2})


class PlanPartForm(VersionedForm, forms.ModelForm):
    """A form for one part of a plan (objective, action, resource request, risk)."""

    def __init__(self, *args, plan: AccountPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan


def _people():
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class PersonChoiceField(forms.ModelChoiceField):
    """Our people with their function, since owners may sit outside sales."""

    def label_from_instance(self, user):
        return f"{user} ({user.get_function_display()})"


def _default_period() -> tuple[date, date]:
    today = timezone.localdate()
    start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return start, start.replace(year=start.year + 1) - timedelta(days=1)


class PlanCreateForm(forms.Form):
    period_start = forms.DateField(label=_("period starts"), widget=DateInput)
    period_end = forms.DateField(label=_("period ends"), widget=DateInput)
    copy_last = forms.BooleanField(
        label=_("start from the last period's plan"),
        required=False,
        help_text=_("Copies needs, value proposition, objectives, open actions and risks."),
    )

    def __init__(self, *args, has_previous: bool, **kwargs):
        super().__init__(*args, **kwargs)
        start, end = _default_period()
        self.fields["period_start"].initial = start
        self.fields["period_end"].initial = end
        self.fields["copy_last"].initial = has_previous
        if not has_previous:
            del self.fields["copy_last"]

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end <= start:
            self.add_error("period_end", _("The period must end after it starts."))
        return data


class PlanSectionsForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = AccountPlan
        fields = PLAN_SECTION_FIELDS
        widgets = {
            name: SHORT_TEXT
            for name in PLAN_SECTION_FIELDS
            if name.startswith(("needs_", "value_")) or name == "sponsor_commitments"
        }


class ObjectiveForm(PlanPartForm):
    class Meta:
        model = PlanObjective
        fields = ["title", "strategy", "target", "due_on", "opportunities"]
        widgets = {"due_on": DateInput, "opportunities": forms.CheckboxSelectMultiple}

    def __init__(self, *args, plan: AccountPlan, **kwargs):
        super().__init__(*args, plan=plan, **kwargs)
        self.fields["opportunities"].queryset = (
            OpportunityCell.objects.filter(buying_centre__account_id=plan.account_id)
            .exclude(status=OpportunityStatus.NOT_RELEVANT)
            .select_related("buying_centre", "offering")
            .order_by("buying_centre__position", "buying_centre__name", "offering__position")
        )
        self.fields["opportunities"].help_text = _(
            "Whitespace cells this objective pursues (penetrate and expand objectives come from the map)."
        )


class ActionForm(PlanPartForm):
    owner = PersonChoiceField(label=_("owner"), queryset=User.objects.none())

    class Meta:
        model = PlanAction
        fields = ["description", "objective", "owner", "due_on", "status", "note", "shared_with_customer"]
        widgets = {"due_on": DateInput, "note": SHORT_TEXT}

    def __init__(self, *args, plan: AccountPlan, **kwargs):
        super().__init__(*args, plan=plan, **kwargs)
        self.fields["owner"].queryset = _people()
        self.fields["objective"].queryset = plan.objectives.all()
        if not self.instance.pk:
            self.fields["due_on"].initial = timezone.localdate() + timedelta(days=14)


class ActionReportForm(VersionedForm):
    """What an action's owner may change: its status and a note (`record=` the action)."""

    status = forms.ChoiceField(label=_("status"), choices=ActionStatus.choices)
    note = forms.CharField(label=_("note"), widget=SHORT_TEXT, required=False, max_length=2000)


class ResourceRequestForm(PlanPartForm):
    class Meta:
        model = ResourceRequest
        fields = ["business_unit", "request", "status", "answer"]
        widgets = {"answer": SHORT_TEXT}


class RiskForm(PlanPartForm):
    class Meta:
        model = PlanRisk
        fields = ["description", "likelihood", "impact", "mitigation"]


class TransitionForm(VersionedForm):
    """One workflow step on a plan (`record=` the plan): taken only on the plan as it was shown."""

    stale_message = _(
        "This plan changed after you opened it: read it again as it stands now before taking this step."
    )

    comment = forms.CharField(label=_("comment"), widget=SHORT_TEXT, required=False, max_length=2000)


class OfferingForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Offering
        fields = ["name", "description", "position"]


class BuyingCentreForm(forms.Form):
    name = forms.CharField(label=_("business unit or buying centre"), max_length=120)


class OpportunityForm(VersionedForm, forms.ModelForm):
    """One whitespace cell; a blank cell has no version (the service refuses it once someone filled it)."""

    class Meta:
        model = OpportunityCell
        fields = ["status", "estimated_value", "note"]
