from wagtail import hooks
from wagtail.snippets.models import register_snippet

from portal.tipoffs.home_panels import HandlerHomePanel, IntakeHomePanel
from portal.tipoffs.viewsets import TipoffCaseViewSet, TipoffReferenceViewSetGroup

case_viewset = TipoffCaseViewSet()


@hooks.register("register_admin_viewset")
def register_case_viewset():
    return case_viewset


@hooks.register("register_admin_menu_item")
def register_case_menu_item():
    return case_viewset.get_menu_items()[0]


@hooks.register("register_admin_menu_item")
def register_reward_menu_item():
    return case_viewset.get_menu_items()[1]


register_snippet(TipoffReferenceViewSetGroup)


@hooks.register("portal_home_panels")
def intake_home_panel(request):
    return IntakeHomePanel(request)


@hooks.register("portal_home_panels")
def handler_home_panel(request):
    return HandlerHomePanel(request)
