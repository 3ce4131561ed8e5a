"""Reads. Raw responses are guarded: only users ``policies.survey_data_policy`` lets read them
load them (releases: ``policies.release_policy``).

``survey_scored_frame`` is the hand-over to weighting: one row per respondent with the
demographic codes and one indicator column per scoring definition (see docs/surveys.md).
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from surveys.models import (
    Participation,
    QuotaCell,
    Response,
    ScoringDefinition,
    Survey,
    SurveyRelease,
    split_codes,
)
from surveys.policies import release_policy, survey_data_policy
from surveys.scoring import ScoringRule, score_responses, unweighted_rates

RESPONDENT_COLUMNS = [
    "response_id",
    "channel",
    "subdistrict",
    "sex",
    "age_group",
    "submitted_on",
    "duplicate_reason",
]


# Raw answers and fieldwork need an explicit grant (the analyst or administrator group, or the
# permission itself); superuser status alone is not a role (portal.policies).


def can_view_responses(user) -> bool:
    return survey_data_policy.user_has_permission(user, "view_responses")


def can_manage_fieldwork(user) -> bool:
    return survey_data_policy.user_has_permission(user, "manage_fieldwork")


def survey_for_analyst(*, user, pk: int, manage: bool = False) -> Survey:
    """The survey ``pk`` if ``user`` may see its responses (and manage fieldwork if asked)."""
    action = "manage_fieldwork" if manage else "view_responses"
    if not survey_data_policy.user_has_permission(user, action):
        raise PermissionDenied
    return get_object_or_404(Survey, pk=pk)


def survey_for_release(*, user, pk: int, action: str) -> Survey:
    """The survey ``pk`` if ``user`` may take ``action`` (view, download, publish) on its
    releases (``release_policy``)."""
    if not release_policy.user_has_permission(user, action):
        raise PermissionDenied
    return get_object_or_404(Survey, pk=pk)


def survey_list_public():
    """Surveys residents may see: open, scheduled and closed ones (never drafts)."""
    return list(Survey.objects.exclude(status=Survey.Status.DRAFT).order_by("-year", "title"))


def surveys_for_analyst(*, user):
    """Every survey with its count of counted (not excluded) responses, for users who may read
    responses (``survey_data_policy``); the fieldwork list's queryset."""
    if not can_view_responses(user):
        raise PermissionDenied
    return Survey.objects.annotate(
        n_responses=Count("responses", filter=Q(responses__excluded=False))
    ).order_by("-year", "title")


def scoring_rules(survey: Survey) -> list[ScoringRule]:
    return [
        ScoringRule(
            code=d.code,
            method=d.method,
            items=tuple(split_codes(d.items)),
            positive=frozenset(split_codes(d.positive_choice_codes)),
            exclude_non_substantive=d.exclude_non_substantive,
            min_count=d.min_count,
            name=d.name,
            kind=d.kind,
            target_percent=float(d.target_percent) if d.target_percent is not None else None,
        )
        for d in ScoringDefinition.objects.filter(survey=survey).order_by("sort_order", "pk")
    ]


def survey_answer_frames(
    *, survey: Survey, include_excluded: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(respondents, choice answers) of ``survey``, loaded with one query.

    The query walks from responses to their answers with a LEFT JOIN, so respondents who left
    every optional question blank are still there.
    """
    responses = Response.objects.filter(survey=survey)
    if not include_excluded:
        responses = responses.filter(excluded=False)
    rows = responses.values_list(
        "id",
        "channel",
        "subdistrict__code",
        "sex",
        "age_group",
        "submitted_on",
        "duplicate_reason",
        "answers__question__code",
        "answers__row__code",
        "answers__choice__code",
        "answers__choice__score",
        "answers__choice__is_substantive",
    ).order_by("submitted_on", "id")
    frame = pd.DataFrame.from_records(
        list(rows),
        columns=[
            *RESPONDENT_COLUMNS,
            "question",
            "row",
            "choice",
            "score",
            "substantive",
        ],
    )
    frame["response_id"] = frame["response_id"].astype(str)
    respondents = frame[RESPONDENT_COLUMNS].drop_duplicates("response_id").set_index("response_id")
    answers = frame.loc[
        frame["choice"].notna(),
        ["response_id", "question", "row", "choice", "score", "substantive"],
    ].copy()
    answers["item"] = answers["question"].where(
        answers["row"].isna(), answers["question"] + "_" + answers["row"].fillna("")
    )
    answers["score"] = pd.to_numeric(answers["score"], errors="coerce").astype(float)
    return respondents, answers.drop(columns=["row"])


def survey_scored_frame(*, survey: Survey, include_excluded: bool = False) -> pd.DataFrame:
    """One row per respondent (index ``response_id``): channel, subdistrict (code), sex,
    age_group, submitted_on, duplicate_reason, and one float column per scoring definition
    (named by its code) holding 1, 0 or NaN (``score_mean``: the score / 100)."""
    respondents, answers = survey_answer_frames(survey=survey, include_excluded=include_excluded)
    return score_responses(respondents, answers, scoring_rules(survey))


def survey_rates(*, survey: Survey) -> list[dict]:
    rules = scoring_rules(survey)
    respondents, answers = survey_answer_frames(survey=survey)
    return unweighted_rates(score_responses(respondents, answers, rules), rules)


def quota_progress(*, survey: Survey) -> list[dict]:
    """Achieved vs target per quota cell (two queries whatever the number of cells)."""
    counts = Counter()
    for row in (
        Response.objects.filter(survey=survey, excluded=False)
        .values("subdistrict_id", "sex", "age_group")
        .annotate(n=Count("id"))
    ):
        counts[(row["subdistrict_id"], row["sex"], row["age_group"])] = row["n"]
    result = []
    for cell in QuotaCell.objects.filter(survey=survey).select_related("subdistrict"):
        achieved = sum(
            n
            for (sub, sex, age), n in counts.items()
            if cell.matches(subdistrict_id=sub, sex=sex, age_group=age)
        )
        result.append(
            {
                "cell": cell,
                "label": str(cell),
                "target": cell.target,
                "achieved": achieved,
                "percent": round(100 * achieved / cell.target) if cell.target else 0,
                "full": achieved >= cell.target,
            }
        )
    return result


def quota_totals(*, survey: Survey) -> dict:
    """A survey's quota progress in one line: completes counted towards the targets (a cell
    counts at most its target), the targets' sum, the percentage; ``target`` 0 without quotas."""
    cells = quota_progress(survey=survey)
    target = sum(c["target"] for c in cells)
    achieved = sum(min(c["achieved"], c["target"]) for c in cells)
    return {
        "target": target,
        "achieved": achieved,
        "percent": round(100 * achieved / target) if target else None,
        "full_cells": sum(1 for c in cells if c["full"]),
        "cells": len(cells),
    }


def fieldwork_summary(*, survey: Survey) -> dict:
    """Counts for the fieldwork monitor: by channel, by day, flagged duplicates, tokens used."""
    responses = Response.objects.filter(survey=survey)
    by_channel = dict(
        responses.filter(excluded=False).values_list("channel").annotate(n=Count("id"))
    )
    by_day = list(
        responses.filter(excluded=False)
        .values_list("submitted_on")
        .annotate(n=Count("id"))
        .order_by("submitted_on")
    )
    flagged = list(
        responses.exclude(duplicate_reason="")
        .order_by("submitted_on", "id")
        .values("id", "submitted_on", "duplicate_reason", "excluded", "subdistrict__name")[:200]
    )
    tokens = survey.tokens.aggregate(total=Count("id"), used=Count("id", filter=Q(used=True)))
    return {
        "total": sum(by_channel.values()),
        "excluded": responses.filter(excluded=True).count(),
        "by_channel": by_channel,
        "by_day": by_day,
        "flagged": flagged,
        "tokens": tokens,
    }


# --- Start page (portal_home_panels) ----------------------------------------------------------


def analyst_home(*, user) -> dict:
    """The analyst's start page: fieldwork of the open surveys against their quotas, and the
    latest release. Four queries whatever the number of surveys and cells."""
    if not can_view_responses(user):
        raise PermissionDenied
    surveys = list(Survey.objects.filter(status=Survey.Status.OPEN).order_by("-year", "title"))
    ids = [survey.pk for survey in surveys]
    counts: dict[int, Counter] = {pk: Counter() for pk in ids}
    for row in (
        Response.objects.filter(survey_id__in=ids, excluded=False)
        .values("survey_id", "subdistrict_id", "sex", "age_group")
        .annotate(n=Count("id"))
    ):
        counts[row["survey_id"]][(row["subdistrict_id"], row["sex"], row["age_group"])] = row["n"]
    cells: dict[int, list[QuotaCell]] = {pk: [] for pk in ids}
    for cell in QuotaCell.objects.filter(survey_id__in=ids):
        cells[cell.survey_id].append(cell)
    progress = []
    for survey in surveys:
        achieved_total = sum(counts[survey.pk].values())
        target = achieved_in_cells = full = 0
        for cell in cells[survey.pk]:
            achieved = sum(
                n
                for (sub, sex, age), n in counts[survey.pk].items()
                if cell.matches(subdistrict_id=sub, sex=sex, age_group=age)
            )
            target += cell.target
            achieved_in_cells += min(achieved, cell.target)
            full += achieved >= cell.target
        progress.append(
            {
                "survey": survey,
                "responses": achieved_total,
                "target": target,
                "achieved": achieved_in_cells,
                "percent": round(100 * achieved_in_cells / target) if target else None,
                "cells": len(cells[survey.pk]),
                "cells_full": full,
            }
        )
    release = (
        SurveyRelease.objects.select_related("survey")
        .only(
            "survey__title",
            "survey_id",
            "version",
            "published_at",
            "satisfaction",
            "participation",
        )
        .order_by("-published_at", "-pk")
        .first()
    )
    return {"progress": progress, "latest_release": release}


def participations_of(*, user):
    """The surveys ``user`` took part in with their account (我的): survey and date only.
    ``Participation`` has no link to the answers (统计法 Art. 28), and nothing here reads them."""
    if not getattr(user, "is_authenticated", False):
        return Participation.objects.none()
    return (
        Participation.objects.filter(user=user)
        .select_related("survey")
        .only("created_on", "survey__title", "survey__slug")
        .order_by("-created_on")
    )
