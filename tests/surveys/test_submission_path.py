"""The anonymous submission path: few statements, signals across days, no stale structure."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys import services
from surveys.models import AbuseSignal, Response, Survey
from surveys.questionnaire import load_structure
from tests.surveys.builders import build_survey, valid_data

pytestmark = pytest.mark.django_db


# The day's signal upsert (which on PostgreSQL also looks at earlier days; elsewhere a first
# sighting today takes a second statement), the response, all answers (one INSERT), and the
# transaction's savepoint and release inside the test's transaction; the rate-limit counter
# lives in the cache (with Redis, outside the database).
def anonymous_submission_ceiling() -> int:
    return 5 if connection.vendor == "postgresql" else 6


def anonymous(survey, signal="a" * 64, **kw):
    return services.Respondent(mode=Survey.Mode.ANONYMOUS, signal_hash=signal, **kw)


def submit(survey, respondent):
    return services.response_submit(
        survey=survey, structure=load_structure(survey), data=valid_data(), respondent=respondent
    )


def test_an_anonymous_submission_runs_a_small_constant_number_of_statements():
    survey = build_survey(respondent_mode=Survey.Mode.ANONYMOUS)
    load_structure(survey)  # warm
    with CaptureQueriesContext(connection) as ctx:
        submit(survey, anonymous(survey))
    assert len(ctx.captured_queries) <= anonymous_submission_ceiling()
    assert Response.objects.count() == 1


def test_the_day_count_is_one_row_per_signal_and_day_and_earlier_days_mark_duplicates():
    survey = build_survey(respondent_mode=Survey.Mode.ANONYMOUS, anonymous_hourly_limit=10)
    today = services.today()
    AbuseSignal.objects.create(
        survey=survey, signal_hash="b" * 64, seen_on=today - dt.timedelta(days=3)
    )

    first = submit(survey, anonymous(survey, "a" * 64))
    again = submit(survey, anonymous(survey, "a" * 64))
    returning = submit(survey, anonymous(survey, "b" * 64))

    assert first.duplicate_reason == Response.DuplicateReason.NONE
    assert again.duplicate_reason == Response.DuplicateReason.SAME_SIGNAL
    assert returning.duplicate_reason == Response.DuplicateReason.SAME_SIGNAL
    assert AbuseSignal.objects.get(signal_hash="a" * 64, seen_on=today).count == 2
    assert AbuseSignal.objects.get(signal_hash="b" * 64, seen_on=today).count == 1
    assert AbuseSignal.objects.filter(survey=survey).count() == 3


def test_an_edited_questionnaire_is_never_served_from_the_process_copy():
    survey = build_survey()
    before = load_structure(survey)
    assert load_structure(survey) is before  # served from this process
    question = survey.questions.order_by("page", "sort_order", "pk").first()
    question.text = "已修改的题目"
    question.save()
    survey.save()  # what the admin's questionnaire editor does with the inline questions
    after = load_structure(Survey.objects.get(pk=survey.pk))
    assert after is not before
    assert after.question_by_code[question.code].text == "已修改的题目"


def test_a_failed_submission_leaves_neither_a_response_nor_a_counted_signal():
    survey = build_survey(respondent_mode=Survey.Mode.ANONYMOUS, anonymous_hourly_limit=1)
    with pytest.raises(services.SubmissionInvalid):
        services.response_submit(
            survey=survey,
            structure=load_structure(survey),
            data=valid_data(subdistrict=["nowhere"]),
            respondent=anonymous(survey),
        )
    assert not Response.objects.exists()
    assert not AbuseSignal.objects.exists()
    submit(survey, anonymous(survey))  # the failed attempt did not use up the one allowed
    with pytest.raises(services.SubmissionRefused) as refused:
        submit(survey, anonymous(survey))
    assert refused.value.reason == "rate_limited"
    assert Response.objects.count() == 1


def test_the_prebuilt_validation_fields_stay_out_of_the_shared_cache_and_still_validate():
    import pickle

    survey = build_survey(respondent_mode=Survey.Mode.ANONYMOUS)
    structure = load_structure(survey)
    first = submit(survey, anonymous(survey, "c" * 64))
    assert "validation_fields" in structure.__dict__  # built once, reused by later submissions
    copy = pickle.loads(pickle.dumps(structure))  # noqa: S301 - our own bytes
    assert "validation_fields" not in copy.__dict__
    assert copy.questions == structure.questions
    with pytest.raises(services.SubmissionInvalid) as invalid:
        services.response_submit(
            survey=survey,
            structure=structure,
            data=valid_data(sex=["nonsense"]),
            respondent=anonymous(survey, "d" * 64),
        )
    assert "sex" in invalid.value.errors[0]
    assert first.answers.count() == len(
        services.validate_submission(structure, valid_data()).cleaned.answers
    )


def test_the_single_insert_stores_rows_choices_numbers_and_texts_as_given():
    from decimal import Decimal

    survey = build_survey(respondent_mode=Survey.Mode.ANONYMOUS)
    response = services.response_submit(
        survey=survey,
        structure=load_structure(survey),
        data=valid_data(Q6=["2.5"], Q7=["好"], Q8=["多行\n文字"]),
        respondent=anonymous(survey),
    )
    stored = {
        (a.question.code, a.row.code if a.row else "", a.choice.code if a.choice else ""): (
            a.number,
            a.text,
        )
        for a in response.answers.select_related("question", "row", "choice")
    }
    assert stored[("Q2", "r2", "9")] == (None, "")
    assert {k for k in stored if k[0] == "Q3"} == {("Q3", "", "1"), ("Q3", "", "2")}
    assert stored[("Q6", "", "")] == (Decimal("2.5"), "")
    assert stored[("Q7", "", "")] == (None, "好")
    assert stored[("Q8", "", "")] == (None, "多行\n文字")
