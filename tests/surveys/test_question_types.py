"""The question-type registry: a new type is one class; an unknown type is an error.

``Stars`` below is a type that exists only in these tests (a 1–5 star rating, typed in an
import as digits or as ★ characters). Registered here and nowhere else, it flows through the
web form, the paper/CATI import, the codebook and the CSV, SPSS and Stata exports.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pandas as pd
import pyreadstat
import pytest
from django import forms
from django.template.loader import render_to_string

from surveys import question_types
from surveys.analysis import analyse
from surveys.codebook import NUMERIC, build_codebook, survey_codebook
from surveys.exports import EXPORT_BUILDERS, assemble_microdata
from surveys.imports import import_responses, template_rows
from surveys.models import Answer, Question, Response
from surveys.question_types import AnswerValue, QuestionType, QuestionTypeError
from surveys.questionnaire import build_step_form, load_structure, validate_submission
from surveys.variables import UnknownVariableKind
from tests.surveys.analysis_fixtures import reference_survey
from tests.surveys.builders import build_survey, valid_data

pytestmark = pytest.mark.django_db


class Stars(QuestionType):
    kind = "stars"
    label = "Stars"
    template_name = "surveys/question_types/number.html"

    def form_fields(self, spec):
        return {
            spec.code: forms.IntegerField(
                label=spec.text, required=spec.required, min_value=1, max_value=5
            )
        }

    def answer_values(self, spec, cleaned):
        value = cleaned.get(spec.code)
        return [] if value is None else [AnswerValue(spec.id, number=Decimal(value))]

    def parse_import(self, raw):
        return [str(raw.count("★"))] if "★" in raw else [raw]

    def import_example(self, spec):
        return "★★★"

    def codebook_variables(self, spec):
        return [self.variable(spec, raw=spec.code, kind=NUMERIC, item=spec.code)]


class Forgetful(QuestionType):
    """Defines its form but not its export variables."""

    kind = "forgetful"
    label = "Forgetful"
    template_name = "surveys/question_types/text.html"

    def form_fields(self, spec):
        return {spec.code: forms.CharField(required=False)}


@pytest.fixture
def stars():
    question_types.register(Stars)
    yield
    question_types.unregister(Stars.kind)


def add_stars_question(survey, *, page=3, code="Q9"):
    return Question.objects.create(
        survey=survey, code=code, kind="stars", page=page, text="星级", required=False
    )


def test_the_admin_offers_every_registered_type(stars):
    field = Question._meta.get_field("kind")
    assert ("stars", "Stars") in field.choices
    assert {"single", "multiple", "likert", "matrix", "number", "short_text", "long_text"} <= {
        kind for kind, _label in field.choices
    }


def test_a_registered_type_flows_through_the_form_and_the_import(stars):
    survey = build_survey()
    add_stars_question(survey)
    structure = load_structure(survey)

    form = build_step_form(structure, 3)
    assert isinstance(form.fields["Q9"], forms.IntegerField)
    html = render_to_string(
        "surveys/includes/question.html",
        {"q": form.items[-1]["question"], "fields": form.items[-1]["fields"]},
    )
    assert 'id="q-Q9"' in html and 'name="Q9"' in html

    result = validate_submission(structure, valid_data(Q9="6"))
    assert "Q9" in result.errors[3]
    result = validate_submission(structure, valid_data(Q9="4"))
    assert result.is_valid
    assert [a.number for a in result.cleaned.answers if a.number == 4] == [Decimal(4)]

    assert template_rows(structure)[1][-1] == "★★★"
    header = "respondent_id,channel,subdistrict,sex,age_group,Q1,Q2_r1,Q2_r2,Q3,Q4,Q5,Q6,Q7,Q8,Q9"
    content = (header + "\nP-1,paper,donghua,female,60+,1,1,9,1;2,1,1,3,,,★★\n").encode()
    imported = import_responses(survey=survey, filename="paper.csv", content=content)
    assert imported.ok, imported.problems
    answer = Answer.objects.get(response__external_id="P-1", question__code="Q9")
    assert answer.number == 2


def test_a_registered_type_flows_through_the_codebook_and_the_exports(stars, tmp_path):
    survey = reference_survey(slug="stars-survey")
    q9 = add_stars_question(survey, page=1)
    responses = list(Response.objects.filter(survey=survey).order_by("external_id"))
    Answer.objects.bulk_create(
        Answer(response=r, question=q9, number=1 + i % 5) for i, r in enumerate(responses)
    )
    analysis = analyse(survey)

    variable = survey_codebook(survey, rules=analysis.rules)["Q9"]
    assert variable.kind == NUMERIC and variable.label == "Q9 星级"

    csv_text = EXPORT_BUILDERS["microdata_csv"].build(analysis).decode("utf-8-sig")
    table = pd.read_csv(io.StringIO(csv_text), dtype=str)
    assert "Q9" in table.columns and set(table["Q9"].dropna()) <= {
        "1.0",
        "2.0",
        "3.0",
        "4.0",
        "5.0",
    }
    assert table["Q9"].notna().all()

    for kind, reader, suffix in (
        ("microdata_sav", pyreadstat.read_sav, ".sav"),
        ("microdata_dta", pyreadstat.read_dta, ".dta"),
    ):
        path = tmp_path / f"microdata{suffix}"
        path.write_bytes(EXPORT_BUILDERS[kind].build(analysis))
        frame, meta = reader(str(path))
        assert meta.column_names_to_labels["Q9"] == "Q9 星级"
        assert frame["Q9"].tolist() == table["Q9"].astype(float).tolist()
        if kind == "microdata_sav":
            assert meta.variable_measure["Q9"] == "scale"


def test_an_unknown_kind_is_an_error_not_a_silently_dropped_question():
    with pytest.raises(QuestionTypeError, match="no_such_kind"):
        question_types.get("no_such_kind")

    survey = build_survey()
    Question.objects.create(survey=survey, code="Q9", kind="no_such_kind", page=3, text="?")
    with pytest.raises(QuestionTypeError, match="no_such_kind"):
        load_structure(survey)
    with pytest.raises(QuestionTypeError, match="no_such_kind"):
        survey_codebook(survey)


def test_a_type_without_export_variables_stops_the_export():
    question_types.register(Forgetful)
    try:
        survey = build_survey()
        Question.objects.create(survey=survey, code="Q9", kind="forgetful", page=3, text="?")
        assert "Q9" in build_step_form(load_structure(survey), 3).fields
        with pytest.raises(QuestionTypeError, match="defines no export variables"):
            survey_codebook(survey)
    finally:
        question_types.unregister(Forgetful.kind)


def test_a_variable_of_a_kind_with_no_storage_definition_is_not_written():
    spec = type(
        "Spec", (), {"code": "Q1", "text": "?", "kind": "single", "choices": (), "rows": ()}
    )()
    codebook = build_codebook(questions=[spec], subdistricts=[])
    odd = codebook.variables[6].__class__(
        name="Q1", label="?", kind="complex", source="question", question="Q1", item="Q1"
    )
    broken = type(codebook)(variables=(odd,))
    empty = pd.DataFrame(index=pd.Index([], name="response_id"))
    with pytest.raises(UnknownVariableKind, match="complex"):
        assemble_microdata(
            respondents=empty,
            answers=pd.DataFrame(),
            numbers=pd.DataFrame(),
            weights=[],
            codebook=broken,
        )


def test_a_kind_is_registered_once():
    class Impostor(Stars):
        kind = "single"

    with pytest.raises(QuestionTypeError, match="already registered"):
        question_types.register(Impostor)
    assert type(question_types.get("single")).__name__ == "SingleChoice"
