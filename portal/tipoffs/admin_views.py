"""Staff screens in the Wagtail admin: queues, the case page with its actions, export.

Every view loads reports through ``selectors.tipoffs_for_user`` (a handler sees only their
departments' reports) and changes them only through ``workflow``; the reporter's identity is shown
only on request, to users ``policies.identity_policy`` lets reveal it, and each showing is logged.
Who may do what is ``portal.tipoffs.policies``; the views ask it (through the selectors and the
workflow guards), never a permission string.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, DateColumn, TitleColumn
from wagtail.admin.views import generic

from portal import integration
from portal.models import Department
from portal.storage import private_file_response
from portal.tipoffs import exports, routing, selectors, workflow
from portal.tipoffs.filters import QUEUES, TipoffFilterSet
from portal.tipoffs.models import (
    Finding,
    NotAcceptedReason,
    ReplyTemplate,
    Tipoff,
    TipoffPhoto,
)
from portal.tipoffs.policies import photo_policy, tipoff_policy
from portal.workdays import WorkdayCalendarUnknown


def _require_case_access(request) -> None:
    if not selectors.can_open_cases(request.user):
        raise PermissionDenied


class DepartmentsColumn(Column):
    def get_value(self, instance):
        return "、".join(
            a.department.short_name or a.department.name for a in instance.assignments.all()
        )


class DeadlineColumn(Column):
    def get_value(self, instance):
        if not instance.due_date:
            return ""
        if instance.due_date < timezone.localdate():
            return format_html(
                '{} <span class="w-status w-status--label" style="color:#b3261e">{}</span>',
                instance.due_date.isoformat(),
                _("overdue"),
            )
        return instance.due_date.isoformat()


class TipoffIndexView(generic.IndexView):
    """The case queue: named queues (``?queue=new|mine|due_soon|overdue|open|photos|all``) and
    filters (``TipoffFilterSet``) over ``selectors.tipoffs_for_user``, so a handler lists only
    their departments' reports; CSV/XLSX export (``list_export``, the identity-free columns of
    ``exports.COLUMNS``) for users ``tipoff_policy`` lets export; bulk actions
    (``bulk_actions``) for intake."""

    model = Tipoff
    permission_policy = None  # asked in dispatch: selectors.can_open_cases / can_export
    filterset_class = TipoffFilterSet
    template_name = "tipoffs/admin/index.html"
    results_template_name = "tipoffs/admin/index_results.html"
    index_url_name = "tipoffs_admin:index"
    index_results_url_name = "tipoffs_admin:index_results"
    page_title = gettext_lazy("Pollution reports")
    header_icon = "warning"
    paginate_by = 50
    export_filename = "tipoffs"
    #: Case fields only: the reporter's identity lives in another table this view never reads.
    list_export = [key for key, _fn in exports.COLUMNS]
    export_headings = exports.HEADINGS

    def as_spreadsheet(self, queryset, spreadsheet_format):
        response = super().as_spreadsheet(queryset, spreadsheet_format)
        # What the file holds of personal data, stated with it (docs/privacy.md).
        response[exports.PERSONAL_DATA_HEADER] = exports.PERSONAL_DATA_STATEMENT
        return response

    def dispatch(self, request, *args, **kwargs):
        _require_case_access(request)
        if self.is_export and not selectors.can_export(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def is_intake(self) -> bool:
        return workflow.is_intake(self.request.user)

    @cached_property
    def show_export_buttons(self):
        return selectors.can_export(self.request.user)

    def get_base_queryset(self):
        qs = selectors.tipoffs_for_user(user=self.request.user)
        if self.is_export:
            return qs.prefetch_related("assignments__department")
        return selectors.for_queue_list(qs)

    def order_queryset(self, queryset):
        return queryset  # the queue decides the order (TipoffFilterSet.filter_queryset)

    def filter_queryset(self, queryset):
        # Always: the default queue applies even when another filter's value is refused.
        return self.filters.filter_queryset(queryset)

    def to_row_dict(self, item):
        values = {key: fn(item) for key, fn in exports.COLUMNS}
        return {key: values[key] for key in self.list_export}

    def stream_csv(self, queryset):
        yield "\ufeff"  # Excel opens UTF-8 CSV correctly with a BOM
        yield from super().stream_csv(queryset.iterator(chunk_size=2000))

    @cached_property
    def columns(self):
        columns = [
            TitleColumn(
                "reference",
                label=_("Case"),
                url_name="tipoffs_admin:case",
                sort_key=None,
                get_title_id=lambda instance: f"tipoff_{instance.pk}_title",
            ),
            Column("category", label=_("Category")),
            Column("subdistrict", label=_("Sub-district"), accessor="subdistrict.name"),
            Column("reported_party", label=_("Reported unit")),
            Column("state", label=_("State"), accessor="get_state_display"),
            DepartmentsColumn("departments", label=_("Departments")),
            DeadlineColumn("due_date", label=_("Deadline")),
            DateColumn("submitted_at", label=_("Submitted")),
        ]
        if self.is_intake:
            # Wagtail's bulk-action checkboxes; the actions are portal.tipoffs.bulk_actions.
            columns.insert(0, BulkActionsCheckboxColumn("bulk_actions", obj_type="tipoff"))
        return columns

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            queue=self.filters.current_queue,
            queues=QUEUES,
            is_intake=self.is_intake,
        )
        return context


index = never_cache(TipoffIndexView.as_view())
index_results = never_cache(TipoffIndexView.as_view(results_only=True))


def _ids(values) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) <= 18]


class AcceptForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note to the reporter (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NotAcceptForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=NotAcceptedReason.choices)
    detail = forms.CharField(
        label=gettext_lazy("Where to go instead / explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    master = forms.IntegerField(
        label=gettext_lazy("Case already handling it (number)"),
        required=False,
        min_value=1,
        max_value=2**31 - 1,
    )


class AssignForm(forms.Form):
    departments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Departments (the first ticked leads)"),
        queryset=Department.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=pgettext_lazy("remark", "Note"), required=False)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=gettext_lazy("Days (at most 30)"), min_value=1, max_value=30)
    reason = forms.CharField(
        label=gettext_lazy("Reason (told to the reporter)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ResolveForm(forms.Form):
    finding = forms.ChoiceField(label=gettext_lazy("Finding"), choices=Finding.choices)
    measures = forms.CharField(
        label=gettext_lazy("Measures taken"), widget=forms.Textarea(attrs={"rows": 3})
    )
    penalty_reference = forms.CharField(
        label=gettext_lazy("Penalty decision reference"), required=False
    )
    public_reply = forms.CharField(
        label=gettext_lazy("Reply to the reporter"), widget=forms.Textarea(attrs={"rows": 4})
    )


class NoteForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(
        label=gettext_lazy("Public reply (shown to the reporter)"), required=False
    )


class MergeForm(forms.Form):
    master = forms.IntegerField(
        label=gettext_lazy("Merge into case number"), min_value=1, max_value=2**31 - 1
    )


ACTION_FORMS = {
    "accept": AcceptForm,
    "not_accept": NotAcceptForm,
    "assign": AssignForm,
    "start_investigation": AcceptForm,
    "extend": ExtendForm,
    "resolve": ResolveForm,
    "close": AcceptForm,
    "merge": MergeForm,
}


def _run_action(request, tipoff, action, data):
    user = request.user
    if action == "accept":
        return workflow.tipoff_accept(tipoff=tipoff, actor=user, note=data.get("note", ""))
    if action == "not_accept":
        master = None
        if data.get("master"):
            master = selectors.tipoffs_for_user(user=user).filter(pk=data["master"]).first()
            if master is None:
                raise ValidationError(_("No case with that number."))
        return workflow.tipoff_not_accept(
            tipoff=tipoff,
            actor=user,
            reason=data["reason"],
            detail=data.get("detail", ""),
            master=master,
        )
    if action == "assign":
        return workflow.tipoff_assign(
            tipoff=tipoff,
            actor=user,
            departments=list(data["departments"]),
            note=data.get("note", ""),
        )
    if action == "start_investigation":
        return workflow.tipoff_start_investigation(
            tipoff=tipoff, actor=user, note=data.get("note", "")
        )
    if action == "extend":
        return workflow.tipoff_extend(
            tipoff=tipoff, actor=user, days=data["days"], reason=data["reason"]
        )
    if action == "resolve":
        return workflow.tipoff_resolve(tipoff=tipoff, actor=user, **data)
    if action == "close":
        return workflow.tipoff_close(tipoff=tipoff, actor=user, note=data.get("note", ""))
    if action == "merge":
        master = selectors.tipoffs_for_user(user=user).filter(pk=data["master"]).first()
        if master is None:
            raise ValidationError(_("No case with that number."))
        return workflow.tipoff_merge(tipoff=tipoff, master=master, actor=user)
    raise ValidationError(_("Unknown action."))


@never_cache
@sensitive_variables("identity")
def case(request, pk: int):
    _require_case_access(request)
    tipoff = selectors.tipoff_for_user(user=request.user, pk=pk)
    identity = None
    bound = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "show_identity":
                identity = selectors.reporter_identity_for(
                    user=request.user, tipoff=tipoff, purpose="case page"
                )
                if identity is None:
                    messages.info(request, _("This report is anonymous."))
            elif action == "note":
                form = bound["note"] = NoteForm(request.POST)
                if form.is_valid():
                    workflow.tipoff_add_note(tipoff=tipoff, actor=request.user, **form.cleaned_data)
                    messages.success(request, _("Saved."))
                    return redirect("tipoffs_admin:case", pk=pk)
            elif action == "approve_photo":
                photo_ids = _ids([request.POST.get("photo", "")])
                if not photo_ids:
                    raise Http404
                photo = get_object_or_404(TipoffPhoto, pk=photo_ids[0], tipoff=tipoff)
                workflow.tipoff_approve_photo(
                    photo=photo, actor=request.user, approved=request.POST.get("approved") == "1"
                )
                return redirect("tipoffs_admin:case", pk=pk)
            elif action in ACTION_FORMS:
                if action not in workflow.allowed_actions(request.user, tipoff):
                    raise PermissionDenied
                form = bound[action] = ACTION_FORMS[action](request.POST)
                if form.is_valid():
                    _run_action(request, tipoff, action, form.cleaned_data)
                    messages.success(
                        request, _("Done: %(action)s.") % {"action": workflow.ACTION_LABELS[action]}
                    )
                    return redirect("tipoffs_admin:case", pk=pk)
            else:
                raise PermissionDenied
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except WorkdayCalendarUnknown as exc:
            messages.error(request, str(exc))
        tipoff = selectors.tipoff_for_user(user=request.user, pk=pk)

    actions = workflow.allowed_actions(request.user, tipoff)
    action_forms = []
    for action in actions:
        form = bound.get(action) or ACTION_FORMS[action](prefix=None)
        if action == "assign" and not form.is_bound:
            suggested = routing.suggest_departments(tipoff)
            current = list(tipoff.assignments.values_list("department_id", flat=True))
            form.initial = {"departments": current or [d.pk for d in suggested]}
        action_forms.append((action, workflow.ACTION_LABELS[action], form))
    is_intake = workflow.is_intake(request.user)
    duplicates = []
    if is_intake and tipoff.state in workflow.TRANSITIONS["merge"]:
        duplicates = selectors.similar_open_cases(
            category=tipoff.category,
            subdistrict=tipoff.subdistrict,
            description=tipoff.description,
            latitude=tipoff.latitude,
            longitude=tipoff.longitude,
            exclude_pk=tipoff.pk,
            limit=5,
        )
    state_templates = ReplyTemplate.objects.filter(Q(state=tipoff.state) | Q(state=""))
    return TemplateResponse(
        request,
        "tipoffs/admin/case.html",
        {
            "tipoff": tipoff,
            "events": tipoff.events.select_related("actor", "department"),
            "photos": tipoff.photos.all(),
            "assignments": tipoff.assignments.select_related("department"),
            "merged": tipoff.merged_reports.all(),
            "action_forms": action_forms,
            "note_form": bound.get("note") or NoteForm(),
            "can_write": tipoff_policy.user_has_permission_for_instance(
                request.user, "write", tipoff
            ),
            "is_intake": is_intake,
            "can_view_identity": selectors.can_view_identity(request.user),
            "identity": identity,
            "identity_shown": request.method == "POST"
            and request.POST.get("action") == "show_identity",
            "suggested": routing.suggest_departments(tipoff) if is_intake else [],
            "duplicates": duplicates,
            "reply_templates": state_templates,
            "today": timezone.localdate(),
            # Public information on the unit reported (the enterprise disclosure list): matched
            # by the name the reporter gave and by the address, for the handler.
            "party_aids": integration.tipoff_form_aids(
                request, party=tipoff.reported_party, address=tipoff.address
            ),
        },
    )


@never_cache
def original_photo(request, pk: int):
    """The untouched original (evidence), for intake officers only; each download is logged."""
    photo = get_object_or_404(TipoffPhoto.objects.select_related("tipoff"), pk=pk)
    if not photo_policy.user_has_permission_for_instance(request.user, "view_original", photo):
        raise Http404
    if not photo.original:  # deleted by the retention purge (docs/privacy.md)
        raise Http404
    from portal.tipoffs.models import IdentityAccessLog

    IdentityAccessLog.objects.create(
        tipoff=photo.tipoff, user=request.user, purpose="original photo"
    )
    return private_file_response(
        photo.original.name,
        content_type=photo.original_content_type,
        filename=f"evidence-{photo.pk}-{photo.original_sha256[:12]}",
        as_attachment=True,
    )


@never_cache
def rewards(request):
    cases = selectors.reward_eligible_cases(user=request.user)
    return TemplateResponse(
        request,
        "tipoffs/admin/rewards.html",
        {"cases": cases, "can_view_identity": selectors.can_view_identity(request.user)},
    )
