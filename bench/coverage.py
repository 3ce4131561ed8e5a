"""Coverage of the confidence intervals by simulation, with the product's own functions.

    .venv/bin/python bench/coverage.py [--samples 2000] [--n 800] [--seed 20261217]

A synthetic adult population of 320,000 (sub-district 6 × sex 2 × age group 4, the margins of
the demo) with a 0/1 outcome that depends on all three. Response depends on the weighting cells
(a product of sub-district, sex and age effects: the young, men and two sub-districts answer
much less), so unweighted rates are biased and raking to the margins removes the bias. Each
sample draws n respondents with probability proportional to their response propensity, rakes
them with ``rake_weights`` (the product's defaults, guards on) and estimates the rate overall
and by sub-district with ``estimate_rates``. Prints, for the overall rate, a large domain and a
small domain, the coverage of the logit and Korn–Graubard 95% intervals (with its Monte Carlo
standard error sqrt(c (1 - c) / samples)) and their mean width; estimates with NCHS n_eff < 30
are counted separately. Not part of `make test`; figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from surveys.rates import estimate_rates
from surveys.weighting import WeightingError, rake_weights

SUBS = ["东华街道", "炳草岗街道", "弄弄坪街道", "大渡口街道", "瓜子坪街道", "银江镇"]
SEXES = ["男", "女"]
AGES = ["18-29", "30-44", "45-59", "60+"]
POP_SUB = [78000, 65000, 42000, 38000, 52000, 45000]
POP_SEX = [162000, 158000]
POP_AGE = [60000, 88000, 92000, 80000]
# Response propensity: multiplicative main effects (a raking model), so raking is consistent.
RESP_SUB = [1.0, 0.9, 0.7, 0.35, 0.8, 0.6]
RESP_SEX = [0.7, 1.0]
RESP_AGE = [0.35, 0.6, 0.9, 1.3]
LARGE, SMALL = "东华街道", "大渡口街道"


def population(rng: np.random.Generator) -> pd.DataFrame:
    sub = np.repeat(np.arange(6), POP_SUB)
    rng.shuffle(sub)
    sex = np.repeat(np.arange(2), POP_SEX)
    rng.shuffle(sex)
    age = np.repeat(np.arange(4), POP_AGE)
    rng.shuffle(age)
    logit = (
        0.9
        + np.array([0.3, 0.0, -0.2, -0.8, 0.1, 0.5])[sub]
        + np.array([-0.3, 0.0])[sex]
        + np.array([-0.7, -0.3, 0.2, 0.6])[age]
    )
    y = (rng.random(sub.size) < 1 / (1 + np.exp(-logit))).astype(float)
    propensity = np.array(RESP_SUB)[sub] * np.array(RESP_SEX)[sex] * np.array(RESP_AGE)[age]
    return pd.DataFrame(
        {
            "sub_district": pd.Categorical.from_codes(sub, SUBS),
            "sex": pd.Categorical.from_codes(sex, SEXES),
            "age_group": pd.Categorical.from_codes(age, AGES),
            "y": y,
            "propensity": propensity,
        }
    )


class Tally:
    def __init__(self):
        self.rows = {"logit": [], "kg": []}
        self.small_neff = 0
        self.total = 0

    def add(self, estimate, truth: float) -> None:
        self.total += 1
        if estimate.design_n_eff is None or estimate.design_n_eff < 30:
            self.small_neff += 1
            return
        for kind, low, high in (
            ("logit", estimate.ci_low, estimate.ci_high),
            ("kg", estimate.kg_low, estimate.kg_high),
        ):
            if low is None:
                continue
            self.rows[kind].append((low <= truth <= high, high - low))

    def line(self, label: str) -> str:
        parts = [f"{label:<22}"]
        for kind in ("logit", "kg"):
            hits = self.rows[kind]
            if not hits:
                parts.append(f"{kind}: —")
                continue
            c = float(np.mean([h for h, _w in hits]))
            mc = math.sqrt(c * (1 - c) / len(hits))
            width = float(np.mean([w for _h, w in hits]))
            parts.append(f"{kind} {100 * c:5.1f}% ± {100 * mc:.1f}  width {width:.4f}")
        parts.append(f"(n_eff < 30: {self.small_neff} of {self.total})")
        return "   ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--n", type=int, default=800)
    parser.add_argument("--seed", type=int, default=20261217)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    pop = population(rng)
    truth_all = float(pop["y"].mean())
    truth_dom = pop.groupby("sub_district", observed=True)["y"].mean()
    margins = {
        "sub_district": dict(zip(SUBS, POP_SUB, strict=True)),
        "sex": dict(zip(SEXES, POP_SEX, strict=True)),
        "age_group": dict(zip(AGES, POP_AGE, strict=True)),
    }
    p = pop["propensity"].to_numpy() / pop["propensity"].sum()
    tallies = {"overall": Tally(), LARGE: Tally(), SMALL: Tally()}
    refused = 0
    unweighted_bias = []
    domain_n = {LARGE: [], SMALL: []}
    started = time.perf_counter()
    for _ in range(args.samples):
        rows = rng.choice(pop.index.to_numpy(), size=args.n, replace=False, p=p)
        sample = pop.iloc[rows].reset_index(drop=True)
        try:
            result = rake_weights(sample, margins, min_category_n=20, max_weight_share=0.05)
        except WeightingError:
            refused += 1
            continue
        report = estimate_rates(
            indicators={"y": sample["y"].to_numpy()},
            weights=result.weights,
            calibration=result.calibration,
            by={"sub_district": sample["sub_district"]},
            min_n=0,
        )
        unweighted_bias.append(float(sample["y"].mean()) - truth_all)
        tallies["overall"].add(report.rates["y"], truth_all)
        for domain in (LARGE, SMALL):
            estimate = report.breakdowns["sub_district"][domain]["y"]
            domain_n[domain].append(estimate.n)
            tallies[domain].add(estimate, float(truth_dom[domain]))
    elapsed = time.perf_counter() - started
    print(
        f"samples {args.samples} (refused by the small-cell guards: {refused}), n = {args.n}, "
        f"seed {args.seed}, {elapsed:.1f} s"
    )
    print(
        f"truth overall {truth_all:.4f}; mean unweighted bias {np.mean(unweighted_bias):+.4f} "
        f"(raking removes it)"
    )
    print(tallies["overall"].line("overall"))
    for domain in (LARGE, SMALL):
        print(tallies[domain].line(f"{domain} (n≈{np.mean(domain_n[domain]):.0f})"))


if __name__ == "__main__":
    main()
