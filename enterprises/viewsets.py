"""Admin screens of enterprise disclosure. They live in the 信息公开 menu group (the disclosure
app's ``submenu_hook``), not in a group of their own: the admin keeps ≤ 6 top-level entries."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.widgets import Button
from wagtail.snippets.views.snippets import EditView, IndexView, SnippetViewSet

from enterprises import account_views, admin_views
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


#: The label of the link from an enterprise to its accounts screen (填报账号).
ACCOUNTS_LABEL = _("Filing accounts")


def _accounts_url(enterprise) -> str:
    return reverse("enterprise_accounts_admin:enterprise", args=[enterprise.pk])


class EnterpriseIndexView(IndexView):
    """The list of enterprises; each row's "more" menu links to the enterprise's accounts."""

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if enterprise_policy.user_has_permission(self.request.user, "supervise"):
            buttons.append(
                MenuItem(ACCOUNTS_LABEL, _accounts_url(instance), icon_name="group", priority=15)
            )
        return buttons


class EnterpriseEditView(EditView):
    """An enterprise's edit screen; its header's "more" menu links to its accounts."""

    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        if enterprise_policy.user_has_permission(self.request.user, "supervise"):
            buttons.append(
                Button(
                    ACCOUNTS_LABEL, url=_accounts_url(self.object), icon_name="group", priority=5
                )
            )
        return buttons


class EnterpriseViewSet(SnippetViewSet):
    model = Enterprise
    index_view_class = EnterpriseIndexView
    edit_view_class = EnterpriseEditView
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


class EnterpriseAccountsViewSet(GuardedViewSet):
    """Enterprise accounts (``enterprises.accounts``): all of them, one enterprise's with the
    form that adds one, removal and a fresh invitation. Reached from the 信息公开 menu and from
    each enterprise (its row's menu and its edit screen)."""

    name = "enterprise_accounts_admin"
    url_prefix = "enterprise-accounts"
    icon = "group"
    menu_label = _("Enterprise accounts")
    menu_name = "enterprise-accounts"
    menu_order = 3
    menu_hook = DISCLOSURE_MENU_HOOK
    permission_policy = enterprise_policy
    permission_action = "supervise"

    def get_urlpatterns(self):
        return [
            path("", account_views.index, name="index"),
            path("enterprise/<int:pk>/", account_views.enterprise_accounts, name="enterprise"),
            path("<int:pk>/remove/", account_views.remove, name="remove"),
            path("<int:pk>/resend/", account_views.resend, name="resend"),
            path("token/<int:pk>/revoke/", account_views.token_revoke, name="token_revoke"),
        ]
