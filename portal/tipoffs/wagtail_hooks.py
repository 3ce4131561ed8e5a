"""Register the tip-off admin: one menu group (viewsets.py), its reward-eligibility entry, and
the intake officer's and handlers' start panels."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

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


@hooks.register("personal_data_providers")
def personal_data_provider():
    from portal.tipoffs import personal_data

    return personal_data.provider()


@hooks.register("retention_categories")
def retention_categories():
    from portal.tipoffs import personal_data

    return personal_data.retention_categories()
