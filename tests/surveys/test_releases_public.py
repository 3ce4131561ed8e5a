"""The public results page shows the latest release, never live numbers."""

import pytest
from django.urls import reverse
from django.utils.timezone import localtime

from surveys.models import Response, Survey
from surveys.releases import release_publish
from tests.surveys.analysis_fixtures import reference_survey

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_exports(monkeypatch):
    from surveys import exports

    monkeypatch.setattr(exports, "EXPORT_BUILDERS", {})


def test_no_results_yet_state(client):
    survey = reference_survey()
    page = client.get(reverse("surveys:results", args=[survey.slug]))
    assert page.status_code == 200
    assert 'data-testid="results-none"' in page.content.decode()


def test_the_page_shows_the_release_and_not_live_data(client):
    survey = reference_survey()
    release = release_publish(survey=survey, actor=None)
    url = reverse("surveys:results", args=[survey.slug])
    body = client.get(url).content.decode()
    released = f"{release.satisfaction}%"
    estimate = release.results["rates"]["satisfied"]
    assert released in body
    # Under the release's NCHS 2017 standard the public interval is Korn–Graubard.
    assert release.presentation_standard == "nchs-2017"
    assert (
        f"{100 * estimate['kg_low']:.1f}%" in body and f"{100 * estimate['kg_high']:.1f}%" in body
    )
    assert f'<td class="sv-num">{estimate["n"]}</td>' in body
    assert "v1" in body and localtime(release.published_at).strftime("%Y-%m-%d") in body
    # Live data change: drop every dissatisfied respondent. The page keeps the released value.
    Response.objects.filter(survey=survey, answers__choice__code__in=["1", "2", "3"]).delete()
    assert released in client.get(url).content.decode()
    methodology = client.get(reverse("surveys:results_methodology", args=[survey.slug, 1]))
    assert methodology.status_code == 200
    assert reverse("surveys:results_methodology", args=[survey.slug, 1]) in body


def test_the_latest_release_is_shown(client):
    survey = reference_survey()
    release_publish(survey=survey, actor=None)
    second = release_publish(survey=survey, actor=None, trim_cap=2.2)
    body = client.get(reverse("surveys:results", args=[survey.slug])).content.decode()
    assert "v2" in body and f"{second.satisfaction}%" in body


def test_draft_surveys_have_no_results_page(client):
    survey = reference_survey(status=Survey.Status.DRAFT)
    assert client.get(reverse("surveys:results", args=[survey.slug])).status_code == 404


def test_closed_survey_links_to_its_results(client):
    survey = reference_survey(status=Survey.Status.CLOSED)
    body = client.get(reverse("surveys:survey", args=[survey.slug])).content.decode()
    assert reverse("surveys:results", args=[survey.slug]) in body
