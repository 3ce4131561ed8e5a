"""An enterprise filer's 我的数据: the enterprises they file for, their tokens and submissions are
in the export (and nothing of another filer); deleting the account ends the role and detaches
the submissions, which stay published as the enterprise's."""

import pytest
from django.contrib.auth import get_user_model

from enterprises import services
from enterprises.models import ApiToken, EnterpriseAccount, ReportVersion
from portal.privacy import services as privacy
from tests.enterprises.conftest import full_content

pytestmark = pytest.mark.django_db


def _sections(user):
    return {s.key: list(s.rows) for s in privacy.export_sections(user)}


def test_the_export_holds_the_filers_enterprises_tokens_and_submissions(enterprise, own, other):
    report = services.annual_report_for(own, 2025)
    services.report_submit(report=report, content=full_content(), user=enterprise)
    token, _raw = services.token_create(enterprise=own, label="在线监测", user=enterprise)
    someone = get_user_model().objects.create_user("filer2", "filer2@example.com", "x")
    EnterpriseAccount.objects.create(user=someone, enterprise=other)

    sections = _sections(enterprise)
    assert [r["credit_code"] for r in sections["enterprise_accounts"]] == [own.credit_code]
    assert [r["prefix"] for r in sections["enterprise_api_tokens"]] == [token.prefix]
    assert [(r["year_or_document"], r["version"]) for r in sections["enterprise_reports"]] == [
        (2025, 1)
    ]
    other_sections = _sections(someone)
    assert [r["credit_code"] for r in other_sections["enterprise_accounts"]] == [other.credit_code]
    assert (
        other_sections["enterprise_reports"] == [] and other_sections["enterprise_api_tokens"] == []
    )


def test_deleting_the_account_ends_the_role_and_keeps_the_disclosures(enterprise, own):
    report = services.annual_report_for(own, 2025)
    version = services.report_submit(report=report, content=full_content(), user=enterprise)
    token, _raw = services.token_create(enterprise=own, label="在线监测", user=enterprise)
    privacy.erase_account(enterprise)
    assert not EnterpriseAccount.objects.filter(user=enterprise).exists()
    version = ReportVersion.objects.get(pk=version.pk)
    assert version.submitted_by is None and version.fingerprint  # still published, unnamed
    assert ApiToken.objects.get(pk=token.pk).created_by is None
