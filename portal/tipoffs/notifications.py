"""Notices to reporters and departments: an outbox row written in the transition's transaction,
sent after commit by a django-tasks task (email through Django's mail, SMS through portal.sms).

A request never waits for a gateway: with the database task backend the worker sends; a failed
send is retried with back-off (``TIPOFFS_NOTIFY_MAX_ATTEMPTS``, default 5) by re-enqueueing when the
backend can defer, and by ``manage.py tipoffs_deadlines`` otherwise. Messages to departments and
the intake office never contain the reporter's identity; the outbox row stores no address — the
task looks it up when it sends.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from portal import roles
from portal.sms import send_sms

logger = logging.getLogger(__name__)

REPORTER_KINDS = {
    "submitted",
    "accepted",
    "not_accepted",
    "assigned",
    "extended",
    "resolved",
    "merged",
    "reply",
}


def max_attempts() -> int:
    return settings.TIPOFFS_NOTIFY_MAX_ATTEMPTS


def _reporter_message(tipoff, kind: str, *, code: str) -> tuple[str, str]:
    """The notice about ``tipoff``'s handling, under the recipient's own tracking ``code``."""
    due = tipoff.handling_due.isoformat() if tipoff.handling_due else ""
    texts = {
        "submitted": _(
            "Your pollution report has been received. Tracking code: %(code)s. "
            "We decide whether to accept it by %(due)s."
        )
        % {"code": code, "due": tipoff.acceptance_due.isoformat()},
        "accepted": _("Your report %(code)s has been accepted; it will be handled by %(due)s.")
        % {"code": code, "due": due},
        "not_accepted": _(
            "Your report %(code)s was not accepted. The reason is on the tracking page."
        )
        % {"code": code},
        "assigned": _("Your report %(code)s has been passed to the responsible department.")
        % {"code": code},
        "extended": _(
            "The handling of your report %(code)s has been extended to %(due)s: %(reason)s"
        )
        % {"code": code, "due": due, "reason": tipoff.extension_reason},
        "resolved": _(
            "Your report %(code)s has been answered. See the outcome and rate the handling on "
            "the tracking page."
        )
        % {"code": code},
        "merged": _(
            "Your report %(code)s concerns a matter already being handled; you will receive the "
            "updates of that case."
        )
        % {"code": code},
        "reply": _("There is a new reply on your report %(code)s.") % {"code": code},
    }
    subject = _("Pollution report %(code)s") % {"code": code}
    return subject, texts[kind]


def _staff_message(tipoff, kind: str) -> tuple[str, str]:
    """What a department or the intake office is told: case facts, never the reporter."""
    reference = tipoff.reference
    facts = _("%(ref)s · %(category)s · %(subdistrict)s · deadline %(due)s") % {
        "ref": reference,
        "category": tipoff.category.name,
        "subdistrict": tipoff.subdistrict.name,
        "due": tipoff.due_date.isoformat() if tipoff.due_date else "—",
    }
    texts = {
        "assigned": _("A pollution report has been assigned to your department: %(facts)s"),
        "reminder": _(
            "Reminder (催办): two thirds of the time for this report are gone: %(facts)s"
        ),
        "escalation": _("Escalation (督办): this report is overdue: %(facts)s"),
        "review_requested": _("The reporter asked for a review (复查) of this report: %(facts)s"),
    }
    body = texts[kind] % {"facts": facts}
    try:
        path = reverse("tipoffs_admin:case", args=[tipoff.pk])
        body += "\n" + settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
    except NoReverseMatch:
        pass
    subject = _("[%(kind)s] %(ref)s") % {"kind": _kind_label(kind), "ref": reference}
    return subject, body


def _kind_label(kind: str) -> str:
    from portal.tipoffs.models import EventKind

    return str(EventKind(kind).label)


_suppressed: ContextVar[bool] = ContextVar("tipoffs_notifications_suppressed", default=False)


@contextmanager
def suppressed():
    """Write outbox rows but send nothing (demo data, bulk imports)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def _queue(notification_ids: list[int]) -> None:
    if not notification_ids or _suppressed.get():
        return

    def enqueue():
        for pk in notification_ids:
            send_notification.enqueue(pk)

    transaction.on_commit(enqueue)


def notify_reporter(tipoff, kind: str, *, only_this: bool = False) -> list[int]:
    """Tell the reporter (and, for a master case, every merged reporter) — real-name only.

    Each notice carries its recipient's own tracking code and never another report's: a code
    opens its report's tracking page, so a merged reporter holding the master's code could read
    and act on the master's report.
    """
    from portal.tipoffs.models import Confidentiality, Notification, State, Tipoff

    if kind not in REPORTER_KINDS:
        return []
    cases = [tipoff]
    if not only_this:
        cases += list(
            Tipoff.objects.filter(master=tipoff, state=State.MERGED).select_related("category")
        )
    ids = []
    with translation.override(settings.LANGUAGE_CODE):
        for case in cases:
            if case.confidentiality != Confidentiality.REAL_NAME:
                continue
            subject, body = _reporter_message(tipoff, kind, code=case.display_code)
            if case.pk != tipoff.pk:
                body = _("(News of the case your report follows.) ") + body
            ids.append(
                Notification.objects.create(
                    tipoff=case,
                    audience=Notification.Audience.REPORTER,
                    kind=kind,
                    subject=subject,
                    body=body,
                ).pk
            )
    _queue(ids)
    return ids


def notify_department(tipoff, department, kind: str) -> list[int]:
    from portal.tipoffs.models import Notification

    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _staff_message(tipoff, kind)
    pk = Notification.objects.create(
        tipoff=tipoff,
        audience=Notification.Audience.DEPARTMENT,
        department=department,
        kind=kind,
        subject=subject,
        body=body,
    ).pk
    _queue([pk])
    return [pk]


def notify_responsible(tipoff, kind: str) -> list[int]:
    """Reminders and escalations: the intake office before assignment, else the departments."""
    from portal.tipoffs.models import Notification, State

    if tipoff.state in (State.SUBMITTED, State.ACCEPTED):
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _staff_message(tipoff, kind)
        pk = Notification.objects.create(
            tipoff=tipoff,
            audience=Notification.Audience.INTAKE,
            kind=kind,
            subject=subject,
            body=body,
        ).pk
        _queue([pk])
        return [pk]
    ids = []
    for assignment in tipoff.assignments.select_related("department"):
        ids += notify_department(tipoff, assignment.department, kind)
    return ids


def _staff_addresses(notification) -> list[str]:
    User = get_user_model()
    users = User.objects.filter(is_active=True).exclude(email="")
    if notification.audience == notification.Audience.DEPARTMENT:
        users = users.filter(department_memberships__department=notification.department_id)
    else:
        users = users.filter(groups__name=roles.INTAKE_OFFICER)
    return sorted(set(users.values_list("email", flat=True)))


def deliver(notification) -> str:
    """Send one notification now; returns the new status. Raises on a gateway error."""
    from portal.tipoffs.models import Notification, ReporterIdentity

    if notification.audience == Notification.Audience.REPORTER:
        identity = ReporterIdentity.objects.filter(
            tipoff_id=notification.tipoff_id, purged_at__isnull=True
        ).first()
        if identity is None or not identity.has_contact:
            return Notification.Status.SKIPPED
        if identity.phone:
            send_sms(phone=identity.phone, message=notification.body)
        if identity.email:
            send_mail(
                notification.subject,
                notification.body,
                settings.DEFAULT_FROM_EMAIL,
                [identity.email],
            )
        return Notification.Status.SENT
    addresses = _staff_addresses(notification)
    if not addresses:
        return Notification.Status.SKIPPED
    send_mail(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, addresses)
    return Notification.Status.SENT


@task()
def send_notification(notification_id: int) -> str:
    from portal.tipoffs.models import Notification

    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None or notification.status in (
        Notification.Status.SENT,
        Notification.Status.SKIPPED,
    ):
        return "nothing to do"
    notification.attempts += 1
    try:
        notification.status = deliver(notification)
        notification.sent_at = timezone.now()
        notification.last_error = ""
    except Exception as exc:
        notification.status = Notification.Status.FAILED
        # The class name only: a gateway's message may quote the address.
        notification.last_error = type(exc).__name__[:200]
        logger.warning(
            "Notification %s for report %s failed (attempt %s): %s",
            notification.pk,
            notification.tipoff_id,
            notification.attempts,
            type(exc).__name__,
        )
    notification.save(update_fields=["status", "attempts", "last_error", "sent_at"])
    if notification.status == Notification.Status.FAILED and notification.attempts < max_attempts():
        _retry_later(notification)
    return notification.status


def _retry_later(notification) -> None:
    backend = send_notification.get_backend()
    if not backend.supports_defer:
        return  # the scheduled command retries it
    delay = dt.timedelta(minutes=2**notification.attempts)
    send_notification.using(run_after=timezone.now() + delay).enqueue(notification.pk)


def retry_failed_notifications() -> int:
    """Re-enqueue failed notices that have attempts left (run by tipoffs_deadlines)."""
    from portal.tipoffs.models import Notification

    ids = list(
        Notification.objects.filter(
            status=Notification.Status.FAILED, attempts__lt=max_attempts()
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        send_notification.enqueue(pk)
    return len(ids)
