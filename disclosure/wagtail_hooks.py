"""Register the disclosure admin: one menu group (viewsets.py), the disclosure officer's start
panel, and record who entered a reading or a progress row."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from disclosure import views
from disclosure.home_panels import DisclosureOfficerHomePanel
from disclosure.models import DisclosureIndexPage
from disclosure.viewsets import DisclosureViewSetGroup
from portal.pages import page_context_hook

register_snippet(DisclosureViewSetGroup)
hooks.register(page_context_hook(DisclosureIndexPage), views.index_page_context)


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


@hooks.register("personal_data_providers")
def personal_data_provider():
    from disclosure import personal_data

    return personal_data.provider()


@hooks.register("retention_categories")
def retention_categories():
    from disclosure import personal_data

    return personal_data.retention_categories()
