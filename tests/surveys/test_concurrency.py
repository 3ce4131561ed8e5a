"""Two submits at the same moment: the database, not a pre-check, keeps one response."""

import threading

import pytest
from django.db import connection, connections

from surveys import services
from surveys.models import Response, Survey
from surveys.questionnaire import load_structure
from tests.factories import UserFactory
from tests.surveys.builders import build_survey, valid_data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="in-memory SQLite serialises connections; runs on PostgreSQL (make test-postgres)",
    ),
]


def race(survey, respondent_factory):
    structure = load_structure(survey)
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            respondent = respondent_factory()
            barrier.wait()
            services.response_submit(
                survey=survey, structure=structure, data=valid_data(), respondent=respondent
            )
            outcomes.append("ok")
        except services.SubmissionRefused as exc:
            outcomes.append(exc.reason)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_concurrent_submits_by_one_user_store_one_response():
    survey = build_survey()
    user = UserFactory()
    outcomes = race(survey, lambda: services.Respondent(mode="account", user=user))
    assert outcomes == ["duplicate", "ok"]
    assert Response.objects.count() == 1


def test_two_concurrent_submits_with_one_token_store_one_response():
    survey = build_survey(respondent_mode=Survey.Mode.TOKEN)
    _batch, tokens = services.token_batch_create(survey=survey, label="x", size=1, actor=None)

    def respondent():
        return services.Respondent(
            mode="token", token=services.token_resolve(survey=survey, raw=tokens[0])
        )

    assert race(survey, respondent) == ["duplicate", "ok"]
    assert Response.objects.count() == 1
