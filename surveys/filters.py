"""Filter sets of the survey staff lists (Wagtail/django-filters filter sets): the fieldwork
list (status, respondent mode, year) and a survey's releases (publication dates, margins)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy, pgettext_lazy
from wagtail.admin.filters import WagtailFilterSet

from portal.forms import BoundedDateField
from surveys.models import Survey, SurveyRelease


class BoundedDateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class FieldworkFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=Survey.Status.choices
    )
    respondent_mode = django_filters.ChoiceFilter(
        label=gettext_lazy("Mode"), choices=Survey.Mode.choices
    )
    year = django_filters.NumberFilter(
        label=pgettext_lazy("survey", "Year"), min_value=1900, max_value=2999
    )

    class Meta:
        model = Survey
        fields = []


class ReleaseFilterSet(WagtailFilterSet):
    published_from = BoundedDateFilter(
        label=pgettext_lazy("survey release", "Published from"),
        field_name="published_at",
        lookup_expr="date__gte",
    )
    published_to = BoundedDateFilter(
        label=pgettext_lazy("survey release", "Published to"),
        field_name="published_at",
        lookup_expr="date__lte",
    )
    margins_illustrative = django_filters.BooleanFilter(label=gettext_lazy("Illustrative margins"))

    class Meta:
        model = SurveyRelease
        fields = []
