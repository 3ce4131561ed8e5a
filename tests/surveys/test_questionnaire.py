import pytest

from surveys.models import Survey, age_group_for
from surveys.questionnaire import load_structure, structure_problems, validate_submission
from tests.surveys.builders import build_survey, valid_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def structure():
    return load_structure(build_survey())


def errors_of(structure, **overrides):
    result = validate_submission(structure, valid_data(**overrides))
    return {name: msgs for step in result.errors.values() for name, msgs in step.items()}


def test_a_complete_valid_response_yields_one_answer_per_choice(structure):
    result = validate_submission(structure, valid_data())
    assert result.is_valid
    cleaned = result.cleaned
    assert cleaned.sex == "female" and cleaned.age_group == "45-59"
    # Q1, Q2 x2 rows, Q3 x2 choices, Q4, Q5, Q6, Q7
    assert len(cleaned.answers) == 9


def test_single_choice_rejects_a_tampered_code(structure):
    assert "Q4" in errors_of(structure, Q4="7")


def test_likert_is_required(structure):
    assert "Q1" in errors_of(structure, Q1=None)


def test_matrix_requires_every_row_and_rejects_unknown_codes(structure):
    errors = errors_of(structure, Q2_r2=None, Q2_r1="x")
    assert set(errors) >= {"Q2_r1", "Q2_r2"}


def test_multiple_choice_rejects_any_unknown_code(structure):
    assert "Q3" in errors_of(structure, Q3=["1", "8"])


def test_number_outside_its_range_is_rejected(structure):
    assert "Q6" in errors_of(structure, Q6="101")
    assert "Q6" in errors_of(structure, Q6="-1")
    assert "Q6" in errors_of(structure, Q6="many")
    assert "Q6" not in errors_of(structure, Q6="100")


def test_oversized_text_is_rejected(structure):
    assert "Q7" in errors_of(structure, Q7="长" * 11)
    assert "Q8" in errors_of(structure, Q8="x" * 2001)


def test_answer_to_a_question_hidden_by_a_condition_is_rejected(structure):
    errors = errors_of(structure, Q4="2", Q5="1")
    assert "Q5" in errors
    assert any(text in errors["Q5"][0] for text in ("does not apply", "此题不适用"))


def test_a_hidden_required_question_may_be_left_blank(structure):
    assert errors_of(structure, Q4="2", Q5=None) == {}


def test_demographics_are_required_and_checked(structure):
    errors = errors_of(structure, subdistrict="nowhere", sex=None, age_group="10-17")
    assert set(errors) == {"subdistrict", "sex", "age_group"}


def test_birth_year_is_mapped_to_the_age_group_and_minors_are_refused():
    survey = build_survey(age_input=Survey.AgeInput.BIRTH_YEAR)
    structure = load_structure(survey)
    result = validate_submission(structure, valid_data(age_group=None, birth_year="1960"))
    assert result.cleaned.age_group == "60+"
    minor = validate_submission(structure, valid_data(age_group=None, birth_year="2010"))
    assert "birth_year" in minor.errors[0]


@pytest.mark.parametrize(
    ("birth_year", "group"),
    [
        (2007, "18-29"),
        (1996, "18-29"),
        (1995, "30-44"),
        (1981, "30-44"),
        (1980, "45-59"),
        (1966, "45-59"),
        (1965, "60+"),
        (2008, None),
    ],
)
def test_age_group_boundaries(birth_year, group):
    assert age_group_for(birth_year=birth_year, year=2025) == group


def test_structure_problems_name_bad_conditions(structure):
    assert structure_problems(structure) == []
    survey = Survey.objects.get()
    q = survey.questions.get(code="Q5")
    q.condition_question_code = "Q7"
    q.save()
    survey.save()
    assert any("Q5" in p for p in structure_problems(load_structure(Survey.objects.get())))
