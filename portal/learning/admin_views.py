"""Staff screens in the Wagtail admin: participation statistics (+ XLSX) and the pickup desk.

Statistics and the pickup desk (look up a pickup code, hand over or cancel) are
``policies.redemption_policy``'s ``view_statistics``, ``desk`` and ``hand_over``. They are
checked here, on the server, for every request, whatever the menu shows.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic

from portal import codes
from portal.learning import selectors, services
from portal.learning.exports import statistics_xlsx  # Wagtail's SpreadsheetExportMixin
from portal.learning.filters import StatisticsFilterSet
from portal.learning.models import Redemption
from portal.learning.policies import redemption_policy
from portal.models import Subdistrict

# Explicit grants only (a group or the permission): superuser status is not a role.


def can_view_statistics(user) -> bool:
    return redemption_policy.user_has_permission(user, "view_statistics")


def can_handle_redemptions(user) -> bool:
    return redemption_policy.user_has_permission(user, "desk")


class StatisticsView(generic.IndexView):
    """Participation over a period: the summary, quiz takers per day and scores by topic above,
    and the sub-districts as the listing (quiz takers, points issued and redeemed), filtered by
    the period (``filters.StatisticsFilterSet``). CSV: the sub-district rows (``list_export``);
    XLSX: the whole workbook (the three tables). Aggregates only: no resident is named."""

    model = Subdistrict
    permission_policy = None  # asked in dispatch: redemption_policy "view_statistics"
    filterset_class = StatisticsFilterSet
    template_name = "learning/admin/statistics.html"
    results_template_name = "learning/admin/statistics_results.html"
    index_url_name = "learning_admin:statistics"
    index_results_url_name = "learning_admin:statistics_results"
    page_title = gettext_lazy("Learning statistics")
    header_icon = "table"
    paginate_by = None
    list_export = ["name", "learners", "issued", "redeemed"]
    export_headings = {
        "name": gettext_lazy("Sub-district"),
        "learners": gettext_lazy("Quiz takers"),
        "issued": gettext_lazy("Points issued"),
        "redeemed": gettext_lazy("Points redeemed"),
    }

    def dispatch(self, request, *args, **kwargs):
        if not can_view_statistics(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def period(self):
        return self.filters.period()

    @property
    def export_filename(self):
        date_from, date_to = self.period
        return f"learning-{date_from:%Y%m%d}-{date_to:%Y%m%d}"

    def get_base_queryset(self):
        date_from, date_to = self.period
        return selectors.subdistrict_participation(date_from=date_from, date_to=date_to)

    def order_queryset(self, queryset):
        return queryset.order_by("sort_order", "code")

    def write_xlsx_response(self, queryset):
        date_from, date_to = self.period
        return statistics_xlsx(selectors.statistics(date_from=date_from, date_to=date_to))

    @cached_property
    def columns(self):
        return [
            Column("name", label=_("Sub-district")),
            Column("learners", label=_("Quiz takers")),
            Column("issued", label=_("Points issued")),
            Column("redeemed", label=_("Points redeemed")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        date_from, date_to = self.period
        stats = selectors.statistics(date_from=date_from, date_to=date_to)
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
        unknown = [s for s in stats["subdistricts"] if s["name"] is None]
        context.update(stats=stats, bars=bars, unknown_subdistrict=unknown[0] if unknown else None)
        return context


statistics = never_cache(StatisticsView.as_view())
statistics_results = never_cache(StatisticsView.as_view(results_only=True))


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
