"""Likert scale: one point of a scale, laid out horizontally; one ordinal coded variable."""

from django.utils.translation import gettext_lazy as _

from surveys.question_types import register
from surveys.question_types.base import ChoiceQuestionType
from surveys.variables import ORDINAL


@register
class Likert(ChoiceQuestionType):
    kind = "likert"
    label = _("Likert scale")
    scale_layout = True
    variable_kind = ORDINAL  # SPSS measurement level ordinal
