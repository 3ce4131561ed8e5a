"""The building blocks of exported variables, shared by the codebook and the question types.

A question type (:mod:`surveys.question_types`) describes the variables its questions export
with these values; :mod:`surveys.codebook` names them and :mod:`surveys.exports` writes them.
``STORAGE_KINDS`` is the table of how each kind of variable is stored in SPSS and Stata
(measurement level, format, value labels); a variable of a kind not in the table is an error,
never written as something else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import pgettext_lazy

__all__ = [
    "BINARY",
    "CATEGORICAL",
    "DATE",
    "LABELLED",
    "NUMERIC",
    "ORDINAL",
    "STORAGE_KINDS",
    "STRING",
    "StorageKind",
    "UnknownVariableKind",
    "ValueLabel",
    "numbered",
    "question_label",
    "storage_kind",
]

STRING = "string"
CATEGORICAL = "categorical"  # unordered codes with value labels (nominal)
ORDINAL = "ordinal"  # ordered codes with value labels (a Likert or matrix scale)
BINARY = "binary"  # 0/1 with value labels
NUMERIC = "numeric"  # a number without value labels
DATE = "date"  # a calendar day (SPSS date format, Stata %td)

#: Kinds whose values are the questionnaire's codes (numbered for SPSS/Stata, with labels).
LABELLED = frozenset({CATEGORICAL, ORDINAL})

_INTEGER = re.compile(r"^-?\d{1,9}$")


@dataclass(frozen=True)
class StorageKind:
    """How a variable of one kind is stored: its codebook label, SPSS measurement level and
    format, and whether its values carry value labels (numbers in SPSS/Stata)."""

    label: str
    measure: str  # SPSS measurement level: "nominal", "ordinal" or "scale"
    coded: bool  # codes replaced by numbers, with value labels
    numeric: bool  # written as float64 (missing = system missing / ".")
    spss_format: str = ""  # "" leaves pyreadstat's default
    date: bool = False  # a calendar day: SPSS date format, Stata %td


STORAGE_KINDS: dict[str, StorageKind] = {
    STRING: StorageKind(pgettext_lazy("variable type", "text"), "nominal", False, False),
    CATEGORICAL: StorageKind(
        pgettext_lazy("variable type", "categorical"), "nominal", True, True, "F8.0"
    ),
    ORDINAL: StorageKind(pgettext_lazy("variable type", "ordinal"), "ordinal", True, True, "F8.0"),
    BINARY: StorageKind(pgettext_lazy("variable type", "0/1"), "nominal", True, True, "F8.0"),
    NUMERIC: StorageKind(pgettext_lazy("variable type", "number"), "scale", False, True),
    DATE: StorageKind(
        pgettext_lazy("variable type", "date"), "scale", False, False, "SDATE10", date=True
    ),
}


class UnknownVariableKind(LookupError):
    pass


def storage_kind(kind: str) -> StorageKind:
    try:
        return STORAGE_KINDS[kind]
    except KeyError:
        raise UnknownVariableKind(
            f"Variable kind {kind!r} has no storage definition (known: {sorted(STORAGE_KINDS)})."
        ) from None


STATA_MISSING_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class ValueLabel:
    code: str  # as in the CSV
    value: int  # as in SPSS / Stata
    label: str
    #: A declared missing value (a non-substantive answer such as 说不清/不知道): SPSS
    #: user-missing, Stata extended missing (``stata_missing``, e.g. ``.a``).
    missing: bool = False
    stata_missing: str = ""


def numbered(
    codes_and_labels: Iterable[tuple[str, str]], *, missing: Iterable[str] = ()
) -> tuple[ValueLabel, ...]:
    """Value labels; numbers are the codes when all codes are distinct integers, else 1..k.

    Codes in ``missing`` are declared missing values: user-missing in SPSS (the number stays,
    e.g. 9 = 说不清) and extended missing ``.a``, ``.b``, … in Stata, in questionnaire order.
    """
    pairs = [(str(code), str(label)) for code, label in codes_and_labels]
    codes = [code for code, _label in pairs]
    missing = {str(code) for code in missing}
    if (
        codes
        and all(_INTEGER.match(code) for code in codes)
        and len({int(c) for c in codes}) == len(codes)
    ):
        values = [int(code) for code in codes]
    else:
        values = list(range(1, len(pairs) + 1))
    letters = iter(STATA_MISSING_LETTERS)
    result = []
    for (code, label), value in zip(pairs, values, strict=True):
        is_missing = code in missing
        result.append(
            ValueLabel(code, value, label, is_missing, next(letters, "") if is_missing else "")
        )
    return tuple(result)


def question_label(code: str, text: str, extra: str = "") -> str:
    label = f"{code} {text}".strip()
    return f"{label} — {extra}" if extra else label
