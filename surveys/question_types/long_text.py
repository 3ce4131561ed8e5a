"""Long text: a text area. Never exported (free text can identify a respondent)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.question_types import register
from surveys.question_types.short_text import ShortText


@register
class LongText(ShortText):
    kind = "long_text"
    label = _("Long text")
    default_max_length = 2000

    def widget(self):
        return forms.Textarea(attrs={"rows": 4})
