"""Population margins upload, frozen releases (admin) and the public results page.

Admin views load the survey through ``selectors.survey_for_analyst`` (margins: managing
fieldwork) and ``selectors.survey_for_release`` (``policies.release_policy``: view, download,
publish; analysts and administrators). Release files include the responses snapshot, so
downloading them is granted like reading responses. The public page shows only frozen release values.
"""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from portal.pagecache import anonymous_page
from portal.storage import private_file_response
from surveys import selectors, services
from surveys.analysis import (
    AnalysisError,
    current_margins,
    margin_problem_text,
    parse_survey_margins,
)
from surveys.margins import MarginProblem, MarginsError
from surveys.models import ReleaseFile, Survey, SurveyRelease
from surveys.policies import release_policy
from surveys.rates import NCHS_2017
from surveys.releases import latest_release, release_publish

MAX_MARGINS_BYTES = 2 * 1024 * 1024


class MarginsForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or GB18030) or XLSX with the columns variable, category, value."
        ),
    )
    label = forms.CharField(
        label=gettext_lazy("Label"),
        max_length=200,
        help_text=gettext_lazy("E.g. 第七次全国人口普查 东区 18+ 常住人口."),
    )
    source_note = forms.CharField(
        label=gettext_lazy("Source"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    illustrative = forms.BooleanField(
        label=gettext_lazy("Illustrative figures (not official census data)"), required=False
    )


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I have checked the weighted rates and want to freeze them as a new release."
        )
    )
    trim_cap = forms.FloatField(
        label=gettext_lazy("Trim weights at (× mean weight)"),
        required=False,
        min_value=1.0,
        help_text=gettext_lazy("Empty: no trimming."),
    )
    collapse = forms.CharField(
        label=gettext_lazy("Merge categories for weighting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "One per line: variable:category=neighbour, e.g. age_group:18-29=30-44. The "
            "category is merged into its neighbour in the responses and the margins."
        ),
    )
    override_reason = forms.CharField(
        label=gettext_lazy("Publish despite small weighting categories, because"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Leave empty unless you must publish with a weighting category under the minimum; "
            "the reason is stored in the release and printed in its methodology."
        ),
    )

    def clean_collapse(self) -> dict[str, dict[str, str]]:
        return parse_collapse_lines(self.cleaned_data.get("collapse") or "")


def parse_collapse_lines(text: str) -> dict[str, dict[str, str]]:
    """``variable:category=neighbour`` lines as ``{variable: {category: neighbour}}``."""
    collapse: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        variable, _sep, rest = line.partition(":")
        source, _sep2, target = rest.partition("=")
        variable, source, target = variable.strip(), source.strip(), target.strip()
        if not (variable and source and target) or source == target:
            raise forms.ValidationError(
                _("Cannot read “%(line)s”; write variable:category=neighbour.")
                % {"line": line.strip()}
            )
        collapse.setdefault(variable, {})[source] = target
    return collapse


def _xlsx_to_csv(content: bytes) -> bytes:
    """The first sheet of an XLSX as CSV bytes (header row included)."""
    import csv

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise MarginsError(
            [MarginProblem("encoding", "The file is not a readable XLSX workbook.")]
        ) from None
    sheet = book.worksheets[0]
    out = io.StringIO()
    writer = csv.writer(out)
    for row in sheet.iter_rows(values_only=True):
        writer.writerow(
            [
                ""
                if cell is None
                else int(cell)
                if isinstance(cell, float) and cell.is_integer()
                else cell
                for cell in row
            ]
        )
    book.close()
    return out.getvalue().encode("utf-8")


@never_cache
def margins_upload(request, pk: int):
    survey = selectors.survey_for_analyst(user=request.user, pk=pk, manage=True)
    posted = request.method == "POST"
    form = MarginsForm(request.POST if posted else None, request.FILES if posted else None)
    problems: list[str] = []
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_MARGINS_BYTES:
            problems = [_("The file is larger than 2 MB; a margins table is a few dozen rows.")]
        else:
            content = upload.read()
            try:
                if upload.name.lower().endswith(".xlsx"):
                    content = _xlsx_to_csv(content)
                margins = parse_survey_margins(survey, content)
            except MarginsError as error:
                problems = [margin_problem_text(p) for p in error.problems]
            else:
                services.margins_store(
                    survey=survey,
                    margins=margins,
                    label=form.cleaned_data["label"],
                    source_note=form.cleaned_data["source_note"],
                    illustrative=form.cleaned_data["illustrative"],
                    filename=upload.name[:255],
                    actor=request.user,
                )
                messages.success(request, _("Population margins saved."))
                return redirect("surveys_admin:margins", pk=survey.pk)
    history = survey.margins_uploads.select_related("uploaded_by")[:20]
    current = current_margins(survey)
    return render(
        request,
        "surveys/admin/margins_form.html",
        {
            "survey": survey,
            "form": form,
            "problems": problems,
            "current": current,
            "history": history,
        },
        status=400 if problems or form.errors else 200,
    )


@never_cache
def release_list(request, pk: int):
    survey = selectors.survey_for_release(user=request.user, pk=pk, action="view")
    releases = SurveyRelease.objects.filter(survey=survey).select_related("published_by")
    return render(
        request,
        "surveys/admin/release_list.html",
        {
            "survey": survey,
            "releases": releases.order_by("-version"),
            "can_manage": release_policy.user_has_permission(request.user, "publish"),
            "margins": current_margins(survey),
        },
    )


@never_cache
def release_publish_view(request, pk: int):
    survey = selectors.survey_for_release(user=request.user, pk=pk, action="publish")
    form = PublishForm(request.POST if request.method == "POST" else None)
    error = None
    if form.is_bound and form.is_valid():
        try:
            release = release_publish(
                survey=survey,
                actor=request.user,
                trim_cap=form.cleaned_data["trim_cap"],
                collapse=form.cleaned_data["collapse"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except AnalysisError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                _("Release %(version)s published.") % {"version": release.label},
            )
            return redirect("surveys_admin:release", pk=survey.pk, version=release.version)
    return render(
        request,
        "surveys/admin/release_publish.html",
        {
            "survey": survey,
            "form": form,
            "error": error,
            "margins": current_margins(survey),
            "latest": latest_release(survey),
        },
        status=400 if error or form.errors else 200,
    )


@never_cache
def release_detail(request, pk: int, version: int):
    survey = selectors.survey_for_release(user=request.user, pk=pk, action="view")
    release = get_object_or_404(
        SurveyRelease.objects.select_related("published_by"), survey=survey, version=version
    )
    files = release.files.order_by("pk")
    results = release.results or {}
    definitions = results.get("definitions", {})
    rates = [
        {"code": code, "name": definitions.get(code, {}).get("name", code), **estimate}
        for code, estimate in results.get("rates", {}).items()
    ]
    return render(
        request,
        "surveys/admin/release_detail.html",
        {
            "survey": survey,
            "release": release,
            "files": files,
            "rates": rates,
            "weighting": results.get("weighting", {}),
            "results": results,
        },
    )


@never_cache
def release_file_download(request, pk: int, version: int, name: str):
    survey = selectors.survey_for_release(user=request.user, pk=pk, action="download")
    release = get_object_or_404(SurveyRelease, survey=survey, version=version)
    try:
        file = release.files.get(name=name)
    except ReleaseFile.DoesNotExist:
        raise Http404 from None
    return private_file_response(
        file.file.name,
        content_type=file.content_type,
        filename=f"{survey.slug}-{release.label}-{file.name}",
        as_attachment=True,
        cache_control="no-store",
    )


# --- Public ---------------------------------------------------------------------------------


def public_estimate(kind: str, code: str, estimate: dict, definitions: dict, release) -> dict:
    """One headline rate as the public page shows it under the release's presentation standard.

    Under NCHS 2017 the interval is Korn–Graubard and a suppressed rate shows no number at all;
    releases published before the standard keep their logit interval and show every rate.
    """
    nchs = release.presentation_standard == NCHS_2017 and "presentation" in estimate
    decision = estimate.get("presentation") if nchs else "show"
    low, high = (
        (estimate.get("kg_low"), estimate.get("kg_high"))
        if nchs
        else (estimate.get("ci_low"), estimate.get("ci_high"))
    )
    target = definitions.get(code, {}).get("target")
    shown = decision != "suppress"
    return {
        "kind": kind,
        "name": definitions.get(code, {}).get("name", code),
        "suppressed": not shown,
        "flagged": decision == "flag",
        "percent": 100 * estimate["rate"] if shown else None,
        "ci_low": 100 * low if shown and low is not None else None,
        "ci_high": 100 * high if shown and high is not None else None,
        "n": estimate["n"],
        "target": None if target is None else 100 * target,
        "meets_target": None if target is None or not shown else estimate["rate"] >= target,
    }


@anonymous_page(params=())
def survey_results(request, slug: str):
    """The latest release's headline rates (never live numbers)."""
    survey = get_object_or_404(Survey.objects.exclude(status=Survey.Status.DRAFT), slug=slug)
    release = latest_release(survey)
    headline = []
    if release is not None:
        results = release.results or {}
        definitions = results.get("definitions", {})
        for kind, code in (results.get("headline") or {}).items():
            estimate = results.get("rates", {}).get(code) if code else None
            if not estimate or estimate.get("rate") is None:
                continue
            headline.append(public_estimate(kind, code, estimate, definitions, release))
    response = render(
        request,
        "surveys/survey_results.html",
        {
            "survey": survey,
            "release": release,
            "headline": headline,
            "nchs": release is not None and release.presentation_standard == NCHS_2017,
            "any_flag": any(h["flagged"] for h in headline),
        },
    )
    return response


@anonymous_page(params=())
def survey_results_methodology(request, slug: str, version: int):
    """The methodology text frozen with a release."""
    survey = get_object_or_404(Survey.objects.exclude(status=Survey.Status.DRAFT), slug=slug)
    release = get_object_or_404(SurveyRelease, survey=survey, version=version)
    response = render(
        request,
        "surveys/survey_results_methodology.html",
        {"survey": survey, "release": release},
    )
    return response
