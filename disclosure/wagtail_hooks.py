"""Register the disclosure admin: one menu group (viewsets.py), and record who entered a reading
or a progress row."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from disclosure.viewsets import DisclosureViewSetGroup

register_snippet(DisclosureViewSetGroup)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def record_entering_user(request, instance):
    from disclosure.models import IndicatorReading, ProjectProgress

    if isinstance(instance, IndicatorReading) and instance.entered_by_id is None:
        IndicatorReading.objects.filter(pk=instance.pk).update(entered_by=request.user)
    if isinstance(instance, ProjectProgress) and instance.created_by_id is None:
        ProjectProgress.objects.filter(pk=instance.pk).update(created_by=request.user)
