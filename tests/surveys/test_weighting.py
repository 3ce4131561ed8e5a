"""surveys.weighting against R's survey package, a hand-checked example and properties."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.weighting import (
    ConvergenceError,
    WeightingError,
    kish_effective_n,
    poststratify_weights,
    rake_weights,
    trim_weights,
)
from tests.surveys import fixtures

WEIGHT_TOLERANCE = 1e-9


def r_weights_scaled_to_n(scenario: str) -> np.ndarray:
    w = np.array(fixtures.reference()[scenario]["weights"])
    return w * (w.size / w.sum())


# --- hand-checkable example (docs/methodology.md, "Worked example") --------------------------

HAND = pd.DataFrame(
    {
        "sex": ["M", "M", "M", "M", "F", "F", "F", "F"],
        "age": ["young", "old", "old", "old", "young", "old", "old", "old"],
    }
)
HAND_MARGINS = {"sex": {"M": 0.5, "F": 0.5}, "age": {"young": 0.5, "old": 0.5}}


def test_hand_example_weights_are_two_for_the_young_and_two_thirds_for_the_old():
    result = rake_weights(HAND, HAND_MARGINS)
    young = HAND["age"] == "young"
    assert result.weights[young] == pytest.approx(2.0, abs=1e-15)
    assert result.weights[~young] == pytest.approx(2 / 3, abs=1e-15)
    # One sweep fits the margins; a second confirms that no weight changes any more.
    assert result.diagnostics.iterations == 2
    assert result.diagnostics.converged
    assert result.diagnostics.max_margin_error < 1e-15
    assert result.diagnostics.max_weight_change == 0.0


def test_hand_example_scaled_to_a_population_of_ten_thousand():
    counts = {"sex": {"M": 5000, "F": 5000}, "age": {"young": 5000, "old": 5000}}
    result = rake_weights(HAND, counts, scale="population")
    assert result.population_total == 10_000
    assert result.weights.sum() == pytest.approx(10_000)
    assert result.weights[0] == pytest.approx(2500.0)


# --- R reference ------------------------------------------------------------------------------


def test_raked_weights_match_r_survey_rake():
    frame = fixtures.responses()
    result = rake_weights(frame, fixtures.margins().values)
    assert result.diagnostics.converged
    assert result.diagnostics.max_margin_error <= 1e-10
    np.testing.assert_allclose(
        result.weights, r_weights_scaled_to_n("raking"), rtol=0, atol=WEIGHT_TOLERANCE
    )
    assert result.weights.sum() == pytest.approx(len(frame), abs=1e-9)


def test_weights_scaled_to_the_population_match_r_exactly_as_printed():
    frame = fixtures.responses()
    margins = fixtures.margins()
    result = rake_weights(frame, margins.values, scale="population")
    r = np.array(fixtures.reference()["raking"]["weights"])
    assert result.weights.sum() == pytest.approx(margins.population_total, rel=1e-12)
    np.testing.assert_allclose(result.weights, r, rtol=1e-9, atol=0)


def test_trimming_and_reraking_matches_r_trim_weights_loop():
    frame = fixtures.responses()
    ref = fixtures.reference()["raking_trimmed"]
    result = rake_weights(
        frame,
        fixtures.margins().values,
        design_weights="design_weight",
        trim_cap=ref["cap"],
        trim_floor=ref["floor"],
    )
    np.testing.assert_allclose(
        result.weights, r_weights_scaled_to_n("raking_trimmed"), rtol=0, atol=WEIGHT_TOLERANCE
    )
    assert result.diagnostics.trim_rounds == ref["rounds"]
    assert result.diagnostics.trimmed == ref["trimmed"]
    mean = result.weights.mean()
    assert result.weights.max() <= ref["cap"] * mean * (1 + 1e-6)
    assert result.weights.min() >= ref["floor"] * mean * (1 - 1e-6)


def test_poststratification_matches_r_post_stratify():
    frame = fixtures.responses()
    result = poststratify_weights(frame, fixtures.joint(), design_weights="design_weight")
    np.testing.assert_allclose(
        result.weights, r_weights_scaled_to_n("poststratification"), rtol=0, atol=1e-12
    )
    assert result.diagnostics.method == "poststratification"
    assert result.diagnostics.iterations == 1


def test_categorical_and_integer_columns_weight_like_text_columns():
    frame = fixtures.responses()
    margins = fixtures.margins().values
    expected = rake_weights(frame, margins).weights
    as_categories = frame.astype(
        {"sub_district": "category", "sex": "category", "age_group": "category"}
    )
    np.testing.assert_allclose(rake_weights(as_categories, margins).weights, expected, atol=0)
    coded = HAND.assign(age=HAND["age"].map({"young": 1, "old": 2}))
    coded_margins = {"sex": HAND_MARGINS["sex"], "age": {"1": 0.5, "2": 0.5}}
    np.testing.assert_allclose(
        rake_weights(coded, coded_margins).weights, rake_weights(HAND, HAND_MARGINS).weights
    )


def test_margin_fit_reports_targets_and_weighted_shares():
    result = rake_weights(HAND, HAND_MARGINS)
    fit = {(row.variable, row.category): row for row in result.margin_fit}
    assert fit[("age", "young")].respondents == 2
    assert fit[("age", "young")].unweighted_share == 0.25
    assert fit[("age", "young")].weighted_share == pytest.approx(0.5)
    assert list(result.margin_fit_frame().columns)[:2] == ["variable", "category"]


def test_trim_weights_redistributes_the_excess_equally_like_r():
    new, trimmed = trim_weights(np.array([1.0, 1.0, 1.0, 5.0]), upper=3.0)
    np.testing.assert_allclose(new, [1 + 2 / 3, 1 + 2 / 3, 1 + 2 / 3, 3.0])
    assert trimmed.tolist() == [False, False, False, True]
    assert new.sum() == pytest.approx(8.0)


def test_kish_effective_sample_size():
    assert kish_effective_n(np.ones(10)) == pytest.approx(10)
    assert kish_effective_n(np.array([2.0, 2.0, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3])) == (
        pytest.approx(64 / (8 + 6 * 4 / 9))
    )


def test_collapse_merges_a_category_in_the_data_and_the_margins():
    frame = HAND.assign(age=["young", "old", "old", "old", "young", "old", "old", "very old"])
    margins = {"sex": HAND_MARGINS["sex"], "age": {"young": 0.5, "old": 0.4, "very old": 0.1}}
    collapsed = rake_weights(frame, margins, collapse={"age": {"very old": "old"}})
    np.testing.assert_allclose(collapsed.weights, rake_weights(HAND, HAND_MARGINS).weights)


# --- bad input ----------------------------------------------------------------------------


def error_of(call):
    with pytest.raises(WeightingError) as excinfo:
        call()
    return excinfo.value


def test_a_respondent_category_without_population_names_variable_and_category():
    error = error_of(
        lambda: rake_weights(HAND.assign(age="middle"), HAND_MARGINS),
    )
    assert error.code == "category_without_population"
    assert (error.variable, error.category) == ("age", "middle")
    assert "age = 'middle'" in str(error)


def test_a_population_category_without_respondents_names_variable_and_category():
    error = error_of(lambda: rake_weights(HAND.assign(sex="M"), HAND_MARGINS))
    assert error.code == "category_without_respondents"
    assert (error.variable, error.category) == ("sex", "F")
    assert "No respondent has sex = 'F'" in str(error)


def test_all_respondents_in_one_stratum_is_an_error():
    frame = fixtures.responses().assign(sub_district="东华街道")
    error = error_of(lambda: rake_weights(frame, fixtures.margins().values))
    assert error.code == "category_without_respondents"
    assert error.variable == "sub_district"


def test_missing_weighting_values_are_an_error_naming_the_variable():
    frame = HAND.assign(age=["young", "", "old", "old", "young", None, "old", "old"])
    error = error_of(lambda: rake_weights(frame, HAND_MARGINS))
    assert error.code == "missing_value"
    assert error.variable == "age"
    assert "missing for 2 respondent(s)" in str(error)
    assert "rows 2, 6" in str(error)


def test_an_unknown_weighting_variable_is_an_error():
    error = error_of(lambda: rake_weights(HAND, {**HAND_MARGINS, "income": {"low": 1.0}}))
    assert (error.code, error.variable) == ("unknown_variable", "income")


@pytest.mark.parametrize("value", [0, -3, float("nan"), "many"])
def test_a_zero_negative_or_unreadable_margin_is_an_error(value):
    margins = {"sex": {"M": 0.5, "F": value}, "age": HAND_MARGINS["age"]}
    error = error_of(lambda: rake_weights(HAND, margins))
    assert (error.code, error.variable, error.category) == ("bad_margin_value", "sex", "F")


@pytest.mark.parametrize("bad", [float("nan"), 0.0, -1.0, float("inf")])
def test_nan_zero_or_infinite_design_weights_are_an_error(bad):
    weights = np.ones(len(HAND))
    weights[3] = bad
    error = error_of(lambda: rake_weights(HAND, HAND_MARGINS, design_weights=weights))
    assert error.code == "bad_design_weights"
    assert "data rows 4" in str(error)


def test_non_convergence_raises_with_diagnostics():
    # Sex and age are confounded in the sample (all men young, all women old), but the
    # margins want 30 % men and 50 % young: no weights satisfy both.
    frame = pd.DataFrame({"sex": ["M", "M", "F", "F"], "age": ["young", "young", "old", "old"]})
    margins = {"sex": {"M": 0.3, "F": 0.7}, "age": {"young": 0.5, "old": 0.5}}
    with pytest.raises(ConvergenceError) as excinfo:
        rake_weights(frame, margins, max_iter=50)
    assert not excinfo.value.diagnostics.converged
    assert excinfo.value.diagnostics.iterations == 50
    assert "did not converge" in str(excinfo.value)
    lenient = rake_weights(frame, margins, max_iter=50, strict=False)
    assert not lenient.diagnostics.converged


def test_an_unreachable_trim_cap_raises_instead_of_looping():
    frame = fixtures.responses()
    with pytest.raises(ConvergenceError, match="Trimming did not stabilise"):
        rake_weights(frame, fixtures.margins().values, trim_cap=1.05, max_trim_rounds=5)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"trim_cap": 0.9}, "bad_trim"),
        ({"trim_floor": 1.5}, "bad_trim"),
        ({"scale": "population"}, "no_population_total"),
        ({"collapse": {"age": {"young": "middle"}}}, "bad_collapse"),
    ],
)
def test_bad_options_are_errors(kwargs, code):
    assert error_of(lambda: rake_weights(HAND, HAND_MARGINS, **kwargs)).code == code


def test_poststratification_needs_every_joint_cell():
    joint = fixtures.joint()
    frame = fixtures.responses()
    missing_cell = joint[~((joint["sex"] == "男") & (joint["age_group"] == "60+"))]
    error = error_of(lambda: poststratify_weights(frame, missing_cell))
    assert error.code == "category_without_population"
    assert "sex = '男' × age_group = '60+'" in str(error)
    only_women = frame.assign(sex="女")
    error = error_of(lambda: poststratify_weights(only_women, joint))
    assert error.code == "category_without_respondents"


# --- properties ---------------------------------------------------------------------------


@st.composite
def samples(draw):
    sizes = draw(st.lists(st.integers(2, 4), min_size=1, max_size=3))
    cells = [tuple(int(i) for i in idx) for idx in np.ndindex(*sizes)]
    extra = draw(st.lists(st.sampled_from(cells), max_size=60))
    rows = cells + extra  # every cell occupied, so the margins are always reachable
    frame = pd.DataFrame({f"v{m}": [f"c{row[m]}" for row in rows] for m in range(len(sizes))})
    margins = {}
    for m, size in enumerate(sizes):
        values = draw(st.lists(st.floats(0.05, 10), min_size=size, max_size=size))
        margins[f"v{m}"] = {f"c{j}": v for j, v in enumerate(values)}
    design = draw(st.none() | st.lists(st.floats(0.2, 5), min_size=len(rows), max_size=len(rows)))
    permutation = draw(st.permutations(range(len(rows))))
    return frame, margins, design, np.array(permutation)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(samples())
def test_raked_margins_hit_their_targets_and_weights_stay_positive(sample):
    frame, margins, design, _ = sample
    result = rake_weights(frame, margins, design_weights=design, tol=1e-11, max_iter=10_000)
    w = result.weights
    assert np.all(w > 0)
    assert w.sum() == pytest.approx(len(frame))
    for variable, table in margins.items():
        total = sum(table.values())
        for category, value in table.items():
            share = w[frame[variable] == category].sum() / w.sum()
            assert share == pytest.approx(value / total, abs=1e-10)


@settings(max_examples=40, deadline=None)
@given(samples())
def test_raking_does_not_depend_on_row_order(sample):
    frame, margins, design, permutation = sample
    design = None if design is None else np.array(design)
    result = rake_weights(frame, margins, design_weights=design, tol=1e-12, max_iter=10_000)
    shuffled = frame.iloc[permutation].reset_index(drop=True)
    result_shuffled = rake_weights(
        shuffled,
        margins,
        design_weights=None if design is None else design[permutation],
        tol=1e-12,
        max_iter=10_000,
    )
    np.testing.assert_allclose(result_shuffled.weights, result.weights[permutation], rtol=1e-12)


def test_weights_csv_is_exact_and_quotes_awkward_ids():
    import io

    from surveys.weighting import write_weights_csv

    buffer = io.StringIO()
    write_weights_csv(buffer, ["A1", 'B,"2"'], np.array([0.1 + 0.2, 2 / 3]), id_header="caseid")
    assert (
        buffer.getvalue() == 'caseid,weight\nA1,0.30000000000000004\n"B,""2""",0.6666666666666666\n'
    )
    with pytest.raises(WeightingError):
        write_weights_csv(io.StringIO(), ["A1"], np.ones(2), id_header="id")


def test_the_pure_modules_import_neither_django_nor_the_orm():
    import subprocess
    import sys

    code = (
        "import sys; import surveys.weighting, surveys.rates, surveys.margins; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith('django'))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=fixtures.FIXTURES.parents[2])
