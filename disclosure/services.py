"""Writes of the disclosure module other than the request workflow (see ``workflow.py``).

Keyword-only functions named entity_action; each runs in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from disclosure import data, versions
from disclosure.models import (
    DisclosureItemPage,
    DisclosureItemVersion,
    Indicator,
    IndicatorReading,
    KeyProject,
    ProjectProgress,
)
from disclosure.values import Verdict, indicator_verdict, parse_number
from portal.integration import indicator_sources

# --- Item versions --------------------------------------------------------------------------


@transaction.atomic
def item_record_version(*, item: DisclosureItemPage, user=None, revision=None, at=None):
    """Record the published state of ``item`` as a new version, unless nothing changed.

    Returns the new version, or None when text and attachments hash to the latest fingerprint.
    """
    item = DisclosureItemPage.objects.select_related("department", "category").get(pk=item.pk)
    text = versions.item_text(item)
    attachments = versions.item_attachments(item)
    digest = versions.fingerprint(text, attachments)
    latest = (
        DisclosureItemVersion.objects.select_for_update()
        .filter(item=item)
        .order_by("-number")
        .first()
    )
    if latest is not None and latest.fingerprint == digest:
        return None
    return DisclosureItemVersion.objects.create(
        item=item,
        number=(latest.number + 1) if latest else 1,
        published_at=at or item.last_published_at or timezone.now(),
        published_by=user,
        revision_id=getattr(revision, "pk", None),
        fingerprint=digest,
        title=item.title,
        text=text,
        attachments=attachments,
    )


# --- Indicators -----------------------------------------------------------------------------


@transaction.atomic
def indicator_reading_record(
    *,
    indicator: Indicator,
    period: str,
    period_end: dt.date,
    status: str,
    source_note: str,
    value: Decimal | None = None,
    value_text: str = "",
    user=None,
) -> IndicatorReading:
    """Create or replace the reading of ``indicator`` for ``period``.

    With ``indicator_reading_stamp_entered_by`` the only code that writes ``IndicatorReading``
    (the admin's snippet form saves through Wagtail; a test scans the code for other writers)."""
    reading, _created = IndicatorReading.objects.update_or_create(
        indicator=indicator,
        period=period,
        defaults={
            "period_end": period_end,
            "value": value,
            "value_text": value_text,
            "status": status,
            "source_note": source_note,
            "entered_by": user,
        },
    )
    return reading


def indicator_reading_stamp_entered_by(*, reading: IndicatorReading, user) -> None:
    """Record who entered a reading saved through the admin form (once, the first editor)."""
    if reading.entered_by_id is None and getattr(user, "is_authenticated", False):
        IndicatorReading.objects.filter(pk=reading.pk, entered_by__isnull=True).update(
            entered_by=user
        )
        reading.entered_by = user


@dataclass(frozen=True)
class IndicatorValue:
    """The current value of an indicator, where it comes from, and its verdict."""

    number: int
    value: Decimal | None
    text: str
    status: str
    period: str
    source: str  # "survey", "plan" (indicator 5), "reading" or "baseline"
    source_note: str
    verdict: Verdict | None = None
    as_of: dt.date | None = None  # the as-of date of a computed value (indicator 5)


def _external_value(number: int):
    """The value another app supplies for indicator ``number`` through the
    ``indicator_sources`` hook (portal/integration.py), or None (no source, or nothing
    published yet)."""
    source = indicator_sources().get(number)
    return source() if source is not None else None


def verdict_for(
    indicator: Indicator,
    value: Decimal | None,
    recorded_status: str = "",
    *,
    prefer_recorded: bool = False,
) -> Verdict:
    """THE verdict of an indicator value (every page asks this): against the national
    indicator value and the plan's 2025 target, see ``disclosure.values.indicator_verdict``."""
    return indicator_verdict(
        value=value,
        national_value=indicator.target_value,
        plan_value=indicator.planned_2025,
        recorded_status=recorded_status,
        prefer_recorded=prefer_recorded,
    )


def status_for(indicator: Indicator, value: Decimal | None) -> str:
    """已达标 / 未达标 for a numeric value against the national indicator value, else ""."""
    if value is None:
        return ""
    return verdict_for(indicator, value).status


def current_indicator_value(indicator: Indicator, readings=None) -> IndicatorValue:
    """The current value of a top-level ``indicator`` with its verdict.

    Order: the survey module's published release (indicators 34 and 35, through the
    ``indicator_sources`` hook), then the latest officer reading, then the plan's baseline.
    ``readings`` (oldest first) may be given when already loaded.
    """
    number = indicator.number
    external = _external_value(number)
    if external:
        value = Decimal(str(external["value"]))
        kind = str(external.get("kind", "survey"))
        return IndicatorValue(
            number=number,
            value=value,
            # A rate computed here keeps its two decimals, as the rate page and report print it.
            text=f"{value:f}" if kind == "plan" else f"{value.normalize():f}",
            status=status_for(indicator, value),
            period=str(external.get("period", "")),
            source=kind,
            source_note=str(external.get("source_note", "")),
            verdict=verdict_for(indicator, value),
            as_of=external.get("as_of"),
        )
    if readings is None:
        reading = indicator.readings.order_by("-period_end", "-pk").first()
    else:
        reading = readings[-1] if readings else None
    if reading is not None:
        verdict = verdict_for(indicator, reading.value, reading.status)
        return IndicatorValue(
            number=number,
            value=reading.value,
            text=reading.display_value,
            status=verdict.status or reading.status,
            period=reading.period,
            source="reading",
            source_note=reading.source_note,
            verdict=verdict,
        )
    baseline = parse_number(indicator.baseline_value)
    verdict = verdict_for(indicator, baseline, indicator.baseline_status, prefer_recorded=True)
    return IndicatorValue(
        number=number,
        value=baseline,
        text=indicator.baseline_value,
        status=verdict.status or indicator.baseline_status,
        period=data.PLAN_BASELINE_PERIOD,
        source="baseline",
        source_note=data.PLAN_INDICATOR_SOURCE_NOTE,
        verdict=verdict,
    )


def latest_indicator_value(number: int) -> IndicatorValue | None:
    """The current value of indicator ``number`` (top level), None for an unknown number."""
    indicator = Indicator.objects.filter(number=number, part=0).first()
    if indicator is None:
        return None
    return current_indicator_value(indicator)


def indicator_verdict_by_number(number: int, value: Decimal | None):
    """The verdict of ``value`` for indicator ``number`` (the ``indicator_verdicts`` hook), or
    None for an unknown indicator."""
    indicator = Indicator.objects.filter(number=number, part=0).first()
    if indicator is None:
        return None
    return verdict_for(indicator, value)


# --- Key projects ---------------------------------------------------------------------------


@transaction.atomic
def project_progress_record(
    *,
    project: KeyProject,
    date: dt.date,
    percent_complete: int,
    status: str,
    note: str = "",
    user=None,
) -> ProjectProgress:
    progress = ProjectProgress(
        project=project,
        date=date,
        percent_complete=percent_complete,
        status=status,
        note=note,
        created_by=user,
    )
    progress.full_clean()
    progress.save()
    project_refresh_latest(project=project)
    return progress


def project_refresh_latest(*, project: KeyProject) -> None:
    """Copy the latest progress update onto the project row (used by lists and filters)."""
    latest = project.progress.order_by("-date", "-pk").first()
    if latest is None:
        KeyProject.objects.filter(pk=project.pk).update(
            status=KeyProject.Status.NOT_STARTED, percent_complete=0, progress_date=None
        )
    else:
        KeyProject.objects.filter(pk=project.pk).update(
            status=latest.status,
            percent_complete=latest.percent_complete,
            progress_date=latest.date,
        )
