from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet

from disclosure import admin_views, selectors, views
from disclosure.models import DisclosureIndexPage
from disclosure.viewsets import DisclosureViewSetGroup
from portal.pages import page_context_hook

register_snippet(DisclosureViewSetGroup)
hooks.register(page_context_hook(DisclosureIndexPage), views.index_page_context)


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

    if isinstance(instance, IndicatorReading) and instance.entered_by_id is None:
        IndicatorReading.objects.filter(pk=instance.pk).update(entered_by=request.user)
    if isinstance(instance, ProjectProgress) and instance.created_by_id is None:
        ProjectProgress.objects.filter(pk=instance.pk).update(created_by=request.user)
