"""Indicators 34 (satisfaction) and 35 (participation) for the disclosure app.

``surveys/wagtail_hooks.py`` registers the two functions below through the
``indicator_sources`` hook (see ``portal/integration.py``). They read
only frozen releases, never live responses: the survey wave designated for the indicators is the
most recent survey (by year, then wave) with ``Survey.feeds_indicators`` ticked that has a
published release; its latest release version supplies the headline value (the release's first
scoring definition of that kind, see ``Analysis.headline``). No release yet → None.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from surveys.models import SurveyRelease

__all__ = ["INDICATOR_OF_KIND", "latest_participation", "latest_satisfaction"]

#: The plan's indicator each headline rate feeds (表1: 34 satisfaction, 35 participation).
INDICATOR_OF_KIND = {"satisfaction": 34, "participation": 35}


def _latest_release() -> SurveyRelease | None:
    return (
        SurveyRelease.objects.filter(survey__feeds_indicators=True)
        .select_related("survey")
        .order_by("-survey__year", "-survey__wave", "-survey_id", "-version")
        .first()
    )


def _value(kind: str) -> dict | None:
    release = _latest_release()
    if release is None:
        return None
    value = getattr(release, kind)
    if value is None:
        return None
    survey = release.survey
    return {
        "value": Decimal(value),
        "period": survey.wave or str(survey.year),
        "source_note": _("%(survey)s, weighted results release %(version)s published on %(date)s")
        % {
            "survey": survey.title,
            "version": release.label,
            "date": formats.date_format(timezone.localtime(release.published_at), "DATE_FORMAT"),
        },
    }


def latest_satisfaction() -> dict | None:
    """Indicator 34: {"value": Decimal percent, "period", "source_note"} or None."""
    return _value("satisfaction")


def latest_participation() -> dict | None:
    """Indicator 35: {"value": Decimal percent, "period", "source_note"} or None."""
    return _value("participation")
