"""Background tasks of the surveys app (django-tasks; see TASKS in portal/settings.py).

``run_export_job`` builds one :class:`surveys.models.ExportJob`: it runs the analysis, calls the
export builder and stores the file with its SHA-256, updating ``progress`` as it goes so the
export page can show a progress bar. With the immediate backend (DEBUG, tests) it runs inside
the request that started it; in production the database backend's worker
(``manage.py db_worker``) picks it up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

logger = logging.getLogger(__name__)


def _update(job_id: int, **fields) -> None:
    from surveys.models import ExportJob

    ExportJob.objects.filter(pk=job_id).update(**fields)


def export_job_start(*, survey, kind: str, user):
    """Create an export job for ``survey`` and enqueue its task; returns the job.

    The caller has checked that ``user`` may export the survey. A job whose task cannot be
    enqueued is marked failed (nothing is left queued forever)."""
    from surveys.exports import EXPORT_BUILDERS
    from surveys.models import ExportJob

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
        _update(
            job.pk,
            status=ExportJob.Status.FAILED,
            message=_("The export could not be started; try again later."),
            finished_at=timezone.now(),
        )
    job.refresh_from_db(fields=["status", "progress", "message", "finished_at", "size"])
    return job


def build_export(job_id: int) -> str:
    """Run export job ``job_id`` now (the body of the task); returns its final status."""
    from surveys.analysis import AnalysisError, analyse
    from surveys.exports import EXPORT_BUILDERS
    from surveys.models import ExportJob

    job = ExportJob.objects.select_related("survey").defer("content").filter(pk=job_id).first()
    if job is None or job.status != ExportJob.Status.QUEUED:
        return "nothing to do"
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, progress=5, started_at=timezone.now()
    )
    if not claimed:  # another worker took it
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
            _update(
                job_id,
                status=ExportJob.Status.FAILED,
                message=str(error)[:500],
                finished_at=timezone.now(),
            )
            return ExportJob.Status.FAILED
        except Exception as error:
            logger.exception("Export job %s (%s) failed", job_id, job.kind)
            _update(
                job_id,
                status=ExportJob.Status.FAILED,
                message=(
                    _("The export failed (%(error)s); the administrators have been notified.")
                    % {"error": type(error).__name__}
                )[:500],
                finished_at=timezone.now(),
            )
            return ExportJob.Status.FAILED
        _update(
            job_id,
            status=ExportJob.Status.DONE,
            progress=100,
            filename=builder.filename(job.survey),
            content_type=builder.content_type,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            message="",
            finished_at=timezone.now(),
        )
    return ExportJob.Status.DONE


@task()
def run_export_job(job_id: int) -> str:
    return build_export(job_id)


#: A job still queued or running after this many hours lost its worker: it is marked failed.
EXPORT_STALE_HOURS = 6


def export_jobs_purge(*, now=None) -> dict[str, int]:
    """Delete export jobs (and their files) older than ``SURVEYS_EXPORT_KEEP_DAYS`` (setting,
    default 7; files are re-made in minutes when needed) and mark jobs left queued or running past ``EXPORT_STALE_HOURS`` as failed. Run daily by
    ``survey_purge``; frozen releases are separate and never touched."""
    from surveys.models import ExportJob

    now = now or timezone.now()
    keep_days = settings.SURVEYS_EXPORT_KEEP_DAYS
    deleted, _by_model = ExportJob.objects.filter(
        created_at__lt=now - dt.timedelta(days=keep_days)
    ).delete()
    stale = ExportJob.objects.filter(
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
        created_at__lt=now - dt.timedelta(hours=EXPORT_STALE_HOURS),
    ).update(
        status=ExportJob.Status.FAILED,
        message=_("The export stopped without finishing; start it again."),
        finished_at=now,
    )
    return {"exports": deleted, "stale": stale}
