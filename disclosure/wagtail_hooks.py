"""Register the disclosure admin: one menu group (viewsets.py), the disclosure officer's start
panel, and record who entered a reading or a progress row."""

from decimal import Decimal

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from disclosure import rates, selectors, views
from disclosure.home_panels import DisclosureOfficerHomePanel
from disclosure.models import DisclosureIndexPage
from disclosure.services import indicator_verdict_by_number
from disclosure.viewsets import DisclosureViewSetGroup
from portal.integration import SITE_MAP_HOOK, MeItem, MeSection, SiteMapGroup
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


@hooks.register("portal_me_sections")
def my_requests_section(request):
    """我的: the disclosure requests filed from my account, with tracking number and status."""
    requests = list(selectors.requests_of(user=request.user)[:20])
    return MeSection(
        key="requests",
        title=_("My requests for disclosure"),
        items=[
            MeItem(
                label=req.display_number,
                url=reverse("disclosure:request_mine", args=[req.pk]),
                status=req.get_status_display(),
                meta=[
                    formats.date_format(req.received_on, "Y-m-d"),
                    req.description[:40] + ("…" if len(req.description) > 40 else ""),
                ],
            )
            for req in requests
        ],
        empty=_("You have not filed a request for disclosure while signed in."),
        links=[
            (_("Request information"), reverse("disclosure:request_new")),
            (_("Check a request"), reverse("disclosure:request_status")),
        ],
        order=20,
    )


@hooks.register(SITE_MAP_HOOK)
def site_map_group(request):
    return SiteMapGroup(
        title=_("Information disclosure"),
        links=[
            (_("Indicators (表1)"), reverse("disclosure:indicators")),
            (_("Key projects"), reverse("disclosure:projects")),
            (_("Disclosure rate"), reverse("disclosure:rate")),
            (_("Request government information"), reverse("disclosure:request_new")),
            (_("Check a request"), reverse("disclosure:request_status")),
            (_("Annual report"), reverse("disclosure:annual_report_latest")),
        ],
        order=20,
    )


@hooks.register("personal_data_providers")
def personal_data_provider():
    from disclosure import personal_data

    return personal_data.provider()


@hooks.register("retention_categories")
def retention_categories():
    from disclosure import personal_data

    return personal_data.retention_categories()
