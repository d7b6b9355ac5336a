"""The import pages' forms: the upload, and the column mapping built from the file's own header."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.imports.models import ImportKind
from accounts.sync import files

FIELD_LABELS = {
    "external_id": _("CRM id"),
    "account_external_id": _("Account's CRM id"),
    "name": _("Name"),
    "industry": _("Industry"),
    "country": _("Country"),
    "currency": _("Currency"),
    "title": _("Job title"),
    "department": _("Department"),
    "email": _("E-mail"),
    "phone": _("Phone"),
    "reports_to_external_id": _("Reports to (CRM id)"),
    "period": _("Month"),
    "revenue": _("Revenue"),
    "gross_margin": _("Gross margin"),
    "cost_to_serve": _("Cost to serve"),
    "days_to_pay": _("Days to pay"),
    "order_count": _("Orders"),
    "surveyed_on": _("Date answered"),
    "respondent_name": _("Respondent"),
    "stakeholder_external_id": _("Respondent's CRM id"),
    "nps": _("NPS (0-10)"),
    "csat": _("CSAT (1-5)"),
    "comment": _("Comment"),
}


def field_label(kind: str, name: str) -> str:
    required = name in files.REQUIRED[kind]
    return f"{FIELD_LABELS.get(name, name)}{' *' if required else ''}"


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file holds"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("Export file"),
        help_text=_(
            "CSV (comma, semicolon or tab separated, in any common encoding) or Excel (.xlsx); "
            "at most %(mb)d MB."
        )
        % {"mb": files.MAX_FILE_BYTES // 1024 // 1024},
    )


class MappingForm(forms.Form):
    """One choice per column of the file: which kam field it fills, or none."""

    date_format = forms.ChoiceField(
        label=_("Dates are written"),
        required=False,
        choices=[("", _("as detected"))] + [(k, v) for k, v in files.DATE_FORMATS.items()],
    )
    save_as = forms.CharField(
        label=_("Save this mapping as"),
        required=False,
        max_length=100,
        help_text=_("A name to pick it next time (e.g. “Salesforce accounts report”)."),
    )

    def __init__(self, *args, run, **kwargs):
        super().__init__(*args, **kwargs)
        self.run = run
        choices = [("", _("— not imported —"))] + [
            (f, field_label(run.kind, f)) for f in files.FIELDS[run.kind]
        ]
        self.columns = []
        for index, header in enumerate(run.headers):
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=run.mapping.get(header, "")
            )
            self.columns.append((header, name))
        self.fields["date_format"].initial = run.date_format
        self.order_fields([name for _h, name in self.columns] + ["date_format", "save_as"])

    def column_fields(self):
        return [self[name] for _h, name in self.columns]

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data[name] for header, name in self.columns if self.cleaned_data[name]}


class PresetForm(forms.Form):
    """Map the columns as a CRM's standard export or a saved mapping names them."""

    preset = forms.ChoiceField(label=_("Use the columns of"), required=False)

    def __init__(self, *args, saved, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = (
            [("", "—")]
            + [(f"preset:{k}", v) for k, v in files.PRESET_NAMES.items()]
            + [(f"saved:{m.pk}", m.name) for m in saved]
        )

    def clean_preset(self) -> str:
        # Not a required field: the browser's own "fill in this field" bubble would speak instead of us.
        if not self.cleaned_data["preset"]:
            raise forms.ValidationError(_("Choose a mapping in the list, then press Apply."))
        return self.cleaned_data["preset"]


class StartForm(forms.Form):
    strict = forms.BooleanField(
        label=_("All or nothing: a refused row keeps its whole batch (1,000 rows) out"), required=False
    )
