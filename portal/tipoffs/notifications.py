"""Notices about pollution reports: the rules table and the entry points the workflow calls.

The sending is the shell's (``portal.notifications``): one outbox row per recipient and channel,
written in the transition's transaction, sent after commit by one task per row, each channel
retried on its own. This module says who is told what:

- ``RULES`` — event → [(recipient role, channel, template key)]. "Text the reporter when a case
  is answered" is the ``tipoffs.resolved`` row, not an ``if`` in the workflow. Texts are in
  ``templates/notifications/tipoff_*.txt``.
- the roles: ``reporter`` (the real-name reporter of a case, and for a master case every reporter
  whose case was merged into it), ``department`` (the active members of a department) and
  ``intake`` (the intake office).
- ``tipoffs.reporter`` recipients: a case's id, resolved to the reporter identity's phone and
  e-mail only when a row is written and sent; an erased identity gets nothing.

Each notice to a reporter is a row *about their own case* (``related`` = the case whose reporter
it goes to, checked when it is rendered), so its tracking code is always the recipient's own and
never the master's: a code opens its report's tracking page. Notices to departments and the
intake office are rendered from case facts only; their context has no code and no identity.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from portal import roles
from portal.models import User
from portal.notifications import outbox
from portal.notifications.render import admin_link, register_context
from portal.notifications.rules import (
    Contact,
    Recipient,
    has_rules,
    register_recipient_kind,
    register_rules,
)
from portal.tipoffs.models import Confidentiality, EventKind, ReporterIdentity, State, Tipoff

REPORTER = "tipoffs.reporter"


def _to_reporter(key: str) -> list[tuple[str, str, str]]:
    return [("reporter", "sms", key), ("reporter", "email", key)]


RULES = {
    "tipoffs.submitted": _to_reporter("tipoff_submitted"),
    "tipoffs.accepted": _to_reporter("tipoff_accepted"),
    "tipoffs.not_accepted": _to_reporter("tipoff_not_accepted"),
    "tipoffs.assigned": [
        *_to_reporter("tipoff_assigned"),
        ("department", "email", "tipoff_staff_assigned"),
    ],
    "tipoffs.extended": _to_reporter("tipoff_extended"),
    # The case is answered (办结): the reporter is told by text and e-mail to see and rate it.
    "tipoffs.resolved": _to_reporter("tipoff_resolved"),
    "tipoffs.merged": _to_reporter("tipoff_merged"),
    "tipoffs.reply": _to_reporter("tipoff_reply"),
    "tipoffs.reminder": [
        ("department", "email", "tipoff_staff_reminder"),
        ("intake", "email", "tipoff_staff_reminder"),
    ],
    "tipoffs.escalation": [
        ("department", "email", "tipoff_staff_escalation"),
        ("intake", "email", "tipoff_staff_escalation"),
    ],
    "tipoffs.review_requested": [("department", "email", "tipoff_staff_review_requested")],
}
register_rules(RULES)

# Kept for callers of the old module: the shell owns these now.
suppressed = outbox.suppressed
retry_failed_notifications = outbox.retry_failed_notifications
send_notification = outbox.send_notification


def _event(kind: str) -> str:
    return f"tipoffs.{kind}"


def notify_reporter(tipoff, kind: str, *, only_this: bool = False) -> list[int]:
    """Tell the reporter (and, for a master case, every merged reporter) — real-name only.

    Each notice is about its recipient's own case and carries that case's tracking code, never
    another report's: a code opens its report's tracking page, so a merged reporter holding the
    master's code could read and act on the master's report.
    """
    if not has_rules(_event(kind), role="reporter"):
        return []
    cases = [tipoff]
    if not only_this:
        cases += list(Tipoff.objects.filter(master=tipoff, state=State.MERGED))
    ids = []
    for case in cases:
        if case.confidentiality != Confidentiality.REAL_NAME:
            continue
        ids += outbox.notify(
            _event(kind),
            case,
            role="reporter",
            recipients=[Recipient(REPORTER, case.pk)],
            context={} if case.pk == tipoff.pk else {"about": tipoff.pk},
        )
    return ids


def _users(users) -> list[Recipient]:
    pks = users.filter(is_active=True).exclude(email="").values_list("pk", flat=True)
    return [Recipient("user", pk) for pk in sorted(set(pks))]


def notify_department(tipoff, department, kind: str) -> list[int]:
    """Tell each member of ``department`` by e-mail: case facts, never the reporter."""
    members = User.objects.filter(department_memberships__department=department)
    return outbox.notify(_event(kind), tipoff, role="department", recipients=_users(members))


def notify_responsible(tipoff, kind: str) -> list[int]:
    """Reminders and escalations: the intake office before assignment, else the departments."""
    if tipoff.state in (State.SUBMITTED, State.ACCEPTED):
        officers = User.objects.filter(groups__name=roles.INTAKE_OFFICER)
        return outbox.notify(_event(kind), tipoff, role="intake", recipients=_users(officers))
    ids = []
    for assignment in tipoff.assignments.select_related("department"):
        ids += notify_department(tipoff, assignment.department, kind)
    return ids


def _reporter_contact(case_id: int) -> Contact | None:
    identity = ReporterIdentity.objects.filter(
        tipoff_id=case_id,
        tipoff__confidentiality=Confidentiality.REAL_NAME,
        purged_at__isnull=True,
    ).first()
    if identity is None:
        return None
    return Contact(email=identity.email or "", phone=identity.phone or "")


def _tipoff_context(case: Tipoff, notification) -> dict:
    """What a notice about ``case`` may show, loaded when it is sent."""
    about = case
    if "about" in notification.context:
        about = Tipoff.objects.select_related("category", "subdistrict").get(
            pk=notification.context["about"]
        )
    kind = notification.event.removeprefix("tipoffs.")
    context = {
        "reference": about.reference,
        "category": about.category.name,
        "subdistrict": about.subdistrict.name,
        "acceptance_due": about.acceptance_due.isoformat(),
        "due": about.handling_due.isoformat() if about.handling_due else "",
        "deadline": about.due_date.isoformat() if about.due_date else "—",
        "extension_reason": about.extension_reason,
        "event_label": str(EventKind(kind).label) if kind in EventKind.values else kind,
    }
    if notification.recipient_kind == REPORTER:
        if notification.recipient_id != case.pk:
            raise ImproperlyConfigured("A reporter's notice must be about the reporter's case.")
        context["code"] = case.display_code
        context["follower"] = case.pk != about.pk
    elif url := admin_link("tipoffs_admin:case", about.pk):
        context["case_url"] = url
    return context


register_recipient_kind(REPORTER, _reporter_contact)
register_context("tipoffs.tipoff", _tipoff_context)
