"""Contract tests: the SPSS and Stata files as the statistics bureau's tools read them.

Read back with pyreadstat (the ReadStat library that R's haven also uses) and pandas
(``read_spss``, ``read_stata``), not with our own code: labels, declared missing values,
measurement levels, dates, the dta format version and the weights.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from surveys.analysis import analyse
from surveys.codebook import survey_codebook
from surveys.exports import EXPORT_BUILDERS, microdata_frame, microdata_sav, truncate_bytes
from surveys.models import Choice
from tests.surveys.test_exports import export_survey, read_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def files(django_db_setup, django_db_blocker, tmp_path_factory):
    """One survey's exports, built once (its 说不清 = 9 choice is not substantive)."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        survey = export_survey()
        Choice.objects.filter(question__survey=survey, question__code="Q3", code="9").update(
            is_substantive=False
        )
        analysis = analyse(survey)
        folder = tmp_path_factory.mktemp("exports")
        paths = {}
        for kind, suffix in (("microdata_sav", "sav"), ("microdata_dta", "dta")):
            paths[suffix] = folder / f"microdata.{suffix}"
            paths[suffix].write_bytes(EXPORT_BUILDERS[kind].build(analysis))
        rows = read_csv(EXPORT_BUILDERS["microdata_csv"].build(analysis))
        result = {
            "paths": paths,
            "csv": pd.DataFrame(rows[1:], columns=rows[0]),
            "weights": analysis.weights.to_numpy(),
            "satisfied": analysis.report.rates["satisfied"].rate,
            "title": f"{survey.title} {survey.wave}",
        }
        transaction.set_rollback(True)
    return result


def test_spss_declares_missing_values_measure_levels_and_dates(files):
    path = str(files["paths"]["sav"])
    csv = files["csv"]
    data, meta = pyreadstat.read_sav(path, user_missing=True)
    # 说不清 = 9 is kept as 9 and declared user-missing, with its value label.
    assert meta.missing_ranges["Q3_r1"] == [{"lo": 9.0, "hi": 9.0}]
    assert meta.variable_value_labels["Q3_r1"] == {1.0: "很好", 2.0: "一般", 9.0: "说不清"}
    assert (data["Q3_r1"] == 9).sum() == (csv["Q3_r1"] == "9").sum() > 0
    assert "Q1" not in meta.missing_ranges  # every Likert point of Q1 is substantive
    # Measurement levels: Likert and matrix scales ordinal, choices nominal, numbers scale.
    measure = meta.variable_measure
    assert measure["Q1"] == measure["Q3_r1"] == "ordinal"
    assert measure["Q2"] == measure["sex"] == measure["Q4_1"] == "nominal"
    assert measure["Q5"] == measure["weight"] == measure["submitted_on"] == "scale"
    # The submission day is a date.
    assert meta.original_variable_types["submitted_on"].startswith("SDATE")
    assert set(data["submitted_on"]) == {dt.date(2025, 10, 8)}
    # Without user-missing values (what SPSS statistics do), 说不清 is not a valid answer.
    data, _meta = pyreadstat.read_sav(path)
    assert not (data["Q3_r1"] == 9).any()
    assert data["Q3_r1"].notna().sum() == csv["Q3_r1"].isin(["1", "2"]).sum()
    # Weights exactly as computed, and the weighted rate from the file is the published one.
    np.testing.assert_array_equal(data["weight"].to_numpy(), files["weights"])
    rate = np.average(data["satisfied"].dropna(), weights=data["weight"][data["satisfied"].notna()])
    assert rate == pytest.approx(files["satisfied"], abs=1e-12)
    # pandas (read_spss) applies the value labels and leaves the missing values out.
    frame = pd.read_spss(path)
    assert set(frame["Q3_r1"].dropna()) == {"很好", "一般"}
    assert frame["Q3_r1"].isna().sum() == (csv["Q3_r1"].isin(["", "9"])).sum()


def test_stata_is_format_118_with_value_labels_and_extended_missing(files):
    path = files["paths"]["dta"]
    csv = files["csv"]
    assert b"<release>118</release>" in path.read_bytes()[:64]
    data, meta = pyreadstat.read_dta(str(path), user_missing=True)
    assert meta.missing_user_values["Q3_r1"] == ["a"]
    assert meta.variable_value_labels["Q3_r1"] == {1: "很好", 2: "一般", "a": "说不清"}
    assert list(data["Q3_r1"] == "a") == list(csv["Q3_r1"] == "9")
    assert meta.original_variable_types["submitted_on"] == "%td"
    # pandas: format 118, .a read as Stata's extended missing value, dates as dates.
    with pd.io.stata.StataReader(path) as reader:
        frame = reader.read(convert_missing=True, convert_categoricals=False)
        assert reader._format_version == 118
        assert reader.value_labels()  # the label sets are in the file
    q3 = frame["Q3_r1"]
    extended = [isinstance(v, pd.io.stata.StataMissingValue) and v.string == ".a" for v in q3]
    assert extended == list(csv["Q3_r1"] == "9")
    assert set(frame["submitted_on"]) == {pd.Timestamp("2025-10-08")}
    labelled = pd.read_stata(path)
    assert set(labelled["Q3_r1"].dropna()) == {"很好", "一般"}
    np.testing.assert_array_equal(labelled["weight"].to_numpy(), files["weights"])
    assert labelled["Q1"].dtype == "category"


def test_a_long_file_label_is_shortened_on_a_character_boundary(tmp_path):
    survey = export_survey()
    survey.title = "攀枝花市东区生态文明建设公众满意度与参与度抽样调查问卷" * 2
    survey.save()
    analysis = analyse(survey)
    codebook = survey_codebook(survey, rules=analysis.rules)
    path = tmp_path / "long.sav"
    path.write_bytes(
        microdata_sav(microdata_frame(analysis, codebook), codebook, file_label=survey.title)
    )
    _data, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    assert meta.file_label.endswith("…")
    assert survey.title.startswith(meta.file_label[:-1])
    assert len(meta.file_label.encode("utf-8")) <= 64
    assert truncate_bytes("调查" * 40, 64) == "调查" * 10 + "…"  # 60 + 3 bytes


def test_codebook_names_the_types_in_plain_words(files):
    from django.utils import translation

    from surveys.exports import codebook_csv

    assert files  # built first: its module-scoped transaction is rolled back
    with translation.override("zh-hans"):
        from tests.surveys.builders import build_survey

        codebook = survey_codebook(build_survey())
        rows = read_csv(codebook_csv(codebook))
        types = {r[0]: r[2] for r in rows[1:] if r[2]}
    assert types["weight"] == types["Q6"] == "数值"
    assert types["response_id"] == "文本"
    assert types["Q1"] == "定序" and types["subdistrict"] == "分类"
    assert types["submitted_on"] == "日期"
    assert "编号" not in types.values() and "内容" not in types.values()
