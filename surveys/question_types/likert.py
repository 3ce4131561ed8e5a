"""Likert scale: one point of a scale, laid out horizontally; one coded variable."""

from django.utils.translation import gettext_lazy as _

from surveys.question_types import register
from surveys.question_types.base import ChoiceQuestionType


@register
class Likert(ChoiceQuestionType):
    kind = "likert"
    label = _("Likert scale")
    scale_layout = True
