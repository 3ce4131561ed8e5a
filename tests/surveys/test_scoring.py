import math

import pandas as pd
import pytest

from surveys.scoring import ScoringRule, score_responses, unweighted_rates


def frames(rows):
    answers = pd.DataFrame(
        rows, columns=["response_id", "question", "item", "choice", "score", "substantive"]
    )
    respondents = pd.DataFrame(
        {"response_id": ["a", "b", "c", "d"], "sex": ["male", "female", "male", "female"]}
    ).set_index("response_id")
    return respondents, answers


SAT = [
    ("a", "Q1", "Q1", "1", 100, True),
    ("b", "Q1", "Q1", "3", 60, True),
    ("c", "Q1", "Q1", "4", 40, True),
    ("d", "Q1", "Q1", "9", None, False),
]


def test_top_box_counts_positive_choices_and_excludes_non_substantive():
    respondents, answers = frames(SAT)
    rule = ScoringRule(code="sat", method="top_box", items=("Q1",), positive=frozenset({"1", "2"}))
    scored = score_responses(respondents, answers, [rule])
    assert scored["sat"].tolist()[:3] == [1.0, 0.0, 0.0]
    assert math.isnan(scored.loc["d", "sat"])
    [rate] = unweighted_rates(scored, [rule])
    assert rate["n_valid"] == 3 and rate["rate"] == pytest.approx(1 / 3)


def test_basically_satisfied_can_count_and_non_substantive_can_count_as_not():
    respondents, answers = frames(SAT)
    rule = ScoringRule(
        code="sat",
        method="top_box",
        items=("Q1",),
        positive=frozenset({"1", "2", "3"}),
        exclude_non_substantive=False,
    )
    scored = score_responses(respondents, answers, [rule])
    assert scored["sat"].tolist() == [1.0, 1.0, 0.0, 0.0]


def test_score_mean_uses_choice_scores_over_100():
    respondents, answers = frames(SAT)
    rule = ScoringRule(code="score", method="score_mean", items=("Q1",))
    scored = score_responses(respondents, answers, [rule])
    assert scored["score"].tolist()[:3] == [1.0, 0.6, 0.4]
    assert math.isnan(scored.loc["d", "score"])
    assert unweighted_rates(scored, [rule])[0]["rate"] == pytest.approx(2 / 3)


def test_top_box_over_matrix_rows_needs_half_the_rows_satisfied():
    rows = [
        ("a", "Q2", "Q2_r1", "1", 100, True),
        ("a", "Q2", "Q2_r2", "4", 40, True),
        ("b", "Q2", "Q2_r1", "4", 40, True),
        ("b", "Q2", "Q2_r2", "4", 40, True),
        ("c", "Q2", "Q2_r1", "1", 100, True),
        ("c", "Q2", "Q2_r2", "9", None, False),
    ]
    respondents, answers = frames(rows)
    rule = ScoringRule(code="items", method="top_box", items=("Q2",), positive=frozenset({"1"}))
    scored = score_responses(respondents, answers, [rule])
    assert scored["items"].tolist()[:3] == [1.0, 0.0, 1.0]
    assert math.isnan(scored.loc["d", "items"])  # answered nothing
    only_r2 = ScoringRule(code="r2", method="top_box", items=("Q2_r2",), positive=frozenset({"1"}))
    assert score_responses(respondents, answers, [only_r2])["r2"].tolist()[:2] == [0.0, 0.0]


def test_participation_is_at_least_k_activities_in_a_matrix_or_multiple_choice():
    rows = [
        ("a", "Q3", "Q3_1", "1", None, True),
        ("a", "Q3", "Q3_2", "2", None, True),
        ("a", "Q3", "Q3_3", "3", None, True),
        ("b", "Q3", "Q3_1", "1", None, True),
        ("b", "Q3", "Q3_2", "3", None, True),
        ("b", "Q3", "Q3_3", "3", None, True),
        ("c", "Q3", "Q3_1", "9", None, False),
        ("c", "Q3", "Q3_2", "9", None, False),
        ("d", "Q4", "Q4", "1", None, True),
        ("d", "Q4", "Q4", "2", None, True),
    ]
    respondents, answers = frames(rows)
    matrix = ScoringRule(
        code="p", method="at_least_k", items=("Q3",), positive=frozenset({"1", "2"}), min_count=2
    )
    multi = ScoringRule(code="m", method="at_least_k", items=("Q4",), min_count=2)
    scored = score_responses(respondents, answers, [matrix, multi])
    assert scored["p"].tolist()[:2] == [1.0, 0.0]
    assert math.isnan(scored.loc["c", "p"])  # only 不清楚
    assert scored.loc["d", "m"] == 1.0 and math.isnan(scored.loc["a", "m"])


def test_unknown_method_is_refused():
    with pytest.raises(ValueError):
        ScoringRule(code="x", method="median", items=("Q1",))


def test_no_answers_gives_missing_values_not_an_error():
    respondents, answers = frames([])
    rule = ScoringRule(code="sat", method="top_box", items=("Q1",), positive=frozenset({"1"}))
    scored = score_responses(respondents, answers, [rule])
    assert scored["sat"].isna().all()
    assert unweighted_rates(scored, [rule])[0]["rate"] is None
