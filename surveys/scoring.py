"""Scoring definitions applied to answers: one indicator per respondent per definition.

Pure computation on pandas DataFrames (no Django, no ORM), so it is tested on hand-built frames.
The methods, in the words of docs/surveys.md:

``top_box``     An item (a question, or one row of a matrix) scores 1 when the answer is one of
                the positive choices, 0 when it is another substantive choice; a non-substantive
                answer (说不清/不知道) scores nothing (excluded) or 0 (not excluded). With one item
                the respondent's indicator is that score; with several, the respondent counts as
                satisfied (1) when at least half of their scored items are 1.
``score_mean``  Each answer contributes its choice's score (e.g. 100/80/60/40/20); answers
                without a score (non-substantive) are left out, or count 0 when non-substantive
                answers are not excluded. The respondent's value is the mean score / 100, in [0, 1].
``at_least_k``  Activities: each positive answer counts one activity (each positive choice of a
                multiple-choice question counts one). The respondent participated (1) when the
                count is at least k, else 0; someone with only non-substantive answers is
                excluded (or 0), and someone who answered none of the items is missing.

Missing values are NaN; the unweighted rate is the mean over respondents with a value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

TOP_BOX = "top_box"
SCORE_MEAN = "score_mean"
AT_LEAST_K = "at_least_k"
METHODS = (TOP_BOX, SCORE_MEAN, AT_LEAST_K)

ANSWER_COLUMNS = ["response_id", "question", "item", "choice", "score", "substantive"]


@dataclass(frozen=True)
class ScoringRule:
    code: str
    method: str
    items: tuple[str, ...]
    positive: frozenset[str] = frozenset()
    exclude_non_substantive: bool = True
    min_count: int = 1
    name: str = ""
    kind: str = ""
    target_percent: float | None = None

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"unknown scoring method {self.method!r}")
        if self.min_count < 1:
            raise ValueError("min_count must be at least 1")


def _selected(answers: pd.DataFrame, rule: ScoringRule) -> pd.DataFrame:
    items = list(rule.items)
    mask = answers["question"].isin(items) | answers["item"].isin(items)
    selected = answers.loc[mask & answers["choice"].notna()].copy()
    selected["substantive"] = selected["substantive"].astype(bool)
    if rule.positive:
        selected["positive"] = selected["choice"].isin(rule.positive)
    else:
        selected["positive"] = selected["substantive"]
    return selected


def _top_box(selected: pd.DataFrame, rule: ScoringRule) -> pd.Series:
    per_item = selected.groupby(["response_id", "item"]).agg(
        positive=("positive", "any"), substantive=("substantive", "any")
    )
    value = per_item["positive"].astype(float)
    not_scored = ~per_item["positive"] & ~per_item["substantive"]
    if rule.exclude_non_substantive:
        value[not_scored] = np.nan
    share = value.groupby(level="response_id").mean()
    return (share >= 0.5).astype(float).where(share.notna())


def _score_mean(selected: pd.DataFrame, rule: ScoringRule) -> pd.Series:
    scores = selected["score"].astype(float)
    if not rule.exclude_non_substantive:
        scores = scores.where(selected["substantive"] | scores.notna(), 0.0)
    return scores.groupby(selected["response_id"]).mean() / 100.0


def _at_least_k(selected: pd.DataFrame, rule: ScoringRule) -> pd.Series:
    grouped = selected.groupby("response_id")
    count = grouped["positive"].sum()
    substantive = grouped["substantive"].any()
    value = (count >= rule.min_count).astype(float)
    if rule.exclude_non_substantive:
        value[~substantive & (count == 0)] = np.nan
    return value


def score_responses(
    respondents: pd.DataFrame, answers: pd.DataFrame, rules: Iterable[ScoringRule]
) -> pd.DataFrame:
    """``respondents`` (one row per response, index ``response_id``) plus one column per rule.

    ``answers`` is the long frame of choice answers with ANSWER_COLUMNS (``item`` is the question
    code, or ``<question>_<row>`` for a matrix row). Values are 0/1 (``score_mean``: 0..1) or NaN.
    """
    result = respondents.copy()
    if answers.empty:
        answers = pd.DataFrame(columns=ANSWER_COLUMNS)
    for rule in rules:
        selected = _selected(answers, rule)
        if selected.empty:
            result[rule.code] = np.nan
            continue
        if rule.method == TOP_BOX:
            series = _top_box(selected, rule)
        elif rule.method == SCORE_MEAN:
            series = _score_mean(selected, rule)
        else:
            series = _at_least_k(selected, rule)
        result[rule.code] = series.reindex(result.index).astype(float)
    return result


def unweighted_rates(scored: pd.DataFrame, rules: Iterable[ScoringRule]) -> list[dict]:
    """Per rule: respondents with a value, the unweighted rate (0..1 or None) and the target."""
    rows = []
    for rule in rules:
        column = scored[rule.code] if rule.code in scored else pd.Series(dtype=float)
        valid = column.dropna()
        rate = float(valid.mean()) if len(valid) else None
        target = rule.target_percent / 100 if rule.target_percent is not None else None
        rows.append(
            {
                "code": rule.code,
                "name": rule.name or rule.code,
                "kind": rule.kind,
                "method": rule.method,
                "n": len(column),
                "n_valid": len(valid),
                "rate": rate,
                "rate_percent": None if rate is None else round(100 * rate, 1),
                "target": target,
                "target_percent": rule.target_percent,
                "meets_target": None if rate is None or target is None else rate >= target,
            }
        )
    return rows
