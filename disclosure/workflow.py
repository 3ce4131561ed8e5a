"""Requests for disclosure (依申请公开): the only writer of a request's state.

Each transition checks the current state, updates the deadline inputs, recomputes ``due_on``
with ``disclosure.deadlines`` and writes its ``DisclosureRequestEvent`` in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure import deadlines, selectors
from disclosure.models import (
    DisclosureRequest,
    DisclosureRequestAttachment,
    DisclosureRequestEvent,
)
from disclosure.reply_types import reply_type_spec
from portal import codes, transitions
from portal.privacy import services as privacy
from portal.privacy.models import CollectionPoint
from portal.transitions import Context, StateMachine, Transition, TransitionNotAllowed, transition
from portal.workdays import WorkdayCalendarUnknown

Status = DisclosureRequest.Status
ReplyType = DisclosureRequest.ReplyType
Kind = DisclosureRequestEvent.Kind
logger = logging.getLogger(__name__)


class TransitionError(TransitionNotAllowed):
    """A transition that the request's state or the law does not allow."""


class TransitionForbidden(transitions.TransitionForbidden):
    """The actor may not handle requests for disclosure."""


def new_tracking_number(year: int) -> str:
    """YSQ + year + 8 random characters: unguessable, so numbers cannot be enumerated."""
    return f"YSQ{year}" + codes.random_code(8)


def _today(on_date: dt.date | None) -> dt.date:
    return on_date or timezone.localdate()


def _event(request, *, kind, actor, on_date, from_status, note=""):
    DisclosureRequestEvent.objects.create(
        request=request,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=timezone.now(),
        on_date=on_date,
        from_status=from_status,
        to_status=request.status,
        note=note,
        due_on=request.due_on,
    )


def _refresh_due(request) -> None:
    if request.status in (Status.SUPPLEMENT_REQUESTED,):
        request.due_on = None  # the clock has not started: it restarts on the supplement
        return
    try:
        request.due_on = deadlines.request_due_on(
            deadlines.RequestClock(
                clock_start=request.clock_start,
                extension_days=request.extension_days,
                paused_working_days=request.paused_working_days,
            )
        )
    except WorkdayCalendarUnknown as exc:
        raise TransitionError(str(exc)) from exc


def request_submit(*, data: dict, submission_token, on_date: dt.date | None = None, user=None):
    """File a request from the public form. Returns (request, created).

    ``user``: the signed-in account that filed it (listed in its 我的数据), or None. The consent
    to the notice in force is recorded with the request (portal.privacy).

    A second submission with the same form token (a double click, a reload) returns the
    request the first one created instead of filing a duplicate.
    """
    if submission_token is not None:
        existing = DisclosureRequest.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            return existing, False
    received = _today(on_date)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                request = DisclosureRequest(
                    **data,
                    tracking_number=new_tracking_number(received.year),
                    submission_token=submission_token,
                    received_on=received,
                    clock_start=received,
                    id_last4=data["id_number"][-4:].upper(),
                    user=user if getattr(user, "is_authenticated", False) else None,
                )
                try:
                    _refresh_due(request)
                except TransitionError:
                    # Next year's holidays are not entered yet: the request is still received;
                    # the officer queue shows it without a due date until the calendar is known.
                    logger.warning("Working-day calendar unknown for request received %s", received)
                    request.due_on = None
                request.save()
                _event(request, kind=Kind.RECEIVED, actor=None, on_date=received, from_status="")
                privacy.record_consent(
                    CollectionPoint.DISCLOSURE_REQUEST,
                    user=request.user,
                    subject_ref=request.tracking_number,
                )
                return request, True
        except IntegrityError:
            existing = DisclosureRequest.objects.filter(submission_token=submission_token).first()
            if submission_token is not None and existing is not None:
                return existing, False  # the concurrent twin won
    raise RuntimeError("Could not allocate a unique tracking number")  # pragma: no cover


# --- the state machine ---------------------------------------------------------------------
#
# One row per step: the statuses it starts from, the status it ends in, who may take it, the
# event it writes. ``portal.transitions`` runs each row: lock, policy, from-status, fields, event,
# in one transaction. The public functions below validate their input, then run their row.


def _may_process(actor, request) -> bool:
    return selectors.can_process_requests(actor)


def _dated(ctx: Context) -> dt.date:
    """The step's date; a step cannot be dated before the request was received."""
    on_date = ctx.data["on_date"]
    request = ctx.obj
    if request.received_on and on_date < request.received_on:
        raise TransitionError(
            _("The date cannot be before the request was received (%(date)s).")
            % {"date": request.received_on.isoformat()}
        )
    return on_date


def _assign(ctx: Context) -> None:
    department = ctx.data["department"]
    ctx.obj.department = department
    ctx.event_fields["note"] = ctx.data.get("note") or department.name


def _assign_target(ctx: Context) -> str:
    return Status.PROCESSING if ctx.from_state == Status.RECEIVED else ctx.from_state


def _ask_supplement(ctx: Context) -> None:
    request, on_date = ctx.obj, _dated(ctx)
    if request.supplement_requested_on is not None:
        raise TransitionError(_("A supplement may be requested only once (Art. 30)."))
    last_day = deadlines.supplement_deadline(request.received_on)
    if on_date > last_day:
        raise TransitionError(
            _("A supplement must be requested within 7 working days of receipt (by %(date)s).")
            % {"date": last_day.isoformat()}
        )
    request.supplement_requested_on = on_date
    _refresh_due(request)


def _receive_supplement(ctx: Context) -> None:
    request, on_date = ctx.obj, _dated(ctx)
    if on_date < request.supplement_requested_on:
        raise TransitionError(_("The supplement cannot arrive before it was requested."))
    request.supplement_received_on = on_date
    request.clock_start = on_date
    _refresh_due(request)


def _start_consultation(ctx: Context) -> None:
    on_date = _dated(ctx)
    ctx.obj.paused_since = on_date
    third_party_due = deadlines.third_party_deadline(on_date)
    ctx.event_fields["note"] = f"{ctx.data['note']}\n" + _(
        "Third party to answer by %(date)s (15 working days)."
    ) % {"date": third_party_due.isoformat()}


def _end_consultation(ctx: Context) -> None:
    request, on_date = ctx.obj, _dated(ctx)
    if on_date < request.paused_since:
        raise TransitionError(_("The consultation cannot end before it started."))
    request.paused_working_days += deadlines.paused_days(request.paused_since, on_date)
    request.paused_since = None
    _refresh_due(request)


def _extend(ctx: Context) -> None:
    request, on_date = ctx.obj, _dated(ctx)
    if request.extension_days:
        raise TransitionError(_("The deadline may be extended only once (Art. 33)."))
    if request.due_on and on_date > request.due_on:
        raise TransitionError(_("The deadline has already passed; it can no longer be extended."))
    request.extension_days = ctx.data["days"]
    request.extension_reason = ctx.data["reason"]
    _refresh_due(request)
    ctx.event_fields["note"] = ctx.data["reason"]


def _reply(ctx: Context) -> None:
    request, on_date, reply_type = ctx.obj, _dated(ctx), ctx.data["reply_type"]
    if (
        ctx.from_state == Status.SUPPLEMENT_REQUESTED
        and reply_type != ReplyType.OTHER_NO_SUPPLEMENT
    ):
        raise TransitionError(
            _("While a supplement is awaited, the only reply is “no supplement in time”.")
        )
    request.reply_type = reply_type
    request.reply_text = ctx.data["text"]
    request.reply_reason = ctx.data.get("reason", "")
    request.replied_on = on_date
    for document in ctx.data.get("documents", ()):
        DisclosureRequestAttachment.objects.create(request=request, document=document)
    ctx.event_fields["note"] = request.get_reply_type_display()


def _redirect(ctx: Context) -> None:
    request, on_date = ctx.obj, _dated(ctx)
    request.redirected = True
    request.reply_type = ReplyType.NOT_PROCESSED_COMPLAINT
    request.reply_text = ctx.data["note"]
    request.reply_reason = _(
        "Art. 39 of the Regulations on the Disclosure of Government Information"
    )
    request.replied_on = on_date
    request.closed_on = on_date


def _close(ctx: Context) -> None:
    ctx.obj.closed_on = _dated(ctx)


def _write_event(ctx: Context, kind: str) -> DisclosureRequestEvent:
    request = ctx.obj
    return DisclosureRequestEvent.objects.create(
        request=request,
        kind=kind,
        actor=ctx.actor if getattr(ctx.actor, "is_authenticated", False) else None,
        at=ctx.now,
        on_date=ctx.data.get("on_date") or timezone.localdate(ctx.now),
        from_status=ctx.from_state,
        to_status=request.status,
        note=ctx.event_fields.get("note", ctx.data.get("note", "")),
        due_on=request.due_on,
    )


def _not_allowed(ctx: Context) -> TransitionError:
    return TransitionError(
        _("This request is at the stage “%(status)s”: this step is not possible now.")
        % {"status": ctx.obj.get_status_display()},
        code="invalid_transition",
    )


def _forbidden(ctx: Context) -> TransitionForbidden:
    return TransitionForbidden(_("Only a disclosure officer may handle requests."))


OPEN = (Status.RECEIVED, Status.PROCESSING)

MACHINE = StateMachine(
    "disclosure_requests",
    model=DisclosureRequest,
    state_field="status",
    write_event=_write_event,
    not_allowed=_not_allowed,
    forbidden=_forbidden,
    transitions=[
        Transition(
            "assign",
            (*OPEN, Status.IN_CONSULTATION),
            _assign_target,
            policy=_may_process,
            event=Kind.ASSIGNED,
            apply=_assign,
        ),
        Transition(
            "ask_supplement",
            OPEN,
            Status.SUPPLEMENT_REQUESTED,
            policy=_may_process,
            event=Kind.SUPPLEMENT_REQUESTED,
            apply=_ask_supplement,
        ),
        Transition(
            "receive_supplement",
            (Status.SUPPLEMENT_REQUESTED,),
            Status.PROCESSING,
            policy=_may_process,
            event=Kind.SUPPLEMENTED,
            apply=_receive_supplement,
        ),
        Transition(
            "start_consultation",
            OPEN,
            Status.IN_CONSULTATION,
            policy=_may_process,
            event=Kind.CONSULTATION_STARTED,
            apply=_start_consultation,
        ),
        Transition(
            "end_consultation",
            (Status.IN_CONSULTATION,),
            Status.PROCESSING,
            policy=_may_process,
            event=Kind.CONSULTATION_ENDED,
            apply=_end_consultation,
        ),
        Transition(
            "extend",
            OPEN,
            None,
            policy=_may_process,
            event=Kind.EXTENDED,
            apply=_extend,
        ),
        Transition(
            "reply",
            (*OPEN, Status.SUPPLEMENT_REQUESTED),
            Status.REPLIED,
            policy=_may_process,
            event=Kind.REPLIED,
            apply=_reply,
        ),
        Transition(
            "redirect",
            OPEN,
            Status.CLOSED,
            policy=_may_process,
            event=Kind.REDIRECTED,
            apply=_redirect,
        ),
        Transition(
            "close",
            (Status.REPLIED,),
            Status.CLOSED,
            policy=_may_process,
            event=Kind.CLOSED,
            apply=_close,
        ),
        Transition(
            "add_note",
            tuple(Status.values),
            None,
            policy=_may_process,
            event=Kind.NOTE,
        ),
    ],
)

#: ``{step: statuses it starts from}``, walked by the tests.
TRANSITIONS: dict[str, tuple[str, ...]] = MACHINE.sources()


def _run(request, action: str, *, actor, on_date=None, **data) -> DisclosureRequest:
    return transition(MACHINE, request, action, actor=actor, on_date=on_date, **data).obj


def request_assign(*, request, department, actor, note: str = ""):
    return _run(
        request,
        "assign",
        actor=actor,
        on_date=timezone.localdate(),
        department=department,
        note=note,
    )


def request_ask_supplement(*, request, actor, note: str, on_date: dt.date | None = None):
    """Art. 30: ask once, within 7 working days of receipt, for an unclear request to be completed."""
    if not note.strip():
        raise TransitionError(_("Say what the applicant must supplement."))
    return _run(request, "ask_supplement", actor=actor, on_date=_today(on_date), note=note)


def request_receive_supplement(*, request, actor, note: str = "", on_date: dt.date | None = None):
    """Art. 30: the reply period restarts from the day the supplement is received."""
    return _run(request, "receive_supplement", actor=actor, on_date=_today(on_date), note=note)


def request_start_consultation(*, request, actor, note: str, on_date: dt.date | None = None):
    """Art. 32: consult a third party; the time this takes does not count."""
    if not note.strip():
        raise TransitionError(_("Name the third party consulted and what was asked."))
    return _run(request, "start_consultation", actor=actor, on_date=_today(on_date), note=note)


def request_end_consultation(*, request, actor, note: str = "", on_date: dt.date | None = None):
    return _run(request, "end_consultation", actor=actor, on_date=_today(on_date), note=note)


def request_extend(*, request, actor, days: int, reason: str, on_date: dt.date | None = None):
    """Art. 33: extend once, by at most 20 working days, with the reason told to the applicant."""
    if not 1 <= days <= deadlines.MAX_EXTENSION_DAYS:
        raise TransitionError(
            _("An extension is 1 to %(max)s working days (Art. 33).")
            % {"max": deadlines.MAX_EXTENSION_DAYS}
        )
    if not reason.strip():
        raise TransitionError(_("Give the reason for the extension; the applicant is told."))
    return _run(request, "extend", actor=actor, on_date=_today(on_date), days=days, reason=reason)


def request_reply(
    *,
    request,
    actor,
    reply_type: str,
    text: str,
    reason: str = "",
    documents=(),
    on_date: dt.date | None = None,
):
    """Art. 36: answer the request with one of its reply types."""
    spec = reply_type_spec(reply_type)
    if spec is None:
        raise TransitionError(_("Choose a reply type."))
    if spec.reason_required and not reason.strip():
        raise TransitionError(_("This reply type must state its legal basis and reasons."))
    if not text.strip():
        raise TransitionError(_("Write the reply to the applicant."))
    return _run(
        request,
        "reply",
        actor=actor,
        on_date=_today(on_date),
        reply_type=reply_type,
        text=text,
        reason=reason,
        documents=list(documents),
    )


def request_redirect(*, request, actor, note: str, on_date: dt.date | None = None):
    """Art. 39: a complaint or petition sent as a request is redirected to the proper channel."""
    if not note.strip():
        raise TransitionError(_("Tell the applicant which channel handles this matter."))
    return _run(request, "redirect", actor=actor, on_date=_today(on_date), note=note)


def request_close(*, request, actor, note: str = "", on_date: dt.date | None = None):
    return _run(request, "close", actor=actor, on_date=_today(on_date), note=note)


def request_add_note(*, request, actor, note: str):
    if not note.strip():
        raise TransitionError(_("The note is empty."))
    return _run(request, "add_note", actor=actor, on_date=timezone.localdate(), note=note)
