import datetime as dt

import pytest
from django.core.management import call_command

from surveys import services
from surveys.models import AbuseSignal, Response, ResponseDraft, Survey
from surveys.selectors import survey_rates, survey_scored_frame
from tests.factories import UserFactory
from tests.surveys.builders import build_survey

pytestmark = pytest.mark.django_db


def test_purge_deletes_signals_past_retention_and_drafts_of_closed_surveys(settings, capsys):
    settings.SURVEYS_SIGNAL_RETENTION_DAYS = 30
    survey = build_survey(respondent_mode=Survey.Mode.ANONYMOUS)
    today = services.today()
    AbuseSignal.objects.create(
        survey=survey, signal_hash="a" * 64, seen_on=today - dt.timedelta(days=31)
    )
    AbuseSignal.objects.create(
        survey=survey, signal_hash="b" * 64, seen_on=today - dt.timedelta(days=29)
    )
    closed = build_survey(slug="closed", status=Survey.Status.CLOSED)
    ResponseDraft.objects.create(survey=closed, user=UserFactory(), data={"Q1": ["1"]})
    ResponseDraft.objects.create(survey=survey, user=UserFactory(), data={"Q1": ["1"]})
    call_command("survey_purge")
    assert "Deleted 1 abuse signals" in capsys.readouterr().out
    assert list(AbuseSignal.objects.values_list("signal_hash", flat=True)) == ["b" * 64]
    assert list(ResponseDraft.objects.values_list("survey__slug", flat=True)) == ["test-survey"]


def test_purge_deletes_old_export_files_and_fails_exports_whose_worker_died(capsys):
    from django.utils import timezone

    from portal.storage import private_storage
    from surveys.models import ExportJob
    from surveys.tasks import store_export_file

    survey = build_survey()
    now = timezone.now()
    old = ExportJob.objects.create(
        survey=survey, kind="microdata_csv", status=ExportJob.Status.DONE
    )
    old_file = store_export_file(old, "old.csv", b"x")
    ExportJob.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=8), file=old_file)
    recent = ExportJob.objects.create(
        survey=survey, kind="microdata_csv", status=ExportJob.Status.DONE
    )
    recent_file = store_export_file(recent, "recent.csv", b"y")
    ExportJob.objects.filter(pk=recent.pk).update(file=recent_file)
    stuck = ExportJob.objects.create(
        survey=survey, kind="report_xlsx", status=ExportJob.Status.RUNNING, progress=40
    )
    ExportJob.objects.filter(pk=stuck.pk).update(created_at=now - dt.timedelta(hours=7))
    running = ExportJob.objects.create(
        survey=survey, kind="report_xlsx", status=ExportJob.Status.RUNNING
    )
    call_command("survey_purge")
    assert "1 old export files" in capsys.readouterr().out
    assert set(ExportJob.objects.values_list("pk", flat=True)) == {recent.pk, stuck.pk, running.pk}
    stuck.refresh_from_db()
    running.refresh_from_db()
    assert stuck.status == ExportJob.Status.FAILED and stuck.message
    assert running.status == ExportJob.Status.RUNNING  # still within its time
    assert not private_storage().exists(old_file)  # the file went with its job
    assert private_storage().exists(recent_file)


def test_demo_survey_is_seeded_once_with_a_skewed_sample_and_scores(settings):
    from portal import demo as portal_demo
    from surveys import demo

    portal_demo.seed()
    demo.seed()
    demo.seed()
    survey = Survey.objects.get(slug=demo.SLUG)
    assert survey.state() == "open"
    assert Response.objects.filter(survey=survey).count() == demo.N_RESPONSES
    frame = survey_scored_frame(survey=survey)
    assert len(frame) == demo.N_RESPONSES
    assert {"subdistrict", "sex", "age_group", "satisfaction", "participation"} <= set(
        frame.columns
    )
    assert set(frame["satisfaction"].dropna().unique()) <= {0.0, 1.0}
    shares = frame["age_group"].value_counts(normalize=True)
    assert shares["60+"] > 0.35  # deliberately over-represented
    rates = {r["code"]: r["rate"] for r in survey_rates(survey=survey)}
    assert 0.7 < rates["satisfaction"] < 0.95 and 0.7 < rates["participation"] < 0.95
    from wagtail.models import Page

    assert Page.objects.get(slug="surveys").specific_class.__name__ == "SurveyIndexPage"
