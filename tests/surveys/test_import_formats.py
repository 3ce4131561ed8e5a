"""Interviews as the bureau's partners really send them: Chinese Excel's GBK CSV, a CATI .sav.

The GBK fixture is the bytes Excel writes for "CSV (逗号分隔)" on a Chinese Windows; the .sav
is written with pyreadstat the way a CATI vendor's SPSS export looks (numeric respondent codes
with value labels, 9 = 说不清 declared user-missing).
"""

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from surveys.imports import decode_csv, import_responses
from surveys.models import Answer, Response
from tests.surveys.builders import build_survey

pytestmark = pytest.mark.django_db
GBK_FIXTURE = Path(__file__).parent / "fixtures" / "interviews_gbk.csv"


@pytest.fixture
def survey():
    return build_survey()


def test_the_fixture_is_really_gbk():
    content = GBK_FIXTURE.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    assert "东华街道" in content.decode("gbk")
    assert decode_csv(content) == content.decode("gb18030")
    assert decode_csv("东华街道".encode("utf-8-sig")) == "东华街道"


@pytest.mark.parametrize("encoding", ["auto", "gb18030"])
def test_a_csv_saved_by_chinese_excel_is_imported(survey, encoding):
    result = import_responses(
        survey=survey, filename="访谈.csv", content=GBK_FIXTURE.read_bytes(), encoding=encoding
    )
    assert result.ok, result.problems
    first = Response.objects.get(external_id="G-1")
    assert first.channel == "paper" and first.sex == "female" and first.age_group == "60+"
    assert first.subdistrict.name == "东华街道"
    assert Answer.objects.get(response=first, question__code="Q7").text == "垃圾分类做得好"
    assert Response.objects.get(external_id="G-2").channel == "cati"


def write_vendor_sav(path, rows):
    frame = pd.DataFrame(
        rows,
        columns=[
            "respondent_id", "channel", "subdistrict", "sex", "age_group",
            "Q1", "Q2_r1", "Q2_r2", "Q3", "Q4", "Q5", "Q6",
        ],
    )  # fmt: skip
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={
            "channel": {1: "纸质问卷", 2: "电话访问"},
            "subdistrict": {1: "东华街道", 2: "银江镇"},
            "sex": {1: "男", 2: "女"},
            "age_group": {1: "18-29", 2: "30-44", 3: "45-59", 4: "60及以上"},
            "Q1": {1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意", 9: "说不清"},
        },
        missing_ranges={"Q1": [9], "Q2_r1": [9], "Q2_r2": [9]},
    )
    return path.read_bytes()


def test_a_cati_vendors_sav_is_imported_with_its_labels_and_missing_codes(survey, tmp_path):
    content = write_vendor_sav(
        tmp_path / "cati.sav",
        [
            ["C-1", 2, 2, 2, 4, 9, 1, 9, "1;2", 1, 1, 12],
            ["C-2", 2, 1, 1, 1, 2, 4, 4, "9", 2, None, None],
        ],
    )
    result = import_responses(survey=survey, filename="cati.sav", content=content)
    assert result.ok, result.problems
    first = Response.objects.get(external_id="C-1")
    assert first.channel == "cati" and first.sex == "female" and first.age_group == "60+"
    assert first.subdistrict.code == "yinjiang"
    # 9 = 说不清 is user-missing in SPSS but is the answer the respondent gave.
    assert Answer.objects.get(response=first, question__code="Q1").choice.code == "9"
    assert sorted(
        Answer.objects.filter(response=first, question__code="Q3").values_list(
            "choice__code", flat=True
        )
    ) == ["1", "2"]
    assert Answer.objects.get(response=first, question__code="Q6").number == 12


def test_a_sav_with_problems_is_reported_by_row_and_column_like_a_csv(survey, tmp_path):
    content = write_vendor_sav(
        tmp_path / "bad.sav",
        [
            ["C-1", 2, 2, 2, 4, 9, 1, 9, "1;2", 1, 1, 12],
            ["C-2", 3, 1, 1, 1, 7, 4, 4, "9", 2, None, 500],
        ],
    )
    result = import_responses(survey=survey, filename="bad.sav", content=content)
    assert not result.ok
    found = {(p.row, p.column) for p in result.problems}
    assert {(3, "channel"), (3, "Q1"), (3, "Q6")} <= found
    assert not any(row == 2 for row, _column in found)
    assert not Response.objects.exists()
    broken = import_responses(survey=survey, filename="x.sav", content=b"not spss")
    assert "SPSS" in broken.problems[0].reason
