"""The officer's request workflow in the Wagtail admin: the queue (a Wagtail ``IndexView`` with
a filter set and a safe export) and one page per request with the steps the transition table
(``workflow.MACHINE``) and the request policy allow now."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic

from disclosure import deadlines, forms, selectors, workflow
from disclosure.filters import QUEUES, RequestFilterSet
from disclosure.models import DisclosureRequest
from disclosure.policies import request_policy

Status = DisclosureRequest.Status

#: The request page's action panel: action -> form. Which of them a user sees on a request is
#: the transition table's answer (``workflow.MACHINE.is_allowed``: from-status and policy).
ACTIONS = {
    "assign": forms.AssignForm,
    "ask_supplement": forms.NoteForm,
    "receive_supplement": forms.OptionalNoteForm,
    "start_consultation": forms.NoteForm,
    "end_consultation": forms.OptionalNoteForm,
    "extend": forms.ExtendForm,
    "reply": forms.ReplyForm,
    "redirect": forms.NoteForm,
    "close": forms.OptionalNoteForm,
    "note": forms.NoteForm,
}
#: Panel action -> the transition it runs (where the names differ).
TRANSITION_OF = {"note": "add_note"}
ACTION_LABELS = {
    "assign": _("Assign to a department"),
    "ask_supplement": _("Ask for a supplement (补正, Art. 30)"),
    "receive_supplement": _("Supplement received: restart the clock"),
    "start_consultation": _("Consult a third party (Art. 32, clock paused)"),
    "end_consultation": _("End the consultation: resume the clock"),
    "extend": _("Extend the deadline (Art. 33)"),
    "reply": _("Reply (Art. 36)"),
    "redirect": _("Redirect a complaint (Art. 39)"),
    "close": pgettext_lazy("disclosure request action", "Close"),
    "note": _("Add a note"),
}


def _check(request):
    if not selectors.can_process_requests(request.user):
        raise PermissionDenied


def _day(value):
    return value.isoformat() if value else ""


#: The queue's export: the request's handling, never the applicant (no name, ID number,
#: contacts or the text of the request, which may name people). ``(key, heading, value)``.
EXPORT_COLUMNS = (
    ("tracking_number", gettext_lazy("Tracking number"), lambda r: r.tracking_number),
    ("applicant_type", gettext_lazy("Applicant type"), lambda r: r.get_applicant_type_display()),
    ("status", gettext_lazy("Status"), lambda r: r.get_status_display()),
    ("received_on", gettext_lazy("Received"), lambda r: _day(r.received_on)),
    ("due_on", gettext_lazy("Due"), lambda r: _day(r.due_on)),
    ("extension_days", gettext_lazy("Extension (working days)"), lambda r: r.extension_days),
    ("department", gettext_lazy("Department"), lambda r: r.department.name if r.department else ""),
    ("reply_type", gettext_lazy("Reply type"), lambda r: r.get_reply_type_display()),
    ("replied_on", gettext_lazy("Replied on"), lambda r: _day(r.replied_on)),
    ("closed_on", gettext_lazy("Closed on"), lambda r: _day(r.closed_on)),
    (
        "redirected",
        gettext_lazy("Redirected (Art. 39)"),
        lambda r: _("yes") if r.redirected else "",
    ),
)
#: Fields of ``DisclosureRequest`` that identify the applicant; never exported (tests check).
IDENTITY_FIELDS = (
    "applicant_name",
    "contact_person",
    "id_number",
    "id_last4",
    "phone",
    "email",
    "address",
    "description",
)


class DaysLeftColumn(Column):
    """Working days left, or how far overdue (one calendar for the page)."""

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.calendar = deadlines.WorkdayCalendar()

    def get_value(self, instance):
        left = selectors.working_days_left(instance, today=self.today, calendar=self.calendar)
        if left is None:
            return "—"
        if left < 0:
            return format_html(
                '<strong class="overdue">{}</strong>',
                ngettext("overdue by %(n)s working day", "overdue by %(n)s working days", -left)
                % {"n": -left},
            )
        return left


class RequestIndexView(generic.IndexView):
    """The request queue: named queues (``?queue=open|overdue|due_soon|paused|answered|all``)
    and filters (``filters.RequestFilterSet``) over ``selectors.requests_for_user``, with a
    CSV/XLSX export of the identity-free ``EXPORT_COLUMNS``."""

    model = DisclosureRequest
    permission_policy = None  # asked in dispatch: request_policy "process" / "export"
    filterset_class = RequestFilterSet
    template_name = "disclosure/admin/request_queue.html"
    results_template_name = "disclosure/admin/request_queue_results.html"
    index_url_name = "disclosure_admin:queue"
    index_results_url_name = "disclosure_admin:queue_results"
    page_title = gettext_lazy("Disclosure requests")
    header_icon = "mail"
    paginate_by = 50
    export_filename = "disclosure-requests"
    list_export = [key for key, _h, _fn in EXPORT_COLUMNS]
    export_headings = {key: heading for key, heading, _fn in EXPORT_COLUMNS}

    def dispatch(self, request, *args, **kwargs):
        _check(request)
        if self.is_export and not request_policy.user_has_permission(request.user, "export"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def show_export_buttons(self):
        return request_policy.user_has_permission(self.request.user, "export")

    def get_base_queryset(self):
        return selectors.requests_for_user(user=self.request.user)

    def order_queryset(self, queryset):
        return queryset  # the queue decides the order (RequestFilterSet.filter_queryset)

    def filter_queryset(self, queryset):
        return self.filters.filter_queryset(queryset)

    def to_row_dict(self, item):
        return {key: fn(item) for key, _h, fn in EXPORT_COLUMNS}

    def stream_csv(self, queryset):
        yield "\ufeff"  # Excel opens UTF-8 CSV correctly with a BOM
        yield from super().stream_csv(queryset.iterator(chunk_size=2000))

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "tracking_number",
                label=_("Tracking number"),
                url_name="disclosure_admin:detail",
                sort_key=None,
            ),
            Column("applicant_name", label=_("Applicant")),
            Column("status", label=_("Status"), accessor="get_status_display"),
            # Plain dates: a deadline reads as a day, never as "in 3 days" / "just now".
            Column("received_on", label=_("Received"), accessor=lambda r: _day(r.received_on)),
            Column("due_on", label=_("Due"), accessor=lambda r: _day(r.due_on) or "—"),
            DaysLeftColumn("days_left", label=_("Working days left"), today=timezone.localdate()),
            Column("department", label=_("Department"), accessor="department.name"),
            Column("reply_type", label=_("Reply type"), accessor="get_reply_type_display"),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(queue=self.filters.current_queue, queues=QUEUES, today=timezone.localdate())
        return context


queue = never_cache(RequestIndexView.as_view())
queue_results = never_cache(RequestIndexView.as_view(results_only=True))


def _run(action: str, req, user, data: dict):
    on_date = data.get("on_date") or None
    if action == "assign":
        return workflow.request_assign(
            request=req, department=data["department"], actor=user, note=data.get("note", "")
        )
    if action == "ask_supplement":
        return workflow.request_ask_supplement(
            request=req, actor=user, note=data["note"], on_date=on_date
        )
    if action == "receive_supplement":
        return workflow.request_receive_supplement(
            request=req, actor=user, note=data.get("note", ""), on_date=on_date
        )
    if action == "start_consultation":
        return workflow.request_start_consultation(
            request=req, actor=user, note=data["note"], on_date=on_date
        )
    if action == "end_consultation":
        return workflow.request_end_consultation(
            request=req, actor=user, note=data.get("note", ""), on_date=on_date
        )
    if action == "extend":
        return workflow.request_extend(
            request=req, actor=user, days=data["days"], reason=data["reason"], on_date=on_date
        )
    if action == "reply":
        return workflow.request_reply(
            request=req,
            actor=user,
            reply_type=data["reply_type"],
            text=data["text"],
            reason=data.get("reason", ""),
            documents=data.get("documents") or (),
            on_date=on_date,
        )
    if action == "redirect":
        return workflow.request_redirect(
            request=req, actor=user, note=data["note"], on_date=on_date
        )
    if action == "close":
        return workflow.request_close(
            request=req, actor=user, note=data.get("note", ""), on_date=on_date
        )
    if action == "note":
        return workflow.request_add_note(request=req, actor=user, note=data["note"])
    raise PermissionDenied


def _still_possible(action: str, req) -> bool:
    """Hide the once-only steps that the law no longer allows (the service refuses them too)."""
    if action == "extend":
        return not req.extension_days
    if action == "ask_supplement":
        # Not hidden after day 7: a timely request made on paper may be recorded later, dated.
        return req.supplement_requested_on is None
    return True


@never_cache
@require_http_methods(["GET", "POST"])
def detail(request, pk: int):
    _check(request)
    req = selectors.request_for_user(user=request.user, pk=pk)
    bound_action = request.POST.get("action") if request.method == "POST" else None
    revealed_id = None
    if bound_action == "reveal_id":
        # Shown in this response only; the reveal is logged (portal.privacy.DataReveal).
        revealed_id = selectors.reveal_id_number(
            user=request.user, request_obj=req, purpose=request.POST.get("purpose", "")
        )
        bound_action = None
    action_forms = []
    for name, form_class in ACTIONS.items():
        step = TRANSITION_OF.get(name, name)
        if not workflow.MACHINE.is_allowed(step, req, request.user):
            continue
        if not _still_possible(name, req):
            continue
        if name == bound_action:
            form = form_class(request.POST, prefix=name)
        else:
            form = form_class(prefix=name)
        action_forms.append((name, ACTION_LABELS[name], form))
    if bound_action:
        form = next((f for n, _l, f in action_forms if n == bound_action), None)
        if form is None:
            messages.error(
                request, _("This action is not available in the request's current state.")
            )
            return redirect("disclosure_admin:detail", pk=req.pk)
        if form.is_valid():
            try:
                _run(bound_action, req, request.user, form.cleaned_data)
            except workflow.TransitionError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request, _("Saved: %(action)s.") % {"action": ACTION_LABELS[bound_action]}
                )
                return redirect("disclosure_admin:detail", pk=req.pk)
    days_left = None
    if req.due_on and req.is_open and req.status != Status.SUPPLEMENT_REQUESTED:
        days_left = deadlines.working_days_left(req.due_on, timezone.localdate())
    return render(
        request,
        "disclosure/admin/request_detail.html",
        {
            "page_title": req.tracking_number,
            "header_title": req.tracking_number,
            "header_icon": "mail",
            "req": req,
            "events": req.events.select_related("actor").order_by("at", "pk"),
            "attachments": req.reply_attachments.select_related("document"),
            "action_forms": action_forms,
            "bound_action": bound_action,
            "days_left": days_left if days_left is None or days_left >= 0 else None,
            "days_overdue": -days_left if days_left is not None and days_left < 0 else None,
            "supplement_deadline": deadlines.supplement_deadline(req.received_on),
            "revealed_id": revealed_id,
            "can_reveal_id": selectors.can_reveal_id_number(request.user),
        },
    )
