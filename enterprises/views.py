"""Public pages (the list, an enterprise, a report version, monitoring charts) and the enterprise
accounts' filing pages. Filing pages ask ``selectors.filing_enterprise`` (403 for another
enterprise) and leave every rule to ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enterprises import deadlines, forms, report_format, selectors, services, values
from enterprises.models import AnnualReport, ApiToken, LegalDocument
from enterprises.report_format import ContentErrors
from portal.models import Subdistrict
from portal.storage import private_file_response
from portal.uploads import document_content_type

PER_PAGE = 20


# --- Public -----------------------------------------------------------------------------------


def index(request):
    form = forms.SearchForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    qs = selectors.public_enterprises(
        q=params.get("q", ""),
        subdistrict=params.get("subdistrict", ""),
        industry=params.get("industry", ""),
        filer=params.get("filer", ""),
        year=params.get("year"),
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "enterprises/index.html",
        {
            "form": form,
            "page_obj": page,
            "params": params,
            "query": query.urlencode(),
            "subdistricts": Subdistrict.objects.filter(is_active=True).order_by(
                "sort_order", "name"
            ),
            "industries": values.INDUSTRIES,
            "this_year": timezone.localdate().year,
        },
    )


def detail(request, code: str):
    enterprise = selectors.public_enterprise(code)
    versions = list(selectors.published_versions(enterprise))
    years: dict[int, list] = {}
    for version in versions:
        years.setdefault(version.report.year, []).append(version)
    return render(
        request,
        "enterprises/detail.html",
        {
            "enterprise": enterprise,
            "years": sorted(years.items(), reverse=True),
            "temporary_reports": selectors.temporary_reports(enterprise),
            "overdue_documents": selectors.overdue_documents(enterprise),
            "exceedances": selectors.exceedances(enterprise, limit=10),
            "outlets": enterprise.outlets.prefetch_related("limits"),
            "this_year": timezone.localdate().year,
        },
    )


def report(request, code: str, year: int, number: int | None = None):
    enterprise = selectors.public_enterprise(code)
    annual, version = selectors.public_version(enterprise, year, number)
    return render(
        request,
        "enterprises/report.html",
        {
            "enterprise": enterprise,
            "report": annual,
            "version": version,
            "versions": annual.versions_newest_first(),
            "parts": _parts(version.content, annual.carbon_only),
            "attachments": selectors.version_attachments(version),
            "content": version.content,
            "carbon_total": report_format.carbon_total(version.content),
            "due_on": deadlines.annual_due(year),
            "waste_routes": dict(values.WASTE_ROUTES),
            "carbon_scopes": dict(values.CARBON_SCOPES),
        },
    )


def monitoring(request, code: str):
    enterprise = selectors.public_enterprise(code)
    return render(
        request,
        "enterprises/monitoring.html",
        {
            "enterprise": enterprise,
            "series": selectors.monitoring_series(enterprise),
            "exceedances": selectors.exceedances(enterprise),
        },
    )


def attachment(request, pk: int):
    """A report's document: public once a submitted version or a filed temporary report names it
    (then kept by browsers for an hour); before that only for the enterprise's filers and the
    bureau; for anyone else it does not exist (404, not 403: a draft's file is not announced)."""
    found = selectors.attachment(pk)
    public = services.attachment_is_public(found)
    if not public and not services.can_read_attachment(request.user, found):
        raise Http404
    is_pdf = found.filename.lower().endswith(".pdf")
    return private_file_response(
        found.file.name,
        content_type=document_content_type(found.filename),
        filename=found.filename,
        as_attachment=not is_pdf,
        # Browsers may keep a published file; shared caches only keep page-cached views.
        cache_control="private, max-age=3600" if public else "private, no-store",
    )


def _parts(content: dict, carbon_only: bool) -> list[tuple[str, str, str]]:
    keys = report_format.CARBON_PARTS if carbon_only else report_format.PART_KEYS
    # A version shows the extra parts it was submitted with (they are in its content).
    return [
        (key, label, content.get(key, ""))
        for key, label in report_format.ALL_PARTS
        if key in keys or key in content
    ]


# --- Enterprise accounts ----------------------------------------------------------------------


def _require_filer(request):
    enterprises = selectors.filing_enterprises(request.user)
    if not enterprises.exists():
        raise PermissionDenied
    return enterprises


@login_required
def filing_home(request):
    enterprises = _require_filer(request)
    year = selectors.default_report_year()
    today = timezone.localdate()
    rows = []
    for enterprise in enterprises:
        report = AnnualReport.objects.filter(enterprise=enterprise, year=year).first()
        first = report.versions.order_by("number").first() if report else None
        rows.append(
            {
                "enterprise": enterprise,
                "report": report,
                "listed": enterprise.is_listed(year),
                "due_on": deadlines.annual_due(year),
                "state": deadlines.clock_state(
                    due_on=deadlines.annual_due(year),
                    filed_on=timezone.localdate(first.submitted_at) if first else None,
                    today=today,
                ),
                "reports": enterprise.reports.order_by("-year"),
                "temporary": selectors.temporary_reports(enterprise)[:10],
                "open_documents": selectors.open_documents(enterprise),
                "tokens": enterprise.tokens.filter(revoked_at__isnull=True),
            }
        )
    return render(
        request,
        "enterprises/filing_home.html",
        {
            "rows": rows,
            "year": year,
            "new_token": request.session.pop("enterprises_new_token", None),
            "today": today,
        },
    )


def _report_forms(report: AnnualReport, data=None):
    draft = report.draft or {}
    correcting = report.status == AnnualReport.Status.CORRECTING
    text = forms.ReportTextForm(
        data,
        carbon_only=report.carbon_only,
        correcting=correcting,
        extras=report.extra_parts,
        initial={k: draft.get(k, "") for k, _label in report_format.ALL_PARTS},
    )
    tables = report_format.CARBON_TABLES if report.carbon_only else report_format.TABLES
    formsets = {t: forms.table_formset(t, data=data, rows=draft.get(t)) for t in tables}
    return text, formsets


def _attachments_form(request, report: AnnualReport, bound: bool):
    return forms.AttachmentsForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        attachments=report.attachments.filter(in_draft=True),
    )


def _content_from(text, formsets) -> dict:
    content = {k: v for k, v in text.cleaned_data.items() if k != "reason"}
    for table, formset in formsets.items():
        # Every row, blank ones included, so that an error's row number is the form's.
        content[table] = [f.cleaned_data for f in formset.forms]
    return content


def _show_errors(exc: ContentErrors, text, formsets) -> None:
    for where, message in exc.errors:
        if ":" in where:
            table, index = where.split(":")
            forms_ = formsets[table].forms
            i = int(index) - 1
            if 0 <= i < len(forms_):
                forms_[i].add_error(None, message)
            else:
                formsets[table]._non_form_errors = formsets[table].error_class([message])
        elif where in text.fields:
            text.add_error(where, message)
        else:
            text.add_error(None, message)


@login_required
def filing_annual(request, pk: int, year: int):
    enterprise = selectors.filing_enterprise(request.user, pk)
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    report = services.annual_report_for(enterprise, year)
    action = request.POST.get("action") if request.method == "POST" else None
    if action in ("open_correction", "cancel_correction"):
        try:
            if action == "open_correction":
                services.report_open_correction(report=report, user=request.user)
            else:
                services.report_cancel_correction(report=report, user=request.user)
        except services.ReportError as exc:
            messages.error(request, exc.messages[0])
        return redirect("enterprises:filing_annual", pk=pk, year=year)
    if report.status == AnnualReport.Status.SUBMITTED and action not in ("save", "submit"):
        return _render_annual(request, enterprise, report, None, None, None)
    text, formsets = _report_forms(report, request.POST if action else None)
    files = _attachments_form(request, report, bound=bool(action))
    status = 200
    if action in ("save", "submit"):
        valid = [text.is_valid(), files.is_valid(), *(fs.is_valid() for fs in formsets.values())]
        if all(valid):
            content = _content_from(text, formsets)
            try:
                # Files first: they stay in the draft even when the content is refused below.
                services.report_update_attachments(
                    report=report,
                    user=request.user,
                    uploads=files.uploads(),
                    remove=files.cleaned_data["remove_attachment"],
                )
                files = _attachments_form(request, report, bound=False)
                if action == "save":
                    services.report_save_draft(report=report, content=content, user=request.user)
                    messages.success(
                        request, _("Draft saved. It is not public until you submit it.")
                    )
                else:
                    version = services.report_submit(
                        report=report,
                        content=content,
                        user=request.user,
                        reason=text.cleaned_data.get("reason", ""),
                    )
                    if version.is_late:
                        messages.warning(
                            request,
                            _(
                                "Submitted after the deadline of %(due)s: the report is published and marked late."
                            )
                            % {"due": deadlines.annual_due(year).isoformat()},
                        )
                    messages.success(
                        request,
                        _(
                            "Version %(number)s submitted and published. Fingerprint (SHA-256): %(fp)s"
                        )
                        % {"number": version.number, "fp": version.fingerprint},
                    )
                return redirect("enterprises:filing_annual", pk=pk, year=year)
            except ContentErrors as exc:
                _show_errors(exc, text, formsets)
            except services.ReportError as exc:
                messages.error(request, exc.messages[0])
                return redirect("enterprises:filing_annual", pk=pk, year=year)
            except ValidationError as exc:  # an attached file refused: nothing was stored
                files.add_error("attachments", exc.message_dict.get("attachments", exc.messages))
        status = 400
    return _render_annual(request, enterprise, report, text, formsets, files, status=status)


def _render_annual(request, enterprise, report, text, formsets, files, status=200):
    latest = report.versions_newest_first().first()
    return render(
        request,
        "enterprises/filing_annual.html",
        {
            "enterprise": enterprise,
            "report": report,
            "text": text,
            "formsets": formsets,
            "latest": latest,
            "parts": _parts(latest.content, report.carbon_only) if latest else [],
            "latest_attachments": selectors.version_attachments(latest) if latest else [],
            "files": files,
            "due_on": deadlines.annual_due(report.year),
            "has_errors": status != 200,
        },
        status=status,
    )


@login_required
def filing_temporary(request, pk: int):
    enterprise = selectors.filing_enterprise(request.user, pk)
    registered = _registered_document(enterprise, request.GET.get("document"))
    initial = (
        {
            "document_kind": registered.document_kind,
            "document_number": registered.document_number,
            "issued_by": registered.issued_by,
            "received_on": registered.served_on,
        }
        if registered
        else None
    )
    form = forms.TemporaryReportForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            uploads = [(f, "") for f in data.pop("attachments")]
            try:
                report = services.temporary_report_file(
                    enterprise=enterprise, user=request.user, uploads=uploads, **data
                )
            except ValidationError as exc:
                for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                if report.is_late:
                    messages.warning(
                        request,
                        _(
                            "Filed after its deadline of %(due)s: the report is accepted and marked late."
                        )
                        % {"due": report.due_on.isoformat()},
                    )
                else:
                    messages.success(
                        request,
                        _("Temporary report filed and published (deadline %(due)s).")
                        % {"due": report.due_on.isoformat()},
                    )
                return redirect("enterprises:filing_home")
        status = 400
    return render(
        request,
        "enterprises/filing_temporary.html",
        {"enterprise": enterprise, "form": form, "registered": registered},
        status=status,
    )


def _registered_document(enterprise, raw) -> LegalDocument | None:
    if not (raw or "").isdigit():
        return None
    return selectors.open_documents(enterprise).filter(pk=int(raw)).first()


@login_required
@require_POST
def filing_token(request, pk: int):
    enterprise = selectors.filing_enterprise(request.user, pk)
    form = forms.TokenForm(request.POST)
    if request.POST.get("revoke"):
        token = ApiToken.objects.filter(
            enterprise=enterprise, pk=request.POST.get("revoke")
        ).first()
        if token is None:
            raise Http404
        services.token_revoke(token=token, user=request.user)
        messages.success(request, _("The token is revoked."))
    elif form.is_valid():
        _token, raw = services.token_create(
            enterprise=enterprise, label=form.cleaned_data["label"], user=request.user
        )
        request.session["enterprises_new_token"] = raw
    return redirect(reverse("enterprises:filing_home") + "#tokens")
