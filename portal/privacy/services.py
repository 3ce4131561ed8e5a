"""The privacy service: notices and consent, the 我的数据 export, account erasure, subject requests.

Feature apps call ``current_notice`` / ``record_consent`` at their collection points and plug
their data in through ``portal.privacy.registry`` (hooks); this module imports no feature app.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.privacy import registry
from portal.privacy.models import (
    CollectionPoint,
    ConsentRecord,
    LegalBasis,
    PrivacyNotice,
    SubjectRequest,
    SubjectRequestEvent,
)

# --- notices and consent ---------------------------------------------------------------------


def current_notice(point: str) -> PrivacyNotice | None:
    """The version in force at ``point`` (the highest version already in force)."""
    return (
        PrivacyNotice.objects.filter(point=point, effective_from__lte=timezone.now())
        .order_by("-version")
        .first()
    )


def record_consent(
    point: str, *, user=None, subject_ref: str = "", notice: PrivacyNotice | None = None
) -> ConsentRecord | None:
    """Record that the person agreed to the notice in force at ``point`` (None: no notice)."""
    notice = notice or current_notice(point)
    if notice is None:
        return None
    return ConsentRecord.objects.create(
        notice=notice,
        point=point,
        version=notice.version,
        user_id_value=user.pk if user is not None and user.pk else None,
        subject_ref=subject_ref[:64],
        action=ConsentRecord.Action.GIVEN,
        agreed=notice.agreement[:200],
    )


def consent_state(user) -> list[dict]:
    """Per collection point the person agreed to: the last action on it (given or withdrawn)."""
    latest: dict[str, ConsentRecord] = {}
    for record in ConsentRecord.objects.filter(user_id_value=user.pk).order_by("at", "pk"):
        latest[record.point] = record
    out = []
    for point, record in latest.items():
        notice = record.notice
        out.append(
            {
                "point": point,
                "point_label": CollectionPoint(point).label,
                "version": record.version,
                "action": record.action,
                "at": record.at,
                "agreed": record.agreed,
                "withdrawable": notice.legal_basis == LegalBasis.CONSENT
                and record.action == ConsentRecord.Action.GIVEN
                and point != CollectionPoint.SIGNUP,
                "withdrawal_effect": notice.withdrawal_effect,
            }
        )
    return sorted(out, key=lambda row: row["point"])


def withdraw_consent(point: str, *, user) -> ConsentRecord | None:
    """Withdraw the consent given at ``point``; the effect is the notice's ``withdrawal_effect``
    (apps listening to ``consent_withdrawn`` apply it). Withdrawing the sign-up consent is
    deleting the account."""
    from portal.privacy.signals import consent_withdrawn

    last = (
        ConsentRecord.objects.filter(user_id_value=user.pk, point=point).order_by("at", "pk").last()
    )
    if last is None or last.action != ConsentRecord.Action.GIVEN:
        return None
    if last.notice.legal_basis != LegalBasis.CONSENT or point == CollectionPoint.SIGNUP:
        return None
    with transaction.atomic():
        record = ConsentRecord.objects.create(
            notice=last.notice,
            point=point,
            version=last.version,
            user_id_value=user.pk,
            action=ConsentRecord.Action.WITHDRAWN,
            agreed=last.agreed,
        )
        consent_withdrawn.send(sender=ConsentRecord, point=point, user=user)
    return record


# --- 我的数据: the export -----------------------------------------------------------------------


def export_sections(user) -> list[registry.DataSection]:
    sections: list[registry.DataSection] = []
    for provider in registry.providers():
        sections.extend(provider.export(user))
    return sections


def _csv(section: registry.DataSection) -> bytes:
    columns: list[str] = []
    for row in section.rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns or ["-"])
    writer.writeheader()
    for row in section.rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    # With a byte-order mark, so that spreadsheet programs read the Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_zip(user) -> bytes:
    """Everything linked to the account: data.json, index.html (readable) and one CSV per table."""
    sections = export_sections(user)
    generated = timezone.now()
    payload = {
        "generated_at": generated,
        "account_id": user.pk,
        "sections": [
            {"key": s.key, "title": str(s.title), "note": str(s.note), "rows": list(s.rows)}
            for s in sections
        ],
    }
    html = render_to_string(
        "privacy/export.html", {"sections": sections, "generated_at": generated, "user": user}
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json",
            json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
        archive.writestr("index.html", html)
        for section in sections:
            archive.writestr(f"csv/{section.key}.csv", _csv(section))
    return out.getvalue()


# --- account deletion --------------------------------------------------------------------------


def erasure_rules() -> list[registry.ErasureRule]:
    rules: list[registry.ErasureRule] = []
    for provider in registry.providers():
        rules.extend(provider.rules())
    return rules


def anonymise_user(user) -> None:
    """Erase the account row's personal fields; the row stays (append-only ledgers and logs
    refer to it by id) but can never sign in again."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.username = f"deleted-{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.phone = None
    user.phone_verified = False
    user.is_active = False
    user.is_staff = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    _end_sessions(user)


def _end_sessions(user) -> None:
    key = str(user.pk)
    doomed = [
        session.pk
        for session in Session.objects.all().iterator()
        if session.get_decoded().get("_auth_user_id") == key
    ]
    Session.objects.filter(pk__in=doomed).delete()


def erase_account(user) -> dict[str, int]:
    """Delete the account: each app erases or detaches its records (``rules`` say which), then
    the account row is anonymised. One transaction."""
    counts: dict[str, int] = {}
    with transaction.atomic():
        for provider in registry.providers():
            for label, n in provider.erase(user).items():
                counts[label] = counts.get(label, 0) + n
        anonymise_user(user)
        counts["portal.user"] = 1
    return counts


# --- requests from people without an account ---------------------------------------------------


def log_request_event(request: SubjectRequest, *, actor=None, what: str) -> SubjectRequestEvent:
    return SubjectRequestEvent.objects.create(
        request=request, actor=actor if actor is not None and actor.pk else None, what=what[:200]
    )


def describe_change(before: SubjectRequest | None, after: SubjectRequest) -> str:
    if before is None:
        return _("Received (%(kind)s); answer due %(due)s") % {
            "kind": after.get_kind_display(),
            "due": after.due_on.isoformat(),
        }
    parts = []
    if before.status != after.status:
        parts.append(
            _("Status: %(old)s → %(new)s")
            % {"old": before.get_status_display(), "new": after.get_status_display()}
        )
    changed = [
        str(SubjectRequest._meta.get_field(name).verbose_name)
        for name in ("requester_name", "requester_contact", "records", "details", "answer")
        if getattr(before, name) != getattr(after, name)
    ]
    if changed:
        parts.append(_("Changed: %(fields)s") % {"fields": ", ".join(changed)})
    if before.received_on != after.received_on:
        parts.append(_("Answer due %(due)s") % {"due": after.due_on.isoformat()})
    return "; ".join(parts) or _("Saved without changes")


def user_model():
    return get_user_model()
