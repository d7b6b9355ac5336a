"""Browser forms of the stakeholder map and the interaction log; each error names its field."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import DateInput
from accounts.models import (
    Account,
    Interaction,
    Stakeholder,
    User,
)
from accounts.stakeholders.services import STAKEHOLDER_FIELDS
from kam.core import limits
from kam.core.forms import VersionedForm


class StakeholderForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Stakeholder
        fields = STAKEHOLDER_FIELDS
        widgets = {
            "needs_organisation": forms.Textarea(attrs={"rows": 2}),
            "needs_department": forms.Textarea(attrs={"rows": 2}),
            "needs_personal": forms.Textarea(attrs={"rows": 2}),
            "left_on": DateInput,
        }

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.account = account
        # Only the account's own people: an id from elsewhere is "not a valid choice", naming nobody.
        self.fields["reports_to"].queryset = _managers_choices(account, self.instance)
        self.fields["reports_to"].empty_label = "—"
        _cap_notes(self, "needs_organisation", "needs_department", "needs_personal")
        self.fields["relationship_owner"].queryset = User.objects.filter(is_active=True).order_by(
            "first_name", "last_name"
        )
        self.fields["influence"].widget = forms.NumberInput(attrs={"min": 1, "max": 5})


class InteractionForm(forms.ModelForm):
    class Meta:
        model = Interaction
        fields = ["kind", "occurred_on", "stakeholders", "participants", "notes"]
        widgets = {"occurred_on": DateInput, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stakeholders"].queryset = Stakeholder.objects.filter(
            account=account, archived_at__isnull=True
        ).order_by("name")
        self.fields["participants"].queryset = User.objects.filter(is_active=True).order_by(
            "first_name", "last_name"
        )
        self.fields["occurred_on"].initial = timezone.localdate
        _cap_notes(self, "notes")


def _cap_notes(form, *names: str) -> None:
    """The same limit as the model's and the sync's, told in the field (and by the browser's maxlength)."""
    for name in names:
        field = form.fields[name]
        field.max_length = limits.NOTE_MAX_LENGTH
        field.validators.append(MaxLengthValidator(limits.NOTE_MAX_LENGTH))
        field.widget.attrs["maxlength"] = str(limits.NOTE_MAX_LENGTH)


def _managers_choices(account: Account, person: Stakeholder | None):
    """The account's current people, for "reports to"; a person cannot report to themself."""
    people = Stakeholder.objects.filter(account=account, archived_at__isnull=True).order_by("name")
    if person is not None and person.pk:
        people = people.exclude(pk=person.pk)
    return people


class MapStakeholderForm(VersionedForm, forms.ModelForm):
    """Add or edit a person on the map, inline. The essentials first; needs below."""

    class Meta:
        model = Stakeholder
        fields = [name for name in STAKEHOLDER_FIELDS if name != "left_on"]  # "left" has its own step
        widgets = {
            "needs_organisation": forms.Textarea(attrs={"rows": 2}),
            "needs_department": forms.Textarea(attrs={"rows": 2}),
            "needs_personal": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, account: Account, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.account = account
        # Only the account's own people: an id from elsewhere is "not a valid choice", naming nobody.
        self.fields["reports_to"].queryset = _managers_choices(account, self.instance)
        self.fields["reports_to"].empty_label = _("nobody on the map")
        _cap_notes(self, "needs_organisation", "needs_department", "needs_personal")
        self.fields["relationship_owner"].queryset = User.objects.filter(is_active=True).order_by(
            "first_name", "last_name", "username"
        )
        self.fields["influence"].widget = forms.NumberInput(attrs={"min": 1, "max": 5})


class MoveStakeholderForm(VersionedForm):
    reports_to = forms.ModelChoiceField(
        label=_("Reports to"),
        queryset=Stakeholder.objects.none(),
        required=False,
        empty_label=_("nobody on the map"),
    )

    def __init__(self, *args, account: Account, person: Stakeholder, **kwargs):
        super().__init__(*args, record=person, **kwargs)
        self.fields["reports_to"].queryset = _managers_choices(account, person)
        self.fields["reports_to"].initial = person.reports_to_id


class StakeholderLeftForm(VersionedForm):
    left_on = forms.DateField(label=_("Left the customer on"), widget=DateInput, initial=timezone.localdate)

    def __init__(self, *args, person: Stakeholder, **kwargs):
        super().__init__(*args, record=person, **kwargs)


class StakeholderRemoveForm(VersionedForm):
    """Only the version the person was seen at: removing someone just changed is refused."""


def _our_people(account: Account, user, *, also=()):
    """Who on our side may have been there: the KAM, the sponsor, the team, whoever logs it (and `also`)."""
    return (
        User.objects.filter(
            Q(is_active=True, pk__in=[account.kam_id, account.executive_sponsor_id, user.pk])
            | Q(is_active=True, team_memberships__account=account)
            | Q(pk__in=list(also))
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class QuickInteractionForm(forms.Form):
    """Log a contact in a few seconds: type, date, who on their side, who on ours, notes."""

    kind = forms.ChoiceField(label=_("Type"), choices=Interaction._meta.get_field("kind").choices)
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    # data-searchable: static/js/people-picker.js turns these into a type-to-find pick (tom-select);
    # without it they stay native lists.
    stakeholders = forms.ModelMultipleChoiceField(
        label=_("Their people"),
        queryset=Stakeholder.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8, "data-searchable": ""}),
        help_text=_("Type a few letters of a name or title; pick everyone who was there."),
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Our people"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4, "data-searchable": ""}),
    )
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=limits.NOTE_MAX_LENGTH,
    )

    def __init__(self, *args, account: Account, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stakeholders"].queryset = Stakeholder.objects.filter(
            account=account, archived_at__isnull=True, left_on__isnull=True
        ).order_by("name")
        self.fields["participants"].queryset = _our_people(account, user)
        self.fields["participants"].initial = [user.pk]


class InteractionEditForm(VersionedForm, QuickInteractionForm):
    """Correct a logged contact inline: the same fields, filled in, with the version it was opened at.

    The people already on it stay offered even if they have since left the customer or our team:
    correcting the date must not silently drop who was there.
    """

    def __init__(self, *args, interaction: Interaction, user, **kwargs):
        # Field ids of their own: the quick-add form sits in the same section of the page.
        kwargs.setdefault("auto_id", "id_edit_%s")
        super().__init__(*args, record=interaction, account=interaction.account, user=user, **kwargs)
        their_people = [s.pk for s in interaction.stakeholders.all()]
        our_people = [u.pk for u in interaction.participants.all()]
        stakeholders = self.fields["stakeholders"]
        stakeholders.queryset = (
            Stakeholder.objects.filter(account=interaction.account_id)
            .filter(Q(archived_at__isnull=True, left_on__isnull=True) | Q(pk__in=their_people))
            .order_by("name")
        )
        self.fields["participants"].queryset = _our_people(interaction.account, user, also=our_people)
        self.initial.update(
            kind=interaction.kind,
            occurred_on=interaction.occurred_on,
            stakeholders=their_people,
            participants=our_people,
            notes=interaction.notes,
        )
