"""Admin screens of the cms app (registered in wagtail_hooks)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.models import ColumnCategory, PageErrorReport


class ColumnCategoryViewSet(SnippetViewSet):
    model = ColumnCategory
    icon = "tag"
    menu_label = _("Column categories")
    menu_name = "column-categories"  # grouped under "Site" (portal.admin_menu)
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["name", "slug", "sort_order"]
    search_fields = ["name"]
    ordering = ["sort_order", "name"]


column_category_viewset = ColumnCategoryViewSet()


class PageErrorReportViewSet(SnippetViewSet):
    """纠错: the visitors' error reports; administrators mark them handled with a note."""

    model = PageErrorReport
    icon = "warning"
    menu_label = _("Error reports")
    menu_name = "error-reports"  # grouped under "Site" (portal.admin_menu)
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["created_at", "page_url", "description", "handled"]
    list_filter = ["handled"]
    search_fields = ["page_url", "description"]
    ordering = ["handled", "-created_at"]
    inspect_view_enabled = True


page_error_report_viewset = PageErrorReportViewSet()
