"""The export job state machine (surveys.tasks.EXPORT_JOBS): claim, finish, fail, system only;
a job is claimed once; a finish refused after the purge gave the job up leaves no file."""

import dataclasses

import pytest

from portal import roles
from portal.storage import private_storage
from portal.transitions import TransitionForbidden, TransitionNotAllowed, transition
from surveys import tasks
from surveys.models import ExportJob
from tests.factories import UserFactory
from tests.locks import held_elsewhere
from tests.surveys.analysis_fixtures import reference_survey
from tests.surveys.builders import build_survey

pytestmark = pytest.mark.django_db

FINISH = {
    "filename": "codebook.csv",
    "content_type": "text/csv",
    "file": "",
    "sha256": "0" * 64,
    "size": 0,
}
TARGETS = {
    "claim": ExportJob.Status.RUNNING,
    "finish": ExportJob.Status.DONE,
    "fail": ExportJob.Status.FAILED,
}


def make_job(status=ExportJob.Status.QUEUED, *, buildable=False):
    """A job; ``buildable``: on a survey with responses and margins, so the export runs."""
    survey = reference_survey(slug="export-survey") if buildable else build_survey()
    return ExportJob.objects.create(survey=survey, kind=ExportJob.Kind.CODEBOOK_CSV, status=status)


@pytest.mark.parametrize("state", ExportJob.Status.values)
@pytest.mark.parametrize("action", sorted(TARGETS))
def test_each_step_from_each_state(action, state):
    assert set(tasks.EXPORT_JOBS.sources()) == set(TARGETS)
    job = make_job(state)
    data = FINISH if action == "finish" else {"message": "x"}
    if state not in tasks.EXPORT_JOBS.sources()[action]:
        with pytest.raises(TransitionNotAllowed):
            transition(tasks.EXPORT_JOBS, job, action, actor=None, **data)
        job.refresh_from_db()
        assert job.status == state and job.finished_at is None and job.started_at is None
        return
    transition(tasks.EXPORT_JOBS, job, action, actor=None, **data)
    job.refresh_from_db()
    assert job.status == TARGETS[action]
    assert (job.started_at is not None) == (action == "claim")
    assert (job.finished_at is not None) == (action != "claim")


def test_people_take_no_step_of_an_export_job():
    job = make_job()
    analyst = UserFactory(username="analyst", roles=[roles.ANALYST])
    for action in TARGETS:
        with pytest.raises(TransitionForbidden):
            transition(tasks.EXPORT_JOBS, job, action, actor=analyst, **FINISH, message="")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.QUEUED and job.started_at is None


def test_a_job_is_built_once_and_a_second_claim_is_refused():
    job = make_job(buildable=True)
    assert tasks.build_export(job.pk) == ExportJob.Status.DONE
    with pytest.raises(TransitionNotAllowed):
        transition(tasks.EXPORT_JOBS, job, "claim", actor=None)
    assert tasks.build_export(job.pk) == "nothing to do"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.progress == 100 and job.file


def test_a_finish_refused_after_the_job_was_given_up_deletes_its_file(monkeypatch):
    job = make_job(buildable=True)
    stored = []
    original = tasks.store_export_file

    def store_then_purge(job, filename, content):
        name = original(job, filename, content)
        stored.append(name)
        assert tasks.export_job_fail(job, message="lost")  # the purge takes it for lost
        return name

    monkeypatch.setattr(tasks, "store_export_file", store_then_purge)
    assert tasks.build_export(job.pk) == ExportJob.Status.FAILED
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file and job.message == "lost"
    assert stored and not private_storage().exists(stored[0])


def test_a_failing_builder_marks_the_job_failed_through_the_machine(monkeypatch):
    from surveys import exports

    job = make_job(buildable=True)

    def boom(analysis, progress):
        raise ZeroDivisionError

    builder = dataclasses.replace(exports.EXPORT_BUILDERS[job.kind], function=boom)
    monkeypatch.setitem(exports.EXPORT_BUILDERS, job.kind, builder)
    assert tasks.build_export(job.pk) == ExportJob.Status.FAILED
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "ZeroDivisionError" in job.message
    assert not tasks.export_job_fail(job, message="again")  # a failed job stays as it is


@pytest.mark.django_db(transaction=True)
def test_a_job_held_by_another_worker_is_skipped_not_waited_for_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED needs PostgreSQL (SQLite serialises with BEGIN IMMEDIATE)")
    job = make_job(buildable=True)
    with held_elsewhere(lambda: ExportJob.objects.select_for_update().get(pk=job.pk)):
        with pytest.raises(tasks.ExportJobBusy):
            transition(tasks.EXPORT_JOBS, job, "claim", actor=None)
        assert tasks.build_export(job.pk) == "nothing to do"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.QUEUED
    assert tasks.build_export(job.pk) == ExportJob.Status.DONE


def test_a_storage_that_refuses_the_file_fails_the_job_instead_of_leaving_it_running(
    monkeypatch, tmp_path
):
    from django.core.files.storage import FileSystemStorage

    job = make_job(buildable=True)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the storage wants its folder")
    monkeypatch.setattr(tasks, "private_storage", lambda: FileSystemStorage(location=blocked))
    assert tasks.build_export(job.pk) == ExportJob.Status.FAILED
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file and job.finished_at
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override(settings.LANGUAGE_CODE):  # the job's language: none, the default
        expected = gettext("The export could not be saved (%(error)s); try again later.")
    assert job.message == expected % {"error": "NotADirectoryError"}
    assert job.message.startswith("导出文件未能保存")


@pytest.mark.django_db(transaction=True)
def test_a_worker_holding_one_job_does_not_hold_the_other_jobs_of_the_same_survey():
    """Two workers, two jobs of one survey: claims and finishes go through side by side (the
    survey joined into the lock query was locked too, and the second job was skipped)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises with BEGIN IMMEDIATE)")
    first = make_job(buildable=True)
    second = ExportJob.objects.create(survey=first.survey, kind=ExportJob.Kind.MICRODATA_CSV)
    with held_elsewhere(lambda: tasks._lock_job(first)):  # the machine's own lock, mid-transition
        assert tasks.build_export(second.pk) == ExportJob.Status.DONE  # claim and finish
    second.refresh_from_db()
    assert second.status == ExportJob.Status.DONE and second.file
    assert tasks.build_export(first.pk) == ExportJob.Status.DONE
