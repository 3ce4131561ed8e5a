"""Wagtail admin for surveys, one "Surveys" menu group: the questionnaire builder (with preview),
read-only logs (snippets) and the fieldwork, analysis and release screens (a ViewSet of custom
views)."""

from django.contrib import messages
from django.urls import path
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import (
    CreateView,
    EditView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from portal.admin_menu import GuardedViewSet
from portal.audit_admin import AuditViewSetMixin
from portal.transitions import TransitionForbidden, TransitionNotAllowed
from surveys import admin_views, analyst_views, release_views, services
from surveys.models import ImportBatch, Survey, SurveyEvent, TokenBatch
from surveys.questionnaire import load_structure, structure_problems
from surveys.selectors import can_view_responses


class StructureCheckMixin:
    """Status changes go through the survey state machine (``surveys.services.SURVEYS``), never
    straight from the form: the row is saved with its stored status, then the requested move is
    asked of the machine (policy, from-state, a complete questionnaire, an event row). After the
    save the questionnaire's structure is checked (inline questions are only complete once
    saved): an open survey with problems goes back to draft and the editor is told what to fix."""

    def save_instance(self):
        instance = self.form.instance
        requested = instance.status
        stored = None
        if instance.pk:
            stored = Survey.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
        instance.status = stored or Survey.Status.DRAFT
        survey = super().save_instance()
        problems = structure_problems(load_structure(survey))
        listed = "; ".join(problems)
        if problems and survey.status == Survey.Status.OPEN:
            survey = services.survey_withdraw(survey=survey, actor=None, detail=listed)
            messages.error(
                self.request,
                _g("The survey was saved as a draft and cannot open until this is fixed: %(p)s")
                % {"p": listed},
            )
            return survey
        if requested != survey.status:
            try:
                survey = services.survey_set_status(
                    survey=survey, status=requested, actor=self.request.user
                )
            except (TransitionNotAllowed, TransitionForbidden) as refusal:
                text = " ".join(getattr(refusal, "messages", None) or [str(refusal)])
                messages.error(
                    self.request, _g("Saved, but the status was not changed: %(r)s") % {"r": text}
                )
                return survey
        if problems:
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


class FieldworkViewSet(GuardedViewSet):
    """Fieldwork (tokens, imports, review), analysis (dashboard, exports) and releases (margins,
    publish, files) of each survey; every view checks ``surveys.selectors`` again."""

    name = "surveys_admin"
    url_prefix = "survey-fieldwork"
    icon = "table"
    menu_label = _("Survey fieldwork")
    menu_name = "survey-fieldwork"
    menu_order = 0

    guard = staticmethod(can_view_responses)

    def get_urlpatterns(self):
        return [
            path("", admin_views.fieldwork_index, name="index"),
            path("results/", admin_views.fieldwork_index_results, name="index_results"),
            path("<int:pk>/", admin_views.fieldwork_detail, name="fieldwork"),
            path("<int:pk>/tokens/", admin_views.token_batch_create, name="tokens"),
            path("<int:pk>/import/", admin_views.import_upload, name="import"),
            path("<int:pk>/template.<str:fmt>", admin_views.import_template, name="template"),
            path(
                "<int:pk>/responses/<uuid:response_id>/review/",
                admin_views.response_review,
                name="review",
            ),
            path("<int:pk>/margins/", release_views.margins_upload, name="margins"),
            path("<int:pk>/releases/", release_views.release_list, name="releases"),
            path(
                "<int:pk>/releases/results/",
                release_views.release_list_results,
                name="releases_results",
            ),
            path(
                "<int:pk>/releases/publish/",
                release_views.release_publish_view,
                name="release_publish",
            ),
            path("<int:pk>/releases/v<int:version>/", release_views.release_detail, name="release"),
            path(
                "<int:pk>/releases/v<int:version>/files/<str:name>",
                release_views.release_file_download,
                name="release_file",
            ),
            path("<int:pk>/dashboard/", analyst_views.dashboard, name="dashboard"),
            path("<int:pk>/exports/", analyst_views.exports, name="exports"),
            path("<int:pk>/exports/<int:job_id>/", analyst_views.export_job, name="export_job"),
            path(
                "<int:pk>/exports/<int:job_id>/status.json",
                analyst_views.export_status,
                name="export_status",
            ),
            path(
                "<int:pk>/exports/<int:job_id>/download/",
                analyst_views.export_download,
                name="export_download",
            ),
        ]


class SurveyViewSetGroup(SnippetViewSetGroup):
    """The one menu entry of the survey app."""

    items = (
        FieldworkViewSet,
        SurveyViewSet,
        TokenBatchViewSet,
        ImportBatchViewSet,
        SurveyEventViewSet,
    )
    menu_icon = "list-ul"
    menu_label = _("Surveys")
    menu_name = "surveys"
    menu_order = 400


survey_viewset_group = SurveyViewSetGroup()
