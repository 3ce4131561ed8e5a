"""Wagtail admin: one "Learning and points" menu group holding the question bank and reward
catalogue (snippets), the statistics and the pickup desk (a ViewSet of custom views). Ledger rows
and redemptions are never edited here: they change only through ``services``."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.admin_menu import GuardedViewSet
from portal.learning import admin_views
from portal.learning.models import Question, Reward, Topic

#: Hook for further entries in the "Learning and points" group.
MENU_HOOK = "register_learning_menu_item"


class LearningAdminViewSet(GuardedViewSet):
    """Participation statistics (+ XLSX) and the reward pickup desk."""

    name = "learning_admin"
    url_prefix = "learning"
    icon = "table"
    menu_label = _("Learning statistics")
    menu_name = "learning-statistics"
    menu_order = 10

    guard = staticmethod(admin_views.can_view_statistics)

    def get_urlpatterns(self):
        return [
            path("statistics/", admin_views.statistics, name="statistics"),
            path("statistics/results/", admin_views.statistics_results, name="statistics_results"),
            path("desk/", admin_views.desk, name="desk"),
            path("desk/<int:pk>/", admin_views.desk_action, name="desk_action"),
        ]

    def get_desk_menu_item(self):
        return self.guarded_menu_item(
            _("Reward pickup desk"),
            "desk",
            guard=admin_views.can_handle_redemptions,
            name="learning-desk",
            icon="tick-inverse",
            order=11,
        )


learning_admin_viewset = LearningAdminViewSet()


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("Quiz topics")
    list_display = ["name", "slug", "sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("Question bank")
    list_display = ["__str__", "topic", "kind", "is_active", "updated_at"]
    list_filter = ["topic", "kind", "is_active"]
    search_fields = ["text", "explanation", "source_title"]
    list_export = [
        "topic",
        "kind",
        "text",
        "explanation",
        "source_title",
        "source_url",
        "is_active",
    ]
    copy_view_enabled = True


class RewardViewSet(SnippetViewSet):
    model = Reward
    icon = "pick"
    menu_label = _("Rewards")
    list_display = ["name", "points", "stock", "per_person_limit", "valid_until", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    list_export = ["name", "points", "stock", "per_person_limit", "valid_from", "valid_until"]


class LearningViewSetGroup(SnippetViewSetGroup):
    """The one menu entry of the learning app."""

    items = (TopicViewSet, QuestionViewSet, RewardViewSet, learning_admin_viewset)
    submenu_hook = MENU_HOOK
    menu_icon = "pick"
    menu_label = _("Learning and points")
    menu_name = "learning"
    menu_order = 450
