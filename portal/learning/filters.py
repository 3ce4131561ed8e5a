"""The learning statistics' filter set: the period (``date_from``/``date_to``).

The period does not drop rows: it is what the sub-district rows (and the charts above them)
are counted over. ``period()`` applies the form's rules: the last 30 days by default, the two
dates swapped when reversed, at most 366 days (``forms.StatisticsFilterForm``).
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.utils.translation import gettext_lazy, pgettext_lazy
from wagtail.admin.filters import WagtailFilterSet

from portal.forms import BoundedDateField
from portal.learning.forms import StatisticsFilterForm
from portal.models import Subdistrict


class PeriodFilter(django_filters.DateFilter):
    field_class = BoundedDateField

    def filter(self, qs, value):
        return qs  # the period is counted over, see the module docstring


class StatisticsFilterSet(WagtailFilterSet):
    date_from = PeriodFilter(label=gettext_lazy("From"))
    date_to = PeriodFilter(label=pgettext_lazy("date range", "To"))

    class Meta:
        model = Subdistrict
        fields = []

    def period(self) -> tuple[dt.date, dt.date]:
        return StatisticsFilterForm(self.data or None).period()
