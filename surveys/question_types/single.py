"""Single choice: one of the choices (radio buttons); one coded variable."""

from django.utils.translation import gettext_lazy as _

from surveys.question_types import register
from surveys.question_types.base import ChoiceQuestionType


@register
class SingleChoice(ChoiceQuestionType):
    kind = "single"
    label = _("Single choice")
    margin_variable = True
