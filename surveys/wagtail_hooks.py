"""Register the survey admin: the questionnaire ViewSets and the fieldwork screens."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from portal.pages import page_context_hook
from surveys import admin_views, analyst_views, release_views, views
from surveys.models import Survey, SurveyIndexPage, SurveyPage
from surveys.selectors import can_view_responses
from surveys.viewsets import survey_viewset_group

register_snippet(survey_viewset_group)
hooks.register(page_context_hook(SurveyIndexPage), views.survey_index_page_context)
hooks.register(page_context_hook(SurveyPage), views.survey_page_context)
hooks.register(page_context_hook(Survey, "preview"), views.survey_preview_context)

admin_patterns = [
    path("", admin_views.fieldwork_index, name="index"),
    path("<int:pk>/", admin_views.fieldwork_detail, name="fieldwork"),
    path("<int:pk>/tokens/", admin_views.token_batch_create, name="tokens"),
    path("<int:pk>/import/", admin_views.import_upload, name="import"),
    path("<int:pk>/template.<str:fmt>", admin_views.import_template, name="template"),
    path(
        "<int:pk>/responses/<uuid:response_id>/review/", admin_views.response_review, name="review"
    ),
    path("<int:pk>/margins/", release_views.margins_upload, name="margins"),
    path("<int:pk>/releases/", release_views.release_list, name="releases"),
    path("<int:pk>/releases/publish/", release_views.release_publish_view, name="release_publish"),
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


@hooks.register("register_admin_urls")
def register_survey_admin_urls():
    return [path("survey-fieldwork/", include((admin_patterns, "surveys_admin")))]


class FieldworkMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_responses(request.user)


@hooks.register("register_admin_menu_item")
def register_fieldwork_menu_item():
    return FieldworkMenuItem(
        _("Survey fieldwork"),
        reverse("surveys_admin:index"),
        icon_name="table",
        order=410,
    )
