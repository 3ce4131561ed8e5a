"""An analyst opens the weighted rates dashboard, starts an XLSX export, watches the progress bar
finish (polling the job status) and downloads the report. Both pages are axe-clean."""

from __future__ import annotations

import datetime as dt
import io
import random
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.accounts import sign_in
from tests.e2e.axe import assert_accessible

DEFERRED_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def weighted_survey(site_url):
    """A closed survey with 240 responses in every active sub-district and stored margins."""
    from django.utils import timezone

    from portal.models import Subdistrict
    from surveys.analysis import validate_survey_margins
    from surveys.models import Answer, Choice, Question, Response, ScoringDefinition, Survey
    from surveys.services import margins_store

    survey = Survey.objects.create(
        title="分析员测试调查",
        slug="analyst-e2e",
        purpose="测试",
        wave="2025",
        year=2025,
        status=Survey.Status.CLOSED,
        opens_at=timezone.now() - dt.timedelta(days=30),
    )
    question = Question.objects.create(
        survey=survey, code="Q1", kind="likert", page=1, text="满意度"
    )
    choices = [
        Choice.objects.create(question=question, code=str(i), label=label, sort_order=i)
        for i, label in enumerate(["非常满意", "满意", "不满意"], start=1)
    ]
    ScoringDefinition.objects.create(
        survey=survey,
        code="satisfaction",
        name="满意率",
        kind="satisfaction",
        method="top_box",
        items="Q1",
        positive_choice_codes="1;2",
        target_percent=85,
    )
    subdistricts = list(Subdistrict.objects.filter(is_active=True))
    sexes, ages = ["male", "female"], ["18-29", "30-44", "45-59", "60+"]
    rng = random.Random(2025)
    responses, answers = [], []
    for i in range(240):
        response = Response(
            survey=survey,
            channel="web",
            subdistrict=subdistricts[i % len(subdistricts)],
            sex=rng.choice(sexes),
            age_group=rng.choice(ages),
            submitted_on=dt.date(2025, 10, 1),
        )
        responses.append(response)
        answers.append(Answer(response=response, question=question, choice=choices[i % 7 % 3]))
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)
    rows = [(None, "subdistrict", s.code, 1000 + 100 * n) for n, s in enumerate(subdistricts)]
    total = sum(r[3] for r in rows)
    rows += [(None, "sex", "male", total / 2), (None, "sex", "female", total / 2)]
    rows += [(None, "age_group", a, total / 4) for a in ages]
    margins_store(survey=survey, margins=validate_survey_margins(survey, rows), label="测试边际")
    return survey


def test_analyst_reads_the_dashboard_exports_xlsx_and_downloads_it(page, weighted_survey, settings):
    from openpyxl import load_workbook

    from surveys.models import ExportJob
    from surveys.tasks import build_export

    settings.TASKS = DEFERRED_TASKS  # the job waits in the queue until this test runs it
    sign_in(page, "analyst@demo.local")
    page.goto("/admin/survey-fieldwork/")  # the fieldwork list (a Wagtail IndexView)
    expect(page.get_by_test_id("fieldwork-table")).to_contain_text(weighted_survey.title)
    assert_accessible(page)
    page.get_by_test_id("fieldwork-table").get_by_role("link", name=weighted_survey.title).click()
    page.get_by_test_id("open-dashboard").click()
    expect(page.get_by_test_id("survey-dashboard")).to_be_visible()
    expect(page.get_by_test_id("headline-table")).to_contain_text("满意率")
    expect(page.locator("svg.sa-chart").first).to_be_visible()
    expect(page.get_by_test_id("margin-fit")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("统计局|statistics bureau")).first.click()
    expect(page.get_by_test_id("survey-exports")).to_be_visible()
    assert_accessible(page)
    page.get_by_test_id("start-report_xlsx").click()
    expect(page.get_by_test_id("export-job")).to_be_visible()
    job = ExportJob.objects.get(survey=weighted_survey)
    assert job.status == ExportJob.Status.QUEUED
    expect(page.locator("[data-export-refresh]")).to_be_visible()  # the no-JS fallback
    assert_accessible(page)

    build_export(job.pk)  # what the worker does; the page learns of it by polling
    expect(page.locator("[data-export-progress]")).to_have_attribute("value", "100")
    expect(page.locator("[data-export-job]")).to_have_attribute("data-status", "done")
    expect(page.locator("[data-export-refresh]")).to_be_hidden()
    download_link = page.get_by_test_id("export-download")
    expect(download_link).to_be_visible()
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename == "analyst-e2e-report.xlsx"
    with open(download.path(), "rb") as stream:
        book = load_workbook(io.BytesIO(stream.read()))
    assert book.sheetnames == [
        "汇总",
        "分组",
        "边际拟合",
        "方法说明",
        "编码簿",
    ]  # interface language
    assert_accessible(page)
