"""Korn–Graubard intervals against svyciprop(method = "beta") reference values, the NCHS
presentation standard, small weighting cells and the weight-change stopping rule."""

import json

import numpy as np
import pandas as pd
import pytest

from surveys.rates import (
    beta_quantile,
    estimate_rates,
    korn_graubard_ci,
    nchs_presentation,
    weighted_rate,
)
from surveys.weighting import SmallCategoryError, WeightingError, rake_weights
from tests.surveys import fixtures
from tests.surveys.test_rates import weigh

KG_TOLERANCE = 1e-6


def kg_reference() -> dict:
    return json.loads((fixtures.FIXTURES / "kg_reference.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("scenario", ["raking", "raking_trimmed", "poststratification"])
def test_korn_graubard_matches_svyciprop_beta_overall_and_by_domain(scenario):
    frame, result = weigh(scenario)
    report = estimate_rates(
        indicators=fixtures.indicators(frame),
        weights=result.weights,
        calibration=result.calibration,
        by={column: frame[column] for column in fixtures.BREAKDOWNS},
        min_n=0,
    )
    ref = kg_reference()[scenario]
    for name, r in ref["rates"].items():
        assert report.rates[name].kg_low == pytest.approx(r["kg_low"], abs=KG_TOLERANCE)
        assert report.rates[name].kg_high == pytest.approx(r["kg_high"], abs=KG_TOLERANCE)
    compared = 0
    for by, per_rate in ref["breakdowns"].items():
        for name, cells in per_rate.items():
            for category, r in cells.items():
                estimate = report.breakdowns[by][category][name]
                assert estimate.kg_low == pytest.approx(r["kg_low"], abs=KG_TOLERANCE)
                assert estimate.kg_high == pytest.approx(r["kg_high"], abs=KG_TOLERANCE)
                compared += 1
    assert compared == 3 * (6 + 2 + 4 + 3)


def test_korn_graubard_formula_on_a_grid_including_tiny_df_and_a_million_rows():
    for case in kg_reference()["grid"]:
        low, high = korn_graubard_ci(
            case["p"], case["se"], n=case["df"] + 1, df=case["df"], n_rows=case["nrow"]
        )
        assert low == pytest.approx(case["kg_low"], abs=1e-9)
        assert high == pytest.approx(case["kg_high"], abs=1e-9)


def test_zero_and_one_get_their_one_sided_exact_intervals():
    for case in kg_reference()["extremes"]:
        low, high = korn_graubard_ci(case["p"], 0.0, n=case["n"], df=case["n"] - 1)
        assert low == pytest.approx(case["kg_low"], abs=1e-12)
        assert high == pytest.approx(case["kg_high"], abs=1e-12)
    # Clopper–Pearson with no events: 1 - 0.025^(1/n).
    assert korn_graubard_ci(0.0, 0.0, n=40, df=39)[1] == pytest.approx(1 - 0.025 ** (1 / 40))


def test_beta_quantile_inverts_closed_forms():
    for q in (0.001, 0.025, 0.5, 0.975, 0.999):
        assert beta_quantile(q, 1.0, 7.0) == pytest.approx(1 - (1 - q) ** (1 / 7), abs=1e-14)
        assert beta_quantile(q, 3.0, 1.0) == pytest.approx(q ** (1 / 3), abs=1e-14)
    assert beta_quantile(0.3, 0.0, 5.0) == 0.0
    assert beta_quantile(0.3, 5.0, 0.0) == 1.0


def test_a_domain_rate_of_zero_is_published_with_an_interval_and_a_review_flag():
    y = np.array([0.0] * 60 + [1.0] * 40)
    domain = np.array(["a"] * 60 + ["b"] * 40)
    report = estimate_rates(indicators={"y": y}, weights=np.ones(100), by={"d": domain}, min_n=0)
    zero = report.breakdowns["d"]["a"]["y"]
    assert zero.rate == 0.0 and zero.se == 0.0
    assert zero.kg_low == 0.0
    assert zero.kg_high == pytest.approx(1 - 0.025 ** (1 / 60))
    assert zero.presentation == "flag" and "zero_or_one" in zero.flags
    one = report.breakdowns["d"]["b"]["y"]
    assert one.rate == 1.0 and one.kg_high == 1.0
    assert one.kg_low == pytest.approx(0.025 ** (1 / 40))


def test_nchs_rules():
    # n_eff below 30: suppressed however narrow the interval.
    assert nchs_presentation(0.5, 0.1, 0.3, 0.7, n=20, df=19)[0] == "suppress"
    # Narrow interval (<= 0.05): shown.
    assert nchs_presentation(0.5, 0.01, 0.48, 0.52, n=3000, df=2999) == ("show", (), 2500.0)
    # 0.30 wide or more: suppressed.
    assert nchs_presentation(0.5, 0.05, 0.35, 0.66, n=100, df=99)[1] == ("width",)
    # Relative width above 130% of p: suppressed.
    assert nchs_presentation(0.08, 0.02, 0.04, 0.15, n=184, df=183)[1] == ("relative_width",)
    # Relative width of the complement above 130%: shown with a footnote.
    decision, flags, _ = nchs_presentation(0.92, 0.02, 0.85, 0.96, n=184, df=183)
    assert decision == "flag" and flags == ("complement",)
    # Few degrees of freedom: shown for review.
    assert nchs_presentation(0.5, 0.005, 0.49, 0.51, n=8, df=7) == ("suppress", ("n_eff",), 8.0)


def test_overall_rate_shown_in_the_reference_sample():
    frame, result = weigh("raking")
    estimate = weighted_rate(
        fixtures.indicators(frame)["satisfied"], result.weights, calibration=result.calibration
    )
    assert estimate.presentation == "show"
    assert estimate.design_n_eff == pytest.approx(
        estimate.rate * (1 - estimate.rate) / estimate.se**2
    )


# --- small weighting cells ------------------------------------------------------------------


def small_cell_frame(small: int) -> tuple[pd.DataFrame, dict]:
    rng = np.random.default_rng(7)
    n = 400
    age = np.array(["18-29"] * small + list(rng.choice(["30-44", "45-59", "60+"], n - small)))
    sex = rng.choice(["男", "女"], n)
    frame = pd.DataFrame({"age_group": age, "sex": sex})
    margins = {
        "age_group": {"18-29": 60, "30-44": 88, "45-59": 92, "60+": 80},
        "sex": {"男": 162, "女": 158},
    }
    return frame, margins


def test_a_weighting_category_under_the_minimum_is_refused_naming_it_and_its_count():
    frame, margins = small_cell_frame(3)
    with pytest.raises(SmallCategoryError) as caught:
        rake_weights(frame, margins, min_category_n=20)
    error = caught.value
    assert (error.variable, error.category, error.count, error.minimum) == (
        "age_group",
        "18-29",
        3,
        20,
    )
    assert error.neighbour == "30-44"
    assert "--collapse age_group:18-29=30-44" in str(error)


def test_collapsing_the_small_category_into_its_neighbour_weights_the_sample():
    frame, margins = small_cell_frame(3)
    result = rake_weights(
        frame, margins, min_category_n=20, collapse={"age_group": {"18-29": "30-44"}}
    )
    assert result.diagnostics.converged
    assert {fit.category for fit in result.margin_fit if fit.variable == "age_group"} == {
        "30-44",
        "45-59",
        "60+",
    }


def test_one_respondent_carrying_too_much_weight_is_refused():
    frame, margins = small_cell_frame(1)
    with pytest.raises(WeightingError) as caught:
        rake_weights(frame, margins, max_weight_share=0.05)
    assert caught.value.code == "weight_share_too_large"
    assert (caught.value.variable, caught.value.category) == ("age_group", "18-29")


# --- convergence on the weights -------------------------------------------------------------


def test_default_run_reproduces_fully_converged_weights_to_1e9():
    rng = np.random.default_rng(1)
    n = 3000
    frame = pd.DataFrame(
        {
            "a": rng.choice(list("abcdef"), n, p=[0.26, 0.24, 0.15, 0.09, 0.16, 0.10]),
            "b": rng.choice(["m", "f"], n, p=[0.4, 0.6]),
            "c": rng.choice(list("wxyz"), n, p=[0.1, 0.2, 0.3, 0.4]),
        }
    )
    margins = {
        "a": dict(zip("abcdef", [78, 65, 42, 38, 52, 45], strict=True)),
        "b": {"m": 162, "f": 158},
        "c": dict(zip("wxyz", [60, 88, 92, 80], strict=True)),
    }
    default = rake_weights(frame, margins)
    exact = rake_weights(frame, margins, tol=0.0, weight_tol=0.0, max_iter=500, strict=False)
    # The margin criterion alone stopped 4e-10 (relative) short of the fixed point.
    margin_only = rake_weights(frame, margins, weight_tol=np.inf)
    assert np.max(np.abs(margin_only.weights / exact.weights - 1)) > 1e-10
    assert np.max(np.abs(default.weights - exact.weights)) < 1e-12
    d = default.diagnostics
    assert d.tolerance == 1e-10 and d.weight_tolerance == 1e-13
    assert d.max_weight_change <= 1e-13


def test_weights_match_r_converged_rake_to_1e9():
    frame, result = weigh("raking")
    ref = np.array(fixtures.reference()["raking"]["weights"])
    ours = result.weights * ref.sum() / result.weights.sum()
    assert np.max(np.abs(ours / ref - 1)) < 1e-12


def test_a_rate_fixed_by_the_calibration_gets_a_near_zero_width_interval_not_an_error():
    # A rate on a weighting variable has se ~ 1e-10 (rounding): n* is ~1e18.
    low, high = korn_graubard_ci(0.5, 1e-10, n=400, df=399, n_rows=400)
    assert low == pytest.approx(0.5, abs=1e-9) and high == pytest.approx(0.5, abs=1e-9)
    assert low <= 0.5 <= high
