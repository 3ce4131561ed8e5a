"""Enterprise accounts file annual and temporary reports: drafts, submission, corrections as new
versions, scoping (403 on another enterprise) and the bad inputs of the issue."""

import datetime as dt

import pytest
from django.urls import reverse

from enterprises import services
from enterprises.models import AnnualReport, ReportVersion, TemporaryReport
from enterprises.report_format import ContentErrors
from tests.enterprises.conftest import aware, full_content

pytestmark = pytest.mark.django_db


def test_submit_freezes_version_one_and_a_second_submission_is_refused(enterprise, own):
    report = services.annual_report_for(own, 2025)
    version = services.report_submit(
        report=report, content=full_content(), user=enterprise, now=aware(2026, 3, 1, 10)
    )
    assert (version.number, version.is_late, version.source) == (1, False, "portal")
    assert len(version.fingerprint) == 64
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.SUBMITTED
    with pytest.raises(services.ReportError) as exc:
        services.report_submit(report=report, content=full_content(), user=enterprise)
    assert exc.value.code == "already_submitted"
    with pytest.raises(services.ReportError):
        services.report_save_draft(report=report, content=full_content(basic="改"), user=enterprise)
    assert ReportVersion.objects.filter(report=report).count() == 1
    assert ReportVersion.objects.get(report=report).content["basic"] == "示例企业基本信息"


def test_a_late_submission_is_published_and_marked_late(enterprise, own):
    report = services.annual_report_for(own, 2025)
    version = services.report_submit(
        report=report, content=full_content(), user=enterprise, now=aware(2026, 3, 16, 9)
    )
    assert version.is_late


def test_a_correction_is_a_new_version_with_a_reason(enterprise, own):
    report = services.annual_report_for(own, 2025)
    first = services.report_submit(report=report, content=full_content(), user=enterprise)
    services.report_open_correction(report=report, user=enterprise)
    report.refresh_from_db()
    corrected = full_content(basic="更正后的基本信息")
    with pytest.raises(services.ReportError) as exc:
        services.report_submit(report=report, content=corrected, user=enterprise)
    assert exc.value.code == "reason_required"
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.CORRECTING  # nothing half-saved
    second = services.report_submit(
        report=report, content=corrected, user=enterprise, reason="笔误"
    )
    assert second.number == 2 and second.reason == "笔误" and not second.is_late
    first.refresh_from_db()
    assert first.content["basic"] == "示例企业基本信息"  # no silent edit
    assert first.fingerprint != second.fingerprint


def test_bad_content_saves_nothing(enterprise, own):
    report = services.annual_report_for(own, 2025)
    bad = full_content(
        emissions=[{"outlet": "DA001", "pollutant": "SO2", "amount": "-3", "unit": ""}]
    )
    with pytest.raises(ContentErrors):
        services.report_submit(report=report, content=bad, user=enterprise)
    with pytest.raises(ContentErrors):
        services.report_save_draft(report=report, content=bad, user=enterprise)
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.DRAFT and report.draft == {}
    assert not ReportVersion.objects.exists()


def test_an_account_cannot_file_for_another_enterprise(enterprise, other):
    report = services.annual_report_for(other, 2025)
    with pytest.raises(services.ReportForbidden):
        services.report_submit(report=report, content=full_content(), user=enterprise)
    with pytest.raises(services.ReportForbidden):
        services.report_save_draft(report=report, content=full_content(), user=enterprise)
    assert not ReportVersion.objects.exists()


def test_staff_cannot_file_but_the_bureau_imports(disclosure_officer, enterprise, own):
    report = services.annual_report_for(own, 2025)
    with pytest.raises(services.ReportForbidden):
        services.report_submit(report=report, content=full_content(), user=disclosure_officer)
    version = services.report_import(
        enterprise=own, year=2025, content=full_content(), user=disclosure_officer
    )
    assert version.source == "import"
    with pytest.raises(services.ReportForbidden):
        services.report_import(enterprise=own, year=2025, content=full_content(), user=enterprise)


def test_an_enterprise_not_on_the_list_files_carbon_only(enterprise, own):
    own.listed_from = None
    own.save()
    report = services.annual_report_for(own, 2025)
    assert report.carbon_only
    version = services.report_submit(
        report=report,
        content={"carbon": "自愿披露", "carbon_emissions": [{"scope": "direct", "amount": "10"}]},
        user=enterprise,
    )
    assert set(version.content) == {"carbon", "carbon_emissions"}


def test_temporary_report_deadline_and_late_mark(enterprise, own):
    on_time = services.temporary_report_file(
        enterprise=own,
        user=enterprise,
        document_kind="penalty",
        document_number="攀东环罚〔2026〕1号",
        issued_by="东区生态环境局",
        received_on=dt.date(2026, 2, 13),
        content="已整改",
        now=aware(2026, 2, 27, 17),
    )
    assert on_time.due_on == dt.date(2026, 2, 27) and not on_time.is_late
    late = services.temporary_report_file(
        enterprise=own,
        user=enterprise,
        document_kind="penalty",
        document_number="攀东环罚〔2026〕2号",
        issued_by="东区生态环境局",
        received_on=dt.date(2026, 2, 13),
        content="已整改",
        now=aware(2026, 3, 2, 9),
    )
    assert late.is_late  # accepted, marked late


def test_a_temporary_report_on_the_same_document_twice_is_refused(enterprise, own):
    kwargs = {
        "enterprise": own,
        "user": enterprise,
        "document_kind": "penalty",
        "document_number": "攀东环罚〔2026〕9号",
        "issued_by": "东区生态环境局",
        "received_on": dt.date(2026, 3, 2),
        "content": "x",
        "now": aware(2026, 3, 3, 9),
    }
    services.temporary_report_file(**kwargs)
    with pytest.raises(Exception) as exc:
        services.temporary_report_file(**kwargs)
    assert "document_number" in exc.value.message_dict
    assert TemporaryReport.objects.count() == 1


# --- Through the pages ------------------------------------------------------------------------


def _post(client, url, **fields):
    data = {
        "emissions-TOTAL_FORMS": "1",
        "emissions-INITIAL_FORMS": "0",
        "hazardous_waste-TOTAL_FORMS": "1",
        "hazardous_waste-INITIAL_FORMS": "0",
        "carbon_emissions-TOTAL_FORMS": "1",
        "carbon_emissions-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return client.post(url, data)


def test_filing_page_saves_a_draft_then_submits(client, enterprise, own):
    client.force_login(enterprise)
    url = reverse("enterprises:filing_annual", kwargs={"pk": own.pk, "year": 2025})
    assert client.get(url).status_code == 200
    response = _post(client, url, action="save", basic="草稿")
    assert response.status_code == 302
    assert AnnualReport.objects.get(enterprise=own, year=2025).draft["basic"] == "草稿"
    fields = {k: v for k, v in full_content().items() if isinstance(v, str)}
    fields.update(
        {
            "emissions-0-outlet": "DA001",
            "emissions-0-pollutant": "二氧化硫",
            "emissions-0-amount": "5",
            "emissions-0-unit": "t",
            "carbon_emissions-0-scope": "direct",
            "carbon_emissions-0-amount": "100",
        }
    )
    response = _post(client, url, action="submit", **fields)
    assert response.status_code == 302
    version = ReportVersion.objects.get(report__enterprise=own)
    assert version.content["emissions"][0]["amount"] == "5"
    # The public page shows it with its fingerprint.
    public = client.get(
        reverse("enterprises:report", kwargs={"code": own.credit_code, "year": 2025})
    )
    assert version.fingerprint in public.content.decode()


def test_filing_page_shows_row_errors_and_saves_nothing(client, enterprise, own):
    client.force_login(enterprise)
    url = reverse("enterprises:filing_annual", kwargs={"pk": own.pk, "year": 2025})
    fields = {k: v for k, v in full_content().items() if isinstance(v, str)}
    fields.update(
        {"emissions-0-outlet": "DA001", "emissions-0-pollutant": "SO2", "emissions-0-amount": "-2"}
    )
    response = _post(client, url, action="submit", **fields)
    assert response.status_code == 400
    text = response.content.decode()
    assert 'data-testid="form-errors"' in text
    assert "不能为负" in text or "negative" in text
    assert not ReportVersion.objects.exists()


def test_the_filing_pages_refuse_another_enterprise_and_residents(
    client, enterprise, resident, other, own
):
    client.force_login(enterprise)
    url = reverse("enterprises:filing_annual", kwargs={"pk": other.pk, "year": 2025})
    assert client.get(url).status_code == 403
    assert _post(client, url, action="submit", basic="x").status_code == 403
    client.force_login(resident)
    assert client.get(reverse("enterprises:filing_home")).status_code == 403
    own_url = reverse("enterprises:filing_annual", kwargs={"pk": own.pk, "year": 2025})
    assert client.get(own_url).status_code == 403


def test_temporary_form_reports_a_future_date(client, enterprise, own):
    client.force_login(enterprise)
    url = reverse("enterprises:filing_temporary", kwargs={"pk": own.pk})
    response = client.post(
        url,
        {
            "document_kind": "penalty",
            "document_number": "X-1",
            "issued_by": "局",
            "received_on": "2099-01-01",
            "content": "x",
        },
    )
    assert response.status_code == 400
    assert not TemporaryReport.objects.exists()


def test_enterprise_accounts_need_the_second_factor_like_staff(client, settings, enterprise, own):
    settings.PORTAL_REQUIRE_STAFF_MFA = True
    client.force_login(enterprise)
    response = client.get(reverse("enterprises:filing_home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # Public pages stay open without the step.
    assert client.get(reverse("enterprises:index")).status_code == 200


def test_clean_production_and_listed_enterprises_owe_their_extra_parts(enterprise, own):
    """办法 第十二条/第十三条: the extra parts are required of those enterprises only."""
    own.is_clean_production_audit = True
    own.is_bond_issuer = True
    own.save()
    report = services.annual_report_for(own, 2025)
    assert report.extra_parts == ("clean_production", "financing")
    with pytest.raises(ContentErrors) as exc:
        services.report_submit(report=report, content=full_content(), user=enterprise)
    assert {where for where, _m in exc.value.errors} == {"clean_production", "financing"}
    version = services.report_submit(
        report=report,
        content=full_content(clean_production="审核已通过验收", financing="无"),
        user=enterprise,
    )
    assert version.content["clean_production"] == "审核已通过验收"
    # Another enterprise's report has no such parts, even if they are sent.
    own.is_clean_production_audit = own.is_bond_issuer = False
    own.save()
    report = services.annual_report_for(own, 2024)
    version = services.report_submit(
        report=report, content=full_content(financing="x"), user=enterprise
    )
    assert "financing" not in version.content


def test_the_filing_page_and_the_public_version_show_the_extra_parts(client, enterprise, own):
    own.is_clean_production_audit = True
    own.save()
    client.force_login(enterprise)
    page = client.get(reverse("enterprises:filing_annual", args=[own.pk, 2025])).content.decode()
    assert 'name="clean_production"' in page and 'name="financing"' not in page
    report = services.annual_report_for(own, 2025)
    services.report_submit(
        report=report, content=full_content(clean_production="已完成审核"), user=enterprise
    )
    public = client.get(reverse("enterprises:report", args=[own.credit_code, 2025]))
    assert "已完成审核" in public.content.decode()
