"""What the disclosure app holds about a person (依申请公开 applicants), and the retention of the
applicants' ID numbers and contacts (docs/privacy.md). Registered through the privacy hooks."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from disclosure.models import DisclosureRequest
from portal import audit
from portal.privacy.registry import (
    DataSection,
    ErasureRule,
    PersonalDataProvider,
    RetentionCategory,
    years_before,
)

Status = DisclosureRequest.Status


def _export(user) -> list[DataSection]:
    rows = [
        {
            "tracking_number": r.tracking_number,
            "received_on": r.received_on,
            "applicant_type": r.get_applicant_type_display(),
            "applicant_name": r.applicant_name,
            "contact_person": r.contact_person,
            "id_type": r.get_id_type_display(),
            "id_number": r.id_number,
            "phone": r.phone,
            "email": r.email,
            "address": r.address,
            "information_requested": r.description,
            "delivery": r.get_delivery_display(),
            "status": r.get_status_display(),
            "reply_type": r.get_reply_type_display() if r.reply_type else "",
            "reply": r.reply_text,
            "replied_on": r.replied_on,
        }
        for r in DisclosureRequest.objects.filter(user=user).order_by("received_on", "pk")
    ]
    return [
        DataSection(
            "disclosure_requests",
            _("Disclosure requests filed while signed in"),
            rows,
            note=_("Requests filed without signing in: ask with their tracking number."),
        )
    ]


def _erase(user) -> dict[str, int]:
    count = DisclosureRequest.objects.filter(user=user).update(user=None)
    return {"disclosure.disclosurerequest (detached)": count}


def _rules() -> list[ErasureRule]:
    years = settings.DISCLOSURE_APPLICANT_RETENTION_YEARS
    return [
        ErasureRule(
            str(_("Link between your account and your disclosure requests")),
            "erased",
            str(_("PIPL Art. 47")),
        ),
        ErasureRule(
            str(
                _(
                    "Your disclosure requests with the name, ID number and contacts you gave: "
                    "kept with the request file, ID number and contacts erased %(n)s years after "
                    "the reply"
                )
                % {"n": years}
            ),
            "kept",
            str(
                _(
                    "PIPL Art. 13(3): 《政府信息公开条例》 Arts. 29-30 and the annual report; "
                    "review and litigation periods"
                )
            ),
        ),
    ]


def provider() -> PersonalDataProvider:
    return PersonalDataProvider(
        key="disclosure", export=_export, erase=_erase, rules=_rules, order=20
    )


def purge_applicant_identities(*, now: dt.datetime, dry_run: bool = False) -> dict[str, int]:
    """Erase the ID number, contacts and (natural persons') name of requests replied or closed
    more than DISCLOSURE_APPLICANT_RETENTION_YEARS ago; the request and its events stay."""
    cutoff = years_before(now, settings.DISCLOSURE_APPLICANT_RETENTION_YEARS).date()
    due = DisclosureRequest.objects.filter(
        identity_purged_on__isnull=True, status__in=[Status.REPLIED, Status.CLOSED]
    ).filter(Q(replied_on__lte=cutoff) | Q(replied_on__isnull=True, closed_on__lte=cutoff))
    if dry_run:
        return {"disclosure.disclosurerequest": due.count()}
    with audit.retention_purge(reason="privacy_purge:applicant_identities") as run:
        persons = due.filter(applicant_type=DisclosureRequest.ApplicantType.PERSON)
        persons.update(applicant_name="")
        count = due.update(
            id_number="",
            id_last4="",
            contact_person="",
            phone="",
            email="",
            address="",
            user=None,
            identity_purged_on=now.date(),
        )
        run.add("disclosure.disclosurerequest", count)
    return {"disclosure.disclosurerequest": count}


def retention_categories() -> list[RetentionCategory]:
    return [
        RetentionCategory(
            key="applicant_identities",
            label=str(_("Applicant ID numbers and contacts of closed requests")),
            period=lambda: (
                _("%(n)s years after the reply or closure (DISCLOSURE_APPLICANT_RETENTION_YEARS)")
                % {"n": settings.DISCLOSURE_APPLICANT_RETENTION_YEARS}
            ),
            purge=purge_applicant_identities,
            order=30,
        )
    ]
