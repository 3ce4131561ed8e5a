"""Analyst screens in the Wagtail admin: the rates dashboard and the exports of a survey.

Only the analyst and administrator roles may open them (:func:`can_analyse`, checked in every
view before anything is loaded; everyone else gets 403). Charts are inline SVG computed here and
drawn by the templates, each followed by a table with the same numbers for screen readers.
"""

from __future__ import annotations

import functools
import math
import unicodedata

import numpy as np
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.defaults import permission_denied

from portal.storage import private_file_response
from surveys.analysis import AnalysisError, analyse
from surveys.exports import EXPORT_BUILDERS
from surveys.models import ExportJob, Survey
from surveys.policies import survey_data_policy
from surveys.tasks import export_job_start

#: The assessment's line below which a rate fails outright (the target is settings["target"]).
MINIMUM = 0.80
HISTOGRAM_BINS = 20
RECENT_JOBS = 20

# Chart geometry (SVG user units).
CHART_WIDTH = 780
CHART_LABEL = 250
CHART_RIGHT = 120
CHART_ROW = 34
CHART_TOP = 34
CHART_BOTTOM = 30


def can_analyse(user) -> bool:
    """Analysts and administrators (``survey_data_policy``'s ``analyse``)."""
    return survey_data_policy.user_has_permission(user, "analyse")


def analyst_required(view):
    """403 (a real one: Wagtail would turn PermissionDenied into a redirect) for anyone but
    analysts and administrators, before the view loads anything."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_analyse(request.user):
            return permission_denied(request, PermissionDenied())
        return view(request, *args, **kwargs)

    return wrapped


def _survey_for(request, pk: int) -> Survey:
    if not can_analyse(request.user):  # defence in depth; every view is @analyst_required
        raise PermissionDenied
    return get_object_or_404(Survey, pk=pk)


def _job_for(request, pk: int, job_id: int) -> ExportJob:
    survey = _survey_for(request, pk)
    return get_object_or_404(
        ExportJob.objects.select_related("survey", "requested_by"),
        pk=job_id,
        survey=survey,
    )


def _margins_url(survey: Survey) -> str:
    try:
        return reverse("surveys_admin:margins", kwargs={"pk": survey.pk})
    except NoReverseMatch:
        return reverse("surveys_admin:fieldwork", kwargs={"pk": survey.pk})


# --------------------------------------------------------------------------------------------
# Numbers and charts
# --------------------------------------------------------------------------------------------


def _pct(value: float | None, digits: int = 1) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{100 * value:.{digits}f}%"


def _num(value: float | None, digits: int = 3) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.{digits}f}"


def _x(value: float) -> float:
    plot = CHART_WIDTH - CHART_LABEL - CHART_RIGHT
    return round(CHART_LABEL + max(0.0, min(1.0, value)) * plot, 2)


def _fit_label(label: str, width: float = CHART_LABEL - 12) -> str:
    """``label`` cut with an ellipsis to fit ``width`` px of 13px text (wide CJK glyphs count
    13 px, others about 7.5 px); the table under each chart has the full text."""
    used = 0.0
    for index, char in enumerate(label):
        used += 13.0 if unicodedata.east_asian_width(char) in "WF" else 7.5
        if used > width:
            return label[: max(index - 1, 1)] + "…"
    return label


def _estimate_row(label: str, estimate, *, target: float, minimum: float, min_n: int) -> dict:
    row = {
        "label": label,
        "short_label": _fit_label(label),
        "n": estimate.n,
        "suppressed": bool(estimate.suppressed),
        "missing": estimate.rate is None and not estimate.suppressed,
        "rate": _pct(estimate.rate),
        "se": _pct(estimate.se, 2),
        "ci": f"{_pct(estimate.ci_low)} – {_pct(estimate.ci_high)}"
        if estimate.ci_low is not None
        else "—",
        "n_eff": _num(estimate.n_eff, 1),
        "deff": _num(estimate.deff, 3),
        "kg": f"{_pct(estimate.kg_low)} – {_pct(estimate.kg_high)}"
        if getattr(estimate, "kg_low", None) is not None
        else "—",
        "presentation": getattr(estimate, "presentation", None) or "",
        "flags": ", ".join(getattr(estimate, "flags", ()) or ()),
        "meets": None,
        "min_n": min_n,
    }
    if estimate.rate is not None:
        row["meets"] = estimate.rate >= target
        row["band"] = (
            "ok" if estimate.rate >= target else "low" if estimate.rate >= minimum else "bad"
        )
        row["x_rate"] = _x(estimate.rate)
        if estimate.ci_low is not None and estimate.ci_high is not None:
            row["x_low"] = _x(estimate.ci_low)
            row["x_high"] = _x(estimate.ci_high)
    return row


def ci_chart(rows: list[dict], *, target: float, minimum: float) -> dict:
    """Geometry of a horizontal chart: one row per estimate, bar to the rate, CI whiskers, and
    vertical lines at the target and the minimum."""
    height = CHART_TOP + CHART_ROW * max(len(rows), 1) + CHART_BOTTOM
    plotted = []
    for index, row in enumerate(rows):
        y = CHART_TOP + index * CHART_ROW
        mid = y + CHART_ROW / 2
        item = {**row, "y_mid": mid, "y_text": mid + 5, "bar_y": mid - 7, "cap_top": mid - 8}
        item["cap_bottom"] = mid + 8
        if "x_rate" in row:
            item["bar_width"] = round(row["x_rate"] - CHART_LABEL, 2)
        plotted.append(item)
    ticks = [{"x": _x(v / 100), "label": f"{v}%"} for v in (0, 20, 40, 60, 80, 100)]
    return {
        "width": CHART_WIDTH,
        "height": height,
        "left": CHART_LABEL,
        "right": CHART_WIDTH - CHART_RIGHT,
        "rows": plotted,
        "ticks": ticks,
        "axis_y": height - CHART_BOTTOM,
        "tick_text_y": height - CHART_BOTTOM + 18,
        "target_x": _x(target),
        "minimum_x": _x(minimum),
        "target_label": _("Target %(p)s") % {"p": _pct(target, 0)},
        "minimum_label": _("Minimum %(p)s") % {"p": _pct(minimum, 0)},
        # One label when the lines coincide (e.g. a score whose target is the minimum), so the
        # two texts never print over each other.
        "show_minimum": abs(_x(target) - _x(minimum)) >= 1,
        "value_x": CHART_WIDTH - CHART_RIGHT + 8,
        "label_x": CHART_LABEL - 8,
        "note_x": CHART_LABEL + 6,
    }


def weight_summary(weights: np.ndarray, *, bins: int = HISTOGRAM_BINS) -> dict:
    """Statistics and a histogram (with SVG geometry) of the weights."""
    w = np.asarray(weights, dtype=np.float64)
    n = w.size
    total, squares = float(w.sum()), float((w * w).sum())
    n_eff = total * total / squares if squares else math.nan
    low, high = float(w.min()), float(w.max())
    if high - low < 1e-12:
        edges = np.array([low - 0.5, high + 0.5])
        counts = np.array([n])
    else:
        counts, edges = np.histogram(w, bins=bins)
    width, height, base, left = 720, 220, 190, 50
    peak = int(counts.max()) if counts.size else 0
    bar_width = (width - left - 10) / len(counts)
    bars = []
    for index, count in enumerate(counts.tolist()):
        bar_height = 0 if peak == 0 else round((base - 20) * count / peak, 2)
        bars.append(
            {
                "x": round(left + index * bar_width + 1, 2),
                "y": round(base - bar_height, 2),
                "width": round(max(bar_width - 2, 1), 2),
                "height": bar_height,
                "count": count,
                "low": _num(float(edges[index])),
                "high": _num(float(edges[index + 1])),
            }
        )
    return {
        "n": n,
        "min": _num(low),
        "median": _num(float(np.median(w))),
        "max": _num(high),
        "mean": _num(total / n if n else math.nan),
        "ratio": _num(high / low if low > 0 else math.nan, 2),
        "n_eff": _num(n_eff, 1),
        "deff": _num(n / n_eff if n_eff else math.nan),
        "chart": {
            "width": width,
            "height": height,
            "base": base,
            "left": left,
            "right": width - 10,
            "bars": bars,
            "peak": peak,
            "label_y": base + 18,
        },
    }


def dashboard_context(analysis) -> dict:
    """Everything the dashboard template shows, as display-ready values."""
    settings = analysis.settings
    target = float(settings.get("target", 0.85))
    minimum = float(settings.get("minimum", MINIMUM))
    min_n = int(settings.get("min_n", 5))
    labels = getattr(analysis, "labels", None) or {}
    names = {rule.code: rule.name or rule.code for rule in analysis.rules}
    rule_targets = {
        rule.code: rule.target_percent / 100 if rule.target_percent is not None else target
        for rule in analysis.rules
    }
    report = analysis.report

    headline = []
    for code, estimate in report.rates.items():
        row = _estimate_row(
            names.get(code, code),
            estimate,
            target=rule_targets.get(code, target),
            minimum=minimum,
            min_n=min_n,
        )
        row["code"] = code
        row["target"] = _pct(rule_targets.get(code, target))
        headline.append(row)

    breakdown_titles = {
        "subdistrict": _("Sub-district"),
        "sex": _("Sex"),
        "age_group": _("Age group"),
    }
    breakdowns = []
    subdistrict_charts = []
    for by, cells in report.breakdowns.items():
        categories = []
        for category, per_rate in cells.items():
            label = str(labels.get(by, {}).get(category, category))
            categories.append(
                {
                    "label": label,
                    "code": category,
                    "cells": [
                        _estimate_row(
                            label,
                            per_rate[code],
                            target=rule_targets.get(code, target),
                            minimum=minimum,
                            min_n=min_n,
                        )
                        for code in report.rates
                        if code in per_rate
                    ],
                }
            )
        breakdowns.append(
            {
                "variable": by,
                "title": breakdown_titles.get(by, by),
                "categories": categories,
                "rates": [names.get(code, code) for code in report.rates],
            }
        )
        if by == "subdistrict":
            for position, code in enumerate(report.rates):
                rows = [c["cells"][position] for c in categories if position < len(c["cells"])]
                subdistrict_charts.append(
                    {
                        "code": code,
                        "name": names.get(code, code),
                        "chart": ci_chart(
                            rows, target=rule_targets.get(code, target), minimum=minimum
                        ),
                    }
                )

    fit = [
        {
            "variable": str(breakdown_titles.get(item.variable, item.variable)),
            "category": item.category,
            "label": str(labels.get(item.variable, {}).get(item.category, item.category)),
            "respondents": item.respondents,
            "target": _pct(item.target_share, 2),
            "unweighted": _pct(item.unweighted_share, 2),
            "weighted": _pct(item.weighted_share, 2),
            "gap": f"{100 * (item.unweighted_share - item.target_share):+.2f}",
        }
        for item in analysis.weighting.margin_fit
    ]
    diagnostics = analysis.weighting.diagnostics
    record = getattr(analysis, "margins_record", None)
    return {
        "n": report.n,
        "n_eff": _num(report.n_eff, 1),
        "deff": _num(report.deff),
        "target": _pct(target, 0),
        "minimum": _pct(minimum, 0),
        "min_n": min_n,
        "level": _pct(settings.get("level", 0.95), 0),
        "headline": headline,
        "headline_chart": ci_chart(headline, target=target, minimum=minimum),
        "breakdowns": breakdowns,
        "subdistrict_charts": subdistrict_charts,
        "weights": weight_summary(analysis.weights.to_numpy()),
        "trimmed": diagnostics.trimmed,
        "fit": fit,
        "diagnostics": {
            "method": diagnostics.method,
            "iterations": diagnostics.iterations,
            "max_margin_error": f"{diagnostics.max_margin_error:.2e}",
            "converged": diagnostics.converged,
            "trimmed": diagnostics.trimmed,
            "trim_rounds": diagnostics.trim_rounds,
            "tol": settings.get("tol"),
            "max_iter": settings.get("max_iter"),
            "trim_cap": settings.get("trim_cap"),
        },
        "margins_record": record,
    }


# --------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------


@analyst_required
@require_GET
def dashboard(request, pk: int):
    survey = _survey_for(request, pk)
    context = {
        "survey": survey,
        "margins_url": _margins_url(survey),
        "fieldwork_url": reverse("surveys_admin:fieldwork", kwargs={"pk": survey.pk}),
        "exports_url": reverse("surveys_admin:exports", kwargs={"pk": survey.pk}),
    }
    try:
        analysis = analyse(survey)
    except AnalysisError as error:
        context["reason"] = str(error)
        context["problems"] = getattr(error, "problems", [])
        return render(request, "surveys/admin/dashboard_unavailable.html", context)
    context.update(dashboard_context(analysis))
    return render(request, "surveys/admin/dashboard.html", context)


def _job_row(job: ExportJob) -> dict:
    builder = EXPORT_BUILDERS.get(job.kind)
    return {
        "job": job,
        "label": builder.label if builder else job.kind,
        "url": reverse("surveys_admin:export_job", kwargs={"pk": job.survey_id, "job_id": job.pk}),
        "download_url": reverse(
            "surveys_admin:export_download", kwargs={"pk": job.survey_id, "job_id": job.pk}
        )
        if job.status == ExportJob.Status.DONE
        else "",
    }


@analyst_required
@require_http_methods(["GET", "POST"])
def exports(request, pk: int):
    survey = _survey_for(request, pk)
    error = ""
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind in EXPORT_BUILDERS:
            job = export_job_start(survey=survey, kind=kind, user=request.user)
            return redirect("surveys_admin:export_job", pk=survey.pk, job_id=job.pk)
        error = _("Choose one of the listed exports.")
    jobs = ExportJob.objects.filter(survey=survey).select_related("requested_by")
    context = {
        "survey": survey,
        "builders": [
            {"kind": kind, "label": builder.label, "filename": builder.filename(survey)}
            for kind, builder in EXPORT_BUILDERS.items()
        ],
        "jobs": [_job_row(job) for job in jobs[:RECENT_JOBS]],
        "error": error,
        "dashboard_url": reverse("surveys_admin:dashboard", kwargs={"pk": survey.pk}),
    }
    if error:
        return render(request, "surveys/admin/export_list.html", context, status=400)
    return render(request, "surveys/admin/export_list.html", context)


def _status_payload(job: ExportJob) -> dict:
    row = _job_row(job)
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "progress": job.progress,
        "message": job.message,
        "finished": job.is_finished,
        "filename": job.filename,
        "size": job.size,
        "sha256": job.sha256,
        "download_url": row["download_url"],
    }


@analyst_required
@require_GET
@never_cache
def export_job(request, pk: int, job_id: int):
    job = _job_for(request, pk, job_id)
    return render(
        request,
        "surveys/admin/export_job.html",
        {
            "survey": job.survey,
            "row": _job_row(job),
            "job": job,
            "status_url": reverse(
                "surveys_admin:export_status", kwargs={"pk": job.survey_id, "job_id": job.pk}
            ),
            "exports_url": reverse("surveys_admin:exports", kwargs={"pk": job.survey_id}),
        },
    )


@analyst_required
@require_GET
@never_cache
def export_status(request, pk: int, job_id: int):
    job = _job_for(request, pk, job_id)
    return JsonResponse(_status_payload(job))


@analyst_required
@require_GET
@never_cache
def export_download(request, pk: int, job_id: int):
    job = _job_for(request, pk, job_id)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    response = private_file_response(
        job.file.name, content_type=job.content_type, filename=job.filename, as_attachment=True
    )
    response["X-Content-SHA256"] = job.sha256
    return response
