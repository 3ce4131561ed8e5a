"""Staff screens in the Wagtail admin: fieldwork monitor, tokens, imports, import templates.

Every view loads its survey through ``selectors.survey_for_analyst``, which checks
``surveys.view_responses`` (reading) or ``surveys.manage_fieldwork`` (changing).
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic

from portal.models import Subdistrict
from portal.spreadsheets import write_csv_row
from surveys import imports, selectors, services
from surveys.filters import FieldworkFilterSet
from surveys.models import AgeGroup, Response, Sex, Survey
from surveys.policies import release_policy, survey_data_policy
from surveys.questionnaire import load_structure, structure_problems


class TokenBatchForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("Label"),
        max_length=200,
        help_text=gettext_lazy("E.g. the sample wave or the sub-district the letters go to."),
    )
    size = forms.IntegerField(
        label=gettext_lazy("Number of tokens"),
        min_value=1,
        max_value=services.MAX_TOKENS_PER_BATCH,
    )


# 50,000 rows (imports.MAX_ROWS) of a long questionnaire fit well within this.
MAX_IMPORT_BYTES = 40 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV, XLSX or SPSS .sav, in the format of the survey's template."),
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Encoding of a CSV file"),
        choices=[
            ("auto", gettext_lazy("Detect (UTF-8, else GB18030/GBK)")),
            ("utf-8", "UTF-8"),
            ("gb18030", gettext_lazy("GB18030/GBK (CSV saved by Chinese Excel)")),
        ],
        initial="auto",
        required=False,
    )


class QuotaColumn(Column):
    """Completes towards the quota targets (each cell counted up to its target)."""

    def get_value(self, instance):
        totals = selectors.quota_totals(survey=instance)
        if not totals["target"]:
            return "—"
        return f"{totals['achieved']} / {totals['target']} ({totals['percent']}%)"


def _quota_cell(key):
    def value(survey):
        totals = selectors.quota_totals(survey=survey)
        return totals[key] if totals["target"] else ""

    return value


#: The fieldwork list's export: one row of progress per survey (counts only, no responses).
EXPORT_COLUMNS = (
    ("title", gettext_lazy("Survey"), lambda s: s.title),
    ("wave", gettext_lazy("Wave"), lambda s: s.wave),
    ("year", pgettext_lazy("survey", "Year"), lambda s: s.year),
    ("status", gettext_lazy("Status"), lambda s: s.get_status_display()),
    ("respondent_mode", gettext_lazy("Mode"), lambda s: s.get_respondent_mode_display()),
    ("responses", gettext_lazy("Responses"), lambda s: s.n_responses),
    ("quota_achieved", gettext_lazy("Quota completes"), _quota_cell("achieved")),
    ("quota_target", gettext_lazy("Quota target"), _quota_cell("target")),
    ("quota_percent", gettext_lazy("Quota progress (%)"), _quota_cell("percent")),
)


class FieldworkIndexView(generic.IndexView):
    """Fieldwork progress per survey: status, responses, quota progress; filters
    (``filters.FieldworkFilterSet``) and a CSV/XLSX export of the same counts. Users who may read
    responses (``survey_data_policy``) only."""

    model = Survey
    permission_policy = None  # asked by selectors.surveys_for_analyst
    filterset_class = FieldworkFilterSet
    template_name = "surveys/admin/fieldwork_index.html"
    results_template_name = "surveys/admin/fieldwork_index_results.html"
    index_url_name = "surveys_admin:index"
    index_results_url_name = "surveys_admin:index_results"
    page_title = gettext_lazy("Survey fieldwork")
    header_icon = "list-ul"
    paginate_by = 50
    export_filename = "survey-fieldwork"
    list_export = [key for key, _h, _fn in EXPORT_COLUMNS]
    export_headings = {key: heading for key, heading, _fn in EXPORT_COLUMNS}

    def dispatch(self, request, *args, **kwargs):
        if not selectors.can_view_responses(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return selectors.surveys_for_analyst(user=self.request.user)

    def order_queryset(self, queryset):
        return queryset.order_by("-year", "title", "pk")

    def to_row_dict(self, item):
        return {key: fn(item) for key, _h, fn in EXPORT_COLUMNS}

    @cached_property
    def columns(self):
        return [
            TitleColumn("title", label=_("Survey"), url_name="surveys_admin:fieldwork"),
            Column("wave", label=_("Wave")),
            Column("status", label=_("Status"), accessor="get_status_display"),
            Column("respondent_mode", label=_("Mode"), accessor="get_respondent_mode_display"),
            Column("n_responses", label=_("Responses")),
            QuotaColumn("quota", label=_("Quota progress")),
        ]


fieldwork_index = never_cache(FieldworkIndexView.as_view())
fieldwork_index_results = never_cache(FieldworkIndexView.as_view(results_only=True))


def fieldwork_actions(user, survey: Survey) -> list[dict]:
    """The fieldwork page's action panel: each action shown when the survey policies (and for
    the questionnaire, Wagtail's own permission on ``Survey``) allow it to this user."""
    from wagtail.permission_policies import ModelPermissionPolicy

    may_manage = survey_data_policy.user_has_permission(user, "manage_fieldwork")
    actions = []

    def add(key, label, url, *, when=True, primary=False):
        if when:
            actions.append({"key": key, "label": label, "url": url, "primary": primary})

    add(
        "dashboard",
        _("Weighted rates dashboard"),
        reverse("surveys_admin:dashboard", args=[survey.pk]),
        when=survey_data_policy.user_has_permission(user, "analyse"),
        primary=True,
    )
    add(
        "exports",
        _("Exports for the statistics bureau"),
        reverse("surveys_admin:exports", args=[survey.pk]),
        when=survey_data_policy.user_has_permission(user, "analyse"),
    )
    add(
        "releases",
        _("Releases"),
        reverse("surveys_admin:releases", args=[survey.pk]),
        when=release_policy.user_has_permission(user, "view"),
    )
    add(
        "margins",
        _("Population margins"),
        reverse("surveys_admin:margins", args=[survey.pk]),
        when=may_manage,
    )
    add(
        "edit",
        _("Edit questionnaire"),
        reverse("wagtailsnippets_surveys_survey:edit", args=[survey.pk]),
        when=ModelPermissionPolicy(Survey).user_has_permission(user, "change"),
    )
    add(
        "tokens",
        _("Generate tokens"),
        reverse("surveys_admin:tokens", args=[survey.pk]),
        when=may_manage and survey.respondent_mode == Survey.Mode.TOKEN,
    )
    add(
        "import",
        _("Import paper / telephone interviews"),
        reverse("surveys_admin:import", args=[survey.pk]),
        when=may_manage,
    )
    add(
        "template_xlsx",
        _("Import template (XLSX with codebook)"),
        reverse("surveys_admin:template", args=[survey.pk, "xlsx"]),
    )
    add(
        "template_csv",
        _("Import template (CSV)"),
        reverse("surveys_admin:template", args=[survey.pk, "csv"]),
    )
    return actions


def _cross_table(survey: Survey):
    """Achieved counts per sub-district × sex × age group (rows: sub-district)."""
    counts = {}
    from django.db.models import Count

    for row in (
        Response.objects.filter(survey=survey, excluded=False)
        .values("subdistrict_id", "sex", "age_group")
        .annotate(n=Count("id"))
    ):
        counts[(row["subdistrict_id"], row["sex"], row["age_group"])] = row["n"]
    columns = [(sex, age) for sex in Sex.values for age in AgeGroup.values]
    rows = []
    for sub in Subdistrict.objects.all():
        cells = [counts.get((sub.pk, sex, age), 0) for sex, age in columns]
        rows.append({"name": sub.name, "cells": cells, "total": sum(cells)})
    headers = [f"{Sex(sex).label} {AgeGroup(age).label}" for sex, age in columns]
    return headers, rows


def fieldwork_detail(request, pk: int):
    survey = selectors.survey_for_analyst(user=request.user, pk=pk)
    structure = load_structure(survey)
    summary = selectors.fieldwork_summary(survey=survey)
    by_day = summary["by_day"]
    peak = max((n for _day, n in by_day), default=0)
    headers, cross_rows = _cross_table(survey)
    context = {
        "survey": survey,
        "state": survey.state(),
        "problems": structure_problems(structure),
        "quotas": selectors.quota_progress(survey=survey),
        "summary": summary,
        "by_day": [(day, n, round(100 * n / peak) if peak else 0) for day, n in by_day],
        "channels": [
            (label, summary["by_channel"].get(value, 0))
            for value, label in Response._meta.get_field("channel").choices
        ],
        "rates": selectors.survey_rates(survey=survey),
        "cross_headers": headers,
        "cross_rows": cross_rows,
        "token_batches": survey.token_batches.all()[:20],
        "import_batches": survey.import_batches.all()[:20],
        "events": survey.events.select_related("actor")[:20],
        "can_manage": selectors.can_manage_fieldwork(request.user),
        "actions": fieldwork_actions(request.user, survey),
    }
    return render(request, "surveys/admin/fieldwork_detail.html", context)


def token_batch_create(request, pk: int):
    survey = selectors.survey_for_analyst(user=request.user, pk=pk, manage=True)
    form = TokenBatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        batch, tokens = services.token_batch_create(
            survey=survey,
            label=form.cleaned_data["label"],
            size=form.cleaned_data["size"],
            actor=request.user,
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        write_csv_row(writer, ["token", "link"])
        base = request.build_absolute_uri("/").rstrip("/")
        for token in tokens:
            path = reverse("surveys:token_link", kwargs={"slug": survey.slug, "code": token})
            write_csv_row(writer, [token, base + path])
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{survey.slug}-tokens-{batch.pk}.csv"'
        )
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "surveys/admin/token_batch_form.html",
        {"survey": survey, "form": form},
        status=400 if form.errors else 200,
    )


def import_upload(request, pk: int):
    survey = selectors.survey_for_analyst(user=request.user, pk=pk, manage=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            result = imports.ImportResult(
                batch=None,
                problems=[
                    imports.ImportProblem(
                        1,
                        "",
                        _("The file is larger than %(mb)s MB; split it into several files.")
                        % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)},
                    )
                ],
            )
        else:
            result = imports.import_responses(
                survey=survey,
                filename=upload.name,
                content=upload.read(),
                actor=request.user,
                encoding=form.cleaned_data.get("encoding") or "auto",
            )
        if result.ok:
            messages.success(request, _("%(n)s responses imported.") % {"n": result.rows})
            return redirect("surveys_admin:fieldwork", pk=survey.pk)
        problems = result.problems
    return render(
        request,
        "surveys/admin/import_form.html",
        {"survey": survey, "form": form, "problems": problems, "columns": imports.BASE_COLUMNS},
        status=400 if problems or form.errors else 200,
    )


def import_template(request, pk: int, fmt: str):
    survey = selectors.survey_for_analyst(user=request.user, pk=pk)
    structure = load_structure(survey)
    if fmt == "xlsx":
        response = HttpResponse(
            imports.template_xlsx(structure),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            imports.template_csv(structure), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{survey.slug}-import-template.{fmt}"'
    return response


@require_POST
def response_review(request, pk: int, response_id):
    survey = selectors.survey_for_analyst(user=request.user, pk=pk, manage=True)
    response = get_object_or_404(Response, survey=survey, pk=response_id)
    excluded = request.POST.get("excluded") == "1"
    services.response_set_excluded(response=response, excluded=excluded, actor=request.user)
    messages.success(
        request,
        _("Response excluded from analysis.") if excluded else _("Response included again."),
    )
    return redirect(reverse("surveys_admin:fieldwork", kwargs={"pk": survey.pk}) + "#flagged")
