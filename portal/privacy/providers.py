"""The shell's own part: the account (profile, email addresses, consents) and its retention
categories (inactive unverified accounts, requests from people without an account)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from portal import audit
from portal.privacy import services
from portal.privacy.models import ConsentRecord, SubjectRequest
from portal.privacy.registry import (
    DataSection,
    ErasureRule,
    PersonalDataProvider,
    RetentionCategory,
    years_before,
)

ERASED, KEPT, DETACHED = "erased", "kept", "detached"


def _export(user) -> list[DataSection]:
    from allauth.account.models import EmailAddress

    profile = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": user.phone or "",
        "phone_verified": user.phone_verified,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }
    emails = [
        {"email": e.email, "verified": e.verified, "primary": e.primary}
        for e in EmailAddress.objects.filter(user=user).order_by("pk")
    ]
    consents = [
        {
            "collection_point": r.get_point_display(),
            "notice_version": r.version,
            "action": r.get_action_display(),
            "agreed": r.agreed,
            "time": r.at,
        }
        for r in ConsentRecord.objects.filter(user_id_value=user.pk).order_by("at", "pk")
    ]
    return [
        DataSection("account", _("Account"), [profile]),
        DataSection("email_addresses", _("Email addresses"), emails),
        DataSection("consents", _("Consents"), consents),
    ]


def _erase(user) -> dict[str, int]:
    # The account row itself is anonymised last by services.erase_account.
    return {}


def _rules() -> list[ErasureRule]:
    return [
        ErasureRule(
            str(_("Account: name, email addresses, phone number, password, two-factor keys")),
            ERASED,
            str(_("PIPL Art. 47: the purpose (an account) ends with the account")),
        ),
        ErasureRule(
            str(_("Consent records (notice version, time, what was agreed; no personal details)")),
            KEPT,
            str(_("PIPL Arts. 14-15: proof that consent was given and when it was withdrawn")),
        ),
    ]


def provider() -> PersonalDataProvider:
    return PersonalDataProvider(key="account", export=_export, erase=_erase, rules=_rules, order=0)


# --- retention --------------------------------------------------------------------------------


def _unverified_accounts(now: dt.datetime):
    from allauth.account.models import EmailAddress

    User = get_user_model()
    cutoff = now - dt.timedelta(days=settings.PRIVACY_UNVERIFIED_ACCOUNT_DAYS)
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    return (
        User.objects.filter(
            is_active=True,
            is_staff=False,
            is_superuser=False,
            phone_verified=False,
            last_login__isnull=True,
            date_joined__lt=cutoff,
        )
        .exclude(Exists(verified))
        .exclude(groups__isnull=False)
    )


def purge_unverified_accounts(*, now: dt.datetime, dry_run: bool = False) -> dict[str, int]:
    due = _unverified_accounts(now)
    if dry_run:
        return {"portal.user": due.count()}
    count = 0
    with audit.retention_purge(reason="privacy_purge:unverified_accounts") as run:
        for user in due.iterator():
            services.erase_account(user)
            count += 1
        run.add("portal.user", count)
    return {"portal.user": count}


def purge_subject_requests(*, now: dt.datetime, dry_run: bool = False) -> dict[str, int]:
    cutoff = years_before(now, settings.PRIVACY_REQUEST_RETENTION_YEARS).date()
    due = SubjectRequest.objects.filter(
        identity_purged_on__isnull=True, answered_on__isnull=False, answered_on__lte=cutoff
    )
    if dry_run:
        return {"privacy.subjectrequest": due.count()}
    with audit.retention_purge(reason="privacy_purge:subject_requests") as run:
        count = due.update(requester_name="", requester_contact="", identity_purged_on=now.date())
        run.add("privacy.subjectrequest", count)
    return {"privacy.subjectrequest": count}


def retention_categories() -> list[RetentionCategory]:
    return [
        RetentionCategory(
            key="unverified_accounts",
            label=str(_("Inactive unverified accounts")),
            period=lambda: (
                _("%(n)s days after sign-up (PRIVACY_UNVERIFIED_ACCOUNT_DAYS)")
                % {"n": settings.PRIVACY_UNVERIFIED_ACCOUNT_DAYS}
            ),
            purge=purge_unverified_accounts,
            order=50,
        ),
        RetentionCategory(
            key="subject_requests",
            label=str(_("Requesters of requests without an account")),
            period=lambda: (
                _("%(n)s years after the answer (PRIVACY_REQUEST_RETENTION_YEARS)")
                % {"n": settings.PRIVACY_REQUEST_RETENTION_YEARS}
            ),
            purge=purge_subject_requests,
            order=60,
        ),
    ]
