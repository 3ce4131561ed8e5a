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
from disclosure.values import parse_threshold
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
    """The current value of an indicator and where it comes from."""

    number: int
    value: Decimal | None
    text: str
    status: str
    period: str
    source: str  # "survey", "reading" or "baseline"
    source_note: str


def _external_value(number: int):
    """The value another app supplies for indicator ``number`` through the
    ``indicator_sources`` hook (portal/integration.py), or None (no source, or nothing
    published yet)."""
    source = indicator_sources().get(number)
    return source() if source is not None else None


def status_for(indicator: Indicator, value: Decimal | None) -> str:
    """已达标 / 未达标 for a numeric value against a "≥X" or "X" indicator value, else ""."""
    threshold = parse_threshold(indicator.target_value)
    if value is None or threshold is None:
        return ""
    return Indicator.Status.MET if value >= threshold else Indicator.Status.NOT_MET


def latest_indicator_value(number: int) -> IndicatorValue | None:
    """The current value of indicator ``number`` (top level).

    Order: the survey module's published release (indicators 34 and 35, through
    the ``indicator_sources`` hook), then the latest officer reading, then the plan's baseline.
    Absent survey data is not an error. Returns None for an unknown number.
    """
    indicator = Indicator.objects.filter(number=number, part=0).first()
    if indicator is None:
        return None
    external = _external_value(number)
    if external:
        value = Decimal(str(external["value"]))
        return IndicatorValue(
            number=number,
            value=value,
            text=f"{value.normalize():f}",
            status=external.get("status") or status_for(indicator, value),
            period=str(external.get("period", "")),
            source=str(external.get("source") or "survey"),
            source_note=str(external.get("source_note", "")),
        )
    reading = indicator.readings.order_by("-period_end", "-pk").first()
    if reading is not None:
        return IndicatorValue(
            number=number,
            value=reading.value,
            text=reading.display_value,
            status=reading.status,
            period=reading.period,
            source="reading",
            source_note=reading.source_note,
        )
    return IndicatorValue(
        number=number,
        value=None,
        text=indicator.baseline_value,
        status=indicator.baseline_status,
        period=data.PLAN_BASELINE_PERIOD,
        source="baseline",
        source_note=data.PLAN_INDICATOR_SOURCE_NOTE,
    )


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
