"""surveys.indicators: indicators 34/35 read the latest release of the designated survey."""

from decimal import Decimal

import pytest

from surveys import indicators
from surveys.models import Response
from surveys.releases import release_publish
from tests.surveys.analysis_fixtures import reference_survey

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_exports(monkeypatch):
    from surveys import exports

    monkeypatch.setattr(exports, "EXPORT_BUILDERS", {})


def test_no_release_means_no_value():
    reference_survey(feeds_indicators=True)
    assert indicators.latest_satisfaction() is None
    assert indicators.latest_participation() is None


def test_a_release_of_a_survey_not_designated_for_the_indicators_is_ignored():
    survey = reference_survey(feeds_indicators=False)
    release_publish(survey=survey, actor=None)
    assert indicators.latest_satisfaction() is None


def test_values_come_from_the_latest_release_as_decimal_percent():
    survey = reference_survey(feeds_indicators=True)
    first = release_publish(survey=survey, actor=None)
    value = indicators.latest_satisfaction()
    assert value["value"] == first.satisfaction
    assert isinstance(value["value"], Decimal)
    expected = Decimal(str(100 * first.results["rates"]["satisfied"]["rate"])).quantize(
        Decimal("0.1")
    )
    assert value["value"] == expected
    assert value["period"] == "2025"
    assert survey.title in value["source_note"] and "v1" in value["source_note"]
    participation = indicators.latest_participation()
    assert participation["value"] == first.participation

    males = (
        Response.objects.filter(survey=survey, sex="male")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Response.objects.filter(pk__in=list(males[:60])).delete()
    second = release_publish(survey=survey, actor=None, trim_cap=2.2)
    assert indicators.latest_satisfaction()["value"] == second.satisfaction
    assert "v2" in indicators.latest_satisfaction()["source_note"]


def test_the_most_recent_designated_survey_wave_wins():
    older = reference_survey(feeds_indicators=True, slug="wave-2024", wave="2024", year=2024)
    release_publish(survey=older, actor=None)
    assert indicators.latest_satisfaction()["period"] == "2024"
    newer = reference_survey(feeds_indicators=True, slug="wave-2025", wave="2025", year=2025)
    assert indicators.latest_satisfaction()["period"] == "2024"  # no release yet: still 2024
    release_publish(survey=newer, actor=None)
    assert indicators.latest_satisfaction()["period"] == "2025"


def test_disclosure_indicators_34_and_35_pick_up_the_release():
    from disclosure.services import latest_indicator_value

    assert latest_indicator_value(34).source != "survey"
    survey = reference_survey(feeds_indicators=True)
    release = release_publish(survey=survey, actor=None)
    value = latest_indicator_value(34)
    assert value.source == "survey" and value.value == release.satisfaction
    assert latest_indicator_value(35).value == release.participation
