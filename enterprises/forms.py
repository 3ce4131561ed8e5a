"""Forms of enterprise filing and the bureau's imports. Fields are plain text where the format's
rules (``report_format``) decide, so every problem gets the same translated message."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from enterprises import report_format, values
from portal.forms import BoundedDateField, MultipleFileField
from portal.uploads import DOCUMENT_SIGNATURES

DOCUMENT_ACCEPT = ",".join(f".{ext}" for ext in sorted(DOCUMENT_SIGNATURES))

BLANK = [("", "—")]


class ReportTextForm(forms.Form):
    """The narrative parts; a carbon-only report has the carbon part alone."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def __init__(
        self, *args, carbon_only: bool = False, correcting: bool = False, extras=(), **kwargs
    ):
        super().__init__(*args, **kwargs)
        parts = report_format.part_keys(carbon_only=carbon_only, extras=extras)
        for key, label in report_format.ALL_PARTS:
            if key in parts:
                self.fields[key] = forms.CharField(
                    label=label,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    max_length=report_format.MAX_TEXT,
                )
        if not correcting:
            del self.fields["reason"]
        else:
            self.order_fields([*parts, "reason"])


class EmissionRowForm(forms.Form):
    outlet = forms.CharField(label=_("Outlet"), required=False, max_length=32)
    pollutant = forms.CharField(label=_("Pollutant"), required=False, max_length=64)
    amount = forms.CharField(label=_("Amount"), required=False, max_length=32)
    unit = forms.ChoiceField(
        label=pgettext_lazy("measurement", "Unit"),
        required=False,
        choices=BLANK + [(u, u) for u in values.EMISSION_UNITS],
    )


class WasteRowForm(forms.Form):
    code = forms.CharField(label=_("Waste code"), required=False, max_length=16)
    name = forms.CharField(label=_("Waste"), required=False, max_length=64)
    amount = forms.CharField(label=_("Amount (t)"), required=False, max_length=32)
    route = forms.ChoiceField(
        label=pgettext_lazy("hazardous waste", "Route"),
        required=False,
        choices=BLANK + list(values.WASTE_ROUTES),
    )


class CarbonRowForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Kind"), required=False, choices=BLANK + list(values.CARBON_SCOPES)
    )
    amount = forms.CharField(label=_("Amount (tCO₂e)"), required=False, max_length=32)


ROW_FORMS = {
    "emissions": EmissionRowForm,
    "hazardous_waste": WasteRowForm,
    "carbon_emissions": CarbonRowForm,
}
EXTRA_ROWS = 2


def table_formset(table: str, *, data=None, rows=None):
    FormSet = forms.formset_factory(
        ROW_FORMS[table], extra=EXTRA_ROWS, max_num=200, absolute_max=200
    )
    return FormSet(data=data, initial=rows or None, prefix=table)


class TemporaryReportForm(forms.Form):
    document_kind = forms.ChoiceField(
        label=_("Kind of document"), choices=BLANK + list(values.DOCUMENT_KINDS)
    )
    document_number = forms.CharField(label=_("Document number"), max_length=100)
    issued_by = forms.CharField(label=_("Issued by"), max_length=100)
    received_on = BoundedDateField(
        label=_("Received on"),
        help_text=_("The deadline is the 5th working day after this date (holidays excluded)."),
    )
    content = forms.CharField(
        label=_("What the document decides and what the enterprise does about it"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=report_format.MAX_TEXT,
    )
    attachments = MultipleFileField(
        label=_("Attach documents"),
        required=False,
        attrs={"accept": DOCUMENT_ACCEPT},
        help_text=_(
            "The document itself or the rectification plan: PDF or Office files, each at most "
            "20 MB. They are published with the report."
        ),
    )


class LegalDocumentForm(forms.Form):
    """The bureau registers a legal document served on an enterprise."""

    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=None)
    document_kind = forms.ChoiceField(
        label=_("Kind of document"), choices=BLANK + list(values.DOCUMENT_KINDS)
    )
    document_number = forms.CharField(label=_("Document number"), max_length=100)
    issued_by = forms.CharField(label=_("Issued by"), max_length=100)
    served_on = BoundedDateField(
        label=_("Served on"),
        help_text=_("The temporary report is due on the 5th working day after this date."),
    )
    note = forms.CharField(
        label=pgettext_lazy("legal document", "Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawing"), max_length=2000)


class AttachmentsForm(forms.Form):
    """Documents added to (and taken out of) a report's draft, sent with the report's form."""

    attachments = MultipleFileField(
        label=_("Attach documents"),
        required=False,
        attrs={"accept": DOCUMENT_ACCEPT},
        help_text=_(
            "PDF or Office files (e.g. the monitoring report, a permit), each at most 20 MB. "
            "They are published with the report when you submit it."
        ),
    )
    attachment_title = forms.CharField(
        label=_("Title of the document"),
        required=False,
        max_length=200,
        help_text=_("For a single file; several files are titled by their file names."),
    )
    remove_attachment = forms.TypedMultipleChoiceField(
        label=_("Remove from the report"),
        coerce=int,
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, attachments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.current = list(attachments)
        self.fields["remove_attachment"].choices = [(a.pk, a.title) for a in self.current]

    def uploads(self) -> list[tuple]:
        files = self.cleaned_data.get("attachments") or []
        title = self.cleaned_data.get("attachment_title", "") if len(files) == 1 else ""
        return [(f, title) for f in files]


class TokenForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=64, required=False)


class ReportImportForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=None)
    year = forms.IntegerField(label=_("Year covered"), min_value=2000, max_value=2100)
    file = forms.FileField(label=_("Workbook (XLSX)"))
    reason = forms.CharField(
        label=_("Reason (for a correction of a report already on file)"),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an .xlsx workbook."))
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class MonitoringImportForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=None)
    file = forms.FileField(label=_("File (XLSX or CSV)"))

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name or credit code"), required=False, max_length=100)
    subdistrict = forms.CharField(required=False, max_length=32)
    industry = forms.ChoiceField(required=False, choices=BLANK + list(values.INDUSTRIES))
    filer = forms.ChoiceField(
        required=False,
        choices=[
            ("", "—"),
            ("mandatory", _("On the list")),
            ("voluntary", _("Voluntary carbon filers")),
        ],
    )
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
