"""Public forms: the report, the tracking look-up and the reporter's follow-up actions."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import process_cache
from portal.forms import EMPTY_CHOICE_LABEL, MultipleFileInput, PlainMessagesMixin
from portal.localize import localized_name
from portal.models import Subdistrict
from portal.phones import PhoneNumberField
from portal.tipoffs.models import REPORTED_PARTY_MAX_LENGTH, Category, Confidentiality
from portal.tipoffs.photos import MAX_PHOTOS, process_upload
from portal.tipoffs.validators import (
    DESCRIPTION_MAX_LENGTH,
    DESCRIPTION_MIN_LENGTH,
    check_report_details,
)


class MultiplePhotoField(forms.FileField):
    """Several photos. Field cleaning only counts them (cheap); decoding and re-encoding is
    ``process``, which the form runs last through ``decode_photos_last``."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp,image/heic", "multiple": True}
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [f for f in files if f]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS})
        return files

    def process(self, files) -> list:
        """Decode, check and clean each upload (``photos.process_upload``): the costly step."""
        cleaned, errors = [], []
        for upload in files:
            try:
                cleaned.append(process_upload(upload))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


def decode_photos_last(form, data: dict, name: str = "photos") -> None:
    """Decode the form's photos only when every other field is valid.

    Decoding an image is the one costly step of a submission; a form whose cheap fields are
    already wrong is refused without opening a single upload, so hostile files cost nothing.
    """
    if form.errors or not data.get(name):
        return
    try:
        data[name] = form.fields[name].process(data[name])
    except ValidationError as exc:
        form.add_error(name, exc)


#: Process-cache name of the active categories (bumped by portal.tipoffs.signals on a change).
CATEGORIES_CACHE = "tipoffs.categories"


def active_categories() -> list[Category]:
    """Active categories with their parents, from this process's copy (read on every report
    form; the list changes a few times a year). Shared objects: never modify them."""
    return process_cache.get(
        CATEGORIES_CACHE,
        None,
        lambda: list(Category.objects.filter(is_active=True).select_related("parent")),
    )


def category_choices(categories=None):
    """Leaf categories grouped under their top level, as <optgroup>s."""
    if categories is None:
        categories = active_categories()
    parents_with_children = {c.parent_id for c in categories if c.parent_id}
    groups: dict[str, list] = {}
    singles = []
    for category in categories:
        if category.parent_id is None and category.pk not in parents_with_children:
            singles.append((category.pk, localized_name(category)))
        elif category.parent_id is not None:
            groups.setdefault(localized_name(category.parent), []).append(
                (category.pk, localized_name(category))
            )
    return [("", EMPTY_CHOICE_LABEL), *groups.items(), *singles]


class TipoffForm(PlainMessagesMixin, forms.Form):
    category = forms.TypedChoiceField(label=_("What kind of pollution?"), coerce=int)
    subdistrict = forms.ModelChoiceField(
        label=_("Sub-district or town"),
        queryset=Subdistrict.objects.filter(is_active=True),
        empty_label=EMPTY_CHOICE_LABEL,
    )
    address = forms.CharField(
        label=_("Where exactly?"),
        max_length=255,
        help_text=_("Road, building, landmark. Only the road is ever published."),
    )
    reported_party = forms.CharField(
        label=_("Unit or factory involved (if you know)"),
        max_length=REPORTED_PARTY_MAX_LENGTH,
        required=False,
        help_text=_(
            "Its name or unified social credit code. Only the staff handling the report see it; "
            "it is never published."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        decimal_places=6,
        max_digits=9,
        widget=forms.HiddenInput,
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        decimal_places=6,
        max_digits=9,
        widget=forms.HiddenInput,
    )
    observed_at = forms.DateTimeField(
        label=_("When did you see it?"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    description = forms.CharField(
        label=_("What did you see, hear or smell?"),
        min_length=DESCRIPTION_MIN_LENGTH,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Who is polluting, how, since when. At least 10 characters."),
    )
    photos = MultiplePhotoField(
        label=_("Photos (up to 6)"),
        required=False,
        help_text=_(
            "JPEG, PNG, WebP or HEIC, at most 10 MB each. Location data is removed before anyone sees them."
        ),
    )
    confidentiality = forms.ChoiceField(
        label=_("Your identity"),
        choices=Confidentiality.choices,
        widget=forms.RadioSelect,
        initial=Confidentiality.REAL_NAME,
    )
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=64, required=False)
    phone = PhoneNumberField(label=_("Mobile phone"), mobile=True, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    consent = forms.BooleanField(
        label=_(
            "I have read the personal-information notice and agree that my details are used to handle this report."
        ),
        required=False,
    )
    # A honeypot instead of a CAPTCHA service: people never see or fill it.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        categories = active_categories()
        self.fields["category"].choices = category_choices(categories)
        self.categories = {c.pk: c for c in categories}
        self.parent_ids = {c.parent_id for c in categories if c.parent_id}
        for category in self.categories.values():
            for question in category.extra_questions or []:
                name = f"extra_{category.code}_{question['key']}"
                label = question.get("label", question["key"])
                if question.get("choices"):
                    field = forms.ChoiceField(
                        label=label,
                        required=False,
                        choices=[("", EMPTY_CHOICE_LABEL)] + [(c, c) for c in question["choices"]],
                    )
                else:
                    field = forms.CharField(label=label, required=False, max_length=500)
                field.category_code = category.code
                field.category_id = category.pk
                self.fields[name] = field

    def extra_fields(self):
        return [self[name] for name in self.fields if name.startswith("extra_")]

    def clean_category(self):
        pk = self.cleaned_data["category"]
        category = self.categories.get(pk)
        if category is None or category.pk in self.parent_ids:
            raise ValidationError(_("Choose a specific category."))
        return category

    def clean_observed_at(self):
        value = self.cleaned_data["observed_at"]
        now = timezone.now()
        if value > now + dt.timedelta(minutes=10):
            raise ValidationError(_("The time cannot be in the future."))
        if value < now - dt.timedelta(days=366):
            raise ValidationError(_("Reports are for the last twelve months."))
        return value

    def clean(self):
        data = self._clean_cheap_fields()
        decode_photos_last(self, data)
        return data

    def _clean_cheap_fields(self):
        data = super().clean()
        if data.get("website"):
            raise ValidationError(_("The form could not be sent."), code="honeypot")
        if data.get("confidentiality") == Confidentiality.REAL_NAME:
            if not data.get("name"):
                self.add_error(
                    "name", _("Give your name for a real-name report, or choose anonymous.")
                )
            if not data.get("phone") and not data.get("email"):
                self.add_error("phone", _("Give a mobile phone number or an email address."))
            if not data.get("consent"):
                self.add_error(
                    "consent",
                    _("Please agree to the personal-information notice, or choose anonymous."),
                )
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            raise ValidationError(_("Give both coordinates or none."))
        category = data.get("category")
        data["extra_answers"] = {}
        if isinstance(category, Category):
            # The same rules as the Open311 API (validators.check_report_details).
            prefix = f"extra_{category.code}_"
            details = check_report_details(
                category.extra_questions,
                description=data.get("description"),
                answers={
                    q["key"]: data.get(prefix + q["key"]) for q in category.extra_questions or []
                },
            )
            for key, messages in details.errors.items():
                name = "description" if key == "description" else prefix + key
                if name not in self.errors:
                    self.add_error(name, messages)
            data["extra_answers"] = details.answers
        return data


class TrackForm(PlainMessagesMixin, forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        help_text=_("The 20-character code you received, e.g. ABCD-EFGH-JKMN-PQRS-TVWX."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class RateForm(PlainMessagesMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the handling?"),
        coerce=int,
        choices=[
            (5, _("5 – very satisfied")),
            (4, _("4 – satisfied")),
            (3, _("3 – neutral")),
            (2, _("2 – dissatisfied")),
            (1, _("1 – very dissatisfied")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(PlainMessagesMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you ask for a review (复查)?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AddInformationForm(PlainMessagesMixin, forms.Form):
    text = forms.CharField(
        label=_("Additional information"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = MultiplePhotoField(label=_("More photos"), required=False)

    def clean(self):
        data = super().clean()
        decode_photos_last(self, data)
        return data
