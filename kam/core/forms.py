"""Form plumbing every app uses for versioned records."""

from __future__ import annotations

from django import forms


class _Versioned(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")
