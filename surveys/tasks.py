"""Background tasks of the surveys app (django-tasks; see TASKS in portal/settings.py).

``run_export_job`` builds one :class:`surveys.models.ExportJob`: it runs the analysis, calls the
export builder and stores the file (in the private storage) with its SHA-256, updating ``progress`` as it goes so the
export page can show a progress bar. With the immediate backend (DEBUG, tests) it runs inside
the request that started it; in production the database backend's worker
(``manage.py db_worker``) picks it up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django_tasks import task

from portal.storage import delete_quietly, private_storage, sweep_orphans
from portal.transitions import Context, StateMachine, Transition, TransitionNotAllowed, transition
from surveys.models import ExportJob

logger = logging.getLogger(__name__)

#: Folder of the private storage that holds export files (one sub-folder per job).
EXPORTS_FOLDER = "surveys/exports"


def _update(job_id: int, **fields) -> None:
    """Progress only; the status moves through ``EXPORT_JOBS``."""
    ExportJob.objects.filter(pk=job_id).update(**fields)


# --- The export job state machine ---------------------------------------------------------------


class ExportJobBusy(TransitionNotAllowed):
    """Another worker holds the job's row (or it is gone): this one leaves it alone."""


def _system_only(actor, job) -> bool:
    """Every step of an export job is the system's (the worker, the purge, a failed enqueue)."""
    return actor is None


def _lock_job(job):
    """Lock the job's row without waiting: a row another worker holds is skipped, never waited
    for and taken again, so a job is claimed exactly once (``SKIP LOCKED`` on PostgreSQL;
    SQLite's ``BEGIN IMMEDIATE`` serialises the transactions).

    Only the job's own row is locked (``of=("self",)``): without it the join with the survey
    locks the survey's row too, and a worker claiming one job of a survey made the other
    worker skip every other job of that survey (left queued, or running with its finish
    refused)."""
    locked = (
        ExportJob.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("survey")
        .filter(pk=job.pk)
        .first()
    )
    if locked is None:
        raise ExportJobBusy(_("This export is being handled elsewhere."), code="busy")
    return locked


def _claimed(ctx: Context) -> None:
    ctx.obj.progress = 5
    ctx.obj.started_at = ctx.now


def _finished(ctx: Context) -> None:
    job = ctx.obj
    for name in ("filename", "content_type", "file", "sha256", "size"):
        setattr(job, name, ctx.data[name])
    job.progress = 100
    job.message = ""
    job.finished_at = ctx.now


def _failed(ctx: Context) -> None:
    ctx.obj.message = str(ctx.data.get("message", ""))[:500]
    ctx.obj.finished_at = ctx.now


EXPORT_JOBS = StateMachine(
    "export jobs",
    model=ExportJob,
    state_field="status",
    lock=_lock_job,
    transitions=[
        Transition(
            "claim",
            (ExportJob.Status.QUEUED,),
            ExportJob.Status.RUNNING,
            policy=_system_only,
            apply=_claimed,
        ),
        Transition(
            "finish",
            (ExportJob.Status.RUNNING,),
            ExportJob.Status.DONE,
            policy=_system_only,
            apply=_finished,
        ),
        Transition(
            "fail",
            (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING),
            ExportJob.Status.FAILED,
            policy=_system_only,
            apply=_failed,
        ),
    ],
)


def export_job_fail(job, *, message: str, now=None) -> bool:
    """Mark a queued or running job failed; False when it had finished (or is held elsewhere)."""
    try:
        transition(EXPORT_JOBS, job, "fail", actor=None, now=now, message=message)
    except TransitionNotAllowed:
        return False
    return True


def export_job_start(*, survey, kind: str, user):
    """Create an export job for ``survey`` and enqueue its task; returns the job.

    The caller has checked that ``user`` may export the survey. A job whose task cannot be
    enqueued is marked failed (nothing is left queued forever)."""
    from surveys.exports import EXPORT_BUILDERS

    if kind not in EXPORT_BUILDERS:
        raise ValueError(f"unknown export kind {kind!r}")
    job = ExportJob.objects.create(
        survey=survey,
        kind=kind,
        requested_by=user if user is not None and user.is_authenticated else None,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    try:
        run_export_job.enqueue(job.pk)
    except Exception:
        logger.exception("Export job %s could not be enqueued", job.pk)
        export_job_fail(job, message=_("The export could not be started; try again later."))
    job.refresh_from_db(fields=["status", "progress", "message", "finished_at", "size"])
    return job


def build_export(job_id: int) -> str:
    """Run export job ``job_id`` now (the body of the task); returns its final status."""
    from surveys.analysis import AnalysisError, analyse
    from surveys.exports import EXPORT_BUILDERS

    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None or job.status != ExportJob.Status.QUEUED:
        return "nothing to do"
    try:  # the claim decides, on the locked row: exactly one worker gets past it
        job = transition(EXPORT_JOBS, job, "claim", actor=None).obj
    except TransitionNotAllowed:  # another worker took it
        return "nothing to do"
    builder = EXPORT_BUILDERS[job.kind]

    def progress(percent: int, step: str = "") -> None:
        _update(job_id, progress=max(5, min(int(percent), 99)))

    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            progress(10)
            analysis = analyse(job.survey)
            progress(40)
            content = builder.build(analysis, progress)
        except AnalysisError as error:
            export_job_fail(job, message=str(error))
            return ExportJob.Status.FAILED
        except Exception as error:
            logger.exception("Export job %s (%s) failed", job_id, job.kind)
            export_job_fail(
                job,
                message=_("The export failed (%(error)s); the administrators have been notified.")
                % {"error": type(error).__name__},
            )
            return ExportJob.Status.FAILED
        filename = builder.filename(job.survey)
        try:
            stored = store_export_file(job, filename, content)
        except Exception as error:  # the storage is down or refused: never left "running"
            logger.exception("Export job %s (%s) could not be stored", job_id, job.kind)
            export_job_fail(
                job,
                message=_("The export could not be saved (%(error)s); try again later.")
                % {"error": type(error).__name__},
            )
            return ExportJob.Status.FAILED
        try:
            transition(
                EXPORT_JOBS,
                job,
                "finish",
                actor=None,
                filename=filename,
                content_type=builder.content_type,
                file=stored,
                sha256=hashlib.sha256(content).hexdigest(),
                size=len(content),
            )
        except TransitionNotAllowed:  # marked failed meanwhile (the purge took it for lost)
            delete_quietly(private_storage(), [stored])
            return ExportJob.Status.FAILED
        except BaseException:
            delete_quietly(private_storage(), [stored])
            raise
    return ExportJob.Status.DONE


def store_export_file(job, filename: str, content: bytes) -> str:
    """Write an export file to the private storage; returns its storage name."""
    safe = get_valid_filename(filename) or "export"
    name = f"{EXPORTS_FOLDER}/{job.survey_id}/{job.pk}-{secrets.token_hex(8)}/{safe}"
    return private_storage().save(name, ContentFile(content))


@task()
def run_export_job(job_id: int) -> str:
    return build_export(job_id)


#: A job still queued or running after this many hours lost its worker: it is marked failed.
EXPORT_STALE_HOURS = 6


def export_jobs_purge(*, now=None) -> dict[str, int]:
    """Delete export jobs (and their files) older than ``SURVEYS_EXPORT_KEEP_DAYS`` (setting,
    default 7) and mark
    jobs left queued or running past ``EXPORT_STALE_HOURS`` as failed. Run daily by
    ``survey_purge``; frozen releases are separate and never touched.

    Files are deleted through the storage API after their rows; files that no job refers to any
    more (a survey deleted with its jobs, a crash between writing and recording a file) are found
    with ``storage.listdir`` and deleted once older than ``EXPORT_STALE_HOURS``."""
    now = now or timezone.now()
    keep_days = settings.SURVEYS_EXPORT_KEEP_DAYS
    old = ExportJob.objects.filter(created_at__lt=now - dt.timedelta(days=keep_days))
    files = list(old.exclude(file="").values_list("file", flat=True))
    deleted, _by_model = old.delete()
    storage = private_storage()
    delete_quietly(storage, files)
    orphans = sweep_orphans(
        storage,
        folders=[EXPORTS_FOLDER],
        referenced=set(ExportJob.objects.exclude(file="").values_list("file", flat=True)),
        older_than=dt.timedelta(hours=EXPORT_STALE_HOURS),
    )
    stale = 0
    for job in ExportJob.objects.filter(
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
        created_at__lt=now - dt.timedelta(hours=EXPORT_STALE_HOURS),
    ).only("pk", "status"):
        stale += export_job_fail(
            job, message=_("The export stopped without finishing; start it again."), now=now
        )
    return {"exports": deleted, "stale": stale, "orphans": orphans}
