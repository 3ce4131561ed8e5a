"""Awards from other apps: reading a column article (a Wagtail hook) and completing a survey (a
signal that carries no response)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.learning import services
from portal.learning.models import LedgerEntry
from surveys.signals import response_completed
from tests.cms.conftest import column, home, make_article  # noqa: F401 - fixtures
from tests.factories import UserFactory


@pytest.fixture
def article(column):  # noqa: F811
    return make_article(column, title="金沙江十年禁渔")


def test_a_signed_in_reader_earns_points_once_per_article(client, article, resident):
    client.force_login(resident)
    first = client.get(article.url)
    second = client.get(article.url)
    assert first.status_code == second.status_code == 200
    entry = LedgerEntry.objects.get(user=resident)
    assert entry.reason == LedgerEntry.Reason.READING
    assert entry.key == f"read:{article.pk}:{resident.pk}"
    assert entry.amount == services.current_settings().points_per_article
    assert "X-Page-Cache" not in first


def test_anonymous_readers_earn_nothing_and_still_get_the_cached_page(client, article):
    assert client.get(article.url)["X-Page-Cache"] == "miss"
    assert client.get(article.url)["X-Page-Cache"] == "hit"
    assert not LedgerEntry.objects.exists()


def test_a_preview_earns_nothing(client, article, editor):
    client.force_login(editor)
    response = client.get(reverse("wagtailadmin_pages:view_draft", args=[article.pk]))
    assert response.status_code == 200
    assert not LedgerEntry.objects.exists()


def test_other_pages_earn_nothing(client, column, resident):  # noqa: F811
    client.force_login(resident)
    assert client.get(column.url).status_code == 200
    assert not LedgerEntry.objects.exists()


def test_completing_a_survey_awards_points_without_any_link_to_the_response(site, db):
    from surveys import services as survey_services
    from surveys.models import Response
    from surveys.questionnaire import load_structure
    from tests.surveys.builders import build_survey, valid_data

    survey = build_survey()
    user = UserFactory(username="surveyor")
    response = survey_services.response_submit(
        survey=survey,
        structure=load_structure(survey),
        data=valid_data(),
        respondent=survey_services.Respondent(mode="account", user=user),
    )
    entry = LedgerEntry.objects.get(user=user)
    assert entry.reason == LedgerEntry.Reason.SURVEY
    assert entry.key == f"survey:{survey.pk}:{user.pk}"
    assert entry.amount == services.current_settings().points_per_survey
    assert entry.note == ""
    assert str(response.pk) not in entry.key
    # No column of the ledger can point at a response or an answer.
    related = {f.related_model for f in LedgerEntry._meta.get_fields() if f.is_relation}
    assert not {m for m in related if m and m._meta.app_label == "surveys"}
    assert Response.objects.filter(survey=survey).count() == 1


def test_the_survey_award_is_given_once_per_survey(site, resident):
    class Survey:
        pk = 41

    response_completed.send(sender=None, survey=Survey, user=resident)
    response_completed.send(sender=None, survey=Survey, user=resident)
    assert LedgerEntry.objects.filter(user=resident).count() == 1
