"""Staff screens in the Wagtail admin: participation statistics (+ XLSX) and the pickup desk.

Statistics and the pickup desk (look up a pickup code, hand over or cancel) are
``policies.redemption_policy``'s ``view_statistics``, ``desk`` and ``hand_over``. They are
checked here, on the server, for every request, whatever the menu shows.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal import codes
from portal.learning import selectors, services
from portal.learning.forms import StatisticsFilterForm
from portal.learning.models import Redemption
from portal.learning.policies import redemption_policy
from portal.spreadsheets import xlsx_append_row

# Explicit grants only (a group or the permission): superuser status is not a role.


def can_view_statistics(user) -> bool:
    return redemption_policy.user_has_permission(user, "view_statistics")


def can_handle_redemptions(user) -> bool:
    return redemption_policy.user_has_permission(user, "desk")


@never_cache
def statistics(request):
    if not can_view_statistics(request.user):
        raise PermissionDenied
    form = StatisticsFilterForm(request.GET or None)
    date_from, date_to = form.period()
    stats = selectors.statistics(date_from=date_from, date_to=date_to)
    if request.GET.get("export") == "xlsx":
        return statistics_xlsx(stats)
    query = request.GET.copy()
    query.pop("export", None)
    width = max(len(stats["days"]), 1)
    bars = [
        {
            "day": day,
            "n": n,
            "x": round(i * 600 / width, 2),
            "w": round(max(600 / width - 2, 1), 2),
            "h": round(150 * n / stats["day_peak"], 1) if stats["day_peak"] else 0,
        }
        for i, (day, n) in enumerate(stats["days"])
    ]
    for bar in bars:
        bar["y"] = round(160 - bar["h"], 1)
    return TemplateResponse(
        request,
        "learning/admin/statistics.html",
        {"form": form, "stats": stats, "bars": bars, "querystring": query.urlencode()},
    )


def statistics_xlsx(stats: dict) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Quiz takers per day")[:31])
    xlsx_append_row(sheet, [_("Date"), _("Quiz takers")])
    for day, n in stats["days"]:
        xlsx_append_row(sheet, [day.isoformat(), n])
    sheet = workbook.create_sheet(_("Scores by topic")[:31])
    xlsx_append_row(sheet, [_("Topic"), _("Answers"), _("Learners"), _("Correct rate")])
    for row in stats["topics"]:
        xlsx_append_row(sheet, [row["topic"], row["answers"], row["learners"], row["score"]])
    sheet = workbook.create_sheet(_("Points by sub-district")[:31])
    xlsx_append_row(
        sheet, [_("Sub-district"), _("Quiz takers"), _("Points issued"), _("Points redeemed")]
    )
    for row in stats["subdistricts"]:
        xlsx_append_row(
            sheet,
            [row["name"] or _("Not given"), row["learners"], row["issued"], row["redeemed"]],
        )
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"learning-{stats['date_from']:%Y%m%d}-{stats['date_to']:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
def desk(request):
    """Pickup desk: find a redemption by its code (or list them by state) and act on it."""
    if not can_handle_redemptions(request.user):
        raise PermissionDenied
    code = codes.normalise_code(request.GET.get("code", ""))[:16]
    state = request.GET.get("state", Redemption.State.PENDING)
    qs = Redemption.objects.select_related("reward", "user", "subdistrict", "decided_by")
    if code:
        qs = qs.filter(code=code)
    elif state in Redemption.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "learning/admin/desk.html",
        {
            "page_obj": page,
            "code": code,
            "state": state,
            "states": Redemption.State.choices,
            "rows": [(r, services.format_code(r.code)) for r in page],
        },
    )


@never_cache
@require_POST
def desk_action(request, pk: int):
    if not redemption_policy.user_has_permission(request.user, "hand_over"):
        raise PermissionDenied
    action = request.POST.get("action")
    try:
        if action == "fulfil":
            item = services.redemption_fulfil(redemption_id=pk, actor=request.user)
            messages.success(request, _("%(code)s handed over.") % {"code": item.code})
        elif action == "cancel":
            item = services.redemption_cancel(redemption_id=pk, actor=request.user)
            messages.success(
                request,
                _("%(code)s cancelled; %(points)d points returned.")
                % {"code": item.code, "points": item.points},
            )
        else:
            messages.error(request, _("Unknown action."))
    except services.RedemptionRefused as exc:
        messages.error(request, exc.message)
    target = request.POST.get("next", "")
    if target.startswith("/admin/") and not target.startswith("//"):
        return redirect(target)
    return redirect("learning_admin:desk")
