"""Notices of enterprise disclosure (the shell's outbox, ``portal.notifications``).

- ``enterprises.report_due_soon`` / ``enterprises.report_late``: the accounts of a listed
  enterprise whose annual report is due within ``deadlines.DUE_SOON_DAYS`` / past its deadline
  (``services.reminders_send``, command ``enterprises_remind``, daily).
- ``enterprises.report_submitted``: the filing receipt with the version's fingerprint.
- ``enterprises.document_registered`` / ``enterprises.temporary_late``: the bureau registered a
  legal document served on the enterprise (a temporary report is due on the 5th working day) /
  that deadline passed with nothing filed (once per document, ``services.reminders_send``).
Texts: ``templates/notifications/enterprise_*.txt``; e-mail only (no SMS gateway template).
"""

from __future__ import annotations

from enterprises.models import AnnualReport, EnterpriseAccount, LegalDocument
from portal.notifications import outbox
from portal.notifications.render import register_context
from portal.notifications.rules import Recipient, register_rules

ROLE = "enterprise"

RULES = {
    "enterprises.report_due_soon": [(ROLE, "email", "enterprise_report_due_soon")],
    "enterprises.report_late": [(ROLE, "email", "enterprise_report_late")],
    "enterprises.report_submitted": [(ROLE, "email", "enterprise_report_submitted")],
    "enterprises.document_registered": [(ROLE, "email", "enterprise_document_registered")],
    "enterprises.temporary_late": [(ROLE, "email", "enterprise_temporary_late")],
}
register_rules(RULES)


def _context(report: AnnualReport, notification) -> dict:
    return {"enterprise": report.enterprise.name, "year": report.year}


register_context("enterprises.annualreport", _context)


def _document_context(document: LegalDocument, notification) -> dict:
    return {
        "enterprise": document.enterprise.name,
        "kind": document.get_document_kind_display(),
        "number": document.document_number,
        "issued_by": document.issued_by,
        "served": document.served_on.isoformat(),
        "due": document.due_on.isoformat(),
    }


register_context("enterprises.legaldocument", _document_context)


def _accounts(obj) -> list[Recipient]:
    ids = EnterpriseAccount.objects.filter(
        enterprise_id=obj.enterprise_id, user__is_active=True
    ).values_list("user_id", flat=True)
    return [Recipient("user", pk) for pk in sorted(set(ids))]


def report_reminder(report: AnnualReport, *, kind: str, due_on) -> list[int]:
    event = "enterprises.report_due_soon" if kind == "due_soon" else "enterprises.report_late"
    return outbox.notify(
        event, report, role=ROLE, recipients=_accounts(report), context={"due": due_on.isoformat()}
    )


def report_submitted(report: AnnualReport, version) -> list[int]:
    return outbox.notify(
        "enterprises.report_submitted",
        report,
        role=ROLE,
        recipients=_accounts(report),
        context={"version": version.number, "fingerprint": version.fingerprint},
    )


def document_registered(document: LegalDocument) -> list[int]:
    return outbox.notify(
        "enterprises.document_registered", document, role=ROLE, recipients=_accounts(document)
    )


def temporary_late(document: LegalDocument) -> list[int]:
    return outbox.notify(
        "enterprises.temporary_late", document, role=ROLE, recipients=_accounts(document)
    )
