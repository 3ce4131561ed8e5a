"""Benchmark the weighting engine and rates on synthetic respondents (default 1,000,000).

    .venv/bin/python bench/weighting.py [--rows 1000000] [--repeat 5]

Times, on one process: raking to 3 margins (sub-district 6, sex 2, age group 4; tolerance
1e-10); raking + two rates with linearized SE and logit CI + breakdowns by the three weighting
variables; CSV export of the weights and of the microdata with weights; SPSS .sav export (when
pyreadstat is installed). Prints seconds (best of --repeat) and peak resident memory. When
weightipy and/or samplics are importable, times the same rake with them in the same run and
prints the ratio to ours (they are not project dependencies; install them in a scratch venv).
Not part of `make test`; figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from surveys.rates import estimate_rates, indicator_from_values
from surveys.weighting import rake_weights, write_weights_csv

SUBS = ["东华街道", "炳草岗街道", "弄弄坪街道", "大渡口街道", "瓜子坪街道", "银江镇"]
SEXES = ["男", "女"]
AGES = ["18-29", "30-44", "45-59", "60+"]
MARGINS = {
    "sub_district": dict(zip(SUBS, [78000, 65000, 42000, 38000, 52000, 45000], strict=True)),
    "sex": {"男": 162000, "女": 158000},
    "age_group": dict(zip(AGES, [60000, 88000, 92000, 80000], strict=True)),
}
BY = ["sub_district", "sex", "age_group"]


def synthetic(rows: int, seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sub = rng.choice(6, rows, p=[0.26, 0.24, 0.15, 0.09, 0.16, 0.10])
    sex = rng.choice(2, rows, p=[0.40, 0.60])
    age = rng.choice(4, rows, p=[0.10, 0.20, 0.30, 0.40])
    lin = 1.0 + 0.5 * (age == 3) + 0.3 * (age == 2) - 0.7 * (sub == 3) - 0.2 * (sex == 0)
    satisfied = rng.uniform(size=rows) < 1 / (1 + np.exp(-lin))
    score = np.where(satisfied, rng.choice([4, 5], rows), rng.choice([1, 2, 3], rows))
    score_codes = score - 1
    score_codes[rng.uniform(size=rows) < 0.03] = -1
    part_codes = (rng.uniform(size=rows) < 0.4).astype(np.int64)  # 1 = 是
    part_codes[rng.uniform(size=rows) < 0.08] = -1

    def categorical(codes, labels):
        return pd.Categorical.from_codes(codes, categories=labels)

    return pd.DataFrame(
        {
            "respondent_id": np.arange(1, rows + 1),
            "sub_district": categorical(sub, SUBS),
            "sex": categorical(sex, SEXES),
            "age_group": categorical(age, AGES),
            "q_satisfaction": categorical(score_codes, ["1", "2", "3", "4", "5"]),
            "q_participation": categorical(part_codes, ["否", "是"]),
        }
    )


def timed(repeat: int, func):
    """Best wall-clock seconds, median wall-clock seconds, best CPU seconds, last result.

    CPU time is printed too because other processes on a shared machine inflate wall-clock time.
    """
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), float(np.median(wall)), min(cpu), result


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rake(frame):
    return rake_weights(frame, MARGINS, tol=1e-10)


def rake_and_rates(frame):
    result = rake(frame)
    report = estimate_rates(
        indicators={
            "satisfied": indicator_from_values(frame["q_satisfaction"], ["4", "5"]),
            "participated": indicator_from_values(frame["q_participation"], ["是"]),
        },
        weights=result.weights,
        calibration=result.calibration,
        by={column: frame[column] for column in BY},
        category_order={v: list(t) for v, t in MARGINS.items()},
    )
    return result, report


def export_microdata(frame: pd.DataFrame, weights: np.ndarray):
    """The microdata table in the shape ``surveys.exports.assemble_microdata`` returns (codes as
    categoricals, scores as nullable 0/1, the weight) and its codebook, for the export writers."""
    from types import SimpleNamespace as Spec

    from django.conf import settings

    if not settings.configured:  # the codebook's labels go through gettext; no project needed
        settings.configure(USE_I18N=False)
    from surveys.codebook import build_codebook

    def choices(codes):
        return [Spec(code=c, label=c) for c in codes]

    codebook = build_codebook(
        questions=[
            Spec(code="Q1", text="满意度", kind="likert", choices=choices("12345"), rows=()),
            Spec(code="Q2", text="参与", kind="single", choices=choices(["否", "是"]), rows=()),
        ],
        subdistricts=[(s, s) for s in SUBS],
        rules=[
            Spec(code="satisfied", name="满意率", method="top_box"),
            Spec(code="participated", name="参与率", method="top_box"),
        ],
        channels=[("cati", "电话")],
        sexes=[(s, s) for s in SEXES],
        age_groups=[(a, a) for a in AGES],
    )
    n = len(frame)

    def indicator(values):
        missing = np.isnan(values)
        return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int8), missing)

    micro = pd.DataFrame(
        {
            "response_id": frame["respondent_id"].astype(str).to_numpy(dtype=object),
            "channel": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), ["cati"]),
            "submitted_on": np.full(n, "2025-10-08", dtype=object),
            "subdistrict": frame["sub_district"],
            "sex": frame["sex"],
            "age_group": frame["age_group"],
            "Q1": frame["q_satisfaction"],
            "Q2": frame["q_participation"],
            "satisfied": indicator(indicator_from_values(frame["q_satisfaction"], ["4", "5"])),
            "participated": indicator(indicator_from_values(frame["q_participation"], ["是"])),
            "weight": weights,
        }
    )
    return micro, codebook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-compare", action="store_true", help="Skip weightipy/samplics.")
    args = parser.parse_args()

    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}; "
        f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    start = time.perf_counter()
    frame = synthetic(args.rows)
    print(f"generated {args.rows:,} respondents in {time.perf_counter() - start:.2f} s")
    baseline = peak_rss_mb()

    def line(what: str, wall: float, cpu: float, extra: str = "", median: float | None = None):
        median_text = f", median {median:.3f} s" if median is not None else ""
        print(f"{what}: {wall:.3f} s{median_text} (CPU {cpu:.3f} s){extra}")

    t_rake, m_rake, c_rake, result = timed(args.repeat, lambda: rake(frame))
    d = result.diagnostics
    line(
        "rake (3 margins, tol 1e-10)",
        t_rake,
        c_rake,
        f" [{d.iterations} iterations, max margin error {d.max_margin_error:.1e}]",
        m_rake,
    )
    t_all, m_all, c_all, (result, report) = timed(args.repeat, lambda: rake_and_rates(frame))
    line(
        f"rake + 2 rates with SE and logit CI + breakdowns by {len(BY)} variables",
        t_all,
        c_all,
        median=m_all,
    )
    for name, estimate in report.rates.items():
        print(
            f"  {name}: {estimate.rate:.4f} (SE {estimate.se:.5f}, 95% CI "
            f"{estimate.ci_low:.4f}-{estimate.ci_high:.4f}, n {estimate.n:,}, "
            f"n_eff {estimate.n_eff:,.0f})"
        )

    with tempfile.TemporaryDirectory(prefix="bench-weighting-") as tmp:
        weights_path = Path(tmp) / "weights.csv"
        ids = frame["respondent_id"].tolist()

        def weights_csv():
            with open(weights_path, "w", encoding="utf-8", newline="") as target:
                write_weights_csv(target, ids, result.weights, id_header="respondent_id")

        wall, _, cpu, _ = timed(1, weights_csv)
        size = weights_path.stat().st_size / 1e6
        line("CSV export of weights (respondent_id,weight)", wall, cpu, f" [{size:.0f} MB]")

        from surveys.exports import microdata_csv, microdata_sav

        micro, codebook = export_microdata(frame, result.weights)
        micro_path = Path(tmp) / "microdata.csv"

        def write_csv():
            micro_path.write_bytes(microdata_csv(micro))

        wall, _, cpu, _ = timed(1, write_csv)
        size = micro_path.stat().st_size / 1e6
        line(
            f"CSV microdata + weights (surveys.exports.microdata_csv, {micro.shape[1]} columns)",
            wall,
            cpu,
            f" [{size:.0f} MB]",
        )
        try:
            import pyreadstat
        except ImportError:
            print(".sav export: skipped (pyreadstat not installed)")
        else:
            sav_path = Path(tmp) / "microdata.sav"

            def write_sav():
                sav_path.write_bytes(microdata_sav(micro, codebook, file_label="bench"))

            wall, _, cpu, _ = timed(1, write_sav)
            size = sav_path.stat().st_size / 1e6
            line(
                f".sav microdata + weights, labelled (surveys.exports.microdata_sav, "
                f"pyreadstat {pyreadstat.__version__})",
                wall,
                cpu,
                f" [{size:.0f} MB]",
            )
    print(
        f"peak memory (max RSS): {peak_rss_mb():.0f} MB (after generating data: {baseline:.0f} MB)"
    )

    if args.no_compare:
        return
    ours = result.weights
    try:
        import weightipy
    except ImportError:
        print("weightipy: not installed")
    else:
        targets = {
            variable: {c: 100 * v / sum(t.values()) for c, v in t.items()}
            for variable, t in MARGINS.items()
        }
        scheme = weightipy.scheme_from_dict(targets)
        plain = frame[["sub_district", "sex", "age_group"]].copy()
        wall, _, cpu, w_wp = timed(min(args.repeat, 3), lambda: weightipy.weight(plain, scheme))
        w_wp = np.asarray(w_wp, dtype=np.float64)
        w_wp = w_wp * len(w_wp) / w_wp.sum()
        line(
            "weightipy rake (its default convergence)",
            wall,
            cpu,
            f" = {wall / t_rake:.1f}x ours (CPU {cpu / c_rake:.1f}x); "
            f"max |weight difference| {np.max(np.abs(w_wp - ours)):.1e}",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from samplics.weighting import SampleWeight
    except ImportError:
        print("samplics: not installed")
    else:
        n = len(frame)
        margins = {v: frame[v].astype(str).to_numpy() for v in MARGINS}
        control = {
            variable: {c: n * value / sum(t.values()) for c, value in t.items()}
            for variable, t in MARGINS.items()
        }

        def samplics_rake():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return SampleWeight().rake(
                    np.ones(n), margins, control=control, tol=1e-10, max_iter=100
                )

        wall, _, cpu, w_sp = timed(1, samplics_rake)
        w_sp = np.asarray(w_sp, dtype=np.float64)
        line(
            "samplics rake (tol 1e-10)",
            wall,
            cpu,
            f" = {wall / t_rake:.1f}x ours (CPU {cpu / c_rake:.1f}x); "
            f"max |weight difference| {np.max(np.abs(w_sp - ours)):.1e}",
        )


if __name__ == "__main__":
    main()
