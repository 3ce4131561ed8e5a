"""Staff screens in the Wagtail admin: queues, the case page with its actions, bulk assign, export.

Every view loads reports through ``selectors.tipoffs_for_user`` (a handler sees only their
departments' reports) and changes them only through ``workflow``; the reporter's identity is shown
only on request, to users ``policies.identity_policy`` lets reveal it, and each showing is logged.
Who may do what is ``portal.tipoffs.policies``; the views ask it (through the selectors and the
workflow guards), never a permission string.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables

from portal.forms import BoundedDateField
from portal.models import Department, Subdistrict
from portal.redirects import safe_next
from portal.storage import private_file_response
from portal.tipoffs import exports, routing, selectors, workflow
from portal.tipoffs.models import (
    OPEN_STATES,
    Category,
    Finding,
    NotAcceptedReason,
    ReplyTemplate,
    State,
    TipoffAssignment,
    TipoffPhoto,
)
from portal.tipoffs.policies import photo_policy, tipoff_policy
from portal.workdays import WorkdayCalendarUnknown

QUEUES = {
    "new": gettext_lazy("New (awaiting decision)"),
    "mine": gettext_lazy("Mine"),
    "due_soon": gettext_lazy("Due within 3 days"),
    "overdue": gettext_lazy("Overdue"),
    "open": gettext_lazy("All open"),
    "photos": gettext_lazy("Photos awaiting approval"),
    "all": gettext_lazy("All"),
}


class CaseFilterForm(forms.Form):
    # The default queue ("All open") first, so the select shows the queue the list shows.
    queue = forms.ChoiceField(
        label=gettext_lazy("Queue"),
        choices=sorted(QUEUES.items(), key=lambda item: item[0] != "open"),
        required=False,
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.filter(parent__isnull=True),
        required=False,
    )
    subdistrict = forms.ModelChoiceField(
        label=gettext_lazy("Sub-district"), queryset=Subdistrict.objects.all(), required=False
    )
    state = forms.ChoiceField(
        label=gettext_lazy("State"), choices=[("", "---------"), *State.choices], required=False
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Department.objects.all(), required=False
    )
    # Bounded: dates near year 1 or 9999 overflow when turned into local day bounds.
    date_from = BoundedDateField(label=gettext_lazy("Submitted from"), required=False)
    date_to = BoundedDateField(label=gettext_lazy("Submitted to"), required=False)


def _require_case_access(request) -> None:
    if not selectors.can_open_cases(request.user):
        raise PermissionDenied


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered_cases(request):
    """The queue + filters applied to the reports this user may see."""
    form = CaseFilterForm(request.GET or None, initial={"queue": "open"})
    qs = selectors.tipoffs_for_user(user=request.user)
    queue = "open"
    today = timezone.localdate()
    if form.is_valid():
        data = form.cleaned_data
        queue = data.get("queue") or queue
        if data.get("category"):
            # A top-level category and its subcategories, as an id list the indexes can use.
            top = data["category"]
            ids = [top.pk, *Category.objects.filter(parent=top).values_list("pk", flat=True)]
            qs = qs.filter(category_id__in=ids)
        if data.get("subdistrict"):
            qs = qs.filter(subdistrict=data["subdistrict"])
        if data.get("state"):
            qs = qs.filter(state=data["state"])
        if data.get("department"):
            qs = qs.filter(
                Exists(
                    TipoffAssignment.objects.filter(
                        tipoff=OuterRef("pk"), department=data["department"]
                    )
                )
            )
        # Whole local days as a datetime range, so the submitted_at index applies.
        if data.get("date_from"):
            qs = qs.filter(submitted_at__gte=_start_of_day(data["date_from"]))
        if data.get("date_to"):
            qs = qs.filter(submitted_at__lt=_start_of_day(data["date_to"] + dt.timedelta(days=1)))
    if queue == "new":
        qs = qs.filter(state=State.SUBMITTED)
    elif queue == "mine":
        mine = Q(owner=request.user) | Exists(
            TipoffAssignment.objects.filter(
                tipoff=OuterRef("pk"), department__memberships__user=request.user
            )
        )
        qs = qs.filter(mine, state__in=OPEN_STATES)
    elif queue == "due_soon":
        qs = qs.filter(
            state__in=OPEN_STATES, due_date__gte=today, due_date__lte=today + dt.timedelta(days=3)
        )
    elif queue == "overdue":
        qs = qs.filter(state__in=OPEN_STATES, due_date__lt=today)
    elif queue == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif queue == "photos":
        qs = qs.filter(selectors.photos_awaiting_approval_q())
    order = (
        "due_date" if queue in ("due_soon", "overdue", "open", "new", "mine") else "-submitted_at"
    )
    return form, queue, qs.order_by(order, "pk")


@never_cache
def index(request):
    _require_case_access(request)
    form, queue, qs = filtered_cases(request)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        if not selectors.can_export(request.user):
            raise PermissionDenied
        return exports.export_response(qs, fmt=export, user=request.user)
    page = Paginator(selectors.for_queue_list(qs), 50).get_page(request.GET.get("p"))
    page.object_list = list(page.object_list)
    state_labels = dict(State.choices)  # once, not get_state_display's choice dict per row
    for row in page.object_list:
        row.state_label = state_labels.get(row.state, row.state)
    is_intake = workflow.is_intake(request.user)
    query = request.GET.copy()
    query.pop("p", None)
    return TemplateResponse(
        request,
        "tipoffs/admin/index.html",
        {
            "form": form,
            "queue": queue,
            "queues": QUEUES,
            "page_obj": page,
            "today": timezone.localdate(),
            "is_intake": is_intake,
            "departments": Department.objects.filter(is_active=True) if is_intake else [],
            "can_export": selectors.can_export(request.user),
            "querystring": query.urlencode(),
        },
    )


@never_cache
def bulk_assign(request):
    if request.method != "POST":
        return redirect("tipoffs_admin:index")
    if not workflow.is_intake(request.user):
        raise PermissionDenied
    ids = _ids(request.POST.getlist("ids"))
    departments = list(Department.objects.filter(pk__in=_ids(request.POST.getlist("departments"))))
    target = safe_next(request, reverse("tipoffs_admin:index"))
    cases = list(selectors.tipoffs_for_user(user=request.user).filter(pk__in=ids))
    if not cases or not departments:
        messages.error(request, _("Choose reports and at least one department."))
        return redirect(target)
    done, skipped = workflow.tipoffs_bulk_assign(
        tipoffs=cases, actor=request.user, departments=departments
    )
    messages.success(request, _("%(n)d reports assigned.") % {"n": len(done)})
    for case, reason in skipped:
        messages.warning(request, f"{case.reference}: {reason}")
    return redirect(target)


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
        },
    )


@never_cache
def original_photo(request, pk: int):
    """The untouched original (evidence), for intake officers only; each download is logged."""
    photo = get_object_or_404(TipoffPhoto.objects.select_related("tipoff"), pk=pk)
    if not photo_policy.user_has_permission_for_instance(request.user, "view_original", photo):
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
