"""The officer's request workflow in the Wagtail admin: queues and one page per request."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from disclosure import deadlines, forms, selectors, workflow
from disclosure.models import DisclosureRequest

Status = DisclosureRequest.Status

#: action name -> (form class, allowed statuses, button label)
ACTIONS = {
    "assign": (forms.AssignForm, {Status.RECEIVED, Status.PROCESSING, Status.IN_CONSULTATION}),
    "ask_supplement": (forms.NoteForm, {Status.RECEIVED, Status.PROCESSING}),
    "receive_supplement": (forms.OptionalNoteForm, {Status.SUPPLEMENT_REQUESTED}),
    "start_consultation": (forms.NoteForm, {Status.RECEIVED, Status.PROCESSING}),
    "end_consultation": (forms.OptionalNoteForm, {Status.IN_CONSULTATION}),
    "extend": (forms.ExtendForm, {Status.RECEIVED, Status.PROCESSING}),
    "reply": (forms.ReplyForm, {Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED}),
    "redirect": (forms.NoteForm, {Status.RECEIVED, Status.PROCESSING}),
    "close": (forms.OptionalNoteForm, {Status.REPLIED}),
    "note": (forms.NoteForm, set(Status.values)),
}
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


@never_cache
def queue(request):
    _check(request)
    today = timezone.localdate()
    queues = selectors.request_queues(user=request.user, today=today)
    recent = list(
        selectors.requests_for_user(user=request.user)
        .filter(status__in=[Status.REPLIED, Status.CLOSED])
        .order_by("-replied_on", "-pk")[:20]
    )
    return render(
        request,
        "disclosure/admin/request_queue.html",
        {
            "page_title": _("Disclosure requests"),
            "header_title": _("Disclosure requests"),
            "header_icon": "mail",
            "queues": [
                ("overdue", _("Overdue"), queues["overdue"]),
                ("due_soon", _("Due within 5 working days"), queues["due_soon"]),
                ("paused", _("Clock stopped (supplement or consultation)"), queues["paused"]),
                ("other", _("Other open requests"), queues["other"]),
            ],
            "recent": recent,
            "today": today,
        },
    )


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
    for name, (form_class, allowed) in ACTIONS.items():
        if req.status not in allowed or not _still_possible(name, req):
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
