"""The one base of every browser form that edits a versioned record."""

from __future__ import annotations

from django import forms


class VersionedForm(forms.Form):
    """Sends back the version the record had when the form was opened, so a later save can be refused.

    A plain form names its record with `record=`, and must then send its version back; a model form
    (`class F(VersionedForm, forms.ModelForm)`) takes it from its instance. A form opened on a blank (a
    new record, an empty cell) sends none, and the services refuse a change of a stored record without
    one as stale, like one with an older version: someone filled the blank since.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        if record is not None and record.pk:
            # A step or edit on a record named by the page itself: without its version it is refused.
            self.fields["version"].required = True
        record = record if record is not None else getattr(self, "instance", None)
        if record is not None and record.pk:
            self.fields["version"].initial = record.version

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")
