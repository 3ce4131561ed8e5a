"""Staff screens in the Wagtail admin: fieldwork monitor, tokens, imports, import templates.

Every view loads its survey through ``selectors.survey_for_analyst``, which checks
``surveys.view_responses`` (reading) or ``surveys.manage_fieldwork`` (changing).
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.models import Subdistrict
from portal.spreadsheets import write_csv_row
from surveys import imports, selectors, services
from surveys.models import AgeGroup, Response, Sex, Survey
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


def fieldwork_index(request):
    surveys = selectors.survey_list_for_analyst(user=request.user)
    return render(request, "surveys/admin/fieldwork_index.html", {"surveys": surveys})


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
