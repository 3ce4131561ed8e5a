"""analyse(): a survey in the database weighted to its stored margins, checked against R."""

import io
import json
import uuid

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from surveys.analysis import AnalysisError, analyse
from surveys.models import Response, SurveyMargins
from tests.surveys import fixtures
from tests.surveys.analysis_fixtures import reference_survey, subdistrict_codes

pytestmark = pytest.mark.django_db

R_NAMES = {"satisfied": "satisfied", "participated": "participated"}


def test_analyse_reproduces_the_r_raking_reference():
    survey = reference_survey()
    analysis = analyse(survey)
    reference = fixtures.reference()["raking"]

    # Weights: R scales to the population; ours sum to n. Compare respondent by respondent.
    ids = dict(Response.objects.filter(survey=survey).values_list("id", "external_id"))
    order = fixtures.responses()["respondent_id"].tolist()
    r_weights = pd.Series(reference["weights"], index=order)
    r_weights = r_weights * len(r_weights) / r_weights.sum()
    ours = analysis.weights.rename(index=lambda pk: ids[uuid.UUID(pk)])
    assert analysis.weights.name == "weight"
    assert analysis.weights.sum() == pytest.approx(400, abs=1e-9)
    np.testing.assert_allclose(ours.loc[order].to_numpy(), r_weights.to_numpy(), rtol=0, atol=1e-9)

    for name in R_NAMES:
        mine = analysis.report.rates[name]
        theirs = reference["rates"][name]
        assert mine.n == theirs["n"]
        assert mine.rate == pytest.approx(theirs["rate"], abs=1e-9)
        assert mine.se == pytest.approx(theirs["se"], abs=1e-6)
        assert mine.ci_low == pytest.approx(theirs["ci_low"], abs=1e-6)
        assert mine.ci_high == pytest.approx(theirs["ci_high"], abs=1e-6)

    codes = subdistrict_codes()
    for name, code in codes.items():
        mine = analysis.report.breakdowns["subdistrict"][code]["satisfied"]
        theirs = reference["breakdowns"]["sub_district"]["satisfied"][name]
        assert mine.rate == pytest.approx(theirs["rate"], abs=1e-9)
        assert mine.se == pytest.approx(theirs["se"], abs=1e-6)
    assert set(analysis.report.breakdowns) == {"subdistrict", "sex", "age_group"}
    assert analysis.settings["target"] == 0.85 and analysis.settings["method"] == "raking"


def test_analyse_matches_survey_weigh_on_the_same_data(tmp_path):
    survey = reference_survey()
    analysis = analyse(survey, trim_cap=2.0)
    frame = analysis.frame.copy()
    frame.index.name = "respondent_id"
    for code in ("satisfied", "participated"):
        frame[code] = frame[code].map({1.0: "yes", 0.0: "no"}).fillna("")
    responses = tmp_path / "responses.csv"
    frame.reset_index()[
        ["respondent_id", "subdistrict", "sex", "age_group", "satisfied", "participated"]
    ].to_csv(responses, index=False)
    margins = tmp_path / "margins.csv"
    margins.write_bytes(analysis.margins_record.as_csv())
    out = io.StringIO()
    call_command(
        "survey_weigh",
        "--responses",
        str(responses),
        "--margins",
        str(margins),
        "--rate",
        "satisfied=satisfied:yes",
        "--rate",
        "participated=participated:yes",
        "--by",
        "subdistrict,sex,age_group",
        "--trim-cap",
        "2",
        stdout=out,
    )
    from_files = json.loads(out.getvalue())
    from_db = analysis.as_dict()
    assert from_db["weighting"]["trimmed"] > 0
    assert from_db["n"] == from_files["n"] == 400
    assert from_db["weighting"] == pytest.approx(from_files["weighting"])
    for name, estimate in from_files["rates"].items():
        assert_same_estimate(from_db["rates"][name], estimate)
    for by, cells in from_files["breakdowns"].items():
        for category, per_rate in cells.items():
            for name, estimate in per_rate.items():
                assert_same_estimate(from_db["breakdowns"][by][category][name], estimate)


def assert_same_estimate(ours: dict, theirs: dict) -> None:
    """Numbers equal to 1e-12; the presentation decision and its flags identical."""
    assert ours["presentation"] == theirs["presentation"]
    assert ours["flags"] == theirs["flags"]
    numbers = {k: v for k, v in ours.items() if k not in ("presentation", "flags")}
    expected = {k: v for k, v in theirs.items() if k not in ("presentation", "flags")}
    assert numbers == pytest.approx(expected, abs=1e-12, nan_ok=True)


def test_as_dict_has_the_survey_weigh_shape_plus_survey_settings_and_margin_fit():
    survey = reference_survey()
    result = analyse(survey).as_dict()
    assert {"n", "n_eff", "deff", "weighting", "rates", "breakdowns"} <= set(result)
    assert {"survey", "settings", "margin_fit"} <= set(result)
    assert result["survey"]["slug"] == survey.slug
    assert result["headline"] == {"satisfaction": "satisfied", "participation": "participated"}
    fit = {(f["variable"], f["category"]): f for f in result["margin_fit"]}
    assert fit[("sex", "male")]["weighted_share"] == pytest.approx(162000 / 320000, abs=1e-9)
    json.dumps(result)  # JSON-serialisable as stored in a release


def test_analyse_without_margins_names_the_cause():
    survey = reference_survey(with_margins=False)
    with pytest.raises(AnalysisError) as excinfo:
        analyse(survey)
    assert survey.title in str(excinfo.value)


def test_a_category_without_respondents_is_an_error_naming_variable_and_category():
    survey = reference_survey()
    Response.objects.filter(survey=survey, age_group="18-29").update(age_group="30-44")
    with pytest.raises(AnalysisError) as excinfo:
        analyse(survey)
    assert "age_group" in str(excinfo.value) and "18-29" in str(excinfo.value)


def test_stored_margins_that_no_longer_match_the_codes_are_reported():
    survey = reference_survey()
    record = SurveyMargins.objects.get(survey=survey)
    SurveyMargins.objects.filter(pk=record.pk).update(
        rows=[r for r in record.rows if r[1] != "60+"]
    )
    with pytest.raises(AnalysisError) as excinfo:
        analyse(survey)
    assert "60+" in str(excinfo.value)


def test_survey_rates_command_prints_the_analysis_as_json_and_as_a_table():
    survey = reference_survey()
    out = io.StringIO()
    call_command("survey_rates", survey.slug, stdout=out)
    result = json.loads(out.getvalue())
    expected = analyse(survey).as_dict()
    assert result["rates"]["satisfied"]["rate"] == pytest.approx(
        expected["rates"]["satisfied"]["rate"], abs=1e-12
    )
    assert set(result) >= {"n", "weighting", "rates", "breakdowns", "settings", "margin_fit"}
    out = io.StringIO()
    call_command("survey_rates", survey.slug, "--format", "table", "--trim-cap", "3", stdout=out)
    text = out.getvalue()
    assert "satisfied" in text and "raking" in text and "trimmed" in text


def test_survey_rates_command_errors_are_command_errors():
    with pytest.raises(CommandError):
        call_command("survey_rates", "no-such-survey")
    survey = reference_survey(with_margins=False)
    with pytest.raises(CommandError):
        call_command("survey_rates", survey.slug)


def test_trimming_that_cannot_settle_is_an_error_not_a_release():
    survey = reference_survey()
    with pytest.raises(AnalysisError) as excinfo:
        analyse(survey, trim_cap=1.05)
    assert "1.05" not in str(excinfo.value)  # the message explains, it does not echo input
    assert str(excinfo.value)


def test_a_single_choice_question_in_the_margins_is_a_weighting_variable():
    from surveys.analysis import parse_survey_margins
    from surveys.services import margins_store
    from tests.surveys.analysis_fixtures import margins_csv

    survey = reference_survey()
    plain = analyse(survey)
    margins_store(
        survey=survey,
        margins=parse_survey_margins(survey, margins_csv() + "Q2,1,0.5\nQ2,2,0.5\n"),
        label="with Q2",
    )
    # Respondents who did not answer Q2 cannot be weighted on it: the error names Q2.
    with pytest.raises(AnalysisError) as excinfo:
        analyse(survey)
    assert "Q2" in str(excinfo.value)
    answered = plain.frame.index[plain.frame["participated"].isna()]
    Response.objects.filter(pk__in=list(answered)).delete()
    analysis = analyse(survey)
    assert "Q2" in analysis.frame.columns
    fit = {(f.variable, f.category): f for f in analysis.weighting.margin_fit}
    assert fit[("Q2", "1")].weighted_share == pytest.approx(0.5, abs=1e-9)
    assert analysis.report.rates["participated"].rate == pytest.approx(0.5, abs=1e-9)


def test_a_rate_on_a_question_that_does_not_exist_is_an_error_naming_it():
    from surveys.models import ScoringDefinition

    survey = reference_survey()
    ScoringDefinition.objects.create(
        survey=survey,
        code="ghost",
        name="ghost",
        kind="other",
        method="top_box",
        items="Q1;Q99",
        positive_choice_codes="1",
    )
    with pytest.raises(AnalysisError) as excinfo:
        analyse(survey)
    assert "ghost" in str(excinfo.value) and "Q99" in str(excinfo.value)


def test_all_respondents_in_one_stratum_explains_itself_and_publishes_nothing(client):
    from django.urls import reverse

    from portal import roles
    from surveys.models import SurveyRelease
    from tests.factories import UserFactory

    survey = reference_survey()
    first = Response.objects.filter(survey=survey).first().subdistrict
    Response.objects.filter(survey=survey).update(subdistrict=first)
    client.force_login(UserFactory(roles=[roles.ANALYST]))
    page = client.get(reverse("surveys_admin:dashboard", args=[survey.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    others = [code for code in subdistrict_codes().values() if code != first.code]
    assert "subdistrict" in body and any(code in body for code in others)  # names the cause
    publish = client.post(
        reverse("surveys_admin:release_publish", args=[survey.pk]), {"confirm": "on"}
    )
    assert publish.status_code == 400
    assert not SurveyRelease.objects.exists()
