"""Survey weighting: raking (iterative proportional fitting), post-stratification and trimming.

Pure numpy/pandas; no Django, no ORM. Results match R's ``survey`` package (``rake``,
``postStratify``, ``trimWeights``); docs/methodology.md gives the formulas and a worked example.

Speed: raking depends on the data only through the total design weight of each cell of the
cross-classification of the weighting variables. The engine therefore makes one pass over the
rows to give each respondent a cell number and sum the design weights per cell, iterates on a few
dozen cell totals, and makes one more pass to hand each respondent its cell's factor. Columns of
pandas ``category`` dtype are used through their codes without looking at the strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Literal

import numpy as np
import pandas as pd

__all__ = [
    "Calibration",
    "DEFAULT_MAX_WEIGHT_SHARE",
    "DEFAULT_MIN_CATEGORY_N",
    "DEFAULT_WEIGHT_TOL",
    "ConvergenceError",
    "WeightingDiagnostics",
    "WeightingError",
    "WeightingResult",
    "SmallCategoryError",
    "category_labels",
    "kish_effective_n",
    "poststratify_weights",
    "rake_weights",
    "scale_weights",
    "trim_weights",
    "write_weights_csv",
]

Scale = Literal["n", "population"]

#: R's ``svyrecvar`` removes the raking margins from the linearized variable by 10 sweeps of
#: alternating projections; rates.py does the same so standard errors agree with R's digits.
R_RAKING_VARIANCE_SWEEPS = 10

#: Fewest respondents a weighting category may have (docs/methodology.md, "Small weighting
#: cells"): below it the calibration residuals of the category are (nearly) zero and the
#: standard error ignores the category's uncertainty.
DEFAULT_MIN_CATEGORY_N = 20
#: Largest share of the total weight one respondent may carry.
DEFAULT_MAX_WEIGHT_SHARE = 0.05
#: Raking also stops only when no weight changed by more than this (relative) in the last sweep.
DEFAULT_WEIGHT_TOL = 1e-13


class WeightingError(ValueError):
    """Input that cannot be weighted. ``code``, ``variable`` and ``category`` name the cause."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        variable: str | None = None,
        category: str | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.variable = variable
        self.category = category


class ConvergenceError(WeightingError):
    """Raking or trimming did not reach its tolerance; ``diagnostics`` says how far it got."""

    def __init__(
        self,
        message: str,
        *,
        diagnostics: WeightingDiagnostics,
        variable: str | None = None,
        category: str | None = None,
    ):
        super().__init__(message, code="not_converged", variable=variable, category=category)
        self.diagnostics = diagnostics


@dataclass(frozen=True)
class WeightingDiagnostics:
    method: str  # "raking" or "poststratification"
    iterations: int  # full sweeps over all margins in the final calibration
    max_margin_error: float  # max |weighted share - target share| over all margin categories
    converged: bool
    trimmed: int = 0  # respondents whose weight was capped or floored in any trimming round
    trim_rounds: int = 0
    tolerance: float | None = None  # the margin tolerance used (share units)
    weight_tolerance: float | None = None  # the weight-change tolerance used (relative)
    max_weight_change: float | None = None  # largest relative change of a weight, last sweep

    def as_dict(self) -> dict:
        return {
            "method": self.method,
            "iterations": self.iterations,
            "max_margin_error": self.max_margin_error,
            "converged": self.converged,
            "trimmed": self.trimmed,
            "trim_rounds": self.trim_rounds,
            "tolerance": self.tolerance,
            "weight_tolerance": self.weight_tolerance,
            "max_weight_change": self.max_weight_change,
        }


@dataclass(frozen=True)
class Calibration:
    """What the linearized variance needs to know about the weighting (see rates.py).

    ``cells`` gives each respondent's cell of the cross-classification of the weighting
    variables; ``margin_maps[m][c]`` is the category (0..margin_sizes[m]-1) of margin ``m`` that
    cell ``c`` belongs to. For raking, the variance removes the margins by ``sweeps`` sweeps of
    unweighted within-category centring (R: ``svyrecvar`` on a ``rake()``d design); for
    post-stratification by one centring weighted by the weights before post-stratification
    (``mean_weights``, R: ``attr(, "oldweights")``).
    """

    kind: str
    cells: np.ndarray
    n_cells: int
    margin_maps: tuple[np.ndarray, ...]
    margin_sizes: tuple[int, ...]
    sweeps: int
    mean_weights: np.ndarray | None = None


@dataclass(frozen=True)
class MarginFit:
    variable: str
    category: str
    respondents: int
    target_share: float
    unweighted_share: float
    weighted_share: float


@dataclass(frozen=True)
class WeightingResult:
    weights: np.ndarray  # one per input row, in input order
    diagnostics: WeightingDiagnostics
    calibration: Calibration
    population_total: float | None
    margin_fit: tuple[MarginFit, ...] = field(default=())

    @property
    def n(self) -> int:
        return int(self.weights.shape[0])

    def margin_fit_frame(self) -> pd.DataFrame:
        return pd.DataFrame([fit.__dict__ for fit in self.margin_fit])


# --------------------------------------------------------------------------------------------
# Categories
# --------------------------------------------------------------------------------------------


def category_labels(values: Sequence[object]) -> list[str]:
    """Text labels for category values as they appear in a margins CSV (1.0 -> "1")."""
    labels = []
    for value in values:
        if isinstance(value, float | np.floating) and float(value).is_integer():
            labels.append(str(int(value)))
        else:
            labels.append(str(value).strip())
    return labels


def _is_missing_label(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating) and np.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _codes_for_variable(
    data: pd.DataFrame,
    variable: str,
    categories: Sequence[str],
    collapse: Mapping[str, str],
    *,
    check_counts: bool = True,
) -> np.ndarray:
    """Map a column to integer codes 0..len(categories)-1, with errors naming the cause."""
    if variable not in data.columns:
        raise WeightingError(
            f"Weighting variable '{variable}' is not a column of the responses.",
            code="unknown_variable",
            variable=variable,
        )
    column = data[variable]
    if isinstance(column.dtype, pd.CategoricalDtype):
        raw_codes = column.cat.codes.to_numpy()
        uniques = list(column.cat.categories)
    else:
        raw_codes, uniques_index = pd.factorize(column, use_na_sentinel=True)
        uniques = list(uniques_index)
    missing_unique = [i for i, value in enumerate(uniques) if _is_missing_label(value)]
    missing_mask = raw_codes < 0
    for i in missing_unique:
        missing_mask |= raw_codes == i
    if missing_mask.any():
        rows = np.flatnonzero(missing_mask)
        shown = ", ".join(str(int(r) + 1) for r in rows[:5])
        more = "…" if rows.size > 5 else ""
        raise WeightingError(
            f"Weighting variable '{variable}' is missing for {rows.size} respondent(s) "
            f"(data rows {shown}{more}). Give them a category (or drop them) before weighting.",
            code="missing_value",
            variable=variable,
        )
    position = {label: i for i, label in enumerate(categories)}
    lookup = np.full(len(uniques) + 1, -1, dtype=np.int64)
    for i, label in enumerate(category_labels(uniques)):
        if i in missing_unique:
            continue
        label = collapse.get(label, label)
        if label not in position:
            count = int(np.count_nonzero(raw_codes == i))
            if count == 0:
                continue  # an unused categorical level
            raise WeightingError(
                f"{count} respondent(s) have {variable} = '{label}', but the population margins "
                f"for '{variable}' have no category '{label}'.",
                code="category_without_population",
                variable=variable,
                category=label,
            )
        lookup[i] = position[label]
    codes = lookup[raw_codes]
    if check_counts:
        _check_category_counts(variable, categories, np.bincount(codes, minlength=len(categories)))
    return codes


class SmallCategoryError(WeightingError):
    """A weighting category has fewer respondents than the minimum; ``count``, ``minimum`` and
    ``neighbour`` (a suggested category to merge it into) say by how much and what to do."""

    def __init__(
        self,
        message: str,
        *,
        variable: str,
        category: str,
        count: int,
        minimum: int,
        neighbour: str | None,
    ):
        super().__init__(message, code="category_too_small", variable=variable, category=category)
        self.count = count
        self.minimum = minimum
        self.neighbour = neighbour


def _check_category_counts(
    variable: str,
    categories: Sequence[str],
    counts: np.ndarray,
    minimum: int | None = None,
) -> None:
    for j, label in enumerate(categories):
        if counts[j] == 0:
            raise WeightingError(
                f"No respondent has {variable} = '{label}', but the population margins include "
                f"it. Collapse '{label}' into a neighbouring category or collect more responses.",
                code="category_without_respondents",
                variable=variable,
                category=label,
            )
    if not minimum:
        return
    for j, label in enumerate(categories):
        if counts[j] < minimum:
            neighbour = _neighbour(categories, counts, j)
            hint = (
                f" (e.g. --collapse {variable}:{label}={neighbour})"
                if neighbour is not None
                else ""
            )
            raise SmallCategoryError(
                f"Only {int(counts[j])} respondent(s) have {variable} = '{label}'; a weighting "
                f"category needs at least {minimum}. Collapse '{label}' into a neighbouring "
                f"category for weighting{hint}, or override with a stated reason.",
                variable=variable,
                category=label,
                count=int(counts[j]),
                minimum=int(minimum),
                neighbour=neighbour,
            )


def _neighbour(categories: Sequence[str], counts: np.ndarray, j: int) -> str | None:
    """The adjacent category (in the margins' order) with more respondents, if any."""
    options = [i for i in (j - 1, j + 1) if 0 <= i < len(categories)]
    if not options:
        return None
    return categories[max(options, key=lambda i: counts[i])]


def _normalise_margins(
    margins: Mapping[str, Mapping[str, float]],
    collapse: Mapping[str, Mapping[str, str]],
) -> dict[str, dict[str, float]]:
    """Apply the collapse map and turn each variable's values into shares summing to 1."""
    if not margins:
        raise WeightingError("No weighting variables were given.", code="no_margins")
    result: dict[str, dict[str, float]] = {}
    for variable, table in margins.items():
        merge = collapse.get(variable, {})
        merged: dict[str, float] = {}
        for category, value in table.items():
            label = str(category).strip()
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = float("nan")
            if not np.isfinite(number) or number <= 0:
                raise WeightingError(
                    f"Population margin for {variable} = '{label}' must be a positive number, "
                    f"not {value!r}.",
                    code="bad_margin_value",
                    variable=variable,
                    category=label,
                )
            target = merge.get(label, label)
            merged[target] = merged.get(target, 0.0) + number
        original = {str(category).strip() for category in table}
        for source, target in merge.items():
            if target not in original or target in merge:
                raise WeightingError(
                    f"Cannot collapse {variable} = '{source}' into '{target}': the margins for "
                    f"'{variable}' have no category '{target}'.",
                    code="bad_collapse",
                    variable=variable,
                    category=target,
                )
        total = sum(merged.values())
        result[str(variable)] = {label: value / total for label, value in merged.items()}
    return result


def _design_weights(data: pd.DataFrame, design_weights: object) -> np.ndarray | None:
    if design_weights is None:
        return None
    if isinstance(design_weights, str):
        if design_weights not in data.columns:
            raise WeightingError(
                f"Design weight column '{design_weights}' is not a column of the responses.",
                code="unknown_variable",
                variable=design_weights,
            )
        design_weights = pd.to_numeric(data[design_weights], errors="coerce")
    d = np.asarray(design_weights, dtype=np.float64)
    if d.shape != (len(data),):
        raise WeightingError(
            f"There are {d.size} design weights for {len(data)} respondents.",
            code="bad_design_weights",
        )
    bad = ~np.isfinite(d) | (d <= 0)
    if bad.any():
        rows = np.flatnonzero(bad)
        shown = ", ".join(f"{int(r) + 1} ({float(d[r])!r})" for r in rows[:5])
        raise WeightingError(
            f"Design weights must be positive finite numbers; {rows.size} are not "
            f"(data rows {shown}).",
            code="bad_design_weights",
        )
    return d


# --------------------------------------------------------------------------------------------
# Iterative proportional fitting on cell totals
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    variables: tuple[str, ...]  # columns used to build cells
    cells: np.ndarray  # per row, int64
    n_cells: int
    cell_counts: np.ndarray  # respondents per cell (float)
    margin_maps: tuple[np.ndarray, ...]  # per margin: cell -> category
    margin_sizes: tuple[int, ...]
    targets: tuple[np.ndarray, ...]  # per margin: target shares
    margin_names: tuple[str, ...]
    margin_categories: tuple[tuple[str, ...], ...]


def _ipf(
    cell_totals: np.ndarray,
    layout: _Layout,
    *,
    total: float,
    tol: float,
    max_iter: int,
    weight_tol: float = DEFAULT_WEIGHT_TOL,
) -> tuple[np.ndarray, int, float, bool, float]:
    """Return the per-cell factor, sweeps done, max margin error (share units), converged and
    the largest relative change of a weight in the last sweep.

    Every weight is its start weight times its cell's factor, so the largest relative change of
    any weight is the largest relative change of the factor of an occupied cell. Raking stops
    when the margins are within ``tol`` *and* no weight moved by more than ``weight_tol``.
    """
    factor = np.ones(layout.n_cells)
    occupied = cell_totals > 0
    targets = [t * total for t in layout.targets]
    error = np.inf
    change = np.inf
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        before = factor[occupied].copy()
        for cmap, size, target in zip(
            layout.margin_maps, layout.margin_sizes, targets, strict=True
        ):
            achieved = np.bincount(cmap, weights=cell_totals * factor, minlength=size)
            factor *= (target / achieved)[cmap]
        change = float(np.max(np.abs(factor[occupied] / before - 1.0))) if before.size else 0.0
        error = _max_margin_error(cell_totals * factor, layout)
        if error <= tol and change <= weight_tol:
            return factor, iterations, error, True, change
    return factor, iterations, error, False, change


def _max_margin_error(weighted_cells: np.ndarray, layout: _Layout) -> float:
    total = weighted_cells.sum()
    worst = 0.0
    for cmap, size, target in zip(
        layout.margin_maps, layout.margin_sizes, layout.targets, strict=True
    ):
        shares = np.bincount(cmap, weights=weighted_cells, minlength=size) / total
        worst = max(worst, float(np.max(np.abs(shares - target))))
    return worst


def trim_weights(
    weights: np.ndarray, *, upper: float = np.inf, lower: float = -np.inf
) -> tuple[np.ndarray, np.ndarray]:
    """Cap weights at ``upper`` and raise them to ``lower``, as R ``survey::trimWeights``.

    The weight cut off (or added) is shared out equally among the weights that were inside the
    bounds, so the total is kept. Returns the new weights and the mask of trimmed weights.
    """
    w = np.asarray(weights, dtype=np.float64)
    outside = (w < lower) | (w > upper)
    if not outside.any():
        return w.copy(), outside
    if outside.all():
        raise WeightingError(
            "Every weight lies outside the trimming bounds; widen the cap or the floor.",
            code="trim_infeasible",
        )
    new = np.clip(w, lower, upper)
    new[~outside] += (w - new).sum() / np.count_nonzero(~outside)
    return new, outside


def scale_weights(weights: np.ndarray, *, total: float) -> np.ndarray:
    """Multiply weights so that they sum to ``total``."""
    w = np.asarray(weights, dtype=np.float64)
    return w * (total / w.sum())


def kish_effective_n(weights: np.ndarray) -> float:
    """Kish's effective sample size (sum w)^2 / sum w^2."""
    w = np.asarray(weights, dtype=np.float64)
    return float(w.sum() ** 2 / np.dot(w, w))


def _calibrate(
    layout: _Layout,
    *,
    kind: str,
    n: int,
    design: np.ndarray | None,
    tol: float,
    max_iter: int,
    trim_cap: float | None,
    trim_floor: float | None,
    trim_tol: float,
    max_trim_rounds: int,
    scale: Scale,
    population_total: float | None,
    strict: bool,
    weight_tol: float = DEFAULT_WEIGHT_TOL,
    max_weight_share: float | None = None,
) -> WeightingResult:
    if scale == "population" and population_total is None:
        raise WeightingError(
            "Weights can be scaled to the population only when the margins give counts; "
            "these margins are all shares.",
            code="no_population_total",
        )
    if scale not in ("n", "population"):
        raise WeightingError(f"Unknown scale {scale!r}; use 'n' or 'population'.", code="bad_scale")
    for name, value in (("trim cap", trim_cap), ("trim floor", trim_floor)):
        if value is not None and (not np.isfinite(value) or value <= 0):
            raise WeightingError(f"The {name} must be a positive number.", code="bad_trim")
    if trim_cap is not None and trim_cap <= 1:
        raise WeightingError(
            "The trim cap is a multiple of the mean weight and must be greater than 1.",
            code="bad_trim",
        )
    if trim_floor is not None and trim_floor >= 1:
        raise WeightingError(
            "The trim floor is a multiple of the mean weight and must be less than 1.",
            code="bad_trim",
        )

    last_change = [np.inf]

    def run(start: np.ndarray | None) -> tuple[np.ndarray, int, float, bool, np.ndarray]:
        if start is None:
            cell_totals = layout.cell_counts
        else:
            cell_totals = np.bincount(layout.cells, weights=start, minlength=layout.n_cells)
        factor, iterations, error, converged, change = _ipf(
            cell_totals, layout, total=float(n), tol=tol, max_iter=max_iter, weight_tol=weight_tol
        )
        last_change[0] = change
        cell_factor = factor[layout.cells]
        w = cell_factor if start is None else start * cell_factor
        return w, iterations, error, converged, cell_totals * factor

    start = design
    w, iterations, error, converged, weighted_cells = run(start)
    trimmed = np.zeros(n, dtype=bool)
    rounds = 0
    if converged and (trim_cap is not None or trim_floor is not None):
        upper = np.inf if trim_cap is None else trim_cap
        lower = -np.inf if trim_floor is None else trim_floor
        while True:
            mean = w.mean()
            if not (
                (w > upper * mean * (1 + trim_tol)) | (w < lower * mean * (1 - trim_tol))
            ).any():
                break
            if rounds >= max_trim_rounds:
                diagnostics = WeightingDiagnostics(
                    kind,
                    iterations,
                    error,
                    False,
                    int(trimmed.sum()),
                    rounds,
                    tol,
                    weight_tol,
                    last_change[0],
                )
                bounds = " and ".join(
                    text
                    for text, value in (
                        (f"a cap of {trim_cap}", trim_cap),
                        (f"a floor of {trim_floor}", trim_floor),
                    )
                    if value is not None
                )
                raise ConvergenceError(
                    f"Trimming did not stabilise after {rounds} rounds of trimming and "
                    f"re-weighting: the margins need weights beyond {bounds} times the mean "
                    "weight. Widen the bounds or collapse small categories.",
                    diagnostics=diagnostics,
                )
            start, outside = trim_weights(w, upper=upper * mean, lower=lower * mean)
            trimmed |= outside
            rounds += 1
            w, iterations, error, converged, weighted_cells = run(start)
            if not converged:
                break
    diagnostics = WeightingDiagnostics(
        kind,
        iterations,
        error,
        converged,
        int(trimmed.sum()),
        rounds,
        tol,
        weight_tol,
        last_change[0],
    )
    if not converged and strict:
        worst = _worst_margin(layout, weighted_cells)
        raise ConvergenceError(
            f"{'Raking' if kind == 'raking' else 'Post-stratification'} did not converge: after "
            f"{iterations} iterations a weighted margin is still {error:.3g} (as a share) off its "
            f"target (tolerance {tol:g}) and the weights still change by {last_change[0]:.3g} "
            f"(tolerance {weight_tol:g}). The margins may be inconsistent with the sample, "
            "e.g. a combination of categories that no respondent has; collapse categories or "
            f"check the margins. The worst fit is {worst[0]} = '{worst[1]}'.",
            diagnostics=diagnostics,
            variable=worst[0],
            category=worst[1],
        )
    if max_weight_share is not None:
        _check_weight_share(w, layout, max_weight_share)
    if scale == "population":
        w = scale_weights(w, total=float(population_total))
    else:
        w = scale_weights(w, total=float(n))

    calibration = Calibration(
        kind=kind,
        cells=layout.cells,
        n_cells=layout.n_cells,
        margin_maps=layout.margin_maps,
        margin_sizes=layout.margin_sizes,
        sweeps=R_RAKING_VARIANCE_SWEEPS if kind == "raking" else 1,
        mean_weights=(np.ones(n) if start is None else start) if kind != "raking" else None,
    )
    return WeightingResult(
        weights=w,
        diagnostics=diagnostics,
        calibration=calibration,
        population_total=population_total,
        margin_fit=_margin_fit(layout, weighted_cells),
    )


def _worst_margin(layout: _Layout, weighted: np.ndarray) -> tuple[str, str]:
    """The margin category whose weighted share is furthest from its target."""
    total = weighted.sum()
    best = (-1.0, "", "")
    for name, cats, cmap, size, target in zip(
        layout.margin_names,
        layout.margin_categories,
        layout.margin_maps,
        layout.margin_sizes,
        layout.targets,
        strict=True,
    ):
        gaps = np.abs(np.bincount(cmap, weights=weighted, minlength=size) / total - target)
        j = int(np.argmax(gaps))
        if gaps[j] > best[0]:
            best = (float(gaps[j]), name, cats[j])
    return best[1], best[2]


def _check_weight_share(w: np.ndarray, layout: _Layout, limit: float) -> None:
    """Refuse weights where one respondent carries more than ``limit`` of the total."""
    heaviest = int(np.argmax(w))
    share = float(w[heaviest] / w.sum())
    if share <= limit:
        return
    cell = int(layout.cells[heaviest])
    # Name the respondent's categories; the one with the fewest respondents is the likely cause.
    named = []
    for name, cats, cmap, size in zip(
        layout.margin_names,
        layout.margin_categories,
        layout.margin_maps,
        layout.margin_sizes,
        strict=True,
    ):
        j = int(cmap[cell])
        count = int(round(np.bincount(cmap, weights=layout.cell_counts, minlength=size)[j]))
        named.append((count, name, cats[j]))
    count, variable, category = min(named)
    described = ", ".join(f"{name} = '{label}'" for _count, name, label in named)
    raise WeightingError(
        f"One respondent ({described}) carries {share:.1%} of the total weight; the limit is "
        f"{limit:.1%}. {variable} = '{category}' has only {count} respondent(s): collapse it "
        "into a neighbouring category for weighting, trim the weights, or override with a "
        "stated reason.",
        code="weight_share_too_large",
        variable=variable,
        category=category,
    )


def _margin_fit(layout: _Layout, weighted: np.ndarray) -> tuple[MarginFit, ...]:
    counts = layout.cell_counts
    rows = []
    for name, cats, cmap, size, target in zip(
        layout.margin_names,
        layout.margin_categories,
        layout.margin_maps,
        layout.margin_sizes,
        layout.targets,
        strict=True,
    ):
        n_by = np.bincount(cmap, weights=counts, minlength=size)
        w_by = np.bincount(cmap, weights=weighted, minlength=size)
        for j, category in enumerate(cats):
            rows.append(
                MarginFit(
                    variable=name,
                    category=category,
                    respondents=int(round(n_by[j])),
                    target_share=float(target[j]),
                    unweighted_share=float(n_by[j] / counts.sum()),
                    weighted_share=float(w_by[j] / weighted.sum()),
                )
            )
    return tuple(rows)


def _population_total(
    margins: Mapping[str, Mapping[str, float]], population_total: float | None
) -> float | None:
    if population_total is not None:
        if not np.isfinite(population_total) or population_total <= 0:
            raise WeightingError(
                "The population total must be a positive number.", code="bad_population_total"
            )
        return float(population_total)
    totals = [sum(float(v) for v in table.values()) for table in margins.values()]
    counts = [t for t in totals if abs(t - 1.0) > 1e-9]
    return float(counts[0]) if counts else None


def rake_weights(
    data: pd.DataFrame,
    margins: Mapping[str, Mapping[str, float]],
    *,
    design_weights: str | np.ndarray | pd.Series | None = None,
    tol: float = 1e-10,
    max_iter: int = 1000,
    trim_cap: float | None = None,
    trim_floor: float | None = None,
    trim_tol: float = 1e-6,
    max_trim_rounds: int = 100,
    scale: Scale = "n",
    population_total: float | None = None,
    collapse: Mapping[str, Mapping[str, str]] | None = None,
    strict: bool = True,
    weight_tol: float = DEFAULT_WEIGHT_TOL,
    min_category_n: int | None = None,
    max_weight_share: float | None = None,
) -> WeightingResult:
    """Rake design weights (default 1) to population margins by iterative proportional fitting.

    ``margins`` maps each weighting variable (a column of ``data``) to ``{category: value}``;
    values are population counts or shares (each variable is normalised to shares; validate
    uploaded margins with :mod:`surveys.margins` first). Raking stops when every weighted margin
    share is within ``tol`` of its target and no weight changed by more than ``weight_tol``
    (relative) in the last sweep, after at most ``max_iter`` sweeps; with ``strict`` a failure
    raises :class:`ConvergenceError`, otherwise ``diagnostics.converged`` is false.

    ``min_category_n`` refuses (:class:`SmallCategoryError`) a weighting category with fewer
    respondents; ``max_weight_share`` refuses weights where one respondent carries more than
    that share of the total. Both are off (None) here; the product's callers turn them on.

    ``trim_cap``/``trim_floor`` (multiples of the mean weight) trim as R ``trimWeights`` does and
    re-rake, repeatedly, until no weight is outside the bounds by more than ``trim_tol``
    (relative). ``collapse`` maps ``{variable: {category: merged_into}}`` in both the data and
    the margins. Weights are returned summing to n (``scale="n"``) or to the population total
    (``scale="population"``; the counts' total or ``population_total``).
    """
    collapse = collapse or {}
    shares = _normalise_margins(margins, collapse)
    total = _population_total(margins, population_total)
    n = len(data)
    if n == 0:
        raise WeightingError("There are no responses to weight.", code="no_responses")
    design = _design_weights(data, design_weights)
    names = tuple(shares)
    categories = tuple(tuple(table) for table in shares.values())
    sizes = tuple(len(c) for c in categories)
    n_cells = int(np.prod(sizes, dtype=np.int64))
    cells = np.zeros(n, dtype=np.int64)
    for name, cats in zip(names, categories, strict=True):
        codes = _codes_for_variable(data, name, cats, collapse.get(name, {}), check_counts=False)
        cells *= len(cats)
        cells += codes
    cell_counts = np.bincount(cells, minlength=n_cells).astype(np.float64)
    margin_maps = []
    stride = n_cells
    for name, cats, size in zip(names, categories, sizes, strict=True):
        stride //= size
        cmap = (np.arange(n_cells) // stride) % size
        _check_category_counts(
            name, cats, np.bincount(cmap, weights=cell_counts, minlength=size), min_category_n
        )
        margin_maps.append(cmap)
    layout = _Layout(
        variables=names,
        cells=cells,
        n_cells=n_cells,
        cell_counts=cell_counts,
        margin_maps=tuple(margin_maps),
        margin_sizes=sizes,
        targets=tuple(np.array(list(shares[name].values())) for name in names),
        margin_names=names,
        margin_categories=categories,
    )
    return _calibrate(
        layout,
        kind="raking",
        n=n,
        design=design,
        tol=tol,
        max_iter=max_iter,
        trim_cap=trim_cap,
        trim_floor=trim_floor,
        trim_tol=trim_tol,
        max_trim_rounds=max_trim_rounds,
        scale=scale,
        population_total=total,
        strict=strict,
        weight_tol=weight_tol,
        max_weight_share=max_weight_share,
    )


def poststratify_weights(
    data: pd.DataFrame,
    joint: pd.DataFrame,
    *,
    value_column: str = "value",
    design_weights: str | np.ndarray | pd.Series | None = None,
    trim_cap: float | None = None,
    trim_floor: float | None = None,
    trim_tol: float = 1e-6,
    max_trim_rounds: int = 100,
    scale: Scale = "n",
    population_total: float | None = None,
    collapse: Mapping[str, Mapping[str, str]] | None = None,
    min_category_n: int | None = None,
    max_weight_share: float | None = None,
) -> WeightingResult:
    """Post-stratify to a full joint population table (R ``survey::postStratify``).

    ``joint`` has one column per stratifying variable and ``value_column`` with the population
    count or share of each combination. Every combination that respondents have must be in the
    table and every combination in the table must have respondents (or be collapsed).
    """
    collapse = collapse or {}
    variables = [c for c in joint.columns if c != value_column]
    if value_column not in joint.columns or not variables:
        raise WeightingError(
            f"The joint table needs the stratifying variables and a '{value_column}' column.",
            code="bad_joint_table",
        )
    n = len(data)
    if n == 0:
        raise WeightingError("There are no responses to weight.", code="no_responses")
    design = _design_weights(data, design_weights)
    table = joint.copy()
    for variable in variables:
        labels = category_labels(list(table[variable]))
        merge = collapse.get(variable, {})
        table[variable] = [merge.get(label, label) for label in labels]
    values = pd.to_numeric(table[value_column], errors="coerce")
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        row = table[bad].iloc[0]
        label = " × ".join(f"{v} = '{row[v]}'" for v in variables)
        raise WeightingError(
            f"Population value for {label} must be a positive number, not "
            f"{joint.loc[row.name, value_column]!r}.",
            code="bad_margin_value",
            variable=variables[0],
            category=str(row[variables[0]]),
        )
    table[value_column] = values
    table = table.groupby(variables, sort=False, as_index=False)[value_column].sum()
    key_labels = [tuple(row) for row in table[variables].itertuples(index=False)]
    strata = ["\x1f".join(key) for key in key_labels]
    # Build one combined key per respondent and reuse the single-variable code path.
    combined = pd.Series([""] * n, index=data.index, dtype=object)
    for i, variable in enumerate(variables):
        if variable not in data.columns:
            raise WeightingError(
                f"Weighting variable '{variable}' is not a column of the responses.",
                code="unknown_variable",
                variable=variable,
            )
        column = data[variable]
        missing = column.isna() | (column.astype(str).str.strip() == "")
        if missing.any():
            raise WeightingError(
                f"Weighting variable '{variable}' is missing for {int(missing.sum())} "
                "respondent(s). Give them a category (or drop them) before weighting.",
                code="missing_value",
                variable=variable,
            )
        merge = collapse.get(variable, {})
        labels = pd.Series(category_labels(list(column)), index=data.index).map(
            lambda v, merge=merge: merge.get(v, v)
        )
        combined = labels if i == 0 else combined + "\x1f" + labels
    frame = pd.DataFrame({"__stratum__": combined.to_numpy()})
    try:
        codes = _codes_for_variable(frame, "__stratum__", strata, {})
        _check_category_counts(
            "__stratum__", strata, np.bincount(codes, minlength=len(strata)), min_category_n
        )
    except WeightingError as error:
        category = (error.category or "").split("\x1f")
        described = " × ".join(f"{v} = '{c}'" for v, c in zip(variables, category, strict=False))
        if error.code == "category_without_population":
            message = f"Respondents have {described}, which the joint population table lacks."
        elif isinstance(error, SmallCategoryError):
            raise SmallCategoryError(
                f"Only {error.count} respondent(s) have {described}; a post-stratification cell "
                f"needs at least {error.minimum}. Collapse categories or use raking.",
                variable=variables[0],
                category=category[0],
                count=error.count,
                minimum=error.minimum,
                neighbour=None,
            ) from None
        else:
            message = (
                f"No respondent has {described}, which the joint population table includes. "
                "Collapse categories or use raking."
            )
        raise WeightingError(
            message, code=error.code, variable=variables[0], category=category[0]
        ) from None
    shares = table[value_column].to_numpy(dtype=np.float64)
    total = population_total
    if total is None and abs(shares.sum() - 1.0) > 1e-9:
        total = float(shares.sum())
    size = len(strata)
    layout = _Layout(
        variables=tuple(variables),
        cells=codes.astype(np.int64),
        n_cells=size,
        cell_counts=np.bincount(codes, minlength=size).astype(np.float64),
        margin_maps=(np.arange(size),),
        margin_sizes=(size,),
        targets=(shares / shares.sum(),),
        margin_names=(" × ".join(variables),),
        margin_categories=(tuple(" × ".join(k) for k in key_labels),),
    )
    return _calibrate(
        layout,
        kind="poststratification",
        n=n,
        design=design,
        tol=1e-12,
        max_iter=10,
        trim_cap=trim_cap,
        trim_floor=trim_floor,
        trim_tol=trim_tol,
        max_trim_rounds=max_trim_rounds,
        scale=scale,
        population_total=total,
        strict=True,
        weight_tol=np.inf,
        max_weight_share=max_weight_share,
    )


def write_weights_csv(
    target: IO[str], ids: Sequence[object] | np.ndarray, weights: np.ndarray, *, id_header: str
) -> None:
    """Write ``<id_header>,weight`` rows; weights in shortest round-trip notation (exact)."""
    w = np.asarray(weights, dtype=np.float64)
    labels = [str(i) for i in ids]
    if len(labels) != w.size:
        raise WeightingError(
            f"There are {len(labels)} ids for {w.size} weights.", code="bad_weights_output"
        )
    if any(ch in "".join(labels) for ch in ',"\n\r'):
        labels = [_csv_field(label) for label in labels]
    target.write(f"{_csv_field(id_header)},weight\n")
    chunk = 200_000
    for start in range(0, w.size, chunk):
        values = map(repr, w[start : start + chunk].tolist())
        target.write(
            "\n".join(map(",".join, zip(labels[start : start + chunk], values, strict=True)))
        )
        target.write("\n")


def _csv_field(value: object) -> str:
    text = str(value)
    if any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text
