"""Short text: one line of free text. Never exported (free text can identify a respondent)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.question_types import register
from surveys.question_types.base import AnswerValue, QuestionType, text_limit_message


@register
class ShortText(QuestionType):
    kind = "short_text"
    label = _("Short text")
    template_name = "surveys/question_types/text.html"
    default_max_length = 200

    def widget(self):
        return forms.TextInput()

    def form_fields(self, spec):
        return {
            spec.code: forms.CharField(
                label=spec.text,
                required=spec.required,
                max_length=spec.max_length,
                widget=self.widget(),
            )
        }

    def answer_values(self, spec, cleaned):
        value = cleaned.get(spec.code)
        return [AnswerValue(spec.id, text=value)] if value else []

    def import_values(self, spec):
        return text_limit_message(spec)

    def codebook_variables(self, spec):
        return []  # on purpose: free text can identify a respondent
