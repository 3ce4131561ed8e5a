"""The interface every question type implements (see :mod:`surveys.question_types`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext as _

from surveys.variables import CATEGORICAL, numbered, question_label


@dataclass
class AnswerValue:
    """One answer row as plain values (what ``surveys.services.answer_rows`` saves)."""

    question_id: int | None
    row_id: int | None = None
    choice_id: int | None = None
    number: Decimal | None = None
    text: str = ""


class QuestionTypeError(LookupError):
    """A question kind that is not registered, or a type that lacks a definition."""


class QuestionType:
    """One kind of question, everywhere it matters.

    ``spec`` arguments are ``surveys.questionnaire.QuestionSpec`` values (code, text, kind,
    required, min/max, max_length, choices, rows). Subclasses set the class attributes and
    implement :meth:`form_fields`, :meth:`answer_values` and :meth:`codebook_variables`; the
    base class raises for a missing definition rather than guessing.
    """

    kind: ClassVar[str]
    label: ClassVar[str]  # gettext_lazy: shown in the admin's "type" choices
    template_name: ClassVar[str]  # renders one question of this type in the public form
    has_choices: ClassVar[bool] = False  # answers are choice codes
    has_rows: ClassVar[bool] = False  # one answer per row (a matrix)
    condition_source: ClassVar[bool] = False  # may be named by a display condition
    margin_variable: ClassVar[bool] = False  # may be a weighting margin's variable
    scale_layout: ClassVar[bool] = False  # options laid out as a horizontal scale
    default_max_length: ClassVar[int] = 200  # text answers

    # --- form ---------------------------------------------------------------------------

    def form_fields(self, spec) -> dict[str, forms.Field]:
        raise QuestionTypeError(f"Question type {self.kind!r} defines no form fields.")

    def answer_values(self, spec, cleaned: dict[str, Any]) -> list[AnswerValue]:
        """The answer rows of one question from a form's cleaned data."""
        raise QuestionTypeError(f"Question type {self.kind!r} defines no answer values.")

    # --- import (paper and CATI) ---------------------------------------------------------

    def parse_import(self, raw: str) -> list[str]:
        """One non-empty import cell as the form values it stands for."""
        return [raw]

    def import_example(self, spec) -> str:
        return spec.choices[0].code if self.has_choices and spec.choices else ""

    def import_type(self, spec) -> str:
        return spec.kind

    def import_values(self, spec) -> str:
        """What the import codebook lists as the allowed values of a column."""
        return "; ".join(f"{c.code}={c.label}" for c in spec.choices)

    # --- codebook, SPSS, Stata -----------------------------------------------------------

    def codebook_variables(self, spec) -> list[dict]:
        """The exported variables of one question, as ``variable()`` dicts.

        Every type must say what it exports: a type that exports nothing (free text) returns
        ``[]`` on purpose; one that forgets is an error, so no answers vanish from an export.
        """
        raise QuestionTypeError(
            f"Question type {self.kind!r} defines no export variables (codebook, SPSS, Stata)."
        )

    @staticmethod
    def variable(spec, *, raw: str, kind: str, item: str, extra: str = "", values=(), note=""):
        return {
            "raw": raw,
            "label": question_label(spec.code, spec.text, extra),
            "kind": kind,
            "source": "question",
            "question": spec.code,
            "item": item,
            "values": tuple(values),
            "note": note,
        }


def choice_value_labels(spec):
    """The value labels of a choice question; non-substantive choices (说不清/不知道, unticked
    "substantive") are declared missing values in SPSS and Stata."""
    return numbered(
        ((c.code, c.label) for c in spec.choices),
        missing=[c.code for c in spec.choices if not getattr(c, "substantive", True)],
    )


class ChoiceQuestionType(QuestionType):
    """A question answered with one of its choices (radio buttons)."""

    #: The exported variable's kind: nominal choices; a scale (Likert, matrix) is ordinal.
    variable_kind: ClassVar[str] = CATEGORICAL
    has_choices = True
    condition_source = True
    template_name = "surveys/question_types/choice.html"

    def choice_field(self, spec, *, label: str, required: bool) -> forms.Field:
        return forms.ChoiceField(
            label=label,
            choices=[(c.code, c.label) for c in spec.choices],
            required=required,
            widget=forms.RadioSelect,
        )

    def form_fields(self, spec) -> dict[str, forms.Field]:
        return {spec.code: self.choice_field(spec, label=spec.text, required=spec.required)}

    def answer_values(self, spec, cleaned):
        value = cleaned.get(spec.code)
        if not value:
            return []
        return [AnswerValue(spec.id, choice_id=spec.choice_by_code[value].id)]

    def codebook_variables(self, spec):
        return [
            self.variable(
                spec,
                raw=spec.code,
                kind=self.variable_kind,
                item=spec.code,
                values=choice_value_labels(spec),
            )
        ]


def text_limit_message(spec) -> str:
    return _("text, at most %(n)s characters") % {"n": spec.max_length}
