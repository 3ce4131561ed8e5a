"""What the tip-off app holds about a person, and its retention categories (docs/privacy.md).

Registered with the privacy service through the ``personal_data_providers`` and
``retention_categories`` hooks (``wagtail_hooks.py``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal import audit
from portal.privacy.registry import (
    DataSection,
    ErasureRule,
    PersonalDataProvider,
    RetentionCategory,
    years_before,
)
from portal.storage import delete_quietly
from portal.tipoffs.models import ReporterIdentity, State, TipoffPhoto
from portal.tipoffs.retention import purge_reporter_identities, retention_years


def _export(user) -> list[DataSection]:
    identities = (
        ReporterIdentity.objects.filter(user=user)
        .select_related("tipoff", "tipoff__category")
        .order_by("tipoff__submitted_at")
    )
    rows = []
    for identity in identities:
        tipoff = identity.tipoff
        rows.append(
            {
                "tracking_code": tipoff.tracking_code,
                "submitted_at": tipoff.submitted_at,
                "category": str(tipoff.category),
                "address": tipoff.address,
                "reported_party": tipoff.reported_party,
                "observed_at": tipoff.observed_at,
                "description": tipoff.description,
                "state": tipoff.get_state_display(),
                "reply": tipoff.public_reply,
                "closed_at": tipoff.closed_at,
                "name_given": identity.name,
                "phone_given": identity.phone,
                "email_given": identity.email,
                "consent_at": identity.consent_at,
                "notice_version": identity.consent_version,
            }
        )
    return [
        DataSection(
            "tipoffs",
            _("Pollution reports filed while signed in"),
            rows,
            note=_("Anonymous reports are not linked to any account and cannot be listed."),
        )
    ]


def _erase(user) -> dict[str, int]:
    # The report and its identity stay with the case (the retention period below); only the
    # link to the account goes.
    count = ReporterIdentity.objects.filter(user=user).update(user=None)
    return {"tipoffs.reporteridentity (detached)": count}


def _rules() -> list[ErasureRule]:
    return [
        ErasureRule(
            str(_("Link between your account and the reports you filed")),
            "erased",
            str(_("PIPL Art. 47")),
        ),
        ErasureRule(
            str(
                _(
                    "Reports you filed and the name, phone and email you gave on them: kept with "
                    "the case file, erased %(n)s years after the case closes; the case's event "
                    "history is kept without them"
                )
                % {"n": retention_years()}
            ),
            "kept",
            str(
                _(
                    "PIPL Art. 47(2) and Art. 13(3): the case file is kept for supervision and "
                    "review (《环境保护法》 Art. 57, 信访工作条例)"
                )
            ),
        ),
    ]


def provider() -> PersonalDataProvider:
    return PersonalDataProvider(key="tipoffs", export=_export, erase=_erase, rules=_rules, order=10)


# --- retention ----------------------------------------------------------------------------------


def _identities(*, now: dt.datetime, dry_run: bool = False) -> dict[str, int]:
    return {"tipoffs.reporteridentity": purge_reporter_identities(now=now, dry_run=dry_run)}


def _closed_before(cutoff: dt.datetime) -> Q:
    return Q(
        tipoff__state__in=[State.CLOSED, State.NOT_ACCEPTED], tipoff__closed_at__lte=cutoff
    ) | Q(
        tipoff__state=State.MERGED,
        tipoff__master__state=State.CLOSED,
        tipoff__master__closed_at__lte=cutoff,
    )


def purge_original_photos(*, now: dt.datetime, dry_run: bool = False) -> dict[str, int]:
    """Delete the original (uncleaned, with EXIF/GPS) photo files of long-closed cases; the
    SHA-256 recorded at intake and the cleaned copy stay with the case."""
    cutoff = years_before(now, settings.TIPOFFS_ORIGINAL_PHOTO_RETENTION_YEARS)
    due = TipoffPhoto.objects.exclude(original="").filter(_closed_before(cutoff))
    if dry_run:
        return {"tipoffs.tipoffphoto.original": due.count()}
    with audit.retention_purge(reason="privacy_purge:original_photos") as run:
        rows = list(due.values_list("pk", "original"))
        TipoffPhoto.objects.filter(pk__in=[pk for pk, _name in rows]).update(original="")
        run.add("tipoffs.tipoffphoto.original", len(rows))
    delete_quietly(TipoffPhoto._meta.get_field("original").storage, [n for _pk, n in rows])
    return {"tipoffs.tipoffphoto.original": len(rows)}


def retention_categories() -> list[RetentionCategory]:
    return [
        RetentionCategory(
            key="reporter_identities",
            label=str(_("Reporter identities of closed cases")),
            period=lambda: (
                _("%(n)s years after closure (TIPOFFS_IDENTITY_RETENTION_YEARS)")
                % {"n": retention_years()}
            ),
            purge=_identities,
            order=10,
        ),
        RetentionCategory(
            key="original_photos",
            label=str(_("Original evidence photos")),
            period=lambda: (
                _("%(n)s years after closure (TIPOFFS_ORIGINAL_PHOTO_RETENTION_YEARS)")
                % {"n": settings.TIPOFFS_ORIGINAL_PHOTO_RETENTION_YEARS}
            ),
            purge=purge_original_photos,
            order=20,
        ),
    ]
