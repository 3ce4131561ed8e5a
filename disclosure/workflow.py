"""Requests for disclosure (依申请公开): the only writer of a request's state.

Each transition checks the current state, updates the deadline inputs, recomputes ``due_on``
with ``disclosure.deadlines`` and writes its ``DisclosureRequestEvent`` in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure import deadlines
from disclosure.models import (
    DisclosureRequest,
    DisclosureRequestAttachment,
    DisclosureRequestEvent,
)
from portal import codes
from portal.workdays import WorkdayCalendarUnknown

Status = DisclosureRequest.Status
ReplyType = DisclosureRequest.ReplyType
Kind = DisclosureRequestEvent.Kind
logger = logging.getLogger(__name__)

#: Reply types that must state the legal basis and reasons (Art. 36 (3)-(7)).
REASON_REQUIRED = frozenset(
    value
    for value in ReplyType.values
    if value.startswith(("withheld_", "unavailable_", "np_", "other"))
) | {ReplyType.PARTLY}


class TransitionError(ValidationError):
    """A transition that the request's state or the law does not allow."""


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


def _locked(request) -> DisclosureRequest:
    return DisclosureRequest.objects.select_for_update().get(pk=request.pk)


def _not_before_receipt(request, on_date: dt.date) -> None:
    """A step cannot be dated before the request was received (a mistyped date)."""
    if request.received_on and on_date < request.received_on:
        raise TransitionError(
            _("The date cannot be before the request was received (%(date)s).")
            % {"date": request.received_on.isoformat()}
        )


def _require(request, allowed) -> None:
    if request.status not in allowed:
        raise TransitionError(
            _("This request is at the stage “%(status)s”: this step is not possible now.")
            % {"status": request.get_status_display()}
        )


def request_submit(*, data: dict, submission_token, on_date: dt.date | None = None):
    """File a request from the public form. Returns (request, created).

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
                return request, True
        except IntegrityError:
            existing = DisclosureRequest.objects.filter(submission_token=submission_token).first()
            if submission_token is not None and existing is not None:
                return existing, False  # the concurrent twin won
    raise RuntimeError("Could not allocate a unique tracking number")  # pragma: no cover


@transaction.atomic
def request_assign(*, request, department, actor, note: str = ""):
    request = _locked(request)
    _require(request, {Status.RECEIVED, Status.PROCESSING, Status.IN_CONSULTATION})
    from_status = request.status
    request.department = department
    if request.status == Status.RECEIVED:
        request.status = Status.PROCESSING
    request.save()
    _event(
        request,
        kind=Kind.ASSIGNED,
        actor=actor,
        on_date=timezone.localdate(),
        from_status=from_status,
        note=note or department.name,
    )
    return request


@transaction.atomic
def request_ask_supplement(*, request, actor, note: str, on_date: dt.date | None = None):
    """Art. 30: ask once, within 7 working days of receipt, for an unclear request to be completed."""
    on_date = _today(on_date)
    request = _locked(request)
    _require(request, {Status.RECEIVED, Status.PROCESSING})
    _not_before_receipt(request, on_date)
    if request.supplement_requested_on is not None:
        raise TransitionError(_("A supplement may be requested only once (Art. 30)."))
    last_day = deadlines.supplement_deadline(request.received_on)
    if on_date > last_day:
        raise TransitionError(
            _("A supplement must be requested within 7 working days of receipt (by %(date)s).")
            % {"date": last_day.isoformat()}
        )
    if not note.strip():
        raise TransitionError(_("Say what the applicant must supplement."))
    from_status = request.status
    request.status = Status.SUPPLEMENT_REQUESTED
    request.supplement_requested_on = on_date
    _refresh_due(request)
    request.save()
    _event(
        request,
        kind=Kind.SUPPLEMENT_REQUESTED,
        actor=actor,
        on_date=on_date,
        from_status=from_status,
        note=note,
    )
    return request


@transaction.atomic
def request_receive_supplement(*, request, actor, note: str = "", on_date: dt.date | None = None):
    """Art. 30: the reply period restarts from the day the supplement is received."""
    on_date = _today(on_date)
    request = _locked(request)
    _require(request, {Status.SUPPLEMENT_REQUESTED})
    _not_before_receipt(request, on_date)
    if on_date < request.supplement_requested_on:
        raise TransitionError(_("The supplement cannot arrive before it was requested."))
    from_status = request.status
    request.status = Status.PROCESSING
    request.supplement_received_on = on_date
    request.clock_start = on_date
    _refresh_due(request)
    request.save()
    _event(
        request,
        kind=Kind.SUPPLEMENTED,
        actor=actor,
        on_date=on_date,
        from_status=from_status,
        note=note,
    )
    return request


@transaction.atomic
def request_start_consultation(*, request, actor, note: str, on_date: dt.date | None = None):
    """Art. 32: consult a third party; the time this takes does not count."""
    on_date = _today(on_date)
    request = _locked(request)
    _require(request, {Status.RECEIVED, Status.PROCESSING})
    _not_before_receipt(request, on_date)
    if not note.strip():
        raise TransitionError(_("Name the third party consulted and what was asked."))
    from_status = request.status
    request.status = Status.IN_CONSULTATION
    request.paused_since = on_date
    request.save()
    third_party_due = deadlines.third_party_deadline(on_date)
    _event(
        request,
        kind=Kind.CONSULTATION_STARTED,
        actor=actor,
        on_date=on_date,
        from_status=from_status,
        note=f"{note}\n"
        + _("Third party to answer by %(date)s (15 working days).")
        % {"date": third_party_due.isoformat()},
    )
    return request


@transaction.atomic
def request_end_consultation(*, request, actor, note: str = "", on_date: dt.date | None = None):
    on_date = _today(on_date)
    request = _locked(request)
    _require(request, {Status.IN_CONSULTATION})
    _not_before_receipt(request, on_date)
    if on_date < request.paused_since:
        raise TransitionError(_("The consultation cannot end before it started."))
    from_status = request.status
    request.paused_working_days += deadlines.paused_days(request.paused_since, on_date)
    request.paused_since = None
    request.status = Status.PROCESSING
    _refresh_due(request)
    request.save()
    _event(
        request,
        kind=Kind.CONSULTATION_ENDED,
        actor=actor,
        on_date=on_date,
        from_status=from_status,
        note=note,
    )
    return request


@transaction.atomic
def request_extend(*, request, actor, days: int, reason: str, on_date: dt.date | None = None):
    """Art. 33: extend once, by at most 20 working days, with the reason told to the applicant."""
    on_date = _today(on_date)
    request = _locked(request)
    _require(request, {Status.RECEIVED, Status.PROCESSING})
    _not_before_receipt(request, on_date)
    if request.extension_days:
        raise TransitionError(_("The deadline may be extended only once (Art. 33)."))
    if not 1 <= days <= deadlines.MAX_EXTENSION_DAYS:
        raise TransitionError(
            _("An extension is 1 to %(max)s working days (Art. 33).")
            % {"max": deadlines.MAX_EXTENSION_DAYS}
        )
    if not reason.strip():
        raise TransitionError(_("Give the reason for the extension; the applicant is told."))
    if request.due_on and on_date > request.due_on:
        raise TransitionError(_("The deadline has already passed; it can no longer be extended."))
    from_status = request.status
    request.extension_days = days
    request.extension_reason = reason
    _refresh_due(request)
    request.save()
    _event(
        request,
        kind=Kind.EXTENDED,
        actor=actor,
        on_date=on_date,
        from_status=from_status,
        note=reason,
    )
    return request


@transaction.atomic
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
    on_date = _today(on_date)
    request = _locked(request)
    _require(request, {Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED})
    _not_before_receipt(request, on_date)
    if reply_type not in ReplyType.values:
        raise TransitionError(_("Choose a reply type."))
    if (
        request.status == Status.SUPPLEMENT_REQUESTED
        and reply_type != ReplyType.OTHER_NO_SUPPLEMENT
    ):
        raise TransitionError(
            _("While a supplement is awaited, the only reply is “no supplement in time”.")
        )
    if reply_type in REASON_REQUIRED and not reason.strip():
        raise TransitionError(_("This reply type must state its legal basis and reasons."))
    if not text.strip():
        raise TransitionError(_("Write the reply to the applicant."))
    from_status = request.status
    request.status = Status.REPLIED
    request.reply_type = reply_type
    request.reply_text = text
    request.reply_reason = reason
    request.replied_on = on_date
    request.save()
    for document in documents:
        DisclosureRequestAttachment.objects.create(request=request, document=document)
    _event(
        request,
        kind=Kind.REPLIED,
        actor=actor,
        on_date=on_date,
        from_status=from_status,
        note=request.get_reply_type_display(),
    )
    return request


@transaction.atomic
def request_redirect(*, request, actor, note: str, on_date: dt.date | None = None):
    """Art. 39: a complaint or petition sent as a request is redirected to the proper channel."""
    on_date = _today(on_date)
    request = _locked(request)
    _require(request, {Status.RECEIVED, Status.PROCESSING})
    _not_before_receipt(request, on_date)
    if not note.strip():
        raise TransitionError(_("Tell the applicant which channel handles this matter."))
    from_status = request.status
    request.status = Status.CLOSED
    request.redirected = True
    request.reply_type = ReplyType.NOT_PROCESSED_COMPLAINT
    request.reply_text = note
    request.reply_reason = _(
        "Art. 39 of the Regulations on the Disclosure of Government Information"
    )
    request.replied_on = on_date
    request.closed_on = on_date
    request.save()
    _event(
        request,
        kind=Kind.REDIRECTED,
        actor=actor,
        on_date=on_date,
        from_status=from_status,
        note=note,
    )
    return request


@transaction.atomic
def request_close(*, request, actor, note: str = "", on_date: dt.date | None = None):
    on_date = _today(on_date)
    request = _locked(request)
    _require(request, {Status.REPLIED})
    _not_before_receipt(request, on_date)
    from_status = request.status
    request.status = Status.CLOSED
    request.closed_on = on_date
    request.save()
    _event(
        request, kind=Kind.CLOSED, actor=actor, on_date=on_date, from_status=from_status, note=note
    )
    return request


@transaction.atomic
def request_add_note(*, request, actor, note: str):
    if not note.strip():
        raise TransitionError(_("The note is empty."))
    _event(
        request,
        kind=Kind.NOTE,
        actor=actor,
        on_date=timezone.localdate(),
        from_status=request.status,
        note=note,
    )
    return request
