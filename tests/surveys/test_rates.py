"""surveys.rates against R's svymean / svyciprop / svyby, a hand-checked example and properties."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.rates import (
    RateError,
    estimate_rates,
    indicator_from_values,
    t_quantile,
    weighted_rate,
)
from surveys.weighting import poststratify_weights, rake_weights
from tests.surveys import fixtures

RATE_TOLERANCE = 1e-9
SE_TOLERANCE = 1e-6


def weigh(scenario: str):
    frame = fixtures.responses()
    margins = fixtures.margins().values
    if scenario == "raking":
        return frame, rake_weights(frame, margins)
    if scenario == "raking_trimmed":
        ref = fixtures.reference()[scenario]
        return frame, rake_weights(
            frame,
            margins,
            design_weights="design_weight",
            trim_cap=ref["cap"],
            trim_floor=ref["floor"],
        )
    return frame, poststratify_weights(frame, fixtures.joint(), design_weights="design_weight")


def assert_matches_r(estimate, r):
    assert estimate.n == r["n"]
    assert estimate.df == r["df"]
    assert estimate.rate == pytest.approx(r["rate"], abs=RATE_TOLERANCE)
    assert estimate.se == pytest.approx(r["se"], abs=SE_TOLERANCE)
    assert estimate.ci_low == pytest.approx(r["ci_low"], abs=SE_TOLERANCE)
    assert estimate.ci_high == pytest.approx(r["ci_high"], abs=SE_TOLERANCE)


@pytest.mark.parametrize("scenario", ["raking", "raking_trimmed", "poststratification"])
def test_rates_and_breakdowns_match_r_svymean_svyciprop_and_svyby(scenario):
    frame, result = weigh(scenario)
    report = estimate_rates(
        indicators=fixtures.indicators(frame),
        weights=result.weights,
        calibration=result.calibration,
        by={column: frame[column] for column in fixtures.BREAKDOWNS},
        min_n=0,
    )
    ref = fixtures.reference()[scenario]
    for name, r in ref["rates"].items():
        assert_matches_r(report.rates[name], r)
    compared = 0
    for by, per_rate in ref["breakdowns"].items():
        for name, cells in per_rate.items():
            for category, r in cells.items():
                assert_matches_r(report.breakdowns[by][category][name], r)
                compared += 1
    assert compared == 3 * (6 + 2 + 4 + 3)


def test_standard_errors_agree_with_r_to_far_better_than_required():
    frame, result = weigh("raking")
    report = estimate_rates(
        indicators=fixtures.indicators(frame),
        weights=result.weights,
        calibration=result.calibration,
    )
    for name, r in fixtures.reference()["raking"]["rates"].items():
        assert report.rates[name].se == pytest.approx(r["se"], rel=1e-9)


def test_t_quantiles_match_r_qt():
    for row in fixtures.reference()["t_quantiles"]:
        assert t_quantile(0.975, row["df"]) == pytest.approx(row["p975"], rel=1e-13)
        assert t_quantile(0.995, row["df"]) == pytest.approx(row["p995"], rel=1e-13)
    assert t_quantile(0.025, 10) == -t_quantile(0.975, 10)
    assert t_quantile(0.975, math.inf) == pytest.approx(1.959963984540054, rel=1e-15)


# --- hand-checkable example (docs/methodology.md, "Worked example") --------------------------

HAND = pd.DataFrame(
    {
        "sex": ["M", "M", "M", "M", "F", "F", "F", "F"],
        "age": ["young", "old", "old", "old", "young", "old", "old", "old"],
        "y": [1, 1, 0, 1, 0, 1, 1, 0],
    }
)
HAND_MARGINS = {"sex": {"M": 0.5, "F": 0.5}, "age": {"young": 0.5, "old": 0.5}}


def test_hand_example_rate_se_and_interval():
    result = rake_weights(HAND, HAND_MARGINS)
    estimate = weighted_rate(HAND["y"], result.weights, calibration=result.calibration)
    assert estimate.rate == pytest.approx(7 / 12, abs=1e-15)
    assert estimate.se**2 == pytest.approx(95 / 3024, rel=1e-13)
    # R 4.2.2, survey 4.1.1: svyciprop(~y, des, method = "logit") on the same data.
    assert estimate.ci_low == pytest.approx(0.199745459037620, abs=1e-12)
    assert estimate.ci_high == pytest.approx(0.887037412004528, abs=1e-12)
    assert estimate.n == 8
    assert estimate.n_eff == pytest.approx(64 / (2 * 4 + 6 * 4 / 9))
    assert estimate.deff == pytest.approx(8 / estimate.n_eff)


def test_without_calibration_the_se_is_the_plain_ratio_linearization():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 50).astype(float)
    w = rng.uniform(0.5, 3, 50)
    p = (w * y).sum() / w.sum()
    z = w * (y - p) / w.sum()
    expected = math.sqrt(50 / 49 * ((z - z.mean()) ** 2).sum())
    estimate = weighted_rate(y, w)
    assert estimate.rate == pytest.approx(p, abs=1e-15)
    assert estimate.se == pytest.approx(expected, rel=1e-12)


# --- an independent row-by-row transcription of R's algorithm ------------------------------


def r_svyrecvar_rate(y, w, margins_codes, domain, sweeps=10):
    """svymean on subset(rake(...), domain & !is.na(y)), written out as R runs it, row by row."""
    delta = domain & ~np.isnan(y)
    yy = np.where(delta, y, 0.0)
    wd = np.where(delta, w, 0.0)
    p = (wd * yy).sum() / wd.sum()
    x = wd * (yy - p) / wd.sum()
    for _ in range(sweeps):
        for codes in margins_codes:
            ratio = x / w
            means = pd.Series(ratio).groupby(codes).transform("mean").to_numpy()
            x = x - w * means
    n = y.size
    return p, math.sqrt(n / (n - 1) * ((x - x.mean()) ** 2).sum())


def test_cell_level_computation_equals_a_row_level_transcription_of_r():
    rng = np.random.default_rng(11)
    n = 600
    frame = pd.DataFrame(
        {
            "a": rng.choice(["a1", "a2", "a3"], n, p=[0.5, 0.3, 0.2]),
            "b": rng.choice(["b1", "b2"], n, p=[0.7, 0.3]),
            "c": rng.choice(["c1", "c2", "c3", "c4"], n),
            "other": rng.choice(["x", "y", "z"], n),
        }
    )
    y = (rng.uniform(size=n) < 0.6).astype(float)
    y[rng.choice(n, 40, replace=False)] = np.nan
    score = np.where(np.isnan(y), np.nan, rng.integers(1, 6, n) / 5)
    margins = {
        "a": {"a1": 0.3, "a2": 0.4, "a3": 0.3},
        "b": {"b1": 0.5, "b2": 0.5},
        "c": {"c1": 0.1, "c2": 0.2, "c3": 0.3, "c4": 0.4},
    }
    result = rake_weights(frame, margins, design_weights=rng.uniform(0.5, 2.5, n), tol=1e-14)
    report = estimate_rates(
        indicators={"y": y, "score": score},
        weights=result.weights,
        calibration=result.calibration,
        by={"other": frame["other"], "a": frame["a"]},
        min_n=0,
    )
    codes = [pd.factorize(frame[v])[0] for v in margins]
    everyone = np.ones(n, dtype=bool)
    for name, values in (("y", y), ("score", score)):
        p, se = r_svyrecvar_rate(values, result.weights, codes, everyone)
        assert report.rates[name].rate == pytest.approx(p, abs=1e-14)
        assert report.rates[name].se == pytest.approx(se, rel=1e-10)
        for by in ("other", "a"):
            for category, cell in report.breakdowns[by].items():
                domain = frame[by].to_numpy() == category
                p, se = r_svyrecvar_rate(values, result.weights, codes, domain)
                assert cell[name].rate == pytest.approx(p, abs=1e-14)
                assert cell[name].se == pytest.approx(se, rel=1e-10)


# --- suppression, edge cases, bad input ----------------------------------------------------


def test_breakdown_cells_below_the_threshold_are_suppressed():
    frame = HAND.assign(group=["g1"] * 6 + ["g2"] * 2)
    result = rake_weights(HAND, HAND_MARGINS)
    report = estimate_rates(
        indicators={"y": HAND["y"]},
        weights=result.weights,
        calibration=result.calibration,
        by={"group": frame["group"]},
    )
    small = report.breakdowns["group"]["g2"]["y"]
    assert small.suppressed
    assert small.n == 2
    assert small.rate is small.se is small.ci_low is None
    assert not report.breakdowns["group"]["g1"]["y"].suppressed
    lenient = estimate_rates(
        indicators={"y": HAND["y"]}, weights=result.weights, by={"group": frame["group"]}, min_n=2
    )
    assert not lenient.breakdowns["group"]["g2"]["y"].suppressed
    assert report.as_dict()["breakdowns"]["group"]["g2"]["y"]["suppressed"] is True


def test_a_rate_of_zero_has_no_logit_interval():
    estimate = weighted_rate(np.zeros(10), np.ones(10))
    assert estimate.rate == 0.0
    assert estimate.se == 0.0
    assert estimate.ci_low is None and estimate.ci_high is None


def test_missing_breakdown_values_are_left_out_of_that_breakdown_only():
    by = pd.Series(["x", "x", "", "x", "y", None, "y", "y"])
    report = estimate_rates(indicators={"y": HAND["y"]}, weights=np.ones(8), by={"g": by}, min_n=0)
    assert report.rates["y"].n == 8
    assert set(report.breakdowns["g"]) == {"x", "y"}
    assert report.breakdowns["g"]["x"]["y"].n == 3


def test_kish_effective_n_and_deff_for_equal_weights():
    report = estimate_rates(indicators={"y": HAND["y"]}, weights=np.full(8, 3.0))
    assert report.n_eff == pytest.approx(8)
    assert report.deff == pytest.approx(1)


def test_indicator_from_values_marks_empty_answers_missing():
    column = pd.Series(["4", "5", "", "1", None, "3"])
    np.testing.assert_array_equal(
        indicator_from_values(column, ["4", "5"]), [1, 1, np.nan, 0, np.nan, 0]
    )
    as_category = column.astype("category")
    np.testing.assert_array_equal(
        indicator_from_values(as_category, [4, 5]), [1, 1, np.nan, 0, np.nan, 0]
    )
    np.testing.assert_array_equal(
        indicator_from_values(pd.Series([4.0, np.nan, 2.0]), ["4"]), [1, np.nan, 0]
    )


def test_bad_input_is_an_error_naming_the_rate():
    with pytest.raises(RateError, match="Rate 'score' must have values between 0 and 1"):
        estimate_rates(indicators={"score": np.array([0, 1, 2.0])}, weights=np.ones(3))
    with pytest.raises(RateError, match="has 2 values for 3 respondents"):
        estimate_rates(indicators={"y": np.array([0, 1.0])}, weights=np.ones(3))
    with pytest.raises(RateError, match="No rates"):
        estimate_rates(indicators={}, weights=np.ones(3))
    with pytest.raises(RateError, match="positive finite"):
        weighted_rate(np.array([0, 1.0]), np.array([1.0, np.nan]))


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_rates_and_standard_errors_do_not_depend_on_row_order(data):
    n = data.draw(st.integers(12, 60))
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {"a": [f"a{i % 3}" for i in range(n)], "b": [f"b{(i // 3) % 2}" for i in range(n)]}
    )
    y = rng.integers(0, 2, n).astype(float)
    y[rng.uniform(size=n) < 0.1] = np.nan
    margins = {"a": {"a0": 0.2, "a1": 0.3, "a2": 0.5}, "b": {"b0": 0.6, "b1": 0.4}}
    permutation = np.array(data.draw(st.permutations(range(n))))

    def run(f, yy):
        result = rake_weights(f, margins, tol=1e-13)
        return estimate_rates(
            indicators={"y": yy},
            weights=result.weights,
            calibration=result.calibration,
            by={"a": f["a"]},
            min_n=0,
        )

    first = run(frame, y)
    second = run(frame.iloc[permutation].reset_index(drop=True), y[permutation])
    assert second.rates["y"].rate == pytest.approx(first.rates["y"].rate, abs=1e-12)
    assert second.rates["y"].se == pytest.approx(first.rates["y"].se, rel=1e-9)
    for category in ("a0", "a1", "a2"):
        a, b = first.breakdowns["a"][category]["y"], second.breakdowns["a"][category]["y"]
        assert b.rate == pytest.approx(a.rate, abs=1e-12, nan_ok=True)
        if a.se is None:  # an empty domain: nothing estimated, in either order
            assert b.se is None
        else:
            assert b.se == pytest.approx(a.se, rel=1e-9, abs=1e-15, nan_ok=True)
