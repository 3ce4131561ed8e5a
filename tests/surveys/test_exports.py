"""Exports: every file parses back with the same values, labels and weights; nothing identifying."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import load_workbook

from surveys.analysis import analyse
from surveys.codebook import survey_codebook
from surveys.exports import (
    EXPORT_BUILDERS,
    assemble_microdata,
    microdata_csv,
    microdata_frame,
)
from surveys.models import Answer, Choice, MatrixRow, Question, Response
from tests.surveys.analysis_fixtures import reference_survey

pytestmark = pytest.mark.django_db

IDENTIFYING = {
    "user",
    "user_id",
    "token",
    "token_hash",
    "ip",
    "ip_address",
    "user_agent",
    "external_id",
    "respondent_id",
    "duplicate_reason",
    "signal_hash",
}


def export_survey():
    """The R reference survey plus a matrix, a multiple-choice, a number and a text question."""
    survey = reference_survey(slug="export-survey")
    scale = [("1", "很好"), ("2", "一般"), ("9", "说不清")]
    q3 = Question.objects.create(survey=survey, code="Q3", kind="matrix", page=2, text="环境")
    rows = [
        MatrixRow.objects.create(question=q3, code=code, label=label, sort_order=i)
        for i, (code, label) in enumerate([("r1", "空气"), ("r2", "水")])
    ]
    q3_choices = {
        code: Choice.objects.create(question=q3, code=code, label=label, sort_order=i)
        for i, (code, label) in enumerate(scale)
    }
    q4 = Question.objects.create(survey=survey, code="Q4", kind="multiple", page=2, text="活动")
    q4_choices = {
        code: Choice.objects.create(question=q4, code=code, label=label, sort_order=i)
        for i, (code, label) in enumerate([("1", "垃圾分类"), ("2", "绿色出行"), ("3", "植树")])
    }
    q5 = Question.objects.create(survey=survey, code="Q5", kind="number", page=2, text="次数")
    q6 = Question.objects.create(survey=survey, code="Q6", kind="short_text", page=2, text="建议")
    answers = []
    for i, response in enumerate(Response.objects.filter(survey=survey).order_by("external_id")):
        answers.append(
            Answer(
                response=response,
                question=q3,
                row=rows[0],
                choice=q3_choices[["1", "2", "9"][i % 3]],
            )
        )
        if i % 4:
            answers.append(
                Answer(response=response, question=q3, row=rows[1], choice=q3_choices["2"])
            )
        if i % 5 == 0:
            continue  # Q4 not answered
        answers.append(Answer(response=response, question=q4, choice=q4_choices["1"]))
        if i % 2:
            answers.append(Answer(response=response, question=q4, choice=q4_choices["3"]))
        answers.append(Answer(response=response, question=q5, number=Decimal(i % 7)))
        answers.append(Answer(response=response, question=q6, text=f"secret-{i}"))
    Answer.objects.bulk_create(answers)
    return survey


@pytest.fixture
def analysis():
    return analyse(export_survey())


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_builders_offer_every_kind_with_filename_type_and_label(analysis):
    assert set(EXPORT_BUILDERS) == {
        "report_xlsx",
        "microdata_csv",
        "microdata_sav",
        "microdata_dta",
        "codebook_csv",
    }
    for kind, builder in EXPORT_BUILDERS.items():
        assert builder.filename(analysis.survey).startswith("export-survey-"), kind
        assert builder.filename(analysis.survey).endswith(
            {"report_xlsx": ".xlsx", "microdata_csv": ".csv", "microdata_sav": ".sav"}.get(
                kind, ".dta" if kind == "microdata_dta" else ".csv"
            )
        )
        assert builder.content_type and str(builder.label)


def test_csv_microdata_has_one_row_per_respondent_codes_scores_and_weights(analysis):
    rows = read_csv(EXPORT_BUILDERS["microdata_csv"].build(analysis))
    header, body = rows[0], rows[1:]
    assert len(body) == len(analysis.frame) == 400
    assert header[:6] == [
        "response_id",
        "channel",
        "submitted_on",
        "subdistrict",
        "sex",
        "age_group",
    ]
    assert header[-1] == "weight"
    assert {
        "Q1",
        "Q2",
        "Q3_r1",
        "Q3_r2",
        "Q4_1",
        "Q4_2",
        "Q4_3",
        "Q5",
        "satisfied",
        "participated",
    } <= set(header)
    assert "Q6" not in header, "free text is never exported"
    assert not IDENTIFYING & {h.lower() for h in header}
    table = pd.DataFrame(body, columns=header).set_index("response_id")
    assert list(table.index) == list(analysis.frame.index)
    # weights exactly as computed (shortest round-trip notation)
    np.testing.assert_array_equal(
        table["weight"].astype(float).to_numpy(), analysis.weights.to_numpy()
    )
    # scores as 1/0/empty, matching the analysis frame
    expected = analysis.frame["satisfied"].map({1.0: "1", 0.0: "0"}).fillna("")
    assert (table["satisfied"] == expected).all()
    assert set(table["sex"]) <= {"male", "female"}
    assert set(table["Q3_r1"]) == {"1", "2", "9"}
    # multiple choice: 0/1 per choice, empty when the question was not answered
    skipped = table["Q4_1"] == ""
    assert skipped.sum() == 80
    assert (table.loc[skipped, ["Q4_2", "Q4_3", "Q5"]] == "").all().all()
    assert set(table.loc[~skipped, "Q4_1"]) == {"1"} and set(table.loc[~skipped, "Q4_2"]) == {"0"}
    assert set(table.loc[~skipped, "Q4_3"]) == {"0", "1"}
    assert "secret" not in EXPORT_BUILDERS["microdata_csv"].build(analysis).decode("utf-8-sig")


def test_sav_and_dta_give_the_same_values_labels_and_weights_as_the_csv(analysis, tmp_path):
    csv_rows = read_csv(EXPORT_BUILDERS["microdata_csv"].build(analysis))
    table = pd.DataFrame(csv_rows[1:], columns=csv_rows[0])
    codebook = survey_codebook(analysis.survey, rules=analysis.rules)
    for kind, reader in (
        ("microdata_sav", pyreadstat.read_sav),
        ("microdata_dta", pyreadstat.read_dta),
    ):
        content = EXPORT_BUILDERS[kind].build(analysis)
        suffix = ".sav" if kind == "microdata_sav" else ".dta"
        path = tmp_path / f"microdata{suffix}"
        path.write_bytes(content)
        data, meta = reader(str(path))
        assert list(data.columns) == list(table.columns), kind
        assert len(data) == 400
        np.testing.assert_allclose(
            data["weight"].to_numpy(), analysis.weights.to_numpy(), rtol=0, atol=0
        )
        assert list(data["response_id"]) == list(table["response_id"])
        labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
        assert labels["subdistrict"] == codebook["subdistrict"].label
        assert labels["Q3_r1"].startswith("Q3 环境")
        assert meta.variable_value_labels["Q3_r1"] == {1: "很好", 2: "一般", 9: "说不清"}
        assert meta.variable_value_labels["sex"] == {
            1: codebook["sex"].values[0].label,
            2: codebook["sex"].values[1].label,
        }
        # every coded value maps back to the CSV code through the codebook
        for name in ("subdistrict", "sex", "age_group", "Q1", "Q3_r1", "Q4_3", "satisfied"):
            variable = codebook[name]
            back = {v.value: v.code for v in variable.values}
            decoded = data[name].map(lambda x, back=back: "" if pd.isna(x) else back[int(x)])
            assert list(decoded) == list(table[name]), (kind, name)
        numbers = data["Q5"].map(lambda x: "" if pd.isna(x) else repr(float(x)))
        assert list(numbers) == list(table["Q5"]), kind
        if kind == "microdata_dta":
            assert all(len(label) <= 80 for label in meta.column_labels if label)


def test_xlsx_report_has_summary_breakdowns_margin_fit_methodology_and_codebook(analysis):
    book = load_workbook(io.BytesIO(EXPORT_BUILDERS["report_xlsx"].build(analysis)))
    assert book.sheetnames == [
        pgettext("export sheet", name)
        for name in ("summary", "breakdowns", "margin fit", "methodology", "codebook")
    ]
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    by_code = {row[0]: row for row in summary if row and row[0] in analysis.report.rates}
    estimate = analysis.report.rates["satisfied"]
    row = by_code["satisfied"]
    assert row[2] == pytest.approx(estimate.rate, abs=1e-15)
    assert row[3] == pytest.approx(estimate.se, abs=1e-15)
    assert (row[4], row[5]) == pytest.approx((estimate.ci_low, estimate.ci_high), abs=1e-15)
    assert row[6] == estimate.n and row[12] == pytest.approx(0.85)
    assert row[7] == pytest.approx(estimate.n_eff) and row[8] == pytest.approx(estimate.deff)
    assert (row[9], row[10]) == pytest.approx((estimate.kg_low, estimate.kg_high), abs=1e-15)
    assert row[11].startswith(str(_("shown")))
    breakdowns = list(book.worksheets[1].iter_rows(values_only=True))[1:]
    cells = analysis.report.breakdowns["subdistrict"]
    assert len([r for r in breakdowns if r[0] == "subdistrict"]) == 2 * len(cells)
    first_category = next(iter(cells))
    match = next(
        r
        for r in breakdowns
        if r[0] == "subdistrict" and r[1] == first_category and r[3] == "satisfied"
    )
    assert match[5] == pytest.approx(cells[first_category]["satisfied"].rate)
    assert match[2] == analysis.labels["subdistrict"][first_category]
    fit = list(book.worksheets[2].iter_rows(values_only=True))[1:]
    assert len(fit) == len(analysis.weighting.margin_fit)
    assert all(abs(r[6] - r[4]) < 1e-8 for r in fit), "raked shares hit the targets"
    methodology = "\n".join(r[0] for r in book.worksheets[3].iter_rows(values_only=True) if r[0])
    assert "logit" in methodology and "satisfied" in methodology
    codebook_names = {r[0] for r in book.worksheets[4].iter_rows(values_only=True)}
    assert {"weight", "Q4_1", "subdistrict"} <= codebook_names


def test_codebook_csv_lists_every_microdata_variable_with_value_labels(analysis):
    rows = read_csv(EXPORT_BUILDERS["codebook_csv"].build(analysis))
    header = read_csv(EXPORT_BUILDERS["microdata_csv"].build(analysis))[0]
    variables = [r[0] for r in rows[1:] if r[1]]
    assert variables == header
    q1_values = {(r[4], r[5], r[6]) for r in rows[1:] if r[0] == "Q1" and r[4]}
    assert q1_values == {(str(i), str(i), str(i)) for i in range(1, 6)}
    q4 = [r for r in rows[1:] if r[0] == "Q4_2" and r[4]]
    assert [(r[4], r[5]) for r in q4] == [("0", "0"), ("1", "1")]


def test_microdata_excludes_responses_excluded_from_analysis():
    survey = export_survey()
    excluded = Response.objects.filter(survey=survey).order_by("external_id").first()
    excluded.excluded = True
    excluded.save()
    analysis = analyse(survey)
    frame = microdata_frame(analysis)
    assert len(frame) == 399 and str(excluded.pk) not in set(frame["response_id"])


def test_assemble_microdata_is_column_wise_and_ignores_unknown_respondents():
    from types import SimpleNamespace as NS

    from surveys.codebook import build_codebook

    questions = [
        NS(
            code="Q1",
            text="满意",
            kind="single",
            choices=[NS(code="1", label="是"), NS(code="2", label="否")],
            rows=(),
        ),
        NS(
            code="Q2",
            text="活动",
            kind="multiple",
            choices=[NS(code="a", label="甲"), NS(code="b", label="乙")],
            rows=(),
        ),
    ]
    codebook = build_codebook(
        questions=questions,
        subdistricts=[("x", "X街道")],
        rules=[NS(code="sat", name="满意率", method="top_box")],
        channels=[("web", "网络")],
        sexes=[("male", "男"), ("female", "女")],
        age_groups=[("18-29", "18–29")],
    )
    respondents = pd.DataFrame(
        {
            "channel": ["web", "web", "web"],
            "subdistrict": ["x", "x", "x"],
            "sex": ["male", "female", "male"],
            "age_group": ["18-29"] * 3,
            "submitted_on": [pd.Timestamp("2025-10-08").date()] * 3,
            "sat": [1.0, np.nan, 0.0],
        },
        index=pd.Index(["r1", "r2", "r3"], name="response_id"),
    )
    answers = pd.DataFrame(
        {
            "response_id": ["r1", "r2", "r1", "r3", "r3", "ghost"],
            "question": ["Q1", "Q1", "Q2", "Q2", "Q2", "Q1"],
            "item": ["Q1", "Q1", "Q2", "Q2", "Q2", "Q1"],
            "choice": ["1", "2", "b", "a", "b", "1"],
        }
    )
    frame = assemble_microdata(
        respondents=respondents,
        answers=answers,
        numbers=pd.DataFrame(columns=["response_id", "question", "number"]),
        weights=np.array([0.5, 1.25, 1.25]),
        codebook=codebook,
    )
    rows = read_csv(microdata_csv(frame))
    assert rows == [
        [
            "response_id",
            "channel",
            "submitted_on",
            "subdistrict",
            "sex",
            "age_group",
            "Q1",
            "Q2_a",
            "Q2_b",
            "sat",
            "weight",
        ],
        ["r1", "web", "2025-10-08", "x", "male", "18-29", "1", "0", "1", "1", "0.5"],
        ["r2", "web", "2025-10-08", "x", "female", "18-29", "2", "", "", "", "1.25"],
        ["r3", "web", "2025-10-08", "x", "male", "18-29", "", "1", "1", "0", "1.25"],
    ]


def test_builders_report_rising_progress(analysis):
    for kind in ("report_xlsx", "microdata_sav"):
        seen = []
        EXPORT_BUILDERS[kind].build(
            analysis, lambda percent, step="", seen=seen: seen.append(percent)
        )
        assert seen and seen == sorted(seen) and all(0 < p < 100 for p in seen), kind
