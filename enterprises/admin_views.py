"""The bureau's screens (Wagtail admin, under 信息公开): the supervision queue with the compliance
rate, reminders, and the two imports. Every view asks ``services.can_supervise``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enterprises import forms, imports, selectors, services
from enterprises.models import Enterprise, LegalDocument

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
            "documents": [
                (STATE_LABELS[state], document)
                for document, state in selectors.document_rows(today=today)
                if state in ("missing", "due_soon")
            ],
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


# --- Legal documents (the temporary-report clock started by the bureau) -----------------------

DOCUMENT_FILTERS = {
    "open": _("Waiting for the temporary report"),
    "answered": _("Answered by a temporary report"),
    "withdrawn": _("Withdrawn"),
    "all": _("All"),
}


def documents(request):
    _check(request)
    shown = request.GET.get("state", "open")
    if shown not in DOCUMENT_FILTERS:
        shown = "open"
    qs = LegalDocument.objects.select_related("enterprise", "temporary_report").order_by(
        "-served_on", "-pk"
    )
    if shown == "open":
        qs = selectors.open_documents()
    elif shown == "answered":
        qs = qs.filter(temporary_report__isnull=False)
    elif shown == "withdrawn":
        qs = qs.filter(withdrawn_at__isnull=False)
    today = timezone.localdate()
    return render(
        request,
        "enterprises/admin/documents.html",
        {
            "page_title": _("Legal documents served on enterprises"),
            "header_title": _("Legal documents served on enterprises"),
            "header_icon": "doc-full",
            "documents": qs[:500],
            "filters": DOCUMENT_FILTERS.items(),
            "shown": shown,
            "today": today,
            "withdraw_form": forms.WithdrawForm(),
        },
    )


def document_new(request):
    _check(request)
    form = forms.LegalDocumentForm(
        request.POST or None, enterprises=Enterprise.objects.order_by("name")
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                document = services.legal_document_register(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("Registered %(number)s for %(name)s: the temporary report is due by %(due)s.")
                    % {
                        "number": document.document_number,
                        "name": document.enterprise.name,
                        "due": document.due_on.isoformat(),
                    },
                )
                return redirect("enterprises_admin:documents")
        status = 400
    return render(
        request,
        "enterprises/admin/document_form.html",
        {
            "page_title": _("Register a legal document"),
            "header_title": _("Register a legal document"),
            "header_icon": "doc-full",
            "form": form,
        },
        status=status,
    )


@require_POST
def document_withdraw(request, pk: int):
    _check(request)
    document = get_object_or_404(LegalDocument, pk=pk)
    form = forms.WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for withdrawing the registration."))
        return redirect("enterprises_admin:documents")
    try:
        services.legal_document_withdraw(
            document=document, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _("The registration of %(number)s is withdrawn.")
            % {"number": document.document_number},
        )
    return redirect("enterprises_admin:documents")
