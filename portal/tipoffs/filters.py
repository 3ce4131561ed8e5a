"""The case queue's filter set (``TipoffFilterSet``, a Wagtail/django-filters filter set).

``queue`` picks one of the named queues the home panels link to (``?queue=new`` …); the other
filters narrow it. A filter with a bad value (a date outside the bounded range) is left out and
its error shown; the queue and the other filters still apply.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet

from portal.forms import BoundedDateField
from portal.models import Department, Subdistrict
from portal.tipoffs import selectors
from portal.tipoffs.models import OPEN_STATES, Category, State, Tipoff, TipoffAssignment

QUEUES = {
    "new": gettext_lazy("New (awaiting decision)"),
    "mine": gettext_lazy("Mine"),
    "due_soon": gettext_lazy("Due within 3 days"),
    "overdue": gettext_lazy("Overdue"),
    "open": gettext_lazy("All open"),
    "photos": gettext_lazy("Photos awaiting approval"),
    "all": gettext_lazy("All"),
}
DEFAULT_QUEUE = "open"
#: Queues about work to do list the nearest deadline first; the others the newest report first.
DEADLINE_QUEUES = ("due_soon", "overdue", "open", "new", "mine")


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class BoundedDateFilter(django_filters.DateFilter):
    # Bounded: dates near year 1 or 9999 overflow when turned into local day bounds.
    field_class = BoundedDateField


class TipoffFilterSet(WagtailFilterSet):
    # The default queue ("All open") first, so the select shows the queue the list shows.
    queue = django_filters.ChoiceFilter(
        label=gettext_lazy("Queue"),
        choices=sorted(QUEUES.items(), key=lambda item: item[0] != DEFAULT_QUEUE),
        empty_label=None,
        method="filter_queue",
    )
    category = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Category"),
        queryset=Category.objects.filter(parent__isnull=True),
        method="filter_category",
    )
    subdistrict = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Sub-district"), queryset=Subdistrict.objects.all()
    )
    state = django_filters.ChoiceFilter(label=gettext_lazy("State"), choices=State.choices)
    department = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Department"),
        queryset=Department.objects.all(),
        method="filter_department",
    )
    date_from = BoundedDateFilter(label=gettext_lazy("Submitted from"), method="filter_date_from")
    date_to = BoundedDateFilter(label=gettext_lazy("Submitted to"), method="filter_date_to")

    class Meta:
        model = Tipoff
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("queue"):
            data = data.copy()
            data["queue"] = DEFAULT_QUEUE
        super().__init__(data, *args, **kwargs)

    @property
    def current_queue(self) -> str:
        """The queue being listed (the default when the given one is not a queue)."""
        self.is_valid()
        return self.form.cleaned_data.get("queue") or DEFAULT_QUEUE

    def filter_queryset(self, queryset):
        """Every valid filter applies, then the queue (the default one when none is valid)."""
        self.is_valid()
        data = {**self.form.cleaned_data, "queue": self.current_queue}
        for name, value in data.items():
            queryset = self.filters[name].filter(queryset, value)
        order = "due_date" if self.current_queue in DEADLINE_QUEUES else "-submitted_at"
        return queryset.order_by(order, "pk")

    def filter_queue(self, queryset, name, queue):
        today = timezone.localdate()
        if queue == "new":
            return queryset.filter(state=State.SUBMITTED)
        if queue == "mine":
            user = self.request.user
            mine = Q(owner=user) | Exists(
                TipoffAssignment.objects.filter(
                    tipoff=OuterRef("pk"), department__memberships__user=user
                )
            )
            return queryset.filter(mine, state__in=OPEN_STATES)
        if queue == "due_soon":
            return queryset.filter(
                state__in=OPEN_STATES,
                due_date__gte=today,
                due_date__lte=today + dt.timedelta(days=3),
            )
        if queue == "overdue":
            return queryset.filter(state__in=OPEN_STATES, due_date__lt=today)
        if queue == "open":
            return queryset.filter(state__in=OPEN_STATES)
        if queue == "photos":
            return queryset.filter(selectors.photos_awaiting_approval_q())
        return queryset  # "all"

    def filter_category(self, queryset, name, top):
        if not top:
            return queryset
        # A top-level category and its subcategories, as an id list the indexes can use.
        ids = [top.pk, *Category.objects.filter(parent=top).values_list("pk", flat=True)]
        return queryset.filter(category_id__in=ids)

    def filter_department(self, queryset, name, department):
        if not department:
            return queryset
        return queryset.filter(
            Exists(TipoffAssignment.objects.filter(tipoff=OuterRef("pk"), department=department))
        )

    # Whole local days as a datetime range, so the submitted_at index applies.
    def filter_date_from(self, queryset, name, day):
        return queryset.filter(submitted_at__gte=_start_of_day(day)) if day else queryset

    def filter_date_to(self, queryset, name, day):
        if not day:
            return queryset
        return queryset.filter(submitted_at__lt=_start_of_day(day + dt.timedelta(days=1)))


class PublicCaseFilterSet(django_filters.FilterSet):
    """The public case list (``tipoffs:cases``): a search box, category (with its
    subcategories), sub-district, status and a date range of submission; newest first.

    Only ever applied to ``selectors.public_cases()``; the search reads public fields only
    (the published road, the measures and the public answer), never the reporter's text."""

    q = django_filters.CharFilter(
        label=gettext_lazy("Search"), method="filter_search", max_length=100
    )
    category = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Category"),
        queryset=Category.objects.filter(parent__isnull=True, is_active=True),
        method="filter_category",
        empty_label=gettext_lazy("All"),
    )
    subdistrict = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Sub-district"),
        queryset=Subdistrict.objects.filter(is_active=True),
        empty_label=gettext_lazy("All"),
    )
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=[(State.RESOLVED, State.RESOLVED.label), (State.CLOSED, State.CLOSED.label)],
        empty_label=gettext_lazy("All"),
    )
    date_from = BoundedDateFilter(label=gettext_lazy("Reported from"), method="filter_date_from")
    date_to = BoundedDateFilter(label=gettext_lazy("Reported until"), method="filter_date_to")

    class Meta:
        model = Tipoff
        fields = ["q", "category", "subdistrict", "state", "date_from", "date_to"]

    filter_category = TipoffFilterSet.filter_category
    filter_date_from = TipoffFilterSet.filter_date_from
    filter_date_to = TipoffFilterSet.filter_date_to

    def filter_search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(public_address__icontains=value)
            | Q(measures__icontains=value)
            | Q(public_reply__icontains=value)
            | Q(category__name__icontains=value)
        )

    @property
    def qs(self):
        # Newest report first (the date the list shows), then the newest answer.
        return super().qs.order_by("-submitted_at", "-pk")
