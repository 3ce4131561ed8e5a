"""A survey's structure as plain values, the forms of each step and whole-response validation.

One function, ``validate_submission``, decides whether input is a valid response: the web form
(step by step and again in full at submit), the paper/CATI import and the benchmark all call it.
Display conditions are enforced here on the server: an answer to a question that the earlier
answers hide is an error, never silently kept.

Steps: step 0 is the standard demographic block (sub-district, sex, age group or birth year);
steps 1..n are the questionnaire's pages in order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.cache import cache
from django.utils.datastructures import MultiValueDict
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from surveys import question_types
from surveys.models import AgeGroup, Sex, Survey, age_group_for, split_codes
from surveys.question_types import AnswerValue, QuestionType

DEMOGRAPHIC_FIELDS = ("subdistrict", "sex", "age_group", "birth_year")
STRUCTURE_CACHE_SECONDS = 300


@dataclass(frozen=True)
class ChoiceSpec:
    id: int | None
    code: str
    label: str
    score: float | None
    substantive: bool


@dataclass(frozen=True)
class RowSpec:
    id: int | None
    code: str
    label: str


@dataclass(frozen=True)
class QuestionSpec:
    id: int | None
    code: str
    text: str
    help_text: str
    kind: str
    required: bool
    page: int
    min_value: Decimal | None
    max_value: Decimal | None
    max_length: int
    condition_code: str
    condition_choices: frozenset[str]
    choices: tuple[ChoiceSpec, ...]
    rows: tuple[RowSpec, ...]

    @property
    def question_type(self) -> QuestionType:
        """The registered type (raises ``QuestionTypeError`` for an unknown kind)."""
        return question_types.get(self.kind)

    @property
    def is_matrix(self) -> bool:
        return self.question_type.has_rows

    @property
    def has_choices(self) -> bool:
        return self.question_type.has_choices

    def field_name(self, row: RowSpec | None = None) -> str:
        return f"{self.code}_{row.code}" if row is not None else self.code

    def field_names(self) -> list[str]:
        if self.is_matrix:
            return [self.field_name(row) for row in self.rows]
        return [self.code]

    @cached_property
    def choice_by_code(self) -> dict[str, ChoiceSpec]:
        return {choice.code: choice for choice in self.choices}


@dataclass(frozen=True)
class SubdistrictSpec:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class SurveyStructure:
    survey_id: int | None
    year: int
    age_input: str
    questions: tuple[QuestionSpec, ...]
    subdistricts: tuple[SubdistrictSpec, ...]
    pages: tuple[int, ...] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "pages", tuple(sorted({q.page for q in self.questions})))

    @property
    def step_count(self) -> int:
        """Steps including the demographic block (step 0)."""
        return len(self.pages) + 1

    def questions_on_step(self, step: int) -> list[QuestionSpec]:
        if step == 0:
            return []
        page = self.pages[step - 1]
        return [q for q in self.questions if q.page == page]

    @cached_property
    def question_by_code(self) -> dict[str, QuestionSpec]:
        return {q.code: q for q in self.questions}

    @cached_property
    def subdistrict_by_code(self) -> dict[str, SubdistrictSpec]:
        return {s.code: s for s in self.subdistricts}

    def all_field_names(self) -> list[str]:
        return [name for q in self.questions for name in q.field_names()]

    @cached_property
    def validation_fields(self) -> dict[str | int, dict[str, forms.Field]]:
        """Form fields built once per structure, for validation only (never rendered).

        Building a step's fields (choices normalised by Django for every field) was most of
        ``validate_submission``'s time; cleaning does not change a field, so a structure's
        validation reuses them. Key: a question's code, or 0 for the demographic block.
        """
        fields: dict[str | int, dict[str, forms.Field]] = {0: demographic_fields(self)}
        for spec in self.questions:
            fields[spec.code] = spec.question_type.form_fields(spec)
        return fields

    def __getstate__(self):
        # The shared cache stores the values, not the per-process form fields.
        state = dict(self.__dict__)
        state.pop("validation_fields", None)
        return state


def _spec_from_question(question) -> QuestionSpec:
    kind = question.kind
    default_length = question_types.get(kind).default_max_length
    return QuestionSpec(
        id=question.pk,
        code=question.code,
        text=question.text,
        help_text=question.help_text,
        kind=kind,
        required=question.required,
        page=question.page,
        min_value=question.min_value,
        max_value=question.max_value,
        max_length=question.max_length or default_length,
        condition_code=question.condition_question_code,
        condition_choices=frozenset(split_codes(question.condition_choice_codes)),
        choices=tuple(
            ChoiceSpec(
                id=c.pk,
                code=c.code,
                label=c.label,
                score=float(c.score) if c.score is not None else None,
                substantive=c.is_substantive,
            )
            for c in question.choices.all()
        ),
        rows=tuple(RowSpec(id=r.pk, code=r.code, label=r.label) for r in question.rows.all()),
    )


def _subdistricts() -> tuple[SubdistrictSpec, ...]:
    from portal.models import Subdistrict

    return tuple(
        SubdistrictSpec(id=s.pk, code=s.code, name=s.name)
        for s in Subdistrict.objects.filter(is_active=True)
    )


def build_structure_from_instance(survey: Survey) -> SurveyStructure:
    """The structure of a survey as it is in memory (used by the admin preview)."""
    questions = sorted(survey.questions.all(), key=lambda q: (q.page, q.sort_order or 0))
    return SurveyStructure(
        survey_id=survey.pk,
        year=survey.year or 0,
        age_input=survey.age_input,
        questions=tuple(_spec_from_question(q) for q in questions),
        subdistricts=_subdistricts(),
    )


def load_structure(survey: Survey) -> SurveyStructure:
    """The saved structure of ``survey``: from this process, the shared cache or four queries.

    The cache key carries ``updated_at``, which changes whenever the survey is saved in the
    admin, so a stale structure is never served after an edit.
    """
    key = f"surveys:structure:{survey.pk}:{survey.updated_at.timestamp()}"
    local = _local_structures.get(key)
    if local is not None and local[0] > time.monotonic():
        return local[1]
    structure = cache.get(key)
    if structure is None:
        questions = survey.questions.prefetch_related("choices", "rows").order_by(
            "page", "sort_order", "pk"
        )
        structure = SurveyStructure(
            survey_id=survey.pk,
            year=survey.year,
            age_input=survey.age_input,
            questions=tuple(_spec_from_question(q) for q in questions),
            subdistricts=_subdistricts(),
        )
        cache.set(key, structure, STRUCTURE_CACHE_SECONDS)
    if len(_local_structures) >= 64:
        _local_structures.clear()
    _local_structures[key] = (time.monotonic() + STRUCTURE_CACHE_SECONDS, structure)
    return structure


# This process's copy of the structures it served, under the same updated_at-carrying keys and
# lifetime as the shared cache (so an edit saved in the admin is never served stale): a
# submission then needs neither a cache round trip nor unpickling. Structures are values.
_local_structures: dict[str, tuple[float, SurveyStructure]] = {}


def structure_problems(structure: SurveyStructure) -> list[str]:
    """What makes a questionnaire unusable (checked when an analyst saves or opens it)."""
    problems = []
    seen_pages: dict[str, int] = {}
    for q in structure.questions:
        if q.has_choices and not q.choices:
            problems.append(_("%(code)s needs at least one choice.") % {"code": q.code})
        if q.is_matrix and not q.rows:
            problems.append(_("%(code)s is a matrix and needs rows.") % {"code": q.code})
        if not q.is_matrix and q.rows:
            problems.append(_("%(code)s has rows but is not a matrix.") % {"code": q.code})
        if q.condition_code:
            target = structure.question_by_code.get(q.condition_code)
            if target is None or seen_pages.get(target.code, q.page) >= q.page:
                problems.append(
                    _("%(code)s: the condition must name a question on an earlier page.")
                    % {"code": q.code}
                )
            elif not target.question_type.condition_source:
                problems.append(
                    _("%(code)s: the condition question must be a choice question.")
                    % {"code": q.code}
                )
            elif not q.condition_choices <= set(target.choice_by_code):
                problems.append(
                    _("%(code)s: the condition names unknown choice codes.") % {"code": q.code}
                )
        seen_pages[q.code] = q.page
    return problems


# --- Forms -------------------------------------------------------------------------------------


class StepForm(forms.Form):
    """The fields of one step. ``items`` groups bound fields by question for the template."""

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.item_specs = list(items)
        self.condition_text = lambda spec: None

    @property
    def items(self):
        result = []
        for spec in self.item_specs:
            if spec is None:
                continue
            if spec.is_matrix:
                fields = [(row, self[spec.field_name(row)]) for row in spec.rows]
            else:
                fields = [(None, self[spec.code])]
                if not spec.has_choices:
                    # Text and number inputs: tie help and error texts to the input itself.
                    described = []
                    if spec.help_text:
                        described.append(f"help-{spec.code}")
                    if self.is_bound and self._errors and spec.code in self._errors:
                        described.append(f"err-{spec.code}")
                        self.fields[spec.code].widget.attrs["aria-invalid"] = "true"
                    if described:
                        self.fields[spec.code].widget.attrs["aria-describedby"] = " ".join(
                            described
                        )
            result.append(
                {"question": spec, "fields": fields, "condition": self.condition_text(spec)}
            )
        return result


def _condition_text(structure, spec: QuestionSpec) -> dict | None:
    """{"code": "Q4", "labels": "「知道」"} for a conditional question, for the templates."""
    target = structure.question_by_code.get(spec.condition_code) if structure else None
    if target is None:
        return None
    labels = [c.label for c in target.choices if c.code in spec.condition_choices]
    return {"code": target.code, "labels": "、".join(f"「{label}」" for label in labels)}


def demographic_fields(structure: SurveyStructure) -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {
        "subdistrict": forms.ChoiceField(
            label=gettext_lazy("Sub-district or town where you live"),
            choices=[(s.code, s.name) for s in structure.subdistricts],
            widget=forms.RadioSelect,
        ),
        "sex": forms.ChoiceField(
            label=gettext_lazy("Sex"), choices=Sex.choices, widget=forms.RadioSelect
        ),
    }
    if structure.age_input == Survey.AgeInput.BIRTH_YEAR:
        fields["birth_year"] = forms.IntegerField(
            label=gettext_lazy("Year of birth"),
            min_value=structure.year - 110,
            max_value=structure.year - 18,
            error_messages={
                "max_value": gettext_lazy("This survey is for residents aged 18 or over."),
                "min_value": gettext_lazy("Please check the year of birth."),
            },
        )
    else:
        fields["age_group"] = forms.ChoiceField(
            label=gettext_lazy("Age group"), choices=AgeGroup.choices, widget=forms.RadioSelect
        )
    return fields


def is_visible(spec: QuestionSpec, chosen: dict[str, set[str]]) -> bool:
    """Whether ``spec`` applies given the choice codes chosen so far (code -> set of codes)."""
    if not spec.condition_code:
        return True
    return bool(chosen.get(spec.condition_code, set()) & spec.condition_choices)


def _has_input(data, name: str) -> bool:
    values = data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
    if isinstance(values, str):
        values = [values]
    return any(str(v).strip() for v in values)


def as_multivalue(data: Any) -> MultiValueDict:
    """Request data, a draft's JSON (name -> list) or an import row as a MultiValueDict."""
    if isinstance(data, MultiValueDict):
        return data
    result = MultiValueDict()
    for key, value in (data or {}).items():
        result.setlist(
            key, [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
        )
    return result


def build_step_form(
    structure: SurveyStructure,
    step: int,
    data=None,
    *,
    chosen: dict[str, set[str]] | None = None,
    show_all: bool = False,
) -> StepForm:
    """The form of ``step``; questions hidden by ``chosen`` (earlier answers) are left out,
    unless ``show_all`` (the admin preview)."""
    chosen = chosen or {}
    fields: dict[str, forms.Field] = {}
    items: list[QuestionSpec] = []
    if step == 0:
        fields.update(demographic_fields(structure))
    for spec in structure.questions_on_step(step):
        if show_all or is_visible(spec, chosen):
            fields.update(spec.question_type.form_fields(spec))
            items.append(spec)
    return _step_form(structure, step, data, fields, items)


def _step_form(structure, step, data, fields, items) -> StepForm:
    form = StepForm(data, items=items, prefix=None)
    form.condition_text = lambda spec: _condition_text(structure, spec)
    form.fields.update(fields)
    form.step = step
    return form


def chosen_codes(
    structure: SurveyStructure, cleaned: dict[str, Any], step: int
) -> dict[str, set[str]]:
    result = {}
    for spec in structure.questions_on_step(step):
        if spec.has_choices and not spec.is_matrix and spec.code in cleaned:
            value = cleaned[spec.code]
            result[spec.code] = (
                set(value) if isinstance(value, list) else ({value} if value else set())
            )
    return result


@dataclass
class CleanedResponse:
    subdistrict_id: int | None
    sex: str
    age_group: str
    answers: list[AnswerValue]


@dataclass
class ValidationResult:
    cleaned: CleanedResponse | None
    errors: dict[int, dict[str, list[str]]]  # step -> field -> messages

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def first_error_step(self) -> int | None:
        return min(self.errors) if self.errors else None


def chosen_before(structure: SurveyStructure, data, step: int) -> dict[str, set[str]]:
    """Choice codes answered on the steps before ``step`` (for display conditions)."""
    data = as_multivalue(data)
    chosen: dict[str, set[str]] = {}
    for earlier in range(1, step):
        form = build_step_form(structure, earlier, data, chosen=chosen)
        form.is_valid()
        chosen.update(chosen_codes(structure, getattr(form, "cleaned_data", {}), earlier))
    return chosen


def validate_submission(
    structure: SurveyStructure, data, *, include_demographics: bool = True
) -> ValidationResult:
    """Validate a whole response. Every error is reported, keyed by step and field name."""
    data = as_multivalue(data)
    errors: dict[int, dict[str, list[str]]] = {}
    chosen: dict[str, set[str]] = {}
    answers: list[AnswerValue] = []
    demographics = {"subdistrict_id": None, "sex": "", "age_group": ""}
    first_step = 0 if include_demographics else 1
    prebuilt = structure.validation_fields
    for step in range(first_step, structure.step_count):
        fields = dict(prebuilt[0]) if step == 0 else {}
        items = []
        for spec in structure.questions_on_step(step):
            if is_visible(spec, chosen):
                fields.update(prebuilt[spec.code])
                items.append(spec)
        # Same fields as build_step_form(structure, step, data, chosen=chosen), not rebuilt.
        form = _step_form(structure, step, data, fields, items)
        step_errors: dict[str, list[str]] = {}
        if not form.is_valid():
            step_errors.update({name: list(msgs) for name, msgs in form.errors.items()})
        cleaned = form.cleaned_data
        for spec in structure.questions_on_step(step):
            if is_visible(spec, chosen):
                continue
            for name in spec.field_names():
                if _has_input(data, name):
                    step_errors.setdefault(name, []).append(
                        _("This question does not apply given an earlier answer.")
                    )
        if step == 0:
            sub = structure.subdistrict_by_code.get(cleaned.get("subdistrict", ""))
            demographics["subdistrict_id"] = sub.id if sub else None
            demographics["sex"] = cleaned.get("sex", "")
            if "birth_year" in cleaned:
                demographics["age_group"] = age_group_for(
                    birth_year=cleaned["birth_year"], year=structure.year
                )
            else:
                demographics["age_group"] = cleaned.get("age_group", "")
        else:
            for spec in form.item_specs:
                answers.extend(spec.question_type.answer_values(spec, cleaned))
            chosen.update(chosen_codes(structure, cleaned, step))
        if step_errors:
            errors[step] = step_errors
    if errors:
        return ValidationResult(cleaned=None, errors=errors)
    return ValidationResult(cleaned=CleanedResponse(answers=answers, **demographics), errors={})


def step_data(structure: SurveyStructure, step: int, data) -> dict[str, list[str]]:
    """The raw input of one step, as JSON-friendly lists (what drafts store)."""
    data = as_multivalue(data)
    names = list(DEMOGRAPHIC_FIELDS) if step == 0 else []
    for spec in structure.questions_on_step(step):
        names.extend(spec.field_names())
    return {name: data.getlist(name) for name in names if _has_input(data, name)}
