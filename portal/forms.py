"""Form pieces every app shares."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext as _


class BoundedDateField(forms.DateField):
    """A date input limited to ``EARLIEST``–``LATEST``.

    Filters turn dates into local day bounds or widen periods by days; dates near year 1 or 9999
    would overflow there (a 500), so they are refused with a translated error instead.
    """

    EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is not None and not self.EARLIEST <= value <= self.LATEST:
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s.")
                % {"first": self.EARLIEST.isoformat(), "last": self.LATEST.isoformat()},
                code="out_of_range",
            )
