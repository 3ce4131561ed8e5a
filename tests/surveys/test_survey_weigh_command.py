"""manage.py survey_weigh: files in, R-matching JSON out, clear errors for bad input."""

import io
import json

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.surveys import fixtures

RATES = ["satisfied=q_satisfaction:4,5", "participated=q_participation:是"]
ESTIMATE_KEYS = {
    "rate",
    "se",
    "ci_low",
    "ci_high",
    "kg_low",
    "kg_high",
    "n",
    "df",
    "n_eff",
    "deff",
    "design_n_eff",
    "suppressed",
    "presentation",
    "flags",
}


def run(*args, responses=None, margins=None):
    out, err = io.StringIO(), io.StringIO()
    argv = [
        "--responses",
        str(responses or fixtures.RESPONSES_CSV),
        "--margins",
        str(margins or fixtures.MARGINS_CSV),
    ]
    if "--rate" not in args:
        for rate in RATES:
            argv += ["--rate", rate]
    call_command("survey_weigh", *argv, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_json(*args, **kwargs):
    return json.loads(run(*args, **kwargs)[0])


def command_error(*args, **kwargs) -> str:
    with pytest.raises(CommandError) as excinfo:
        run(*args, **kwargs)
    return str(excinfo.value)


def write(tmp_path, name, frame_or_text):
    path = tmp_path / name
    if isinstance(frame_or_text, pd.DataFrame):
        frame_or_text.to_csv(path, index=False)
    else:
        path.write_text(frame_or_text, encoding="utf-8")
    return path


def test_json_output_has_the_documented_shape_and_matches_r(tmp_path):
    weights_out = tmp_path / "weights.csv"
    result = run_json(
        "--by", "sub_district,sex", "--by", "age_group,education", "--weights-out", str(weights_out)
    )
    assert set(result) == {"n", "n_eff", "deff", "weighting", "rates", "breakdowns"}
    assert result["n"] == 400
    assert result["deff"] == pytest.approx(result["n"] / result["n_eff"])
    assert set(result["weighting"]) >= {
        "method",
        "iterations",
        "max_margin_error",
        "converged",
        "trimmed",
    }
    assert result["weighting"]["method"] == "raking"
    assert result["weighting"]["converged"] is True
    assert result["weighting"]["trimmed"] == 0
    ref = fixtures.reference()["raking"]
    for name in fixtures.RATES:  # the command's rates are 0/1 indicators
        r = ref["rates"][name]
        got = result["rates"][name]
        assert set(got) == ESTIMATE_KEYS
        assert got["n"] == r["n"]
        assert got["rate"] == pytest.approx(r["rate"], abs=1e-9)
        assert got["se"] == pytest.approx(r["se"], abs=1e-6)
        assert got["ci_low"] == pytest.approx(r["ci_low"], abs=1e-6)
        assert got["ci_high"] == pytest.approx(r["ci_high"], abs=1e-6)
    for by, per_rate in ref["breakdowns"].items():
        order = list(next(iter(per_rate.values())))
        if by == "education":  # not a weighting variable: categories in sorted order
            order = sorted(order)
        assert list(result["breakdowns"][by]) == order
        for name in fixtures.RATES:
            for category, r in per_rate[name].items():
                got = result["breakdowns"][by][category][name]
                assert got["rate"] == pytest.approx(r["rate"], abs=1e-9)
                assert got["se"] == pytest.approx(r["se"], abs=1e-6)

    written = pd.read_csv(weights_out, dtype={"respondent_id": str})
    assert list(written.columns) == ["respondent_id", "weight"]
    assert written["respondent_id"].tolist() == fixtures.responses()["respondent_id"].tolist()
    assert written["weight"].sum() == pytest.approx(400, abs=1e-9)
    r_weights = np.array(ref["weights"])
    np.testing.assert_allclose(written["weight"], r_weights * 400 / r_weights.sum(), atol=1e-9)


def test_trimming_with_design_weights_matches_r():
    ref = fixtures.reference()["raking_trimmed"]
    result = run_json(
        "--design-weights",
        "design_weight",
        "--trim-cap",
        str(ref["cap"]),
        "--trim-floor",
        str(ref["floor"]),
    )
    assert result["weighting"]["trimmed"] == ref["trimmed"]
    assert result["weighting"]["trim_rounds"] == ref["rounds"]
    for name in fixtures.RATES:  # the command's rates are 0/1 indicators
        r = ref["rates"][name]
        assert result["rates"][name]["rate"] == pytest.approx(r["rate"], abs=1e-9)
        assert result["rates"][name]["se"] == pytest.approx(r["se"], abs=1e-6)


def test_table_format_is_readable():
    out, _ = run("--by", "sex", "--format", "table")
    assert "raking:" in out
    assert "converged yes" in out
    assert "satisfied" in out and "participated" in out
    assert "by sex" in out
    assert "男 · satisfied" in out


def test_small_breakdown_cells_are_suppressed_with_a_configurable_threshold():
    result = run_json("--by", "sub_district", "--min-n", "50")
    cell = result["breakdowns"]["sub_district"]["大渡口街道"]["satisfied"]
    assert cell["n"] == 40
    assert cell["suppressed"] is True
    assert cell["rate"] is None and cell["ci_low"] is None
    assert result["breakdowns"]["sub_district"]["东华街道"]["satisfied"]["suppressed"] is False
    out, _ = run("--by", "sub_district", "--min-n", "50", "--format", "table")
    assert "suppressed" in out


def test_a_collapsed_category_is_weighted_with_its_neighbour(tmp_path):
    # The census splits 60+ into 60-74 and 75+, but no respondent is 75+ (they are "60+").
    margins = fixtures.MARGINS_CSV.read_text(encoding="utf-8").replace(
        '"age_group","60+",80000', '"age_group","60+",70000\n"age_group","75+",10000'
    )
    margins_path = write(tmp_path, "m.csv", margins)
    message = command_error(margins=margins_path)
    assert "No respondent has age_group = '75+'" in message
    collapsed = run_json("--collapse", "age_group:75+=60+", margins=margins_path)
    assert collapsed["rates"] == run_json()["rates"]


# --- bad input: every case names its cause -------------------------------------------------


def test_margins_that_do_not_match_the_responses(tmp_path):
    frame = fixtures.responses()
    frame.loc[frame.index[5], "sex"] = "未知"
    message = command_error(responses=write(tmp_path, "r.csv", frame))
    assert "1 respondent(s) have sex = '未知'" in message


def test_a_zero_cell_in_the_margins(tmp_path):
    margins = fixtures.MARGINS_CSV.read_text(encoding="utf-8").replace(
        '"银江镇",45000', '"银江镇",0'
    )
    message = command_error(margins=write(tmp_path, "m.csv", margins))
    assert "sub_district = '银江镇'" in message
    assert "must be positive" in message


def test_all_respondents_in_one_stratum(tmp_path):
    frame = fixtures.responses().assign(sub_district="东华街道")
    message = command_error(responses=write(tmp_path, "r.csv", frame))
    assert "No respondent has sub_district = '炳草岗街道'" in message


def test_nan_design_weights(tmp_path):
    frame = fixtures.responses()
    frame["design_weight"] = frame["design_weight"].astype(object)
    frame.loc[frame.index[9], "design_weight"] = "NaN"
    message = command_error(
        "--design-weights", "design_weight", responses=write(tmp_path, "r.csv", frame)
    )
    assert "Design weights must be positive finite numbers" in message
    assert "data rows 10 (nan)" in message


def test_a_rate_on_a_column_that_does_not_exist():
    message = command_error("--rate", "happy=q_happiness:5")
    assert "Rate 'happy' uses column 'q_happiness', which is not a column" in message


def test_non_convergence(tmp_path):
    frame = pd.DataFrame(
        {
            "respondent_id": ["a", "b", "c", "d"],
            "sex": ["男", "男", "女", "女"],
            "age_group": ["18-29", "18-29", "60+", "60+"],
            "q": ["1", "0", "1", "1"],
        }
    )
    margins = (
        "variable,category,value\nsex,男,0.3\nsex,女,0.7\nage_group,18-29,0.5\nage_group,60+,0.5\n"
    )
    message = command_error(
        "--rate",
        "y=q:1",
        "--max-iterations",
        "100",
        "--min-category-n",
        "0",
        responses=write(tmp_path, "r.csv", frame),
        margins=write(tmp_path, "m.csv", margins),
    )
    assert "Raking did not converge" in message
    assert "The worst fit is" in message


def test_a_category_under_the_minimum_is_refused_with_the_collapse_to_use(tmp_path):
    frame = fixtures.responses()
    frame.loc[frame.index[3:], "age_group"] = frame.loc[frame.index[3:], "age_group"].replace(
        "18-29", "30-44"
    )
    frame.loc[frame.index[:3], "age_group"] = "18-29"
    message = command_error(
        "--rate", "y=q_participation:是", responses=write(tmp_path, "r.csv", frame)
    )
    assert "Only 3 respondent(s) have age_group = '18-29'" in message
    assert "--collapse age_group:18-29=30-44" in message


def test_the_suggested_collapse_or_an_override_with_a_reason_weights_it(tmp_path):
    frame = fixtures.responses()
    frame.loc[frame.index[3:], "age_group"] = frame.loc[frame.index[3:], "age_group"].replace(
        "18-29", "30-44"
    )
    frame.loc[frame.index[:3], "age_group"] = "18-29"
    responses = write(tmp_path, "r.csv", frame)
    collapsed = run_json(
        "--rate", "y=q_participation:是", "--collapse", "age_group:18-29=30-44", responses=responses
    )
    assert collapsed["weighting"]["converged"] is True
    out, _err = run(
        "--rate",
        "y=q_participation:是",
        "--override-reason",
        "三名受访者，经统计局同意不合并",
        "--format",
        "table",
        responses=responses,
    )
    assert "Small-cell guard overridden: 三名受访者，经统计局同意不合并" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--rate", "satisfied"), "Cannot read --rate 'satisfied'"),
        (("--rate", "a=q_satisfaction:4", "--rate", "a=q_satisfaction:5"), "defined twice"),
        (("--by", "income"), "--by column 'income' is not a column"),
        (("--id-column", "caseid"), "no id column 'caseid'"),
        (("--collapse", "age_group"), "Cannot read --collapse"),
        (("--trim-cap", "0.5"), "must be greater than 1"),
    ],
)
def test_bad_options(args, expected):
    assert expected in command_error(*args)


def test_missing_files_and_bad_margins(tmp_path):
    assert "Responses file not found" in command_error(responses=tmp_path / "none.csv")
    assert "Margins file not found" in command_error(margins=tmp_path / "none.csv")
    bad = write(tmp_path, "m.csv", "variable,category,value\nsex,男,0.6\nsex,女,0.6\n")
    message = command_error(margins=bad)
    assert "are not valid" in message
    assert "The shares for 'sex' sum to 1.2" in message
    assert "is empty" in command_error(responses=write(tmp_path, "empty.csv", ""))


def test_duplicate_or_empty_ids_and_missing_weighting_values(tmp_path):
    frame = fixtures.responses()
    frame.loc[frame.index[1], "respondent_id"] = frame.loc[frame.index[0], "respondent_id"]
    assert "appears more than once" in command_error(responses=write(tmp_path, "a.csv", frame))
    frame = fixtures.responses()
    frame.loc[frame.index[3], "respondent_id"] = ""
    assert "empty on line 5" in command_error(responses=write(tmp_path, "b.csv", frame))
    frame = fixtures.responses()
    frame.loc[frame.index[7], "age_group"] = ""
    message = command_error(responses=write(tmp_path, "c.csv", frame))
    assert "Weighting variable 'age_group' is missing for 1 respondent(s)" in message


def test_a_rate_whose_values_never_occur_warns():
    _, err = run("--rate", "top=q_satisfaction:9")
    assert "none of the values 9 of rate 'top' occurs" in err
