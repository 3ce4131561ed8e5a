"""Admin screens of the cms app (registered in wagtail_hooks)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.models import ColumnCategory


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
