"""One survey's weighted analysis: stored margins → raking → rates with CI, as one value.

``analyse(survey)`` is what the analyst dashboard, the exports, ``manage.py survey_rates`` and
"publish release" all run, so they show the same numbers. The engine steps shared with the
file-only command ``survey_weigh`` (rake then estimate, the JSON shape, the text table) live here
once: :func:`weigh_and_estimate`, :func:`results_dict`, :func:`rates_table_lines`.

Errors of the engine (:class:`~surveys.weighting.WeightingError`,
:class:`~surveys.margins.MarginsError`, :class:`~surveys.rates.RateError`) are turned into
:class:`AnalysisError` with a translated message that names the variable, category or column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from surveys import question_types
from surveys.margins import (
    MarginProblem,
    MarginsError,
    PopulationMargins,
    parse_margins_csv,
    validate_margin_rows,
)
from surveys.rates import DEFAULT_MIN_N, NCHS_2017, RateError, RatesReport, estimate_rates
from surveys.weighting import (
    DEFAULT_MAX_WEIGHT_SHARE,
    DEFAULT_MIN_CATEGORY_N,
    DEFAULT_WEIGHT_TOL,
    ConvergenceError,
    SmallCategoryError,
    WeightingError,
    WeightingResult,
    rake_weights,
)

__all__ = [
    "BREAKDOWNS",
    "DEFAULT_SETTINGS",
    "STANDARD_VARIABLES",
    "Analysis",
    "AnalysisError",
    "analyse",
    "current_margins",
    "margin_problem_text",
    "parse_survey_margins",
    "rates_table_lines",
    "results_dict",
    "weigh_and_estimate",
    "weighting_categories",
]

#: The standard demographic block, named as the columns of ``survey_scored_frame``.
STANDARD_VARIABLES = ("subdistrict", "sex", "age_group")
BREAKDOWNS = STANDARD_VARIABLES
DEFAULT_SETTINGS = {
    "method": "raking",
    "tol": 1e-10,
    "weight_tol": DEFAULT_WEIGHT_TOL,
    "max_iter": 1000,
    "trim_cap": None,
    "trim_floor": None,
    "min_n": DEFAULT_MIN_N,
    "min_category_n": DEFAULT_MIN_CATEGORY_N,
    "max_weight_share": DEFAULT_MAX_WEIGHT_SHARE,
    "collapse": {},
    "override_reason": "",
    "presentation_standard": NCHS_2017,
    "level": 0.95,
    "target": 0.85,
}


class AnalysisError(ValueError):
    """The survey cannot be analysed; the (translated) message names the cause."""

    def __init__(self, message: str, *, problems: Sequence[str] = ()):
        super().__init__(message)
        self.problems = list(problems)


# --------------------------------------------------------------------------------------------
# The engine steps shared with ``survey_weigh`` (pure: DataFrames in, values out)
# --------------------------------------------------------------------------------------------


def weigh_and_estimate(
    data: pd.DataFrame,
    margins: PopulationMargins,
    *,
    indicators: Mapping[str, np.ndarray | pd.Series],
    by: Mapping[str, pd.Series],
    design_weights: str | None = None,
    tol: float = 1e-10,
    max_iter: int = 1000,
    trim_cap: float | None = None,
    trim_floor: float | None = None,
    min_n: int = DEFAULT_MIN_N,
    level: float = 0.95,
    collapse: Mapping[str, Mapping[str, str]] | None = None,
    weight_tol: float = DEFAULT_WEIGHT_TOL,
    min_category_n: int | None = DEFAULT_MIN_CATEGORY_N,
    max_weight_share: float | None = DEFAULT_MAX_WEIGHT_SHARE,
    override_reason: str = "",
) -> tuple[WeightingResult, RatesReport]:
    """Rake ``data`` to ``margins`` (weights summing to n), then estimate the rates.

    A weighting category with fewer than ``min_category_n`` respondents, or one respondent
    carrying more than ``max_weight_share`` of the weight, is refused unless an
    ``override_reason`` is given (the caller records it). Raises WeightingError
    (SmallCategoryError, ConvergenceError) or RateError unchanged.
    """
    collapse = collapse or {}
    if override_reason.strip():
        min_category_n = max_weight_share = None
    result = rake_weights(
        data,
        margins.values,
        design_weights=design_weights,
        tol=tol,
        max_iter=max_iter,
        trim_cap=trim_cap,
        trim_floor=trim_floor,
        population_total=margins.population_total,
        collapse=collapse,
        weight_tol=weight_tol,
        min_category_n=min_category_n,
        max_weight_share=max_weight_share,
    )
    report = estimate_rates(
        indicators=indicators,
        weights=result.weights,
        calibration=result.calibration,
        by=by,
        category_order={
            variable: [c for c in table if c not in collapse.get(variable, {})]
            for variable, table in margins.values.items()
        },
        min_n=min_n,
        level=level,
    )
    return result, report


def results_dict(result: WeightingResult, report: RatesReport) -> dict:
    """The JSON shape of ``survey_weigh --format json`` (see docs/surveys.md)."""
    output = report.as_dict()
    return {
        "n": output["n"],
        "n_eff": output["n_eff"],
        "deff": output["deff"],
        "weighting": result.diagnostics.as_dict(),
        "rates": output["rates"],
        "breakdowns": output["breakdowns"],
    }


def _number(estimate: float | None, digits: int = 4) -> str:
    return "—" if estimate is None else f"{estimate:.{digits}f}"


def _row(label: str, est: dict) -> str:
    if est["suppressed"]:
        return f"{label:<24}{'(suppressed: n < threshold)':>66}{est['n']:>8}"
    ci = f"[{_number(est['ci_low'])}, {_number(est['ci_high'])}]"
    kg = f"[{_number(est.get('kg_low'))}, {_number(est.get('kg_high'))}]"
    decision = est.get("presentation") or ""
    if est.get("flags"):
        decision += " (" + ",".join(est["flags"]) + ")"
    return (
        f"{label:<24}{_number(est['rate']):>9}{_number(est['se']):>9}{ci:>20}{kg:>20}"
        f"{est['n']:>8}  {decision}"
    )


def rates_table_lines(output: dict) -> list[str]:
    """The plain-text table of ``--format table`` for a :func:`results_dict` output."""
    w = output["weighting"]
    lines = [
        f"n = {output['n']}   Kish n_eff = {output['n_eff']:.1f}   "
        f"Kish weighting effect = {output['deff']:.3f}",
        f"{w['method']}: {w['iterations']} iterations, max margin error "
        f"{w['max_margin_error']:.2e} (tolerance {w.get('tolerance') or 0:.0e}), largest weight "
        f"change in the last sweep {w.get('max_weight_change') or 0:.1e} (tolerance "
        f"{w.get('weight_tolerance') or 0:.0e}), converged {'yes' if w['converged'] else 'no'}, "
        f"trimmed {w['trimmed']} (rounds {w['trim_rounds']})",
        "",
        f"{'':<24}{'rate':>9}{'se':>9}{'95% CI logit':>20}{'95% CI K-G':>20}{'n':>8}  NCHS 2017",
    ]
    lines += [_row(name, est) for name, est in output["rates"].items()]
    for by, cells in output["breakdowns"].items():
        lines += ["", f"by {by}"]
        for category, per_rate in cells.items():
            lines += [_row(f"  {category} · {name}", est) for name, est in per_rate.items()]
    return lines


# --------------------------------------------------------------------------------------------
# Translated messages
# --------------------------------------------------------------------------------------------


def margin_problem_text(problem: MarginProblem) -> str:
    """A translated sentence for one margins problem, naming the variable and category."""
    params = {
        "variable": problem.variable or "",
        "category": problem.category or "",
        "line": problem.line or "",
    }
    texts = {
        "missing_variable": _("A row has no variable."),
        "missing_category": _("A row for variable “%(variable)s” has no category."),
        "not_a_number": _("The value for %(variable)s = “%(category)s” is not a number."),
        "not_positive": _(
            "The value for %(variable)s = “%(category)s” must be a positive number "
            "(remove or merge an empty category)."
        ),
        "duplicate": _("%(variable)s = “%(category)s” appears more than once."),
        "empty": _("The margins table has no rows."),
        "shares_do_not_sum_to_one": _(
            "The shares for “%(variable)s” do not sum to 1 (±1e-9); give shares summing to 1 "
            "or population counts."
        ),
        "totals_differ": _(
            "The population counts for “%(variable)s” do not sum to the same total as the "
            "other variables; all margins must describe the same population."
        ),
        "variable_missing": _("There are no margins for the weighting variable “%(variable)s”."),
        "category_missing": _(
            "%(variable)s = “%(category)s” has no population value; every category of the "
            "variable needs one."
        ),
        "unknown_category": _("“%(category)s” is not a category of “%(variable)s”."),
        "unknown_variable": _("“%(variable)s” is not a weighting variable of this survey."),
        "encoding": _("The margins file is neither UTF-8 nor GB18030 text."),
        "bad_header": _("The margins file needs the columns variable, category, value."),
    }
    text = texts.get(problem.code)
    if text is None:
        return problem.message
    text = text % params
    if problem.line:
        text += " " + _("(line %(line)s)") % params
    return text


def _weighting_error_text(error: WeightingError) -> str:
    params = {"variable": error.variable or "", "category": error.category or ""}
    if isinstance(error, ConvergenceError):
        d = error.diagnostics
        if d.trim_rounds:
            return _(
                "Trimming did not settle after %(rounds)s rounds: the margins need weights "
                "beyond the trimming bounds. Raise the trim cap or leave it empty."
            ) % {"rounds": d.trim_rounds}
        return _(
            "Raking did not converge: after %(iterations)s iterations the largest margin error "
            "is %(error).2e, at %(variable)s = “%(category)s”. The margins contradict the "
            "sample; check them or merge small categories."
        ) % {
            "iterations": d.iterations,
            "error": d.max_margin_error,
            "variable": error.variable or "",
            "category": error.category or "",
        }
    if isinstance(error, SmallCategoryError):
        params.update(count=error.count, minimum=error.minimum, neighbour=error.neighbour or "")
        if error.neighbour:
            return (
                _(
                    "Only %(count)s respondent(s) have %(variable)s = “%(category)s”; a weighting "
                    "category needs at least %(minimum)s. Merge “%(category)s” into a neighbouring "
                    "category for weighting (e.g. into “%(neighbour)s”), or override with a reason."
                )
                % params
            )
        return (
            _(
                "Only %(count)s respondent(s) have %(variable)s = “%(category)s”; a weighting "
                "category needs at least %(minimum)s. Merge categories for weighting, or override "
                "with a reason."
            )
            % params
        )
    texts = {
        "weight_share_too_large": _(
            "One respondent carries more than the allowed share of the total weight; "
            "%(variable)s = “%(category)s” has too few respondents. Merge it into a "
            "neighbouring category for weighting, trim the weights, or override with a reason."
        ),
        "bad_collapse": _(
            "Cannot merge into %(variable)s = “%(category)s”: the margins have no such category."
        ),
        "category_without_population": _(
            "Respondents have %(variable)s = “%(category)s”, but the population margins have "
            "no such category. Add it to the margins."
        ),
        "category_without_respondents": _(
            "No respondent has %(variable)s = “%(category)s”, but the population margins "
            "include it. Collect more responses or merge the category in the margins."
        ),
        "missing_value": _(
            "The weighting variable “%(variable)s” is missing for some respondents; give them a "
            "category or exclude them before weighting."
        ),
        "unknown_variable": _("The weighting variable “%(variable)s” is not in the responses."),
        "bad_margin_value": _(
            "The population value for %(variable)s = “%(category)s” must be a positive number."
        ),
        "no_responses": _("There are no responses to weight."),
        "no_margins": _("No weighting variables were given."),
    }
    text = texts.get(error.code)
    if text is None:
        return _("Weighting failed: %(detail)s") % {"detail": str(error)}
    return text % params


# --------------------------------------------------------------------------------------------
# Margins in the database
# --------------------------------------------------------------------------------------------


def weighting_categories(survey, variables: Sequence[str] = ()) -> dict[str, list[str]]:
    """The expected categories of each weighting variable of ``survey``.

    Always the standard block (sub-district codes, sex, age group); plus, for each name in
    ``variables`` that is the code of a single-choice question of the survey, its choice codes.
    """
    from portal.models import Subdistrict
    from surveys.models import AgeGroup, Choice, Question, Sex

    expected: dict[str, list[str]] = {
        "subdistrict": list(
            Subdistrict.objects.filter(is_active=True).values_list("code", flat=True)
        ),
        "sex": list(Sex.values),
        "age_group": list(AgeGroup.values),
    }
    extra = [v for v in variables if v not in expected]
    if extra:
        questions = Question.objects.filter(
            survey=survey,
            code__in=extra,
            kind__in=[t.kind for t in question_types.all_types() if t.margin_variable],
        ).values_list("code", flat=True)
        for code in questions:
            expected[code] = list(
                Choice.objects.filter(question__survey=survey, question__code=code)
                .order_by("sort_order", "pk")
                .values_list("code", flat=True)
            )
    return expected


def validate_survey_margins(survey, rows: Sequence[tuple]) -> PopulationMargins:
    """Validate ``(line, variable, category, value)`` rows against the survey's codes.

    Raises MarginsError listing every problem."""
    rows = list(rows)
    variables = []
    for _line, variable, _category, _value in rows:
        name = "" if variable is None else str(variable).strip()
        if name and name not in variables:
            variables.append(name)
    return validate_margin_rows(rows, expected_categories=weighting_categories(survey, variables))


def parse_survey_margins(survey, data: bytes | str) -> PopulationMargins:
    """Parse a ``variable,category,value`` CSV and validate it against ``survey``'s codes.

    Raises MarginsError listing every problem (with CSV line numbers)."""
    return parse_margins_csv(
        data, expected_categories=weighting_categories(survey, _variables_in(data))
    )


def _variables_in(data: bytes | str) -> list[str]:
    """The names in the ``variable`` column of a margins CSV (best effort, no validation)."""
    import csv
    import io

    if isinstance(data, bytes):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                data = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return []
    reader = csv.reader(io.StringIO(data.lstrip("\ufeff")))
    header = [h.strip().lower() for h in next(reader, [])]
    if "variable" not in header:
        return []
    index = header.index("variable")
    names: list[str] = []
    for record in reader:
        name = record[index].strip() if index < len(record) else ""
        if name and name not in names:
            names.append(name)
    return names


def current_margins(survey):
    """The survey's latest margins upload, or None."""
    return survey.margins_uploads.order_by("-uploaded_at", "-pk").first()


# --------------------------------------------------------------------------------------------
# analyse()
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    survey: object  # surveys.models.Survey
    frame: pd.DataFrame
    weights: pd.Series
    weighting: WeightingResult
    report: RatesReport
    margins: PopulationMargins
    rules: list
    settings: dict
    margins_record: object = field(default=None, compare=False)
    labels: dict = field(default_factory=dict, compare=False)

    @property
    def target(self) -> float:
        return self.settings["target"]

    def headline(self, kind: str) -> str | None:
        """Code of the headline rate of ``kind``: the first definition of that kind."""
        return next((rule.code for rule in self.rules if rule.kind == kind), None)

    def as_dict(self) -> dict:
        out = {
            "survey": {
                "slug": self.survey.slug,
                "title": self.survey.title,
                "wave": self.survey.wave,
                "year": self.survey.year,
            },
            "settings": dict(self.settings),
            **results_dict(self.weighting, self.report),
            "margin_fit": [dict(fit.__dict__) for fit in self.weighting.margin_fit],
            "definitions": {
                rule.code: {
                    "name": rule.name or rule.code,
                    "kind": rule.kind,
                    "method": rule.method,
                    "target": None if rule.target_percent is None else rule.target_percent / 100,
                }
                for rule in self.rules
            },
            "headline": {
                "satisfaction": self.headline("satisfaction"),
                "participation": self.headline("participation"),
            },
            "labels": self.labels,
        }
        return out


def _labels(survey, margins: PopulationMargins) -> dict[str, dict[str, str]]:
    from portal.models import Subdistrict
    from surveys.models import AgeGroup, Choice, Sex

    labels = {
        "subdistrict": dict(Subdistrict.objects.values_list("code", "name")),
        "sex": {value: str(label) for value, label in Sex.choices},
        "age_group": {value: str(label) for value, label in AgeGroup.choices},
    }
    for variable in margins.values:
        if variable not in labels:
            labels[variable] = dict(
                Choice.objects.filter(question__survey=survey, question__code=variable).values_list(
                    "code", "label"
                )
            )
    return labels


def _unknown_scoring_items(survey, rules) -> list[tuple[str, str]]:
    """(rule code, item) for every scoring item that is neither a question code nor a matrix
    row ``<question>_<row>`` of ``survey``: such a rate would silently have no respondents."""
    from surveys.models import MatrixRow, Question

    known = set(Question.objects.filter(survey=survey).values_list("code", flat=True))
    known |= {
        f"{question}_{row}"
        for question, row in MatrixRow.objects.filter(question__survey=survey).values_list(
            "question__code", "code"
        )
    }
    return [(rule.code, item) for rule in rules for item in rule.items if item not in known]


def small_cell_findings(result: WeightingResult, settings: Mapping) -> dict:
    """What an override let through: categories under the minimum and the largest weight share."""
    minimum = settings.get("min_category_n") or 0
    return {
        "categories": [
            {"variable": fit.variable, "category": fit.category, "respondents": fit.respondents}
            for fit in result.margin_fit
            if fit.respondents < minimum
        ],
        "max_weight_share": float(result.weights.max() / result.weights.sum()),
    }


def analyse(
    survey,
    *,
    trim_cap: float | None = None,
    trim_floor: float | None = None,
    min_n: int | None = None,
    tol: float | None = None,
    max_iter: int | None = None,
    level: float | None = None,
    collapse: Mapping[str, Mapping[str, str]] | None = None,
    override_reason: str = "",
) -> Analysis:
    """Weight ``survey``'s included responses to its current margins and estimate every scoring
    definition's rate overall and by sub-district, sex and age group.

    Raking is used (the stored margins are one-way tables; post-stratification needs a joint
    table). ``collapse`` (``{variable: {category: merged_into}}``) merges small categories for
    weighting; ``override_reason`` lets the analysis through small weighting categories and is
    recorded in the settings. Raises AnalysisError with a translated message naming the cause.
    """
    from surveys.scoring import score_responses
    from surveys.selectors import scoring_rules, survey_answer_frames

    settings = dict(DEFAULT_SETTINGS)
    overrides = {
        "trim_cap": trim_cap,
        "trim_floor": trim_floor,
        "min_n": min_n,
        "tol": tol,
        "max_iter": max_iter,
        "level": level,
    }
    settings.update({k: v for k, v in overrides.items() if v is not None})
    settings["collapse"] = {v: dict(m) for v, m in (collapse or {}).items() if m}
    settings["override_reason"] = (override_reason or "").strip()

    record = current_margins(survey)
    if record is None:
        raise AnalysisError(
            _("The survey “%(survey)s” has no population margins; upload them first.")
            % {"survey": survey.title}
        )
    try:
        margins = validate_survey_margins(survey, [(None, v, c, x) for v, c, x in record.rows])
    except MarginsError as error:
        problems = [margin_problem_text(p) for p in error.problems]
        raise AnalysisError(
            _("The stored population margins are not valid: %(problems)s")
            % {"problems": " ".join(problems[:5])},
            problems=problems,
        ) from None

    rules = scoring_rules(survey)
    if not rules:
        raise AnalysisError(
            _(
                "The survey “%(survey)s” has no scoring definitions, so there is no rate to "
                "estimate."
            )
            % {"survey": survey.title}
        )
    unknown = _unknown_scoring_items(survey, rules)
    if unknown:
        raise AnalysisError(
            _(
                "The scoring definition “%(code)s” uses “%(item)s”, which is not a question or "
                "matrix row of this survey; correct it in the questionnaire."
            )
            % {"code": unknown[0][0], "item": unknown[0][1]},
            problems=[
                _("Scoring definition “%(code)s”: unknown question “%(item)s”.")
                % {"code": code, "item": item}
                for code, item in unknown
            ],
        )
    respondents, answers = survey_answer_frames(survey=survey)
    frame = score_responses(respondents, answers, rules)
    if frame.empty:
        raise AnalysisError(_("There are no responses to weight."))
    for variable in margins.values:
        if variable in frame.columns:
            continue
        chosen = answers.loc[answers["question"] == variable, ["response_id", "choice"]]
        chosen = chosen.drop_duplicates("response_id").set_index("response_id")["choice"]
        frame[variable] = chosen.reindex(frame.index)

    try:
        result, report = weigh_and_estimate(
            frame,
            margins,
            indicators={rule.code: frame[rule.code] for rule in rules},
            by={column: frame[column] for column in BREAKDOWNS},
            tol=settings["tol"],
            max_iter=settings["max_iter"],
            trim_cap=settings["trim_cap"],
            trim_floor=settings["trim_floor"],
            min_n=settings["min_n"],
            level=settings["level"],
            collapse=settings["collapse"],
            weight_tol=settings["weight_tol"],
            min_category_n=settings["min_category_n"],
            max_weight_share=settings["max_weight_share"],
            override_reason=settings["override_reason"],
        )
    except WeightingError as error:
        raise AnalysisError(_weighting_error_text(error)) from None
    except RateError as error:
        raise AnalysisError(
            _("The rates cannot be computed: %(detail)s") % {"detail": str(error)}
        ) from None

    settings["method"] = result.diagnostics.method
    if settings["override_reason"]:
        settings["overridden"] = small_cell_findings(result, settings)
    weights = pd.Series(result.weights, index=frame.index, name="weight", dtype=float)
    return Analysis(
        survey=survey,
        frame=frame,
        weights=weights,
        weighting=result,
        report=report,
        margins=margins,
        rules=rules,
        settings=settings,
        margins_record=record,
        labels=_labels(survey, margins),
    )
