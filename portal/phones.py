"""Phone numbers through Google's libphonenumber (the ``phonenumbers`` package).

One stored form: E.164 (``+8613812345678``), so ``13812345678``, ``138 1234 5678`` and
``+86 138-1234-5678`` are one number for sign-in by phone (allauth), uniqueness and rate limits.
Numbers without a country code are read as mainland China numbers (``DEFAULT_REGION``); a
landline with its area code (``0812-1234567``) is accepted where a contact number is asked.
Pages show the national format (``138 1234 5678``) for mainland numbers and the
international format for others.
"""

from __future__ import annotations

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_REGION = "CN"
MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def parse_phone(value: str) -> phonenumbers.PhoneNumber | None:
    """The number ``value`` stands for when it is a valid phone number, else None."""
    text = (value or "").strip()
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalize_phone(value: str, *, mobile: bool = False) -> str:
    """``value`` in E.164; "" for an empty value; ValidationError for a number that is not one
    (or, with ``mobile``, not a mobile number)."""
    if not (value or "").strip():
        return ""
    number = parse_phone(value)
    if number is None:
        raise ValidationError(
            _("Enter a valid phone number, e.g. 13812345678 or +86 138 1234 5678."),
            code="invalid_phone",
        )
    if mobile and phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValidationError(_("Enter a mobile phone number."), code="not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def e164_or_original(value: str) -> str:
    """For data migrations: the E.164 form when ``value`` parses, else ``value`` unchanged."""
    number = parse_phone(value)
    if number is None:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str) -> str:
    """How a page shows a stored number: national format for mainland numbers."""
    number = parse_phone(value)
    if number is None:
        return value or ""
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_validator(value: str) -> None:
    """Model and form validator: a valid phone number in any written form."""
    normalize_phone(value)


class PhoneNumberField(forms.CharField):
    """A phone number as people type it; cleaned to E.164."""

    def __init__(self, *, mobile: bool = False, **kwargs) -> None:
        self.mobile = mobile
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalize_phone(super().to_python(value), mobile=self.mobile)
