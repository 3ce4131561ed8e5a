"""Notices of enterprise disclosure (the shell's outbox, ``portal.notifications``).

- ``enterprises.report_due_soon`` / ``enterprises.report_late``: the accounts of a listed
  enterprise whose annual report is due within ``deadlines.DUE_SOON_DAYS`` / past its deadline
  (``services.reminders_send``, command ``enterprises_remind``, daily).
- ``enterprises.report_submitted``: the filing receipt with the version's fingerprint.
- ``enterprises.document_registered`` / ``enterprises.temporary_late``: the bureau registered a
  legal document served on the enterprise (a temporary report is due on the 5th working day) /
  that deadline passed with nothing filed (once per document, ``services.reminders_send``).
- ``enterprises.account_invitation`` / ``enterprises.account_added``: a person the bureau made an
  enterprise account for (``enterprises.accounts``), see below.
Texts: ``templates/notifications/enterprise_*.txt``; e-mail only (no SMS gateway template).
"""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.urls import reverse
from django.utils import translation

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


# --- Enterprise accounts (``enterprises.accounts``) -------------------------------------------
#
# - ``enterprises.account_invitation``: a new account made by the bureau, with a one-time link to
#   set its password (allauth's password-reset key, made when the mail is sent: the outbox row
#   holds no secret), while the invitation is pending (no password yet, never signed in).
# - ``enterprises.account_added``: an existing account was given an enterprise's filing.

ACCOUNT_RULES = {
    "enterprises.account_invitation": [(ROLE, "email", "enterprise_account_invitation")],
    "enterprises.account_added": [(ROLE, "email", "enterprise_account_added")],
}
register_rules(ACCOUNT_RULES)


def _public_link(view_name: str, **kwargs) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse(view_name, kwargs=kwargs or None)
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _set_password_link(user) -> str:
    return _public_link(
        "account_reset_password_from_key",
        uidb36=user_pk_to_url_str(user),
        key=default_token_generator.make_token(user),
    )


def invitation_pending(user) -> bool:
    """Invited and not yet in: active, no password set and never signed in. Only then does an
    invitation carry a link (a retry sent after the person set a password carries none)."""
    return user.is_active and user.last_login is None and not user.has_usable_password()


def _account_context(account: EnterpriseAccount, notification) -> dict:
    user = account.user
    context = {
        "enterprise": account.enterprise.name,
        "email": user.email,
        "filing_url": _public_link("enterprises:filing_home"),
        "login_url": _public_link("account_login"),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    if (
        notification.event == "enterprises.account_invitation"
        and notification.recipient_id == user.pk
        and invitation_pending(user)
    ):
        context["set_password_url"] = _set_password_link(user)
    return context


register_context("enterprises.enterpriseaccount", _account_context)


def account_invitation(account: EnterpriseAccount) -> list[int]:
    return outbox.notify(
        "enterprises.account_invitation",
        account,
        role=ROLE,
        recipients=[Recipient("user", account.user_id)],
    )


def account_added(account: EnterpriseAccount) -> list[int]:
    return outbox.notify(
        "enterprises.account_added",
        account,
        role=ROLE,
        recipients=[Recipient("user", account.user_id)],
    )
