from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.audit_admin import AuditViewSetMixin
from portal.models import (
    Department,
    HolidayCalendarYear,
    RetentionPurgeRun,
    Subdistrict,
    WorkdayOverride,
)


class SubdistrictViewSet(SnippetViewSet):
    model = Subdistrict
    icon = "site"
    menu_label = _("Sub-districts")
    list_display = ["name", "code", "kind", "sort_order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    list_export = ["code", "name", "kind", "sort_order", "is_active"]


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "group"
    menu_label = _("Departments")
    list_display = ["name", "code", "short_name", "contact_phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "short_name"]
    list_export = ["code", "name", "short_name", "organisation_code", "contact_phone", "is_active"]


class WorkdayOverrideViewSet(SnippetViewSet):
    model = WorkdayOverride
    icon = "date"
    menu_label = _("Working-day overrides")
    list_display = ["date", "is_working_day", "reason"]
    list_filter = ["is_working_day"]


class HolidayCalendarYearViewSet(SnippetViewSet):
    model = HolidayCalendarYear
    icon = "calendar"
    menu_label = _("Holiday calendar years")
    list_display = ["year", "source"]


class RetentionPurgeRunViewSet(AuditViewSetMixin, SnippetViewSet):
    model = RetentionPurgeRun
    icon = "bin"
    menu_label = _("Retention purge runs")
    list_display = ["finished_at", "reason", "counts"]
    list_filter = ["reason"]


class ReferenceDataViewSetGroup(SnippetViewSetGroup):
    items = (
        SubdistrictViewSet,
        DepartmentViewSet,
        WorkdayOverrideViewSet,
        HolidayCalendarYearViewSet,
        RetentionPurgeRunViewSet,
    )
    menu_icon = "folder-open-inverse"
    menu_label = _("Reference data")
    menu_name = "reference_data"
    menu_order = 900
