"""Edits in the Django admin are version-checked like every other edit (no lost updates).

The change form carries the version it was opened at; saving after someone else saved is refused
with the form kept, and a save bumps the version, so a browser form or API client that read the
record before the admin edit is told too.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class VersionCheckedAdminForm(forms.ModelForm):
    # Not `version`: the admin refuses a form field named after a non-editable model field.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version if self.instance.pk else None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            model = type(self.instance)
            # The admin saves inside a transaction: the lock holds until save_model has written.
            current = model._default_manager.select_for_update().get(pk=self.instance.pk)
            if cleaned.get("loaded_version") != current.version:
                self.data = self.data.copy()
                self.data["loaded_version"] = current.version  # saving again replaces theirs, knowingly
                raise ValidationError(self.stale_message(current))
        return cleaned

    def stale_message(self, current) -> str:
        """What the second editor reads; a form may name the other person's values."""
        return _(
            "Someone else saved this %(record)s after you opened this page. What you typed "
            "is still in the form: save again to replace their changes, or reload the page "
            "to see them."
        ) % {"record": type(current)._meta.verbose_name}


class VersionCheckedAdmin:
    """A ModelAdmin mixin for a model with a `version` (put it before the admin class it mixes into)."""

    form = VersionCheckedAdminForm

    def save_model(self, request, obj, form, change):
        if change:
            obj.version = form.cleaned_data["loaded_version"] + 1  # the row is locked since clean()
        super().save_model(request, obj, form, change)
