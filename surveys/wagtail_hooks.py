"""Register the survey admin: the questionnaire ViewSets and the fieldwork screens."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from surveys import admin_views
from surveys.selectors import can_view_responses
from surveys.viewsets import survey_viewset_group

register_snippet(survey_viewset_group)

admin_patterns = [
    path("", admin_views.fieldwork_index, name="index"),
    path("<int:pk>/", admin_views.fieldwork_detail, name="fieldwork"),
    path("<int:pk>/tokens/", admin_views.token_batch_create, name="tokens"),
    path("<int:pk>/import/", admin_views.import_upload, name="import"),
    path("<int:pk>/template.<str:fmt>", admin_views.import_template, name="template"),
    path(
        "<int:pk>/responses/<uuid:response_id>/review/", admin_views.response_review, name="review"
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
