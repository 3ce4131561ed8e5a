"""Public and officer forms of the disclosure module."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from disclosure import deadlines
from disclosure.models import DisclosureRequest
from disclosure.reply_types import REASON_REQUIRED
from disclosure.validators import validate_credit_code, validate_resident_id
from portal.forms import PlainMessagesMixin
from portal.phones import normalize_phone

ORGANISATION_TYPES = [
    t for t in DisclosureRequest.ApplicantType.values if t != DisclosureRequest.ApplicantType.PERSON
]


class DisclosureRequestForm(PlainMessagesMixin, forms.ModelForm):
    """依申请公开: the public request form. Contact by phone or email is required."""

    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    consent = forms.BooleanField(
        label=_("I have read the personal-information notice above and agree."),
        required=True,
    )

    class Meta:
        model = DisclosureRequest
        fields = [
            "applicant_type",
            "applicant_name",
            "contact_person",
            "id_type",
            "id_number",
            "phone",
            "email",
            "address",
            "description",
            "delivery",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "applicant_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }
        help_texts = {
            "applicant_name": _("Your full name, or the organisation's full name."),
            "contact_person": _("For organisations: who we may contact."),
            "id_number": _(
                "Kept confidential. You will need its last 4 characters to check the status."
            ),
            "description": _(
                "Describe the information as precisely as you can: title, document number, "
                "period, place. At most 2,000 characters."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4())
        for name in ("applicant_name", "id_number", "description"):
            self.fields[name].widget.attrs.setdefault(
                "maxlength", self.fields[name].max_length or 2000
            )
        self.fields["id_number"].widget.attrs["autocomplete"] = "off"

    def clean_id_number(self):
        return self.cleaned_data["id_number"].strip().upper().replace(" ", "")

    def clean_phone(self):
        # A mobile or a landline with its area code, stored in E.164.
        return normalize_phone(self.cleaned_data.get("phone", ""))

    def clean(self):
        cleaned = super().clean()
        id_type, id_number = cleaned.get("id_type"), cleaned.get("id_number")
        applicant_type = cleaned.get("applicant_type")
        if id_type and id_number:
            try:
                if id_type == DisclosureRequest.IdType.RESIDENT_ID:
                    validate_resident_id(id_number)
                elif id_type == DisclosureRequest.IdType.CREDIT_CODE:
                    validate_credit_code(id_number)
                elif len(id_number) < 5:
                    raise ValidationError(_("The ID number is too short."))
            except ValidationError as exc:
                self.add_error("id_number", exc)
        if applicant_type in ORGANISATION_TYPES and id_type not in (
            DisclosureRequest.IdType.CREDIT_CODE,
            DisclosureRequest.IdType.OTHER,
        ):
            self.add_error(
                "id_type", _("An organisation applies with its unified social credit code.")
            )
        if (
            applicant_type == DisclosureRequest.ApplicantType.PERSON
            and id_type == DisclosureRequest.IdType.CREDIT_CODE
        ):
            self.add_error(
                "id_type", _("A natural person applies with a personal identity document.")
            )
        if not cleaned.get("phone") and not cleaned.get("email"):
            raise ValidationError(_("Give a phone number or an email address so we can reply."))
        if cleaned.get("delivery") == DisclosureRequest.Delivery.EMAIL and not cleaned.get("email"):
            self.add_error("email", _("Delivery by email needs an email address."))
        if cleaned.get("delivery") == DisclosureRequest.Delivery.POST and not cleaned.get(
            "address"
        ):
            self.add_error("address", _("Delivery by post needs a postal address."))
        return cleaned


class RequestStatusForm(PlainMessagesMixin, forms.Form):
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=20)
    id_last4 = forms.CharField(
        label=_("Last 4 characters of the ID number"), min_length=4, max_length=4
    )


# --- Officer forms (admin workflow) ----------------------------------------------------------


class OnDateForm(forms.Form):
    on_date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
        help_text=_("Leave empty for today."),
    )

    def clean_on_date(self):
        on_date = self.cleaned_data.get("on_date")
        if on_date and on_date > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return on_date


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    note = forms.CharField(label=pgettext_lazy("remark", "Note"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from portal.models import Department

        self.fields["department"].queryset = Department.objects.filter(is_active=True)


class NoteForm(OnDateForm):
    note = forms.CharField(
        label=pgettext_lazy("remark", "Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class OptionalNoteForm(OnDateForm):
    note = forms.CharField(
        label=pgettext_lazy("remark", "Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class ExtendForm(OnDateForm):
    days = forms.IntegerField(
        label=_("Working days"),
        min_value=1,
        max_value=deadlines.MAX_EXTENSION_DAYS,
        initial=deadlines.MAX_EXTENSION_DAYS,
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ReplyForm(OnDateForm):
    reply_type = forms.ChoiceField(
        label=_("Reply type (Art. 36)"), choices=DisclosureRequest.ReplyType.choices
    )
    text = forms.CharField(
        label=_("Reply"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000
    )
    reason = forms.CharField(
        label=_("Legal basis and reasons"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
        help_text=_("Required for every reply except full disclosure."),
    )
    documents = forms.ModelMultipleChoiceField(
        label=_("Attachments"),
        queryset=None,
        required=False,
        help_text=_("Documents from the document library to send with the reply."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from wagtail.documents import get_document_model

        self.fields["documents"].queryset = get_document_model().objects.order_by("-created_at")

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("reply_type") in REASON_REQUIRED
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error("reason", _("This reply type must state its legal basis and reasons."))
        return cleaned
