"""Register the tip-off admin: one menu group (viewsets.py), its reward-eligibility entry, and
the intake officer's and handlers' start panels."""

from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from portal.integration import SITE_MAP_HOOK, SiteMapGroup
from portal.tipoffs.home_panels import HandlerHomePanel, IntakeHomePanel
from portal.tipoffs.viewsets import MENU_HOOK, TipoffViewSetGroup, tipoff_case_viewset

register_snippet(TipoffViewSetGroup)
hooks.register(MENU_HOOK, tipoff_case_viewset.get_reward_menu_item)


@hooks.register("portal_home_panels")
def intake_home_panel(request):
    return IntakeHomePanel(request)


@hooks.register("portal_home_panels")
def handler_home_panel(request):
    return HandlerHomePanel(request)


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
