"""Population margins stored per survey: validation against the questionnaire's codes, the
survey_margins command and the admin upload (errors name variable and category; nothing saved)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook

from portal import roles
from surveys.analysis import current_margins, parse_survey_margins
from surveys.margins import MarginsError
from surveys.models import SurveyMargins
from tests.factories import UserFactory
from tests.surveys.analysis_fixtures import margins_csv, reference_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    return reference_survey(with_margins=False)


@pytest.fixture
def analyst():
    return UserFactory(username="analyst", roles=[roles.ANALYST])


def problems(survey, text):
    with pytest.raises(MarginsError) as excinfo:
        parse_survey_margins(survey, text)
    return {(p.code, p.variable, p.category) for p in excinfo.value.problems}


def test_valid_margins_match_the_questionnaire_codes(survey):
    margins = parse_survey_margins(survey, margins_csv())
    assert margins.variables == ["subdistrict", "sex", "age_group"]
    assert margins.population_total == 320000


def test_unknown_and_missing_categories_are_named(survey):
    text = margins_csv().replace("sex,female,", "sex,women,").replace("age_group,60+,80000\n", "")
    found = problems(survey, text)
    assert ("unknown_category", "sex", "women") in found
    assert ("category_missing", "sex", "female") in found
    assert ("category_missing", "age_group", "60+") in found


def test_a_missing_standard_variable_and_an_unknown_variable_are_named(survey):
    lines = [line for line in margins_csv().splitlines() if not line.startswith("sex,")]
    lines.append("income,high,1")
    found = problems(survey, "\n".join(lines))
    assert ("variable_missing", "sex", None) in found
    assert ("unknown_variable", "income", None) in found


def test_a_single_choice_question_can_be_a_weighting_variable(survey):
    text = margins_csv() + "Q2,1,0.4\nQ2,2,0.6\n"
    margins = parse_survey_margins(survey, text)
    assert margins.values["Q2"] == {"1": 0.4, "2": 0.6}
    found = problems(survey, margins_csv() + "Q2,1,0.4\nQ2,3,0.6\n")
    assert ("unknown_category", "Q2", "3") in found and ("category_missing", "Q2", "2") in found


def test_shares_must_sum_to_one(survey):
    text = (
        margins_csv()
        .replace("sex,male,162000", "sex,male,0.5")
        .replace("sex,female,158000", "sex,female,0.4")
    )
    assert ("shares_do_not_sum_to_one", "sex", None) in problems(survey, text)


def test_command_stores_margins_and_keeps_history(survey, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(margins_csv(), encoding="utf-8")
    out = io.StringIO()
    call_command("survey_margins", survey.slug, str(path), "--label", "普查", stdout=out)
    call_command("survey_margins", survey.slug, str(path), "--illustrative", stdout=out)
    assert SurveyMargins.objects.filter(survey=survey).count() == 2
    current = current_margins(survey)
    assert current.label == "m.csv" and current.illustrative
    assert ["sex", "male", 162000.0] in current.rows


def test_command_lists_every_problem_and_stores_nothing(survey, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(margins_csv().replace("sex,female,", "sex,women,"), encoding="utf-8")
    with pytest.raises(CommandError) as excinfo:
        call_command("survey_margins", survey.slug, str(path))
    message = str(excinfo.value)
    assert "women" in message and "female" in message
    assert not SurveyMargins.objects.exists()
    with pytest.raises(CommandError):
        call_command("survey_margins", "nope", str(path))


def test_admin_upload_error_names_variable_and_category_and_saves_nothing(client, analyst, survey):
    client.force_login(analyst)
    url = reverse("surveys_admin:margins", args=[survey.pk])
    bad = margins_csv().replace("age_group,60+,", "age_group,65+,").encode()
    page = client.post(url, {"file": SimpleUploadedFile("m.csv", bad, "text/csv"), "label": "普查"})
    assert page.status_code == 400
    body = page.content.decode()
    assert "65+" in body and "age_group" in body
    assert not SurveyMargins.objects.exists()


def test_admin_upload_accepts_csv_and_xlsx(client, analyst, survey):
    client.force_login(analyst)
    url = reverse("surveys_admin:margins", args=[survey.pk])
    page = client.post(
        url,
        {
            "file": SimpleUploadedFile("m.csv", margins_csv().encode("utf-8-sig"), "text/csv"),
            "label": "普查 CSV",
            "source_note": "区统计局",
        },
    )
    assert page.status_code == 302
    book = Workbook()
    sheet = book.active
    for line in margins_csv().splitlines():
        variable, category, value = line.split(",")
        sheet.append([variable, category, value if variable == "variable" else float(value)])
    buffer = io.BytesIO()
    book.save(buffer)
    page = client.post(
        url,
        {
            "file": SimpleUploadedFile("m.xlsx", buffer.getvalue()),
            "label": "普查 XLSX",
            "illustrative": "on",
        },
    )
    assert page.status_code == 302
    labels = list(SurveyMargins.objects.values_list("label", flat=True))
    assert sorted(labels) == ["普查 CSV", "普查 XLSX"]
    assert current_margins(survey).label == "普查 XLSX"
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", [None, roles.EDITOR, roles.DISCLOSURE_OFFICER])
def test_only_analysts_and_administrators_upload_margins(client, survey, role):
    client.force_login(UserFactory(username="eve", roles=[role] if role else []))
    url = reverse("surveys_admin:margins", args=[survey.pk])
    assert client.get(url).status_code in (302, 403)
    page = client.post(
        url, {"file": SimpleUploadedFile("m.csv", margins_csv().encode()), "label": "x"}
    )
    assert page.status_code in (302, 403)
    assert not SurveyMargins.objects.exists()
