"""Number: a decimal within the question's minimum and maximum; one numeric variable."""

from django import forms
from django.utils.translation import pgettext_lazy

from surveys.question_types import register
from surveys.question_types.base import AnswerValue, QuestionType
from surveys.variables import NUMERIC


@register
class Number(QuestionType):
    kind = "number"
    label = pgettext_lazy("question type", "Number")
    template_name = "surveys/question_types/number.html"

    def form_fields(self, spec):
        return {
            spec.code: forms.DecimalField(
                label=spec.text,
                required=spec.required,
                min_value=spec.min_value,
                max_value=spec.max_value,
                max_digits=14,
                decimal_places=4,
            )
        }

    def answer_values(self, spec, cleaned):
        value = cleaned.get(spec.code)
        return [] if value is None else [AnswerValue(spec.id, number=value)]

    def import_example(self, spec):
        return str(spec.min_value if spec.min_value is not None else 0)

    def import_values(self, spec):
        low = spec.min_value if spec.min_value is not None else ""
        high = spec.max_value if spec.max_value is not None else ""
        return f"{low}..{high}"

    def codebook_variables(self, spec):
        return [self.variable(spec, raw=spec.code, kind=NUMERIC, item=spec.code)]
