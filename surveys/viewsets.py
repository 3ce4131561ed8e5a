"""Wagtail admin for surveys: the questionnaire builder (with preview) and read-only logs."""

from django.contrib import messages
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import (
    CreateView,
    EditView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from portal.audit_admin import AuditViewSetMixin
from surveys.models import ImportBatch, Survey, SurveyEvent, TokenBatch
from surveys.questionnaire import load_structure, structure_problems


class StructureCheckMixin:
    """After a save, check the questionnaire's structure (inline questions are only complete
    once saved): a survey with problems stays a draft and the editor is told what to fix."""

    def save_instance(self):
        survey = super().save_instance()
        problems = structure_problems(load_structure(survey))
        if not problems:
            return survey
        listed = "; ".join(problems)
        if survey.status == Survey.Status.OPEN:
            Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.DRAFT)
            survey.status = Survey.Status.DRAFT
            messages.error(
                self.request,
                _g("The survey was saved as a draft and cannot open until this is fixed: %(p)s")
                % {"p": listed},
            )
        else:
            messages.warning(
                self.request,
                _g("Saved. Fix this before the survey opens: %(p)s") % {"p": listed},
            )
        return survey


class SurveyCreateView(StructureCheckMixin, CreateView):
    pass


class SurveyEditView(StructureCheckMixin, EditView):
    pass


class SurveyViewSet(SnippetViewSet):
    model = Survey
    add_view_class = SurveyCreateView
    edit_view_class = SurveyEditView
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


class SurveyEventViewSet(AuditViewSetMixin, SnippetViewSet):
    model = SurveyEvent
    icon = "history"
    menu_label = _("Fieldwork log")
    list_display = ["created_at", "survey", "kind", "actor", "detail"]
    list_filter = ["survey", "kind"]


class SurveyViewSetGroup(SnippetViewSetGroup):
    items = (SurveyViewSet, TokenBatchViewSet, ImportBatchViewSet, SurveyEventViewSet)
    menu_icon = "list-ul"
    menu_label = _("Surveys")
    menu_name = "surveys"
    menu_order = 400


survey_viewset_group = SurveyViewSetGroup()
