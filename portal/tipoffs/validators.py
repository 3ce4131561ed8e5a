"""What a report must say, checked the same way for the web form and the Open311 API.

``check_report_details`` is the one place that decides whether a description is long enough and
whether the category's extra questions are answered acceptably (required ones answered, a
multiple-choice answer one of the choices, a free answer not too long). ``TipoffForm`` and
``open311._create`` both call it, so a report the web form refuses is refused by the API too,
with the same translated message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

DESCRIPTION_MIN_LENGTH = 10
DESCRIPTION_MAX_LENGTH = 5000
ANSWER_MAX_LENGTH = 500


@dataclass
class ReportDetails:
    description: str
    #: Answers keyed by the question's label (as stored in ``Tipoff.extra_answers``).
    answers: dict[str, str]
    #: Messages keyed by ``"description"`` or the question's key.
    errors: dict[str, list[str]] = field(default_factory=dict)


def check_report_details(
    questions: list[dict] | None, *, description: str | None, answers: dict[str, str | None]
) -> ReportDetails:
    """Check a report's description and its answers to ``questions`` (a category's
    ``extra_questions``); ``answers`` are keyed by question key. Unknown keys are ignored."""
    errors: dict[str, list[str]] = {}
    text = (description or "").strip()
    if len(text) < DESCRIPTION_MIN_LENGTH:
        errors["description"] = [
            _("Describe what you saw in at least %(n)d characters.") % {"n": DESCRIPTION_MIN_LENGTH}
        ]
    elif len(text) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [
            _("The description can be at most %(n)d characters long.")
            % {"n": DESCRIPTION_MAX_LENGTH}
        ]
    stored: dict[str, str] = {}
    for question in questions or []:
        key = question["key"]
        value = (answers.get(key) or "").strip()
        if not value:
            if question.get("required"):
                errors[key] = [_("This question needs an answer.")]
            continue
        choices = question.get("choices")
        if choices and value not in choices:
            errors[key] = [_("Choose one of the offered answers.")]
        elif len(value) > ANSWER_MAX_LENGTH:
            errors[key] = [
                _("An answer can be at most %(n)d characters long.") % {"n": ANSWER_MAX_LENGTH}
            ]
        else:
            stored[question.get("label", key)] = value
    return ReportDetails(description=text, answers=stored, errors=errors)
