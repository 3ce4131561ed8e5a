"""Wagtail admin for surveys: the questionnaire builder (with preview) and read-only logs."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from surveys.models import ImportBatch, Survey, SurveyEvent, TokenBatch


class SurveyViewSet(SnippetViewSet):
    model = Survey
    icon = "form"
    menu_label = _("Questionnaires")
    list_display = ["title", "wave", "status", "respondent_mode", "updated_at"]
    list_filter = ["status", "respondent_mode", "year"]
    search_fields = ["title", "slug", "wave"]
    ordering = ["-year", "title"]
    copy_view_enabled = True


class TokenBatchViewSet(SnippetViewSet):
    model = TokenBatch
    icon = "key"
    menu_label = _("Token batches")
    list_display = ["label", "survey", "size", "created_by", "created_at"]
    list_filter = ["survey"]
    inspect_view_enabled = True


class ImportBatchViewSet(SnippetViewSet):
    model = ImportBatch
    icon = "upload"
    menu_label = _("Imports")
    list_display = ["filename", "survey", "row_count", "created_by", "created_at"]
    list_filter = ["survey"]
    inspect_view_enabled = True


class SurveyEventViewSet(SnippetViewSet):
    model = SurveyEvent
    icon = "history"
    menu_label = _("Fieldwork log")
    list_display = ["created_at", "survey", "kind", "actor", "detail"]
    list_filter = ["survey", "kind"]
    inspect_view_enabled = True


class SurveyViewSetGroup(SnippetViewSetGroup):
    items = (SurveyViewSet, TokenBatchViewSet, ImportBatchViewSet, SurveyEventViewSet)
    menu_icon = "list-ul"
    menu_label = _("Surveys")
    menu_name = "surveys"
    menu_order = 400


survey_viewset_group = SurveyViewSetGroup()
