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

from django.utils.translation import gettext_lazy as _

__all__ = [
    "BINARY",
    "CATEGORICAL",
    "NUMERIC",
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
CATEGORICAL = "categorical"  # codes with value labels
BINARY = "binary"  # 0/1 with value labels
NUMERIC = "numeric"  # a number without value labels

_INTEGER = re.compile(r"^-?\d{1,9}$")


@dataclass(frozen=True)
class StorageKind:
    """How a variable of one kind is stored: its codebook label, SPSS measurement level and
    format, and whether its values carry value labels (numbers in SPSS/Stata)."""

    label: str
    measure: str  # SPSS measurement level: "nominal" or "scale"
    coded: bool  # codes replaced by numbers, with value labels
    numeric: bool  # written as float64 (missing = system missing / ".")
    spss_format: str = ""  # "" leaves pyreadstat's default


STORAGE_KINDS: dict[str, StorageKind] = {
    STRING: StorageKind(_("text"), "nominal", coded=False, numeric=False),
    CATEGORICAL: StorageKind(
        _("categorical"), "nominal", coded=True, numeric=True, spss_format="F8.0"
    ),
    BINARY: StorageKind(_("0/1"), "nominal", coded=True, numeric=True, spss_format="F8.0"),
    NUMERIC: StorageKind(_("number"), "scale", coded=False, numeric=True),
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


@dataclass(frozen=True)
class ValueLabel:
    code: str  # as in the CSV
    value: int  # as in SPSS / Stata
    label: str


def numbered(codes_and_labels: Iterable[tuple[str, str]]) -> tuple[ValueLabel, ...]:
    """Value labels; numbers are the codes when all codes are distinct integers, else 1..k."""
    pairs = [(str(code), str(label)) for code, label in codes_and_labels]
    codes = [code for code, _label in pairs]
    if (
        codes
        and all(_INTEGER.match(code) for code in codes)
        and len({int(c) for c in codes}) == len(codes)
    ):
        return tuple(ValueLabel(code, int(code), label) for code, label in pairs)
    return tuple(ValueLabel(code, i, label) for i, (code, label) in enumerate(pairs, start=1))


def question_label(code: str, text: str, extra: str = "") -> str:
    label = f"{code} {text}".strip()
    return f"{label} — {extra}" if extra else label
