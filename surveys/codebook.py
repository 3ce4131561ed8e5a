"""The codebook of a survey's microdata: every exported variable, its label and value labels.

One codebook drives every export (CSV, SPSS ``.sav``, Stata ``.dta``, the XLSX report and the
codebook CSV), so the formats agree on names, labels and codes:

* respondent columns: ``response_id`` (the response's random UUID, linked to no person),
  ``channel``, ``submitted_on`` (the day only), ``subdistrict``, ``sex``, ``age_group``;
* one column per single-choice and Likert question (``Q1``) and per matrix row (``Q2_r1``),
  holding the choice code;
* a multiple-choice question becomes one 0/1 column per choice (``Q3_1``, ``Q3_2``, …): 1 chosen,
  0 not chosen, empty when the respondent did not answer the question at all;
* number questions as numbers; text questions are **not** exported (free text can identify a
  respondent);
* one column per scoring definition (its code): 1/0 (or the mean score / 100), empty when the
  respondent is not in the rate's base;
* ``weight``: the raking weight (weights sum to the number of respondents).

Measurement levels (SPSS): Likert and matrix scales are ordinal, other choices and 0/1 columns
nominal, numbers, scores, weights and the submission day scale. Choices marked non-substantive
(说不清/不知道) are declared missing values: user-missing in SPSS (9 stays 9, so a frequency
table lists it but statistics leave it out) and extended missing ``.a``, ``.b``, … in Stata
(with their value labels); the CSV keeps their codes.

Nothing that identifies a respondent is ever exported: no user, token, IP address, user agent,
questionnaire number or duplicate flag.

Codes: the CSV holds the codes as given in the questionnaire (``male``, ``18-29``, ``donghua``,
``1``). SPSS and Stata need numbers for value labels: when every code of a variable is an
integer the number is the code itself (so ``9`` stays ``9`` = 说不清), otherwise the codes are
numbered 1, 2, … in questionnaire order. The codebook lists both.

Names are valid in SPSS and Stata alike: letters, digits and underscores, starting with a letter,
at most 32 characters, no reserved word, unique. Labels are cut to each format's limit by the
writers (Stata: 80 characters for variable labels; SPSS: 120 bytes for value labels), on a character
boundary with an ellipsis.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from surveys import question_types
from surveys.variables import (
    BINARY,
    CATEGORICAL,
    DATE,
    NUMERIC,
    ORDINAL,
    STRING,
    ValueLabel,
    numbered,
    storage_kind,
)

__all__ = [
    "BINARY",
    "CATEGORICAL",
    "DATE",
    "NUMERIC",
    "ORDINAL",
    "STRING",
    "Codebook",
    "ValueLabel",
    "Variable",
    "build_codebook",
    "safe_names",
    "survey_codebook",
]

MAX_NAME = 32
STATA_RESERVED = {
    "_all",
    "_b",
    "byte",
    "_coef",
    "_cons",
    "double",
    "float",
    "if",
    "in",
    "int",
    "long",
    "_n",
    "_pi",
    "_pred",
    "_rc",
    "_skip",
    "strl",
    "using",
    "with",
}
SPSS_RESERVED = {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"}


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    kind: str
    source: str  # "respondent", "question", "score" or "weight"
    question: str = ""  # question code (questions), scoring code (scores)
    item: str = ""  # the answer item: question code, <question>_<row>, or the choice code
    values: tuple[ValueLabel, ...] = ()
    note: str = ""

    @property
    def is_coded(self) -> bool:
        return storage_kind(self.kind).coded

    def codes(self) -> list[str]:
        return [v.code for v in self.values]

    def numeric_values(self) -> list[int]:
        return [v.value for v in self.values]

    def value_labels(self) -> dict[int, str]:
        return {v.value: v.label for v in self.values}


@dataclass(frozen=True)
class Codebook:
    variables: tuple[Variable, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]

    def __getitem__(self, name: str) -> Variable:
        for variable in self.variables:
            if variable.name == name:
                return variable
        raise KeyError(name)

    def header(self) -> list[str]:
        return [
            _("variable"),
            _("label"),
            _("type"),
            _("source"),
            _("code (CSV)"),
            _("value (SPSS/Stata)"),
            _("value label"),
            _("note"),
            _("missing value (SPSS / Stata)"),
        ]

    def rows(self) -> list[list[object]]:
        """One row per variable, then one per value label (variable column repeated)."""
        source_labels = {
            "respondent": _("respondent"),
            "question": _("question"),
            "score": _("score"),
            "weight": _("weight"),
        }
        rows: list[list[object]] = []
        for variable in self.variables:
            rows.append(
                [
                    variable.name,
                    variable.label,
                    str(storage_kind(variable.kind).label),
                    source_labels.get(variable.source, variable.source),
                    "",
                    "",
                    "",
                    variable.note,
                    "",
                ]
            )
            for value in variable.values:
                missing = f"{value.value} / .{value.stata_missing}" if value.missing else ""
                rows.append(
                    [variable.name, "", "", "", value.code, value.value, value.label, "", missing]
                )
        return rows


def _base_name(raw: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", raw)
    if not name or not name[0].isalpha():
        name = "v_" + name
    return name[:MAX_NAME]


def safe_names(raw_names: Sequence[str]) -> list[str]:
    """Names valid in SPSS and Stata, unique (case-insensitively), in the order given."""
    taken: set[str] = set()
    result = []
    for raw in raw_names:
        name = _base_name(raw)
        lowered = name.lower()
        if (
            lowered in STATA_RESERVED
            or lowered in SPSS_RESERVED
            or re.fullmatch(r"str\d+", lowered)
        ):
            name = (name + "_")[:MAX_NAME]
        candidate, counter = name, 2
        while candidate.lower() in taken:
            suffix = f"_{counter}"
            candidate = name[: MAX_NAME - len(suffix)] + suffix
            counter += 1
        taken.add(candidate.lower())
        result.append(candidate)
    return result


def build_codebook(
    *,
    questions: Sequence,
    subdistricts: Sequence[tuple[str, str]],
    rules: Sequence = (),
    channels: Sequence[tuple[str, str]] = (),
    sexes: Sequence[tuple[str, str]] = (),
    age_groups: Sequence[tuple[str, str]] = (),
) -> Codebook:
    """The codebook from plain values (no database access).

    ``questions`` are ``surveys.questionnaire.QuestionSpec``-like objects (code, text, kind,
    choices with code/label, rows with code/label); ``subdistricts`` (code, name) pairs;
    ``rules`` ``surveys.scoring.ScoringRule``-like objects (code, name, method).
    """
    specs: list[dict] = [
        {
            "raw": "response_id",
            "label": _("Response ID (random; not linked to any person)"),
            "kind": STRING,
            "source": "respondent",
        },
        {
            "raw": "channel",
            "label": _("Channel"),
            "kind": CATEGORICAL,
            "source": "respondent",
            "values": numbered(channels),
        },
        {
            "raw": "submitted_on",
            "label": _("Day of submission (YYYY-MM-DD)"),
            "kind": DATE,
            "source": "respondent",
        },
        {
            "raw": "subdistrict",
            "label": _("Sub-district"),
            "kind": CATEGORICAL,
            "source": "respondent",
            "values": numbered(subdistricts),
        },
        {
            "raw": "sex",
            "label": _("Sex"),
            "kind": CATEGORICAL,
            "source": "respondent",
            "values": numbered(sexes),
        },
        {
            "raw": "age_group",
            "label": _("Age group"),
            "kind": CATEGORICAL,
            "source": "respondent",
            "values": numbered(age_groups),
        },
    ]
    for q in questions:
        # Raises for an unknown kind or a type without export variables: never left out.
        specs.extend(question_types.get(q.kind).codebook_variables(q))
    yes_no = (ValueLabel("0", 0, _("no")), ValueLabel("1", 1, _("yes")))
    for rule in rules:
        is_mean = rule.method == "score_mean"
        specs.append(
            {
                "raw": rule.code,
                "label": _("Score: %(name)s") % {"name": rule.name or rule.code},
                "kind": NUMERIC if is_mean else BINARY,
                "source": "score",
                "question": rule.code,
                "item": rule.code,
                "values": () if is_mean else yes_no,
                "note": _("Mean score / 100 (0–1); empty = not in the rate's base.")
                if is_mean
                else _("1 = yes, 0 = no; empty = not in the rate's base."),
            }
        )
    specs.append(
        {
            "raw": "weight",
            "label": _("Raking weight (weights sum to the number of respondents)"),
            "kind": NUMERIC,
            "source": "weight",
        }
    )
    names = safe_names([spec["raw"] for spec in specs])
    variables = tuple(
        Variable(
            name=name,
            label=spec["label"],
            kind=spec["kind"],
            source=spec["source"],
            question=spec.get("question", ""),
            item=spec.get("item", spec["raw"]),
            values=tuple(spec.get("values", ())),
            note=spec.get("note", ""),
        )
        for name, spec in zip(names, specs, strict=True)
    )
    notes = (
        _(
            "One row per respondent included in the analysis. Multiple-choice questions are "
            "one 0/1 column per choice. Text answers are not exported."
        ),
        _(
            "CSV files hold the questionnaire's codes; SPSS and Stata files hold the numbers in "
            "the column 'value (SPSS/Stata)' with the codes' labels as value labels."
        ),
    )
    return Codebook(variables=variables, notes=notes)


def survey_codebook(survey, *, rules: Sequence | None = None) -> Codebook:
    """The codebook of ``survey`` as saved (reads the questionnaire and the sub-districts)."""
    from portal.models import Subdistrict
    from surveys.models import AgeGroup, Channel, Sex
    from surveys.questionnaire import load_structure
    from surveys.selectors import scoring_rules

    structure = load_structure(survey)
    return build_codebook(
        questions=structure.questions,
        subdistricts=[(s.code, s.name) for s in Subdistrict.objects.all()],
        rules=scoring_rules(survey) if rules is None else rules,
        channels=[(value, str(label)) for value, label in Channel.choices],
        sexes=[(value, str(label)) for value, label in Sex.choices],
        age_groups=[(value, str(label)) for value, label in AgeGroup.choices],
    )
