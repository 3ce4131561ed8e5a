"""The public results page: the latest frozen release only — every published rate with its
interval and verdict, breakdowns by sub-district, sex and age group (chart and table), small
cells suppressed by the release's rule, the method in plain words and the CSV of the tables;
a closed survey says so; answers after the release never change it."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from surveys.models import Answer, Response, Survey
from surveys.release_views import min_public_cell
from surveys.releases import release_publish
from tests.surveys.analysis_fixtures import reference_survey

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_exports(monkeypatch):
    from surveys import exports

    monkeypatch.setattr(exports, "EXPORT_BUILDERS", {})


@pytest.fixture
def small_cell_release():
    """The reference survey with three respondents aged 18-29, published with an override."""
    survey = reference_survey()
    young = list(
        Response.objects.filter(survey=survey, age_group="18-29").values_list("pk", flat=True)
    )
    Response.objects.filter(pk__in=young[3:]).update(age_group="30-44")
    release = release_publish(survey=survey, actor=None, override_reason="测试：小样本")
    return survey, release


def results(client, survey):
    return client.get(reverse("surveys:results", args=[survey.slug]))


def article(response) -> str:
    """The page's content (the shell around it carries a per-request CSRF token)."""
    return response.content.decode().split("<article", 1)[1].split("</article>", 1)[0]


def test_breakdowns_by_subdistrict_sex_and_age_have_a_chart_and_a_table(client):
    survey = reference_survey()
    release_publish(survey=survey, actor=None)
    response = results(client, survey)
    html = response.content.decode()
    variables = [group["variable"] for group in response.context["breakdowns"]]
    assert variables == ["subdistrict", "sex", "age_group"]
    for variable in variables:
        assert f'id="bd-{variable}"' in html
        assert f'data-testid="chart-{variable}-satisfied"' in html
    # The chart is drawn without inline style (CSP) and hidden from screen readers, which read
    # the table that follows it.
    assert "<svg" in html and "style=" not in html.split('id="bd-subdistrict"', 1)[1]
    assert 'class="sv-chart__rows" aria-hidden="true"' in html
    assert html.count("<caption>") >= 1 + len(variables)
    # Sub-district names, not codes.
    assert "东华街道" in html or "炳草岗街道" in html
    assert 'data-testid="results-method"' in html and "Korn–Graubard" in html


def test_small_cells_are_suppressed_by_the_releases_rule(client, small_cell_release):
    survey, release = small_cell_release
    assert min_public_cell(release) == 20
    response = results(client, survey)
    age = next(g for g in response.context["breakdowns"] if g["variable"] == "age_group")
    rows = {row["label"]: row for row in age["rates"][0]["rows"]}
    young = next(row for label, row in rows.items() if "18" in label)
    assert young["n"] == 3
    assert young["suppressed"] and young["reason"] == "small" and young["percent"] is None
    for row in rows.values():
        assert row["suppressed"] or row["n"] >= 20
    html = response.content.decode()
    assert 'data-testid="cell-suppressed"' in html
    assert "&lt; 20" in html  # the exact small count is not printed either


def test_the_csv_has_the_pages_numbers_and_no_small_cell(client, small_cell_release):
    survey, release = small_cell_release
    url = reverse("surveys:results_csv", args=[survey.slug, release.version])
    assert url in results(client, survey).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert len(header) == 7
    small = [row for row in body if "18" in row[2] and row[1] == "按年龄组"]
    assert small and all(row[3] == "不公布" and row[6] == "少于20" for row in small)
    satisfied = f"{release.satisfaction}"
    assert any(row[3] == satisfied for row in body if row[1] == "全体居民")
    # Aggregates only: a handful of rows, never one per respondent.
    assert len(body) < Response.objects.filter(survey=survey).count()


def test_answers_after_the_release_never_change_the_page(client):
    survey = reference_survey()
    release_publish(survey=survey, actor=None)
    before = article(results(client, survey))
    csv_url = reverse("surveys:results_csv", args=[survey.slug, 1])
    csv_before = client.get(csv_url).content
    # After the cut-off: every answer turns dissatisfied, some respondents go, the survey
    # reopens and more come in (copies of the remaining responses).
    Answer.objects.filter(response__survey=survey, choice__code__in=["4", "5"]).update(
        choice=survey.questions.get(code="Q1").choices.get(code="1")
    )
    Response.objects.filter(survey=survey, age_group="60+").delete()
    assert article(results(client, survey)) == before
    assert client.get(csv_url).content == csv_before


def test_a_survey_past_its_end_closes_by_itself_and_its_pages_say_so(client):
    survey = reference_survey(
        status=Survey.Status.OPEN, closes_at=timezone.now() - dt.timedelta(hours=1)
    )
    release_publish(survey=survey, actor=None)
    call_command("survey_close_due")
    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED
    page = client.get(reverse("surveys:survey", args=[survey.slug])).content.decode()
    assert "本调查已结束" in page or "closed" in page
    assert 'data-testid="results-closed"' in results(client, survey).content.decode()


def test_an_open_survey_says_its_results_are_the_last_release(client):
    survey = reference_survey(status=Survey.Status.OPEN)
    release_publish(survey=survey, actor=None)
    html = results(client, survey).content.decode()
    assert 'data-testid="results-open"' in html and 'data-testid="results-closed"' not in html
