"""Register the disclosure admin: one menu group (viewsets.py), the disclosure officer's start
panel, and record who entered a reading or a progress row."""

from decimal import Decimal

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from disclosure import rates, selectors, views
from disclosure.home_panels import DisclosureOfficerHomePanel
from disclosure.models import DisclosureIndexPage
from disclosure.services import indicator_verdict_by_number
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


@hooks.register("indicator_verdicts")
def indicator_verdict(number, value):
    """The one verdict of an indicator value (portal/integration.py ``indicator_verdicts``)."""
    return indicator_verdict_by_number(int(number), None if value is None else Decimal(str(value)))


@hooks.register("indicator_sources")
def plan_rate_indicator_source():
    """Indicator 5 (生态环境信息公开率) is the disclosure plan's year-end rate."""
    return {rates.RATE_INDICATOR: selectors.rate_indicator_value}
