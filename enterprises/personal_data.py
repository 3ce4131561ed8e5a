"""What the enterprise disclosure app holds about a person: the enterprises they file for (the
enterprise discloser role), the monitoring API tokens they made, and the reports, temporary
reports and documents they submitted. Registered through the privacy hooks (docs/privacy.md)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import (
    ApiToken,
    EnterpriseAccount,
    LegalDocument,
    ReportAttachment,
    ReportVersion,
    TemporaryReport,
)
from portal.privacy.registry import DataSection, ErasureRule, PersonalDataProvider


def _day(value):
    return timezone.localdate(value) if value else None


def _export(user) -> list[DataSection]:
    accounts = EnterpriseAccount.objects.filter(user=user).select_related("enterprise")
    tokens = ApiToken.objects.filter(created_by=user).select_related("enterprise")
    versions = ReportVersion.objects.filter(submitted_by=user).select_related("report__enterprise")
    temporary = TemporaryReport.objects.filter(submitted_by=user).select_related("enterprise")
    files = ReportAttachment.objects.filter(uploaded_by=user).select_related("enterprise")
    return [
        DataSection(
            "enterprise_accounts",
            _("Enterprises you file environmental disclosures for"),
            [
                {
                    "enterprise": a.enterprise.name,
                    "credit_code": a.enterprise.credit_code,
                    "since": _day(a.created_at),
                }
                for a in accounts.order_by("created_at", "pk")
            ],
        ),
        DataSection(
            "enterprise_api_tokens",
            _("Monitoring API tokens you created (the token itself is never stored)"),
            [
                {
                    "enterprise": t.enterprise.name,
                    "label": t.label,
                    "prefix": t.prefix,
                    "created_on": _day(t.created_at),
                    "last_used_on": _day(t.last_used_at),
                    "revoked_on": _day(t.revoked_at),
                }
                for t in tokens.order_by("created_at", "pk")
            ],
        ),
        DataSection(
            "enterprise_reports",
            _("Enterprise reports and documents you submitted"),
            [
                {
                    "enterprise": v.report.enterprise.name,
                    "report": str(_("Annual report")),
                    "year_or_document": v.report.year,
                    "version": v.number,
                    "submitted_on": _day(v.submitted_at),
                }
                for v in versions.order_by("submitted_at", "pk")
            ]
            + [
                {
                    "enterprise": t.enterprise.name,
                    "report": str(_("Temporary report")),
                    "year_or_document": t.document_number,
                    "version": "",
                    "submitted_on": _day(t.submitted_at),
                }
                for t in temporary.order_by("submitted_at", "pk")
            ]
            + [
                {
                    "enterprise": f.enterprise.name,
                    "report": str(_("Attached documents")),
                    "year_or_document": f.filename,
                    "version": "",
                    "submitted_on": _day(f.uploaded_at),
                }
                for f in files.order_by("uploaded_at", "pk")
            ],
            note=_(
                "These are the enterprise's legal disclosures: they stay published when your "
                "account is deleted, without your name."
            ),
        ),
    ]


def _erase(user) -> dict[str, int]:
    accounts, _detail = EnterpriseAccount.objects.filter(user=user).delete()
    counts = {"enterprises.enterpriseaccount": accounts}
    for model, field in (
        (ApiToken, "created_by"),
        (ReportVersion, "submitted_by"),
        (TemporaryReport, "submitted_by"),
        (ReportAttachment, "uploaded_by"),
        (LegalDocument, "registered_by"),
    ):
        label = f"{model._meta.label_lower} (detached)"
        counts[label] = model.objects.filter(**{field: user}).update(**{field: None})
    return counts


def _rules() -> list[ErasureRule]:
    return [
        ErasureRule(
            str(_("The enterprises you file for (your enterprise discloser role)")),
            "erased",
            str(_("PIPL Art. 47")),
        ),
        ErasureRule(
            str(
                _(
                    "Enterprise reports, temporary reports, documents and API tokens you "
                    "submitted or created: kept as the enterprise's, without your name"
                )
            ),
            "detached",
            str(
                _("PIPL Art. 13(3): 《企业环境信息依法披露管理办法》 (the enterprise's disclosure)")
            ),
        ),
    ]


def provider() -> PersonalDataProvider:
    return PersonalDataProvider(
        key="enterprises", export=_export, erase=_erase, rules=_rules, order=60
    )
