"""Exports for the statistics bureau, built from one :class:`surveys.analysis.Analysis`.

``EXPORT_BUILDERS`` maps a kind to a builder with ``label``, ``content_type``,
``filename(survey)`` and ``build(analysis, progress=None) -> bytes``. The kinds:

``report_xlsx``    XLSX report: sheets summary (rates, SE, logit and Korn–Graubard CI, n, n_eff, Kish weighting effect, NCHS decision, target),
                   breakdowns, margin fit, methodology and codebook, named in the interface
                   language of the export (汇总, 分组, 边际拟合, 方法说明, 编码簿);
``microdata_csv``  one row per respondent: codes, answers, scores and the weight (UTF-8 with BOM,
                   so Excel opens it; CRLF line ends);
``microdata_sav``  the same as SPSS ``.sav`` with variable and value labels, measurement levels
                   (ordinal scales), the submission day as a date and non-substantive answers
                   (说不清 = 9) declared user-missing;
``microdata_dta``  the same as Stata ``.dta`` format 118 (names ≤ 32 characters, labels ≤ 80,
                   value labels, ``%td`` dates, non-substantive answers as ``.a``, ``.b``, …);
``codebook_csv``   the codebook (see :mod:`surveys.codebook` for the layout of the microdata).

The builders take an Analysis and read nothing from a request. Only the microdata builders
read the database (the answers of the analysed respondents, one query each for choices and
numbers); the writers below them (:func:`assemble_microdata`, :func:`microdata_csv`,
:func:`microdata_sav`, :func:`microdata_dta`) are pure and work column by column (no Python
loop over respondents), so a million rows take seconds (bench/weighting.py).
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from portal.spreadsheets import (
    FORMULA_TRIGGERS,
    safe_cell,
    write_csv_row,
    write_csv_rows,
    xlsx_append_row,
)
from surveys.codebook import Codebook, survey_codebook
from surveys.variables import (
    BINARY,
    DATE,
    LABELLED,
    NUMERIC,
    UnknownVariableKind,
    storage_kind,
)

__all__ = [
    "EXPORT_BUILDERS",
    "ExportBuilder",
    "assemble_microdata",
    "codebook_csv",
    "coded_frame",
    "methodology_paragraphs",
    "microdata_csv",
    "microdata_dta",
    "microdata_frame",
    "microdata_sav",
    "report_xlsx",
]

Progress = Callable[[int, str], None] | None

STATA_LABEL_CHARS = 80
STATA_FILE_LABEL_CHARS = 80
STATA_VERSION = 14  # pyreadstat's version 14 writes dta format 118 (Stata 14 and later)
SPSS_MAX_DISCRETE_MISSING = 3
SPSS_VARIABLE_LABEL_BYTES = 256
SPSS_VALUE_LABEL_BYTES = 120
SPSS_FILE_LABEL_BYTES = 64
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(progress: Progress, percent: int, step: str) -> None:
    if progress is not None:
        progress(percent, step)


def truncate_bytes(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` UTF-8 bytes: cut on a character boundary and ended with
    an ellipsis (…, three bytes) so a reader sees that it was shortened."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    ellipsis = "…"
    room = limit - len(ellipsis.encode("utf-8"))
    return data[:room].decode("utf-8", errors="ignore").rstrip() + ellipsis


def truncate_chars(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------
# Microdata
# --------------------------------------------------------------------------------------------


def _nullable_int8(values: np.ndarray, missing: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(values.astype(np.int8), missing.astype(bool))


def _categorical(series: pd.Series | np.ndarray, codes: Sequence[str]) -> pd.Categorical:
    """Codes as a Categorical with exactly ``codes`` as categories (others become missing)."""
    values = pd.Series(series, copy=False)
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    values = values.where(values.isna(), values.astype(str))
    return pd.Categorical(values, categories=list(codes))


def assemble_microdata(
    *,
    respondents: pd.DataFrame,
    answers: pd.DataFrame,
    numbers: pd.DataFrame,
    weights: np.ndarray | pd.Series,
    codebook: Codebook,
) -> pd.DataFrame:
    """The microdata table: one row per respondent, one column per codebook variable.

    ``respondents``: index response_id with the respondent columns and the score columns (as
    ``survey_scored_frame``); ``answers``: long frame of chosen choices (``response_id``,
    ``question``, ``item``, ``choice``); ``numbers``: long frame (``response_id``,
    ``question``, ``number``); ``weights`` aligned with ``respondents``. Answers of respondents
    not in ``respondents`` are ignored. Categorical columns hold the codes (pandas
    Categorical), 0/1 columns nullable Int8, numbers float64.
    """
    index = pd.Index(respondents.index.astype(str), name="response_id")
    n = len(index)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(f"{w.size} weights for {n} respondents")

    answers = answers if len(answers) else pd.DataFrame(columns=["response_id", "question", "item"])
    answer_rows = index.get_indexer(answers["response_id"].astype(str))
    answer_items = answers["item"].to_numpy(dtype=object)
    answer_questions = answers["question"].to_numpy(dtype=object)
    answer_choices = (
        answers["choice"].astype(str).to_numpy(dtype=object)
        if "choice" in answers
        else np.array([], dtype=object)
    )
    in_frame = answer_rows >= 0

    # Group answer positions by item and by question once (no per-respondent loop).
    by_item = pd.Series(np.arange(len(answers))[in_frame]).groupby(answer_items[in_frame]).indices
    by_question = (
        pd.Series(np.arange(len(answers))[in_frame]).groupby(answer_questions[in_frame]).indices
    )
    positions = np.arange(len(answers))[in_frame]

    def rows_of(group: dict, key: str) -> np.ndarray:
        found = group.get(key)
        return positions[found] if found is not None else np.array([], dtype=np.int64)

    number_rows = (
        index.get_indexer(numbers["response_id"].astype(str))
        if len(numbers)
        else np.array([], dtype=np.int64)
    )

    columns: dict[str, object] = {}
    for variable in codebook.variables:
        name = variable.name
        if variable.source == "respondent":
            if variable.item == "response_id":
                columns[name] = index.to_numpy(dtype=object)
            elif variable.kind == DATE:
                # Calendar days (datetime.date): the CSV writes YYYY-MM-DD, SPSS and Stata
                # store dates.
                days = pd.to_datetime(respondents[variable.item], errors="coerce")
                dates = np.array(days.dt.date.to_numpy(dtype=object), dtype=object, copy=True)
                dates[days.isna().to_numpy()] = None
                columns[name] = dates
            else:
                columns[name] = _categorical(respondents[variable.item], variable.codes())
        elif variable.source == "question":
            if variable.kind in LABELLED:
                picked = rows_of(by_item, variable.item)
                codes = np.full(n, -1, dtype=np.int32)
                if picked.size:
                    chosen = pd.Categorical(answer_choices[picked], categories=variable.codes())
                    codes[answer_rows[picked]] = chosen.codes
                columns[name] = pd.Categorical.from_codes(codes, categories=variable.codes())
            elif variable.kind == BINARY:
                picked = rows_of(by_question, variable.question)
                answered = np.zeros(n, dtype=bool)
                answered[answer_rows[picked]] = True
                hit = np.zeros(n, dtype=np.int8)
                hit[answer_rows[picked[answer_choices[picked] == variable.item]]] = 1
                columns[name] = _nullable_int8(hit, ~answered)
            elif variable.kind == NUMERIC:
                values = np.full(n, np.nan)
                if len(numbers):
                    mask = (numbers["question"].to_numpy() == variable.question) & (
                        number_rows >= 0
                    )
                    values[number_rows[mask]] = pd.to_numeric(
                        numbers["number"].to_numpy()[mask], errors="coerce"
                    ).astype(np.float64)
                columns[name] = values
            else:
                raise UnknownVariableKind(
                    f"Question variable {name} has kind {variable.kind!r}, which the "
                    "microdata cannot hold (categorical, ordinal, binary or numeric)."
                )
        elif variable.source == "score":
            if variable.item in respondents:
                values = pd.to_numeric(respondents[variable.item], errors="coerce").to_numpy(
                    dtype=np.float64, na_value=np.nan
                )
            else:
                values = np.full(n, np.nan)
            if variable.kind == BINARY:
                missing = np.isnan(values)
                columns[name] = _nullable_int8(np.where(missing, 0, values), missing)
            else:
                columns[name] = values
        elif variable.source == "weight":
            columns[name] = w
    return pd.DataFrame(columns, index=pd.RangeIndex(n))


def _load_numbers(survey, index: pd.Index) -> pd.DataFrame:
    from surveys.models import Answer

    rows = Answer.objects.filter(
        response__survey=survey, response__excluded=False, number__isnull=False
    ).values_list("response_id", "question__code", "number")
    frame = pd.DataFrame.from_records(list(rows), columns=["response_id", "question", "number"])
    frame["response_id"] = frame["response_id"].astype(str)
    frame["number"] = pd.to_numeric(frame["number"].astype(float), errors="coerce")
    return frame


def microdata_frame(analysis, codebook: Codebook | None = None) -> pd.DataFrame:
    """The microdata of an analysis: its respondents (same rows, same order) and weights."""
    from surveys.selectors import survey_answer_frames

    codebook = codebook or survey_codebook(analysis.survey, rules=analysis.rules)
    _respondents, answers = survey_answer_frames(survey=analysis.survey)
    numbers = _load_numbers(analysis.survey, analysis.frame.index)
    weights = analysis.weights.reindex(analysis.frame.index).to_numpy(dtype=np.float64)
    return assemble_microdata(
        respondents=analysis.frame,
        answers=answers,
        numbers=numbers,
        weights=weights,
        codebook=codebook,
    )


def _csv_field(text: str) -> str:
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_cells(values) -> np.ndarray:
    """One column as an object array of CSV fields ("" for missing), without a row loop."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = [_csv_field(safe_cell(str(c))) for c in values.cat.categories]
        lookup = np.array([*categories, ""], dtype=object)
        return lookup[values.cat.codes.to_numpy()]  # code -1 (missing) -> ""
    if isinstance(values.dtype, pd.Int8Dtype):
        array = values.array
        data = array._data.astype(np.int64)
        low = int(data.min()) if data.size else 0
        lookup = np.array([str(i) for i in range(low, int(data.max(initial=0)) + 1)], dtype=object)
        cells = lookup[data - low]
        cells[array._mask] = ""
        return cells
    if pd.api.types.is_float_dtype(values.dtype):
        numbers = values.to_numpy(dtype=np.float64)
        cells = np.array(list(map(repr, numbers.tolist())), dtype=object)
        cells[np.isnan(numbers)] = ""
        return cells
    text = values.astype(object).where(values.notna(), "").astype(str)
    risky = text.str.startswith(FORMULA_TRIGGERS)
    if risky.any():  # formula-like text gets the apostrophe (portal.spreadsheets)
        text = text.copy()
        text[risky] = text[risky].map(safe_cell)
    if text.str.contains(r'[,"\r\n]', regex=True).any():
        text = text.map(_csv_field)
    return text.to_numpy(dtype=object)


def microdata_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with BOM and CRLF line ends; numbers in shortest round-trip notation (weights
    exactly as computed), missing values empty. Built column by column (no loop in Python over
    the rows: ``str.join`` over ``zip`` runs in C)."""
    header = ",".join(_csv_field(safe_cell(str(name))) for name in frame.columns)
    columns = [_csv_cells(frame[name]) for name in frame.columns]
    body = "\r\n".join(map(",".join, zip(*columns, strict=True))) if len(frame) else ""
    text = "\ufeff" + header + "\r\n" + (body + "\r\n" if body else "")
    return text.encode("utf-8")


def coded_frame(frame: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Categorical codes replaced by their SPSS/Stata numbers; 0/1 and numbers as float64
    (missing = NaN, i.e. system missing / ``.``); text and date columns unchanged."""
    columns = {}
    for variable in codebook.variables:
        values = frame[variable.name]
        kind = storage_kind(variable.kind)  # raises for a kind with no storage definition
        if variable.kind in LABELLED:
            lookup = np.array([*map(float, variable.numeric_values()), np.nan], dtype=np.float64)
            codes = values.cat.codes.to_numpy() if hasattr(values, "cat") else values.codes
            columns[variable.name] = lookup[codes]  # -1 (missing) picks the trailing NaN
        elif kind.numeric:
            columns[variable.name] = pd.array(values).to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            columns[variable.name] = values.to_numpy(dtype=object)
    return pd.DataFrame(columns, index=frame.index)


def _write_with(writer, frame: pd.DataFrame, suffix: str, **kwargs) -> bytes:
    handle, path = tempfile.mkstemp(suffix=suffix, prefix="survey-export-")
    os.close(handle)
    try:
        writer(frame, path, **kwargs)
        with open(path, "rb") as stream:
            return stream.read()
    finally:
        os.unlink(path)


def spss_missing(variable) -> list:
    """pyreadstat ``missing_ranges`` of a variable: its declared missing values, as up to three
    discrete values or, when there are more, one range that holds no valid value."""
    values = sorted(float(v.value) for v in variable.values if v.missing)
    if len(values) <= SPSS_MAX_DISCRETE_MISSING:
        return values
    low, high = values[0], values[-1]
    valid = [float(v.value) for v in variable.values if not v.missing]
    if not any(low <= value <= high for value in valid):
        return [{"lo": low, "hi": high}]
    return values[:SPSS_MAX_DISCRETE_MISSING]


def microdata_sav(frame: pd.DataFrame, codebook: Codebook, *, file_label: str = "") -> bytes:
    """SPSS .sav with variable and value labels, measurement levels (ordinal scales), dates
    as SPSS dates and the non-substantive answers (说不清 = 9) declared user-missing."""
    import pyreadstat

    coded = coded_frame(frame, codebook)
    labels = {
        v.name: truncate_bytes(v.label, SPSS_VARIABLE_LABEL_BYTES) for v in codebook.variables
    }
    value_labels = {
        v.name: {
            float(value): truncate_bytes(label, SPSS_VALUE_LABEL_BYTES)
            for value, label in v.value_labels().items()
        }
        for v in codebook.variables
        if v.is_coded and v.values
    }
    missing = {
        v.name: spss_missing(v)
        for v in codebook.variables
        if v.is_coded and any(value.missing for value in v.values)
    }
    kinds = {v.name: storage_kind(v.kind) for v in codebook.variables}
    measure = {name: kind.measure for name, kind in kinds.items()}
    formats = {v.name: "F16.10" for v in codebook.variables if v.source == "weight"}
    formats.update({name: kind.spss_format for name, kind in kinds.items() if kind.spss_format})
    return _write_with(
        pyreadstat.write_sav,
        coded,
        ".sav",
        file_label=truncate_bytes(file_label, SPSS_FILE_LABEL_BYTES),
        column_labels=labels,
        variable_value_labels=value_labels,
        missing_ranges=missing,
        variable_measure=measure,
        variable_format=formats,
    )


def microdata_dta(frame: pd.DataFrame, codebook: Codebook, *, file_label: str = "") -> bytes:
    """Stata .dta format 118 (Stata 14 and later) with variable labels (≤ 80 characters),
    value labels, dates as ``%td`` and the non-substantive answers as extended missing values
    (``.a``, ``.b``, …) that keep their value labels."""
    import pyreadstat

    coded = coded_frame(frame, codebook)
    labels = {v.name: truncate_chars(v.label, STATA_LABEL_CHARS) for v in codebook.variables}
    value_labels: dict[str, dict] = {}
    missing_letters: dict[str, list[str]] = {}
    for v in codebook.variables:
        if not (v.is_coded and v.values):
            continue
        value_labels[v.name] = {
            (value.stata_missing if value.missing else int(value.value)): value.label
            for value in v.values
        }
        letters = {float(value.value): value.stata_missing for value in v.values if value.missing}
        if letters:
            column = coded[v.name]
            replaced = column.astype(object)
            for number, letter in letters.items():
                replaced[column == number] = letter
            coded[v.name] = replaced
            missing_letters[v.name] = list(letters.values())
    formats = {v.name: "%td" for v in codebook.variables if storage_kind(v.kind).date}
    return _write_with(
        pyreadstat.write_dta,
        coded,
        ".dta",
        file_label=truncate_chars(file_label, STATA_FILE_LABEL_CHARS),
        column_labels=labels,
        version=STATA_VERSION,
        variable_value_labels=value_labels,
        missing_user_values=missing_letters,
        variable_format=formats,
    )


def codebook_csv(codebook: Codebook) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    write_csv_row(writer, codebook.header())
    write_csv_rows(writer, codebook.rows())
    return buffer.getvalue().encode("utf-8")


# --------------------------------------------------------------------------------------------
# XLSX report
# --------------------------------------------------------------------------------------------


def _label_of(analysis, variable: str, category: str) -> str:
    labels = getattr(analysis, "labels", None) or {}
    return str(labels.get(variable, {}).get(category, category))


def _rule_names(analysis) -> dict[str, str]:
    return {rule.code: rule.name or rule.code for rule in analysis.rules}


def _rule_targets(analysis) -> dict[str, float | None]:
    return {
        rule.code: (rule.target_percent / 100 if rule.target_percent is not None else None)
        for rule in analysis.rules
    }


def methodology_paragraphs(analysis) -> list[str]:
    """The methodology in a few translated paragraphs, with this analysis's settings."""
    settings = analysis.settings
    diagnostics = analysis.weighting.diagnostics
    variables = ", ".join(analysis.margins.variables)
    paragraphs = [
        _("Scoring. Each respondent gets one value per scoring definition:"),
    ]
    method_text = {
        "top_box": _("share answering one of the positive choices (%(codes)s)"),
        "score_mean": _("mean of the choices' scores divided by 100"),
        "at_least_k": _("took part in at least %(k)s of the activities (%(codes)s)"),
    }
    for rule in analysis.rules:
        text = method_text.get(rule.method, rule.method) % {
            "codes": ";".join(sorted(rule.positive)) or _("every substantive choice"),
            "k": rule.min_count,
        }
        paragraphs.append(
            f"  {rule.code} — {rule.name or rule.code}: {text}; "
            + _("questions %(items)s") % {"items": ";".join(rule.items)}
            + "; "
            + (
                _("non-substantive answers are left out")
                if rule.exclude_non_substantive
                else _("non-substantive answers count as no")
            )
        )
    paragraphs += [
        _(
            "Weighting. Design weights of 1 are raked (iterative proportional fitting) to the "
            "population margins of %(variables)s until every weighted share is within "
            "%(tol)s of its target (at most %(max_iter)s iterations); the weights are scaled "
            "to sum to the number of respondents."
        )
        % {
            "variables": variables,
            "tol": settings.get("tol"),
            "max_iter": settings.get("max_iter"),
        },
        _(
            "Trimming. Cap: %(cap)s times the mean weight, re-raking after each trim until "
            "stable (R survey::trimWeights). Weights trimmed: %(trimmed)s."
        )
        % {
            "cap": settings.get("trim_cap") if settings.get("trim_cap") else _("none"),
            "trimmed": diagnostics.trimmed,
        },
        _(
            "Standard errors. Taylor linearization for the raked design (the calibration "
            "margins are removed from the linearized variable), as R survey::svymean on a "
            "rake()d design."
        ),
        _(
            "Confidence intervals. %(level)s%% logit intervals as R svyciprop(method = "
            '"logit"): expit(logit(p) ± t(n − 1) · SE / (p(1 − p))).'
        )
        % {"level": _number_text(100 * settings.get("level", 0.95))},
        _(
            "Effective sample size (Kish) n_eff = (Σw)² / Σw²; Kish's weighting effect = "
            "n / n_eff (the variance inflation due to unequal weights, not a design effect)."
        ),
        _(
            "Presentation. Each rate is shown, flagged or suppressed under the NCHS Data "
            "Presentation Standards for Proportions (2017): Korn–Graubard intervals, a "
            "design-based effective sample size of at least 30 and bounded interval widths; "
            "cells with fewer than %(min_n)s respondents are not estimated at all."
        )
        % {"min_n": settings.get("min_n")},
        _("Target: %(target)s%%; minimum acceptable: 80%%.")
        % {"target": _number_text(100 * settings.get("target", 0.85))},
        _("The full methodology with a worked example is in docs/methodology.md."),
    ]
    if analysis.margins_record is not None and getattr(
        analysis.margins_record, "illustrative", False
    ):
        paragraphs.append(
            _("The population margins are illustrative — replace with official census figures.")
        )
    return paragraphs


def _presentation_text(estimate) -> str:
    """The NCHS decision in words, with its reasons (a nominally suppressed cell is never shown)."""
    if estimate.suppressed:
        return _("suppressed (too few respondents)")
    decision = {
        "show": _("shown"),
        "flag": _("shown with a flag"),
        "suppress": _("suppressed"),
    }.get(estimate.presentation or "show", estimate.presentation or "")
    if estimate.flags:
        return f"{decision} ({', '.join(estimate.flags)})"
    return decision


def _number_text(value: float) -> str:
    return f"{value:g}"


def _none_if_nan(value):
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def report_xlsx(analysis, codebook: Codebook, *, progress: Progress = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    percent = "0.0%"
    workbook = Workbook()
    survey = analysis.survey
    report = analysis.report
    diagnostics = analysis.weighting.diagnostics
    names = _rule_names(analysis)
    targets = _rule_targets(analysis)
    default_target = analysis.settings.get("target", 0.85)

    summary = workbook.active
    summary.title = pgettext("export sheet", "summary")
    facts = [
        (_("Survey"), survey.title),
        (_("Wave"), survey.wave),
        (_("Respondents (n)"), report.n),
        (_("Effective sample size (n_eff)"), report.n_eff),
        (_("Kish weighting effect (n / n_eff)"), report.deff),
        (_("Weighting method"), diagnostics.method),
        (_("Iterations"), diagnostics.iterations),
        (_("Max margin error"), diagnostics.max_margin_error),
        (_("Converged"), _("yes") if diagnostics.converged else _("no")),
        (_("Weights trimmed"), diagnostics.trimmed),
        (_("Trim cap (× mean weight)"), analysis.settings.get("trim_cap")),
        (_("Suppression threshold (n)"), analysis.settings.get("min_n")),
        (_("Confidence level"), analysis.settings.get("level")),
        (_("Target"), default_target),
    ]
    as_percent = {_("Confidence level"), _("Target")}
    for label, value in facts:
        xlsx_append_row(summary, [label, value])
        summary.cell(row=summary.max_row, column=1).font = bold
        if label in as_percent:
            summary.cell(row=summary.max_row, column=2).number_format = percent
    xlsx_append_row(summary, [])
    header = [
        _("code"),
        pgettext("survey statistic", "rate"),
        _("estimate"),
        _("SE"),
        _("95% CI low"),
        _("95% CI high"),
        _("n"),
        _("n_eff"),
        _("weighting effect (Kish)"),
        _("Korn–Graubard low"),
        _("Korn–Graubard high"),
        _("presentation (NCHS)"),
        _("target"),
        _("meets target"),
    ]
    xlsx_append_row(summary, header)
    for cell in summary[summary.max_row]:
        cell.font = bold
    for code, estimate in report.rates.items():
        target = targets.get(code) if targets.get(code) is not None else default_target
        meets = None
        if estimate.rate is not None and target is not None:
            meets = _("yes") if estimate.rate >= target else _("no")
        xlsx_append_row(
            summary,
            [
                code,
                names.get(code, code),
                estimate.rate,
                estimate.se,
                estimate.ci_low,
                estimate.ci_high,
                estimate.n,
                _none_if_nan(estimate.n_eff),
                _none_if_nan(estimate.deff),
                estimate.kg_low,
                estimate.kg_high,
                _presentation_text(estimate),
                target,
                meets,
            ],
        )
        row = summary.max_row
        for column in (3, 5, 6, 10, 11, 13):
            summary.cell(row=row, column=column).number_format = percent
    summary.column_dimensions["A"].width = 30
    summary.column_dimensions["B"].width = 24
    _report(progress, 60, "summary")

    breakdowns = workbook.create_sheet(pgettext("export sheet", "breakdowns"))
    xlsx_append_row(
        breakdowns,
        [
            _("variable"),
            _("category"),
            _("label"),
            _("code"),
            pgettext("survey statistic", "rate"),
            _("estimate"),
            _("SE"),
            _("95% CI low"),
            _("95% CI high"),
            _("n"),
            _("n_eff"),
            _("weighting effect (Kish)"),
            _("Korn–Graubard low"),
            _("Korn–Graubard high"),
            _("presentation (NCHS)"),
        ],
    )
    for cell in breakdowns[1]:
        cell.font = bold
    for by, cells in report.breakdowns.items():
        for category, per_rate in cells.items():
            for code, estimate in per_rate.items():
                hidden = estimate.suppressed or estimate.presentation == "suppress"
                xlsx_append_row(
                    breakdowns,
                    [
                        by,
                        category,
                        _label_of(analysis, by, category),
                        code,
                        names.get(code, code),
                        None if hidden else estimate.rate,
                        None if hidden else estimate.se,
                        None if hidden else estimate.ci_low,
                        None if hidden else estimate.ci_high,
                        estimate.n,
                        None if hidden else _none_if_nan(estimate.n_eff),
                        None if hidden else _none_if_nan(estimate.deff),
                        None if hidden else estimate.kg_low,
                        None if hidden else estimate.kg_high,
                        _presentation_text(estimate),
                    ],
                )
                row = breakdowns.max_row
                for column in (6, 8, 9, 13, 14):
                    breakdowns.cell(row=row, column=column).number_format = percent

    fit = workbook.create_sheet(pgettext("export sheet", "margin fit"))
    xlsx_append_row(
        fit,
        [
            _("variable"),
            _("category"),
            _("label"),
            _("respondents"),
            _("target share"),
            _("unweighted share"),
            _("weighted share"),
            _("weighted − target"),
        ],
    )
    for cell in fit[1]:
        cell.font = bold
    for item in analysis.weighting.margin_fit:
        xlsx_append_row(
            fit,
            [
                item.variable,
                item.category,
                _label_of(analysis, item.variable, item.category),
                item.respondents,
                item.target_share,
                item.unweighted_share,
                item.weighted_share,
                item.weighted_share - item.target_share,
            ],
        )
    _report(progress, 75, "breakdowns")

    methodology = workbook.create_sheet(pgettext("export sheet", "methodology"))
    methodology.column_dimensions["A"].width = 120
    for paragraph in methodology_paragraphs(analysis):
        xlsx_append_row(methodology, [paragraph])
        methodology.cell(row=methodology.max_row, column=1).alignment = Alignment(wrap_text=True)

    sheet = workbook.create_sheet(pgettext("export sheet", "codebook"))
    xlsx_append_row(sheet, codebook.header())
    for cell in sheet[1]:
        cell.font = bold
    for row in codebook.rows():
        xlsx_append_row(sheet, row)
    xlsx_append_row(sheet, [])
    for note in codebook.notes:
        xlsx_append_row(sheet, [note])
    _report(progress, 90, "codebook")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportBuilder:
    kind: str
    label: object  # lazy translated text
    content_type: str
    suffix: str  # file name after the survey slug, e.g. "microdata.csv"
    function: Callable

    def filename(self, survey) -> str:
        return f"{survey.slug}-{self.suffix}"

    @property
    def extension(self) -> str:
        return self.suffix.rsplit(".", 1)[-1]

    def build(self, analysis, progress: Progress = None) -> bytes:
        return self.function(analysis, progress)


def _file_label(analysis) -> str:
    survey = analysis.survey
    return f"{survey.title} {survey.wave}".strip()


def _build_report(analysis, progress: Progress) -> bytes:
    codebook = survey_codebook(analysis.survey, rules=analysis.rules)
    _report(progress, 50, "codebook")
    return report_xlsx(analysis, codebook, progress=progress)


def _microdata(analysis, progress: Progress) -> tuple[pd.DataFrame, Codebook]:
    codebook = survey_codebook(analysis.survey, rules=analysis.rules)
    frame = microdata_frame(analysis, codebook)
    _report(progress, 70, "microdata")
    return frame, codebook


def _build_csv(analysis, progress: Progress) -> bytes:
    frame, _codebook = _microdata(analysis, progress)
    return microdata_csv(frame)


def _build_sav(analysis, progress: Progress) -> bytes:
    frame, codebook = _microdata(analysis, progress)
    return microdata_sav(frame, codebook, file_label=_file_label(analysis))


def _build_dta(analysis, progress: Progress) -> bytes:
    frame, codebook = _microdata(analysis, progress)
    return microdata_dta(frame, codebook, file_label=_file_label(analysis))


def _build_codebook(analysis, progress: Progress) -> bytes:
    return codebook_csv(survey_codebook(analysis.survey, rules=analysis.rules))


EXPORT_BUILDERS: dict[str, ExportBuilder] = {
    builder.kind: builder
    for builder in (
        ExportBuilder(
            "report_xlsx",
            gettext_lazy("Report (XLSX: rates, breakdowns, margin fit, methodology, codebook)"),
            XLSX_TYPE,
            "report.xlsx",
            _build_report,
        ),
        ExportBuilder(
            "microdata_csv",
            gettext_lazy("Microdata with weights (CSV, UTF-8)"),
            "text/csv; charset=utf-8",
            "microdata.csv",
            _build_csv,
        ),
        ExportBuilder(
            "microdata_sav",
            gettext_lazy("Microdata with weights (SPSS .sav)"),
            "application/x-spss-sav",
            "microdata.sav",
            _build_sav,
        ),
        ExportBuilder(
            "microdata_dta",
            gettext_lazy("Microdata with weights (Stata .dta)"),
            "application/x-stata-dta",
            "microdata.dta",
            _build_dta,
        ),
        ExportBuilder(
            "codebook_csv",
            gettext_lazy("Codebook (CSV)"),
            "text/csv; charset=utf-8",
            "codebook.csv",
            _build_codebook,
        ),
    )
}
