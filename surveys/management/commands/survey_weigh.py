"""Weight a respondent file to population margins and print weighted rates (files only).

    python manage.py survey_weigh --responses R.csv --margins M.csv \\
        --rate satisfied=q_satisfaction:4,5 --rate participated=q_participation:是 \\
        --by sub_district,sex,age_group --weights-out W.csv --format json

R.csv: one row per respondent with an id column, the weighting variables named as in M.csv and
the answer columns. M.csv: ``variable,category,value`` (counts or shares). Nothing is read from
or written to the database, so the statistics bureau can run it on its own CATI data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from surveys.analysis import rates_table_lines, results_dict, weigh_and_estimate
from surveys.margins import MarginsError, parse_margins_csv
from surveys.rates import DEFAULT_MIN_N, RateError, indicator_from_values
from surveys.weighting import (
    DEFAULT_MAX_WEIGHT_SHARE,
    DEFAULT_MIN_CATEGORY_N,
    DEFAULT_WEIGHT_TOL,
    WeightingError,
    scale_weights,
    write_weights_csv,
)

RATE_SPEC = re.compile(r"^\s*(?P<name>[^=]+?)\s*=\s*(?P<column>[^:]+?)\s*:(?P<values>.+)$")
COLLAPSE_SPEC = re.compile(r"^\s*(?P<variable>[^:]+?)\s*:(?P<source>[^=]+?)=(?P<target>.+)$")


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for value in values or []:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return out


class Command(BaseCommand):
    help = (
        "Rake a responses CSV to population margins and print weighted rates with standard "
        "errors and 95% logit confidence intervals (JSON or a table). Works on files alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--responses", required=True, help="CSV, one row per respondent.")
        parser.add_argument(
            "--margins", required=True, help="CSV with columns variable,category,value."
        )
        parser.add_argument(
            "--rate",
            action="append",
            required=True,
            metavar="NAME=COLUMN:V1,V2",
            help="A rate: the share of respondents whose COLUMN is one of the values "
            "(rows with an empty COLUMN are excluded). Repeat for several rates.",
        )
        parser.add_argument(
            "--by",
            action="append",
            metavar="COL,…",
            help="Break the rates down by these columns (comma-separated; repeatable).",
        )
        parser.add_argument("--id-column", default="respondent_id")
        parser.add_argument(
            "--design-weights", metavar="COLUMN", help="Column of design weights (default 1)."
        )
        parser.add_argument(
            "--trim-cap",
            type=float,
            help="Trim weights above this multiple of the mean weight, then re-rake, "
            "until stable (R trimWeights + rake).",
        )
        parser.add_argument(
            "--trim-floor", type=float, help="Raise weights below this multiple of the mean."
        )
        parser.add_argument(
            "--tolerance",
            type=float,
            default=1e-10,
            help="Largest error of a weighted margin share at convergence (default 1e-10).",
        )
        parser.add_argument(
            "--weight-tolerance",
            type=float,
            default=DEFAULT_WEIGHT_TOL,
            help="Raking also stops only when no weight changed by more than this (relative) "
            f"in the last sweep (default {DEFAULT_WEIGHT_TOL:g}).",
        )
        parser.add_argument(
            "--min-category-n",
            type=int,
            default=DEFAULT_MIN_CATEGORY_N,
            help="Refuse a weighting category with fewer respondents "
            f"(default {DEFAULT_MIN_CATEGORY_N}); merge it with --collapse.",
        )
        parser.add_argument(
            "--max-weight-share",
            type=float,
            default=DEFAULT_MAX_WEIGHT_SHARE,
            help="Refuse weights where one respondent carries more than this share of the "
            f"total (default {DEFAULT_MAX_WEIGHT_SHARE:g}).",
        )
        parser.add_argument(
            "--override-reason",
            default="",
            help="Weight despite small categories or a heavy respondent; the reason is printed "
            "with the results.",
        )
        parser.add_argument("--max-iterations", type=int, default=1000)
        parser.add_argument(
            "--min-n",
            type=int,
            default=DEFAULT_MIN_N,
            help=f"Suppress breakdown cells with fewer respondents (default {DEFAULT_MIN_N}).",
        )
        parser.add_argument(
            "--collapse",
            action="append",
            metavar="VARIABLE:CATEGORY=INTO",
            help="Merge a category into another in both the responses and the margins.",
        )
        parser.add_argument(
            "--weights-out", help="Write respondent id and weight (summing to n) to this CSV."
        )
        parser.add_argument("--format", choices=("json", "table"), default="json")

    def handle(self, *args, **options):
        responses = self._read_responses(options["responses"])
        id_column = options["id_column"]
        if id_column not in responses.columns:
            raise CommandError(
                f"The responses have no id column '{id_column}' (use --id-column); "
                f"columns: {', '.join(responses.columns)}."
            )
        ids = responses[id_column]
        if (ids == "").any():
            row = int((ids == "").to_numpy().argmax()) + 2
            raise CommandError(f"Respondent id is empty on line {row} of the responses.")
        duplicated = ids[ids.duplicated()]
        if not duplicated.empty:
            raise CommandError(
                f"Respondent id '{duplicated.iloc[0]}' appears more than once in the responses."
            )

        margins = self._read_margins(options["margins"])
        rates = self._parse_rates(options["rate"], responses)
        by = _split(options["by"])
        for column in by:
            if column not in responses.columns:
                raise CommandError(f"--by column '{column}' is not a column of the responses.")
        collapse = self._parse_collapse(options["collapse"])

        try:
            result, report = weigh_and_estimate(
                responses,
                margins,
                indicators={
                    name: indicator_from_values(responses[column], values)
                    for name, (column, values) in rates.items()
                },
                by={column: responses[column] for column in by},
                design_weights=options["design_weights"],
                tol=options["tolerance"],
                max_iter=options["max_iterations"],
                trim_cap=options["trim_cap"],
                trim_floor=options["trim_floor"],
                min_n=options["min_n"],
                collapse=collapse,
                weight_tol=options["weight_tolerance"],
                min_category_n=options["min_category_n"] or None,
                max_weight_share=options["max_weight_share"] or None,
                override_reason=options["override_reason"],
            )
        except (WeightingError, RateError) as error:
            raise CommandError(str(error)) from None

        if options["weights_out"]:
            weights = scale_weights(result.weights, total=float(result.n))
            try:
                with open(options["weights_out"], "w", encoding="utf-8", newline="") as target:
                    write_weights_csv(target, ids.tolist(), weights, id_header=id_column)
            except OSError as error:
                raise CommandError(f"Cannot write {options['weights_out']}: {error}") from None

        output = results_dict(result, report)
        if options["override_reason"].strip():
            output["override_reason"] = options["override_reason"].strip()
        if options["format"] == "json":
            self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
        else:
            lines = rates_table_lines(output)
            if "override_reason" in output:
                lines.insert(0, f"Small-cell guard overridden: {output['override_reason']}")
            self.stdout.write("\n".join(lines))

    # ------------------------------------------------------------------------------------

    def _read_responses(self, path: str) -> pd.DataFrame:
        if not Path(path).is_file():
            raise CommandError(f"Responses file not found: {path}")
        frame = None
        for encoding in ("utf-8-sig", "gb18030"):  # GB18030: CSV saved by Chinese Excel
            try:
                frame = pd.read_csv(
                    path, dtype=str, keep_default_na=False, encoding=encoding, skipinitialspace=True
                )
                break
            except UnicodeDecodeError:
                continue
            except pd.errors.EmptyDataError:
                raise CommandError(f"The responses file {path} is empty.") from None
            except pd.errors.ParserError as error:
                raise CommandError(f"Cannot read the responses file {path}: {error}") from None
        if frame is None:
            raise CommandError(f"The responses file {path} is neither UTF-8 nor GB18030 text.")
        frame.columns = [str(c).strip() for c in frame.columns]
        if frame.empty:
            raise CommandError(f"The responses file {path} has no respondents.")
        return frame.apply(lambda column: column.str.strip())

    def _read_margins(self, path: str):
        try:
            data = Path(path).read_bytes()
        except OSError:
            raise CommandError(f"Margins file not found: {path}") from None
        try:
            return parse_margins_csv(data)
        except MarginsError as error:
            raise CommandError(f"The margins in {path} are not valid:\n{error}") from None

    def _parse_rates(self, specs: list[str], responses: pd.DataFrame) -> dict:
        rates: dict[str, tuple[str, list[str]]] = {}
        for spec in specs:
            match = RATE_SPEC.match(spec)
            values = [v.strip() for v in match["values"].split(",")] if match else []
            if not match or not any(values):
                raise CommandError(
                    f"Cannot read --rate {spec!r}; write NAME=COLUMN:VALUE1,VALUE2 "
                    "(e.g. satisfied=q_satisfaction:4,5)."
                )
            name, column = match["name"], match["column"]
            if name in rates:
                raise CommandError(f"Rate '{name}' is defined twice.")
            if column not in responses.columns:
                raise CommandError(
                    f"Rate '{name}' uses column '{column}', which is not a column of the "
                    f"responses (columns: {', '.join(responses.columns)})."
                )
            values = [v for v in values if v]
            present = set(responses[column].unique())
            if not present.intersection(values):
                self.stderr.write(
                    f"Warning: none of the values {', '.join(values)} of rate '{name}' occurs "
                    f"in column '{column}'; the rate will be 0."
                )
            rates[name] = (column, values)
        return rates

    def _parse_collapse(self, specs: list[str] | None) -> dict[str, dict[str, str]]:
        collapse: dict[str, dict[str, str]] = {}
        for spec in specs or []:
            match = COLLAPSE_SPEC.match(spec)
            if not match:
                raise CommandError(
                    f"Cannot read --collapse {spec!r}; write VARIABLE:CATEGORY=INTO "
                    "(e.g. age_group:75+=60-74)."
                )
            collapse.setdefault(match["variable"], {})[match["source"].strip()] = match[
                "target"
            ].strip()
        return collapse
