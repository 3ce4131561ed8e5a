"""The bureau's screens (Wagtail admin, under 信息公开): the supervision queue with the compliance
rate, reminders, and the two imports. Every view asks ``services.can_supervise``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enterprises import forms, imports, selectors, services
from enterprises.models import Enterprise

STATE_LABELS = {
    "missing": _("Missing (deadline passed)"),
    "late": _("Filed late"),
    "due_soon": _("Due soon"),
    "open": _("Not yet due"),
    "on_time": _("Filed on time"),
}


def _check(request):
    if not services.can_supervise(request.user):
        raise PermissionDenied


def _year(request, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


def queue(request):
    _check(request)
    today = timezone.localdate()
    year = _year(request, selectors.default_report_year(today))
    rows = selectors.supervision_queue(year=year, today=today)
    due_year = year + 1
    rate = selectors.compliance(year=due_year, as_of=today)
    groups = []
    for state in ("missing", "late", "due_soon", "open", "on_time"):
        groups.append((state, STATE_LABELS[state], [r for r in rows if r.state == state]))
    return render(
        request,
        "enterprises/admin/queue.html",
        {
            "page_title": _("Enterprise disclosure: supervision"),
            "header_title": _("Enterprise disclosure: supervision"),
            "header_icon": "doc-full",
            "year": year,
            "due_year": due_year,
            "years": range(today.year - 1, today.year - 6, -1),
            "groups": groups,
            "rate": rate,
            "late_temporary": selectors.late_temporary_reports()[:50],
            "today": today,
        },
    )


@require_POST
def remind(request):
    _check(request)
    sent = services.reminders_send()
    messages.success(request, _("%(n)s reminders queued.") % {"n": sent})
    return redirect("enterprises_admin:queue")


def report_import(request):
    _check(request)
    form = forms.ReportImportForm(
        request.POST or None, request.FILES or None, enterprises=Enterprise.objects.all()
    )
    problems = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                version, problems = imports.import_report(
                    enterprise=form.cleaned_data["enterprise"],
                    year=form.cleaned_data["year"],
                    content=upload.read(),
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except imports.ImportFileError as exc:
                form.add_error("file", str(exc))
                version = None
            except services.ReportError as exc:
                form.add_error(None, exc.messages[0])
                version = None
            if version is not None:
                messages.success(
                    request,
                    _("Imported as version %(number)s of the %(year)s report of %(name)s.")
                    % {
                        "number": version.number,
                        "year": version.report.year,
                        "name": version.report.enterprise.name,
                    },
                )
                return redirect("enterprises_admin:queue")
        status = 400
    return render(
        request,
        "enterprises/admin/import.html",
        {
            "page_title": _("Import an annual report"),
            "header_title": _("Import an annual report"),
            "header_icon": "upload",
            "form": form,
            "problems": problems,
            "template_url": "enterprises_admin:report_template",
        },
        status=status,
    )


def report_template(request):
    _check(request)
    response = HttpResponse(
        imports.report_template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="enterprise-annual-report.xlsx"'
    return response


def monitoring_import(request):
    _check(request)
    form = forms.MonitoringImportForm(
        request.POST or None, request.FILES or None, enterprises=Enterprise.objects.all()
    )
    problems = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                saved, problems = imports.import_monitoring(
                    enterprise=form.cleaned_data["enterprise"],
                    filename=upload.name,
                    content=upload.read(),
                )
            except imports.ImportFileError as exc:
                form.add_error("file", str(exc))
                saved = []
            if saved:
                messages.success(
                    request,
                    _("%(n)s monitoring results imported, %(e)s above the limit.")
                    % {"n": len(saved), "e": sum(1 for r in saved if r.exceeded)},
                )
                return redirect("enterprises_admin:queue")
        status = 400
    return render(
        request,
        "enterprises/admin/import.html",
        {
            "page_title": _("Import monitoring results"),
            "header_title": _("Import monitoring results"),
            "header_icon": "upload",
            "form": form,
            "problems": problems,
            "monitoring": True,
        },
        status=status,
    )
