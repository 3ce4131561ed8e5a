"""The one writer of a report's state.

Every function here locks the report row, checks the actor's role, department and the report's
current state, changes it and writes its ``TipoffEvent`` (and any notifications) in the same
transaction. Nothing else in the code base assigns ``Tipoff.state``. A transition that is not
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

from portal import roles
from portal.models import Department, PortalSettings
from portal.tipoffs import deadlines, notifications
from portal.tipoffs.models import (
    OPEN_STATES,
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
from portal.tipoffs.text import public_location
from portal.workdays import WorkdayCalendar

CONSENT_VERSION = "2026-1"


class TransitionNotAllowed(ValidationError):
    """The report is not in a state that allows this step."""


class TransitionForbidden(PermissionDenied):
    """The actor may not take this step on this report."""


# Which states each step starts from. The tests walk this table exhaustively.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "accept": (State.SUBMITTED,),
    "not_accept": (State.SUBMITTED,),
    "assign": (State.ACCEPTED, State.ASSIGNED, State.INVESTIGATING, State.REOPENED),
    "start_investigation": (State.ASSIGNED, State.REOPENED),
    "extend": (State.ASSIGNED, State.INVESTIGATING),
    "resolve": (State.INVESTIGATING,),
    "close": (State.RESOLVED,),
    "rate": (State.RESOLVED, State.CLOSED),
    "request_review": (State.RESOLVED, State.CLOSED),
    "merge": (State.SUBMITTED, State.ACCEPTED, State.ASSIGNED, State.INVESTIGATING),
    "add_information": OPEN_STATES + (State.RESOLVED,),
}


# --- who may do what -----------------------------------------------------------------------


def is_intake(user) -> bool:
    """The intake group's right (or the permission granted explicitly); never superuser status."""
    return roles.user_has_explicit_perm(user, "tipoffs.intake_tipoff")


def is_handler(user) -> bool:
    return roles.user_has_explicit_perm(user, "tipoffs.handle_tipoff")


def department_ids_of(user) -> set[int]:
    if not (user and user.is_authenticated):
        return set()
    return set(user.department_memberships.values_list("department_id", flat=True))


def is_handler_for(user, tipoff: Tipoff) -> bool:
    """A handler who belongs to one of the report's assigned departments."""
    if not is_handler(user):
        return False
    assigned = set(tipoff.assignments.values_list("department_id", flat=True))
    return bool(assigned & department_ids_of(user))


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


def _require_state(tipoff: Tipoff, action: str) -> None:
    if tipoff.state not in TRANSITIONS[action]:
        raise TransitionNotAllowed(
            _("This step (%(action)s) is not possible while the report is “%(state)s”.")
            % {"action": ACTION_LABELS.get(action, action), "state": tipoff.get_state_display()},
            code="invalid_transition",
        )


def _require_intake(actor) -> None:
    if not is_intake(actor):
        raise TransitionForbidden(_("Only an intake officer may take this step."))


def _require_handler(actor, tipoff: Tipoff) -> None:
    if not is_handler_for(actor, tipoff):
        raise TransitionForbidden(
            _("Only a handler of a department this report is assigned to may take this step.")
        )


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
    now: dt.datetime | None = None,
) -> Tipoff:
    """File a report: the case, its identity (if real-name), photos and the first event, at once."""
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
    elif confidentiality == Confidentiality.ANONYMOUS:
        name = phone = email = ""
        user = None
    else:
        raise ValidationError(_("Choose how your identity is handled."))
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS})
    if category.children.exists():
        raise ValidationError(_("Choose a specific category."))

    calendar = WorkdayCalendar()
    submitted_on = timezone.localdate(now)
    due = deadlines.acceptance_due(submitted_on, calendar)
    with transaction.atomic():
        tipoff = Tipoff(
            category=category,
            subdistrict=subdistrict,
            address=address.strip(),
            public_address=public_location(address, PortalSettings.default_address_prefixes()),
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
            ReporterIdentity.objects.create(
                tipoff=tipoff,
                name=name.strip(),
                phone=phone.strip(),
                email=email.strip(),
                user=user if user is not None and user.is_authenticated else None,
                consent_at=now,
                consent_version=CONSENT_VERSION,
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


def tipoff_accept(*, tipoff: Tipoff, actor, note: str = "", now=None) -> Tipoff:
    now = _now(now)
    _require_intake(actor)
    with transaction.atomic():
        tipoff = _lock(tipoff)
        _require_state(tipoff, "accept")
        before = tipoff.state
        accepted_on = timezone.localdate(now)
        tipoff.state = State.ACCEPTED
        tipoff.accepted_at = now
        tipoff.handling_due = deadlines.handling_due(accepted_on)
        tipoff.owner = tipoff.owner or actor
        _set_period(tipoff, accepted_on, tipoff.handling_due)
        tipoff.save()
        _event(
            tipoff,
            EventKind.ACCEPTED,
            actor=actor,
            from_state=before,
            note=note,
            public=True,
            data={"handling_due": tipoff.handling_due.isoformat()},
            now=now,
        )
        notifications.notify_reporter(tipoff, EventKind.ACCEPTED)
    return tipoff


def tipoff_not_accept(
    *, tipoff: Tipoff, actor, reason: str, detail: str = "", master: Tipoff | None = None, now=None
) -> Tipoff:
    now = _now(now)
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
    with transaction.atomic():
        tipoff = _lock(tipoff)
        _require_state(tipoff, "not_accept")
        before = tipoff.state
        tipoff.state = State.NOT_ACCEPTED
        tipoff.not_accepted_reason = reason
        tipoff.not_accepted_detail = detail.strip()
        if master is not None:
            tipoff.master = master
        tipoff.closed_at = now
        _set_period(tipoff, None, None)
        tipoff.save()
        data = {"reason": reason}
        if master is not None:
            # The reference only: a tracking code opens its report to whoever holds it.
            data["master_ref"] = master.reference
        _event(
            tipoff,
            EventKind.NOT_ACCEPTED,
            actor=actor,
            from_state=before,
            note=detail.strip(),
            public=True,
            data=data,
            now=now,
        )
        notifications.notify_reporter(tipoff, EventKind.NOT_ACCEPTED)
    return tipoff


def tipoff_assign(
    *,
    tipoff: Tipoff,
    actor,
    departments: Iterable[Department],
    note: str = "",
    now=None,
) -> Tipoff:
    """Send the report to one or more departments (the first one leads); replaces earlier ones."""
    now = _now(now)
    _require_intake(actor)
    departments = list(dict.fromkeys(departments))
    if not departments:
        raise ValidationError(_("Choose at least one department."))
    with transaction.atomic():
        tipoff = _lock(tipoff)
        _require_state(tipoff, "assign")
        before = tipoff.state
        previous = set(tipoff.assignments.values_list("department_id", flat=True))
        tipoff.assignments.exclude(department__in=departments).delete()
        for position, department in enumerate(departments):
            TipoffAssignment.objects.update_or_create(
                tipoff=tipoff,
                department=department,
                defaults={"is_lead": position == 0, "assigned_at": now},
            )
        if tipoff.state != State.REOPENED:
            tipoff.state = State.ASSIGNED
        tipoff.save()
        names = "、".join(d.name for d in departments)
        _event(
            tipoff,
            EventKind.ASSIGNED,
            actor=actor,
            from_state=before,
            note=note,
            public=True,
            data={"departments": [d.pk for d in departments], "names": names},
            now=now,
        )
        notifications.notify_reporter(tipoff, EventKind.ASSIGNED)
        for department in departments:
            if department.pk not in previous:
                notifications.notify_department(tipoff, department, EventKind.ASSIGNED)
    return tipoff


def tipoff_start_investigation(*, tipoff: Tipoff, actor, note: str = "", now=None) -> Tipoff:
    now = _now(now)
    with transaction.atomic():
        tipoff = _lock(tipoff)
        _require_handler(actor, tipoff)
        _require_state(tipoff, "start_investigation")
        before = tipoff.state
        tipoff.state = State.INVESTIGATING
        tipoff.save()
        _event(
            tipoff,
            EventKind.INVESTIGATING,
            actor=actor,
            from_state=before,
            note=note,
            public=True,
            now=now,
        )
    return tipoff


def tipoff_extend(*, tipoff: Tipoff, actor, days: int, reason: str, now=None) -> Tipoff:
    """The one extension the 条例 allows: at most 30 days, with the reason told to the reporter."""
    now = _now(now)
    limit = deadlines.max_extension_days()
    if not isinstance(days, int) or not 1 <= days <= limit:
        raise ValidationError(_("An extension is between 1 and %(limit)d days.") % {"limit": limit})
    if not reason.strip():
        raise ValidationError(_("Give the reason for the extension; the reporter is told it."))
    with transaction.atomic():
        tipoff = _lock(tipoff)
        if not (is_intake(actor) or is_handler_for(actor, tipoff)):
            raise TransitionForbidden(
                _("Only the intake office or an assigned department may extend the deadline.")
            )
        _require_state(tipoff, "extend")
        if tipoff.extension_days:
            raise TransitionNotAllowed(
                _("The deadline has already been extended once; it cannot be extended again."),
                code="already_extended",
            )
        old_due = tipoff.handling_due
        tipoff.extension_days = days
        tipoff.extension_reason = reason.strip()
        tipoff.handling_due = deadlines.add_period(old_due, days)
        _set_period(tipoff, old_due, tipoff.handling_due)
        tipoff.save()
        _event(
            tipoff,
            EventKind.EXTENDED,
            actor=actor,
            from_state=tipoff.state,
            note=reason.strip(),
            public=True,
            data={
                "days": days,
                "old_due": old_due.isoformat(),
                "new_due": tipoff.handling_due.isoformat(),
            },
            now=now,
        )
        notifications.notify_reporter(tipoff, EventKind.EXTENDED)
    return tipoff


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
    now = _now(now)
    if finding not in Finding.values:
        raise ValidationError(_("Choose a finding."))
    if not measures.strip() or not public_reply.strip():
        raise ValidationError(_("Describe the measures taken and write the reply to the reporter."))
    with transaction.atomic():
        tipoff = _lock(tipoff)
        _require_handler(actor, tipoff)
        _require_state(tipoff, "resolve")
        before = tipoff.state
        tipoff.state = State.RESOLVED
        tipoff.resolved_at = now
        tipoff.finding = finding
        tipoff.measures = measures.strip()
        tipoff.public_reply = public_reply.strip()
        tipoff.penalty_reference = penalty_reference.strip()
        _set_period(tipoff, None, None)
        tipoff.save()
        _event(
            tipoff,
            EventKind.RESOLVED,
            actor=actor,
            from_state=before,
            note=public_reply.strip(),
            public=True,
            data={"finding": finding},
            now=now,
        )
        _update_reward_eligibility(tipoff)
        notifications.notify_reporter(tipoff, EventKind.RESOLVED)
    return tipoff


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
    now = _now(now)
    if actor is not None:
        _require_intake(actor)
    with transaction.atomic():
        tipoff = _lock(tipoff)
        _require_state(tipoff, "close")
        before = tipoff.state
        tipoff.state = State.CLOSED
        tipoff.closed_at = now
        tipoff.save()
        _event(
            tipoff,
            EventKind.CLOSED,
            actor=actor,
            from_state=before,
            note=note,
            public=True,
            now=now,
        )
    return tipoff


def tipoff_rate(*, tipoff: Tipoff, rating: int, comment: str = "", now=None) -> Tipoff:
    """The reporter's 1–5 rating (once); a resolved report closes with it."""
    now = _now(now)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError(_("A rating is a whole number from 1 to 5."))
    with transaction.atomic():
        tipoff = _lock(tipoff)
        _require_state(tipoff, "rate")
        if tipoff.rating is not None:
            raise TransitionNotAllowed(_("This report has already been rated."), code="rated")
        before = tipoff.state
        tipoff.rating = rating
        tipoff.rating_comment = comment.strip()
        tipoff.rated_at = now
        if tipoff.state == State.RESOLVED:
            tipoff.state = State.CLOSED
            tipoff.closed_at = now
        tipoff.save()
        _event(
            tipoff,
            EventKind.RATED,
            role=ActorRole.REPORTER,
            from_state=before,
            note=comment.strip(),
            public=False,
            data={"rating": rating},
            now=now,
        )
    return tipoff


def review_deadline(tipoff: Tipoff) -> dt.date | None:
    if tipoff.resolved_at is None:
        return None
    answered = timezone.localdate(tipoff.resolved_at)
    return answered + dt.timedelta(days=deadlines.review_request_window_days())


def tipoff_request_review(*, tipoff: Tipoff, reason: str, now=None) -> Tipoff:
    """复查: asked by the reporter within 30 days of the answer; reopens the case once."""
    now = _now(now)
    if not reason.strip():
        raise ValidationError(_("Say why you ask for a review."))
    with transaction.atomic():
        tipoff = _lock(tipoff)
        _require_state(tipoff, "request_review")
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
        before = tipoff.state
        today = timezone.localdate(now)
        tipoff.state = State.REOPENED
        tipoff.review_requested_at = now
        tipoff.closed_at = None
        due = deadlines.add_period(today, deadlines.review_days())
        tipoff.handling_due = due
        _set_period(tipoff, today, due)
        tipoff.save()
        _event(
            tipoff,
            EventKind.REVIEW_REQUESTED,
            role=ActorRole.REPORTER,
            from_state=before,
            note=reason.strip(),
            public=False,
            data={"due": due.isoformat()},
            now=now,
        )
        for assignment in tipoff.assignments.select_related("department"):
            notifications.notify_department(
                tipoff, assignment.department, EventKind.REVIEW_REQUESTED
            )
    return tipoff


def tipoff_add_information(
    *, tipoff: Tipoff, text: str, photos: Sequence[PhotoInput] = (), now=None
) -> Tipoff:
    now = _now(now)
    if not text.strip() and not photos:
        raise ValidationError(_("Write something or add a photo."))
    with transaction.atomic():
        tipoff = _lock(tipoff)
        _require_state(tipoff, "add_information")
        if tipoff.photos.count() + len(photos) > MAX_PHOTOS:
            raise ValidationError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS})
        for photo in photos:
            store_photo(tipoff=tipoff, photo=photo, now=now)
        _event(
            tipoff,
            EventKind.INFO_ADDED,
            role=ActorRole.REPORTER,
            from_state=tipoff.state,
            note=text.strip(),
            public=False,
            data={"photos": len(photos)},
            now=now,
        )
    return tipoff


def tipoff_merge(*, tipoff: Tipoff, master: Tipoff, actor, now=None) -> Tipoff:
    """Fold a duplicate into a master case; its reporter then receives news of the master's
    handling, each notice under their own tracking code (``notifications.notify_reporter``)."""
    now = _now(now)
    _require_intake(actor)
    if master.pk == tipoff.pk:
        raise ValidationError(_("A report cannot be merged into itself."))
    with transaction.atomic():
        locked = {
            t.pk: t
            for t in Tipoff.objects.select_for_update().filter(pk__in=[tipoff.pk, master.pk])
        }
        tipoff, master = locked[tipoff.pk], locked[master.pk]
        _require_state(tipoff, "merge")
        if master.state not in OPEN_STATES or master.state == State.MERGED:
            raise TransitionNotAllowed(
                _("A report can only be merged into an open case."), code="master_closed"
            )
        before = tipoff.state
        tipoff.state = State.MERGED
        tipoff.master = master
        _set_period(tipoff, None, None)
        tipoff.save()
        # Reports merged into this one follow it to the new master.
        Tipoff.objects.filter(master=tipoff, state=State.MERGED).update(master=master)
        _event(
            tipoff,
            EventKind.MERGED,
            actor=actor,
            from_state=before,
            public=True,
            data={"master_ref": master.reference},
            now=now,
        )
        _event(
            master,
            EventKind.MERGE_RECEIVED,
            actor=actor,
            from_state=master.state,
            data={"merged_ref": tipoff.reference},
            now=now,
        )
        notifications.notify_reporter(tipoff, EventKind.MERGED, only_this=True)
    return tipoff


def tipoff_follow(*, tipoff: Tipoff, master: Tipoff, now=None) -> Tipoff:
    """The reporter chose to follow an open case instead of a new one (只受理一次, 告知去向).

    Only a report still waiting for its acceptance decision can follow; the reporter keeps their
    own tracking code, which then shows the master's progress and public events, never the
    master's code, description or photos. The web view lets a report follow only a case the
    duplicate check offered to it (a signed, expiring offer: ``views.follow_offer``).
    """
    now = _now(now)
    if master.pk == tipoff.pk:
        raise ValidationError(_("A report cannot follow itself."))
    with transaction.atomic():
        locked = {
            t.pk: t
            for t in Tipoff.objects.select_for_update().filter(pk__in=[tipoff.pk, master.pk])
        }
        tipoff, master = locked[tipoff.pk], locked[master.pk]
        if tipoff.state != State.SUBMITTED:
            raise TransitionNotAllowed(
                _("Only a report that has not been decided yet can follow another case."),
                code="invalid_transition",
            )
        if master.state not in OPEN_STATES or master.state == State.MERGED:
            raise TransitionNotAllowed(
                _("A report can only be merged into an open case."), code="master_closed"
            )
        if (
            master.category_id != tipoff.category_id
            or master.subdistrict_id != tipoff.subdistrict_id
        ):
            raise ValidationError(_("That case is about another matter."))
        before = tipoff.state
        tipoff.state = State.MERGED
        tipoff.master = master
        _set_period(tipoff, None, None)
        tipoff.save()
        _event(
            tipoff,
            EventKind.MERGED,
            role=ActorRole.REPORTER,
            from_state=before,
            public=True,
            data={"master_ref": master.reference, "by_reporter": True},
            now=now,
        )
        _event(
            master,
            EventKind.MERGE_RECEIVED,
            role=ActorRole.REPORTER,
            from_state=master.state,
            data={"merged_ref": tipoff.reference},
            now=now,
        )
    return tipoff


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
    _require_intake(actor)
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
