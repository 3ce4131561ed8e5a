"""Matrix: rows sharing one scale; one coded variable per row (``<question>_<row>``)."""

from django.utils.translation import gettext_lazy as _

from surveys.question_types import register
from surveys.question_types.base import AnswerValue, ChoiceQuestionType, choice_value_labels
from surveys.variables import ORDINAL


@register
class Matrix(ChoiceQuestionType):
    kind = "matrix"
    label = _("Matrix (rows sharing one scale)")
    has_rows = True
    variable_kind = ORDINAL  # the rows share one ordered scale
    condition_source = False  # a condition names one answer, a matrix has one per row
    template_name = "surveys/question_types/matrix.html"

    def form_fields(self, spec):
        return {
            spec.field_name(row): self.choice_field(spec, label=row.label, required=spec.required)
            for row in spec.rows
        }

    def answer_values(self, spec, cleaned):
        values = []
        for row in spec.rows:
            code = cleaned.get(spec.field_name(row))
            if code:
                values.append(
                    AnswerValue(spec.id, row_id=row.id, choice_id=spec.choice_by_code[code].id)
                )
        return values

    def codebook_variables(self, spec):
        values = choice_value_labels(spec)
        return [
            self.variable(
                spec,
                raw=f"{spec.code}_{row.code}",
                kind=self.variable_kind,
                item=f"{spec.code}_{row.code}",
                extra=row.label,
                values=values,
            )
            for row in spec.rows
        ]
