"""Form pieces every app shares."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core import validators
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy


class BoundedDateField(forms.DateField):
    """A date input limited to ``EARLIEST``–``LATEST``.

    Filters turn dates into local day bounds or widen periods by days; dates near year 1 or 9999
    would overflow there (a 500), so they are refused with a translated error instead.
    """

    EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)

    def __init__(self, **kwargs):
        # An <input type=date> takes ISO dates only, whatever the language formats dates as.
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is not None and not self.EARLIEST <= value <= self.LATEST:
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s.")
                % {"first": self.EARLIEST.isoformat(), "last": self.LATEST.isoformat()},
                code="out_of_range",
            )


#: The empty choice of every public select (请选择), instead of Django's "---------".
EMPTY_CHOICE_LABEL = pgettext_lazy("select empty label", "Please choose")

# Plain-language messages for the public forms, instead of Django's defaults (whose Chinese reads
# 确保该变量…/确保该值…). Keys are Django's error codes.
PLAIN_MESSAGES = {
    "required": gettext_lazy("Please fill this in."),
    "invalid_choice": gettext_lazy("Please choose one of the options in the list."),
    "min_length": gettext_lazy(
        "Please write at least %(limit_value)d characters (you wrote %(show_value)d)."
    ),
    "max_length": gettext_lazy(
        "Please write at most %(limit_value)d characters (you wrote %(show_value)d)."
    ),
    "min_value": gettext_lazy("The smallest allowed value is %(limit_value)s."),
    "max_value": gettext_lazy("The largest allowed value is %(limit_value)s."),
}
FIELD_MESSAGES = {
    forms.EmailField: gettext_lazy("Please give an email address such as name@example.com."),
    forms.DateTimeField: gettext_lazy("Please give a date and time such as 2026-03-05 14:30."),
    forms.DateField: gettext_lazy("Please give a date such as 2026-03-05."),
    forms.IntegerField: gettext_lazy("Please give a whole number."),
    forms.DecimalField: gettext_lazy("Please give a number."),
}
_REQUIRED_CHOICE = gettext_lazy("Please choose one.")
_REQUIRED_FILE = gettext_lazy("Please add a file.")


def _plain_validator(validator):
    for cls, code in (
        (validators.MinLengthValidator, "min_length"),
        (validators.MaxLengthValidator, "max_length"),
        (validators.MinValueValidator, "min_value"),
        (validators.MaxValueValidator, "max_value"),
    ):
        if type(validator) is cls:
            return cls(validator.limit_value, message=PLAIN_MESSAGES[code])
    return validator


class PlainMessagesMixin:
    """Plain Chinese (and English) messages and 请选择 on every field of a public form.

    Replaces Django's default messages (required, too short or long, too small or large, a bad
    date, email or choice) with ours, and the empty choice of selects with ``Please choose``.
    Messages a form sets itself (``error_messages=`` or a validator with its own text) stay.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            plain_field_messages(field)


def plain_field_messages(field) -> None:
    defaults = {}
    for klass in type(field).__mro__:
        defaults.update(getattr(klass, "default_error_messages", {}))
    for code, message in defaults.items():
        # Only Django's own defaults are replaced, never a message the form chose.
        if field.error_messages.get(code) is not message:
            continue
        if code == "required":
            if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                field.error_messages[code] = _REQUIRED_CHOICE
            elif isinstance(field, forms.FileField):
                field.error_messages[code] = _REQUIRED_FILE
            else:
                field.error_messages[code] = PLAIN_MESSAGES["required"]
        elif code in ("invalid_choice", "invalid_list"):
            field.error_messages[code] = PLAIN_MESSAGES["invalid_choice"]
        elif code == "invalid":
            for klass, text in FIELD_MESSAGES.items():
                if isinstance(field, klass):
                    field.error_messages[code] = text
                    break
    field.validators = [_plain_validator(v) for v in field.validators]
    if isinstance(field, forms.ModelChoiceField) and field.empty_label is not None:
        field.empty_label = EMPTY_CHOICE_LABEL
    elif isinstance(field, forms.ChoiceField) and not isinstance(field.widget, forms.RadioSelect):
        choices = list(field.choices)
        if choices and choices[0][0] in ("", None) and choices[0][1] == "---------":
            field.choices = [("", EMPTY_CHOICE_LABEL), *choices[1:]]


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that takes several files (``<input type=file multiple>``)."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploaded files as a list (checking them is the caller's: e.g.
    ``portal.uploads.validate_document_file``)."""

    def __init__(self, *args, attrs=None, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, **(attrs or {})}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [f for f in files if f]
