"""Wagtail admin: one "Pollution reports" menu group holding the case screens (a ViewSet of
custom views) and the reference tables and logs (snippets)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.admin_menu import GuardedViewSet
from portal.audit_admin import AuditViewSetMixin
from portal.tipoffs import admin_views, selectors
from portal.tipoffs.models import (
    Category,
    IdentityAccessLog,
    IdentityRightChange,
    Open311Client,
    PurgeLog,
    ReplyTemplate,
    RoutingRule,
)
from portal.tipoffs.policies import tipoff_policy

#: Hook for further entries in the "Pollution reports" group (see ``TipoffViewSetGroup``).
MENU_HOOK = "register_tipoffs_menu_item"


def can_view_reward_eligibility(user) -> bool:
    return tipoff_policy.user_has_permission(user, "view_reward_eligibility")


class TipoffCaseViewSet(GuardedViewSet):
    """The case queue, the case page with its actions, evidence download and the reward
    eligibility list (bulk assign is a Wagtail bulk action, ``bulk_actions``); every view asks ``selectors``/``workflow`` again."""

    name = "tipoffs_admin"
    url_prefix = "tipoffs"
    icon = "warning"
    menu_label = _("Case queue")
    menu_name = "tipoff-queue"
    menu_order = 1

    guard = staticmethod(selectors.can_open_cases)

    def get_urlpatterns(self):
        return [
            path("", admin_views.index, name="index"),
            path("results/", admin_views.index_results, name="index_results"),
            path("rewards/", admin_views.rewards, name="rewards"),
            path("<int:pk>/", admin_views.case, name="case"),
            path("photos/<int:pk>/original/", admin_views.original_photo, name="original_photo"),
        ]

    def get_reward_menu_item(self):
        return self.guarded_menu_item(
            _("Reward eligibility"),
            "rewards",
            guard=can_view_reward_eligibility,
            name="tipoff-rewards",
            icon="success",
            order=1,  # hook entries sort after the group's own: right after the queue
        )


tipoff_case_viewset = TipoffCaseViewSet()


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "list-ul"
    menu_label = _("Report categories")
    list_display = ["name", "code", "parent", "sort_order", "is_active"]
    list_filter = ["parent", "is_active"]
    search_fields = ["name", "code"]


class RoutingRuleViewSet(SnippetViewSet):
    model = RoutingRule
    icon = "redirect"
    menu_label = _("Routing table")
    list_display = ["category", "subdistrict", "department"]
    list_filter = ["category", "subdistrict", "department"]
    list_export = ["category", "subdistrict", "department"]


class ReplyTemplateViewSet(SnippetViewSet):
    model = ReplyTemplate
    icon = "doc-full"
    menu_label = _("Reply templates")
    list_display = ["title", "state"]
    list_filter = ["state"]


class Open311ClientViewSet(SnippetViewSet):
    model = Open311Client
    icon = "key"
    menu_label = _("Open311 API keys")
    list_display = ["name", "is_active", "created_at"]


class IdentityAccessLogViewSet(AuditViewSetMixin, SnippetViewSet):
    model = IdentityAccessLog
    icon = "view"
    menu_label = _("Identity access log")
    list_display = ["tipoff", "user", "viewed_at", "purpose"]
    list_filter = ["purpose"]


class PurgeLogViewSet(AuditViewSetMixin, SnippetViewSet):
    model = PurgeLog
    icon = "bin"
    menu_label = _("Identity purges")
    list_display = ["reference", "closed_at", "purged_at", "fields"]


class IdentityRightChangeViewSet(AuditViewSetMixin, SnippetViewSet):
    model = IdentityRightChange
    icon = "lock"
    menu_label = _("Identity right changes")
    list_display = ["at", "change", "permission", "user", "group_name", "via", "actor"]
    list_filter = ["change", "via", "permission"]


class TipoffViewSetGroup(SnippetViewSetGroup):
    """The one menu entry of the tip-off app."""

    items = (
        tipoff_case_viewset,
        CategoryViewSet,
        RoutingRuleViewSet,
        ReplyTemplateViewSet,
        Open311ClientViewSet,
        IdentityAccessLogViewSet,
        IdentityRightChangeViewSet,
        PurgeLogViewSet,
    )
    submenu_hook = MENU_HOOK
    menu_icon = "warning"
    menu_label = _("Pollution reports")
    menu_name = "tipoffs"
    menu_order = 250
