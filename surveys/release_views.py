"""Population margins upload, frozen releases (admin) and the public results page.

Admin views load the survey through ``selectors.survey_for_analyst`` (margins: managing
fieldwork) and ``selectors.survey_for_release`` (``policies.release_policy``: view, download,
publish; analysts and administrators). Release files include the responses snapshot, so
downloading them is granted like reading responses. The public page shows only frozen release values.
"""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.contrib import messages
from django.db.models import BooleanField, Case, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.cache import never_cache
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic

from portal.integration import indicator_verdict
from portal.pagecache import anonymous_page
from portal.storage import private_file_response
from surveys import selectors, services
from surveys.analysis import (
    AnalysisError,
    current_margins,
    margin_problem_text,
    parse_survey_margins,
)
from surveys.filters import ReleaseFilterSet
from surveys.indicators import INDICATOR_OF_KIND
from surveys.margins import MarginProblem, MarginsError
from surveys.models import ReleaseFile, Survey, SurveyRelease
from surveys.policies import release_policy
from surveys.rates import NCHS_2017
from surveys.releases import latest_release, release_publish
from surveys.weighting import DEFAULT_MIN_CATEGORY_N

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


def _release_status(release) -> str:
    """The latest release is the one the public results page and the indicators show."""
    return _("Current (shown publicly)") if release.is_current else _("Superseded")


def _percent(value):
    return "" if value is None else f"{value}%"


#: The release list's export: what each frozen release published (no responses, no names).
RELEASE_EXPORT_COLUMNS = (
    ("survey", gettext_lazy("Survey"), lambda r: r.survey.title),
    ("version", gettext_lazy("Version"), lambda r: r.label),
    ("published_at", gettext_lazy("Published at"), lambda r: r.published_at.isoformat()),
    ("satisfaction", gettext_lazy("Satisfaction"), lambda r: r.satisfaction),
    ("participation", gettext_lazy("Participation"), lambda r: r.participation),
    ("margins", gettext_lazy("Margins"), lambda r: r.margins_label),
    ("illustrative", gettext_lazy("Illustrative margins"), lambda r: r.margins_illustrative),
    ("status", gettext_lazy("Status"), lambda r: _release_status(r)),
)


class ReleaseVersionColumn(TitleColumn):
    def get_link_url(self, instance, parent_context):
        return reverse("surveys_admin:release", args=[instance.survey_id, instance.version])


class ReleaseIndexView(generic.IndexView):
    """A survey's frozen releases, newest first: filters (``filters.ReleaseFilterSet``), a
    CSV/XLSX list of what each published, and the publish/margins actions the release policy
    allows. Users ``release_policy`` lets view releases only."""

    model = SurveyRelease
    permission_policy = None  # asked by selectors.survey_for_release
    filterset_class = ReleaseFilterSet
    template_name = "surveys/admin/release_list.html"
    results_template_name = "surveys/admin/release_list_results.html"
    index_url_name = "surveys_admin:releases"
    index_results_url_name = "surveys_admin:releases_results"
    header_icon = "lock"
    paginate_by = 50
    list_export = [key for key, _h, _fn in RELEASE_EXPORT_COLUMNS]
    export_headings = {key: heading for key, heading, _fn in RELEASE_EXPORT_COLUMNS}

    def dispatch(self, request, *args, **kwargs):
        self.survey = selectors.survey_for_release(
            user=request.user, pk=kwargs["pk"], action="view"
        )
        return super().dispatch(request, *args, **kwargs)

    @property
    def page_title(self):
        return _("Releases")

    @property
    def page_subtitle(self):
        return self.survey.title

    @property
    def export_filename(self):
        return f"{self.survey.slug}-releases"

    def get_index_url(self):
        return reverse(self.index_url_name, args=[self.survey.pk])

    def get_index_results_url(self):
        return reverse(self.index_results_url_name, args=[self.survey.pk])

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("surveys_admin:index"), "label": _("Survey fieldwork")},
            {
                "url": reverse("surveys_admin:fieldwork", args=[self.survey.pk]),
                "label": self.survey.title,
            },
            {"url": "", "label": _("Releases")},
        ]

    def get_base_queryset(self):
        latest = latest_release(self.survey)
        current = Case(
            When(pk=latest.pk if latest else None, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        return (
            SurveyRelease.objects.filter(survey=self.survey)
            .select_related("published_by", "survey")
            .annotate(is_current=current)
        )

    def order_queryset(self, queryset):
        return queryset.order_by("-version")

    def to_row_dict(self, item):
        return {key: fn(item) for key, _h, fn in RELEASE_EXPORT_COLUMNS}

    @cached_property
    def columns(self):
        return [
            ReleaseVersionColumn("label", label=_("Version"), sort_key=None),
            DateColumn("published_at", label=_("Published at")),
            Column("published_by", label=_("Published by")),
            Column(
                "satisfaction",
                label=_("Satisfaction"),
                accessor=lambda r: _percent(r.satisfaction) or "—",
            ),
            Column(
                "participation",
                label=_("Participation"),
                accessor=lambda r: _percent(r.participation) or "—",
            ),
            Column("margins_label", label=_("Margins")),
            Column("status", label=_("Status"), accessor=_release_status),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            survey=self.survey,
            can_manage=release_policy.user_has_permission(self.request.user, "publish"),
            margins=current_margins(self.survey),
        )
        return context


release_list = never_cache(ReleaseIndexView.as_view())
release_list_results = never_cache(ReleaseIndexView.as_view(results_only=True))


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

#: The breakdowns the public page shows, in this order (the release's analysis computes them).
PUBLIC_BREAKDOWNS = (
    ("subdistrict", gettext_lazy("By sub-district")),
    ("sex", gettext_lazy("By sex")),
    ("age_group", gettext_lazy("By age group")),
)

#: What a rate of each scoring method means, in plain words.
METHOD_MEANING = {
    "top_box": gettext_lazy(
        "the share of residents who chose one of the positive answers (such as 满意 or 比较满意) "
        "to the questions behind this rate"
    ),
    "at_least_k": gettext_lazy(
        "the share of residents who took part in at least the required number of the listed "
        "activities"
    ),
    "score_mean": gettext_lazy(
        "the average score of the answers on a scale from 0 to 100 (not a share of residents)"
    ),
}


def _percent1(rate: float | None) -> Decimal | None:
    """A rate as the published percent with one decimal (as the release and indicator store it)."""
    if rate is None:
        return None
    return Decimal(str(100 * rate)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def min_public_cell(release) -> int:
    """The release's small-cell rule: fewer respondents than this in a cell → not shown."""
    settings = release.settings or {}
    return max(
        int(settings.get("min_category_n") or DEFAULT_MIN_CATEGORY_N),
        int(settings.get("min_n") or 0),
    )


def public_estimate(kind: str, code: str, estimate: dict, definitions: dict, release) -> dict:
    """One rate as the public page shows it under the release's presentation standard.

    Under NCHS 2017 the interval is Korn–Graubard and a suppressed rate shows no number at all;
    releases published before the standard keep their logit interval and show every rate.
    ``kind`` is the headline kind ("satisfaction", "participation") or "" for another rate.
    """
    nchs = release.presentation_standard == NCHS_2017 and "presentation" in estimate
    decision = estimate.get("presentation") if nchs else "show"
    low, high = (
        (estimate.get("kg_low"), estimate.get("kg_high"))
        if nchs
        else (estimate.get("ci_low"), estimate.get("ci_high"))
    )
    definition = definitions.get(code, {})
    target = definition.get("target")
    shown = (
        decision != "suppress" and not estimate.get("suppressed") and estimate["rate"] is not None
    )
    percent = _percent1(estimate["rate"]) if shown else None
    number = INDICATOR_OF_KIND.get(kind)
    verdict = indicator_verdict(number, percent) if number and percent is not None else None
    return {
        "kind": kind,
        "code": code,
        "indicator": number,
        "name": definition.get("name", code),
        "meaning": METHOD_MEANING.get(definition.get("method", ""), ""),
        "suppressed": not shown,
        "flagged": decision == "flag",
        "percent": percent,
        "ci_low": _percent1(low) if shown and low is not None else None,
        "ci_high": _percent1(high) if shown and high is not None else None,
        "n": estimate["n"],
        "target": None if target is None else 100 * target,
        "meets_target": None if target is None or not shown else estimate["rate"] >= target,
        "verdict": verdict,
    }


def public_cell(estimate: dict, release, *, min_cell: int) -> dict:
    """One breakdown cell: shown, or suppressed by the release's small-cell rule or NCHS 2017."""
    nchs = release.presentation_standard == NCHS_2017 and "presentation" in estimate
    decision = estimate.get("presentation") if nchs else "show"
    small = estimate["n"] < min_cell
    shown = not small and decision != "suppress" and not estimate.get("suppressed")
    shown = shown and estimate.get("rate") is not None
    low, high = (
        (estimate.get("kg_low"), estimate.get("kg_high"))
        if nchs
        else (estimate.get("ci_low"), estimate.get("ci_high"))
    )
    return {
        "n": estimate["n"],
        "suppressed": not shown,
        "reason": "small" if small else "uncertain" if not shown else "",
        "flagged": shown and decision == "flag",
        "percent": _percent1(estimate["rate"]) if shown else None,
        "ci_low": _percent1(low) if shown and low is not None else None,
        "ci_high": _percent1(high) if shown and high is not None else None,
    }


def _bar(cell: dict) -> dict:
    """SVG geometry of one bar on a 0–100 scale (the chart scales it; no inline style)."""
    if cell["suppressed"]:
        return {}
    return {
        "width": float(cell["percent"]),
        "ci_low": None if cell["ci_low"] is None else float(cell["ci_low"]),
        "ci_high": None if cell["ci_high"] is None else float(cell["ci_high"]),
    }


def public_breakdowns(release, headline: list[dict]) -> list[dict]:
    """Per breakdown variable: one table (and chart) of every shown headline rate by category."""
    results = release.results or {}
    labels = results.get("labels", {})
    min_cell = min_public_cell(release)
    out = []
    for variable, title in PUBLIC_BREAKDOWNS:
        cells = (results.get("breakdowns") or {}).get(variable) or {}
        if not cells:
            continue
        rates = []
        for rate in headline:
            rows = []
            for category, per_rate in cells.items():
                estimate = per_rate.get(rate["code"])
                if estimate is None:
                    continue
                cell = public_cell(estimate, release, min_cell=min_cell)
                rows.append(
                    {
                        "label": labels.get(variable, {}).get(category, category),
                        **cell,
                        "bar": _bar(cell),
                    }
                )
            if rows:
                verdict = rate["verdict"]
                rates.append(
                    {
                        "rate": rate,
                        "rows": rows,
                        "national": getattr(verdict, "national_number", None),
                        "plan": getattr(verdict, "plan_number", None),
                    }
                )
        if rates:
            out.append({"variable": variable, "title": title, "rates": rates})
    return out


def public_results(release) -> dict:
    """Everything the public page shows of a frozen release (and nothing live)."""
    results = release.results or {}
    definitions = results.get("definitions", {})
    headline_codes = {code: kind for kind, code in (results.get("headline") or {}).items() if code}
    rates = []
    # The headline rates first (they feed indicators 34 and 35), then the release's other rates.
    ordered = sorted(
        (results.get("rates") or {}).items(), key=lambda item: item[0] not in headline_codes
    )
    for code, estimate in ordered:
        if not estimate or estimate.get("rate") is None:
            continue
        rates.append(
            public_estimate(headline_codes.get(code, ""), code, estimate, definitions, release)
        )
    headline = [r for r in rates if r["kind"]]
    return {
        "rates": rates,
        "headline": headline,
        "breakdowns": public_breakdowns(release, headline),
        "min_cell": min_public_cell(release),
        "n": results.get("n"),
        "level": int(round(100 * float((release.settings or {}).get("level") or 0.95))),
    }


@anonymous_page(params=())
def survey_results(request, slug: str):
    """The latest frozen release's rates, breakdowns and method (never live numbers)."""
    survey = get_object_or_404(Survey.objects.exclude(status=Survey.Status.DRAFT), slug=slug)
    release = latest_release(survey)
    context = {
        "survey": survey,
        "state": survey.state(),
        "release": release,
        "rates": [],
        "headline": [],
        "nchs": release is not None and release.presentation_standard == NCHS_2017,
    }
    if release is not None:
        context.update(public_results(release))
    context["any_flag"] = any(r["flagged"] for r in context["rates"]) or any(
        row["flagged"]
        for group in context.get("breakdowns", [])
        for rate in group["rates"]
        for row in rate["rows"]
    )
    response = render(request, "surveys/survey_results.html", context)
    response["Cache-Control"] = "public, max-age=300"
    return response


def survey_results_csv(request, slug: str, version: int):
    """The published tables of one release as CSV: the same numbers as the page, small cells
    suppressed (never responses, weights or anything per person)."""

    survey = get_object_or_404(Survey.objects.exclude(status=Survey.Status.DRAFT), slug=slug)
    release = get_object_or_404(SurveyRelease, survey=survey, version=version)
    data = public_results(release)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            pgettext("survey results csv", "Rate"),
            pgettext("survey results csv", "Breakdown"),
            pgettext("survey results csv", "Group"),
            pgettext("survey results csv", "Rate (%)"),
            pgettext("survey results csv", "CI low (%)"),
            pgettext("survey results csv", "CI high (%)"),
            pgettext("survey results csv", "Respondents"),
        ]
    )

    def value(cell, key):
        return "" if cell[key] is None else f"{cell[key]}"

    for rate in data["rates"]:
        writer.writerow(
            [
                rate["name"],
                pgettext("survey results csv", "All residents"),
                "",
                value(rate, "percent"),
                value(rate, "ci_low"),
                value(rate, "ci_high"),
                rate["n"],
            ]
        )
    for group in data["breakdowns"]:
        for entry in group["rates"]:
            for row in entry["rows"]:
                writer.writerow(
                    [
                        entry["rate"]["name"],
                        str(group["title"]),
                        row["label"],
                        value(row, "percent") or pgettext("survey results csv", "not shown"),
                        value(row, "ci_low"),
                        value(row, "ci_high"),
                        row["n"]
                        if not row["suppressed"]
                        else _("fewer than %(n)s") % {"n": data["min_cell"]}
                        if row["reason"] == "small"
                        else row["n"],
                    ]
                )
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{survey.slug}-{release.label}-results.csv"'
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
