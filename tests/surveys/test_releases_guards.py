"""Small weighting cells in the admin and releases; the presentation standard on the public page."""

import pytest
from django.urls import reverse

from portal import roles
from surveys.analysis import AnalysisError, analyse
from surveys.models import Response, SurveyRelease
from surveys.release_views import public_estimate
from surveys.releases import release_publish
from tests.factories import UserFactory
from tests.surveys.analysis_fixtures import reference_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_exports(monkeypatch):
    from surveys import exports

    monkeypatch.setattr(exports, "EXPORT_BUILDERS", {})


@pytest.fixture
def analyst():
    return UserFactory(username="analyst", roles=[roles.ANALYST])


@pytest.fixture
def small_cell_survey():
    """The reference survey with only three respondents aged 18-29."""
    survey = reference_survey()
    young = list(
        Response.objects.filter(survey=survey, age_group="18-29").values_list("pk", flat=True)
    )
    Response.objects.filter(pk__in=young[3:]).update(age_group="30-44")
    return survey


def test_the_dashboard_analysis_refuses_a_small_category_naming_it(small_cell_survey):
    with pytest.raises(AnalysisError) as caught:
        analyse(small_cell_survey)
    message = str(caught.value)
    assert "age_group" in message and "18-29" in message and "3" in message
    assert "30-44" in message  # the suggested neighbour


def test_admin_publish_refuses_a_small_category_and_saves_nothing(
    client, small_cell_survey, analyst, no_exports
):
    client.force_login(analyst)
    url = reverse("surveys_admin:release_publish", args=[small_cell_survey.pk])
    page = client.post(url, {"confirm": "on"})
    assert page.status_code == 400
    body = page.content.decode()
    assert "age_group" in body and "18-29" in body
    assert not SurveyRelease.objects.exists()


def test_admin_publish_with_the_collapse_option_weights_the_merged_category(
    client, small_cell_survey, analyst, no_exports
):
    client.force_login(analyst)
    url = reverse("surveys_admin:release_publish", args=[small_cell_survey.pk])
    page = client.post(url, {"confirm": "on", "collapse": "age_group:18-29=30-44"})
    assert page.status_code == 302
    release = SurveyRelease.objects.get()
    assert release.settings["collapse"] == {"age_group": {"18-29": "30-44"}}
    assert "“18-29”" in release.methodology and "“30-44”" in release.methodology
    assert release.small_cell_override == ""
    assert release.presentation_standard == "nchs-2017"


def test_a_bad_collapse_line_is_a_form_error(client, small_cell_survey, analyst, no_exports):
    client.force_login(analyst)
    url = reverse("surveys_admin:release_publish", args=[small_cell_survey.pk])
    page = client.post(url, {"confirm": "on", "collapse": "age_group 18-29"})
    assert page.status_code == 400
    assert not SurveyRelease.objects.exists()
    page = client.post(url, {"confirm": "on", "collapse": "age_group:18-29=99+"})
    assert page.status_code == 400
    assert "99+" in page.content.decode()
    assert not SurveyRelease.objects.exists()


def test_an_override_reason_is_stored_and_printed_in_the_methodology(
    small_cell_survey, analyst, no_exports
):
    reason = "18-29 岁仅 3 人；经统计局同意，本期不合并"
    release = release_publish(survey=small_cell_survey, actor=analyst, override_reason=reason)
    assert release.small_cell_override == reason
    assert reason in release.methodology
    assert release.settings["overridden"]["categories"] == [
        {"variable": "age_group", "category": "18-29", "respondents": 3}
    ]


def test_public_page_shows_korn_graubard_intervals_and_explains_the_standard(
    client, analyst, no_exports
):
    survey = reference_survey()
    release = release_publish(survey=survey, actor=analyst)
    rate = release.results["rates"]["satisfied"]
    assert rate["presentation"] == "show"
    page = client.get(reverse("surveys:results", args=[survey.slug])).content.decode()
    assert f"{100 * rate['kg_low']:.1f}%" in page
    assert f"{100 * rate['kg_high']:.1f}%" in page
    assert 'data-testid="results-standard"' in page


def test_a_suppressed_rate_shows_no_number_and_a_flagged_one_a_footnote():
    release = SurveyRelease(presentation_standard="nchs-2017")
    base = {"rate": 0.08, "ci_low": 0.05, "ci_high": 0.12, "kg_low": 0.03, "kg_high": 0.2}
    hidden = public_estimate(
        "satisfaction", "s", {**base, "n": 40, "presentation": "suppress"}, {}, release
    )
    assert hidden["suppressed"] and hidden["percent"] is None and hidden["ci_low"] is None
    flagged = public_estimate(
        "satisfaction", "s", {**base, "n": 400, "presentation": "flag"}, {}, release
    )
    assert flagged["flagged"] and flagged["ci_low"] == pytest.approx(3.0)
    old = public_estimate("satisfaction", "s", {**base, "n": 40}, {}, SurveyRelease())
    assert not old["suppressed"] and old["ci_low"] == pytest.approx(5.0)
