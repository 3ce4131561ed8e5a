"""Bulk actions on the case queue (Wagtail's ``BulkAction``, registered in wagtail_hooks.py).

"Accept and assign": the intake officer ticks reports in the queue, picks the departments on
the confirmation page, and each report goes through ``workflow.tipoffs_bulk_assign`` — the
transition core, with the tip-off policy asked per report, one transaction per report. A report
that refuses (wrong state, no permission) is named in its own message; the others go through.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.bulk_action import BulkAction

from portal.models import Department
from portal.tipoffs import selectors, workflow
from portal.tipoffs.models import State, Tipoff
from portal.tipoffs.policies import tipoff_policy


def _ids(values) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) <= 18]


class BulkAssignForm(forms.Form):
    departments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Departments (the first ticked leads)"),
        queryset=Department.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose reports and at least one department.")},
    )


class TipoffBulkAssign(BulkAction):
    """Accept (when still submitted) and assign the ticked reports, each on its own."""

    display_name = gettext_lazy("Accept and assign")
    action_type = "assign"
    aria_label = gettext_lazy("Accept and assign the selected reports")
    template_name = "tipoffs/admin/bulk_assign.html"
    form_class = BulkAssignForm
    action_priority = 10
    models = [Tipoff]

    def __init__(self, request, model):
        super().__init__(request, model)
        if not get_valid_next_url_from_request(request):
            self.next_url = reverse("tipoffs_admin:index")  # never another site, never here

    def dispatch(self, request, *args, **kwargs):
        if not tipoff_policy.user_has_permission(request.user, "intake"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_all_objects_in_listing_query(self, parent_id):
        return selectors.tipoffs_for_user(user=self.request.user).values_list("pk", flat=True)

    def get_actionable_objects(self):
        """The ticked reports this user can see (others do not exist for them); the ones the
        assign step does not allow now are listed apart, and refused again when run."""
        ids = self.request.GET.getlist("id")
        ids = list(self.get_all_objects_in_listing_query(None)) if "all" in ids else _ids(ids)
        visible = selectors.tipoffs_for_user(user=self.request.user).filter(pk__in=ids)
        objects, refused = [], []
        for tipoff in visible.select_related("category").order_by("pk"):
            (objects if self.check_perm(tipoff) else refused).append(tipoff)
        return objects, {"items_with_no_access": refused}

    def check_perm(self, tipoff):
        # Accepted first when still submitted, then assigned: both need the intake right and
        # a state the assign step starts from (or "submitted").
        return tipoff_policy.user_has_permission_for_instance(
            self.request.user, "intake", tipoff
        ) and tipoff.state in {*workflow.TRANSITIONS["assign"], State.SUBMITTED}

    def object_context(self, tipoff):
        return {
            "item": tipoff,
            "url": reverse("tipoffs_admin:case", args=[tipoff.pk]),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["header_icon"] = "warning"
        return context

    @classmethod
    def execute_action(cls, objects, user=None, departments=(), **kwargs):
        return workflow.tipoffs_bulk_assign(tipoffs=objects, actor=user, departments=departments)

    def form_valid(self, form):
        """Run per report (not Wagtail's one transaction for all): each report commits or
        refuses on its own, and each refusal is reported with the report's number."""
        objects, without_access = self.get_actionable_objects()
        tried = objects + without_access["items_with_no_access"]
        if not tried:
            messages.error(self.request, _("Choose reports and at least one department."))
            return redirect(self.next_url)
        done, skipped = self.execute_action(
            tried, user=self.request.user, departments=list(form.cleaned_data["departments"])
        )
        if done:
            messages.success(
                self.request,
                ngettext("%(n)d report assigned.", "%(n)d reports assigned.", len(done))
                % {"n": len(done)},
            )
        for tipoff, reason in skipped:
            messages.warning(
                self.request,
                _("%(reference)s not assigned: %(reason)s")
                % {"reference": tipoff.reference, "reason": reason},
            )
        return redirect(self.next_url)
