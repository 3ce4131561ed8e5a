"""Register the tip-off admin: one menu group (viewsets.py), its reward-eligibility entry, the
case queue's bulk actions (bulk_actions.py), and the intake officer's and handlers' start panels."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from portal.tipoffs.bulk_actions import TipoffBulkAssign
from portal.tipoffs.home_panels import HandlerHomePanel, IntakeHomePanel
from portal.tipoffs.viewsets import MENU_HOOK, TipoffViewSetGroup, tipoff_case_viewset

register_snippet(TipoffViewSetGroup)
hooks.register(MENU_HOOK, tipoff_case_viewset.get_reward_menu_item)
hooks.register("register_bulk_action", TipoffBulkAssign)


@hooks.register("portal_home_panels")
def intake_home_panel(request):
    return IntakeHomePanel(request)


@hooks.register("portal_home_panels")
def handler_home_panel(request):
    return HandlerHomePanel(request)
