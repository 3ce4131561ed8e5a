"""Admin screens of enterprise disclosure. They live in the 信息公开 menu group (the disclosure
app's ``submenu_hook``), not in a group of their own: the admin keeps ≤ 6 top-level entries."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet

from enterprises import admin_views
from enterprises.models import Enterprise
from enterprises.policies import enterprise_policy
from portal.admin_menu import GuardedViewSet

#: The disclosure app's group hook (``disclosure.viewsets.MENU_HOOK``), named, not imported.
DISCLOSURE_MENU_HOOK = "register_disclosure_menu_item"


class SupervisionViewSet(GuardedViewSet):
    name = "enterprises_admin"
    url_prefix = "enterprise-disclosure"
    icon = "doc-full"
    menu_label = _("Enterprise disclosure")
    menu_name = "enterprise-disclosure"
    menu_order = 1
    menu_hook = DISCLOSURE_MENU_HOOK
    permission_policy = enterprise_policy
    permission_action = "supervise"

    def get_urlpatterns(self):
        return [
            path("", admin_views.queue, name="queue"),
            path("remind/", admin_views.remind, name="remind"),
            path("import/report/", admin_views.report_import, name="report_import"),
            path(
                "import/report/template.xlsx", admin_views.report_template, name="report_template"
            ),
            path("import/monitoring/", admin_views.monitoring_import, name="monitoring_import"),
            path("documents/", admin_views.documents, name="documents"),
            path("documents/new/", admin_views.document_new, name="document_new"),
            path(
                "documents/<int:pk>/withdraw/",
                admin_views.document_withdraw,
                name="document_withdraw",
            ),
        ]


class EnterpriseViewSet(SnippetViewSet):
    model = Enterprise
    icon = "site"
    menu_label = _("Enterprise list")
    menu_name = "enterprise-list"
    menu_order = 2
    menu_hook = DISCLOSURE_MENU_HOOK
    permission_policy = enterprise_policy
    list_display = ["name", "credit_code", "industry", "subdistrict", "listed_from", "listed_until"]
    list_filter = ["industry", "subdistrict", "listed_from"]
    search_fields = ["name", "credit_code"]
    list_export = [
        "name",
        "credit_code",
        "industry",
        "subdistrict",
        "listed_from",
        "listed_until",
        "legal_basis",
    ]
