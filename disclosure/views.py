"""Public views of the section (the catalogue itself is the DisclosureIndexPage)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from disclosure import rates, report, selectors, services, versions, workflow
from disclosure.forms import DisclosureRequestForm, RequestStatusForm
from disclosure.models import (
    DisclosureIndexPage,
    DisclosureItemVersion,
    DisclosureRequest,
    Indicator,
    KeyProject,
    ProjectProgress,
    ProjectSystem,
)
from disclosure.values import parse_number
from portal import ratelimit
from portal.models import Department
from portal.pagecache import anonymous_page

LAST_REQUEST_SESSION_KEY = "disclosure_last_request"


def index_page_context(page, request) -> dict:
    """The catalogue of ``DisclosureIndexPage``: filters, facets and one page of items."""
    return selectors.catalogue_page_context(index=page, params=request.GET)


def _section():
    return DisclosureIndexPage.objects.live().first()


def _int(value) -> int | None:
    """A positive id or number from a query parameter; anything else (or too big for the
    database, which would overflow its driver) is None."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= selectors.MAX_ID else None


@anonymous_page(params=())
def indicator_dashboard(request):
    context = selectors.indicator_dashboard()
    context["section"] = _section()
    context["statuses"] = Indicator.Status
    return render(request, "disclosure/indicator_dashboard.html", context)


@anonymous_page(params=())
def indicator_detail(request, number: int):
    indicator = get_object_or_404(
        Indicator.objects.prefetch_related("departments"), number=number, part=0
    )
    parts = list(indicator.parts.prefetch_related("readings").order_by("part"))
    readings = [
        (reading, services.verdict_for(indicator, reading.value, reading.status))
        for reading in indicator.readings.order_by("-period_end")
    ]
    dashboard_row = selectors.indicator_row(indicator.number)
    return render(
        request,
        "disclosure/indicator_detail.html",
        {
            "indicator": indicator,
            "parts": parts,
            "readings": readings,
            "baseline_verdict": services.verdict_for(
                indicator,
                parse_number(indicator.baseline_value),
                indicator.baseline_status,
                prefer_recorded=True,
            ),
            "row": dashboard_row,
            "section": _section(),
        },
    )


@anonymous_page(params=("system", "status", "department"))
def project_list(request):
    system_id = _int(request.GET.get("system"))
    status = (
        request.GET.get("status") if request.GET.get("status") in KeyProject.Status.values else None
    )
    department_id = _int(request.GET.get("department"))
    projects = list(
        selectors.project_list(system_id=system_id, status=status, department_id=department_id)
    )
    totals, planned_total, listed_total = selectors.project_totals_by_system()
    status_counts = dict.fromkeys(KeyProject.Status.values, 0)
    for value, n in KeyProject.objects.values_list("status").annotate(n=Count("id")):
        status_counts[value] = n
    return render(
        request,
        "disclosure/project_list.html",
        {
            "projects": projects,
            "systems": ProjectSystem.objects.all(),
            "statuses": KeyProject.Status.choices,
            "status_counts": [
                (label, status_counts[value], value) for value, label in KeyProject.Status.choices
            ],
            "departments": Department.objects.filter(key_projects__isnull=False).distinct(),
            "selected": {"system": system_id, "status": status, "department": department_id},
            "totals": totals,
            "planned_total": planned_total,
            "listed_total": listed_total,
            "section": _section(),
        },
    )


@anonymous_page(params=())
def project_detail(request, number: int):
    project = get_object_or_404(KeyProject.objects.select_related("system"), number=number)
    progress = list(
        ProjectProgress.objects.filter(project=project)
        .prefetch_related("photos__image")
        .order_by("-date", "-pk")
    )
    return render(
        request,
        "disclosure/project_detail.html",
        {"project": project, "progress": progress, "section": _section()},
    )


@anonymous_page(params=("year", "as_of"))
def rate_dashboard(request):
    years = selectors.plan_years()
    today = timezone.localdate()
    year = _int(request.GET.get("year")) or (years[0] if years else today.year)
    # A year that has ended is shown at its year end by default: the official figure, the same
    # as the home card, the indicator pages and the annual report.
    year_end = rates.official_as_of(year)
    as_of = min(today, year_end)
    if request.GET.get("as_of"):
        try:
            as_of = dt.date.fromisoformat(request.GET["as_of"])
        except ValueError:
            messages.error(request, _("The date must be written as YYYY-MM-DD."))
    result, late, missing, entries = selectors.plan_rate(year=year, as_of=as_of)
    official = None
    if year < today.year and as_of != year_end:
        official, *_rest = selectors.plan_rate(year=year, as_of=year_end)
    return render(
        request,
        "disclosure/rate_dashboard.html",
        {
            "year_end": year_end,
            "year_ended": year < today.year,
            "rate_verdict": _rate_verdict(result),
            "official_percent": None
            if official is None or official.rate is None
            else official.rate * 100,
            "year": year,
            "years": years,
            "as_of": as_of,
            "result": result,
            "rate_percent": None if result.rate is None else result.rate * 100,
            "late": late,
            "missing": missing,
            "entries": entries,
            "section": _section(),
        },
    )


def _rate_verdict(result):
    """The one verdict of a disclosure rate against indicator 5's values (None: nothing due)."""
    if result.rate is None:
        return None
    return services.indicator_verdict_by_number(
        rates.RATE_INDICATOR, (result.rate * 100).quantize(Decimal("0.01"))
    )


@anonymous_page(params=())
def item_versions(request, pk: int):
    item = selectors.live_item_or_404(pk)
    version_list = selectors.item_versions(item=item)
    return render(
        request,
        "disclosure/item_versions.html",
        {"item": item, "versions": version_list, "section": _section()},
    )


@anonymous_page(params=("a", "b"))
def item_diff(request, pk: int):
    item = selectors.live_item_or_404(pk)
    all_versions = {v.number: v for v in DisclosureItemVersion.objects.filter(item=item)}
    if len(all_versions) < 1:
        raise Http404
    newest = max(all_versions)
    new_number = _int(request.GET.get("b")) or newest
    old_number = _int(request.GET.get("a")) or max(new_number - 1, 1)
    if old_number not in all_versions or new_number not in all_versions:
        raise Http404
    old, new = all_versions[old_number], all_versions[new_number]
    return render(
        request,
        "disclosure/item_diff.html",
        {
            "item": item,
            "old": old,
            "new": new,
            "numbers": sorted(all_versions),
            "text_diff": versions.diff_versions(old.text, new.text),
            "attachment_diff": versions.diff_attachments(old.attachments, new.attachments),
            "section": _section(),
        },
    )


def _limit(scope: str) -> tuple[int, int]:
    return ratelimit.configured("DISCLOSURE_RATE_LIMITS", scope)


def _hit_client(request, scope: str) -> bool:
    """Count one POST from this client in ``scope``; True while it is within the limit."""
    limit, window = _limit(scope)
    return ratelimit.hit(
        f"disclosure:{scope}", ratelimit.client_ip(request), limit=limit, window=window
    )


@never_cache
@require_http_methods(["GET", "POST"])
def request_new(request):
    """依申请公开. Every POST, valid or not, counts against the client's hourly limit; filed
    requests also count against their ID number's daily limit (checked before anything is
    saved), so the form cannot be used to flood officers or to probe validation endlessly."""
    form = DisclosureRequestForm(request.POST or None)
    status_code = 200
    if request.method == "POST":
        if not _hit_client(request, "request_client"):
            form.add_error(
                None,
                _(
                    "Too many requests have been sent from your connection. "
                    "Please try again in an hour."
                ),
            )
            status_code = 429
        elif form.is_valid():
            id_limit, id_window = _limit("request_id")
            id_number = form.cleaned_data["id_number"]
            resubmitted = DisclosureRequest.objects.filter(
                submission_token=form.cleaned_data["submission_token"]
            ).exists()  # a double click or reload gets its receipt, whatever the limits
            if not resubmitted and not ratelimit.peek(
                "disclosure:request_id", id_number, limit=id_limit
            ):
                form.add_error(
                    None,
                    _(
                        "Today's limit of requests for this ID number has been reached. "
                        "Please try again tomorrow."
                    ),
                )
                status_code = 429
            else:
                data = {
                    k: v
                    for k, v in form.cleaned_data.items()
                    if k not in ("submission_token", "consent")
                }
                disclosure_request, created = workflow.request_submit(
                    data=data,
                    submission_token=form.cleaned_data["submission_token"],
                    user=request.user,
                )
                if created:
                    ratelimit.hit(
                        "disclosure:request_id", id_number, limit=id_limit, window=id_window
                    )
                request.session[LAST_REQUEST_SESSION_KEY] = disclosure_request.pk
                if not created:
                    messages.info(
                        request, _("This request had already been received; here is its receipt.")
                    )
                return redirect("disclosure:request_receipt")
    return render(
        request,
        "disclosure/request_form.html",
        {"form": form, "section": _section()},
        status=status_code,
    )


@never_cache
def request_receipt(request):
    pk = request.session.get(LAST_REQUEST_SESSION_KEY)
    disclosure_request = DisclosureRequest.objects.filter(pk=pk).first() if pk else None
    if disclosure_request is None:
        return redirect("disclosure:request_new")
    return render(
        request,
        "disclosure/request_receipt.html",
        {"req": disclosure_request, "section": _section()},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def request_status(request):
    form = RequestStatusForm(request.POST or None)
    found = None
    status_code = 200
    if request.method == "POST":
        if not _hit_client(request, "status_client"):
            form.add_error(None, _("Too many attempts. Please try again in 10 minutes."))
            status_code = 429
        elif form.is_valid():
            found = selectors.request_for_applicant(
                tracking_number=form.cleaned_data["tracking_number"],
                id_last4=form.cleaned_data["id_last4"],
            )
            if found is None:
                # One message for every mismatch, so numbers cannot be probed.
                form.add_error(None, _("No request matches this tracking number and ID digits."))
    return render(
        request,
        "disclosure/request_status.html",
        {"form": form, "req": found, "section": _section()},
        status=status_code,
    )


@never_cache
@login_required
def request_mine(request, pk: int):
    """A request filed from the signed-in account (from 我的): only the owner's."""
    found = selectors.requests_of(user=request.user).filter(pk=pk).prefetch_related("events")
    found = found.first()
    if found is None:
        raise Http404
    return render(
        request,
        "disclosure/request_status.html",
        {"form": None, "req": found, "section": _section(), "mine": True},
    )


@anonymous_page(params=())
def annual_report(request, year: int):
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    data = report.build_annual_report(year, request=request)
    return render(
        request,
        "disclosure/annual_report.html",
        {
            "report": data,
            "tables": data.tables(),
            "year": year,
            "latest_year": timezone.localdate().year,
            "rate_percent": None if data.rate.rate is None else data.rate.rate * 100,
            "rate_as_of": data.rate.as_of,
            "rate_verdict": _rate_verdict(data.rate),
            "section": _section(),
        },
    )


def annual_report_xlsx(request, year: int):
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    data = report.build_annual_report(year, request=request)
    response = HttpResponse(
        report.annual_report_xlsx(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="disclosure-annual-report-{year}.xlsx"'
    return response


def annual_report_latest(request):
    return redirect(reverse("disclosure:annual_report", args=[timezone.localdate().year - 1]))
