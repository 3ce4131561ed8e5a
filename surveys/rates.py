"""Weighted rates with linearization standard errors and logit confidence intervals.

Pure numpy/pandas; no Django, no ORM. For a binary indicator y (1, 0, or missing = not in the
rate's base) and weights w from :mod:`surveys.weighting`, each estimate reproduces what R prints
for a design ``d <- rake(svydesign(ids = ~1, weights = ~d0, data), ...)``:

* rate: ``svymean(~y, subset(d, !is.na(y)))`` (a ratio sum(w y) / sum(w));
* se: its Taylor-linearization standard error, the calibration margins removed from the
  linearized variable exactly as R's ``svyrecvar`` does for raked (or post-stratified) designs;
* ci_low/ci_high: ``svyciprop(~y, ..., method = "logit")``: the interval
  expit(logit(p) ± t(df) · se / (p (1 - p))) with df = n - 1 (n: respondents in the rate's base);
* kg_low/kg_high: ``svyciprop(~y, ..., method = "beta")``, the Korn–Graubard interval (see
  :func:`korn_graubard_ci`); for p = 0 or 1 the one-sided exact interval with n_eff = n;
* breakdowns: domain estimates on the whole weighted sample (rows outside the domain keep their
  place with zero weight). They equal ``svyby(~y, ~by, subset(d, !is.na(y)), svymean)`` and
  ``svyciprop``: the degrees of freedom are those of the domain's respondents *with an answer*.
  ``svyby(..., d, svyciprop, na.rm = TRUE)`` on the whole design takes them from the domain's
  respondents with or without an answer, so with missing answers R's interval there is a little
  narrower than ours; without missing answers the two are the same.
* presentation: the NCHS Data Presentation Standards for Proportions (Parker et al. 2017),
  :func:`nchs_presentation`, decide whether a rate is shown, shown with a flag or suppressed.

Everything is computed from sums per cell of the weighting cross-classification (and per
breakdown category), so the cost is a few passes over the rows however many domains there are.
See docs/methodology.md for the formulas.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np
import pandas as pd

from surveys.weighting import Calibration, category_labels, kish_effective_n

__all__ = [
    "RateEstimate",
    "RatesReport",
    "RateError",
    "estimate_rates",
    "PRESENTATION_STANDARDS",
    "beta_quantile",
    "indicator_from_values",
    "korn_graubard_ci",
    "nchs_presentation",
    "t_quantile",
    "weighted_rate",
]

DEFAULT_MIN_N = 5

#: Presentation standards a release can record: NCHS 2017 (the default) or none (every
#: estimate with n >= min_n shown, the behaviour before the standard was adopted).
NCHS_2017 = "nchs-2017"
PRESENTATION_STANDARDS = (NCHS_2017, "none")


class RateError(ValueError):
    """A rate that cannot be computed; the message names the rate or column."""


@dataclass(frozen=True)
class RateEstimate:
    rate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int  # respondents in the rate's base (non-missing indicator, in the domain)
    n_eff: float | None  # Kish: (sum w)^2 / sum w^2 over the base
    deff: float | None  # Kish's weighting effect n / n_eff (not the variance design effect)
    df: int  # degrees of freedom of the t quantile (n - 1)
    suppressed: bool = False  # nominal: fewer than min_n respondents, nothing estimated
    kg_low: float | None = None  # Korn–Graubard interval (svyciprop method = "beta")
    kg_high: float | None = None
    design_n_eff: float | None = None  # NCHS: p (1 - p) / se^2, at most n; n when p is 0 or 1
    presentation: str | None = None  # "show", "flag" or "suppress" (NCHS 2017)
    flags: tuple[str, ...] = ()  # reasons: see nchs_presentation

    def as_dict(self) -> dict:
        return {
            "rate": self.rate,
            "se": self.se,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "kg_low": self.kg_low,
            "kg_high": self.kg_high,
            "n": self.n,
            "df": self.df,
            "n_eff": self.n_eff,
            "deff": self.deff,
            "design_n_eff": self.design_n_eff,
            "suppressed": self.suppressed,
            "presentation": self.presentation,
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class RatesReport:
    n: int
    n_eff: float
    deff: float
    rates: dict[str, RateEstimate]
    breakdowns: dict[str, dict[str, dict[str, RateEstimate]]]

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "n_eff": self.n_eff,
            "deff": self.deff,
            "rates": {name: est.as_dict() for name, est in self.rates.items()},
            "breakdowns": {
                by: {
                    category: {name: est.as_dict() for name, est in per_rate.items()}
                    for category, per_rate in cells.items()
                }
                for by, cells in self.breakdowns.items()
            },
        }


# --------------------------------------------------------------------------------------------
# Student t quantile (R's qt) without scipy
# --------------------------------------------------------------------------------------------


def _log_gamma_ratio_half(a: float) -> float:
    """log Γ(a + 1/2) - log Γ(a), accurate also for very large a."""
    if a < 1000:
        return math.lgamma(a + 0.5) - math.lgamma(a)
    # Stirling series, differenced analytically to avoid cancellation.
    b = a + 0.5

    def series(z: float) -> float:
        return 1 / (12 * z) - 1 / (360 * z**3) + 1 / (1260 * z**5)

    return 0.5 * math.log(a) + (a * math.log1p(0.5 / a) - 0.5) + series(b) - series(a)


def _beta_cf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 200_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return h


def _t_upper_tail(t: float, df: float) -> tuple[float, float]:
    """P(T > t) for t >= 0, and the density at t."""
    a = df / 2.0
    ratio = t * t / df
    log_front = (
        _log_gamma_ratio_half(a)
        - math.lgamma(0.5)
        - a * math.log1p(ratio)
        + 0.5 * math.log(ratio / (1.0 + ratio))
    )
    front = math.exp(log_front)
    x = 1.0 / (1.0 + ratio)  # df / (df + t^2)
    y = ratio / (1.0 + ratio)  # t^2 / (df + t^2)
    if x < (a + 1.0) / (a + 2.5):
        incomplete = front * _beta_cf(a, 0.5, x) / a
    else:
        incomplete = 1.0 - front * _beta_cf(0.5, a, y) / 0.5
    log_density = (
        _log_gamma_ratio_half(a) - 0.5 * math.log(df * math.pi) - (a + 0.5) * math.log1p(ratio)
    )
    return 0.5 * incomplete, math.exp(log_density)


@lru_cache(maxsize=1024)
def t_quantile(p: float, df: float) -> float:
    """The p quantile of Student's t with df degrees of freedom (R ``qt(p, df)``)."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must be strictly between 0 and 1")
    if df <= 0 or math.isnan(df):
        return math.nan
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    if p == 0.5:
        return 0.0
    if math.isinf(df) or df > 1e12:
        return NormalDist().inv_cdf(p)
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    alpha = 1.0 - p
    z = NormalDist().inv_cdf(p)
    if df >= 20:
        # Cornish-Fisher expansion (Abramowitz & Stegun 26.7.5); from df = 1000 on it agrees
        # with R's qt to the last digit, below that Newton's method polishes it.
        z2 = z * z
        t = z * (
            1
            + (z2 + 1) / (4 * df)
            + (5 * z2**2 + 16 * z2 + 3) / (96 * df**2)
            + (3 * z2**3 + 19 * z2**2 + 17 * z2 - 15) / (384 * df**3)
            + (79 * z2**4 + 776 * z2**3 + 1482 * z2**2 - 1920 * z2 - 945) / (92160 * df**4)
        )
        if df >= 1000:
            return t
    else:
        t = z  # below the root: Newton on the convex tail rises monotonically
    previous = math.inf
    for _ in range(200):
        tail, density = _t_upper_tail(t, df)
        step = (tail - alpha) / density
        if abs(step) < 1e-12 * t and abs(step) >= previous:  # at the floating-point floor
            break
        t += step
        previous = abs(step)
        if abs(step) <= 1e-15 * t:
            break
    return t


# --------------------------------------------------------------------------------------------
# Beta quantile (R's qbeta) without scipy
# --------------------------------------------------------------------------------------------


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def beta_cdf(x: float, a: float, b: float) -> float:
    """The regularized incomplete beta function I_x(a, b) (R ``pbeta(x, a, b)``)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = a * math.log(x) + b * math.log1p(-x) - _log_beta(a, b)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_cf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_cf(b, a, 1.0 - x) / b


def beta_quantile(q: float, a: float, b: float) -> float:
    """The q quantile of the Beta(a, b) distribution (R ``qbeta(q, a, b)``).

    A shape of 0 puts all the mass at 0 (a = 0) or 1 (b = 0), as in R. The quantile is found by
    Newton's method on I_x(a, b) = q, kept inside a bisection bracket, to about 1e-14.
    """
    if not 0.0 <= q <= 1.0 or a < 0 or b < 0 or (a == 0 and b == 0):
        return math.nan
    if a == 0:
        return 0.0
    if b == 0:
        return 1.0
    if q == 0.0:
        return 0.0
    if q == 1.0:
        return 1.0
    mean = a / (a + b)
    sd = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1.0)))
    if a + b > 1e8:
        # lgamma of such shapes loses the digits the incomplete beta needs; here the
        # distribution is normal to within ~1e-8 (skewness < 2e-4 times sd < 5e-5).
        return min(max(mean + NormalDist().inv_cdf(q) * sd, 0.0), 1.0)
    log_b = _log_beta(a, b)
    # Start from the normal approximation, clipped inside (0, 1).
    x = min(max(mean + NormalDist().inv_cdf(q) * sd, 1e-300), 1.0 - 1e-16)
    low, high = 0.0, 1.0
    for _ in range(400):
        f = beta_cdf(x, a, b) - q
        if f == 0.0:
            return x
        if f < 0:
            low = x
        else:
            high = x
        log_density = (a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x) - log_b
        density = math.exp(log_density) if log_density < 700 else math.inf
        step = f / density if density > 0 else math.nan
        candidate = x - step
        if not (low < candidate < high) or not math.isfinite(candidate):
            candidate = 0.5 * (low + high)  # Newton left the bracket: bisect
        if abs(candidate - x) <= 1e-15 * max(x, 1e-300) or high - low <= 1e-16 * high:
            return candidate
        x = candidate
    return x


def korn_graubard_ci(
    p: float, se: float, *, n: int, df: int, n_rows: int | None = None, level: float = 0.95
) -> tuple[float | None, float | None]:
    """The Korn–Graubard interval, R ``svyciprop(method = "beta")``.

    With n_eff = p (1 - p) / se^2 · (t(n_rows - 1) / t(df))^2 (``n_rows``: R's
    ``nrow(design)``, the whole sample for a subset of a calibrated design),
    [qbeta(α/2, n_eff p, n_eff (1 - p) + 1), qbeta(1 - α/2, n_eff p + 1, n_eff (1 - p))].
    For p = 0 or 1 (se = 0, where R gives NaN) the one-sided exact (Clopper–Pearson) interval
    with n_eff = n, the respondents in the rate's base: [0, 1 - (α/2)^(1/n)] or its mirror.
    """
    alpha = 1.0 - level
    if n <= 0 or not math.isfinite(p):
        return None, None
    if p <= 0.0 or p >= 1.0 or se <= 0.0:
        if p <= 0.0:
            return 0.0, beta_quantile(1.0 - alpha / 2.0, 1.0, n)
        if p >= 1.0:
            return beta_quantile(alpha / 2.0, n, 1.0), 1.0
        return None, None
    if df <= 0 or not math.isfinite(se):
        return None, None
    rows = n if n_rows is None else n_rows
    n_eff = p * (1.0 - p) / (se * se)
    if rows > 1:
        ratio = t_quantile(1.0 - alpha / 2.0, rows - 1) / t_quantile(1.0 - alpha / 2.0, df)
        n_eff *= ratio * ratio
    low = beta_quantile(alpha / 2.0, n_eff * p, n_eff * (1.0 - p) + 1.0)
    high = beta_quantile(1.0 - alpha / 2.0, n_eff * p + 1.0, n_eff * (1.0 - p))
    return low, high


# --------------------------------------------------------------------------------------------
# NCHS Data Presentation Standards for Proportions (Parker et al., Vital Health Stat 2(175), 2017)
# --------------------------------------------------------------------------------------------

#: Thresholds of the standard: effective sample size, absolute and relative CI width, df.
NCHS_MIN_N_EFF = 30
NCHS_WIDTH_ALWAYS_SHOWN = 0.05
NCHS_MAX_WIDTH = 0.30
NCHS_MAX_RELATIVE_WIDTH = 1.30
NCHS_MIN_DF = 8


def nchs_design_n_eff(p: float, se: float, n: int) -> float:
    """NCHS effective sample size p (1 - p) / se^2, capped at n; n when p is 0 or 1."""
    if p <= 0.0 or p >= 1.0 or se <= 0.0:
        return float(n)
    return min(float(n), p * (1.0 - p) / (se * se))


def nchs_presentation(
    p: float | None,
    se: float | None,
    kg_low: float | None,
    kg_high: float | None,
    *,
    n: int,
    df: int,
) -> tuple[str, tuple[str, ...], float | None]:
    """(decision, flags, design n_eff) for one proportion under the NCHS 2017 standard.

    Suppress (flag ``n_eff``) when the effective sample size is below 30; otherwise show when
    the Korn–Graubard interval is at most 0.05 wide; otherwise suppress when it is 0.30 wide or
    more (``width``) or wider than 130% of p (``relative_width``). A shown rate is flagged
    ``complement`` when the interval is wider than 130% of 1 - p (in the 0.05–0.30 band),
    ``df`` when the degrees of freedom are below 8, ``zero_or_one`` when p is 0 or 1 (the
    interval is one-sided; NCHS asks for a statistical review). Decision: "show", "flag"
    (shown with a footnote) or "suppress".
    """
    if p is None or se is None or kg_low is None or kg_high is None or n <= 0:
        return "suppress", ("n_eff",), None
    n_eff = nchs_design_n_eff(p, se, n)
    if n_eff < NCHS_MIN_N_EFF:
        return "suppress", ("n_eff",), n_eff
    flags: list[str] = []
    extreme = p <= 0.0 or p >= 1.0
    width = kg_high - kg_low
    if extreme:
        flags.append("zero_or_one")
    elif width > NCHS_WIDTH_ALWAYS_SHOWN:
        if width >= NCHS_MAX_WIDTH:
            return "suppress", ("width",), n_eff
        if width / p > NCHS_MAX_RELATIVE_WIDTH:
            return "suppress", ("relative_width",), n_eff
        if width / (1.0 - p) > NCHS_MAX_RELATIVE_WIDTH:
            flags.append("complement")
    if df < NCHS_MIN_DF:
        flags.append("df")
    return ("flag" if flags else "show"), tuple(flags), n_eff


# --------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------


def indicator_from_values(column: pd.Series, values: Iterable[object]) -> np.ndarray:
    """1.0 where the answer is one of ``values``, 0.0 for any other answer, NaN when empty."""
    wanted = set(category_labels(list(values)))
    if isinstance(column.dtype, pd.CategoricalDtype):
        labels = category_labels(list(column.cat.categories))
        level_hit = np.array([label in wanted for label in labels] + [False])
        level_missing = np.array([label == "" for label in labels] + [True])
        codes = column.cat.codes.to_numpy()  # -1 (missing) indexes the appended entry
        result = level_hit[codes].astype(np.float64)
        result[level_missing[codes]] = np.nan
        return result
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    labels = category_labels(list(uniques))
    hit = np.array([label in wanted for label in labels] + [False])
    missing = np.array([label == "" for label in labels] + [True])
    result = hit[codes].astype(np.float64)
    result[missing[codes]] = np.nan
    return result


# --------------------------------------------------------------------------------------------
# Estimation
# --------------------------------------------------------------------------------------------


def _logit_ci(p: float, se: float, df: int, level: float) -> tuple[float | None, float | None]:
    if df <= 0 or not 0.0 < p < 1.0 or not math.isfinite(se):
        return None, None
    q = t_quantile(1.0 - (1.0 - level) / 2.0, df)
    centre = math.log(p / (1.0 - p))
    half = q * se / (p * (1.0 - p))
    return 1.0 / (1.0 + math.exp(-(centre - half))), 1.0 / (1.0 + math.exp(-(centre + half)))


class _Design:
    """Per-cell totals of the whole sample, shared by every rate and domain."""

    def __init__(self, weights: np.ndarray, calibration: Calibration | None):
        w = np.asarray(weights, dtype=np.float64)
        if w.ndim != 1 or w.size == 0:
            raise RateError("Weights must be a non-empty one-dimensional array.")
        if not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise RateError("Weights must be positive finite numbers.")
        self.w = w
        self.n = w.size
        if calibration is None:
            self.cells = np.zeros(self.n, dtype=np.int64)
            self.n_cells = 1
            self.maps: tuple[np.ndarray, ...] = ()
            self.sizes: tuple[int, ...] = ()
            self.sweeps = 0
            self.a = None
        else:
            if calibration.cells.shape != (self.n,):
                raise RateError("The calibration does not belong to these weights.")
            self.cells = calibration.cells
            self.n_cells = calibration.n_cells
            self.maps = calibration.margin_maps
            self.sizes = calibration.margin_sizes
            self.sweeps = calibration.sweeps
            self.a = calibration.mean_weights
        C = self.n_cells
        self.a_cell = (
            np.bincount(self.cells, minlength=C).astype(np.float64)
            if self.a is None
            else np.bincount(self.cells, weights=self.a, minlength=C)
        )
        self.w2 = w * w
        self.w_cell = np.bincount(self.cells, weights=w, minlength=C)
        self.w2_cell = np.bincount(self.cells, weights=self.w2, minlength=C)
        # With equal design weights every respondent of a cell has the same weight; then the
        # weighted sums per domain follow from counts and one bincount per domain suffices.
        representative = np.zeros(C)
        representative[self.cells] = w
        self.cell_weight = representative if np.array_equal(representative[self.cells], w) else None
        if self.a is not None and np.array_equal(self.a, np.ones(self.n)):
            self.a = None
        self.onehots = [
            np.eye(size)[cmap].T for cmap, size in zip(self.maps, self.sizes, strict=True)
        ]

    def domain_sums(self, y: _Indicator, groups: np.ndarray | None, n_groups: int) -> dict:
        """Sums per (cell, group) over the rate's base: respondents with a value, in a group.

        ``groups`` holds 0..n_groups-1, or -1 for respondents outside every group (left out).
        Returns (cells x groups) arrays: count, A0 = sum a, A1 = sum a y, W0 = sum w,
        W1 = sum w y, Q0 = sum w^2, Q1 = sum w^2 y, Q2 = sum w^2 y^2.
        """
        if y.state is not None:
            return self._binary_sums(y.state, groups, n_groups)
        C, G = self.n_cells, n_groups
        inbase = ~np.isnan(y.values)
        if groups is not None:
            inbase &= groups >= 0
            key = np.where(inbase, self.cells * G + groups, C * G)
        else:
            key = np.where(inbase, self.cells, C)
        values = np.where(inbase, y.values, 0.0)

        def total(weights=None):
            return np.bincount(key, weights=weights, minlength=C * G + 1)[:-1].reshape(C, G)

        a = np.ones(self.n) if self.a is None else self.a
        wy = self.w * values
        w2y = self.w2 * values
        return {
            "count": total().astype(np.float64),
            "A0": total(a),
            "A1": total(a * values),
            "W0": total(self.w),
            "W1": total(wy),
            "Q0": total(self.w2),
            "Q1": total(w2y),
            "Q2": total(w2y * values),
        }

    def _binary_sums(self, state: np.ndarray, groups: np.ndarray | None, n_groups: int) -> dict:
        width = 3 * (n_groups + 1)
        key = self.cells * width
        key += state
        if groups is not None:
            key += (groups + 1) * 3
        else:
            key += 3
        size = self.n_cells * width
        shape = (self.n_cells, n_groups + 1, 3)
        count = np.bincount(key, minlength=size).reshape(shape)[:, 1:, :2].astype(np.float64)
        if self.cell_weight is not None:
            wsum = count * self.cell_weight[:, None, None]
            w2sum = count * (self.cell_weight**2)[:, None, None]
        else:
            wsum = np.bincount(key, weights=self.w, minlength=size).reshape(shape)[:, 1:, :2]
            w2sum = np.bincount(key, weights=self.w2, minlength=size).reshape(shape)[:, 1:, :2]
        if self.a is None:
            asum = count
        else:
            asum = np.bincount(key, weights=self.a, minlength=size).reshape(shape)[:, 1:, :2]
        return {
            "count": count.sum(axis=2),
            "A0": asum.sum(axis=2),
            "A1": asum[:, :, 1],
            "W0": wsum.sum(axis=2),
            "W1": wsum[:, :, 1],
            "Q0": w2sum.sum(axis=2),
            "Q1": w2sum[:, :, 1],
            "Q2": w2sum[:, :, 1],  # y^2 = y
        }

    def estimate(self, sums: dict, *, level: float, min_n: int | None) -> list[RateEstimate]:
        # R's nrow(design): a subset of a calibrated design keeps every row (zero weight
        # outside it), so the Korn–Graubard df ratio uses the whole sample; an uncalibrated
        # design's subset has only the domain's rows.
        calibrated = bool(self.maps)
        n_dom = sums["count"].sum(axis=0)  # (K,)
        A0, A1, W0, W1 = sums["A0"], sums["A1"], sums["W0"], sums["W1"]
        Q0, Q1, Q2 = sums["Q0"], sums["Q1"], sums["Q2"]
        W = W0.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = W1.sum(axis=0) / W
            # S[c,k] = sum over cell c of a_i * e0_i, e0_i = delta_i (y_i - p) / W.
            S = (A1 - p * A0) / W
            K = np.zeros_like(S)
            for _ in range(self.sweeps):
                for onehot, cmap in zip(self.onehots, self.maps, strict=True):
                    numerator = onehot @ (S - K * self.a_cell[:, None])
                    denominator = onehot @ self.a_cell
                    K += (numerator / denominator[:, None])[cmap]
            sum_x = ((W1 - p * W0) / W - K * self.w_cell[:, None]).sum(axis=0)
            sum_x2 = (
                (Q2 - 2 * p * Q1 + p * p * Q0) / (W * W)
                - 2 * K * (Q1 - p * Q0) / W
                + K * K * self.w2_cell[:, None]
            ).sum(axis=0)
            n = self.n
            variance = n / (n - 1) * (sum_x2 - sum_x * sum_x / n) if n > 1 else np.nan
        results = []
        Q = Q0.sum(axis=0)
        for k in range(n_dom.size):
            n_k = int(round(n_dom[k]))
            df = n_k - 1
            if min_n is not None and n_k < min_n:
                results.append(
                    RateEstimate(
                        None,
                        None,
                        None,
                        None,
                        n_k,
                        None,
                        None,
                        df,
                        True,
                        None,
                        None,
                        None,
                        "suppress",
                        ("n_eff",),
                    )
                )
                continue
            if n_k == 0:
                results.append(
                    RateEstimate(
                        None,
                        None,
                        None,
                        None,
                        0,
                        None,
                        None,
                        df,
                        False,
                        None,
                        None,
                        None,
                        "suppress",
                        ("n_eff",),
                    )
                )
                continue
            rate = float(p[k])
            se = float(math.sqrt(max(float(np.atleast_1d(variance)[k]), 0.0)))
            if rate in (0.0, 1.0):
                se = 0.0  # every answer in the base is 0 (or 1); clear rounding residue
            low, high = _logit_ci(rate, se, df, level)
            kg_low, kg_high = korn_graubard_ci(
                rate, se, n=n_k, df=df, n_rows=self.n if calibrated else n_k, level=level
            )
            decision, flags, design_n_eff = nchs_presentation(
                rate, se, kg_low, kg_high, n=n_k, df=df
            )
            n_eff = float(W[k] ** 2 / Q[k])
            results.append(
                RateEstimate(
                    rate,
                    se,
                    low,
                    high,
                    n_k,
                    n_eff,
                    n_k / n_eff,
                    df,
                    False,
                    kg_low,
                    kg_high,
                    design_n_eff,
                    decision,
                    flags,
                )
            )
        return results


@dataclass(frozen=True)
class _Indicator:
    values: np.ndarray  # floats in [0, 1], NaN = not in the rate's base
    state: np.ndarray | None  # 0/1/2 (2 = missing) when every value is 0 or 1


def _indicator(name: str, y: object, n: int) -> _Indicator:
    values = np.asarray(y, dtype=np.float64)
    if values.shape != (n,):
        raise RateError(f"Rate '{name}' has {values.size} values for {n} respondents.")
    state = np.full(n, 2, dtype=np.intp)
    state[values == 0] = 0
    state[values == 1] = 1
    missing = np.isnan(values)
    if np.count_nonzero(state == 2) == np.count_nonzero(missing):
        return _Indicator(values, state)
    present = values[~missing]
    if not np.all((present >= 0) & (present <= 1)):
        raise RateError(
            f"Rate '{name}' must have values between 0 and 1 (an indicator or a score share) "
            "or be missing."
        )
    return _Indicator(values, None)


def weighted_rate(
    indicator: np.ndarray | pd.Series,
    weights: np.ndarray,
    *,
    calibration: Calibration | None = None,
    level: float = 0.95,
) -> RateEstimate:
    """The weighted mean of a 0/1 indicator (or of scores in [0, 1]) among non-missing values,
    with its linearized SE, logit and Korn–Graubard CIs and NCHS presentation decision."""
    design = _Design(weights, calibration)
    y = _indicator("rate", indicator, design.n)
    return design.estimate(design.domain_sums(y, None, 1), level=level, min_n=None)[0]


def _group_codes(
    column: pd.Series | np.ndarray, order: Sequence[str] | None
) -> tuple[np.ndarray, list[str]]:
    series = pd.Series(column) if not isinstance(column, pd.Series) else column
    if isinstance(series.dtype, pd.CategoricalDtype):
        raw, uniques = series.cat.codes.to_numpy(), list(series.cat.categories)
    else:
        raw, uniques_index = pd.factorize(series, use_na_sentinel=True)
        uniques = list(uniques_index)
    labels = category_labels(uniques)
    if order is None:
        present = sorted({lab for lab in labels if lab != ""})
        order = present
    else:
        order = list(order) + sorted({lab for lab in labels if lab != ""} - set(order))
    position = {label: i for i, label in enumerate(order)}
    lookup = np.array([position.get(label, -1) for label in labels] + [-1], dtype=np.int64)
    return lookup[raw], list(order)


def estimate_rates(
    *,
    indicators: Mapping[str, np.ndarray | pd.Series],
    weights: np.ndarray,
    calibration: Calibration | None = None,
    by: Mapping[str, pd.Series | np.ndarray] | None = None,
    category_order: Mapping[str, Sequence[str]] | None = None,
    min_n: int = DEFAULT_MIN_N,
    level: float = 0.95,
) -> RatesReport:
    """Overall rates and their breakdowns by each ``by`` variable.

    Breakdown cells with fewer than ``min_n`` respondents in the rate's base are not estimated
    at all (``suppressed`` true); overall rates always are. Every estimate also carries its NCHS
    presentation decision (``presentation``, ``flags``), which decides what is published.
    Respondents with a missing breakdown value are left out of that breakdown only.
    """
    if not indicators:
        raise RateError("No rates were requested.")
    if min_n < 0:
        raise RateError("The suppression threshold must not be negative.")
    design = _Design(weights, calibration)
    checked = {name: _indicator(name, y, design.n) for name, y in indicators.items()}
    rates = {
        name: design.estimate(design.domain_sums(y, None, 1), level=level, min_n=None)[0]
        for name, y in checked.items()
    }
    breakdowns: dict[str, dict[str, dict[str, RateEstimate]]] = {}
    for by_name, column in (by or {}).items():
        if len(column) != design.n:
            raise RateError(f"Breakdown '{by_name}' has {len(column)} values for {design.n}.")
        groups, order = _group_codes(column, (category_order or {}).get(by_name))
        cells: dict[str, dict[str, RateEstimate]] = {label: {} for label in order}
        for name, y in checked.items():
            sums = design.domain_sums(y, groups, len(order))
            for label, estimate in zip(
                order, design.estimate(sums, level=level, min_n=min_n), strict=True
            ):
                cells[label][name] = estimate
        breakdowns[by_name] = cells
    n_eff = kish_effective_n(design.w)
    return RatesReport(
        n=design.n,
        n_eff=n_eff,
        deff=design.n / n_eff,
        rates=rates,
        breakdowns=breakdowns,
    )
