"""The codebook: names valid in SPSS and Stata, labels and value labels from the questionnaire."""

from __future__ import annotations

from types import SimpleNamespace as NS

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from surveys.codebook import (
    BINARY,
    DATE,
    NUMERIC,
    ORDINAL,
    build_codebook,
    safe_names,
    survey_codebook,
)
from surveys.exports import assemble_microdata, microdata_dta, microdata_sav
from surveys.models import ScoringDefinition
from tests.surveys.builders import build_survey


def test_safe_names_are_valid_unique_and_within_32_characters():
    names = safe_names(
        ["Q1", "in", "with", "Q3_a-b", "2025", "x" * 40, "x" * 40, "Q1", "str5", "_all"]
    )
    assert names[0] == "Q1"
    assert names[1] == "in_" and names[2] == "with_"
    assert names[3] == "Q3_a_b"
    assert names[4] == "v_2025"
    assert len(names[5]) == 32 and len(names[6]) <= 32 and names[5] != names[6]
    assert names[7] == "Q1_2"
    assert names[8] == "str5_"
    assert names[9] == "v__all"
    assert all(n[0].isalpha() for n in names)
    assert len({n.lower() for n in names}) == len(names)


@pytest.mark.django_db
def test_survey_codebook_labels_match_the_questionnaire():
    survey = build_survey()
    ScoringDefinition.objects.create(
        survey=survey,
        code="mean-score",
        name="平均分",
        kind="other",
        method="score_mean",
        items="Q1",
    )
    codebook = survey_codebook(survey)
    names = codebook.names
    assert names[:6] == [
        "response_id",
        "channel",
        "submitted_on",
        "subdistrict",
        "sex",
        "age_group",
    ]
    assert names[-1] == "weight"
    # Likert: an ordinal scale; codes as numbers (all integers), labels from the choices
    q1 = codebook["Q1"]
    assert q1.kind == ORDINAL and q1.label == "Q1 Q1 问题"
    # 说不清 (not substantive) is the declared missing value: SPSS 9, Stata .a
    assert [(v.value, v.missing, v.stata_missing) for v in q1.values if v.missing] == [
        (9, True, "a")
    ]
    assert codebook["submitted_on"].kind == DATE
    assert q1.value_labels() == {1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意", 9: "说不清"}
    # matrix rows: one variable per row, labelled with the row
    assert codebook["Q2_r1"].label == "Q2 Q2 问题 — 空气"
    assert codebook["Q2_r2"].value_labels() == q1.value_labels()
    # multiple choice: one 0/1 variable per choice
    assert [n for n in names if n.startswith("Q3_")] == ["Q3_1", "Q3_2", "Q3_3", "Q3_9"]
    assert codebook["Q3_2"].kind == BINARY and codebook["Q3_2"].label.endswith("绿色出行")
    assert codebook["Q3_2"].numeric_values() == [0, 1]
    # number kept, text questions never exported
    assert codebook["Q6"].kind == NUMERIC
    assert "Q7" not in names and "Q8" not in names
    # demographics: non-integer codes numbered 1..k in order
    sub = codebook["subdistrict"]
    assert [(v.code, v.value, v.label) for v in sub.values] == [
        ("donghua", 1, "东华街道"),
        ("yinjiang", 2, "银江镇"),
    ]
    assert [(v.code, v.value) for v in codebook["sex"].values] == [("male", 1), ("female", 2)]
    assert [v.code for v in codebook["age_group"].values] == ["18-29", "30-44", "45-59", "60+"]
    # scores: binary rules with yes/no, a mean score is a plain number; slug made a valid name
    assert codebook["satisfaction"].kind == BINARY
    assert codebook["mean_score"].kind == NUMERIC and not codebook["mean_score"].values
    assert "平均分" in codebook["mean_score"].label
    # the CSV rows: one per variable, then its values
    rows = codebook.rows()
    assert [r[0] for r in rows if r[1]] == names
    assert ["Q1", "", "", "", "9", 9, "说不清", "", "9 / .a"] in rows
    assert ["Q1", "", "", "", "1", 1, "非常满意", "", ""] in rows


def test_long_labels_are_cut_to_the_stata_and_spss_limits(tmp_path):
    long_text = "很长的问题文本" * 40  # 280 characters, 840 bytes
    long_label = "选项" * 100
    question = NS(
        code="Q1",
        text=long_text,
        kind="single",
        choices=[NS(code="1", label=long_label), NS(code="2", label="否")],
        rows=(),
    )
    codebook = build_codebook(
        questions=[question],
        subdistricts=[("x", "X")],
        channels=[("web", "网络")],
        sexes=[("male", "男")],
        age_groups=[("18-29", "18–29")],
    )
    respondents = pd.DataFrame(
        {
            "channel": ["web"],
            "subdistrict": ["x"],
            "sex": ["male"],
            "age_group": ["18-29"],
            "submitted_on": [pd.Timestamp("2025-01-02")],
        },
        index=pd.Index(["r1"], name="response_id"),
    )
    answers = pd.DataFrame(
        {"response_id": ["r1"], "question": ["Q1"], "item": ["Q1"], "choice": ["1"]}
    )
    frame = assemble_microdata(
        respondents=respondents,
        answers=answers,
        numbers=pd.DataFrame(columns=["response_id", "question", "number"]),
        weights=np.array([1.0]),
        codebook=codebook,
    )
    dta = tmp_path / "x.dta"
    dta.write_bytes(microdata_dta(frame, codebook, file_label="调查" * 60))
    data, meta = pyreadstat.read_dta(str(dta))
    label = dict(zip(meta.column_names, meta.column_labels, strict=True))["Q1"]
    assert len(label) == 80 and label.startswith("Q1 很长的问题文本")
    assert data["Q1"].tolist() == [1.0]
    sav = tmp_path / "x.sav"
    sav.write_bytes(microdata_sav(frame, codebook))
    data, meta = pyreadstat.read_sav(str(sav))
    assert len(meta.variable_value_labels["Q1"][1].encode("utf-8")) <= 120
    assert meta.variable_value_labels["Q1"][1].startswith("选项选项")
    assert meta.variable_value_labels["Q1"][2] == "否"
