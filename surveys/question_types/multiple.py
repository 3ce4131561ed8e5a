"""Multiple choice: any of the choices (check boxes); one 0/1 variable per choice.

Imports give the chosen codes separated by ``;``. In exports 1 = chosen, 0 = not chosen and
empty = the question was not answered at all.
"""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from surveys.codes import split_codes
from surveys.question_types import register
from surveys.question_types.base import AnswerValue, ChoiceQuestionType
from surveys.variables import BINARY, ValueLabel


@register
class MultipleChoice(ChoiceQuestionType):
    kind = "multiple"
    label = _("Multiple choice")

    def choice_field(self, spec, *, label, required):
        return forms.MultipleChoiceField(
            label=label,
            choices=[(c.code, c.label) for c in spec.choices],
            required=required,
            widget=forms.CheckboxSelectMultiple,
        )

    def answer_values(self, spec, cleaned):
        return [
            AnswerValue(spec.id, choice_id=spec.choice_by_code[code].id)
            for code in cleaned.get(spec.code) or ()
        ]

    def parse_import(self, raw):
        return split_codes(raw)

    def import_type(self, spec):
        return f"{spec.kind} (;)"

    def codebook_variables(self, spec):
        binary_values = (
            ValueLabel("0", 0, gettext("not chosen")),
            ValueLabel("1", 1, gettext("chosen")),
        )
        note = gettext(
            "Multiple choice: 1 = chosen, 0 = not chosen, empty = question not answered."
        )
        return [
            self.variable(
                spec,
                raw=f"{spec.code}_{choice.code}",
                kind=BINARY,
                item=choice.code,
                extra=choice.label,
                values=binary_values,
                note=note,
            )
            for choice in spec.choices
        ]
