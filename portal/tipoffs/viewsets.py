"""Wagtail admin: the case screens (a ViewSet of custom views) and the reference tables."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.audit_admin import AuditViewSetMixin
from portal.tipoffs import admin_views
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


class CaseMenuItem(MenuItem):
    def is_shown(self, request):
        return tipoff_policy.user_has_permission(request.user, "view")


class RewardMenuItem(MenuItem):
    def is_shown(self, request):
        return tipoff_policy.user_has_permission(request.user, "view_reward_eligibility")


class TipoffCaseViewSet(ViewSet):
    name = "tipoffs_admin"
    url_prefix = "tipoffs"
    icon = "warning"
    permission_policy = tipoff_policy

    def get_urlpatterns(self):
        return [
            path("", admin_views.index, name="index"),
            path("bulk-assign/", admin_views.bulk_assign, name="bulk_assign"),
            path("rewards/", admin_views.rewards, name="rewards"),
            path("<int:pk>/", admin_views.case, name="case"),
            path("photos/<int:pk>/original/", admin_views.original_photo, name="original_photo"),
        ]

    def get_menu_items(self):
        return [
            CaseMenuItem(
                _("Pollution reports"),
                reverse("tipoffs_admin:index"),
                name="tipoffs",
                icon_name="warning",
                order=250,
            ),
            RewardMenuItem(
                _("Reward eligibility"),
                reverse("tipoffs_admin:rewards"),
                name="tipoffs-rewards",
                icon_name="success",
                order=251,
            ),
        ]


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


class TipoffReferenceViewSetGroup(SnippetViewSetGroup):
    items = (
        CategoryViewSet,
        RoutingRuleViewSet,
        ReplyTemplateViewSet,
        Open311ClientViewSet,
        IdentityAccessLogViewSet,
        IdentityRightChangeViewSet,
        PurgeLogViewSet,
    )
    menu_icon = "cogs"
    menu_label = _("Report settings")
    menu_name = "tipoff_settings"
    menu_order = 260
