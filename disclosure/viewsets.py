"""Admin screens of the disclosure module, one "Information disclosure" menu group: the
catalogue's tables (snippets) and the request queue (a ViewSet of custom views). Registered in
wagtail_hooks.py."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from disclosure import admin_views, selectors
from disclosure.models import (
    AnnualReportInputs,
    DisclosureCategory,
    DisclosurePlan,
    Indicator,
    IndicatorReading,
    KeyProject,
    ProjectProgress,
)
from portal.admin_menu import GuardedViewSet

#: Hook for further entries in the "Information disclosure" group (see ``DisclosureViewSetGroup``).
MENU_HOOK = "register_disclosure_menu_item"


class DisclosureCategoryViewSet(SnippetViewSet):
    model = DisclosureCategory
    icon = "tag"
    menu_label = _("Categories")
    list_display = ["name", "slug", "sort_order"]


class DisclosurePlanViewSet(SnippetViewSet):
    model = DisclosurePlan
    icon = "calendar-alt"
    menu_label = _("Annual disclosure plans")
    list_display = ["year", "title"]


class IndicatorViewSet(SnippetViewSet):
    model = Indicator
    icon = "table"
    menu_label = _("Indicators (表1)")
    list_display = [
        "number",
        "part",
        "name",
        "field",
        "target_value",
        "baseline_value",
        "baseline_status",
    ]
    list_filter = ["field", "baseline_status", "part"]
    search_fields = ["name", "responsible_units"]
    list_export = [
        "number",
        "part",
        "field",
        "task",
        "name",
        "unit",
        "target_value",
        "baseline_value",
        "baseline_status",
        "planned_2025",
        "attribute",
        "responsible_units",
    ]
    list_per_page = 50


class IndicatorReadingViewSet(SnippetViewSet):
    model = IndicatorReading
    icon = "list-ul"
    menu_label = _("Indicator readings")
    list_display = ["indicator", "period", "display_value", "status", "source_note"]
    list_filter = ["status", "indicator__field"]
    list_export = [
        "indicator",
        "period",
        "period_end",
        "value",
        "value_text",
        "status",
        "source_note",
    ]


class KeyProjectViewSet(SnippetViewSet):
    model = KeyProject
    icon = "cogs"
    menu_label = _("Key projects (附表)")
    list_display = [
        "number",
        "name",
        "system",
        "total_investment",
        "status",
        "percent_complete",
        "progress_date",
    ]
    list_filter = ["system", "status"]
    search_fields = ["name", "content", "responsible_units"]
    list_export = [
        "number",
        "system",
        "name",
        "location",
        "period",
        "total_investment",
        "responsible_units",
        "status",
        "percent_complete",
        "progress_date",
    ]
    list_per_page = 50


class ProjectProgressViewSet(SnippetViewSet):
    model = ProjectProgress
    icon = "time"
    menu_label = _("Project progress")
    list_display = ["project", "date", "status", "percent_complete"]
    list_filter = ["status", "project__system"]
    list_export = ["project", "date", "status", "percent_complete", "note"]


class AnnualReportInputsViewSet(SnippetViewSet):
    model = AnnualReportInputs
    icon = "doc-full"
    menu_label = _("Annual report inputs")
    list_display = ["year"]


class RequestQueueViewSet(GuardedViewSet):
    """Requests for disclosure (依申请公开): the queue and each request with its actions."""

    name = "disclosure_admin"
    url_prefix = "disclosure-requests"
    icon = "mail"
    menu_label = _("Disclosure requests")
    menu_name = "disclosure-requests"
    menu_order = 0

    guard = staticmethod(selectors.can_process_requests)

    def get_urlpatterns(self):
        return [
            path("", admin_views.queue, name="queue"),
            path("results/", admin_views.queue_results, name="queue_results"),
            path("<int:pk>/", admin_views.detail, name="detail"),
        ]


class DisclosureViewSetGroup(SnippetViewSetGroup):
    """The one menu entry of the disclosure app."""

    items = (
        RequestQueueViewSet,
        DisclosurePlanViewSet,
        IndicatorReadingViewSet,
        IndicatorViewSet,
        ProjectProgressViewSet,
        KeyProjectViewSet,
        AnnualReportInputsViewSet,
        DisclosureCategoryViewSet,
    )
    # Other apps' screens that belong under 信息公开 (the enterprises app's supervision).
    submenu_hook = MENU_HOOK
    menu_icon = "doc-full-inverse"
    menu_label = _("Information disclosure")
    menu_name = "disclosure"
    menu_order = 300
