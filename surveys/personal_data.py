"""What the survey app holds about a person: only the dates they took part in account-mode
surveys (never an answer: 统计法 Art. 28 and docs/surveys.md), and the retention of abuse signals
and export files. Registered through the privacy hooks (docs/privacy.md)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import audit
from portal.privacy.registry import (
    DataSection,
    ErasureRule,
    PersonalDataProvider,
    RetentionCategory,
)
from surveys.models import AbuseSignal, ExportJob, Participation, ResponseDraft
from surveys.services import retention_days, signals_purge
from surveys.tasks import export_jobs_purge


def _export(user) -> list[DataSection]:
    rows = [
        {"survey": p.survey.title, "date": p.created_on}
        for p in Participation.objects.filter(user=user)
        .select_related("survey")
        .order_by("created_on")
    ]
    return [
        DataSection(
            "survey_participation",
            _("Surveys you took part in"),
            rows,
            note=_("Your answers are stored without any link to you and cannot be listed."),
        )
    ]


def _erase(user) -> dict[str, int]:
    participations, _detail = Participation.objects.filter(user=user).delete()
    drafts, _detail = ResponseDraft.objects.filter(user=user).delete()
    return {"surveys.participation": participations, "surveys.responsedraft": drafts}


def _rules() -> list[ErasureRule]:
    return [
        ErasureRule(
            str(_("The dates you took part in surveys, and unfinished drafts")),
            "erased",
            str(_("PIPL Art. 47")),
        ),
        ErasureRule(
            str(_("Your submitted survey answers: kept, but they were never linked to you")),
            "kept",
            str(_("Anonymous statistical data (统计法 Art. 28; PIPL Art. 73(4))")),
        ),
    ]


def provider() -> PersonalDataProvider:
    return PersonalDataProvider(key="surveys", export=_export, erase=_erase, rules=_rules, order=30)


def _abuse_signals(*, now: dt.datetime, dry_run: bool = False) -> dict[str, int]:
    on = timezone.localdate(now)
    if dry_run:
        cutoff = on - dt.timedelta(days=retention_days())
        return {"surveys.abusesignal": AbuseSignal.objects.filter(seen_on__lt=cutoff).count()}
    counts = signals_purge(on=on)
    return {"surveys.abusesignal": counts["signals"], "surveys.responsedraft": counts["drafts"]}


def _export_files(*, now: dt.datetime, dry_run: bool = False) -> dict[str, int]:
    if dry_run:
        cutoff = now - dt.timedelta(days=settings.SURVEYS_EXPORT_KEEP_DAYS)
        return {"surveys.exportjob": ExportJob.objects.filter(created_at__lt=cutoff).count()}
    # Through the retention escape hatch so that the run is logged (portal.RetentionPurgeRun).
    with audit.retention_purge(reason="privacy_purge:export_files") as run:
        counts = {f"surveys.exportjob.{k}": v for k, v in export_jobs_purge(now=now).items()}
        for label, n in counts.items():
            run.add(label, n)
    return counts


def retention_categories() -> list[RetentionCategory]:
    return [
        RetentionCategory(
            key="abuse_signals",
            label=str(_("Abuse signals (salted hashes of network signals)")),
            period=lambda: (
                _("%(n)s days (SURVEYS_SIGNAL_RETENTION_DAYS)") % {"n": retention_days()}
            ),
            purge=_abuse_signals,
            order=40,
        ),
        RetentionCategory(
            key="export_files",
            label=str(_("Export files")),
            period=lambda: (
                _("%(n)s days (SURVEYS_EXPORT_KEEP_DAYS)")
                % {"n": settings.SURVEYS_EXPORT_KEEP_DAYS}
            ),
            purge=_export_files,
            order=70,
        ),
    ]
