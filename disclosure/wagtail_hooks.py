from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from disclosure import admin_views, selectors
from disclosure.home_panels import DisclosureOfficerHomePanel
from disclosure.viewsets import DisclosureViewSetGroup

register_snippet(DisclosureViewSetGroup)


class RequestsMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.can_process_requests(request.user)


@hooks.register("register_admin_urls")
def register_request_admin_urls():
    urls = [
        path("", admin_views.queue, name="queue"),
        path("<int:pk>/", admin_views.detail, name="detail"),
    ]
    return [
        path(
            "disclosure-requests/",
            include((urls, "disclosure_admin"), namespace="disclosure_admin"),
        )
    ]


@hooks.register("register_admin_menu_item")
def register_requests_menu_item():
    return RequestsMenuItem(
        _("Disclosure requests"),
        reverse("disclosure_admin:queue"),
        name="disclosure-requests",
        icon_name="mail",
        order=310,
    )


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def record_entering_user(request, instance):
    from disclosure.models import IndicatorReading, ProjectProgress
    from disclosure.services import indicator_reading_stamp_entered_by

    if isinstance(instance, IndicatorReading):
        indicator_reading_stamp_entered_by(reading=instance, user=request.user)
    if isinstance(instance, ProjectProgress) and instance.created_by_id is None:
        ProjectProgress.objects.filter(pk=instance.pk).update(created_by=request.user)


@hooks.register("portal_home_panels")
def officer_home_panel(request):
    return DisclosureOfficerHomePanel(request)
