"""The one writer of a report's state.

The state machine is the table ``MACHINE`` (one ``portal.transitions.Transition`` per step);
every step runs through ``portal.transitions.transition``, which locks the report row, checks the
actor's role and department (the guards below) and the report's current state, changes it and
writes its ``TipoffEvent`` (and any notifications) in the same transaction. Nothing else in the code base assigns ``Tipoff.state``. A transition that is not
allowed raises ``TransitionNotAllowed`` (wrong state) or ``TransitionForbidden`` (wrong person),
both with a message a person can read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables

from portal import transitions
from portal.models import Department, PortalSettings
from portal.phones import normalize_phone
from portal.privacy import services as privacy
from portal.privacy.models import CollectionPoint
from portal.tipoffs import deadlines, notifications
from portal.tipoffs.models import (
    OPEN_STATES,
    REPORTED_PARTY_MAX_LENGTH,
    ActorRole,
    Category,
    Channel,
    Confidentiality,
    EventKind,
    Finding,
    NotAcceptedReason,
    ReporterIdentity,
    State,
    Tipoff,
    TipoffAssignment,
    TipoffEvent,
    TipoffPhoto,
)
from portal.tipoffs.photos import MAX_PHOTOS, PhotoInput, store_photo
from portal.tipoffs.policies import department_ids_of, photo_policy, tipoff_policy
from portal.tipoffs.text import public_location
from portal.transitions import Context, StateMachine, Transition, transition
from portal.workdays import WorkdayCalendar, WorkdayCalendarUnknown

CONSENT_VERSION = "2026-1"


class TransitionNotAllowed(transitions.TransitionNotAllowed):
    """The report is not in a state that allows this step."""


class TransitionForbidden(transitions.TransitionForbidden):
    """The actor may not take this step on this report."""


# --- who may do what -----------------------------------------------------------------------


# The guards ask ``portal.tipoffs.policies.tipoff_policy``; they keep their names because the
# steps below (and the admin views) read as "only intake may…", "only the assigned handler…".


def is_intake(user) -> bool:
    """The intake group's right (or the permission granted explicitly); never superuser status."""
    return tipoff_policy.user_has_permission(user, "intake")


def is_handler(user) -> bool:
    return tipoff_policy.user_has_permission(user, "handle")


def is_handler_for(user, tipoff: Tipoff) -> bool:
    """A handler who belongs to one of the report's assigned departments."""
    return tipoff_policy.user_has_permission_for_instance(user, "handle", tipoff)


def handler_department(user, tipoff: Tipoff) -> Department | None:
    ids = department_ids_of(user) if user and user.is_authenticated else set()
    return (
        Department.objects.filter(pk__in=ids, tipoffs__pk=tipoff.pk).order_by("sort_order").first()
    )


def allowed_actions(user, tipoff: Tipoff) -> list[str]:
    """Staff steps this user may take on this report now (for showing buttons)."""
    actions = []
    intake = is_intake(user)
    handler = is_handler_for(user, tipoff)
    checks = {
        "accept": intake,
        "not_accept": intake,
        "assign": intake,
        "merge": intake,
        "close": intake,
        "start_investigation": handler,
        "resolve": handler,
        "extend": handler or intake,
    }
    for action, ok in checks.items():
        if ok and tipoff.state in TRANSITIONS[action]:
            if action == "extend" and tipoff.extension_days:
                continue
            actions.append(action)
    return actions


# --- helpers -------------------------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _lock(tipoff: Tipoff) -> Tipoff:
    """Reload the report under a row lock so two officers cannot both move it."""
    return Tipoff.objects.select_for_update().get(pk=tipoff.pk)


def _require_intake(actor) -> None:
    if not is_intake(actor):
        raise TransitionForbidden(_("Only an intake officer may take this step."))


def _actor_role(actor, tipoff: Tipoff | None = None) -> tuple[str, Department | None]:
    if actor is None:
        return ActorRole.SYSTEM, None
    if is_intake(actor):
        return ActorRole.INTAKE, None
    if tipoff is not None and is_handler(actor):
        return ActorRole.DEPARTMENT, handler_department(actor, tipoff)
    return ActorRole.ADMIN, None


def _event(
    tipoff: Tipoff,
    kind: str,
    *,
    actor=None,
    role: str | None = None,
    department: Department | None = None,
    from_state: str = "",
    note: str = "",
    public: bool = False,
    data: dict | None = None,
    now: dt.datetime | None = None,
) -> TipoffEvent:
    if role is None:
        role, dept = _actor_role(actor, tipoff)
        department = department or dept
    return TipoffEvent.objects.create(
        tipoff=tipoff,
        kind=kind,
        actor=actor,
        actor_role=role,
        department=department,
        from_state=from_state,
        to_state=tipoff.state,
        note=note,
        is_public=public,
        data=data or {},
        created_at=_now(now),
    )


def _set_period(tipoff: Tipoff, start: dt.date | None, due: dt.date | None) -> None:
    tipoff.period_start = start
    tipoff.due_date = due
    tipoff.reminded_for = None
    tipoff.escalated_for = None


ACTION_LABELS = {
    "accept": gettext_lazy("accept"),
    "not_accept": gettext_lazy("not accept"),
    "assign": gettext_lazy("assign"),
    "start_investigation": gettext_lazy("start investigation"),
    "extend": gettext_lazy("extend the deadline"),
    "resolve": gettext_lazy("resolve"),
    "close": gettext_lazy("close"),
    "rate": gettext_lazy("rate"),
    "request_review": gettext_lazy("request a review"),
    "merge": gettext_lazy("merge"),
    "add_information": gettext_lazy("add information"),
}


# --- intake --------------------------------------------------------------------------------


@sensitive_variables("name", "phone", "email", "user")
def tipoff_submit(
    *,
    category: Category,
    subdistrict,
    address: str,
    observed_at: dt.datetime,
    description: str,
    confidentiality: str,
    name: str = "",
    phone: str = "",
    email: str = "",
    user=None,
    latitude=None,
    longitude=None,
    extra_answers: dict | None = None,
    photos: Sequence[PhotoInput] = (),
    channel: str = Channel.WEB,
    open311_client=None,
    consent: bool = False,
    reported_party: str = "",
    now: dt.datetime | None = None,
) -> Tipoff:
    """File a report: the case, its identity (if real-name), photos and the first event, at once.

    ``reported_party`` is the unit or factory the reporter names (optional): a case field for
    the handlers, never published."""
    now = _now(now)
    if confidentiality == Confidentiality.REAL_NAME:
        if not consent:
            raise ValidationError(
                _("Real-name reports need consent to the personal-information notice.")
            )
        if not (phone or email):
            raise ValidationError(
                _("Give a phone number or an email address for a real-name report.")
            )
        phone = normalize_phone(phone)  # E.164: one form for lookups, limits and purges
    elif confidentiality == Confidentiality.ANONYMOUS:
        name = phone = email = ""
        user = None
    else:
        raise ValidationError(_("Choose how your identity is handled."))
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS})
    if category.children.exists():
        raise ValidationError(_("Choose a specific category."))
    reported_party = " ".join((reported_party or "").split())
    if len(reported_party) > REPORTED_PARTY_MAX_LENGTH:
        raise ValidationError(
            _("The name of the unit is too long (at most %(n)d characters).")
            % {"n": REPORTED_PARTY_MAX_LENGTH}
        )

    calendar = WorkdayCalendar()
    submitted_on = timezone.localdate(now)
    due = deadlines.acceptance_due(submitted_on, calendar)
    with transaction.atomic():
        tipoff = Tipoff(
            category=category,
            subdistrict=subdistrict,
            address=address.strip(),
            public_address=public_location(address, PortalSettings.default_address_prefixes()),
            reported_party=reported_party,
            latitude=latitude,
            longitude=longitude,
            observed_at=observed_at,
            description=description.strip(),
            extra_answers=extra_answers or {},
            confidentiality=confidentiality,
            channel=channel,
            open311_client=open311_client,
            state=State.SUBMITTED,
            submitted_at=now,
            acceptance_due=due,
        )
        _set_period(tipoff, submitted_on, due)
        tipoff.save()
        if confidentiality == Confidentiality.REAL_NAME:
            # The versioned notice shown at this collection point (portal.privacy).
            notice = privacy.current_notice(CollectionPoint.TIPOFF_REAL_NAME)
            account = user if user is not None and user.is_authenticated else None
            ReporterIdentity.objects.create(
                tipoff=tipoff,
                name=name.strip(),
                phone=phone,
                email=email.strip(),
                user=account,
                consent_at=now,
                consent_version=f"v{notice.version}" if notice else CONSENT_VERSION,
            )
            privacy.record_consent(
                CollectionPoint.TIPOFF_REAL_NAME,
                user=account,
                subject_ref=tipoff.reference,
                notice=notice,
            )
        for photo in photos:
            store_photo(tipoff=tipoff, photo=photo, now=now)
        _event(
            tipoff,
            EventKind.SUBMITTED,
            role=ActorRole.REPORTER,
            public=True,
            data={"photos": len(photos)},
            now=now,
        )
        # A new report has no merged reports to tell yet.
        notifications.notify_reporter(tipoff, EventKind.SUBMITTED, only_this=True)
    return tipoff


# --- the state machine ---------------------------------------------------------------------
#
# Each step is one row: the states it starts from, the state it ends in, who may take it (the
# guards above), the event it writes and whom it tells. ``portal.transitions`` runs every row the
# same way: lock, policy, from-state, fields, event, notifications, in one transaction.


def _may_intake(actor, tipoff: Tipoff) -> bool:
    return is_intake(actor)


def _may_handle(actor, tipoff: Tipoff) -> bool:
    return is_handler_for(actor, tipoff)


def _may_extend(actor, tipoff: Tipoff) -> bool:
    return is_intake(actor) or is_handler_for(actor, tipoff)


def _may_close(actor, tipoff: Tipoff) -> bool:
    """An intake officer, or the system (``actor=None``) after the rating window."""
    return actor is None or is_intake(actor)


def _tell_reporter(ctx: Context) -> None:
    notifications.notify_reporter(ctx.obj, ctx.transition.event)


def _tell_reporter_only(ctx: Context) -> None:
    notifications.notify_reporter(ctx.obj, ctx.transition.event, only_this=True)


def _accept(ctx: Context) -> None:
    tipoff, now = ctx.obj, ctx.now
    accepted_on = timezone.localdate(now)
    tipoff.accepted_at = now
    tipoff.handling_due = deadlines.handling_due(accepted_on)
    tipoff.owner = tipoff.owner or ctx.actor
    _set_period(tipoff, accepted_on, tipoff.handling_due)
    ctx.event_fields.update(
        note=ctx.data.get("note", ""),
        public=True,
        data={"handling_due": tipoff.handling_due.isoformat()},
    )


def _not_accept(ctx: Context) -> None:
    tipoff, reason, master = ctx.obj, ctx.data["reason"], ctx.data.get("master")
    detail = ctx.data.get("detail", "").strip()
    tipoff.not_accepted_reason = reason
    tipoff.not_accepted_detail = detail
    if master is not None:
        tipoff.master = master
    tipoff.closed_at = ctx.now
    _set_period(tipoff, None, None)
    data = {"reason": reason}
    if master is not None:
        # The reference only: a tracking code opens its report to whoever holds it.
        data["master_ref"] = master.reference
    ctx.event_fields.update(note=detail, public=True, data=data)


def _assign(ctx: Context) -> None:
    tipoff, departments, now = ctx.obj, ctx.data["departments"], ctx.now
    previous = set(tipoff.assignments.values_list("department_id", flat=True))
    tipoff.assignments.exclude(department__in=departments).delete()
    for position, department in enumerate(departments):
        TipoffAssignment.objects.update_or_create(
            tipoff=tipoff,
            department=department,
            defaults={"is_lead": position == 0, "assigned_at": now},
        )
    ctx.data["new_departments"] = [d for d in departments if d.pk not in previous]
    ctx.event_fields.update(
        note=ctx.data.get("note", ""),
        public=True,
        data={
            "departments": [d.pk for d in departments],
            "names": "、".join(d.name for d in departments),
        },
    )


def _assign_target(ctx: Context) -> str:
    """A reopened case stays reopened while it is sent to (other) departments."""
    return State.REOPENED if ctx.from_state == State.REOPENED else State.ASSIGNED


def _tell_assigned(ctx: Context) -> None:
    notifications.notify_reporter(ctx.obj, EventKind.ASSIGNED)
    for department in ctx.data["new_departments"]:
        notifications.notify_department(ctx.obj, department, EventKind.ASSIGNED)


def _public_note(ctx: Context) -> None:
    ctx.event_fields.update(note=ctx.data.get("note", ""), public=True)


def _extend(ctx: Context) -> None:
    tipoff, days, reason = ctx.obj, ctx.data["days"], ctx.data["reason"].strip()
    if tipoff.extension_days:
        raise TransitionNotAllowed(
            _("The deadline has already been extended once; it cannot be extended again."),
            code="already_extended",
        )
    old_due = tipoff.handling_due
    tipoff.extension_days = days
    tipoff.extension_reason = reason
    tipoff.handling_due = deadlines.add_period(old_due, days)
    _set_period(tipoff, old_due, tipoff.handling_due)
    ctx.event_fields.update(
        note=reason,
        public=True,
        data={
            "days": days,
            "old_due": old_due.isoformat(),
            "new_due": tipoff.handling_due.isoformat(),
        },
    )


def _resolve(ctx: Context) -> None:
    tipoff, data = ctx.obj, ctx.data
    tipoff.resolved_at = ctx.now
    tipoff.finding = data["finding"]
    tipoff.measures = data["measures"].strip()
    tipoff.public_reply = data["public_reply"].strip()
    tipoff.penalty_reference = data.get("penalty_reference", "").strip()
    _set_period(tipoff, None, None)
    _update_reward_eligibility(tipoff)
    ctx.event_fields.update(note=tipoff.public_reply, public=True, data={"finding": tipoff.finding})


def _close(ctx: Context) -> None:
    ctx.obj.closed_at = ctx.now
    _public_note(ctx)


def _rate(ctx: Context) -> None:
    tipoff, comment = ctx.obj, ctx.data.get("comment", "").strip()
    if tipoff.rating is not None:
        raise TransitionNotAllowed(_("This report has already been rated."), code="rated")
    tipoff.rating = ctx.data["rating"]
    tipoff.rating_comment = comment
    tipoff.rated_at = ctx.now
    if ctx.from_state == State.RESOLVED:
        tipoff.closed_at = ctx.now
    ctx.event_fields.update(
        role=ActorRole.REPORTER, note=comment, public=False, data={"rating": tipoff.rating}
    )


def _rate_target(ctx: Context) -> str:
    """A resolved report closes with its rating; a closed one stays closed."""
    return State.CLOSED


def _request_review(ctx: Context) -> None:
    tipoff, now = ctx.obj, ctx.now
    if tipoff.review_requested_at is not None:
        raise TransitionNotAllowed(
            _("A review has already been asked for this report."), code="reviewed"
        )
    limit = review_deadline(tipoff)
    if limit is None or timezone.localdate(now) > limit:
        raise TransitionNotAllowed(
            _("A review must be asked within %(days)d days of the answer.")
            % {"days": deadlines.review_request_window_days()},
            code="review_too_late",
        )
    today = timezone.localdate(now)
    tipoff.review_requested_at = now
    tipoff.closed_at = None
    due = deadlines.add_period(today, deadlines.review_days())
    tipoff.handling_due = due
    _set_period(tipoff, today, due)
    ctx.event_fields.update(
        role=ActorRole.REPORTER,
        note=ctx.data["reason"].strip(),
        public=False,
        data={"due": due.isoformat()},
    )


def _tell_departments(ctx: Context) -> None:
    for assignment in ctx.obj.assignments.select_related("department"):
        notifications.notify_department(ctx.obj, assignment.department, ctx.transition.event)


def _add_information(ctx: Context) -> None:
    from portal.tipoffs.photos import MAX_PHOTOS, store_photo

    tipoff, photos = ctx.obj, ctx.data.get("photos", ())
    if tipoff.photos.count() + len(photos) > MAX_PHOTOS:
        raise ValidationError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS})
    for photo in photos:
        store_photo(tipoff=tipoff, photo=photo, now=ctx.now)
    ctx.event_fields.update(
        role=ActorRole.REPORTER,
        note=ctx.data["text"].strip(),
        public=False,
        data={"photos": len(photos)},
    )


def _lock_open_master(ctx: Context) -> Tipoff:
    master = Tipoff.objects.select_for_update().get(pk=ctx.data["master"].pk)
    if master.state not in OPEN_STATES or master.state == State.MERGED:
        raise TransitionNotAllowed(
            _("A report can only be merged into an open case."), code="master_closed"
        )
    ctx.data["master"] = master
    return master


def _merge(ctx: Context) -> None:
    tipoff = ctx.obj
    master = _lock_open_master(ctx)
    tipoff.master = master
    _set_period(tipoff, None, None)
    # Reports merged into this one follow it to the new master.
    Tipoff.objects.filter(master=tipoff, state=State.MERGED).update(master=master)
    ctx.event_fields.update(public=True, data={"master_ref": master.reference})


def _follow(ctx: Context) -> None:
    tipoff = ctx.obj
    master = _lock_open_master(ctx)
    if master.category_id != tipoff.category_id or master.subdistrict_id != tipoff.subdistrict_id:
        raise ValidationError(_("That case is about another matter."))
    tipoff.master = master
    _set_period(tipoff, None, None)
    ctx.event_fields.update(
        role=ActorRole.REPORTER,
        public=True,
        data={"master_ref": master.reference, "by_reporter": True},
    )


def _record_on_master(ctx: Context) -> None:
    """The master case's own log says which report was folded into it."""
    master = ctx.data["master"]
    _event(
        master,
        EventKind.MERGE_RECEIVED,
        actor=ctx.actor,
        role=ctx.event_fields.get("role"),
        from_state=master.state,
        data={"merged_ref": ctx.obj.reference},
        now=ctx.now,
    )


def _merge_and_tell(ctx: Context) -> None:
    _record_on_master(ctx)
    _tell_reporter_only(ctx)


def _write_event(ctx: Context, kind: str) -> TipoffEvent:
    fields = ctx.event_fields
    return _event(
        ctx.obj,
        kind,
        actor=ctx.actor,
        role=fields.get("role"),
        from_state=ctx.from_state,
        note=fields.get("note", ""),
        public=fields.get("public", False),
        data=fields.get("data"),
        now=ctx.now,
    )


def _not_allowed(ctx: Context) -> TransitionNotAllowed:
    if ctx.transition.name == "follow":
        return TransitionNotAllowed(
            _("Only a report that has not been decided yet can follow another case."),
            code="invalid_transition",
        )
    return TransitionNotAllowed(
        _("This step (%(action)s) is not possible while the report is “%(state)s”.")
        % {
            "action": ACTION_LABELS.get(ctx.transition.name, ctx.transition.name),
            "state": ctx.obj.get_state_display(),
        },
        code="invalid_transition",
    )


def _forbidden(ctx: Context) -> TransitionForbidden:
    return TransitionForbidden(str(ctx.transition.forbidden_message))


ONLY_INTAKE = gettext_lazy("Only an intake officer may take this step.")
ONLY_HANDLER = gettext_lazy(
    "Only a handler of a department this report is assigned to may take this step."
)

MACHINE = StateMachine(
    "tipoffs",
    model=Tipoff,
    state_field="state",
    write_event=_write_event,
    not_allowed=_not_allowed,
    forbidden=_forbidden,
    transitions=[
        Transition(
            "accept",
            (State.SUBMITTED,),
            State.ACCEPTED,
            policy=_may_intake,
            event=EventKind.ACCEPTED,
            apply=_accept,
            notify=_tell_reporter,
            forbidden_message=ONLY_INTAKE,
        ),
        Transition(
            "not_accept",
            (State.SUBMITTED,),
            State.NOT_ACCEPTED,
            policy=_may_intake,
            event=EventKind.NOT_ACCEPTED,
            apply=_not_accept,
            notify=_tell_reporter,
            forbidden_message=ONLY_INTAKE,
        ),
        Transition(
            "assign",
            (State.ACCEPTED, State.ASSIGNED, State.INVESTIGATING, State.REOPENED),
            _assign_target,
            policy=_may_intake,
            event=EventKind.ASSIGNED,
            apply=_assign,
            notify=_tell_assigned,
            forbidden_message=ONLY_INTAKE,
        ),
        Transition(
            "start_investigation",
            (State.ASSIGNED, State.REOPENED),
            State.INVESTIGATING,
            policy=_may_handle,
            event=EventKind.INVESTIGATING,
            apply=_public_note,
            forbidden_message=ONLY_HANDLER,
        ),
        Transition(
            "extend",
            (State.ASSIGNED, State.INVESTIGATING),
            None,
            policy=_may_extend,
            event=EventKind.EXTENDED,
            apply=_extend,
            notify=_tell_reporter,
            forbidden_message=gettext_lazy(
                "Only the intake office or an assigned department may extend the deadline."
            ),
        ),
        Transition(
            "resolve",
            (State.INVESTIGATING,),
            State.RESOLVED,
            policy=_may_handle,
            event=EventKind.RESOLVED,
            apply=_resolve,
            notify=_tell_reporter,
            forbidden_message=ONLY_HANDLER,
        ),
        Transition(
            "close",
            (State.RESOLVED,),
            State.CLOSED,
            policy=_may_close,
            event=EventKind.CLOSED,
            apply=_close,
            forbidden_message=ONLY_INTAKE,
        ),
        # The reporter's steps: the tracking code (checked by the view) is their authority.
        Transition(
            "rate",
            (State.RESOLVED, State.CLOSED),
            _rate_target,
            event=EventKind.RATED,
            apply=_rate,
        ),
        Transition(
            "request_review",
            (State.RESOLVED, State.CLOSED),
            State.REOPENED,
            event=EventKind.REVIEW_REQUESTED,
            apply=_request_review,
            notify=_tell_departments,
        ),
        Transition(
            "merge",
            (State.SUBMITTED, State.ACCEPTED, State.ASSIGNED, State.INVESTIGATING),
            State.MERGED,
            policy=_may_intake,
            event=EventKind.MERGED,
            apply=_merge,
            notify=_merge_and_tell,
            forbidden_message=ONLY_INTAKE,
        ),
        Transition(
            "add_information",
            OPEN_STATES + (State.RESOLVED,),
            None,
            event=EventKind.INFO_ADDED,
            apply=_add_information,
        ),
        Transition(
            "follow",
            (State.SUBMITTED,),
            State.MERGED,
            event=EventKind.MERGED,
            apply=_follow,
            notify=_record_on_master,
        ),
    ],
)

# Which states each step starts from. The tests walk this table exhaustively.
TRANSITIONS: dict[str, tuple[str, ...]] = MACHINE.sources()


# --- the steps (validate the input, then run the row) ---------------------------------------


def tipoff_accept(*, tipoff: Tipoff, actor, note: str = "", now=None) -> Tipoff:
    return transition(MACHINE, tipoff, "accept", actor=actor, now=_now(now), note=note).obj


def tipoff_not_accept(
    *, tipoff: Tipoff, actor, reason: str, detail: str = "", master: Tipoff | None = None, now=None
) -> Tipoff:
    _require_intake(actor)
    if reason not in NotAcceptedReason.values:
        raise ValidationError(_("Choose a reason for not accepting."))
    if reason == NotAcceptedReason.OUT_OF_SCOPE and not detail.strip():
        raise ValidationError(_("Say which body the reporter should go to."))
    if reason == NotAcceptedReason.ALREADY_HANDLED:
        if master is None:
            raise ValidationError(_("Name the case that already handles this matter."))
        if master.pk == tipoff.pk:
            raise ValidationError(_("A report cannot point to itself."))
    return transition(
        MACHINE,
        tipoff,
        "not_accept",
        actor=actor,
        now=_now(now),
        reason=reason,
        detail=detail,
        master=master,
    ).obj


def tipoff_assign(
    *,
    tipoff: Tipoff,
    actor,
    departments: Iterable[Department],
    note: str = "",
    now=None,
) -> Tipoff:
    """Send the report to one or more departments (the first one leads); replaces earlier ones."""
    _require_intake(actor)
    departments = list(dict.fromkeys(departments))
    if not departments:
        raise ValidationError(_("Choose at least one department."))
    return transition(
        MACHINE, tipoff, "assign", actor=actor, now=_now(now), departments=departments, note=note
    ).obj


def tipoff_start_investigation(*, tipoff: Tipoff, actor, note: str = "", now=None) -> Tipoff:
    return transition(
        MACHINE, tipoff, "start_investigation", actor=actor, now=_now(now), note=note
    ).obj


def tipoff_extend(*, tipoff: Tipoff, actor, days: int, reason: str, now=None) -> Tipoff:
    """The one extension the 条例 allows: at most 30 days, with the reason told to the reporter."""
    limit = deadlines.max_extension_days()
    if not isinstance(days, int) or not 1 <= days <= limit:
        raise ValidationError(_("An extension is between 1 and %(limit)d days.") % {"limit": limit})
    if not reason.strip():
        raise ValidationError(_("Give the reason for the extension; the reporter is told it."))
    return transition(
        MACHINE, tipoff, "extend", actor=actor, now=_now(now), days=days, reason=reason
    ).obj


def tipoff_resolve(
    *,
    tipoff: Tipoff,
    actor,
    finding: str,
    measures: str,
    public_reply: str,
    penalty_reference: str = "",
    now=None,
) -> Tipoff:
    if finding not in Finding.values:
        raise ValidationError(_("Choose a finding."))
    if not measures.strip() or not public_reply.strip():
        raise ValidationError(_("Describe the measures taken and write the reply to the reporter."))
    return transition(
        MACHINE,
        tipoff,
        "resolve",
        actor=actor,
        now=_now(now),
        finding=finding,
        measures=measures,
        public_reply=public_reply,
        penalty_reference=penalty_reference,
    ).obj


def _update_reward_eligibility(master: Tipoff) -> None:
    """Real-name reports found 属实 are eligible; in a merged group only the first reporter."""
    group = [master, *Tipoff.objects.filter(master=master, state=State.MERGED)]
    if master.finding != Finding.TRUE:
        for case in group:
            if case.reward_eligible:
                Tipoff.objects.filter(pk=case.pk).update(reward_eligible=False)
        master.reward_eligible = False
        return
    real_name = [c for c in group if c.confidentiality == Confidentiality.REAL_NAME]
    first = min(real_name, key=lambda c: (c.submitted_at, c.pk)) if real_name else None
    for case in group:
        eligible = first is not None and case.pk == first.pk
        if case.reward_eligible != eligible:
            Tipoff.objects.filter(pk=case.pk).update(reward_eligible=eligible)
        if case.pk == master.pk:
            master.reward_eligible = eligible


def tipoff_close(*, tipoff: Tipoff, actor=None, note: str = "", now=None) -> Tipoff:
    """Close a resolved report: by an intake officer, or by the system after the rating window."""
    return transition(MACHINE, tipoff, "close", actor=actor, now=_now(now), note=note).obj


def tipoff_rate(*, tipoff: Tipoff, rating: int, comment: str = "", now=None) -> Tipoff:
    """The reporter's 1–5 rating (once); a resolved report closes with it."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError(_("A rating is a whole number from 1 to 5."))
    return transition(
        MACHINE, tipoff, "rate", actor=None, now=_now(now), rating=rating, comment=comment
    ).obj


def review_deadline(tipoff: Tipoff) -> dt.date | None:
    if tipoff.resolved_at is None:
        return None
    answered = timezone.localdate(tipoff.resolved_at)
    return answered + dt.timedelta(days=deadlines.review_request_window_days())


def tipoff_request_review(*, tipoff: Tipoff, reason: str, now=None) -> Tipoff:
    """复查: asked by the reporter within 30 days of the answer; reopens the case once."""
    if not reason.strip():
        raise ValidationError(_("Say why you ask for a review."))
    return transition(
        MACHINE, tipoff, "request_review", actor=None, now=_now(now), reason=reason
    ).obj


def tipoff_add_information(
    *, tipoff: Tipoff, text: str, photos: Sequence[PhotoInput] = (), now=None
) -> Tipoff:
    if not text.strip() and not photos:
        raise ValidationError(_("Write something or add a photo."))
    return transition(
        MACHINE, tipoff, "add_information", actor=None, now=_now(now), text=text, photos=photos
    ).obj


def tipoff_merge(*, tipoff: Tipoff, master: Tipoff, actor, now=None) -> Tipoff:
    """Fold a duplicate into a master case; its reporter then receives news of the master's
    handling, each notice under their own tracking code (``notifications.notify_reporter``)."""
    _require_intake(actor)
    if master.pk == tipoff.pk:
        raise ValidationError(_("A report cannot be merged into itself."))
    return transition(MACHINE, tipoff, "merge", actor=actor, now=_now(now), master=master).obj


def tipoff_follow(*, tipoff: Tipoff, master: Tipoff, now=None) -> Tipoff:
    """The reporter chose to follow an open case instead of a new one (只受理一次, 告知去向).

    Only a report still waiting for its acceptance decision can follow; the reporter keeps their
    own tracking code, which then shows the master's progress and public events, never the
    master's code, description or photos. The web view lets a report follow only a case the
    duplicate check offered to it (a signed, expiring offer: ``views.follow_offer``).
    """
    if master.pk == tipoff.pk:
        raise ValidationError(_("A report cannot follow itself."))
    return transition(MACHINE, tipoff, "follow", actor=None, now=_now(now), master=master).obj


def tipoff_add_note(
    *, tipoff: Tipoff, actor, text: str, public: bool = False, now=None
) -> TipoffEvent:
    """An internal note (staff only) or a public reply (shown on the tracking page)."""
    now = _now(now)
    if not text.strip():
        raise ValidationError(_("The note is empty."))
    if not (is_intake(actor) or is_handler_for(actor, tipoff)):
        raise TransitionForbidden(_("You may not write on this report."))
    with transaction.atomic():
        tipoff = _lock(tipoff)
        event = _event(
            tipoff,
            EventKind.REPLY if public else EventKind.NOTE,
            actor=actor,
            from_state=tipoff.state,
            note=text.strip(),
            public=public,
            now=now,
        )
        if public:
            notifications.notify_reporter(tipoff, EventKind.REPLY)
    return event


def tipoff_approve_photo(
    *, photo: TipoffPhoto, actor, approved: bool = True, now=None
) -> TipoffPhoto:
    if not photo_policy.user_has_permission_for_instance(actor, "approve", photo):
        raise TransitionForbidden(_("Only an intake officer may take this step."))
    with transaction.atomic():
        tipoff = _lock(photo.tipoff)
        TipoffPhoto.objects.filter(pk=photo.pk).update(public_approved=approved)
        photo.public_approved = approved
        _event(
            tipoff,
            EventKind.PHOTO_APPROVED,
            actor=actor,
            from_state=tipoff.state,
            data={"photo": photo.pk, "approved": approved},
            now=now,
        )
    return photo


def tipoffs_bulk_assign(
    *, tipoffs: Iterable[Tipoff], actor, departments: Sequence[Department], now=None
) -> tuple[list[Tipoff], list[tuple[Tipoff, str]]]:
    """Assign many reports; an accepted-but-unassigned or submitted one is accepted first.

    Returns (done, [(report, reason it was skipped)]); each report has its own transaction.
    """
    done, skipped = [], []
    for tipoff in tipoffs:
        try:
            if tipoff.state == State.SUBMITTED:
                tipoff = tipoff_accept(tipoff=tipoff, actor=actor, now=now)
            done.append(tipoff_assign(tipoff=tipoff, actor=actor, departments=departments, now=now))
        except (ValidationError, PermissionDenied) as exc:
            skipped.append((tipoff, "; ".join(getattr(exc, "messages", [str(exc)]))))
        except WorkdayCalendarUnknown as exc:  # the deadline cannot be computed: say why
            skipped.append((tipoff, str(exc)))
    return done, skipped


# --- deadlines run by the scheduler ---------------------------------------------------------


@dataclass
class SweepResult:
    reminded: int = 0
    escalated: int = 0
    closed: int = 0


def tipoffs_sweep_deadlines(*, today: dt.date | None = None, now=None) -> SweepResult:
    """催办 at two thirds of each running period, 督办 once overdue, auto-close after the window.

    Idempotent: a reminder or escalation is recorded per deadline, so running it twice a day (or
    after an extension) never repeats a notice for the same deadline.
    """
    now = _now(now)
    today = today or timezone.localdate(now)
    result = SweepResult()
    calendar = WorkdayCalendar()
    running = Tipoff.objects.filter(state__in=OPEN_STATES, due_date__isnull=False).only(
        "pk", "due_date", "period_start", "reminded_for", "escalated_for", "state"
    )
    for case in running.filter(due_date__lt=today).exclude(escalated_for=F("due_date")):
        if _escalate(case, today=today, now=now):
            result.escalated += 1
    candidates = running.filter(due_date__gte=today).exclude(reminded_for=F("due_date"))
    for case in candidates.iterator():
        start = case.period_start or case.due_date
        due_soon = today >= deadlines.reminder_date(start, case.due_date, calendar)
        if due_soon and _remind(case, today=today, now=now):
            result.reminded += 1
    close_before = now - dt.timedelta(days=deadlines.auto_close_days())
    for case in Tipoff.objects.filter(state=State.RESOLVED, resolved_at__lte=close_before):
        try:
            tipoff_close(tipoff=case, note="", now=now)
            result.closed += 1
        except TransitionNotAllowed:
            continue
    return result


def _remind(case: Tipoff, *, today, now) -> bool:
    with transaction.atomic():
        case = _lock(case)
        if (
            case.state not in OPEN_STATES
            or case.due_date is None
            or case.reminded_for == case.due_date
        ):
            return False
        case.reminded_for = case.due_date
        case.save(update_fields=["reminded_for"])
        _event(
            case,
            EventKind.REMINDER,
            role=ActorRole.SYSTEM,
            from_state=case.state,
            data={"due": case.due_date.isoformat()},
            now=now,
        )
        notifications.notify_responsible(case, EventKind.REMINDER)
    return True


def _escalate(case: Tipoff, *, today, now) -> bool:
    with transaction.atomic():
        case = _lock(case)
        if (
            case.state not in OPEN_STATES
            or case.due_date is None
            or case.escalated_for == case.due_date
        ):
            return False
        case.escalated_for = case.due_date
        case.reminded_for = case.due_date
        case.save(update_fields=["escalated_for", "reminded_for"])
        _event(
            case,
            EventKind.ESCALATION,
            role=ActorRole.SYSTEM,
            from_state=case.state,
            data={"due": case.due_date.isoformat(), "days_late": (today - case.due_date).days},
            now=now,
        )
        notifications.notify_responsible(case, EventKind.ESCALATION)
    return True
