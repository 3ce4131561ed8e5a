"""The analyst dashboard and the export jobs: who may see them, what they show, jobs to download."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from portal import roles
from surveys import analyst_views
from surveys.analysis import AnalysisError, analyse
from surveys.models import ExportJob
from tests.factories import UserFactory
from tests.surveys.analysis_fixtures import reference_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    return reference_survey(slug="dash-survey")


@pytest.fixture
def analyst():
    return UserFactory(username="alice", roles=[roles.ANALYST])


def urls(survey, job=None):
    result = [
        reverse("surveys_admin:dashboard", args=[survey.pk]),
        reverse("surveys_admin:exports", args=[survey.pk]),
    ]
    if job is not None:
        result += [
            reverse("surveys_admin:export_job", args=[survey.pk, job.pk]),
            reverse("surveys_admin:export_status", args=[survey.pk, job.pk]),
            reverse("surveys_admin:export_download", args=[survey.pk, job.pk]),
        ]
    return result


def start_export(client, survey, kind="report_xlsx"):
    return client.post(reverse("surveys_admin:exports", args=[survey.pk]), {"kind": kind})


@pytest.mark.parametrize(
    "role", [None, roles.EDITOR, roles.DEPARTMENT_HANDLER, roles.DISCLOSURE_OFFICER]
)
def test_only_analysts_and_administrators_reach_the_dashboard_and_exports(
    client, survey, analyst, role
):
    client.force_login(analyst)
    start_export(client, survey, "codebook_csv")
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE
    client.force_login(UserFactory(username="mallory", roles=[role] if role else []))
    for url in urls(survey, job):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"sha256" not in response.content.lower() or response.status_code == 302
    assert start_export(client, survey).status_code in (302, 403)
    assert response.status_code != 200
    if role is not None:  # staff with admin access get a 403, not the login page
        assert client.get(urls(survey)[0]).status_code == 403
    assert ExportJob.objects.count() == 1, "nobody else may start a job"


@pytest.mark.parametrize("role", [roles.ANALYST, roles.ADMINISTRATOR])
def test_dashboard_shows_rates_with_ci_by_subdistrict_weights_margin_fit_and_diagnostics(
    client, survey, role
):
    client.force_login(UserFactory(username="carol", roles=[role]))
    response = client.get(reverse("surveys_admin:dashboard", args=[survey.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    analysis = analyse(survey)
    for code, estimate in analysis.report.rates.items():
        assert f"{100 * estimate.rate:.1f}%" in page, code
        assert f"{100 * estimate.ci_low:.1f}% – {100 * estimate.ci_high:.1f}%" in page
    # inline SVG charts with a title, the 85% target line and the 80% minimum, no external JS
    assert page.count('<svg class="sa-chart"') == 1 + len(analysis.report.rates) + 1
    assert 'class="sa-target"' in page and 'class="sa-minimum"' in page
    assert not re.search(r"<script[^>]+src=\"https?://", page)
    for name in analysis.labels["subdistrict"].values():
        assert name in page
    # weight distribution and margin fit
    weights = analysis.weights.to_numpy()
    assert f"{weights.max():.3f}" in page and f"{weights.min():.3f}" in page
    assert 'data-testid="margin-fit"' in page
    for fit in analysis.weighting.margin_fit:
        assert f"{100 * fit.target_share:.2f}%" in page
    assert f"{analysis.weighting.diagnostics.max_margin_error:.2e}" in page


def test_suppressed_cells_are_shown_as_suppressed_not_as_numbers(
    client, survey, analyst, monkeypatch
):
    monkeypatch.setattr(analyst_views, "analyse", lambda s: analyse(s, min_n=10_000))
    client.force_login(analyst)
    page = client.get(reverse("surveys_admin:dashboard", args=[survey.pk])).content.decode()
    analysis = analyse(survey, min_n=10_000)
    table = page.split('data-testid="breakdown-subdistrict"')[1].split("</table>")[0]
    cells = analysis.report.breakdowns["subdistrict"]
    assert table.count("sa-badge--muted") == sum(len(per_rate) for per_rate in cells.values())
    assert "%" not in table.split("</thead>")[1], "no suppressed estimate leaks into the table"
    assert ("suppressed" in page) or ("已抑制" in page) or ("不予公布" in page)


def test_without_margins_the_dashboard_explains_why_and_links_to_the_upload(client, analyst):
    survey = reference_survey(slug="no-margins", with_margins=False)
    client.force_login(analyst)
    response = client.get(reverse("surveys_admin:dashboard", args=[survey.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    with translation.override("zh-hans"), pytest.raises(AnalysisError) as error:
        analyse(survey)
    assert str(error.value) in page
    assert reverse("surveys_admin:margins", args=[survey.pk]) in page
    assert "sa-chart" not in page


def test_an_export_job_runs_to_done_and_downloads_the_report(client, survey, analyst):
    client.force_login(analyst)
    response = start_export(client, survey)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys_admin:export_job", args=[survey.pk, job.pk])
    assert job.status == ExportJob.Status.DONE and job.progress == 100
    assert job.requested_by == analyst and job.finished_at is not None
    page = client.get(response["Location"]).content.decode()
    download = reverse("surveys_admin:export_download", args=[survey.pk, job.pk])
    assert download in page and "js/surveys-analyst.js" in page
    status = client.get(reverse("surveys_admin:export_status", args=[survey.pk, job.pk])).json()
    assert status["status"] == "done" and status["progress"] == 100 and status["finished"]
    assert status["download_url"] == download and status["sha256"] == job.sha256
    file = client.get(download)
    assert file.status_code == 200
    assert file["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert file["Content-Disposition"] == 'attachment; filename="dash-survey-report.xlsx"'
    body = file.getvalue()
    book = load_workbook(io.BytesIO(body))
    assert "汇总" in book.sheetnames  # sheet names in the interface language
    import hashlib

    assert hashlib.sha256(body).hexdigest() == job.sha256 and len(body) == job.size
    listing = client.get(reverse("surveys_admin:exports", args=[survey.pk])).content.decode()
    assert download in listing


@pytest.mark.parametrize(
    ("kind", "content_type", "filename"),
    [
        ("microdata_csv", "text/csv; charset=utf-8", "dash-survey-microdata.csv"),
        ("microdata_sav", "application/x-spss-sav", "dash-survey-microdata.sav"),
        ("microdata_dta", "application/x-stata-dta", "dash-survey-microdata.dta"),
        ("codebook_csv", "text/csv; charset=utf-8", "dash-survey-codebook.csv"),
    ],
)
def test_each_export_kind_downloads_with_its_type_and_name(
    client, survey, analyst, kind, content_type, filename
):
    client.force_login(analyst)
    start_export(client, survey, kind)
    job = ExportJob.objects.get()
    file = client.get(reverse("surveys_admin:export_download", args=[survey.pk, job.pk]))
    assert file["Content-Type"] == content_type
    assert file["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert len(file.getvalue()) == job.size > 0


def test_a_job_that_cannot_analyse_fails_with_the_reason_and_has_no_download(client, analyst):
    survey = reference_survey(slug="no-margins-job", with_margins=False)
    client.force_login(analyst)
    start_export(client, survey, "microdata_csv")
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED and not job.file
    with translation.override("zh-hans"), pytest.raises(AnalysisError) as error:
        analyse(survey)
    assert job.message == str(error.value)
    status = client.get(reverse("surveys_admin:export_status", args=[survey.pk, job.pk])).json()
    assert status["status"] == "failed" and status["finished"] and not status["download_url"]
    assert (
        client.get(reverse("surveys_admin:export_download", args=[survey.pk, job.pk])).status_code
        == 404
    )


def test_jobs_are_scoped_to_their_survey(client, survey, analyst):
    other = reference_survey(slug="other-survey", with_margins=False)
    client.force_login(analyst)
    start_export(client, survey, "codebook_csv")
    job = ExportJob.objects.get()
    for name in ("export_job", "export_status", "export_download"):
        assert (
            client.get(reverse(f"surveys_admin:{name}", args=[other.pk, job.pk])).status_code == 404
        )


def test_unknown_export_kind_is_refused_with_a_message(client, survey, analyst):
    client.force_login(analyst)
    response = start_export(client, survey, "passwords_txt")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose one of the listed exports." in page or "请选择列出的导出之一" in page
    assert not ExportJob.objects.exists()


def test_starting_an_export_needs_the_csrf_token(survey, analyst):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = start_export(client, survey)
    assert response.status_code == 403
    assert not ExportJob.objects.exists()
    page = client.get(reverse("surveys_admin:exports", args=[survey.pk])).content.decode()
    assert page.count('name="csrfmiddlewaretoken"') >= 5


def test_fieldwork_screen_links_to_the_dashboard(client, survey, analyst):
    client.force_login(analyst)
    page = client.get(reverse("surveys_admin:fieldwork", args=[survey.pk])).content.decode()
    assert reverse("surveys_admin:dashboard", args=[survey.pk]) in page
    assert reverse("surveys_admin:exports", args=[survey.pk]) in page


def test_a_queued_job_shows_its_status_and_a_refresh_link_until_the_worker_runs_it(
    client, survey, analyst, settings
):
    from surveys.tasks import build_export

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(analyst)
    job_url = start_export(client, survey, "microdata_csv")["Location"]
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED and job.progress == 0
    page = client.get(job_url).content.decode()
    assert "data-export-refresh>" in page, "the refresh link is shown (not hidden) without JS"
    assert 'data-status="queued"' in page
    status_url = reverse("surveys_admin:export_status", args=[survey.pk, job.pk])
    status = client.get(status_url)
    assert status["Cache-Control"].startswith("max-age=0") or "no-cache" in status["Cache-Control"]
    assert status.json()["finished"] is False and status.json()["download_url"] == ""
    download = reverse("surveys_admin:export_download", args=[survey.pk, job.pk])
    assert client.get(download).status_code == 404

    assert build_export(job.pk) == ExportJob.Status.DONE
    assert build_export(job.pk) == "nothing to do", "a finished job is never built twice"
    page = client.get(job_url).content.decode()
    assert "data-export-refresh hidden" in page and download in page
    assert client.get(status_url).json()["progress"] == 100
    rows = client.get(download).getvalue().decode("utf-8-sig").splitlines()
    assert len(rows) == 1 + 400 and rows[0].endswith(",weight")


def test_the_exports_page_query_count_does_not_grow_with_jobs(
    client, survey, analyst, django_assert_max_num_queries
):
    client.force_login(analyst)
    start_export(client, survey, "codebook_csv")
    url = reverse("surveys_admin:exports", args=[survey.pk])
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    job = ExportJob.objects.get()
    ExportJob.objects.bulk_create(
        ExportJob(survey=survey, kind=job.kind, requested_by=analyst, status=job.status)
        for _ in range(15)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count("surveys-analyst.css") == 1


def test_the_minimum_line_label_is_not_printed_over_an_equal_target():
    from django.template.loader import render_to_string

    from surveys.analyst_views import ci_chart

    def labels(target, minimum):
        chart = ci_chart([], target=target, minimum=minimum)
        svg = render_to_string(
            "surveys/admin/dashboard_chart_ci.html",
            {"chart": chart, "chart_id": "c", "title": "t"},
        )
        return svg.count(chart["target_label"]), svg.count('class="sa-minimum"')

    assert labels(0.85, 0.80) == (2, 1)  # once in the description, once on the line
    assert labels(0.80, 0.80) == (2, 0)
