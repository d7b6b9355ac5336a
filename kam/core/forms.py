"""The one base of every browser form that edits a versioned record."""

from __future__ import annotations

from django import forms

from kam.core import locales


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


class LocalDateInputMixin:
    """A date input that a Persian reader fills in the Solar Hijri calendar, or in the Gregorian one.

    For Persian it is a text box showing `1405/09/10` in Persian digits; what is typed (either
    calendar, any digits) reaches the form field as an ISO date. Others keep the browser's date picker.
    """

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if locales.uses_solar_hijri():
            context["widget"]["type"] = "text"
            context["widget"]["attrs"].setdefault("inputmode", "numeric")
            context["widget"]["attrs"].setdefault("placeholder", locales.local_digits("1405/09/10"))
        return context

    def format_value(self, value):
        if hasattr(value, "year"):
            if locales.uses_solar_hijri():
                return locales.local_digits(locales.solar_hijri(locales.as_date(value), short=True))
            # A browser's date picker only takes ISO, whatever the language's own format.
            return locales.as_date(value).isoformat()
        return super().format_value(value)

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        if isinstance(value, str) and locales.uses_solar_hijri():
            gregorian = locales.parse_solar_hijri(value)
            return gregorian.isoformat() if gregorian else locales.latin_digits(value)
        return value
