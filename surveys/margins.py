"""Population margins: parse and validate a ``variable,category,value`` table.

Pure Python (no Django, no ORM) so that the ``survey_weigh`` command, the ``survey_margins``
command and the admin upload all apply the same rules:

* the header has the columns ``variable``, ``category`` and ``value`` (others are ignored);
* every value is a positive finite number, every (variable, category) pair appears once;
* per variable, the values are either shares that sum to 1 (±1e-9) or positive counts; all
  variables given as counts must describe the same population (equal totals, ±1e-9 relative);
* with ``expected_categories`` (e.g. a questionnaire's codes), every expected variable is
  present with exactly the expected categories.

Problems are collected (not just the first) and raised together as :class:`MarginsError`; each
:class:`MarginProblem` has a machine code, the variable, the category and the CSV line, so a
caller can show its own translated text.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO

__all__ = [
    "SHARE_TOLERANCE",
    "MarginProblem",
    "MarginsError",
    "PopulationMargins",
    "parse_margins_csv",
    "validate_margin_rows",
]

SHARE_TOLERANCE = 1e-9
REQUIRED_COLUMNS = ("variable", "category", "value")


@dataclass(frozen=True)
class MarginProblem:
    code: str
    message: str
    variable: str | None = None
    category: str | None = None
    line: int | None = None


class MarginsError(ValueError):
    """The margins table is unusable; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[MarginProblem]):
        self.problems = list(problems)
        shown = [p.message for p in self.problems[:20]]
        if len(self.problems) > 20:
            shown.append(f"… and {len(self.problems) - 20} more problems")
        super().__init__("\n".join(shown))


@dataclass(frozen=True)
class PopulationMargins:
    """Validated margins: the values as given, each variable's kind, and the total."""

    values: dict[str, dict[str, float]]
    kinds: dict[str, str]  # variable -> "share" or "count"
    population_total: float | None  # the counts' total; None when every variable is shares

    @property
    def variables(self) -> list[str]:
        return list(self.values)

    def shares(self) -> dict[str, dict[str, float]]:
        return {
            variable: {c: v / sum(table.values()) for c, v in table.items()}
            for variable, table in self.values.items()
        }

    def rows(self) -> list[tuple[str, str, float]]:
        return [(v, c, x) for v, table in self.values.items() for c, x in table.items()]


def _fmt(number: float) -> str:
    return f"{number:,.10g}"


def validate_margin_rows(
    rows: Iterable[tuple[int | None, object, object, object]],
    *,
    expected_categories: Mapping[str, Sequence[str]] | None = None,
) -> PopulationMargins:
    """Validate ``(line, variable, category, value)`` rows; see the module docstring."""
    problems: list[MarginProblem] = []
    values: dict[str, dict[str, float]] = {}
    lines: dict[tuple[str, str], int | None] = {}
    for line, raw_variable, raw_category, raw_value in rows:
        variable = "" if raw_variable is None else str(raw_variable).strip()
        category = "" if raw_category is None else str(raw_category).strip()
        where = f" (line {line})" if line is not None else ""
        if not variable:
            problems.append(
                MarginProblem("missing_variable", f"A row has no variable{where}.", line=line)
            )
            continue
        if not category:
            problems.append(
                MarginProblem(
                    "missing_category",
                    f"A row for variable '{variable}' has no category{where}.",
                    variable,
                    None,
                    line,
                )
            )
            continue
        text = "" if raw_value is None else str(raw_value).strip()
        try:
            value = float(text)
        except ValueError:
            problems.append(
                MarginProblem(
                    "not_a_number",
                    f"The value {text!r} for {variable} = '{category}'{where} is not a number.",
                    variable,
                    category,
                    line,
                )
            )
            continue
        if not math.isfinite(value) or value <= 0:
            problems.append(
                MarginProblem(
                    "not_positive",
                    f"The value for {variable} = '{category}'{where} is {text}; population "
                    "counts and shares must be positive (remove or collapse an empty category).",
                    variable,
                    category,
                    line,
                )
            )
            continue
        if (variable, category) in lines:
            first = lines[(variable, category)]
            problems.append(
                MarginProblem(
                    "duplicate",
                    f"{variable} = '{category}' appears twice{where}"
                    + (f"; first on line {first}." if first is not None else "."),
                    variable,
                    category,
                    line,
                )
            )
            continue
        lines[(variable, category)] = line
        values.setdefault(variable, {})[category] = value

    if not values and not problems:
        problems.append(MarginProblem("empty", "The margins table has no rows."))

    kinds: dict[str, str] = {}
    totals: dict[str, float] = {}
    for variable, table in values.items():
        total = math.fsum(table.values())
        if abs(total - 1.0) <= SHARE_TOLERANCE:
            kinds[variable] = "share"
        elif all(v <= 1.0 for v in table.values()):
            problems.append(
                MarginProblem(
                    "shares_do_not_sum_to_one",
                    f"The shares for '{variable}' sum to {total:.12g}, not 1 (±1e-9).",
                    variable,
                )
            )
        else:
            kinds[variable] = "count"
            totals[variable] = total

    if totals:
        first_variable, first_total = next(iter(totals.items()))
        for variable, total in totals.items():
            if abs(total - first_total) > SHARE_TOLERANCE * first_total:
                problems.append(
                    MarginProblem(
                        "totals_differ",
                        f"The population counts for '{variable}' sum to {_fmt(total)}, but those "
                        f"for '{first_variable}' sum to {_fmt(first_total)}. All margins must "
                        "describe the same population; give shares or consistent counts.",
                        variable,
                    )
                )

    if expected_categories is not None:
        for variable, categories in expected_categories.items():
            given = values.get(variable)
            if given is None:
                problems.append(
                    MarginProblem(
                        "variable_missing",
                        f"There are no margins for the weighting variable '{variable}'.",
                        variable,
                    )
                )
                continue
            expected = [str(c) for c in categories]
            for category in expected:
                if category not in given:
                    problems.append(
                        MarginProblem(
                            "category_missing",
                            f"{variable} = '{category}' has no population value; every "
                            "category of the variable needs one.",
                            variable,
                            category,
                        )
                    )
            for category in given:
                if category not in expected:
                    problems.append(
                        MarginProblem(
                            "unknown_category",
                            f"'{category}' is not a category of '{variable}' (expected one of: "
                            f"{', '.join(expected)}).",
                            variable,
                            category,
                            lines.get((variable, category)),
                        )
                    )
        for variable in values:
            if variable not in expected_categories:
                problems.append(
                    MarginProblem(
                        "unknown_variable",
                        f"'{variable}' is not a weighting variable of this survey (expected: "
                        f"{', '.join(expected_categories)}).",
                        variable,
                    )
                )

    if problems:
        raise MarginsError(problems)
    return PopulationMargins(
        values=values,
        kinds=kinds,
        population_total=next(iter(totals.values())) if totals else None,
    )


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 as saved by Excel on Chinese Windows."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise MarginsError(
        [MarginProblem("encoding", "The margins file is neither UTF-8 nor GB18030 text.")]
    )


def parse_margins_csv(
    source: str | bytes | IO[str] | IO[bytes],
    *,
    expected_categories: Mapping[str, Sequence[str]] | None = None,
) -> PopulationMargins:
    """Read a margins CSV (text, bytes or an open file; UTF-8, with or without BOM, or GB18030)."""
    if hasattr(source, "read"):
        source = source.read()
    if isinstance(source, bytes):
        source = _decode(source)
    text = source.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise MarginsError([MarginProblem("empty", "The margins file is empty.")]) from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise MarginsError(
            [
                MarginProblem(
                    "bad_header",
                    "The margins file needs the columns variable, category, value; "
                    f"missing: {', '.join(missing)} (header: {', '.join(header)}).",
                )
            ]
        )
    index = [names.index(c) for c in REQUIRED_COLUMNS]

    def rows():
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            cells = [record[i] if i < len(record) else "" for i in index]
            yield (number, *cells)

    return validate_margin_rows(rows(), expected_categories=expected_categories)
