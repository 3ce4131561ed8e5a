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


# The day's signal upsert, the look at earlier days, the response, all answers (one INSERT),
# and the transaction's own statements; the rate-limit counter lives in the cache.
ANONYMOUS_SUBMISSION_CEILING = 8


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
    assert len(ctx.captured_queries) <= ANONYMOUS_SUBMISSION_CEILING
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
