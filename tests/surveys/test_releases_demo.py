"""Demo data: illustrative margins and one published release, created once."""

import pytest
from django.urls import reverse

from surveys.models import SurveyMargins, SurveyRelease

pytestmark = pytest.mark.django_db


def test_demo_seeds_illustrative_margins_and_one_release(client):
    from portal import demo as portal_demo
    from surveys import demo, indicators

    portal_demo.seed()
    demo.seed()
    demo.seed()
    margins = SurveyMargins.objects.get(survey__slug=demo.SLUG)
    assert margins.illustrative and "illustrative" in margins.label
    release = SurveyRelease.objects.get(survey__slug=demo.SLUG)
    assert release.version == 1 and release.published_by.username == "analyst"
    assert release.margins_illustrative
    unweighted = 0.858  # docs/surveys.md: the skewed sample's unweighted satisfaction
    weighted = release.results["rates"]["satisfaction"]["rate"]
    assert abs(weighted - unweighted) > 0.005  # weighting to the margins changes the rate
    value = indicators.latest_satisfaction()
    assert value["value"] == release.satisfaction and value["period"] == "2025"
    page = client.get(reverse("surveys:results", args=[demo.SLUG])).content.decode()
    assert f"{release.satisfaction}%" in page
