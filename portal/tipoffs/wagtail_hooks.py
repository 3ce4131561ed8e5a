"""Register the tip-off admin: one menu group (viewsets.py), its reward-eligibility entry, the
case queue's bulk actions (bulk_actions.py), and the intake officer's and handlers' start panels."""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from portal.integration import SITE_MAP_HOOK, MeItem, MeSection, SiteMapGroup
from portal.tipoffs import selectors
from portal.tipoffs.bulk_actions import TipoffBulkAssign
from portal.tipoffs.home_panels import HandlerHomePanel, IntakeHomePanel
from portal.tipoffs.viewsets import MENU_HOOK, TipoffViewSetGroup, tipoff_case_viewset

MY_REPORTS_SHOWN = 20

register_snippet(TipoffViewSetGroup)
hooks.register(MENU_HOOK, tipoff_case_viewset.get_reward_menu_item)
hooks.register("register_bulk_action", TipoffBulkAssign)


@hooks.register("portal_home_panels")
def intake_home_panel(request):
    return IntakeHomePanel(request)


@hooks.register("portal_home_panels")
def handler_home_panel(request):
    return HandlerHomePanel(request)


@hooks.register("portal_me_sections")
def my_reports_section(request):
    """我的: the reports filed under my name while signed in, with code and state."""
    tipoffs = list(selectors.tipoffs_of_reporter(user=request.user)[:MY_REPORTS_SHOWN])
    return MeSection(
        key="tipoffs",
        title=_("My pollution reports"),
        items=[
            MeItem(
                label=tipoff.display_code,
                url=reverse("tipoffs:track_mine", args=[tipoff.pk]),
                status=tipoff.get_state_display(),
                meta=[
                    tipoff.category.name if tipoff.category_id else "",
                    formats.date_format(timezone.localtime(tipoff.submitted_at), "Y-m-d"),
                ],
            )
            for tipoff in tipoffs
        ],
        empty=_("You have not filed a report under your name while signed in."),
        note=_("Anonymous reports are never linked to your account: track them with their code."),
        links=[
            (_("Report pollution"), reverse("tipoffs:new")),
            (_("Track a report by its code"), reverse("tipoffs:track")),
        ],
        order=10,
    )


@hooks.register(SITE_MAP_HOOK)
def site_map_group(request):
    return SiteMapGroup(
        title=_("Report pollution"),
        links=[
            (_("File a report"), reverse("tipoffs:new")),
            (_("Track a report"), reverse("tipoffs:track")),
            (_("Public cases"), reverse("tipoffs:cases")),
            (_("Statistics"), reverse("tipoffs:stats")),
        ],
        order=30,
    )


@hooks.register("personal_data_providers")
def personal_data_provider():
    from portal.tipoffs import personal_data

    return personal_data.provider()


@hooks.register("retention_categories")
def retention_categories():
    from portal.tipoffs import personal_data

    return personal_data.retention_categories()
