"""Wagtail admin: the question bank and reward catalogue (snippets), the statistics and the
pickup desk (a ViewSet of custom views). Ledger rows and redemptions are never edited here:
they change only through ``services``."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.learning import admin_views
from portal.learning.models import Question, Reward, Topic
from portal.learning.policies import redemption_policy


class StatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        return redemption_policy.user_has_permission(request.user, "view_statistics")


class DeskMenuItem(MenuItem):
    def is_shown(self, request):
        return redemption_policy.user_has_permission(request.user, "desk")


class LearningAdminViewSet(ViewSet):
    name = "learning_admin"
    url_prefix = "learning"
    icon = "pick"
    permission_policy = redemption_policy

    def get_urlpatterns(self):
        return [
            path("statistics/", admin_views.statistics, name="statistics"),
            path("desk/", admin_views.desk, name="desk"),
            path("desk/<int:pk>/", admin_views.desk_action, name="desk_action"),
        ]

    def get_menu_items(self):
        return [
            StatisticsMenuItem(
                _("Learning statistics"),
                reverse("learning_admin:statistics"),
                name="learning-statistics",
                icon_name="table",
                order=451,
            ),
            DeskMenuItem(
                _("Reward pickup desk"),
                reverse("learning_admin:desk"),
                name="learning-desk",
                icon_name="tick-inverse",
                order=452,
            ),
        ]


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
    items = (TopicViewSet, QuestionViewSet, RewardViewSet)
    menu_icon = "pick"
    menu_label = _("Learning and points")
    menu_name = "learning"
    menu_order = 450
