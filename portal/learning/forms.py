from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.forms import BoundedDateField
from portal.learning.models import PointsAccount
from portal.models import Subdistrict


class ProfileForm(forms.ModelForm):
    """The learner's leaderboard settings: a nickname (never the real name) and the opt-in."""

    class Meta:
        model = PointsAccount
        fields = ["nickname", "subdistrict", "on_leaderboard"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subdistrict"].queryset = Subdistrict.objects.filter(is_active=True)
        self.fields["subdistrict"].help_text = _(
            "Where you live; used for the sub-district leaderboard and statistics."
        )
        self.fields["nickname"].widget.attrs.update({"autocomplete": "nickname", "maxlength": 20})

    def clean_nickname(self):
        nickname = " ".join(self.cleaned_data.get("nickname", "").split())
        if sum(ch.isdigit() for ch in nickname) >= 6:
            raise forms.ValidationError(_("Please do not use a phone number as your nickname."))
        if "@" in nickname:
            raise forms.ValidationError(_("Please do not use an email address as your nickname."))
        return nickname

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("on_leaderboard") and not cleaned.get("nickname"):
            self.add_error("nickname", _("Choose a nickname to appear on the leaderboard."))
        return cleaned


class LeaderboardForm(forms.Form):
    PERIODS = [("month", _("This month")), ("all", _("All time"))]

    subdistrict = forms.ModelChoiceField(
        label=_("Sub-district"),
        queryset=Subdistrict.objects.filter(is_active=True),
        required=False,
        empty_label=_("All sub-districts"),
    )
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)


class StatisticsFilterForm(forms.Form):
    # Bounded: dates near year 1 or 9999 overflow when the period is widened or turned into day
    # bounds.
    date_from = BoundedDateField(label=_("From"), required=False)
    date_to = BoundedDateField(label=pgettext_lazy("date range", "To"), required=False)

    MAX_DAYS = 366

    def period(self) -> tuple[dt.date, dt.date]:
        today = timezone.localdate()
        date_to = today
        date_from = today - dt.timedelta(days=29)
        if self.is_valid():
            date_to = self.cleaned_data.get("date_to") or date_to
            date_from = self.cleaned_data.get("date_from") or date_to - dt.timedelta(days=29)
        if date_from > date_to:
            date_from, date_to = date_to, date_from
        if (date_to - date_from).days >= self.MAX_DAYS:
            date_from = date_to - dt.timedelta(days=self.MAX_DAYS - 1)
        return date_from, date_to
