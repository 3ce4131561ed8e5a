import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from surveys.imports import import_responses, template_csv
from surveys.models import Answer, Response, SurveyEvent
from surveys.questionnaire import load_structure
from tests.surveys.builders import build_survey

pytestmark = pytest.mark.django_db

HEADER = "respondent_id,channel,subdistrict,sex,age_group,Q1,Q2_r1,Q2_r2,Q3,Q4,Q5,Q6,Q7,Q8"


def csv_bytes(*rows, header=HEADER):
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


@pytest.fixture
def survey():
    return build_survey()


def test_a_valid_file_imports_every_row_with_its_answers(survey):
    content = csv_bytes(
        "P-1,paper,donghua,female,60+,1,1,9,1;2,1,1,3,,",
        "C-2,cati,银江镇,男,18-29,4,4,4,9,2,,,,",
    )
    result = import_responses(survey=survey, filename="paper.csv", content=content)
    assert result.ok and result.rows == 2
    first = Response.objects.get(external_id="P-1")
    assert first.channel == "paper" and first.age_group == "60+"
    assert Answer.objects.filter(response=first, question__code="Q3").count() == 2
    second = Response.objects.get(external_id="C-2")
    assert (
        second.channel == "cati" and second.sex == "male" and second.subdistrict.code == "yinjiang"
    )
    assert SurveyEvent.objects.filter(kind="imported").count() == 1


def test_every_error_is_listed_with_row_and_column_and_nothing_is_imported(survey):
    content = csv_bytes(
        "P-1,paper,donghua,female,60+,1,1,9,1;2,1,1,3,,",  # fine
        "P-2,fax,atlantis,x,10-17,7,1,9,1;8,2,1,500,,",  # many problems
        "P-1,paper,donghua,female,60+,1,1,9,1,1,1,,,",  # duplicate id
    )
    result = import_responses(survey=survey, filename="bad.csv", content=content)
    assert not result.ok
    found = {(p.row, p.column) for p in result.problems}
    assert {
        (3, "channel"),
        (3, "subdistrict"),
        (3, "sex"),
        (3, "age_group"),
        (3, "Q1"),
        (3, "Q3"),
        (3, "Q5"),  # answered although Q4=2 hides it
        (3, "Q6"),  # out of range
        (4, "respondent_id"),
    } <= found
    assert (2, "Q1") not in found
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_a_respondent_id_already_imported_is_refused(survey):
    row = "P-1,paper,donghua,female,60+,1,1,9,1,1,1,,,"
    assert import_responses(survey=survey, filename="a.csv", content=csv_bytes(row)).ok
    again = import_responses(survey=survey, filename="b.csv", content=csv_bytes(row))
    assert [(p.row, p.column) for p in again.problems] == [(2, "respondent_id")]
    assert Response.objects.count() == 1


def test_missing_and_unknown_columns_are_reported(survey):
    content = csv_bytes("1,paper,donghua", header="respondent_id,channel,subdistrict,Q99")
    result = import_responses(survey=survey, filename="x.csv", content=content)
    assert {(p.row, p.column) for p in result.problems} == {
        (1, "sex"),
        (1, "age_group"),
        (1, "Q99"),
    }


def test_a_file_in_the_wrong_encoding_gets_a_clear_message(survey):
    content = csv_bytes("P-1,paper,东华街道,女,60+,1,1,9,1,1,1,,,").decode().encode("gbk")
    # Declared UTF-8 although Chinese Excel saved it as GBK: the message names both choices.
    result = import_responses(survey=survey, filename="gbk.csv", content=content, encoding="utf-8")
    assert len(result.problems) == 1 and "GB18030" in result.problems[0].reason
    # Bytes that are neither UTF-8 nor GB18030.
    result = import_responses(survey=survey, filename="x.csv", content=b"respondent_id\n\x80\xff\n")
    assert len(result.problems) == 1 and "UTF-8" in result.problems[0].reason
    assert not Response.objects.exists()


def test_a_broken_workbook_and_an_unknown_extension_are_refused(survey):
    assert (
        "XLSX"
        in import_responses(survey=survey, filename="x.xlsx", content=b"nope").problems[0].reason
    )
    assert import_responses(survey=survey, filename="x.txt", content=b"a").problems


def test_xlsx_imports_like_csv(survey):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(
        ["P-9", "paper", "donghua", "female", "45-59", 1, 1, 9, "1;3", 1, 2, 4.0, None, None]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = import_responses(survey=survey, filename="x.xlsx", content=buffer.getvalue())
    assert result.ok, result.problems
    assert Answer.objects.get(question__code="Q6").number == 4


def test_the_template_lists_every_column_of_the_survey(survey):
    header = template_csv(load_structure(survey)).lstrip("\ufeff").splitlines()[0]
    assert header == HEADER


def test_survey_import_command_reports_problems_and_imports_good_files(survey, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("P-1,paper,donghua,female,60+,7,1,9,1,1,1,,,"))
    with pytest.raises(CommandError, match="Nothing imported: 1 problem"):
        call_command("survey_import", survey.slug, str(bad))
    assert "row 2, column Q1" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes("P-1,paper,donghua,female,60+,1,1,9,1,1,1,,,"))
    call_command("survey_import", survey.slug, str(good))
    assert Response.objects.count() == 1
    with pytest.raises(CommandError, match="No survey"):
        call_command("survey_import", "nope", str(good))
