"""The request queue's filter set (``RequestFilterSet``, a Wagtail/django-filters filter set).

``queue`` picks one of the named queues the officer's start panel links to (``?queue=overdue``
…, rules in ``selectors.in_request_queue``); the other filters narrow it. A filter with a bad
value (a date outside the bounded range) is left out and its error shown; the rest still apply.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy, pgettext_lazy
from wagtail.admin.filters import WagtailFilterSet

from disclosure import selectors
from disclosure.models import DisclosureRequest
from portal.forms import BoundedDateField
from portal.models import Department

QUEUES = {
    "open": gettext_lazy("All open"),
    "overdue": gettext_lazy("Overdue"),
    "due_soon": gettext_lazy("Due within 5 working days"),
    "paused": gettext_lazy("Clock stopped (supplement or consultation)"),
    "answered": gettext_lazy("Answered (replied or closed)"),
    "all": gettext_lazy("All"),
}
DEFAULT_QUEUE = "open"
#: Open work lists the nearest deadline first; the answered the latest reply first.
DEADLINE_QUEUES = ("open", "overdue", "due_soon", "paused")


class BoundedDateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class RequestFilterSet(WagtailFilterSet):
    queue = django_filters.ChoiceFilter(
        label=gettext_lazy("Queue"),
        choices=list(QUEUES.items()),
        empty_label=None,
        method="filter_queue",
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=DisclosureRequest.Status.choices
    )
    department = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Department"), queryset=Department.objects.all()
    )
    reply_type = django_filters.ChoiceFilter(
        label=gettext_lazy("Reply type"), choices=DisclosureRequest.ReplyType.choices
    )
    applicant_type = django_filters.ChoiceFilter(
        label=gettext_lazy("Applicant type"), choices=DisclosureRequest.ApplicantType.choices
    )
    received_from = BoundedDateFilter(
        label=pgettext_lazy("disclosure request", "Received from"),
        field_name="received_on",
        lookup_expr="gte",
    )
    received_to = BoundedDateFilter(
        label=pgettext_lazy("disclosure request", "Received to"),
        field_name="received_on",
        lookup_expr="lte",
    )

    class Meta:
        model = DisclosureRequest
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("queue"):
            data = data.copy()
            data["queue"] = DEFAULT_QUEUE
        super().__init__(data, *args, **kwargs)

    @property
    def current_queue(self) -> str:
        self.is_valid()
        return self.form.cleaned_data.get("queue") or DEFAULT_QUEUE

    def filter_queryset(self, queryset):
        """Every valid filter applies, then the queue (the default one when none is valid)."""
        self.is_valid()
        data = {**self.form.cleaned_data, "queue": self.current_queue}
        for name, value in data.items():
            queryset = self.filters[name].filter(queryset, value)
        if self.current_queue in DEADLINE_QUEUES:
            return queryset.order_by("due_on", "received_on", "pk")
        return queryset.order_by("-replied_on", "-pk")

    def filter_queue(self, queryset, name, queue):
        return selectors.in_request_queue(queryset, queue)
