from wagtail import hooks
from wagtail.snippets.models import register_snippet

from portal import home_panels
from portal.admin_menu import group_site_entries
from portal.viewsets import ReferenceDataViewSetGroup

register_snippet(ReferenceDataViewSetGroup)
hooks.register("construct_main_menu", group_site_entries)


@hooks.register("construct_homepage_panels")
def add_role_home_panels(request, panels):
    home_panels.construct_panels(request, panels)
